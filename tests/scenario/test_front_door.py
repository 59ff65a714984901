"""The front door of POST /slack/events: nothing is parsed before the signature is checked on the raw bytes;
a client's garbage gets a 4xx, never a 5xx, and a flood of it writes a line or two to the log."""

from __future__ import annotations

import hashlib
import hmac
import http.client
import logging
import time

import pytest

from bot.front_door import MAX_BODY
from tests.conftest import SIGNING_SECRET, RunningBot

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
