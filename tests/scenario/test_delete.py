"""Deleting an interview as people do it: Delete on the confirmation DM or in the interview modal, a
confirmation that says what will go, and only the author or a workspace admin may; afterwards nothing of
it remains, and no reminder or confirmation about it goes out later."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from sqlalchemy import func, select

from handlers.delete import NOT_YOURS
from handlers.senders.outbox import METADATA_EVENT as OUTBOX_EVENT
from handlers.senders.outbox import OutboxSender
from handlers.senders.reminders import ReminderSender
from handlers.views.delete import RemovalMetadata, RemovalModal
from handlers.views.interview import InterviewAction
from storage.models import (
    DeliveryState,
    FollowUp,
    Interview,
    OutboxMessage,
    Pain,
    Quote,
    ReminderDelivery,
    Theme,
)
from tests.conftest import RunningBot
from tests.scenario.test_reminders import reminders
from tests.scenario.test_search import stored
from tests.support.after_ack import after_ack_done
from tests.support.fake_slack import Call
from tests.support.forms import submit_log_modal
from tests.support.slack_requests import USER_ID, Response
from tests.support.themed import group_pains

OTHER = "U0002"
ADMIN = "U0009"


def delete_button(blocks: list[dict[str, Any]]) -> dict[str, Any]:
    (button,) = [
        e
        for b in blocks
        if b["type"] == "actions"
        for e in b["elements"]
        if e.get("action_id") == InterviewAction.DELETE
    ]
    return button


def saved_dm(bot: RunningBot) -> Call:
    (dm,) = [
        c
        for c in bot.fake.wait_for("chat.postMessage")
        if (c.args.get("metadata") or {}).get("event_type") == OUTBOX_EVENT
    ]
    return dm


def click_delete_in_dm(bot: RunningBot, dm: Call, *, user_id: str = USER_ID) -> Response:
    button = delete_button(dm.args["blocks"])
    response = bot.slack.block_action(
        InterviewAction.DELETE,
        block_id=InterviewAction.MANAGE,
        message=dm.response["message"],
        channel_id=dm.response["channel"],
        value=button["value"],
        user_id=user_id,
    )
    assert response.status == 200
    return response


def confirmation(bot: RunningBot, method: str = "views.open") -> dict[str, Any]:
    call = bot.fake.wait_for(method)[-1]
    assert call.args["view"]["callback_id"] == RemovalModal.DELETE
    return call.response["view"]


def confirmations(bot: RunningBot) -> list[Call]:
    """Every delete confirmation the bot opened or pushed."""
    return [
        c
        for c in bot.fake.calls()
        if c.method in ("views.open", "views.push")
        and c.args["view"].get("callback_id") == RemovalModal.DELETE
    ]


def confirmed(bot: RunningBot, view: dict[str, Any], *, user_id: str = USER_ID) -> dict[str, Any]:
    """Submit a confirmation: "…ing" takes its place at once (the ack comes before the removal, which
    may outlast Slack's 3 s), then, once the work after the ack is done, what was removed, or why not."""
    answer = bot.slack.view_submission(view, {}, user_id=user_id).json()
    assert answer["response_action"] == "update" and "…" in json.dumps(answer["view"], ensure_ascii=False)
    after_ack_done(bot.deps)
    (result,) = [c for c in bot.fake.calls("views.update") if c.args["view_id"] == view["id"]]
    assert result.accepted
    return result.args["view"]


def interviews(bot: RunningBot) -> int:
    with bot.db.read() as session:
        return int(session.scalar(select(func.count()).select_from(Interview)) or 0)


def searched(bot: RunningBot, text: str) -> str:
    return json.dumps(bot.slack.command(f"search {text}").json())


def test_the_author_deletes_their_interview_from_the_confirmation_dm(bot: RunningBot) -> None:
    submit_log_modal(bot, "Acme", pains="Exports time out\nInvoices by hand", quotes="We hate Fridays")
    dm = saved_dm(bot)
    assert "Invoices by hand" in searched(bot, "exports")
    click_delete_in_dm(bot, dm)
    view = confirmation(bot)
    said = json.dumps(view["blocks"])
    assert "*Acme*" in said and "2 pains" in said and "1 quote" in said
    assert "2 follow-ups (2 open)" in said and "2 pending reminders" in said
    assert interviews(bot) == 1  # nothing goes before the confirmation

    bot.deps.home.flush()
    published = len(bot.fake.calls("views.publish"))
    said = json.dumps(confirmed(bot, view))
    assert "Deleted the interview with *Acme*" in said and "2 pains" in said
    assert bot.deps.home.flush() == 1  # the author's App Home listed it: drawn again
    assert [c.args["user_id"] for c in bot.fake.calls("views.publish")[published:]] == [USER_ID]
    assert interviews(bot) == 0
    with bot.db.read() as session:
        for model in (Pain, Quote, FollowUp, OutboxMessage):
            assert session.scalar(select(func.count()).select_from(model)) == 0
    assert "No interview matches" in searched(bot, "exports")


def test_the_app_home_of_each_participant_is_drawn_again_too(bot: RunningBot) -> None:
    """Their Home lists the interviews they took part in."""
    bot.fake.add_users(OTHER)
    submit_log_modal(bot, "Acme", participants=[OTHER])
    dm = saved_dm(bot)
    click_delete_in_dm(bot, dm)
    bot.deps.home.flush()
    published = len(bot.fake.calls("views.publish"))
    confirmed(bot, confirmation(bot))
    assert bot.deps.home.flush() == 2
    assert sorted(c.args["user_id"] for c in bot.fake.calls("views.publish")[published:]) == [USER_ID, OTHER]


def test_its_dm_and_channel_share_then_say_it_was_deleted_and_keep_none_of_its_words(
    bot: RunningBot,
) -> None:
    bot.fake.set_channel("C0SHARE", name="research")
    submit_log_modal(bot, "Acme", pains="Our churn numbers leak", share_channel="C0SHARE")
    posts = bot.fake.wait_for("chat.postMessage", count=2)
    assert {p.args["channel"] for p in posts} >= {"C0SHARE"}
    (dm,) = [p for p in posts if p.args["channel"] != "C0SHARE"]
    click_delete_in_dm(bot, dm)
    confirmed(bot, confirmation(bot))
    updates = bot.fake.calls("chat.update")
    assert {(u.args["channel"], u.args["ts"]) for u in updates} == {
        (p.response["channel"], p.response["ts"]) for p in posts
    }
    assert all(u.accepted and u.args["text"] == "This interview was deleted." for u in updates)
    assert all("churn" not in json.dumps(u.args["blocks"]) for u in updates)


def test_someone_else_cannot_delete_it_nor_by_a_forged_confirmation(bot: RunningBot) -> None:
    submit_log_modal(bot, "Acme")
    dm = saved_dm(bot)
    click_delete_in_dm(bot, dm, user_id=OTHER)
    # A short private refusal, by DM (a click has nowhere else to answer), and no confirmation.
    refusal = bot.fake.wait_for("chat.postMessage", count=2)[-1]
    assert refusal.args["channel"] == OTHER and refusal.args["text"] == NOT_YOURS
    assert confirmations(bot) == []
    # users.info was asked about the one clicking, who is no admin.
    assert [c.args["user"] for c in bot.fake.calls("users.info")][-1] == OTHER

    # A confirmation submitted by them all the same (ids are in the payload) deletes nothing.
    interview_id = int(delete_button(dm.args["blocks"])["value"])
    forged = {
        "type": "modal",
        "callback_id": RemovalModal.DELETE,
        "private_metadata": RemovalMetadata(interview_id=interview_id).dumps(),
        "blocks": [],
    }
    response = bot.slack.view_submission(forged, {}, user_id=OTHER)
    assert response.status == 200 and (response.json() or {}).get("response_action") != "update"
    after_ack_done(bot.deps)
    assert bot.fake.calls("chat.postMessage")[-1].args["text"] == NOT_YOURS
    assert interviews(bot) == 1


@pytest.mark.parametrize("flag", ["is_admin", "is_owner", "is_primary_owner"])
def test_a_workspace_admin_or_owner_deletes_anyones(bot: RunningBot, flag: str) -> None:
    bot.fake.set_user(ADMIN, **{flag: True})
    submit_log_modal(bot, "Acme")
    click_delete_in_dm(bot, saved_dm(bot), user_id=ADMIN)
    view = confirmation(bot)
    assert "Deleted the interview" in json.dumps(confirmed(bot, view, user_id=ADMIN))
    assert interviews(bot) == 0


def test_delete_in_the_interview_modal_confirms_on_top_of_it(bot: RunningBot) -> None:
    interview_id = stored(bot, account="Initech", pains="Renewal blocked by security review")
    other_team = stored(bot, team_id="T0OTHER", account="Initech", pains="Renewal blocked too")
    bot.slack.block_action(InterviewAction.OPEN, block_id="b", value=str(interview_id))
    (opened,) = bot.fake.wait_for("views.open")
    modal = opened.response["view"]
    button = delete_button(modal["blocks"])
    bot.slack.block_action(
        InterviewAction.DELETE, block_id=InterviewAction.MANAGE, view=modal, value=button["value"]
    )
    view = confirmation(bot, "views.push")
    assert view["previous_view_id"] == modal["id"]
    assert "Deleted the interview" in json.dumps(confirmed(bot, view))
    # The interview modal below says it is gone.
    (updated,) = [c for c in bot.fake.calls("views.update") if c.args["view_id"] == modal["id"]]
    assert updated.accepted and "was deleted" in json.dumps(updated.args["view"])
    with bot.db.read() as session:
        assert session.get(Interview, interview_id) is None
        assert session.get(Interview, other_team) is not None


def test_the_interview_modal_shows_delete_to_its_author_and_admins_only(bot: RunningBot) -> None:
    interview_id = stored(bot, account="Initech", pains="Renewal blocked by security review")
    bot.fake.set_user(ADMIN, is_admin=True)

    def buttons(user_id: str) -> list[str]:
        bot.slack.block_action(InterviewAction.OPEN, block_id="b", value=str(interview_id), user_id=user_id)
        modal = bot.fake.wait_for("views.open")[-1].response["view"]
        return [e["action_id"] for b in modal["blocks"] if b["type"] == "actions" for e in b["elements"]]

    assert buttons(USER_ID) == [InterviewAction.EDIT, InterviewAction.DELETE]
    assert buttons(ADMIN) == [InterviewAction.DELETE]
    assert buttons(OTHER) == []  # they could only be refused


def test_a_forged_delete_click_for_another_workspaces_interview_finds_nothing(bot: RunningBot) -> None:
    theirs = stored(bot, team_id="T0OTHER", account="Globex")
    bot.slack.block_action(
        InterviewAction.DELETE, block_id="x", value=str(theirs), channel_id="D1", message={"ts": "1"}
    )
    said = bot.fake.wait_for("chat.postMessage")[-1]
    assert "gone" in said.args["text"] and confirmations(bot) == []
    assert interviews(bot) == 1


def test_a_theme_it_alone_held_disappears_and_a_shared_one_shrinks(bot: RunningBot) -> None:
    acme = stored(bot, account="Acme", pains="Reports are slow\nAcme only pain")
    stored(bot, account="Globex", pains="Building reports takes ages")
    shared, alone = group_pains(
        bot.db, "T0001", [["Reports are slow", "Building reports takes ages"], ["Acme only pain"]]
    )
    bot.slack.block_action(InterviewAction.OPEN, block_id="b", value=str(acme))
    modal = bot.fake.wait_for("views.open")[-1].response["view"]
    bot.slack.block_action(InterviewAction.DELETE, block_id="x", view=modal, value=str(acme))
    view = confirmation(bot, "views.push")
    assert "1 theme will disappear" in json.dumps(view["blocks"])
    assert "1 theme disappeared" in json.dumps(confirmed(bot, view))
    with bot.db.read() as session:
        assert session.get(Theme, alone) is None
        theme = session.get(Theme, shared)
        assert theme is not None and (theme.size, theme.accounts) == (1, 1)


def test_a_reminder_waiting_to_go_out_for_a_deleted_interview_never_does(
    bot: RunningBot, sender: ReminderSender, clock: time_machine.Traveller
) -> None:
    submit_log_modal(bot, "Acme")
    dm = saved_dm(bot)
    clock.shift(timedelta(hours=24, minutes=1))
    # The thank-you reminder is claimed, and Slack fails it: it waits, pending, to be sent again.
    bot.fake.fail("chat.postMessage", "internal_error")
    sender.tick()
    with bot.db.read() as session:
        (pending,) = session.scalars(select(ReminderDelivery)).all()
        assert pending.state == DeliveryState.PENDING
    click_delete_in_dm(bot, dm)
    confirmed(bot, confirmation(bot))
    for _ in range(3):
        clock.shift(timedelta(hours=12))
        sender.tick()
    assert reminders(bot) == []
    with bot.db.read() as session:
        assert session.scalars(select(ReminderDelivery)).all() == []


def test_a_reminder_dm_already_sent_is_drawn_again_without_the_deleted_interviews_follow_ups(
    bot: RunningBot, sender: ReminderSender, clock: time_machine.Traveller
) -> None:
    submit_log_modal(bot, "Acme", promises="Send the Acme deck")
    dm = saved_dm(bot)
    submit_log_modal(bot, "Globex")
    clock.shift(timedelta(hours=24, minutes=1))
    sender.tick()
    (reminder,) = reminders(bot)
    assert "Acme" in json.dumps(reminder.args["blocks"]) and "Globex" in json.dumps(reminder.args["blocks"])
    click_delete_in_dm(bot, dm)
    confirmed(bot, confirmation(bot))
    (redrawn,) = [
        u
        for u in bot.fake.calls("chat.update")
        if (u.args["channel"], u.args["ts"]) == (reminder.response["channel"], reminder.response["ts"])
    ]
    assert redrawn.accepted
    shown = json.dumps(redrawn.args["blocks"])
    assert "Globex" in shown and "Acme" not in shown


def test_a_saved_dm_still_to_send_is_not_sent_after_the_delete(
    bot: RunningBot, clock: time_machine.Traveller
) -> None:
    bot.fake.fail("chat.postMessage", "internal_error")
    interview_id = None
    submit_log_modal(bot, "Acme")
    after_ack_done(bot.deps)
    with bot.db.read() as session:
        interview_id = session.scalar(select(Interview.id))
        assert session.scalar(select(func.count()).select_from(OutboxMessage)) == 1
    bot.slack.block_action(InterviewAction.OPEN, block_id="b", value=str(interview_id))
    modal = bot.fake.wait_for("views.open")[-1].response["view"]
    bot.slack.block_action(InterviewAction.DELETE, block_id="x", view=modal, value=str(interview_id))
    confirmed(bot, confirmation(bot, "views.push"))
    replica = OutboxSender(db=bot.db, client=bot.deps.client, replica="replica-2")
    try:
        clock.shift(timedelta(minutes=5))
        assert replica.tick() == 0
    finally:
        replica.close()
    assert bot.fake.calls("chat.postMessage") == []
