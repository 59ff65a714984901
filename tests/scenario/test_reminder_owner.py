"""A follow-up is answered by its owner only: Done, Skip or Snooze clicked by anyone else (a forged,
correctly signed click naming another person's follow-up) is refused and changes nothing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine

from handlers.senders.reminders import ReminderSender
from handlers.views.reminders import ReminderAction
from storage.models import FollowUpKind, FollowUpState
from tests.conftest import RunningBot
from tests.scenario.test_reminders import follow_ups, reminders
from tests.support.after_ack import after_ack_done
from tests.support.forms import submit_log_modal
from tests.support.slack_requests import USER_ID

SOMEONE_ELSE = "U0002"


def clicked(action: ReminderAction, follow_up_id: int) -> dict[str, Any]:
    """The clicked element's fields for `action` on this follow-up, as Slack sends them."""
    if action is ReminderAction.SNOOZE:
        return {"type": "static_select", "selected_option": {"value": f"1h:{follow_up_id}"}}
    return {"value": str(follow_up_id)}


@pytest.mark.parametrize(
    ("action", "owner_gets"),
    [
        (ReminderAction.DONE, FollowUpState.DONE),
        (ReminderAction.SKIP, FollowUpState.SKIPPED),
        (ReminderAction.SNOOZE, FollowUpState.SNOOZED),
    ],
    ids=["done", "skip", "snooze"],
)
def test_nobody_answers_a_follow_up_of_someone_else(
    bot: RunningBot,
    sender: ReminderSender,
    clock: time_machine.Traveller,
    action: ReminderAction,
    owner_gets: FollowUpState,
) -> None:
    submit_log_modal(bot, interpretation="Understood")  # U0001's thank-you
    bot.fake.wait_for("chat.postMessage")
    clock.shift(timedelta(hours=25))
    assert sender.tick().sent == 1
    (dm,) = reminders(bot)
    item = follow_ups(bot)[FollowUpKind.THANK_YOU]

    def stored() -> tuple[Any, ...]:
        now = follow_ups(bot)[FollowUpKind.THANK_YOU]
        return (now.state, now.remind_at, now.reminders_sent, now.closed_at)

    before = stored()
    assert before[0] == FollowUpState.OPEN
    in_the_dm = {
        "block_id": "x",
        "message": dm.response["message"],
        "channel_id": dm.response["channel"],
        "response_url": bot.fake.response_url,
        **clicked(action, item.id),
    }
    forged = bot.slack.block_action(action, user_id=SOMEONE_ELSE, **in_the_dm)
    assert forged.status == 200
    assert stored() == before, f"{SOMEONE_ELSE}'s {action.name.lower()} changed another person's follow-up"
    (told,) = bot.fake.wait_for("response.url")
    assert "someone else" in told.args["text"]
    after_ack_done(bot.deps)
    assert bot.fake.calls("chat.update") == []  # the owner's DM is left as it was

    # The owner's own click does what it says: the refusal was about who clicked.
    assert bot.slack.block_action(action, user_id=USER_ID, **in_the_dm).status == 200
    assert stored()[0] == owner_gets
    bot.fake.wait_for("chat.update")
