"""Reminders keep the person's hours, in the person's zone (the fake's users live in New York), wherever
the time is decided: by the sender as it sends (after downtime, say), and by a snooze."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from handlers.senders.reminders import ReminderSender
from handlers.views.reminders import ReminderAction
from storage.models import FollowUpKind, FollowUpState
from tests.conftest import RunningBot
from tests.scenario.test_reminders import click, follow_ups, reminders
from tests.support.forms import submit_log_modal

THURSDAY_6AM_NEW_YORK = datetime(2026, 11, 26, 11, 0, tzinfo=UTC)  # inside 09:00-18:00 in UTC
THURSDAY_9AM_NEW_YORK = datetime(2026, 11, 26, 14, 0, tzinfo=UTC)
MONDAY_9AM_NEW_YORK = datetime(2026, 11, 30, 14, 0, tzinfo=UTC)


def test_after_downtime_the_sender_holds_a_due_reminder_until_the_persons_working_hours(
    bot: RunningBot, sender: ReminderSender, clock: time_machine.Traveller
) -> None:
    submit_log_modal(bot, interpretation="Understood")  # the thank-you is due Wednesday 10:00 in New York
    bot.fake.wait_for("chat.postMessage")
    # The bot was down from before then until Thursday 06:00 in New York: the reminder is overdue, and the
    # planner's hours were checked long ago; the sender checks them again as it sends.
    clock.move_to(THURSDAY_6AM_NEW_YORK)
    result = sender.tick()
    assert (result.sent, result.deferred) == (0, 1), "a reminder went out at 06:00 where the person is"
    assert reminders(bot) == []
    clock.move_to(THURSDAY_9AM_NEW_YORK - timedelta(minutes=1))
    assert sender.tick().sent == 0
    clock.move_to(THURSDAY_9AM_NEW_YORK + timedelta(seconds=30))
    assert sender.tick().sent == 1
    (dm,) = reminders(bot)
    assert dm.args["channel"] == "U0001"


@pytest.mark.parametrize(
    ("choice", "until"),
    [("tomorrow", THURSDAY_9AM_NEW_YORK), ("next_week", MONDAY_9AM_NEW_YORK)],
    ids=["tomorrow", "next week"],
)
def test_a_snooze_to_a_later_day_lands_at_the_start_of_working_hours_where_the_person_is(
    bot: RunningBot, sender: ReminderSender, clock: time_machine.Traveller, choice: str, until: datetime
) -> None:
    submit_log_modal(bot, interpretation="Understood")
    bot.fake.wait_for("chat.postMessage")
    clock.shift(timedelta(hours=25))  # Wednesday 11:00 in New York
    assert sender.tick().sent == 1
    (dm,) = reminders(bot)
    thank_you = follow_ups(bot)[FollowUpKind.THANK_YOU]
    click(bot, dm, ReminderAction.SNOOZE, option=f"{choice}:{thank_you.id}")
    bot.fake.wait_for("chat.update")
    snoozed = follow_ups(bot)[FollowUpKind.THANK_YOU]
    assert snoozed.state == FollowUpState.SNOOZED
    assert snoozed.remind_at == until, f"snoozed until {snoozed.remind_at:%A %H:%M} UTC"
    clock.move_to(until - timedelta(minutes=1))
    assert sender.tick().sent == 0
    clock.move_to(until + timedelta(seconds=30))
    assert sender.tick().sent == 1
