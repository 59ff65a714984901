"""The follow-up loop with time moved by time-machine: reminders come when due, inside working hours,
once; Done, Snooze and Skip change them; a pile-up after downtime is one DM per person."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from sqlalchemy import select

from bot.reminders.deliveries import ReminderPolicy
from handlers.senders.reminders import METADATA_EVENT, ReminderSender
from handlers.views.reminders import ReminderAction
from storage.models import DeliveryState, FollowUp, FollowUpKind, FollowUpState, ReminderDelivery
from tests.conftest import RunningBot
from tests.support.forms import submit_log_modal
from tests.support.slack_requests import USER_ID


def reminders(bot: RunningBot) -> list:
    """The reminder DMs Slack accepted so far (the log confirmation DMs are left out)."""
    return [
        c
        for c in bot.fake.calls("chat.postMessage")
        if (c.args.get("metadata") or {}).get("event_type") == METADATA_EVENT and c.status == 200
    ]


def listed(call: Any) -> list[int]:
    return [
        int(b["block_id"][3:]) for b in call.args["blocks"] if str(b.get("block_id", "")).startswith("fu:")
    ]


def follow_ups(bot: RunningBot) -> dict[FollowUpKind, FollowUp]:
    with bot.db.read() as session:
        return {f.kind: f for f in session.scalars(select(FollowUp))}


def test_the_thank_you_reminder_comes_24_hours_after_the_call(
    bot: RunningBot, sender: ReminderSender, clock: time_machine.Traveller
) -> None:
    submit_log_modal(bot)
    bot.fake.wait_for("chat.postMessage")  # the confirmation
    assert sender.tick().sent == 0
    clock.shift(timedelta(hours=23, minutes=59))
    assert sender.tick().sent == 0
    clock.shift(timedelta(minutes=2))
    assert sender.tick().sent == 1
    (dm,) = reminders(bot)
    assert dm.args["channel"] == USER_ID
    assert listed(dm) == [follow_ups(bot)[FollowUpKind.THANK_YOU].id]
    shown = json.dumps(dm.args["blocks"], ensure_ascii=False)
    assert "thank-you email" in shown and "A draft to copy" in shown and "reached out again" in shown
    assert sender.tick().sent == 0  # once, not every tick


@pytest.mark.parametrize("bot_env", [{"FOLLOWUP_THANK_YOU_AFTER": "10h"}])
def test_a_reminder_due_at_night_comes_at_the_start_of_working_hours(
    bot: RunningBot, sender: ReminderSender, clock: time_machine.Traveller
) -> None:
    submit_log_modal(bot)  # Tuesday 10:00 in New York: due at 20:00, after hours
    bot.fake.wait_for("chat.postMessage")
    clock.move_to(datetime(2026, 11, 25, 1, 0, tzinfo=UTC))  # Tuesday 20:00 in New York
    assert sender.tick().sent == 0
    clock.move_to(datetime(2026, 11, 25, 13, 59, tzinfo=UTC))  # Wednesday 08:59
    assert sender.tick().sent == 0
    clock.move_to(datetime(2026, 11, 25, 14, 0, 30, tzinfo=UTC))  # Wednesday 09:00
    assert sender.tick().sent == 1


def click(
    bot: RunningBot, dm: Any, action_id: str, *, value: str | None = None, option: str | None = None
) -> Any:
    """A click in the reminder DM `dm` (its chat.postMessage call), as Slack sends it."""
    element: dict[str, Any] = {"value": value}
    if option is not None:
        element = {"type": "static_select", "selected_option": {"value": option}}
    response = bot.slack.block_action(
        action_id,
        block_id="x",
        message=dm.response["message"],
        channel_id=dm.response["channel"],
        response_url=bot.fake.response_url,
        **element,
    )
    assert response.status == 200
    return response


def test_done_updates_the_dm_in_place_and_a_stale_click_says_so(
    bot: RunningBot, sender: ReminderSender, clock: time_machine.Traveller
) -> None:
    submit_log_modal(bot, interpretation="They need a faster month-end close")  # only the thank-you is owed
    bot.fake.wait_for("chat.postMessage")
    clock.shift(timedelta(hours=25))
    sender.tick()
    (dm,) = reminders(bot)
    thank_you = follow_ups(bot)[FollowUpKind.THANK_YOU]
    click(bot, dm, ReminderAction.DONE, value=str(thank_you.id))
    update = bot.fake.wait_for("chat.update")[0]
    assert update.args["ts"] == dm.response["ts"]
    assert "✅ Done" in json.dumps(update.args["blocks"], ensure_ascii=False)
    assert not [b for b in update.args["blocks"] if b.get("type") == "actions"]  # no stale buttons
    assert follow_ups(bot)[FollowUpKind.THANK_YOU].state == FollowUpState.DONE

    click(bot, dm, ReminderAction.DONE, value=str(thank_you.id))  # the old message, clicked again
    said = bot.fake.wait_for("response.url")[0]
    assert "already marked done" in said.args["text"]
    clock.shift(timedelta(days=2))
    assert sender.tick().sent == 0  # done means no more reminders


def test_snooze_and_skip(bot: RunningBot, sender: ReminderSender, clock: time_machine.Traveller) -> None:
    submit_log_modal(bot)  # thank-you due in 24 h, summary in 48 h
    bot.fake.wait_for("chat.postMessage")
    clock.shift(timedelta(hours=25))  # Wednesday 11:00 in New York
    sender.tick()
    (dm,) = reminders(bot)
    thank_you = follow_ups(bot)[FollowUpKind.THANK_YOU]
    click(bot, dm, ReminderAction.SNOOZE, option=f"1h:{thank_you.id}")
    bot.fake.wait_for("chat.update")
    snoozed = follow_ups(bot)[FollowUpKind.THANK_YOU]
    assert snoozed.state == FollowUpState.SNOOZED
    assert snoozed.remind_at is not None and abs(
        snoozed.remind_at - (datetime.now(UTC) + timedelta(hours=1))
    ) < timedelta(minutes=1)
    clock.shift(timedelta(minutes=59))
    assert sender.tick().sent == 0
    clock.shift(timedelta(minutes=2))
    assert sender.tick().sent == 1

    again = reminders(bot)[-1]
    click(bot, again, ReminderAction.SKIP, value=str(thank_you.id))
    bot.fake.wait_for("chat.update", count=2)
    assert follow_ups(bot)[FollowUpKind.THANK_YOU].state == FollowUpState.SKIPPED


def test_an_overdue_item_is_resent_once_per_working_day_three_times_then_stops(
    bot: RunningBot, sender: ReminderSender, clock: time_machine.Traveller
) -> None:
    submit_log_modal(bot, interpretation="Understood")  # only the thank-you is owed
    bot.fake.wait_for("chat.postMessage")
    clock.shift(timedelta(hours=24, minutes=1))  # Wednesday 10:01
    days = []
    for _ in range(8):
        sent = sender.tick().sent
        assert sender.tick().sent == 0  # never twice on the same day
        days.append(sent)
        clock.shift(timedelta(days=1))
    # Wed (first reminder), Thu, Fri, then the weekend is skipped, Mon: three resends; then nothing.
    assert days == [1, 1, 1, 0, 0, 1, 0, 0]
    item = follow_ups(bot)[FollowUpKind.THANK_YOU]
    assert item.state == FollowUpState.OPEN and item.remind_at is None and item.reminders_sent == 4


def test_after_three_days_down_each_person_gets_one_dm_listing_everything(
    bot: RunningBot, sender: ReminderSender, clock: time_machine.Traveller
) -> None:
    for account in ("Acme", "Globex", "Initech"):
        submit_log_modal(bot, account=account, promises="Send the deck tomorrow")
    submit_log_modal(bot, account="Umbrella", user_id="U0002")
    bot.fake.wait_for("chat.postMessage", count=4)
    clock.shift(timedelta(days=3))  # Friday 10:00: everything is overdue, nothing was sent
    assert sender.tick().sent == 2
    dms = {c.args["channel"]: c for c in reminders(bot)}
    assert set(dms) == {USER_ID, "U0002"}
    assert len(listed(dms[USER_ID])) == 9  # 3 thank-yous, 3 summaries, 3 promises
    assert len(listed(dms["U0002"])) == 2


def test_one_tick_claims_batch_after_batch_until_nothing_is_due(
    bot: RunningBot, clock: time_machine.Traveller
) -> None:
    people = [USER_ID, "U0002", "U0003", "U0004", "U0005"]
    for n, person in enumerate(people):
        submit_log_modal(bot, account=f"Account {n}", user_id=person)
    bot.fake.wait_for("chat.postMessage", count=len(people))
    clock.shift(timedelta(hours=25))  # every thank-you is due
    config = bot.deps.config
    policy = ReminderPolicy(working_hours=config.working_hours, max_resends=config.max_resends)
    sender = ReminderSender(
        db=bot.db, client=bot.deps.client, timezones=bot.deps.timezones, policy=policy, batch=2
    )
    try:
        assert sender.tick().sent == len(people)  # three batches of two, the last one short
    finally:
        sender.close()
    assert {c.args["channel"] for c in reminders(bot)} == set(people)


def test_a_user_slack_cannot_reach_is_not_retried_forever(
    bot: RunningBot, sender: ReminderSender, clock: time_machine.Traveller
) -> None:
    submit_log_modal(bot, interpretation="Understood")
    bot.fake.wait_for("chat.postMessage")
    clock.shift(timedelta(hours=25))
    bot.fake.fail("chat.postMessage", "account_inactive")
    assert sender.tick().failed == 1
    item = follow_ups(bot)[FollowUpKind.THANK_YOU]
    assert item.undeliverable == "account_inactive" and item.remind_at is None
    clock.shift(timedelta(days=1))
    assert sender.tick().claimed == 0


def test_a_delivery_whose_sender_died_after_sending_is_not_sent_twice(
    bot: RunningBot, sender: ReminderSender, clock: time_machine.Traveller
) -> None:
    submit_log_modal(bot, interpretation="Understood")
    bot.fake.wait_for("chat.postMessage")
    clock.shift(timedelta(hours=25))
    dead = ReminderSender(
        db=bot.db, client=bot.deps.client, timezones=bot.deps.timezones, policy=sender.policy, replica="dead"
    )
    real_record = dead._record
    dead._record = lambda *args, **kwargs: None  # type: ignore[method-assign]  # dies right after sending
    assert dead.tick().sent == 1
    dead._record = real_record  # type: ignore[method-assign]
    dead.close()
    assert len(reminders(bot)) == 1

    assert sender.tick().claimed == 0  # the dead replica's lease still holds
    clock.shift(sender.policy.lease + timedelta(seconds=1))
    result = sender.tick()
    assert result.found_in_slack == 1 and result.sent == 0
    assert len(reminders(bot)) == 1
    # Found where Slack keeps it: the history of the DM channel (Slack refuses a user id there).
    (looked,) = bot.fake.calls("conversations.history", include_rejected=True)
    assert looked.accepted and looked.args["channel"] == reminders(bot)[0].response["channel"]
    with bot.db.read() as session:
        (delivery,) = session.scalars(select(ReminderDelivery)).all()
        assert delivery.state == DeliveryState.SENT


def set_pause(bot: RunningBot, day: str | None) -> Any:
    assert bot.slack.command("settings").status == 200
    view = bot.fake.calls("views.open")[-1].args["view"]
    assert view["callback_id"] == "reminder_settings"
    values = {"pause_until": {"value": {"type": "datepicker", "selected_date": day}}}
    return bot.slack.view_submission(view, values)


def test_a_paused_person_gets_nothing_until_the_pause_ends(
    bot: RunningBot, sender: ReminderSender, clock: time_machine.Traveller
) -> None:
    submit_log_modal(bot, interpretation="Understood")  # the thank-you is due Wednesday 10:00
    bot.fake.wait_for("chat.postMessage")
    response = set_pause(bot, "2026-11-30")  # back on Monday
    assert response.status == 200 and not response.body, response.body
    clock.shift(timedelta(hours=25))
    result = sender.tick()
    assert result.sent == 0 and result.deferred == 1
    clock.move_to(datetime(2026, 11, 30, 13, 59, tzinfo=UTC))  # Monday 08:59 in New York
    assert sender.tick().sent == 0
    clock.move_to(datetime(2026, 11, 30, 14, 0, 30, tzinfo=UTC))  # Monday 09:00
    assert sender.tick().sent == 1


def test_resuming_early_brings_held_reminders_back_and_a_past_date_is_refused(
    bot: RunningBot, sender: ReminderSender, clock: time_machine.Traveller
) -> None:
    submit_log_modal(bot, interpretation="Understood")
    bot.fake.wait_for("chat.postMessage")
    assert set_pause(bot, "2026-12-04").status == 200
    clock.shift(timedelta(hours=25))
    assert sender.tick().deferred == 1
    refused = set_pause(bot, "2026-11-20").json()
    assert refused["response_action"] == "errors" and "after today" in refused["errors"]["pause_until"]
    assert not set_pause(bot, None).body  # cleared: reminders are on again
    assert sender.tick().sent == 1


def test_a_sender_stalled_past_its_lease_does_not_send_what_another_took_over(
    bot: RunningBot, sender: ReminderSender, clock: time_machine.Traveller
) -> None:
    from bot.reminders.deliveries import claim_due

    submit_log_modal(bot, interpretation="Understood")
    bot.fake.wait_for("chat.postMessage")
    clock.shift(timedelta(hours=25))
    slow = ReminderSender(
        db=bot.db, client=bot.deps.client, timezones=bot.deps.timezones, policy=sender.policy, replica="slow"
    )
    (claimed,) = bot.db.run(
        lambda s: claim_due(
            session=s, now=datetime.now(UTC), replica="slow", lease=sender.policy.lease, limit=10
        )
    )
    clock.shift(sender.policy.lease + timedelta(seconds=1))  # "slow" stalls (rate-limit sleeps, say)
    assert sender.tick().sent == 1  # another replica takes the delivery over and sends it
    assert slow.deliver(claimed) == "skipped"  # the stalled one wakes up and must not send it again
    slow.close()
    assert len(reminders(bot)) == 1


def test_no_reminder_goes_out_in_a_guessed_timezone(
    bot: RunningBot, sender: ReminderSender, clock: time_machine.Traveller
) -> None:
    submit_log_modal(bot, interpretation="Understood", user_id="U0NEW")
    bot.fake.wait_for("chat.postMessage")
    with bot.db.transaction() as session:  # as if the zone had never been learned
        from storage.models import Person

        session.query(Person).delete()
    bot.deps.timezones._cache.clear()
    clock.shift(timedelta(hours=25))
    bot.fake.rate_limit("users.info", retry_after=1, times=None)
    assert sender.tick().retrying == 1
    assert reminders(bot) == []
    bot.fake.reset()
    clock.shift(timedelta(minutes=2))
    assert sender.tick().sent == 1


def test_a_rate_limit_hands_the_reminder_back_until_slack_allows_it(
    bot: RunningBot, sender: ReminderSender, clock: time_machine.Traveller
) -> None:
    submit_log_modal(bot, interpretation="Understood")
    bot.fake.wait_for("chat.postMessage")
    clock.shift(timedelta(hours=25))
    bot.fake.rate_limit("chat.postMessage", retry_after=30)
    assert sender.tick().retrying == 1  # no thread sleeps 30 s: the delivery waits in the database
    clock.shift(timedelta(seconds=28))
    assert sender.tick().claimed == 0
    clock.shift(timedelta(seconds=3))
    assert sender.tick().sent == 1
    assert bot.fake.calls("conversations.history") == []  # Slack said no, so there was nothing to look for
    assert len(reminders(bot)) == 1
