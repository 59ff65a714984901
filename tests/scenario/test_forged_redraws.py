"""Forged clicks and submissions, signed as Slack signs them: a request names the message or the modal to
redraw (a channel and ts, a view's id) and its workspace, and Slack fills all of those in. The bot serves
only its installation's workspace and its members, and redraws only a reminder DM it recorded sending to
the one who clicked, or a modal it recorded opening for them. Each check is tried alone: the other one
passes in every test here."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from slack_sdk import WebClient
from sqlalchemy import select, update

from handlers.senders.reminders import ReminderSender
from handlers.views.interview import InterviewAction
from handlers.views.reminders import ReminderAction
from handlers.views.themes import ThemesAction, ThemesView
from storage.models import DeliveryState, FollowUp, FollowUpKind, FollowUpState, OpenedModal, ReminderDelivery
from tests.conftest import BOT_TOKEN, OTHER_TEAM, RunningBot
from tests.scenario.test_delete import click_delete_in_dm, confirmation, saved_dm
from tests.scenario.test_edit import as_typed, click_edit_in_dm, log_one, opened_form
from tests.scenario.test_reminders import reminders
from tests.scenario.test_search import stored
from tests.scenario.test_themes import open_list
from tests.support.after_ack import after_ack_done
from tests.support.fake_slack import Call
from tests.support.forms import submit_log_modal
from tests.support.slack_requests import USER_ID

OTHER = "U0002"


def owed(bot: RunningBot, user_id: str = USER_ID) -> FollowUp:
    """The person's thank-you follow-up."""
    with bot.db.read() as session:
        return session.scalars(
            select(FollowUp).where(FollowUp.owner_id == user_id, FollowUp.kind == FollowUpKind.THANK_YOU)
        ).one()


def reminded(bot: RunningBot, sender: ReminderSender, clock: time_machine.Traveller, *people: str) -> dict:
    """Each person logs a call owing only the thank-you; a day later each has a reminder DM (the
    chat.postMessage call that sent it), by person."""
    for n, person in enumerate(people):
        bot.fake.add_users(person)
        submit_log_modal(bot, f"Customer {n}", user_id=person, interpretation="They close the month by hand")
    bot.fake.wait_for("chat.postMessage", count=len(people))
    # The forms' work after the ack (at 02:30 UTC, their date put right with a views.update) is over
    # before a test counts what the bot calls next.
    after_ack_done(bot.deps)
    clock.shift(timedelta(hours=25))
    assert sender.tick().sent == len(people)
    return {dm.args["channel"]: dm for dm in reminders(bot)}


def click_done(bot: RunningBot, message: dict[str, Any], channel: str, follow_up_id: int, **who: Any) -> None:
    response = bot.slack.block_action(
        ReminderAction.DONE,
        block_id=f"fu_actions:{follow_up_id}",
        message=message,
        channel_id=channel,
        value=str(follow_up_id),
        **who,
    )
    assert response.status == 200


def updated(bot: RunningBot) -> list[tuple[str, str]]:
    """Where chat.update was called, once the work after the acks is done."""
    after_ack_done(bot.deps)
    return [(c.args["channel"], c.args["ts"]) for c in bot.fake.calls("chat.update", include_rejected=True)]


def at(dm: Call) -> tuple[str, str]:
    return dm.response["channel"], dm.response["ts"]


def test_a_click_naming_another_persons_reminder_dm_redraws_only_the_clickers_own(
    bot: RunningBot, sender: ReminderSender, clock: time_machine.Traveller
) -> None:
    dms = reminded(bot, sender, clock, USER_ID, OTHER)
    mine, theirs = dms[USER_ID], dms[OTHER]
    their_item = owed(bot, OTHER)
    # They mark their own follow-up done, the click naming my DM (its channel, ts and blocks).
    click_done(bot, mine.response["message"], mine.response["channel"], their_item.id, user_id=OTHER)
    assert owed(bot, OTHER).state == FollowUpState.DONE  # theirs to close: done
    # Their own DM, as the delivery recorded it, is redrawn; mine is not touched.
    assert updated(bot) == [at(theirs)]
    assert bot.fake.message_at(*at(mine))["text"] == mine.args["text"]
    assert owed(bot, USER_ID).state == FollowUpState.OPEN

    # The same click on my own DM redraws it.
    click_done(bot, mine.response["message"], mine.response["channel"], owed(bot).id)
    assert updated(bot) == [at(theirs), at(mine)]


def test_a_click_naming_a_dm_another_workspace_recorded_redraws_nothing(
    bot: RunningBot, sender: ReminderSender, clock: time_machine.Traveller
) -> None:
    (mine,) = reminded(bot, sender, clock, USER_ID).values()
    item = owed(bot)
    # Another workspace's bot, over the same database, recorded a reminder DM to a person with my user id
    # (Slack ids are per workspace): a message in this fake Slack, so a chat.update of it would succeed.
    posted = WebClient(token=BOT_TOKEN, base_url=bot.fake.url).chat_postMessage(
        channel=USER_ID, text="theirs"
    )
    with bot.db.transaction() as session:
        session.add(
            ReminderDelivery(
                team_id=OTHER_TEAM,
                owner_id=USER_ID,
                state=DeliveryState.SENT,
                follow_up_ids=[item.id],
                lease_owner="elsewhere",
                lease_until=datetime.now(UTC),
                channel_id=posted["channel"],
                message_ts=posted["ts"],
            )
        )
    # I mark my follow-up done, the click naming their message: the workspace is mine, the person too.
    click_done(bot, posted["message"], posted["channel"], item.id)
    assert owed(bot).state == FollowUpState.DONE
    assert updated(bot) == [at(mine)]  # my DM, which lists it; not theirs
    assert bot.fake.message_at(posted["channel"], posted["ts"])["text"] == "theirs"


def test_a_click_from_another_workspace_is_refused_with_one_line_and_no_call(
    bot: RunningBot, sender: ReminderSender, clock: time_machine.Traveller, caplog: pytest.LogCaptureFixture
) -> None:
    (mine,) = reminded(bot, sender, clock, USER_ID).values()
    item = owed(bot)
    before = len(bot.fake.calls())
    # My user id, my DM, my follow-up: only the workspace the request names is another.
    with caplog.at_level(logging.INFO):
        click_done(bot, mine.response["message"], mine.response["channel"], item.id, team_id=OTHER_TEAM)
        after_ack_done(bot.deps)
    assert bot.fake.calls()[before:] == []
    assert owed(bot).state == FollowUpState.OPEN
    refused = [r.getMessage() for r in caplog.records if "refused" in r.getMessage()]
    assert refused == [
        f"refused block_actions from another workspace ({OTHER_TEAM}); this bot is installed in T0001"
    ]


@pytest.mark.parametrize(
    "forged",
    [
        pytest.param({"user": {"id": OTHER, "team_id": "T0PARTNER"}}, id="a partner in a shared channel"),
        pytest.param({"enterprise": {"id": "E0OTHER"}}, id="another Grid org"),
        pytest.param({"is_enterprise_install": True}, id="an org-wide install"),
        pytest.param({"team": None}, id="no workspace"),
        pytest.param(
            {"view": {"id": "V1", "type": "modal", "app_installed_team_id": OTHER_TEAM}},
            id="a view elsewhere",
        ),
    ],
)
def test_an_interview_opens_for_no_one_outside_the_workspace(bot: RunningBot, forged: dict[str, Any]) -> None:
    interview_id = stored(bot, account="Initech", pains="Renewal blocked by security review")
    button = {
        "type": "button",
        "action_id": InterviewAction.OPEN,
        "block_id": "b",
        "value": str(interview_id),
    }

    def click(**fields: Any) -> None:
        payload = {
            "type": "block_actions",
            "team": {"id": "T0001"},
            "user": {"id": bot.slack.acting_as(OTHER), "team_id": "T0001"},
            "trigger_id": bot.slack.trigger_id(),
            "actions": [button],
            **fields,
        }
        assert bot.slack.interaction(payload).status == 200
        after_ack_done(bot.deps)

    click(**forged)
    assert bot.fake.calls() == []  # no Web API call at all: nothing opened, nobody told by DM
    click()  # the same click by a member of the workspace
    assert bot.fake.calls("views.open")


def switch_kind(bot: RunningBot, view: dict[str, Any], **who: Any) -> None:
    response = bot.slack.block_action(
        ThemesAction.KIND,
        block_id=ThemesView.KIND_BLOCK,
        view=view,
        type="static_select",
        selected_option={"value": "request"},
        **who,
    )
    assert response.status == 200


def redrawn_views(bot: RunningBot) -> list[str]:
    after_ack_done(bot.deps)
    return [c.args["view_id"] for c in bot.fake.calls("views.update", include_rejected=True)]


def test_a_click_in_a_modal_opened_for_someone_else_redraws_nothing(bot: RunningBot) -> None:
    bot.fake.add_users(OTHER)
    mine = open_list(bot)
    switch_kind(bot, mine, user_id=OTHER)  # their click, naming my open themes list
    assert redrawn_views(bot) == []
    switch_kind(bot, mine)  # mine
    assert redrawn_views(bot) == [mine["id"]]


def test_a_modal_recorded_for_another_workspace_is_not_redrawn(bot: RunningBot) -> None:
    mine = open_list(bot)
    # As if another workspace's bot, over the same database, had opened it for a person of my user id.
    with bot.db.transaction() as session:
        session.execute(
            update(OpenedModal).where(OpenedModal.view_id == mine["id"]).values(team_id=OTHER_TEAM)
        )
    switch_kind(bot, mine)
    assert redrawn_views(bot) == []


def test_a_modal_is_redrawn_for_a_day_after_it_opened(bot: RunningBot, clock: time_machine.Traveller) -> None:
    listed = open_list(bot)
    clock.shift(timedelta(hours=23))
    switch_kind(bot, listed)
    assert redrawn_views(bot) == [listed["id"]]
    clock.shift(timedelta(hours=2))  # a day and an hour after it opened
    switch_kind(bot, listed)
    assert redrawn_views(bot) == [listed["id"]]  # not again


def test_a_confirmation_submitted_naming_someone_elses_modals_redraws_neither(bot: RunningBot) -> None:
    bot.fake.add_users(OTHER)
    # My interview, open in its modal.
    interview_id = stored(bot, account="Initech", pains="Renewal blocked by security review")
    bot.slack.block_action(InterviewAction.OPEN, block_id="b", value=str(interview_id))
    (opened,) = bot.fake.wait_for("views.open")
    my_modal = opened.response["view"]
    # They delete their own interview, the submission naming my modal as the one below and as itself.
    submit_log_modal(bot, "Globex", user_id=OTHER)
    click_delete_in_dm(bot, saved_dm(bot), user_id=OTHER)
    theirs = confirmation(bot)
    # Early in the UTC day the log modal opened before their timezone was known gets New York's date by a
    # redraw (tests run at 02:30 UTC too): only what the submissions below redraw counts.
    before = len(redrawn_views(bot))
    for forged in ({**theirs, "previous_view_id": my_modal["id"]}, {**theirs, "id": my_modal["id"]}):
        answer = bot.slack.view_submission(forged, {}, user_id=OTHER).json()
        assert answer["response_action"] == "update"
    views = redrawn_views(bot)[before:]
    assert my_modal["id"] not in views
    assert views == [theirs["id"]]  # their result, drawn in their own confirmation
    assert "Deleted the interview" in json.dumps(bot.fake.calls("views.update")[before].args["view"])


def test_an_edit_submitted_naming_someone_elses_modal_redraws_it_not(bot: RunningBot) -> None:
    bot.fake.add_users(OTHER)
    interview_id = stored(bot, account="Initech", pains="Renewal blocked by security review")
    bot.slack.block_action(InterviewAction.OPEN, block_id="b", value=str(interview_id))
    (opened,) = bot.fake.wait_for("views.open")
    my_modal = opened.response["view"]
    dm, interview = log_one(bot, "Globex", user_id=OTHER, notes="Before")
    click_edit_in_dm(bot, dm, user_id=OTHER)
    form = {**opened_form(bot), "previous_view_id": my_modal["id"]}
    response = bot.slack.view_submission(form, as_typed(interview, notes="After"), user_id=OTHER)
    assert response.accepted
    assert my_modal["id"] not in redrawn_views(bot)
