"""When the database or Slack hiccups, nothing typed is lost and nobody sees a 5xx or a traceback."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from sqlalchemy.exc import OperationalError

import handlers.commands
import handlers.log_modal
from storage.db import RETRY_PAUSES_SECONDS
from tests.conftest import RunningBot, interview_count
from tests.support.after_ack import after_ack_done
from tests.support.clock import today
from tests.support.forms import log_form, open_log_modal, submit_log_modal
from tests.support.slack_requests import USER_ID


def test_a_database_outage_keeps_the_modal_open_and_a_retry_stores_it(
    bot: RunningBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = handlers.log_modal.log_interview
    attempts: list[int] = []

    def down(**kwargs: object) -> object:
        attempts.append(1)
        raise OperationalError("INSERT …", {}, Exception("server closed the connection unexpectedly"))

    monkeypatch.setattr(handlers.log_modal, "log_interview", down)
    view = {**open_log_modal(bot), "id": "VOUTAGE"}
    values = log_form(held_on=today(), pains="Exports time out")
    response = bot.slack.view_submission(view, values)
    assert response.status == 200
    body = response.json()
    assert body["response_action"] == "errors"  # the modal stays open, with everything typed in it
    assert "try again in a minute" in next(iter(body["errors"].values()))
    assert len(attempts) == len(RETRY_PAUSES_SECONDS) + 1  # retried for a second before giving up
    assert interview_count(bot.db) == 0

    monkeypatch.setattr(handlers.log_modal, "log_interview", real)
    assert bot.slack.view_submission(view, values).accepted
    assert interview_count(bot.db) == 1


def test_a_passing_database_blip_is_ridden_out(bot: RunningBot, monkeypatch: pytest.MonkeyPatch) -> None:
    real = handlers.log_modal.log_interview
    calls: list[int] = []

    def blip(**kwargs: object) -> object:
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("INSERT …", {}, Exception("database is locked"))
        return real(**kwargs)

    monkeypatch.setattr(handlers.log_modal, "log_interview", blip)
    response = submit_log_modal(bot, pains="Slow")
    assert response.status == 200 and not response.body
    assert interview_count(bot.db) == 1
    bot.fake.wait_for("chat.postMessage")


def test_slack_rate_limits_and_errors_on_the_dm_are_retried(bot: RunningBot) -> None:
    bot.fake.rate_limit("chat.postMessage", retry_after=0)
    bot.fake.server_error("chat.postMessage", status=503)
    response = submit_log_modal(bot, pains="Slow")
    assert response.status == 200 and not response.body
    calls = bot.fake.wait_for("chat.postMessage", count=3, timeout=15, include_rejected=True)
    assert [c.status for c in calls] == [429, 503, 200]
    assert calls[2].args["channel"] == USER_ID
    assert interview_count(bot.db) == 1


def test_a_dm_that_cannot_be_sent_does_not_lose_the_interview(bot: RunningBot) -> None:
    bot.fake.fail("chat.postMessage", "user_not_found")
    response = submit_log_modal(bot, pains="Slow")
    # Taken, and the modal closes: nobody is told to type it again because a DM could not go out.
    assert response.accepted, response.body
    (dm,) = bot.fake.wait_for("chat.postMessage", include_rejected=True)
    assert dm.args["channel"] == USER_ID and dm.response["error"] == "user_not_found"
    after_ack_done(bot.deps)
    assert interview_count(bot.db) == 1
    # ...and the person finds it where they look for it.
    assert "Acme" in str(bot.slack.command("list").json()["blocks"])


def test_views_open_failing_answers_with_a_message_not_a_5xx(bot: RunningBot) -> None:
    bot.fake.fail("views.open", "expired_trigger_id")
    response = bot.slack.command("log Acme")
    assert response.status == 200
    body = response.json()
    assert body["response_type"] == "ephemeral"
    assert "did not let me open that in time" in body["text"]


def test_a_command_too_slow_for_its_trigger_id_gets_no_modal_but_a_message(
    bot: RunningBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Slack takes a trigger_id for 3 s: work that long before views.open means no modal.
    build = handlers.log_modal.log_modal

    def slow(**kwargs: Any) -> Any:
        bot.fake.advance(3.5)  # 3.5 s of work, as the fake Slack sees it, without waiting for it
        return build(**kwargs)

    monkeypatch.setattr(handlers.log_modal, "log_modal", slow)
    response = bot.slack.command("log Acme")
    assert response.status == 200
    (refused,) = bot.fake.rejected("views.open")
    assert refused.response == {"ok": False, "error": "expired_trigger_id"}
    assert bot.fake.calls("views.open") == []
    body = response.json()
    assert body["response_type"] == "ephemeral" and "did not let me open that in time" in body["text"]


def test_an_unexpected_error_gives_the_user_an_id_that_is_in_the_log(
    bot: RunningBot, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(**kwargs: object) -> object:
        raise RuntimeError("bug")

    monkeypatch.setattr(handlers.commands, "recent_interviews", broken)
    with caplog.at_level(logging.ERROR):
        response = bot.slack.command("list")
    assert response.status == 200
    text = response.json()["text"]
    error_id = text.split("error id ")[1].split(")")[0]
    assert any(error_id in record.getMessage() for record in caplog.records)
    assert "Traceback" not in text and "bug" not in text


def test_a_failed_dm_does_not_stop_the_channel_post(bot: RunningBot) -> None:
    bot.fake.fail("chat.postMessage", "user_not_found")  # the DM
    assert submit_log_modal(bot, pains="Slow", share_channel="C0TEAM").accepted
    calls = bot.fake.wait_for("chat.postMessage", count=2, include_rejected=True)
    assert [c.args["channel"] for c in calls] == [USER_ID, "C0TEAM"]
    assert calls[1].response["ok"]


@pytest.mark.parametrize("surface", ["message_shortcut", "home_button"])
def test_a_shortcut_or_button_that_fails_tells_the_user_by_dm(bot: RunningBot, surface: str) -> None:
    from handlers.shortcuts import Shortcut
    from handlers.views.home import Home

    bot.fake.fail("views.open", "expired_trigger_id")
    if surface == "message_shortcut":
        response = bot.slack.message_shortcut(Shortcut.LOG_FROM_MESSAGE, "notes")
    else:
        response = bot.slack.block_action(
            Home.LOG_INTERVIEW, block_id=Home.ACTIONS, view={"id": "VH", "type": "home"}
        )
    assert response.status == 200
    told = bot.fake.wait_for("chat.postMessage")[0]
    assert told.args["channel"] == USER_ID
    assert "did not let me open that in time" in told.args["text"]
