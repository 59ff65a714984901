"""Socket Mode end to end: the real app behind Bolt's built-in Socket Mode client, as `interview-bot run`
starts it with BOT_MODE=socket, talking to a fake Socket Mode server and the fake Web API on 127.0.0.1.

The fixture starts `handlers.requests.server.SocketModeRunner`, which `serve_socket` runs until a signal
arrives.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import HealthCheck, given, seed, settings
from sqlalchemy import select

from bot.app import build_app
from handlers.deps import Deps
from handlers.requests.server import SocketModeRunner, WebApp
from handlers.views.log_modal import LogField, LogModal
from storage.db import Database
from storage.models import Interview
from tests.conftest import interview_count, make_config
from tests.support.after_ack import after_ack_done
from tests.support.clock import ClockShare, today
from tests.support.fake_slack import Call, FakeSlack
from tests.support.fake_socket_mode import FakeSocketMode
from tests.support.forms import log_form
from tests.support.hostile import LOG_BOUND, REPORT, Recipe, apply, payload_for, recipes
from tests.support.logs import captured_log
from tests.support.slack_requests import APP_ID, CHANNEL_ID, TEAM_ID, USER_ID, SlackSender

APP_TOKEN = "xapp-1-test"
# Slack waits this long for an ack before it shows the user an error.
ACK_DEADLINE_SECONDS = 3.0
# Server pings this often: each one wakes the SDK client's 3 s blocking recv(), so close() is quick.
PING_INTERVAL_SECONDS = 0.05


@dataclass
class SocketBot:
    socket: FakeSocketMode
    fake: FakeSlack
    db: Database
    runner: SocketModeRunner
    deps: Deps

    def command(self, text: str) -> tuple[str, dict[str, Any]]:
        """Send `/interview <text>` as a slash_commands envelope; its id and payload."""
        self.fake.add_users(USER_ID)  # Slack sends requests from people of the workspace
        payload = {
            "token": "legacy-verification-token",
            "team_id": TEAM_ID,
            "team_domain": "acme-corp",
            "channel_id": CHANNEL_ID,
            "channel_name": "general",
            "user_id": USER_ID,
            "user_name": "pat",
            "command": "/interview",
            "text": text,
            "api_app_id": APP_ID,
            "is_enterprise_install": "false",
            # Where Slack's are: on the (fake) Slack the bot talks to, which records a call.
            "response_url": self.fake.response_url,
            "trigger_id": self.fake.issue_trigger_id(),
        }
        return self.socket.send_envelope(type="slash_commands", payload=payload), payload

    def open_log_modal(self, text: str = "log Acme") -> Call:
        """Run `/interview log ...` and return the views.open call it made."""
        envelope_id, _payload = self.command(text)
        ack = self.socket.wait_for_ack(envelope_id)
        assert ack.payload is None, ack.payload  # a bare ack: the modal is the answer
        (call,) = self.fake.calls("views.open")  # views.open comes before the ack, as in HTTP mode
        return call

    def view_submission(self, view: dict[str, Any], values: dict[str, Any]) -> str:
        """Submit `view` with these state values, as tests/support/slack_requests.py does over HTTP."""
        submitted = {**view, "team_id": TEAM_ID, "state": {"values": values}}
        payload = {
            "type": "view_submission",
            "team": {"id": TEAM_ID, "domain": "acme-corp"},
            "user": {"id": USER_ID, "team_id": TEAM_ID, "name": "pat"},
            "api_app_id": APP_ID,
            "trigger_id": self.fake.issue_trigger_id(view_id=view.get("id")),
            "view": submitted,
        }
        return self.socket.send_envelope(type="interactive", payload=payload)


@pytest.fixture(autouse=True)
def _no_leftover_threads() -> Iterator[None]:
    """Every thread a test starts (SDK client, Bolt listeners, fake servers) has ended after teardown.

    Autouse fixtures are set up first, so this one is torn down last, after all the others.
    """
    before = set(threading.enumerate())
    yield
    deadline = time.monotonic() + 5
    leftover = []
    for thread in set(threading.enumerate()) - before:
        thread.join(timeout=max(0.0, deadline - time.monotonic()))
        if thread.is_alive():
            leftover.append(thread.name)
    assert not leftover, f"threads still running after the test: {sorted(leftover)}"


@pytest.fixture
def fake_socket_mode() -> Iterator[FakeSocketMode]:
    with FakeSocketMode(app_id=APP_ID, ping_interval=PING_INTERVAL_SECONDS) as server:
        yield server
        assert server.server_errors == []


@pytest.fixture
def socket_bot(
    fake_slack: FakeSlack,
    fake_socket_mode: FakeSocketMode,
    database: Database,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[SocketBot]:
    """The real app connected over Socket Mode, as `interview-bot run` does with BOT_MODE=socket."""
    for name in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy"):
        # The SDK would tunnel the WebSocket through a proxy from the environment: stay on 127.0.0.1.
        monkeypatch.delenv(name, raising=False)
    fake_slack.answer("apps.connections.open", fake_socket_mode.connections_open_answer(), times=None)
    config = make_config(fake_slack, database.url, SLACK_APP_TOKEN=APP_TOKEN, BOT_MODE="socket")
    assert config.mode == "socket" and config.app_token == APP_TOKEN
    app, deps = build_app(config=config, db=database)
    runner = SocketModeRunner(
        app,
        WebApp(app, database, signing_secret=config.signing_secret),
        app_token=APP_TOKEN,
        host="127.0.0.1",
        port=0,
    )
    try:
        runner.start()
        fake_socket_mode.wait_for_connection()
        yield SocketBot(socket=fake_socket_mode, fake=fake_slack, db=database, runner=runner, deps=deps)
    finally:
        close_quickly(runner)
        deps.close()  # waits for work after the ack (the DM), as the HTTP `bot` fixture does
    assert fake_socket_mode.problems == []


def close_quickly(runner: SocketModeRunner) -> None:
    """runner.close(), as serve_socket does on SIGTERM, without the SDK's 1 s wait per test.

    The client's message processor blocks in `message_queue.get(timeout=1)` and only checks `closed`
    between gets; marking it closed and queueing None (which `process_message` skips) lets it end now.
    """
    runner.handler.client.closed = True
    runner.handler.client.message_queue.put(None)
    runner.close()


def test_connects_with_the_app_token_and_keeps_the_connection_alive(socket_bot: SocketBot) -> None:
    (opened,) = socket_bot.fake.calls("apps.connections.open")
    # The app-level token opens the connection; the bot token would be refused by Slack.
    assert opened.headers["authorization"] == f"Bearer {APP_TOKEN}"
    connection = socket_bot.socket.wait_for_connection()
    assert connection.target.startswith("/link/?ticket=")
    assert connection.headers["sec-websocket-version"] == "13"
    socket_bot.socket.wait_for_ping()  # the SDK pings right after the handshake; the fake pongs
    socket_bot.socket.wait_for_pong()  # and it answers the server's pings
    assert socket_bot.runner.handler.client.is_connected()


def test_log_command_opens_the_modal_and_acks(socket_bot: SocketBot) -> None:
    envelope_id, command = socket_bot.command("log Acme")
    ack = socket_bot.socket.wait_for_ack(envelope_id)
    assert ack.payload is None
    assert ack.elapsed < ACK_DEADLINE_SECONDS

    (call,) = socket_bot.fake.calls("views.open")
    assert call.args["trigger_id"] == command["trigger_id"]
    view = call.args["view"]
    assert view["callback_id"] == LogModal.CALLBACK_ID
    account = next(b for b in view["blocks"] if b.get("block_id") == LogField.ACCOUNT)
    assert account["element"]["initial_option"]["value"] == "Acme"


def test_submitting_the_modal_stores_the_interview_and_sends_the_dm(socket_bot: SocketBot) -> None:
    opened = socket_bot.open_log_modal()
    assert isinstance(opened.response, dict)
    view = opened.response["view"]  # as Slack stored it: with the id a submission carries
    values = log_form(
        held_on=today(),
        pains="Month-end reports take two days\nNo audit trail for approvals",
        contact_name="Dana",
    )
    envelope_id = socket_bot.view_submission(view, values)
    ack = socket_bot.socket.wait_for_ack(envelope_id)
    assert ack.payload is None  # a bare ack closes the modal
    assert ack.elapsed < ACK_DEADLINE_SECONDS

    (dm,) = socket_bot.fake.wait_for("chat.postMessage")
    assert dm.args["channel"] == USER_ID
    assert isinstance(dm.response, dict) and dm.response["ok"], dm.response
    assert "Month-end reports take two days" in str(dm.args["blocks"])

    with socket_bot.db.transaction() as session:
        interview = session.scalars(select(Interview)).one()
        assert interview.account.name == "Acme"
        assert interview.logged_by == USER_ID
        assert interview.contact_name == "Dana"
        assert interview.source_view_id == view["id"]
        assert [p.text for p in interview.pains] == [
            "Month-end reports take two days",
            "No audit trail for approvals",
        ]


def test_a_bad_submission_acks_with_field_errors(socket_bot: SocketBot) -> None:
    view = socket_bot.open_log_modal().args["view"]
    values = log_form(held_on=today(), pains="Slow exports", recording_url="htp:/not a link")
    ack = socket_bot.socket.wait_for_ack(socket_bot.view_submission({**view, "id": "VBAD0001"}, values))

    assert ack.payload is not None
    assert ack.payload["response_action"] == "errors"
    assert set(ack.payload["errors"]) == {LogField.RECORDING_URL}
    assert "web link" in ack.payload["errors"][LogField.RECORDING_URL].lower()
    after_ack_done(socket_bot.deps)  # what the bot does after the ack is done too: still no DM
    assert interview_count(socket_bot.db) == 0
    assert socket_bot.fake.calls("chat.postMessage", include_rejected=True) == []


def test_a_failed_views_open_is_answered_in_the_ack(socket_bot: SocketBot) -> None:
    # The error handler's answer must reach the user over the socket too, not only as an HTTP body.
    socket_bot.fake.fail("views.open", "expired_trigger_id")
    envelope_id, _command = socket_bot.command("log Acme")
    ack = socket_bot.socket.wait_for_ack(envelope_id)
    assert ack.payload is not None
    assert ack.payload["response_type"] == "ephemeral"
    assert "did not let me open that in time" in ack.payload["text"]


def test_a_refresh_from_slack_moves_to_a_new_connection(socket_bot: SocketBot) -> None:
    # Slack announces a disconnect every few hours; the client must open a new connection and go on.
    socket_bot.socket.send_disconnect("refresh_requested")
    second = socket_bot.socket.wait_for_connection(count=2)
    assert len(socket_bot.fake.calls("apps.connections.open")) == 2

    envelope_id, _command = socket_bot.command("log Acme")
    assert socket_bot.socket.wait_for_ack(envelope_id).connection == second.number
    assert len(socket_bot.fake.calls("views.open")) == 1


def test_health_reports_the_database_and_the_slack_connection(socket_bot: SocketBot) -> None:
    sender = SlackSender("127.0.0.1", socket_bot.runner.health_port, "unused")
    health = sender.get("/healthz")
    assert health.status == 200
    assert health.json() == {"status": "ok", "database": "ok", "slack": "ok"}


@pytest.mark.parametrize("backend", ["sqlite"])  # about Slack's side: one database is enough
def test_envelopes_slack_would_never_send_are_acked_in_few_bounded_lines(socket_bot: SocketBot) -> None:
    team, user = {"id": TEAM_ID}, {"id": USER_ID, "team_id": TEAM_ID}
    huge = "x" * 100_000
    hostile: list[Any] = [
        {"type": "view_submission", "team": team, "user": user, "view": "a string"},
        {"type": "view_submission", "team": team, "user": user, "view": None},
        {"type": "block_actions", "team": team, "user": user, "trigger_id": "t", "actions": []},
        {"type": "shortcut", "team": team, "user": user, "trigger_id": "t", "callback_id": huge},
        "a payload that is a string",
    ]
    with captured_log() as stream:
        for payload in hostile:
            envelope_id = socket_bot.socket.send_envelope(type="interactive", payload=payload)
            # A bare ack: Slack does not retry, nor show the person an error for a request it never sent.
            assert socket_bot.socket.wait_for_ack(envelope_id).payload is None
        envelope_id, _command = socket_bot.command("help")
        ack = socket_bot.socket.wait_for_ack(envelope_id)
    assert ack.payload is not None and "What /interview can do" in ack.payload["text"]
    logged = stream.getvalue()
    assert "Traceback" not in logged and " ERROR " not in logged, logged
    assert "no listener for shortcut (callback_id=" + "x" * 200 + "… (100000 chars))" in logged
    assert len(logged) < 3_000, logged


SOCKET_EXAMPLES = 600
ENVELOPE_OF = {"command": "slash_commands", "event_callback": "events_api", "url_verification": "events_api"}


@pytest.mark.filterwarnings("ignore::hypothesis.errors.HypothesisWarning")  # 100 kB examples
@pytest.mark.parametrize("backend", ["sqlite"])  # about Slack's side: one database is enough
def test_hostile_envelopes_are_all_acked_in_time_in_few_lines(
    socket_bot: SocketBot, clock_share: ClockShare
) -> None:
    """The fuzz suite's requests (tests/support/hostile.py), as Socket Mode envelopes: each is acked
    within Slack's 3 s, adds a bounded amount to the log, and the bot answers /interview help after.
    With several clock starts, each sends its own share of them."""
    sender = SlackSender("127.0.0.1", 9, "unused", fake=socket_bot.fake)

    @settings(
        max_examples=clock_share.examples(SOCKET_EXAMPLES),
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @seed(clock_share.seed)
    @given(recipe=recipes)
    def one(recipe: Recipe) -> None:
        payload: Any = payload_for(recipe, sender)
        for change in recipe.changes:
            apply(payload, change)
        if recipe.transport == "raw":  # Slack's envelope always holds an object; this one holds text
            payload = recipe.raw.decode("utf-8", "replace")
        before = len(stream.getvalue())
        envelope_id = socket_bot.socket.send_envelope(
            type=ENVELOPE_OF.get(recipe.kind, "interactive"), payload=payload
        )
        ack = socket_bot.socket.wait_for_ack(envelope_id)
        after_ack_done(socket_bot.deps)
        growth = len(stream.getvalue()) - before
        REPORT.record_envelope(ack.elapsed, growth)
        assert ack.elapsed < ACK_DEADLINE_SECONDS, recipe
        assert growth <= LOG_BOUND, stream.getvalue()[before:]

    with captured_log() as stream:
        one()
        envelope_id, _command = socket_bot.command("help")
        ack = socket_bot.socket.wait_for_ack(envelope_id)
    assert ack.payload is not None and "What /interview can do" in ack.payload["text"]
