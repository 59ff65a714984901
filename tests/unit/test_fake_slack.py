"""Tests for the fake Slack Web API, driven through a real slack_sdk WebClient."""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
import urllib.request
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlencode

import pytest
import time_machine
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry import builtin_handlers
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

from tests.support.fake_slack import LIMITS, FakeSlack

TOKEN = "xoxb-test"


class FakeClock:
    """Injected into FakeSlack so rate-limit tests never sleep."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with FakeSlack() as server:
        server.add_users("U1")  # the person most tests act as; others are declared where used
        yield server


@pytest.fixture
def client(fake: FakeSlack) -> WebClient:
    return WebClient(token=TOKEN, base_url=fake.url, timeout=5)


def plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text}


def mrkdwn(text: str) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": text}


def section(text: str = "Hello", **extra: Any) -> dict[str, Any]:
    return {"type": "section", "text": mrkdwn(text), **extra}


def option(text: str = "One", value: str = "1", **extra: Any) -> dict[str, Any]:
    return {"text": plain(text), "value": value, **extra}


def button(text: str = "Go", action_id: str = "go", **extra: Any) -> dict[str, Any]:
    return {"type": "button", "text": plain(text), "action_id": action_id, **extra}


def text_input(**extra: Any) -> dict[str, Any]:
    return {"type": "plain_text_input", "action_id": "notes", **extra}


def input_block(element: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
    return {
        "type": "input",
        "block_id": "notes_block",
        "label": plain("Notes"),
        "element": element or text_input(),
        **extra,
    }


def modal(blocks: list[dict[str, Any]] | None = None, **extra: Any) -> dict[str, Any]:
    return {
        "type": "modal",
        "callback_id": "feedback",
        "title": plain("Interview feedback"),
        "submit": plain("Save"),
        "close": plain("Cancel"),
        "blocks": [input_block()] if blocks is None else blocks,
        **extra,
    }


def api_error(call: Any) -> SlackApiError:
    with pytest.raises(SlackApiError) as info:
        call()
    return info.value


# ------------------------------------------------------------------------------ server basics
def test_url_points_at_a_local_port_and_stop_is_idempotent() -> None:
    fake = FakeSlack()
    with pytest.raises(RuntimeError):
        _ = fake.url
    fake.start()
    try:
        assert fake.url.startswith("http://127.0.0.1:")
        assert fake.url.endswith("/api/")
        assert fake.port > 0
        assert WebClient(token=TOKEN, base_url=fake.url).auth_test()["ok"] is True
    finally:
        fake.stop()
    fake.stop()


def test_auth_test_answers_like_slack() -> None:
    with FakeSlack(team_id="T9", bot_user_id="U9BOT") as fake:
        data = WebClient(token=TOKEN, base_url=fake.url).auth_test().data
    assert data == {
        "ok": True,
        "url": "https://fake-workspace.slack.com/",
        "team": "Fake Workspace",
        "user": "bot",
        "team_id": "T9",
        "user_id": "U9BOT",
        "bot_id": "B0001",
        "is_enterprise_install": False,
    }


def test_wrong_token_is_invalid_auth_and_missing_token_is_not_authed(fake: FakeSlack) -> None:
    wrong = api_error(WebClient(token="xoxb-wrong", base_url=fake.url).auth_test)
    assert wrong.response["error"] == "invalid_auth"
    missing = api_error(WebClient(base_url=fake.url).auth_test)
    assert missing.response["error"] == "not_authed"
    custom = FakeSlack(token="xoxb-other")
    with custom:
        assert WebClient(token="xoxb-other", base_url=custom.url).auth_test()["ok"]


def test_unknown_method_is_rejected_unless_a_test_answers_it(fake: FakeSlack, client: WebClient) -> None:
    err = api_error(lambda: client.api_call("reactions.add", params={"name": "eyes"}))
    assert err.response["error"] == "unknown_method"
    fake.answer("reactions.add", {"ok": True})
    assert client.api_call("reactions.add", params={"name": "eyes"})["ok"] is True


# ------------------------------------------------------------------------------ recording
def test_records_json_calls_with_blocks_list(fake: FakeSlack, client: WebClient) -> None:
    blocks = [section("*Hi* there", block_id="b1"), {"type": "actions", "elements": [button()]}]
    client.chat_postMessage(channel="C123", text="Hi there", blocks=blocks)
    (call,) = fake.calls("chat.postMessage")
    assert call.method == "chat.postMessage"
    assert call.args == {"channel": "C123", "text": "Hi there", "blocks": blocks}
    assert call.headers["authorization"] == f"Bearer {TOKEN}"
    assert call.headers["content-type"].startswith("application/json")
    assert call.status == 200
    assert isinstance(call.response, dict) and call.response["ok"] is True
    assert call.at > 0


def test_records_view_dict_of_views_open(fake: FakeSlack, client: WebClient) -> None:
    view = modal(private_metadata=json.dumps({"interview": 7}))
    trigger_id = fake.issue_trigger_id()
    response = client.views_open(trigger_id=trigger_id, view=view)
    (call,) = fake.calls("views.open")
    assert call.args == {"trigger_id": trigger_id, "view": view}
    # The answer echoes the submitted view, like Slack.
    assert response["view"]["callback_id"] == "feedback"
    assert response["view"]["blocks"] == view["blocks"]
    assert response["view"]["id"].startswith("V")


def test_records_form_calls_and_decodes_json_fields(fake: FakeSlack, client: WebClient) -> None:
    fake.add_users("U42")
    client.users_info(user="U42")  # slack_sdk sends this one form-encoded
    (call,) = fake.calls("users.info")
    assert call.args == {"user": "U42"}
    assert call.headers["content-type"] == "application/x-www-form-urlencoded"

    blocks = [section("from a form")]
    body = urlencode(
        {"channel": "C1", "text": "[not json", "blocks": json.dumps(blocks), "unfurl_links": "123"}
    )
    request = urllib.request.Request(
        fake.url + "chat.postMessage",
        data=body.encode(),
        headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/x-www-form-urlencoded"},
    )
    with urllib.request.urlopen(request, timeout=5) as raw:
        assert json.load(raw)["ok"] is True
    form_call = fake.calls("chat.postMessage")[0]
    assert form_call.args == {"channel": "C1", "text": "[not json", "blocks": blocks, "unfurl_links": "123"}


def test_records_get_query_params(fake: FakeSlack) -> None:
    fake.add_users("U7")
    request = urllib.request.Request(
        fake.url + "users.info?user=U7", headers={"Authorization": f"Bearer {TOKEN}"}
    )
    with urllib.request.urlopen(request, timeout=5) as raw:
        assert json.load(raw)["user"]["id"] == "U7"
    assert fake.calls("users.info")[0].args == {"user": "U7"}


def test_invalid_json_body_is_recorded_and_rejected(fake: FakeSlack) -> None:
    request = urllib.request.Request(
        fake.url + "chat.postMessage",
        data=b"{broken",
        headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=5) as raw:
        assert json.load(raw) == {"ok": False, "error": "invalid_json"}
    assert [c.method for c in fake.calls(include_rejected=True)] == ["chat.postMessage"]
    assert fake.rejected() == fake.calls(include_rejected=True)
    assert fake.calls() == []


def test_calls_are_in_order_filtered_and_copied(fake: FakeSlack, client: WebClient) -> None:
    client.auth_test()
    client.users_info(user="U1")
    client.auth_test()
    assert [c.method for c in fake.calls()] == ["auth.test", "users.info", "auth.test"]
    assert len(fake.calls("auth.test")) == 2
    fake.calls().clear()
    assert len(fake.calls()) == 3


def test_wait_for_returns_calls_made_by_another_thread(fake: FakeSlack, client: WebClient) -> None:
    def post_twice() -> None:
        client.chat_postMessage(channel="C1", text="one")
        client.chat_postMessage(channel="C1", text="two")

    worker = threading.Thread(target=post_twice)
    worker.start()
    calls = fake.wait_for("chat.postMessage", count=2, timeout=5)
    worker.join()
    assert [c.args["text"] for c in calls] == ["one", "two"]
    assert all(c.status == 200 for c in calls)


def test_reading_calls_shows_what_slack_accepted_unless_rejected_ones_are_asked_for(
    fake: FakeSlack, client: WebClient
) -> None:
    # The same block_id twice: Slack refuses the message, so no test may take it for a sent DM.
    refused = blocks_with(section("one", block_id="same"), section("two", block_id="same"))
    assert api_error(lambda: client.chat_postMessage(**refused)).response["error"] == "invalid_blocks"
    with pytest.raises(AssertionError, match=r"1 refused: HTTP 200 invalid_blocks .*duplicate block_id"):
        fake.wait_for("chat.postMessage", timeout=0.05)
    assert fake.calls("chat.postMessage") == [] and "one" not in fake.all_text()
    (seen,) = fake.rejected("chat.postMessage")
    assert seen.args["blocks"] == refused["blocks"] and not seen.accepted
    client.chat_postMessage(channel="C1", text="fine")
    (sent,) = fake.wait_for("chat.postMessage")
    assert sent.args["text"] == "fine" and sent.accepted
    assert [c.args["text"] for c in fake.wait_for("chat.postMessage", count=2, include_rejected=True)] == [
        "fallback",
        "fine",
    ]
    assert "one" in fake.all_text(include_rejected=True)


def test_a_response_url_is_checked_like_a_message(fake: FakeSlack) -> None:
    def post(body: dict[str, Any]) -> dict[str, Any]:
        request = urllib.request.Request(
            fake.response_url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=5) as raw:
            return dict(json.load(raw))

    assert post({"text": "Done", "response_type": "ephemeral", "replace_original": False})["ok"] is True
    assert post({"text": "x", "blocks": [section("s" * 3001)]})["error"] == "invalid_blocks"
    (said,) = fake.calls("response.url")
    assert said.args["text"] == "Done"


def test_wait_for_timeout_lists_the_methods_seen(fake: FakeSlack, client: WebClient) -> None:
    client.auth_test()
    client.users_info(user="U1")
    started = time.monotonic()
    with pytest.raises(AssertionError) as info:
        fake.wait_for("chat.postMessage", count=1, timeout=0.05)
    assert time.monotonic() - started < 1
    message = str(info.value)
    assert "chat.postMessage" in message
    assert "auth.test x1" in message and "users.info x1" in message
    with pytest.raises(AssertionError, match="no calls at all"):
        FakeSlack().wait_for("auth.test", timeout=0.01)


def test_all_text_collects_nested_strings(fake: FakeSlack, client: WebClient) -> None:
    hostile = "<!channel> *bold* <https://evil.example|click>"
    client.chat_postMessage(channel="C1", text="plain", blocks=[section(hostile)])
    client.views_open(trigger_id=fake.issue_trigger_id(), view=modal([section("in a modal")]))
    text = fake.all_text()
    assert hostile in text.splitlines()
    assert "in a modal" in text.splitlines()
    assert "plain" in text.splitlines()


def test_reset_clears_calls_and_queued_answers(fake: FakeSlack, client: WebClient) -> None:
    client.auth_test()
    fake.fail("auth.test", "account_inactive")
    fake.reset()
    assert fake.calls() == []
    assert fake.all_text() == ""
    assert client.auth_test()["ok"] is True


# ------------------------------------------------------------------------------ per-test answers
def test_queued_answers_are_consumed_in_order_then_defaults(fake: FakeSlack, client: WebClient) -> None:
    fake.answer("users.info", {"ok": True, "user": {"id": "U1", "tz": "Asia/Tokyo"}})
    fake.fail("users.info", "user_not_found", times=2)
    fake.answer("users.info", {"ok": True, "user": {"id": "U1", "tz": "UTC"}})
    assert client.users_info(user="U1")["user"]["tz"] == "Asia/Tokyo"
    for _ in range(2):
        assert api_error(lambda: client.users_info(user="U1")).response["error"] == "user_not_found"
    assert client.users_info(user="U1")["user"]["tz"] == "UTC"
    assert client.users_info(user="U1")["user"]["tz"] == "America/New_York"  # default again
    assert [c.status for c in fake.calls("users.info", include_rejected=True)] == [200] * 5
    assert [c.response["ok"] for c in fake.calls("users.info", include_rejected=True)] == [
        True,
        False,
        False,
        True,
        True,
    ]
    assert len(fake.calls("users.info")) == 3 and len(fake.rejected("users.info")) == 2


def test_queues_are_per_method_and_times_none_is_forever(fake: FakeSlack, client: WebClient) -> None:
    fake.fail("chat.postMessage", "channel_not_found", times=None)
    assert client.auth_test()["ok"] is True
    for _ in range(3):
        err = api_error(lambda: client.chat_postMessage(channel="C1", text="x"))
        assert err.response["error"] == "channel_not_found"
    with pytest.raises(ValueError):
        fake.fail("auth.test", "x", times=0)


def test_answer_can_set_status_and_headers(fake: FakeSlack, client: WebClient) -> None:
    fake.answer("auth.test", {"ok": True, "custom": 1}, headers={"X-Slack-Req-Id": "abc"})
    response = client.auth_test()
    assert response.data == {"ok": True, "custom": 1}
    assert response.headers["X-Slack-Req-Id"] == "abc"


def test_rate_limited_call_is_retried_by_a_client_with_the_handler(
    fake: FakeSlack, monkeypatch: pytest.MonkeyPatch
) -> None:
    sleeps: list[float] = []
    # The handler sleeps Retry-After + random(); record it instead of waiting.
    monkeypatch.setattr(builtin_handlers, "time", SimpleNamespace(sleep=sleeps.append))
    retrying = WebClient(
        token=TOKEN, base_url=fake.url, retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=1)]
    )
    fake.rate_limit("chat.postMessage", retry_after=7)
    assert retrying.chat_postMessage(channel="C1", text="hi")["ok"] is True
    assert len(sleeps) == 1 and 7 <= sleeps[0] < 8
    assert [c.status for c in fake.calls("chat.postMessage", include_rejected=True)] == [429, 200]


def test_rate_limited_call_fails_for_a_client_without_the_handler(fake: FakeSlack, client: WebClient) -> None:
    fake.rate_limit("chat.postMessage", retry_after=0)
    err = api_error(lambda: client.chat_postMessage(channel="C1", text="hi"))
    assert err.response.status_code == 429
    assert err.response.headers["Retry-After"] == "0"
    assert err.response["error"] == "ratelimited"
    with pytest.raises(ValueError):
        fake.rate_limit("chat.postMessage", retry_after=-1)


def test_server_error(fake: FakeSlack, client: WebClient) -> None:
    fake.server_error("users.info", status=503)
    err = api_error(lambda: client.users_info(user="U1"))
    assert err.response.status_code == 503
    assert client.users_info(user="U1")["ok"] is True


def test_delay_slows_the_answer_and_the_call_is_visible_while_pending(
    fake: FakeSlack, client: WebClient
) -> None:
    fake.delay("auth.test", 0.3, times=1)
    results: list[float] = []

    def call() -> None:
        started = time.monotonic()
        client.auth_test()
        results.append(time.monotonic() - started)

    worker = threading.Thread(target=call)
    worker.start()
    (pending,) = fake.wait_for("auth.test", timeout=2, include_rejected=True)
    assert pending.status is None  # recorded on arrival, not answered yet
    assert fake.calls("auth.test") == [] and fake.rejected() == []  # neither accepted nor refused yet
    worker.join(timeout=5)
    assert results and results[0] >= 0.3
    assert pending.status == 200
    started = time.monotonic()
    client.auth_test()
    assert time.monotonic() - started < 0.3  # times=1: the next call is fast


def test_stop_does_not_wait_for_a_delayed_answer(client: WebClient, fake: FakeSlack) -> None:
    fake.delay("auth.test", 30)
    worker = threading.Thread(target=lambda: client.auth_test(), daemon=True)
    worker.start()
    fake.wait_for("auth.test", include_rejected=True)
    started = time.monotonic()
    fake.stop()
    worker.join(timeout=5)
    assert time.monotonic() - started < 3


# ------------------------------------------------------------------------------ default answers
def test_default_answers_look_like_slack(fake: FakeSlack, client: WebClient) -> None:
    first = client.chat_postMessage(channel="C1", text="a")
    fake.add_users("U55", "U77")
    second = client.chat_postMessage(channel="U55", text="b")
    assert float(first["ts"]) >= 1_700_000_000
    assert float(second["ts"]) > float(first["ts"])
    assert first["message"]["text"] == "a" and first["message"]["ts"] == first["ts"]
    assert second["channel"] == "DU55"
    assert client.chat_update(channel="C1", ts=first["ts"], text="edited")["ts"] == first["ts"]
    assert client.chat_postEphemeral(channel="C1", user="U1", text="psst")["message_ts"]
    assert client.chat_delete(channel="C1", ts=first["ts"])["ok"] is True
    assert client.conversations_open(users="U77")["channel"]["id"] == "DU77"
    assert client.conversations_join(channel="C9")["channel"]["id"] == "C9"
    info = client.conversations_info(channel="C9")["channel"]
    assert info["id"] == "C9" and info["is_member"] is True and info["name"]
    assert client.team_info()["team"]["id"] == "T0001"


def test_users_info_defaults_and_set_user(fake: FakeSlack, client: WebClient) -> None:
    user = client.users_info(user="U1")["user"]
    assert user["id"] == "U1" and user["team_id"] == "T0001"
    assert user["tz"] == "America/New_York" and user["tz_offset"] in (-18000, -14400)
    assert {"name", "real_name", "tz_label"} <= user.keys()
    assert user["is_bot"] is False and user["deleted"] is False

    fake.set_user("U2", tz="Europe/Paris", real_name="Camille", deleted=True)
    changed = client.users_info(user="U2")["user"]
    assert changed["tz"] == "Europe/Paris" and changed["tz_offset"] in (3600, 7200)
    assert changed["real_name"] == "Camille" and changed["deleted"] is True
    assert api_error(lambda: client.users_info(user="U3")).response["error"] == "user_not_found"
    fake.add_users("U3", "U2")  # declaring again keeps what set_user said
    assert client.users_info(user="U3")["user"]["tz"] == "America/New_York"
    assert client.users_info(user="U2")["user"]["real_name"] == "Camille"
    assert client.users_info(user="UBOT")["user"]["is_bot"] is True  # the bot is always there


def test_views_get_unique_ids_and_update_keeps_the_id(fake: FakeSlack, client: WebClient) -> None:
    one = client.views_open(trigger_id=fake.issue_trigger_id(), view=modal())["view"]
    two = client.views_open(trigger_id=fake.issue_trigger_id(), view=modal())["view"]
    assert one["id"] != two["id"]
    updated = client.views_update(view_id=one["id"], hash=one["hash"], view=modal([section("Thanks")]))[
        "view"
    ]
    assert updated["id"] == one["id"] and updated["root_view_id"] == one["id"]
    assert updated["hash"] != one["hash"]
    stale = api_error(lambda: client.views_update(view_id=one["id"], hash=one["hash"], view=modal()))
    assert stale.response["error"] == "hash_conflict"
    pushed = client.views_push(trigger_id=fake.issue_trigger_id(view_id=one["id"]), view=modal())["view"]
    assert pushed["id"] not in (one["id"], two["id"])
    assert pushed["root_view_id"] == one["id"] and pushed["previous_view_id"] == one["id"]
    home = {"type": "home", "blocks": [section("Welcome")]}
    assert client.views_publish(user_id="U1", view=home)["view"]["type"] == "home"


@pytest.mark.filterwarnings("ignore:The top-level `text` argument is missing:UserWarning")
@pytest.mark.parametrize(
    ("call", "error"),
    [
        (lambda c: c.chat_postMessage(channel="", text="hi"), "channel_not_found"),
        (lambda c: c.chat_postMessage(channel="C1"), "no_text"),
        (lambda c: c.chat_postMessage(channel="C1", text="", blocks=[]), "no_text"),
        (lambda c: c.chat_update(channel="C1", ts="", text="x"), "message_not_found"),
        (lambda c: c.chat_postEphemeral(channel="C1", user="", text="x"), "user_not_in_channel"),
        (lambda c: c.views_open(trigger_id="", view=modal()), "invalid_arguments"),
        (lambda c: c.views_publish(user_id="", view={"type": "home", "blocks": []}), "invalid_arguments"),
        (lambda c: c.users_info(user=""), "user_not_found"),
        (lambda c: c.conversations_open(users=""), "users_list_not_supplied"),
    ],
)
def test_missing_required_arguments(client: WebClient, call: Any, error: str) -> None:
    assert api_error(lambda: call(client)).response["error"] == error


# ------------------------------------------------------------------------------ validation
def test_valid_rich_message_is_accepted(fake: FakeSlack, client: WebClient) -> None:
    options = [option(f"Option {i}", str(i)) for i in range(LIMITS["select_options"])]
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": plain("h" * LIMITS["header_text"])},
        section("s" * LIMITS["section_text"], block_id="b" * LIMITS["block_id"], accessory=button(value="v")),
        {
            "type": "section",
            "fields": [mrkdwn("f" * LIMITS["section_field_text"])] * LIMITS["section_fields"],
        },
        {"type": "divider"},
        {
            "type": "context",
            "elements": [mrkdwn("c")] * 9
            + [{"type": "image", "image_url": "https://x/y.png", "alt_text": "y"}],
        },
        {
            "type": "actions",
            "elements": [
                {
                    "type": "static_select",
                    "action_id": "pick",
                    "placeholder": plain("p" * LIMITS["placeholder"]),
                    "options": options,
                    "initial_option": option("Option 3", "3"),
                },
                {"type": "datepicker", "action_id": "day", "initial_date": "2024-02-29"},
                button(
                    "t" * LIMITS["button_text"],
                    "a" * LIMITS["action_id"],
                    url="https://example.com",
                    style="primary",
                ),
            ],
        },
    ]
    blocks += [{"type": "divider"} for _ in range(LIMITS["message_blocks"] - len(blocks))]
    response = client.chat_postMessage(channel="C1", text="x" * LIMITS["message_text"], blocks=blocks)
    assert response["ok"] is True
    assert response["message"]["blocks"] == blocks


def test_valid_modal_is_accepted(fake: FakeSlack, client: WebClient) -> None:
    view = modal(
        [
            input_block(
                text_input(
                    max_length=3000, min_length=10, initial_value="i" * 3000, placeholder=plain("Type")
                ),
                hint=plain("h" * LIMITS["input_hint"]),
                label=plain("l" * LIMITS["input_label"]),
            ),
            input_block(
                {
                    "type": "static_select",
                    "action_id": "rating",
                    "option_groups": [{"label": plain("Good"), "options": [option("Great", "5")]}],
                    "initial_option": option("Great", "5"),
                },
                block_id="rating_block",
            ),
            input_block({"type": "datepicker", "action_id": "when"}, block_id="date_block", optional=True),
            {
                "type": "actions",
                "elements": [button(action_id=f"b{i}") for i in range(LIMITS["actions_elements"])],
            },
        ],
        title=plain("t" * LIMITS["view_title"]),
        submit=plain("s" * LIMITS["view_submit"]),
        close=plain("c" * LIMITS["view_close"]),
        callback_id="c" * LIMITS["callback_id"],
        private_metadata="m" * LIMITS["private_metadata"],
        external_id="e" * LIMITS["external_id"],
    )
    assert client.views_open(trigger_id=fake.issue_trigger_id(), view=view)["ok"] is True
    many = modal([section(f"{i}") for i in range(LIMITS["view_blocks"])], submit=None)
    assert client.views_open(trigger_id=fake.issue_trigger_id(), view=many)["ok"] is True


def blocks_with(*blocks: dict[str, Any]) -> dict[str, Any]:
    return {"channel": "C1", "text": "fallback", "blocks": list(blocks)}


def actions(*elements: dict[str, Any]) -> dict[str, Any]:
    return {"type": "actions", "elements": list(elements)}


def select(**extra: Any) -> dict[str, Any]:
    return {"type": "static_select", "action_id": "pick", "options": [option()], **extra}


MESSAGE_CASES: list[tuple[str, dict[str, Any], str]] = [
    ("too many blocks", blocks_with(*[{"type": "divider"}] * 51), "/blocks"),
    ("input block in a message", blocks_with(input_block()), "/blocks/0/type"),
    ("unknown block type", blocks_with({"type": "carousel"}), "/blocks/0/type"),
    ("block_id too long", blocks_with(section(block_id="b" * 256)), "/blocks/0/block_id"),
    ("duplicate block_id", blocks_with(section(block_id="x"), section(block_id="x")), "/blocks/1/block_id"),
    (
        "action_id too long",
        blocks_with(actions(button(action_id="a" * 256))),
        "/blocks/0/elements/0/action_id",
    ),
    ("duplicate action_id", blocks_with(actions(button(), button())), "/blocks/0/elements/1/action_id"),
    ("section text too long", blocks_with(section("s" * 3001)), "/blocks/0/text/text"),
    ("section text empty", blocks_with(section("")), "/blocks/0/text/text"),
    ("section without text", blocks_with({"type": "section"}), "/blocks/0"),
    ("too many fields", blocks_with({"type": "section", "fields": [mrkdwn("f")] * 11}), "/blocks/0/fields"),
    (
        "field too long",
        blocks_with({"type": "section", "fields": [mrkdwn("f" * 2001)]}),
        "/blocks/0/fields/0/text",
    ),
    ("header too long", blocks_with({"type": "header", "text": plain("h" * 151)}), "/blocks/0/text/text"),
    ("header mrkdwn", blocks_with({"type": "header", "text": mrkdwn("h")}), "/blocks/0/text/type"),
    (
        "bad text object type",
        blocks_with({"type": "section", "text": {"type": "md", "text": "x"}}),
        "/blocks/0/text/type",
    ),
    ("text object not a dict", blocks_with({"type": "section", "text": "plain string"}), "/blocks/0/text"),
    (
        "too many context elements",
        blocks_with({"type": "context", "elements": [mrkdwn("c")] * 11}),
        "/blocks/0/elements",
    ),
    (
        "too many actions",
        blocks_with(actions(*[button(action_id=f"a{i}") for i in range(26)])),
        "/blocks/0/elements",
    ),
    (
        "too many options",
        blocks_with(actions(select(options=[option(value=str(i)) for i in range(101)]))),
        "/options",
    ),
    (
        "too many option groups",
        blocks_with(
            actions(select(options=None, option_groups=[{"label": plain("g"), "options": [option()]}] * 101))
        ),
        "/option_groups",
    ),
    (
        "option text too long",
        blocks_with(actions(select(options=[option("o" * 76)]))),
        "/options/0/text/text",
    ),
    (
        "option value too long",
        blocks_with(actions(select(options=[option(value="v" * 151)]))),
        "/options/0/value",
    ),
    (
        "option description too long",
        blocks_with(actions(select(options=[option(description=plain("d" * 76))]))),
        "/options/0/description/text",
    ),
    (
        "initial option not an option",
        blocks_with(actions(select(initial_option=option("Two", "2")))),
        "/initial_option",
    ),
    ("placeholder too long", blocks_with(actions(select(placeholder=plain("p" * 151)))), "/placeholder/text"),
    ("button text too long", blocks_with(actions(button("b" * 76))), "/blocks/0/elements/0/text/text"),
    ("button text empty", blocks_with(actions(button(""))), "/blocks/0/elements/0/text/text"),
    ("button value too long", blocks_with(actions(button(value="v" * 2001))), "/blocks/0/elements/0/value"),
    (
        "button url too long",
        blocks_with(actions(button(url="https://x/" + "u" * 2991))),
        "/blocks/0/elements/0/url",
    ),
    (
        "datepicker bad format",
        blocks_with(actions({"type": "datepicker", "action_id": "d", "initial_date": "03/15/2024"})),
        "/initial_date",
    ),
    (
        "datepicker impossible date",
        blocks_with(actions({"type": "datepicker", "action_id": "d", "initial_date": "2023-02-29"})),
        "/initial_date",
    ),
    (
        "unknown element type",
        blocks_with(actions({"type": "slider", "action_id": "s"})),
        "/blocks/0/elements/0/type",
    ),
]


@pytest.mark.parametrize(("case", "args", "pointer"), MESSAGE_CASES, ids=[c[0] for c in MESSAGE_CASES])
def test_message_validation_rejects(client: WebClient, case: str, args: dict[str, Any], pointer: str) -> None:
    err = api_error(lambda: client.chat_postMessage(**args))
    assert err.response["error"] == "invalid_blocks"
    messages = err.response["response_metadata"]["messages"]
    assert any(m.startswith("[ERROR] ") and pointer in m for m in messages), messages


@pytest.mark.parametrize("method", ["chat_update", "chat_postEphemeral"])
def test_other_message_methods_validate_too(client: WebClient, method: str) -> None:
    extra = {"ts": "1700000000.000100"} if method == "chat_update" else {"user": "U1"}
    err = api_error(lambda: getattr(client, method)(**blocks_with(section("s" * 3001)), **extra))
    assert err.response["error"] == "invalid_blocks"


def test_message_text_too_long_and_bad_blocks_format(client: WebClient) -> None:
    err = api_error(lambda: client.chat_postMessage(channel="C1", text="x" * 40_001))
    assert err.response["error"] == "msg_too_long"
    err = api_error(lambda: client.chat_postMessage(channel="C1", text="x", blocks="not a list"))
    assert err.response["error"] == "invalid_blocks_format"


VIEW_CASES: list[tuple[str, dict[str, Any], str]] = [
    ("not a modal", modal(type="dialog"), "/view/type"),
    ("home via views.open", {"type": "home", "blocks": []}, "/view/type"),
    ("title missing", modal(title=None), "/view/title"),
    ("title too long", modal(title=plain("t" * 25)), "/view/title/text"),
    ("title mrkdwn", modal(title=mrkdwn("t")), "/view/title/type"),
    ("submit too long", modal(submit=plain("s" * 25)), "/view/submit/text"),
    ("close too long", modal(close=plain("c" * 25)), "/view/close/text"),
    ("inputs without submit", modal(submit=None), "/view/submit"),
    ("callback_id too long", modal(callback_id="c" * 256), "/view/callback_id"),
    ("private_metadata too long", modal(private_metadata="m" * 3001), "/view/private_metadata"),
    ("external_id too long", modal(external_id="e" * 256), "/view/external_id"),
    ("too many blocks", modal([{"type": "divider"}] * 101), "/view/blocks"),
    ("blocks missing", modal(blocks=None) | {"blocks": None}, "/view/blocks"),
    ("duplicate block_id", modal([input_block(), input_block()]), "/view/blocks/1/block_id"),
    ("label too long", modal([input_block(label=plain("l" * 2001))]), "/view/blocks/0/label/text"),
    ("label missing", modal([input_block(label=None)]), "/view/blocks/0/label"),
    ("hint too long", modal([input_block(hint=plain("h" * 2001))]), "/view/blocks/0/hint/text"),
    (
        "input without element",
        modal([input_block(element=None) | {"element": None}]),
        "/view/blocks/0/element",
    ),
    (
        "input with several elements",
        modal([{"type": "input", "label": plain("x"), "elements": [text_input(), text_input()]}]),
        "/view/blocks/0/element",
    ),
    (
        "max_length too big",
        modal([input_block(text_input(max_length=3001))]),
        "/view/blocks/0/element/max_length",
    ),
    (
        "min_length too big",
        modal([input_block(text_input(min_length=3001))]),
        "/view/blocks/0/element/min_length",
    ),
    (
        "initial_value longer than max_length",
        modal([input_block(text_input(max_length=5, initial_value="123456"))]),
        "/view/blocks/0/element/initial_value",
    ),
    (
        "file block in a modal",
        modal([{"type": "file", "external_id": "f", "source": "remote"}]),
        "/view/blocks/0/type",
    ),
]


@pytest.mark.parametrize(("case", "view", "pointer"), VIEW_CASES, ids=[c[0] for c in VIEW_CASES])
def test_view_validation_rejects(client: WebClient, case: str, view: dict[str, Any], pointer: str) -> None:
    err = api_error(lambda: client.views_open(trigger_id="t", view=view))
    assert err.response["error"] == "invalid_arguments"
    messages = err.response["response_metadata"]["messages"]
    assert any(m.startswith("[ERROR] ") and pointer in m for m in messages), messages


def test_documented_optional_fields_are_accepted(fake: FakeSlack, client: WebClient) -> None:
    confirm = {
        "title": plain("Sure?"),
        "text": mrkdwn("*Really*"),
        "confirm": plain("Yes"),
        "deny": plain("No"),
        "style": "danger",
    }
    blocks: list[dict[str, Any]] = [
        {"type": "header", "block_id": "h", "text": {**plain("Title"), "emoji": True}},
        {
            "type": "section",
            "text": {**mrkdwn("*Hi*"), "verbatim": False},
            "expand": True,
            "accessory": {
                "type": "overflow",
                "action_id": "more",
                "options": [option(url="https://example.com/a"), option("Two", "2")],
                "confirm": confirm,
            },
        },
        actions(
            button(confirm=confirm, accessibility_label="Go now"),
            {
                "type": "conversations_select",
                "action_id": "where",
                "filter": {"include": ["public"], "exclude_bot_users": True},
                "default_to_current_conversation": True,
                "focus_on_load": False,
            },
            {"type": "timepicker", "action_id": "at", "initial_time": "09:30", "timezone": "Europe/Paris"},
            {
                "type": "multi_users_select",
                "action_id": "who",
                "initial_users": ["U1"],
                "max_selected_items": 3,
            },
        ),
    ]
    assert client.chat_postMessage(**blocks_with(*blocks))["ok"] is True
    view = modal(
        [
            input_block(
                text_input(
                    multiline=True, dispatch_action_config={"trigger_actions_on": ["on_enter_pressed"]}
                ),
                optional=True,
                dispatch_action=False,
            ),
            input_block(
                {
                    "type": "radio_buttons",
                    "action_id": "pick",
                    "options": [option(description=plain("the first"))],
                    "initial_option": option(description=plain("the first")),
                },
                block_id="radio",
            ),
        ],
        clear_on_close=True,
        notify_on_close=False,
    )
    assert client.views_open(trigger_id=fake.issue_trigger_id(), view=view)["ok"] is True


UNKNOWN_FIELD_CASES: list[tuple[str, dict[str, Any], str, str]] = [
    ("misspelt section field", blocks_with(section() | {"txt": mrkdwn("x")}), "txt", "/blocks/0"),
    (
        "block field of another block",
        blocks_with({"type": "divider", "text": plain("x")}),
        "text",
        "/blocks/0",
    ),
    ("misspelt button field", blocks_with(actions(button(acton_id="x"))), "acton_id", "/blocks/0/elements/0"),
    (
        "verbatim on plain_text",
        blocks_with({"type": "header", "text": plain("h") | {"verbatim": True}}),
        "verbatim",
        "/blocks/0/text",
    ),
    (
        "emoji on mrkdwn",
        blocks_with(section() | {"text": mrkdwn("x") | {"emoji": True}}),
        "emoji",
        "/blocks/0/text",
    ),
    (
        "url on a select option",
        blocks_with(actions(select(options=[option(url="https://x")]))),
        "url",
        "/blocks/0/elements/0/options/0",
    ),
    (
        "unknown option field",
        blocks_with(actions(select(options=[option(label="x")]))),
        "label",
        "/blocks/0/elements/0/options/0",
    ),
    (
        "unknown option group field",
        blocks_with(
            actions(
                select(
                    options=None, option_groups=[{"label": plain("g"), "options": [option()], "title": "g"}]
                )
            )
        ),
        "title",
        "/blocks/0/elements/0/option_groups/0",
    ),
    (
        "unknown confirm field",
        blocks_with(
            actions(
                button(
                    confirm={
                        "title": plain("t"),
                        "text": plain("x"),
                        "confirm": plain("y"),
                        "deny": plain("n"),
                        "ok": plain("k"),
                    }
                )
            )
        ),
        "ok",
        "/blocks/0/elements/0/confirm",
    ),
    (
        "datepicker with a text input's field",
        blocks_with(actions({"type": "datepicker", "action_id": "d", "initial_value": "2024-01-01"})),
        "initial_value",
        "/blocks/0/elements/0",
    ),
    (
        "unknown filter field",
        blocks_with(actions({"type": "conversations_select", "action_id": "c", "filter": {"only": ["im"]}})),
        "only",
        "/blocks/0/elements/0/filter",
    ),
    (
        "unknown context image field",
        blocks_with(
            {
                "type": "context",
                "elements": [
                    {"type": "image", "image_url": "https://x/y.png", "alt_text": "y", "title": plain("t")}
                ],
            }
        ),
        "title",
        "/blocks/0/elements/0",
    ),
]


@pytest.mark.parametrize(
    ("case", "args", "key", "pointer"), UNKNOWN_FIELD_CASES, ids=[c[0] for c in UNKNOWN_FIELD_CASES]
)
def test_unknown_fields_are_refused_naming_where(
    client: WebClient, case: str, args: dict[str, Any], key: str, pointer: str
) -> None:
    err = api_error(lambda: client.chat_postMessage(**args))
    assert err.response["error"] == "invalid_blocks"
    expected = f"[ERROR] invalid additional property: {key} [json-pointer:{pointer}]"
    assert expected in err.response["response_metadata"]["messages"]


@pytest.mark.parametrize(
    ("view", "key", "pointer"),
    [
        (modal(submit_disabled=True), "submit_disabled", "/view"),
        ({"type": "home", "blocks": [], "title": plain("Home")}, "title", "/view"),
        (modal([input_block(optinal=True)]), "optinal", "/view/blocks/0"),
        (modal([input_block(text_input(max_lenght=10))]), "max_lenght", "/view/blocks/0/element"),
        (modal([input_block(hint=plain("h") | {"verbatim": True})]), "verbatim", "/view/blocks/0/hint"),
    ],
)
def test_unknown_view_fields_are_refused_naming_where(
    client: WebClient, view: dict[str, Any], key: str, pointer: str
) -> None:
    call = client.views_publish if view["type"] == "home" else client.views_open
    kwargs = {"user_id": "U1"} if view["type"] == "home" else {"trigger_id": "t"}
    err = api_error(lambda: call(view=view, **kwargs))
    assert err.response["error"] == "invalid_arguments"
    expected = f"[ERROR] invalid additional property: {key} [json-pointer:{pointer}]"
    assert expected in err.response["response_metadata"]["messages"]


def test_flags_must_be_booleans(client: WebClient) -> None:
    err = api_error(
        lambda: client.chat_postMessage(
            **blocks_with({"type": "header", "text": plain("h") | {"emoji": "yes"}})
        )
    )
    assert (
        "[ERROR] must be a boolean [json-pointer:/blocks/0/text/emoji]"
        in err.response["response_metadata"]["messages"]
    )


def test_views_update_push_and_publish_validate_too(client: WebClient) -> None:
    bad = modal(title=plain("t" * 25))
    assert (
        api_error(lambda: client.views_update(view_id="V1", view=bad)).response["error"]
        == "invalid_arguments"
    )
    assert (
        api_error(lambda: client.views_push(trigger_id="t", view=bad)).response["error"]
        == "invalid_arguments"
    )
    home = {"type": "home", "blocks": [section(f"{i}") for i in range(101)]}
    err = api_error(lambda: client.views_publish(user_id="U1", view=home))
    assert err.response["error"] == "invalid_arguments"
    assert client.views_publish(user_id="U1", view=home | {"blocks": home["blocks"][:100]})["ok"] is True


# ------------------------------------------------------------------------------ what Slack checks against
def test_a_trigger_id_is_exchanged_once_within_three_seconds() -> None:
    clock = FakeClock()
    with FakeSlack(clock=clock) as fake:
        client = WebClient(token=TOKEN, base_url=fake.url)
        fresh = fake.issue_trigger_id()
        assert client.views_open(trigger_id=fresh, view=modal())["ok"] is True
        again = api_error(lambda: client.views_open(trigger_id=fresh, view=modal()))
        assert again.response["error"] == "exchanged_trigger_id"
        made_up = api_error(lambda: client.views_open(trigger_id="12345.98765.abcd2358fdea", view=modal()))
        assert made_up.response["error"] == "invalid_trigger_id"

        late = fake.issue_trigger_id()
        clock.advance(3.01)
        assert api_error(lambda: client.views_open(trigger_id=late, view=modal())).response["error"] == (
            "expired_trigger_id"
        )
        in_time = fake.issue_trigger_id()
        clock.advance(2.9)
        assert client.views_open(trigger_id=in_time, view=modal())["ok"] is True
        slow = fake.issue_trigger_id()
        fake.advance(3.5)  # a handler's 3.5 s of work, without waiting for it
        assert api_error(lambda: client.views_push(trigger_id=slow, view=modal())).response["error"] == (
            "expired_trigger_id"
        )


def test_a_refused_or_faulted_call_does_not_use_up_the_trigger_id(fake: FakeSlack, client: WebClient) -> None:
    trigger_id = fake.issue_trigger_id()
    bad = modal(title=plain("t" * 25))
    assert api_error(lambda: client.views_open(trigger_id=trigger_id, view=bad)).response["error"] == (
        "invalid_arguments"
    )
    fake.rate_limit("views.open", retry_after=0)
    assert (
        api_error(lambda: client.views_open(trigger_id=trigger_id, view=modal())).response.status_code == 429
    )
    assert client.views_open(trigger_id=trigger_id, view=modal())["ok"] is True


def test_trigger_ids_age_on_a_clock_time_machine_leaves_alone(fake: FakeSlack, client: WebClient) -> None:
    # Tests move the wall clock by hours; a trigger_id issued meanwhile must not look expired.
    before = (time.monotonic(), time.perf_counter())
    with time_machine.travel(dt.datetime(2030, 1, 1, tzinfo=dt.UTC), tick=False) as traveller:
        trigger_id = fake.issue_trigger_id()
        traveller.shift(dt.timedelta(hours=5))
        assert time.monotonic() - before[0] < 60 and time.perf_counter() - before[1] < 60
        assert client.views_open(trigger_id=trigger_id, view=modal())["ok"] is True


def test_trigger_ids_issued_elsewhere_are_exchanged_once_and_never_expire() -> None:
    clock = FakeClock()
    with FakeSlack(clock=clock) as fake:
        client = WebClient(token=TOKEN, base_url=fake.url)
        fake.accept_trigger_ids(["bench-1"])
        clock.advance(600)
        assert client.views_open(trigger_id="bench-1", view=modal())["ok"] is True
        assert api_error(lambda: client.views_open(trigger_id="bench-1", view=modal())).response["error"] == (
            "exchanged_trigger_id"
        )


def test_views_update_of_a_view_that_is_not_open_is_not_found(fake: FakeSlack, client: WebClient) -> None:
    never = api_error(lambda: client.views_update(view_id="V404", view=modal()))
    assert never.response["error"] == "not_found"
    assert api_error(lambda: client.views_update(external_id="nope", view=modal())).response["error"] == (
        "not_found"
    )
    opened = client.views_open(trigger_id=fake.issue_trigger_id(), view=modal(external_id="mine"))["view"]
    by_external = client.views_update(
        external_id="mine", view=modal([section("Updated")], external_id="mine")
    )["view"]
    assert by_external["id"] == opened["id"]
    taken = api_error(
        lambda: client.views_open(trigger_id=fake.issue_trigger_id(), view=modal(external_id="mine"))
    )
    assert taken.response["error"] == "duplicate_external_id"
    fake.view_closed(opened["id"])  # the user submitted it (a bare ack) or cancelled it
    gone = api_error(lambda: client.views_update(view_id=opened["id"], view=modal()))
    assert gone.response["error"] == "not_found"
    assert api_error(lambda: client.views_update(external_id="mine", view=modal())).response["error"] == (
        "not_found"
    )
    assert [c.response["error"] for c in fake.rejected("views.update")] == ["not_found"] * 4


def test_a_stack_holds_three_views_at_most(fake: FakeSlack, client: WebClient) -> None:
    root = client.views_open(trigger_id=fake.issue_trigger_id(), view=modal())["view"]
    second = client.views_push(trigger_id=fake.issue_trigger_id(view_id=root["id"]), view=modal())["view"]
    third = client.views_push(trigger_id=fake.issue_trigger_id(view_id=second["id"]), view=modal())["view"]
    assert third["root_view_id"] == root["id"] and third["previous_view_id"] == second["id"]
    full = api_error(
        lambda: client.views_push(trigger_id=fake.issue_trigger_id(view_id=third["id"]), view=modal())
    )
    assert full.response["error"] == "push_limit_reached"
    fake.view_closed(third["id"])
    again = client.views_push(trigger_id=fake.issue_trigger_id(view_id=second["id"]), view=modal())["view"]
    assert again["previous_view_id"] == second["id"]
    fake.view_closed(again["id"], all_views=True)  # response_action: clear
    for view in (root, second):
        assert (
            api_error(lambda v=view: client.views_update(view_id=v["id"], view=modal())).response["error"]
            == "not_found"
        )


def test_conversations_history_wants_a_channel_slack_gave_out(fake: FakeSlack, client: WebClient) -> None:
    posted = client.chat_postMessage(
        channel="U1", text="hello", metadata={"event_type": "x", "event_payload": {}}
    )
    assert posted["channel"] == "DU1"
    as_user = api_error(lambda: client.conversations_history(channel="U1"))
    assert as_user.response["error"] == "channel_not_found"
    unknown_dm = api_error(lambda: client.conversations_history(channel="DU404"))
    assert unknown_dm.response["error"] == "channel_not_found"
    (message,) = client.conversations_history(channel="DU1", include_all_metadata=True)["messages"]
    assert message["text"] == "hello" and message["metadata"]["event_type"] == "x"
    fake.add_users("U2")
    opened = client.conversations_open(users="U2")["channel"]["id"]
    assert client.conversations_history(channel=opened)["messages"] == []
    assert client.conversations_history(channel="C1")["ok"] is True


def test_only_messages_the_bot_posted_can_be_updated_or_deleted(fake: FakeSlack, client: WebClient) -> None:
    posted = client.chat_postMessage(channel="U1", text="first")
    for call in (client.chat_update, client.chat_delete):
        wrong_ts = api_error(lambda c=call: c(channel=posted["channel"], ts="1700000000.999999", text="x"))
        assert wrong_ts.response["error"] == "message_not_found"
        wrong_channel = api_error(lambda c=call: c(channel="C1", ts=posted["ts"], text="x"))
        assert wrong_channel.response["error"] == "message_not_found"
        as_user = api_error(lambda c=call: c(channel="U1", ts=posted["ts"], text="x"))
        assert as_user.response["error"] == "channel_not_found"
    client.chat_update(channel=posted["channel"], ts=posted["ts"], text="edited")
    (shown,) = client.conversations_history(channel=posted["channel"])["messages"]
    assert shown["text"] == "edited" and shown["ts"] == posted["ts"]
    client.chat_delete(channel=posted["channel"], ts=posted["ts"])
    gone = api_error(lambda: client.chat_update(channel=posted["channel"], ts=posted["ts"], text="x"))
    assert gone.response["error"] == "message_not_found"
    assert client.conversations_history(channel=posted["channel"])["messages"] == []


def test_users_the_workspace_does_not_have(fake: FakeSlack, client: WebClient) -> None:
    assert api_error(lambda: client.users_info(user="U404")).response["error"] == "user_not_found"
    assert api_error(lambda: client.chat_postMessage(channel="U404", text="hi")).response["error"] == (
        "channel_not_found"
    )
    assert api_error(lambda: client.conversations_open(users="U1,U404")).response["error"] == "user_not_found"


def test_a_queued_fault_never_hides_a_call_slack_would_refuse(fake: FakeSlack, client: WebClient) -> None:
    fake.fail("chat.postMessage", "channel_not_found")
    bad = api_error(lambda: client.chat_postMessage(**blocks_with(section("s" * 3001))))
    assert bad.response["error"] == "invalid_blocks"
    # The fault is still there, for the next call Slack would have taken.
    assert api_error(lambda: client.chat_postMessage(channel="C1", text="x")).response["error"] == (
        "channel_not_found"
    )
    assert client.chat_postMessage(channel="C1", text="x")["ok"] is True


def test_every_rate_limit_fault_is_http_429_with_retry_after(fake: FakeSlack, client: WebClient) -> None:
    fake.fail("users.info", "ratelimited")
    err = api_error(lambda: client.users_info(user="U1"))
    assert err.response.status_code == 429 and err.response.headers["Retry-After"] == "1"
    assert err.response["error"] == "ratelimited"
    with pytest.raises(ValueError, match="rate_limit"):
        fake.answer("users.info", {"ok": False, "error": "ratelimited"})
    with pytest.raises(ValueError, match="rate_limit"):
        fake.answer("users.info", {"ok": False, "error": "ratelimited"}, status=429)


# ------------------------------------------------------------------------------ enforced rate limits
def test_post_message_is_limited_per_channel() -> None:
    clock = FakeClock()
    with FakeSlack(enforce_rate_limits=True, clock=clock) as fake:
        client = WebClient(token=TOKEN, base_url=fake.url)
        for i in range(3):  # a short burst is allowed
            client.chat_postMessage(channel="C1", text=f"burst {i}")
        err = api_error(lambda: client.chat_postMessage(channel="C1", text="one too many"))
        assert err.response.status_code == 429
        assert err.response.headers["Retry-After"] == "1"
        assert err.response["error"] == "ratelimited"
        assert client.chat_postMessage(channel="C2", text="other channel")["ok"] is True
        clock.advance(1.0)
        assert client.chat_postMessage(channel="C1", text="after a second")["ok"] is True
        assert (
            api_error(lambda: client.chat_postMessage(channel="C1", text="again")).response.status_code == 429
        )


def test_tiered_methods_are_limited_per_minute_with_a_correct_retry_after() -> None:
    clock = FakeClock()
    with FakeSlack(enforce_rate_limits=True, clock=clock) as fake:
        fake.add_users("U1")
        client = WebClient(token=TOKEN, base_url=fake.url)
        for _ in range(50):  # conversations.open is tier 3: 50 per minute
            client.conversations_open(users="U1")
            clock.advance(0.1)
        err = api_error(lambda: client.conversations_open(users="U1"))
        assert err.response.status_code == 429
        assert err.response.headers["Retry-After"] == "55"  # first call was 5 s ago
        assert client.users_info(user="U1")["ok"] is True  # other methods have their own budget
        clock.advance(55.0)
        assert client.conversations_open(users="U1")["ok"] is True


def test_rate_limits_are_off_by_default(fake: FakeSlack, client: WebClient) -> None:
    for i in range(10):
        client.chat_postMessage(channel="C1", text=str(i))
    assert all(c.status == 200 for c in fake.calls("chat.postMessage"))


# ---------------------------------------------------------------------------------------------- users.list
def list_all(client: WebClient, limit: int) -> tuple[list[dict[str, Any]], int]:
    """Every member, following next_cursor as Slack's docs say; and how many pages that took."""
    members: list[dict[str, Any]] = []
    cursor, pages = "", 0
    while pages < 100:  # a fake that never ends the list fails here, rather than hanging
        page = client.users_list(limit=limit, **({"cursor": cursor} if cursor else {}))
        members += page["members"]
        pages += 1
        cursor = page["response_metadata"]["next_cursor"]
        if not cursor:
            return members, pages
    raise AssertionError("users.list never gave an empty next_cursor")


def test_users_list_pages_through_everyone_with_next_cursor(fake: FakeSlack, client: WebClient) -> None:
    fake.add_users(*(f"U{n:03d}" for n in range(7)))
    fake.set_user("U004", tz="Asia/Tokyo")
    fake.set_user("U005", deleted=True)
    fake.set_user("UAPP", is_bot=True)
    members, pages = list_all(client, limit=3)
    ids = [m["id"] for m in members]
    # Everyone once, deactivated accounts and bots too, and the bot user and Slackbot, as Slack lists them.
    assert sorted(ids) == sorted(["U1", *(f"U{n:03d}" for n in range(7)), "UAPP", "UBOT", "USLACKBOT"])
    assert len(ids) == len(set(ids)) and pages == 4  # 11 members, 3 a page
    by_id = {m["id"]: m for m in members}
    assert by_id["U004"]["tz"] == "Asia/Tokyo" and by_id["U000"]["tz"] == "America/New_York"
    assert by_id["U005"]["deleted"] is True
    assert by_id["UAPP"]["is_bot"] is True and by_id["UBOT"]["is_bot"] is True
    assert by_id["USLACKBOT"]["is_bot"] is False  # as in Slack: only its id tells it apart
    first = fake.calls("users.list")[0]
    assert first.response["response_metadata"]["next_cursor"] != ""  # type: ignore[index]
    last = fake.calls("users.list")[-1]
    assert last.response["response_metadata"]["next_cursor"] == ""  # type: ignore[index]


def test_users_list_without_a_limit_gives_everyone_and_caps_a_page_at_1000(
    fake: FakeSlack, client: WebClient
) -> None:
    fake.add_users(*(f"U{n:04d}" for n in range(600)))
    assert len(client.users_list()["members"]) == 603
    fake.add_users(*(f"U{n:04d}" for n in range(600, 1200)))
    with pytest.raises(SlackApiError) as refused:
        client.users_list()  # a big workspace must be paged
    assert refused.value.response["error"] == "limit_required"
    page = client.users_list(limit=5000)
    assert len(page["members"]) == 1000 and page["response_metadata"]["next_cursor"]


@pytest.mark.parametrize(
    ("arguments", "error"),
    [
        ({"cursor": "not-a-cursor"}, "invalid_cursor"),
        ({"cursor": "dXNlcjpVTk9CT0RZ"}, "invalid_cursor"),  # "user:UNOBODY": not a page Slack gave out
        ({"limit": "many"}, "invalid_arguments"),
        ({"limit": "-5"}, "invalid_arguments"),
    ],
)
def test_users_list_refuses_what_slack_refuses(
    client: WebClient, arguments: dict[str, str], error: str
) -> None:
    with pytest.raises(SlackApiError) as refused:
        client.users_list(**arguments)  # type: ignore[arg-type]
    assert refused.value.response["error"] == error


def test_users_list_is_tier_2() -> None:
    clock = FakeClock()
    with FakeSlack(enforce_rate_limits=True, clock=clock) as fake:
        client = WebClient(token=TOKEN, base_url=fake.url, timeout=5)
        for _ in range(20):
            client.users_list(limit=200)
        with pytest.raises(SlackApiError) as limited:
            client.users_list(limit=200)
        assert limited.value.response.status_code == 429
        assert limited.value.response.headers["Retry-After"] == "60"
        clock.advance(60)
        assert client.users_list(limit=200)["ok"]
