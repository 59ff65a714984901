"""What Slack refuses in the ordinary course of things (a rate limit, a person who left, a channel gone) is
one WARNING line naming the method and Slack's code, with Retry-After for a 429, and no traceback; a bug of
ours (a call Slack calls malformed, an exception) still gets an error id and its traceback, once."""

from __future__ import annotations

import logging

import pytest

from handlers.views.interview import InterviewAction
from handlers.web_api.client import interactive
from tests.conftest import RunningBot
from tests.scenario.test_search import stored
from tests.support.after_ack import after_ack_done
from tests.support.forms import submit_log_modal

PEOPLE = [f"U00{n:02d}" for n in range(2, 22)]  # twenty people on one call


def warnings_and_worse(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.levelno >= logging.WARNING]


def one_line_each(records: list[logging.LogRecord]) -> list[str]:
    """The records' messages, after checking each is a WARNING without a traceback."""
    assert [(r.levelname, r.exc_info) for r in records] == [("WARNING", None)] * len(records)
    return [r.getMessage() for r in records]


def test_a_rate_limited_users_info_is_one_line_and_the_person_is_told(
    bot: RunningBot, caplog: pytest.LogCaptureFixture
) -> None:
    stored(bot, account="Acme")
    bot.fake.rate_limit("users.info", retry_after=7)
    with caplog.at_level(logging.INFO):
        answer = bot.slack.command("forget Acme", user_id="U0009").json()  # is U0009 an admin? users.info
    assert answer["text"] == (
        "I couldn't check with Slack who may do this just now, so I did nothing. Try again in a minute."
    )
    assert one_line_each(warnings_and_worse(caplog)) == [
        "users.info failed for T0001/U0009 (ratelimited, Retry-After 7 s): their role is not known now",
        "user-facing error (RoleUnknown): I couldn't check with Slack who may do this just now, so I did "
        "nothing. Try again in a minute.",
    ]


def test_the_app_homes_of_twenty_people_slack_no_longer_knows_are_a_line_each(
    bot: RunningBot, caplog: pytest.LogCaptureFixture
) -> None:
    bot.fake.add_users(*PEOPLE)
    submit_log_modal(bot, "Acme", participants=PEOPLE)
    after_ack_done(bot.deps)
    bot.fake.fail("views.publish", "user_not_found", times=None)  # they left the workspace meanwhile
    with caplog.at_level(logging.INFO):
        bot.deps.home.flush()
    said = one_line_each(warnings_and_worse(caplog))
    assert sorted(said) == sorted(
        f"App Home of {person} not republished: Slack refused views.publish: user_not_found"
        for person in ["U0001", *PEOPLE]
    )


def test_a_dm_that_cannot_reach_the_person_after_the_ack_is_one_line(
    bot: RunningBot, caplog: pytest.LogCaptureFixture
) -> None:
    bot.fake.fail("chat.postMessage", "channel_not_found")
    with caplog.at_level(logging.INFO):
        bot.slack.block_action(InterviewAction.OPEN, block_id="b", value="424242")  # no such interview
        after_ack_done(bot.deps)  # "That interview is gone", by DM: refused
    said = one_line_each(warnings_and_worse(caplog))
    assert said == [
        "user-facing error (BotError): That interview is gone: it was deleted.",
        "Slack refused chat.postMessage: channel_not_found",
    ]


def test_a_timezone_that_cannot_be_read_is_one_line(
    bot: RunningBot, caplog: pytest.LogCaptureFixture
) -> None:
    bot.fake.add_users("U0009")
    bot.fake.rate_limit("users.info", retry_after=30)
    with caplog.at_level(logging.INFO):
        tz = bot.deps.timezones.resolve(client=interactive(bot.deps.client), team_id="T0001", user_id="U0009")
    assert str(tz) == "UTC"
    said = one_line_each(warnings_and_worse(caplog))
    assert said == ["timezone of T0001/U0009 not read: users.info: ratelimited, Retry-After 30 s"]


def test_a_call_slack_calls_malformed_is_still_an_unexpected_error_with_its_traceback_once(
    bot: RunningBot, caplog: pytest.LogCaptureFixture
) -> None:
    bot.fake.fail("views.open", "invalid_arguments")
    with caplog.at_level(logging.INFO):
        answer = bot.slack.command("themes").json()
    assert "error id" in answer["text"]
    (error,) = warnings_and_worse(caplog)
    assert error.levelname == "ERROR" and error.getMessage().startswith("unexpected error ")
    assert error.exc_info is not None and error.getMessage()[-8:] in answer["text"]
