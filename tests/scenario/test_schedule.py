"""`/interview schedule`: prep DMs before the call (even early in the morning), a debrief after it
whose button opens the log modal filled in."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import time_machine

from handlers.senders.reminders import METADATA_EVENT, ReminderSender
from handlers.views.log_modal import LogField
from handlers.views.reminders import ReminderAction
from tests.conftest import RunningBot
from tests.support.clock import NEW_YORK_TUESDAY_10AM
from tests.support.forms import submit_log_modal
from tests.support.slack_requests import USER_ID

NOW = NEW_YORK_TUESDAY_10AM  # where the `clock` fixture starts


def schedule(
    bot: RunningBot,
    *,
    starts: datetime,
    minutes: int = 30,
    account: str = "Acme",
    goal: str = "Learn how they close the month",
    study: dict[str, Any] | None = None,
) -> Any:
    """Schedule a call through the modal; `study`: its study field's values (tests.support.forms)."""
    assert bot.slack.command("schedule").status == 200
    view = bot.fake.calls("views.open")[-1].args["view"]
    assert view["callback_id"] == "schedule_call"
    bot.fake.add_users("U0002")  # picked in a users select: a person of the workspace
    values = {
        "account": {"account_search": {"type": "external_select", "selected_option": {"value": account}}},
        "starts_at": {"value": {"type": "datetimepicker", "selected_date_time": int(starts.timestamp())}},
        "ends_at": {
            "value": {
                "type": "datetimepicker",
                "selected_date_time": int((starts + timedelta(minutes=minutes)).timestamp()),
            }
        },
        "goal": {"value": {"type": "plain_text_input", "value": goal}},
        "participants": {"value": {"type": "multi_users_select", "selected_users": [USER_ID, "U0002"]}},
        **(study or {}),
    }
    return bot.slack.view_submission(view, values)


def sent_to(bot: RunningBot, user: str) -> list:
    """Reminder DMs to `user`: to their user id at first, then to the DM channel Slack answered with."""
    calls = bot.fake.calls("chat.postMessage")
    return [
        c
        for c in calls
        if (c.args.get("metadata") or {}).get("event_type") == METADATA_EVENT
        and c.args["channel"] in (user, f"D{user}")
    ]


def test_prep_before_and_debrief_after(
    bot: RunningBot, sender: ReminderSender, clock: time_machine.Traveller
) -> None:
    # An earlier interview gives the account a history.
    submit_log_modal(
        bot,
        "Acme",
        held_on="2026-11-24",
        pains="Month-end close takes a week",
        interpretation="Close is slow",
        thank_you_sent=True,
    )
    bot.fake.wait_for("chat.postMessage")  # its "Saved" DM, sent after the ack: before the call's, always

    starts = NOW + timedelta(hours=3)  # 13:00 in New York
    response = schedule(bot, starts=starts)
    assert response.status == 200 and not response.body, response.body
    confirmation = bot.fake.wait_for("chat.postMessage", count=2)[-1]
    assert "Prep notes go out" in confirmation.args["text"]

    clock.move_to(starts - timedelta(minutes=31))
    assert sender.tick().sent == 0
    clock.move_to(starts - timedelta(minutes=29))
    assert sender.tick().sent == 2  # both participants
    prep = json.dumps(sent_to(bot, "U0002")[0].args["blocks"], ensure_ascii=False)
    for expected in (
        "Learn how they close the month",
        "permission to record",
        "What else is on your mind",
        "Month-end close takes a week",
    ):
        assert expected in prep

    clock.move_to(starts + timedelta(minutes=30 + 6))
    assert sender.tick().sent == 1  # the debrief, to the organiser only
    debrief = sent_to(bot, USER_ID)[-1]
    assert "How did the call with Acme go" in json.dumps(debrief.args["blocks"])
    button = next(
        e
        for b in debrief.args["blocks"]
        if b.get("type") == "actions"
        for e in b["elements"]
        if e["action_id"] == ReminderAction.LOG_CALL
    )
    opened = len(bot.fake.calls("views.open"))
    response = bot.slack.block_action(
        ReminderAction.LOG_CALL,
        block_id="x",
        message=debrief.response["message"],
        channel_id=debrief.response["channel"],
        value=button["value"],
    )
    assert response.status == 200
    log_view = bot.fake.calls("views.open")[opened].args["view"]
    blocks = {b.get("block_id"): b for b in log_view["blocks"]}
    assert blocks[LogField.ACCOUNT]["element"]["initial_option"]["value"] == "Acme"
    assert blocks[LogField.GOAL]["element"]["initial_value"] == "Learn how they close the month"
    assert set(blocks[LogField.PARTICIPANTS]["element"]["initial_users"]) == {USER_ID, "U0002"}

    clock.shift(timedelta(days=2))
    assert sender.tick().sent == 0  # a prep and a debrief are said once


def test_an_early_call_gets_its_prep_before_working_hours(
    bot: RunningBot, sender: ReminderSender, clock: time_machine.Traveller
) -> None:
    starts = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)  # Wednesday 07:00 in New York
    assert not schedule(bot, starts=starts).body
    clock.move_to(starts - timedelta(minutes=29))  # 06:31, before working hours
    assert sender.tick().sent == 2


def test_a_call_in_the_past_or_ending_before_it_starts_is_refused(
    bot: RunningBot, clock: time_machine.Traveller
) -> None:
    errors = schedule(bot, starts=NOW - timedelta(hours=1)).json()["errors"]
    assert "passed" in errors["starts_at"]
    errors = schedule(bot, starts=NOW + timedelta(hours=1), minutes=-10).json()["errors"]
    assert "end after it starts" in errors["ends_at"]
