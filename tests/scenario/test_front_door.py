"""The front door of POST /slack/events: nothing is parsed before the signature is checked on the raw bytes;
a client's garbage gets a 4xx, never a 5xx, and a flood of it writes a line or two to the log."""

from __future__ import annotations

import hashlib
import hmac
import http.client
import io
import json
import logging
import time
from collections import Counter
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import pytest

import handlers.app as bolt_app
import handlers.commands as handlers_commands
import handlers.requests.dispatch as bot_dispatch
from bot.logs import make_handler
from handlers.requests.signature import MAX_BODY
from handlers.shortcuts import Shortcut
from handlers.views.home import Home
from handlers.views.log_modal import LogModal
from tests.conftest import SIGNING_SECRET, RunningBot
from tests.support.after_ack import after_ack_done
from tests.support.hostile import BROKEN_HEADERS, broken_headers, post, sign
from tests.support.logs import captured_log
from tests.support.slack_requests import TEAM_ID, USER_ID

GARBAGE = [
    b"\xff\xfe\x00not utf-8",
    b"payload=not-json",
    b"payload=5",
    b'payload="a string"',
    b"payload=" + b"%5B" * 5000,  # deep nesting
    b"payload=%7B%7D&payload=%7B%7D",
    b"%%%=&&&",
]


def send(bot: RunningBot, body: bytes, headers: dict[str, str]) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", int(bot.url.rsplit(":", 1)[1]), timeout=10)
    try:
        conn.request("POST", "/slack/events", body=body, headers=headers)
        return conn.getresponse().status
    finally:
        conn.close()


def signed(
    body: bytes, *, age: int = 0, content_type: str = "application/x-www-form-urlencoded"
) -> dict[str, str]:
    timestamp = str(int(time.time()) - age)
    # As Slack signs: the bytes as sent (slack_sdk's helper takes text, and some of these are not).
    digest = hmac.new(SIGNING_SECRET.encode(), b"v0:" + timestamp.encode() + b":" + body, hashlib.sha256)
    return {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": timestamp,
        "X-Slack-Signature": "v0=" + digest.hexdigest(),
    }


@pytest.fixture
def backend() -> str:
    return "sqlite"  # the front door reads no database


@pytest.mark.parametrize("body", GARBAGE)
def test_unsigned_garbage_is_refused_before_it_is_read(bot: RunningBot, body: bytes) -> None:
    headers = {"Content-Type": "application/x-www-form-urlencoded", "X-Slack-Request-Timestamp": "1"}
    assert send(bot, body, {**headers, "X-Slack-Signature": "v0=" + "0" * 64}) == 401
    assert send(bot, body, signed(body, age=600)) == 401  # a replay from ten minutes ago
    assert send(bot, body, {**headers, "X-Slack-Signature": "v0=é"}) == 401


FORM = "application/x-www-form-urlencoded"
# What a request with broken signature headers may carry: each sort Slack sends, and bytes it never does.
COMMAND_FORM = {
    "command": "/interview",
    "text": "help",
    "team_id": TEAM_ID,
    "user_id": USER_ID,
    "trigger_id": "t",
}
BODIES = [
    (urlencode(COMMAND_FORM).encode(), FORM),
    (urlencode({"payload": json.dumps({"type": "shortcut", "team": {"id": TEAM_ID}})}).encode(), FORM),
    (
        json.dumps(
            {"type": "event_callback", "team_id": TEAM_ID, "event": {"type": "app_home_opened"}}
        ).encode(),
        "application/json",
    ),
    (b"\xff\xfe\x00not utf-8", FORM),  # checked apart from slack_sdk's verifier (which decodes first)
    (b"", FORM),
]
TRIES = 100


def test_every_kind_of_missing_or_broken_signature_header_is_a_401_and_no_traceback(
    bot: RunningBot, caplog: pytest.LogCaptureFixture
) -> None:
    port = int(bot.url.rsplit(":", 1)[1])
    answers: dict[str, Counter[int | str]] = {}
    with captured_log() as log_text, caplog.at_level(logging.INFO):
        for kind in BROKEN_HEADERS:
            answers[kind] = Counter()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)  # kept open: 100 in a row
            for i in range(TRIES):
                body, content_type = BODIES[i % len(BODIES)]
                headers = [("Content-Type", content_type), *broken_headers(kind, body, SIGNING_SECRET)]
                try:
                    answers[kind][post(conn, body, headers)] += 1
                except (http.client.HTTPException, OSError) as exc:
                    answers[kind][type(exc).__name__] += 1
                    conn.close()
            conn.close()
    assert answers == {kind: Counter({401: TRIES}) for kind in BROKEN_HEADERS}
    assert "Traceback" not in log_text.getvalue()
    assert not [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]
    # The help command with both headers right is answered: it was the headers the door refused.
    body, stamp = BODIES[0][0], str(int(time.time()))
    headers = [("Content-Type", FORM), ("X-Slack-Request-Timestamp", stamp)]
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    assert post(conn, body, [*headers, ("X-Slack-Signature", sign(body, stamp, SIGNING_SECRET))]) == 200
    conn.close()


@pytest.mark.parametrize("body", GARBAGE)
def test_signed_garbage_is_a_bad_request_not_a_crash(bot: RunningBot, body: bytes) -> None:
    assert send(bot, body, signed(body)) == 400


def test_a_form_sent_as_json_and_json_that_is_not_an_object_are_bad_requests(bot: RunningBot) -> None:
    form = b"command=%2Finterview&text=help"
    assert send(bot, form, signed(form, content_type="application/json")) == 400
    assert send(bot, b"[1, 2]", signed(b"[1, 2]", content_type="application/json")) == 400


def test_a_body_over_a_mebibyte_is_refused_unread(bot: RunningBot) -> None:
    body = b"a=" + b"x" * MAX_BODY
    assert send(bot, body, signed(body)) == 413


def test_a_chunked_body_over_a_mebibyte_is_refused_before_it_is_spooled(
    bot: RunningBot, caplog: pytest.LogCaptureFixture
) -> None:
    chunks = (b"x" * 65536 for _ in range(48))  # 3 MiB, with no Content-Length to refuse it by
    conn = http.client.HTTPConnection("127.0.0.1", int(bot.url.rsplit(":", 1)[1]), timeout=10)
    try:
        conn.request("POST", "/slack/events", body=chunks, encode_chunked=True, headers=signed(b""))
        assert conn.getresponse().status == 413
    except (BrokenPipeError, ConnectionResetError):
        pass  # refused while still sending: as good
    finally:
        conn.close()
    # Refused by the HTTP server as it came in: the front door never had it read whole for it.
    assert not [r for r in caplog.records if "too large" in r.getMessage()]


def test_a_flood_writes_a_count_not_a_line_per_request(
    bot: RunningBot, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    for _ in range(50):
        assert send(bot, b"payload=5", {"X-Slack-Signature": "v0=1", "X-Slack-Request-Timestamp": "1"}) == 401
    lines = [r for r in caplog.records if "refused requests" in r.getMessage()]
    assert len(lines) <= 1
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_a_signed_slack_request_still_goes_through(bot: RunningBot) -> None:
    response = bot.slack.command("help")  # signed by slack_sdk's SignatureVerifier, as Slack signs
    assert response.status == 200 and "What /interview can do" in response.json()["text"]


def test_slacks_url_check_is_answered_with_its_challenge(bot: RunningBot) -> None:
    # Slack sends this once when the Request URL is saved in the app's settings (HTTP mode).
    body = json.dumps(
        {
            "token": "t",
            "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",
            "type": "url_verification",
        }
    )
    response = bot.slack.post(body, content_type="application/json")
    assert response.status == 200
    assert response.json() == {"challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"}


# Signed, well-formed JSON in shapes Slack never sends (the list): each is refused as such, with
# no traceback; unsigned, each is refused before it is read.
T, U = {"id": TEAM_ID, "domain": "acme"}, {"id": USER_ID, "team_id": TEAM_ID}
VIEW = {"id": "V1", "type": "modal", "callback_id": LogModal.CALLBACK_ID.value, "blocks": []}
WRONG_SHAPES = {
    "view null": {"type": "view_submission", "team": T, "user": U, "view": None},
    "view a string": {"type": "view_submission", "team": T, "user": U, "view": "modal"},
    "view a list": {"type": "view_submission", "team": T, "user": U, "view": [VIEW]},
    "view blocks a string": {
        "type": "view_submission",
        "team": T,
        "user": U,
        "view": {**VIEW, "blocks": "x"},
    },
    "state values of the wrong type": {
        "type": "view_submission",
        "team": T,
        "user": U,
        "view": {**VIEW, "state": {"values": ["account"]}},
    },
    "actions empty": {"type": "block_actions", "team": T, "user": U, "trigger_id": "t", "actions": []},
    "actions not a list": {"type": "block_actions", "team": T, "user": U, "trigger_id": "t", "actions": {}},
    "an action id that is a number": {
        "type": "block_actions",
        "team": T,
        "user": U,
        "trigger_id": "t",
        "actions": [{"action_id": 7}],
    },
    "trigger_id missing": {
        "type": "shortcut",
        "team": T,
        "user": U,
        "callback_id": Shortcut.LOG_GLOBAL.value,
    },
    "a team id that is a number": {"type": "shortcut", "team": {"id": 1}, "user": U, "callback_id": "x"},
    "user a number": {"type": "block_actions", "team": T, "user": 5, "trigger_id": "t", "actions": []},
    "enterprise a number": {"type": "shortcut", "enterprise": 5, "team": T, "callback_id": "x"},
    "event a number": {"type": "event_callback", "team_id": TEAM_ID, "event": 5},
    "authorizations a string": {"type": "event_callback", "authorizations": "x", "event": {"type": "a"}},
    "type a number": {"type": 5, "team": T, "user": U},
}


@pytest.fixture
def log_text() -> Iterator[io.StringIO]:
    """What the bot logs at INFO, rendered as `interview-bot run` writes it."""
    with captured_log() as stream:
        yield stream


def payload_form(payload: dict[str, Any]) -> bytes:
    return urlencode({"payload": json.dumps(payload)}).encode()


def test_payloads_in_shapes_slack_never_sends_are_refused_signed_or_not(
    bot: RunningBot, caplog: pytest.LogCaptureFixture
) -> None:
    unsigned = {"Content-Type": "application/x-www-form-urlencoded", "X-Slack-Signature": "v0=" + "0" * 64}
    with caplog.at_level(logging.INFO):
        for name, payload in WRONG_SHAPES.items():
            body = payload_form(payload)
            assert send(bot, body, signed(body)) == 400, name
        for name, payload in WRONG_SHAPES.items():
            body, stamp = payload_form(payload), str(int(time.time()))
            assert send(bot, body, {**unsigned, "X-Slack-Request-Timestamp": stamp}) == 401, name
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
    refused = [r.getMessage() for r in caplog.records if "refused requests" in r.getMessage()]
    assert len(refused) == 1  # counted, with the front door's refusals, once a minute
    assert "signed but " in refused[0]


def test_team_missing_or_a_user_given_as_an_id_is_answered_not_crashed(
    bot: RunningBot, caplog: pytest.LogCaptureFixture
) -> None:
    no_team = bot.slack.post(urlencode({"command": "/interview", "text": "help", "trigger_id": "t"}))
    assert no_team.status == 200 and "which Slack workspace" in no_team.json()["text"]
    # Slack sends a user as an id in places; the home button still opens the modal for them.
    as_id = {"type": "block_actions", "team": T, "user": USER_ID, "api_app_id": "A1"}
    action = {"action_id": Home.LOG_INTERVIEW.value, "block_id": Home.ACTIONS.value, "type": "button"}
    response = bot.slack.interaction({**as_id, "trigger_id": bot.slack.trigger_id(), "actions": [action]})
    assert response.status == 200
    assert bot.fake.wait_for("views.open")[0].args["view"]["callback_id"] == LogModal.CALLBACK_ID
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_an_unknown_100_kb_callback_id_is_one_short_line(bot: RunningBot, log_text: io.StringIO) -> None:
    huge = "x" * 100_000
    shortcut = {"type": "shortcut", "team": T, "user": U, "callback_id": huge, "trigger_id": "t"}
    assert bot.slack.interaction(shortcut).status == 404
    action = {"action_id": huge, "block_id": "b", "type": "button"}
    clicked = {"type": "block_actions", "team": T, "user": U, "trigger_id": "t", "actions": [action]}
    assert bot.slack.interaction(clicked).status == 404
    event = {"type": huge, "user": USER_ID}
    assert bot.slack.event(event).status == 200  # an event no one listens for: Slack must not retry it
    lines = log_text.getvalue().splitlines()
    unhandled = [line for line in lines if "no listener for" in line]
    assert len(unhandled) == 3, lines
    for line in unhandled:
        assert line.endswith("x… (100000 chars))") and len(line) < 400, line
    assert len(log_text.getvalue()) < 3 * 1_000  # Bolt's own warning was 200 kB for each
    assert "Suggestion" not in log_text.getvalue()


def test_a_command_whose_text_says_payload_is_a_command(bot: RunningBot) -> None:
    # Bolt's own form parsing drops any body that merely contains the word "payload".
    answer = bot.slack.command("payload")
    assert answer.status == 200 and "payload" in str(answer.json()["blocks"])


def test_a_crash_in_bolts_reading_of_a_request_is_a_400_and_one_line(
    bot: RunningBot, monkeypatch: pytest.MonkeyPatch, log_text: io.StringIO
) -> None:
    def broken(**kwargs: object) -> None:
        raise KeyError("x" * 100_000)

    monkeypatch.setattr(bot_dispatch, "BoltRequest", broken)
    assert bot.slack.command("help").status == 400
    (line,) = [line for line in log_text.getvalue().splitlines() if "could not handle" in line]
    assert "KeyError in broken (test_front_door.py:" in line and len(line) < 200
    assert "Traceback" not in log_text.getvalue()


def test_an_error_handler_that_fails_still_answers(
    bot: RunningBot, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*args: object) -> None:
        raise TypeError("the error handler itself failed")

    monkeypatch.setattr(bolt_app, "_answer", broken)
    monkeypatch.setattr(handlers_commands, "recent_interviews", broken)
    with caplog.at_level(logging.ERROR):
        assert bot.slack.command("list").status == 200
    assert any("unexpected error" in r.getMessage() for r in caplog.records)


def test_the_error_handler_reads_a_view_given_as_a_string(
    bot: RunningBot, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # Past the guard (turned off here), a view that is a string reached the error handler, which
    # crashed reading it (a 500): it now reads any shape.
    monkeypatch.setattr(bot_dispatch, "shape_problem", lambda body: None)
    for view in (
        "a string",
        ["a", "list"],
        {"blocks": "x"},
        {"blocks": [5, {"type": "input", "block_id": 5}]},
    ):
        answer = bot.slack.interaction({"type": "view_submission", "user": U, "view": view})
        assert answer.status in (200, 404), view
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_json_lines_name_the_request_even_after_its_answer(bot: RunningBot) -> None:
    stream = io.StringIO()
    handler = make_handler("json", stream)
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        bot.fake.fail("views.open", "expired_trigger_id")
        bot.fake.fail("chat.postMessage", "channel_not_found")  # the DM saying so fails too, after the ack
        assert bot.slack.message_shortcut(Shortcut.LOG_FROM_MESSAGE, "notes").status == 200
        after_ack_done(bot.deps)
    finally:
        root.removeHandler(handler)
    refused = [json.loads(line) for line in stream.getvalue().splitlines() if '"Slack refused' in line]
    # The failed views.open, then the failed DM in the work after the ack: a line each, no traceback.
    assert [line["message"] for line in refused] == [
        "Slack refused views.open: expired_trigger_id",
        "Slack refused chat.postMessage: channel_not_found",
    ]
    for line in refused:
        assert line["kind"] == "message_action" and line["callback_id"] == Shortcut.LOG_FROM_MESSAGE
        assert (line["team"], line["user"]) == (TEAM_ID, USER_ID) and "exception" not in line
