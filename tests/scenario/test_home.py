"""App Home: what I owe (with the reminder's own Done / Snooze), my upcoming calls, my latest interviews
(each opens in a modal), the team's week, Log and Schedule; republished, debounced, when something of
mine changes, and a click there redraws the reminder DM too."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from sqlalchemy import select

from bot.themes.embeddings import LexicalEmbedder
from bot.themes.upkeep.job import UpkeepJob
from bot.themes.upkeep.work import UpkeepSchedule
from handlers.senders.reminders import METADATA_EVENT, ReminderSender
from handlers.views.common import local_time
from handlers.views.home import Home
from handlers.views.interview import InterviewAction
from handlers.views.reminders import ACTIONS_BLOCK, ITEM_BLOCK, ReminderAction
from handlers.views.schedule import ScheduleModal
from storage.models import Account, FollowUp, FollowUpKind, FollowUpState, Interview
from tests.conftest import RunningBot
from tests.scenario.test_schedule import schedule
from tests.support.after_ack import after_ack_done
from tests.support.clock import NEW_YORK_TUESDAY_10AM
from tests.support.forms import submit_log_modal
from tests.support.outage import database_outage
from tests.support.slack_requests import USER_ID

NEW_YORK = ZoneInfo("America/New_York")
HOME = {"id": "VHOME", "type": "home"}


def open_home(bot: RunningBot, user_id: str = USER_ID, team_id: str = "T0001") -> dict[str, Any]:
    """Open the Home tab; the view the bot published for it."""
    before = len(bot.fake.calls("views.publish"))
    event = {"type": "app_home_opened", "user": user_id, "tab": "home", "channel": "D1"}
    assert bot.slack.event(event, team_id=team_id).status == 200
    published = bot.fake.wait_for("views.publish", count=before + 1)[-1]
    assert published.response["ok"] and published.args["user_id"] == user_id
    return published.args["view"]


def listed(view: dict[str, Any]) -> list[int]:
    """The follow-ups a view (or message) lists, in order, read back from their block ids."""
    return [
        int(b["block_id"][len(ITEM_BLOCK) :])
        for b in view["blocks"]
        if str(b.get("block_id", "")).startswith(ITEM_BLOCK)
    ]


def mine(bot: RunningBot, user_id: str = USER_ID, team_id: str = "T0001") -> dict[FollowUpKind, FollowUp]:
    with bot.db.read() as session:
        rows = session.scalars(
            select(FollowUp).where(FollowUp.team_id == team_id, FollowUp.owner_id == user_id)
        )
        return {f.kind: f for f in rows}


def reminder_dms(bot: RunningBot) -> list[Any]:
    return [
        c
        for c in bot.fake.calls("chat.postMessage")
        if (c.args.get("metadata") or {}).get("event_type") == METADATA_EVENT
    ]


def home_click(bot: RunningBot, action_id: str, follow_up_id: int, **element: Any) -> None:
    """A click on a follow-up's buttons on App Home, as Slack sends it (a view, no message)."""
    element = element or {"value": str(follow_up_id)}
    response = bot.slack.block_action(
        action_id, block_id=f"{ACTIONS_BLOCK}{follow_up_id}", view=HOME, **element
    )
    assert response.status == 200


def republished(bot: RunningBot) -> list[dict[str, Any]]:
    """Flush the debounced republishes; the views they published, one per person."""
    before = len(bot.fake.calls("views.publish"))
    count = bot.deps.home.flush()
    calls = bot.fake.calls("views.publish")[before:]
    assert len(calls) == count and all(c.response["ok"] for c in calls)
    return [c.args["view"] for c in calls]


def test_home_lists_my_open_follow_ups_overdue_first_in_my_timezone_and_nobody_elses(
    bot: RunningBot, elsewhere: RunningBot, clock: time_machine.Traveller
) -> None:
    submit_log_modal(bot, "Acme", pains="Approvals get lost in email")  # a thank-you and a summary
    bot.fake.add_users("U0002")
    submit_log_modal(bot, "Globex", user_id="U0002", pains="Exports time out")
    submit_log_modal(elsewhere, "Initech", pains="Invoices are wrong")  # same user id, elsewhere
    clock.shift(timedelta(hours=25))  # the thank-you is overdue, the summary not yet due

    view = open_home(bot)
    owed = mine(bot)
    thank_you, summary = owed[FollowUpKind.THANK_YOU], owed[FollowUpKind.SUMMARY]
    assert listed(view) == [thank_you.id, summary.id]  # overdue first, and only mine
    shown = json.dumps(view, ensure_ascii=False)
    assert "1 overdue" in shown and "Acme" in shown
    assert "Globex" not in shown and "Initech" not in shown and "Invoices are wrong" not in shown
    # Due dates as New York reads them (the fake's users live there), not UTC.
    assert local_time(thank_you.due_at, NEW_YORK) in shown
    assert local_time(thank_you.due_at, UTC) not in shown
    # Each one carries the reminder DM's own buttons.
    actions = next(b for b in view["blocks"] if b.get("block_id") == f"{ACTIONS_BLOCK}{thank_you.id}")
    assert [e["action_id"] for e in actions["elements"]] == [
        ReminderAction.DONE,
        ReminderAction.SNOOZE,
        ReminderAction.SKIP,
    ]


def test_done_from_the_home_closes_it_republishes_the_home_and_updates_the_dm(
    bot: RunningBot, sender: ReminderSender, clock: time_machine.Traveller
) -> None:
    submit_log_modal(bot, "Acme", interpretation="They close the month by hand")  # only a thank-you
    clock.shift(timedelta(hours=25))
    assert sender.tick().sent == 1
    (dm,) = reminder_dms(bot)
    thank_you = mine(bot)[FollowUpKind.THANK_YOU]
    assert listed(open_home(bot)) == [thank_you.id]
    republished(bot)  # what logging marked

    home_click(bot, ReminderAction.DONE, thank_you.id)
    assert mine(bot)[FollowUpKind.THANK_YOU].state == FollowUpState.DONE
    (update,) = bot.fake.wait_for("chat.update")
    assert (update.args["channel"], update.args["ts"]) == (dm.response["channel"], dm.response["ts"])
    assert "✅ Done" in json.dumps(update.args["blocks"], ensure_ascii=False)
    assert not [b for b in update.args["blocks"] if b.get("type") == "actions"]  # no stale buttons left
    (home,) = republished(bot)
    assert listed(home) == []


def test_snooze_from_the_home_says_until_when_and_reminds_then(
    bot: RunningBot, sender: ReminderSender, clock: time_machine.Traveller
) -> None:
    submit_log_modal(bot, "Acme", interpretation="They close the month by hand")
    clock.shift(timedelta(hours=25))
    sender.tick()
    republished(bot)
    thank_you = mine(bot)[FollowUpKind.THANK_YOU]
    option = {"type": "static_select", "selected_option": {"value": f"1h:{thank_you.id}"}}
    home_click(bot, ReminderAction.SNOOZE, thank_you.id, **option)
    snoozed = mine(bot)[FollowUpKind.THANK_YOU]
    assert snoozed.state == FollowUpState.SNOOZED and snoozed.remind_at is not None
    (home,) = republished(bot)
    assert listed(home) == [thank_you.id]
    assert f"snoozed until {local_time(snoozed.remind_at, NEW_YORK)}" in json.dumps(home, ensure_ascii=False)
    bot.fake.wait_for("chat.update")  # the DM no longer offers what was answered
    clock.shift(timedelta(minutes=61))
    assert sender.tick().sent == 1


def test_done_from_the_dm_republishes_the_home_and_redraws_the_dm_once(
    bot: RunningBot, sender: ReminderSender, clock: time_machine.Traveller
) -> None:
    submit_log_modal(bot, "Acme", interpretation="They close the month by hand")
    clock.shift(timedelta(hours=25))
    sender.tick()
    (dm,) = reminder_dms(bot)
    thank_you = mine(bot)[FollowUpKind.THANK_YOU]
    republished(bot)

    response = bot.slack.block_action(
        ReminderAction.DONE,
        block_id=f"{ACTIONS_BLOCK}{thank_you.id}",
        message=dm.response["message"],
        channel_id=dm.response["channel"],
        response_url=bot.fake.response_url,
        value=str(thank_you.id),
    )
    assert response.status == 200
    (home,) = republished(bot)
    assert listed(home) == []
    after_ack_done(bot.deps)
    assert len(bot.fake.calls("chat.update")) == 1  # the clicked DM, not once more as "a DM listing it"


def test_a_burst_of_changes_publishes_the_home_once(
    bot: RunningBot, sender: ReminderSender, clock: time_machine.Traveller
) -> None:
    submit_log_modal(bot, "Acme")  # a thank-you and a summary
    clock.shift(timedelta(hours=49))
    sender.tick()
    republished(bot)
    owed = mine(bot)
    publishes = len(bot.fake.calls("views.publish"))

    submit_log_modal(bot, "Globex", pains="Exports time out")
    home_click(bot, ReminderAction.DONE, owed[FollowUpKind.THANK_YOU].id)
    home_click(bot, ReminderAction.DONE, owed[FollowUpKind.SUMMARY].id)
    assert bot.deps.home.pending() == [("T0001", USER_ID)]
    (home,) = republished(bot)
    assert len(bot.fake.calls("views.publish")) == publishes + 1
    shown = json.dumps(home, ensure_ascii=False)
    assert "Globex" in shown and "Exports time out" in shown  # drawn after all three changes
    assert not {owed[FollowUpKind.THANK_YOU].id, owed[FollowUpKind.SUMMARY].id} & set(listed(home))
    assert republished(bot) == []  # nothing left pending


@time_machine.travel(NEW_YORK_TUESDAY_10AM, tick=False)
def test_upcoming_calls_and_the_week_with_a_pinned_clock(bot: RunningBot, elsewhere: RunningBot) -> None:
    for account in ("Acme", "Globex"):
        submit_log_modal(bot, account, pains="Approvals get lost in email")
    for _ in range(2):  # one account, twice: a theme of its own, ranked below what two accounts share
        submit_log_modal(bot, "Initech", pains="The mobile app crashes on upload")
    submit_log_modal(elsewhere, "Umbrella", pains="Approvals get lost in email")
    submit_log_modal(bot, "Hooli", held_on="2026-11-14", pains="Approvals get lost in email")  # weeks ago
    UpkeepJob(
        db=bot.db,
        embedder=LexicalEmbedder(),
        replica="r1",
        schedule=UpkeepSchedule(regroup_every=timedelta(hours=1), rebuild_every=timedelta(days=7)),
    ).tick(now=datetime.now(UTC))
    republished(bot)
    starts = NEW_YORK_TUESDAY_10AM + timedelta(days=1, hours=3)  # Wednesday 13:00 in New York
    assert schedule(bot, starts=starts, account="Hooli", goal="Learn <how> they approve").status == 200
    # A call scheduled with me republishes my Home, as it does the organiser's.
    assert bot.deps.home.pending() == [("T0001", USER_ID), ("T0001", "U0002")]
    republished(bot)

    with bot.db.transaction() as session:  # the accounts' weight, from the CRM; Hooli's call was weeks ago
        for account in session.scalars(select(Account).where(Account.team_id == "T0001")):
            account.arr, account.segment = {"Acme": (300_000, "Enterprise"), "Hooli": (900_000, "SMB")}.get(
                account.name, (None, "SMB")
            )
    home = json.dumps(open_home(bot, "U0002"), ensure_ascii=False)
    assert "*Hooli* · Wed 25 Nov, 13:00–13:30" in home  # New York's time
    assert "Learn &lt;how&gt; they approve" in home  # escaped
    assert "organised by <@U0001>" in home
    assert "(18 Nov–24 Nov): 4 interviews with 3 accounts" in home  # this workspace's week only
    pains = home[home.index("Top pains") :]
    assert "1. " in pains and ": 2 accounts" in pains and "2. " in pains and ": 1 account" in pains
    assert pains.index("2 accounts") < pains.index("1 account")
    # Each pain's weight, as the digest's: the week's accounts only (Hooli's approvals were weeks ago).
    assert ": 2 accounts · $300k ARR (ARR known for 1 of 2) · Enterprise 1, SMB 1" in pains
    assert ": 1 account · SMB 1" in pains


def test_a_latest_interviews_button_opens_it_in_a_modal(bot: RunningBot) -> None:
    bot.fake.add_users("U0002")
    submit_log_modal(bot, "Acme", pains="Approvals get lost in email", participants=["U0002"])
    # Logged by me, with U0002 on the call: both Homes are republished.
    assert bot.deps.home.pending() == [("T0001", USER_ID), ("T0001", "U0002")]
    view = open_home(bot)
    (button,) = [
        b["accessory"]
        for b in view["blocks"]
        if (b.get("accessory") or {}).get("action_id") == InterviewAction.OPEN
    ]
    with bot.db.read() as session:
        interview_id = session.scalars(select(Interview.id)).one()
    assert button["value"] == str(interview_id)
    response = bot.slack.block_action(InterviewAction.OPEN, block_id="x", view=HOME, value=button["value"])
    assert response.status == 200
    opened = bot.fake.calls("views.open")[-1]
    assert opened.response["ok"] and opened.args["view"]["callback_id"] == InterviewAction.MODAL
    assert f"interview #{interview_id}" in json.dumps(opened.args["view"])


def test_the_log_and_schedule_buttons_open_their_modals(bot: RunningBot) -> None:
    opened = len(bot.fake.calls("views.open"))
    response = bot.slack.block_action(Home.LOG_INTERVIEW, block_id=Home.ACTIONS, view=HOME)
    assert response.status == 200
    assert len(bot.fake.calls("views.open")) == opened + 1

    response = bot.slack.block_action(Home.SCHEDULE_CALL, block_id=Home.ACTIONS, view=HOME)
    assert response.status == 200
    scheduled = bot.fake.calls("views.open")[-1]
    assert scheduled.response["ok"] and scheduled.args["view"]["callback_id"] == ScheduleModal.CALLBACK_ID


def test_a_database_outage_while_republishing_logs_one_line_and_raises_nothing(
    bot: RunningBot, caplog: pytest.LogCaptureFixture
) -> None:
    submit_log_modal(bot, "Acme")
    with database_outage(bot.db), caplog.at_level(logging.WARNING):
        assert bot.deps.home.flush() == 0
    lines = [r for r in caplog.records if "App Home" in r.getMessage()]
    assert len(lines) == 1 and "database is unreachable" in lines[0].getMessage()
    assert bot.fake.calls("views.publish") == []
