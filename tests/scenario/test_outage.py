"""While the database is unreachable every surface says so in the same words, with one log line and no
traceback; what was typed stays in the modal, and everything works again once the database is back."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from bot.reminders.deliveries import Claimed
from handlers.senders.outbox import OutboxSender
from handlers.senders.reminders import ReminderSender
from handlers.views.log_modal import LogField, LogModal
from handlers.views.reminders import ReminderAction
from tests.conftest import RunningBot, interview_count
from tests.support.after_ack import after_ack_done
from tests.support.clock import today
from tests.support.forms import log_form, open_log_modal, submit_log_modal
from tests.support.outage import database_outage
from tests.support.slack_requests import USER_ID

SAID = "I can't reach the database right now; nothing you typed is lost, try again in a minute."


@pytest.fixture
def logs(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    with caplog.at_level(logging.INFO):
        yield caplog


def bot_lines(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.levelno >= logging.WARNING]


def test_a_read_during_an_outage_says_so_in_one_line(bot: RunningBot, logs: pytest.LogCaptureFixture) -> None:
    submit_log_modal(bot, pains="Exports time out")
    after_ack_done(bot.deps)
    with database_outage(bot.db):
        logs.clear()
        response = bot.slack.command("list")
        after_ack_done(bot.deps)
    assert response.status == 200
    body = response.json()
    assert body == {"response_type": "ephemeral", "text": SAID}
    (line,) = bot_lines(logs)
    assert "database is unreachable" in line.getMessage() and "connection refused" in line.getMessage()
    assert line.exc_info is None  # no traceback
    # Back: the same command answers as always.
    assert "Acme" in str(bot.slack.command("list").json()["blocks"])


def test_a_submission_during_an_outage_keeps_the_modal_and_goes_in_once_it_is_back(
    bot: RunningBot, logs: pytest.LogCaptureFixture
) -> None:
    bot.slack.command("help")  # the person is known before the outage
    with database_outage(bot.db):
        view = open_log_modal(bot)  # the modal still opens: typing it loses nothing
        after_ack_done(bot.deps)  # its timezone lookup after the ack says the database is away, apart
        values = log_form(held_on=today(), pains="Exports time out")
        logs.clear()
        response = bot.slack.view_submission(view, values)
        assert response.status == 200
        body = response.json()
        assert body["response_action"] == "errors" and list(body["errors"].values()) == [SAID]
        assert len(bot_lines(logs)) == 1
    assert bot.slack.view_submission(view, values).accepted
    assert interview_count(bot.db) == 1
    bot.fake.wait_for("chat.postMessage")


@pytest.mark.parametrize(
    "request_kind", ["account search", "digest preview", "themes", "app home", "reminder click"]
)
def test_every_surface_answers_without_a_traceback(
    bot: RunningBot, logs: pytest.LogCaptureFixture, request_kind: str
) -> None:
    submit_log_modal(bot, pains="Exports time out")
    after_ack_done(bot.deps)
    bot.fake.reset()
    with database_outage(bot.db):
        logs.clear()
        if request_kind == "account search":
            response = bot.slack.block_suggestion(
                {"id": "V1", "callback_id": LogModal.CALLBACK_ID, "type": "modal"},
                block_id=LogField.ACCOUNT,
                action_id=LogModal.ACCOUNT_SEARCH,
                value="Acm",
            )
            assert response.status == 200 and response.json() == {"options": []}
        elif request_kind == "digest preview":
            response = bot.slack.command("digest preview")
            assert response.status == 200 and response.json()["text"] == SAID
        elif request_kind == "themes":
            response = bot.slack.command("themes")
            assert response.status == 200 and response.json()["text"] == SAID
        elif request_kind == "app home":
            assert bot.slack.event({"type": "app_home_opened", "user": USER_ID, "tab": "home"}).status == 200
        else:
            response = bot.slack.block_action(ReminderAction.DONE, block_id="followup_1", value="1")
            assert response.status == 200
            (dm,) = bot.fake.wait_for("chat.postMessage")
            assert dm.args["text"] == SAID
        after_ack_done(bot.deps)
    lines = bot_lines(logs)
    assert lines and all(r.exc_info is None for r in lines), [r.getMessage() for r in lines]
    assert len(lines) == 1, [r.getMessage() for r in lines]


def test_the_scheduler_writes_a_line_per_tick_not_a_traceback(
    bot: RunningBot, logs: pytest.LogCaptureFixture
) -> None:
    from bot.scheduler import _guarded

    sender = OutboxSender(db=bot.db, client=bot.deps.client)
    try:
        with database_outage(bot.db):
            logs.clear()
            _guarded("outbox", sender.tick)()
        (line,) = bot_lines(logs)
        assert line.exc_info is None and "outbox tick skipped" in line.getMessage()
    finally:
        sender.close()


def test_a_reminder_delivery_cut_off_by_an_outage_is_one_line_and_retried(
    bot: RunningBot, sender: ReminderSender, logs: pytest.LogCaptureFixture
) -> None:
    with database_outage(bot.db):
        logs.clear()
        # Claimed just before the database went: each delivery of the batch says so in a line.
        outcomes = [sender._deliver_safely(Claimed(n, "T0001", USER_ID, False)) for n in (1, 2)]
    assert outcomes == ["retrying", "retrying"]
    lines = bot_lines(logs)
    assert [r.exc_info for r in lines] == [None, None], [r.getMessage() for r in lines]
    assert "reminder delivery 1 skipped: the database is unreachable" in lines[0].getMessage()
