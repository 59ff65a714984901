"""Interviews logged into a study, end to end: the log modal offers the workspace's open studies (the
person's last one first), picking one draws its validation points to answer, and the submission stores the
interview and its answers in one go; a closed or forged study stores nothing. The edit modal, the interview's
own modal (after the fact) and `/interview schedule` pick a study too, and the interview's history says
when its study or answers changed."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import time_machine
from sqlalchemy import select

from bot.studies.answers import remember_study, study_of
from bot.studies.sheet import build_sheet
from bot.studies.store import StudyClosed, StudyForm, close_study, create_study
from handlers.views.interview import InterviewAction
from handlers.views.log_modal import LogField, LogModal
from handlers.views.reminders import ReminderAction
from handlers.views.study_pick import StudyPickId
from storage.models import (
    Answer,
    Interview,
    InterviewEdit,
    OpenedModal,
    PointAnswer,
    ScheduledCall,
    StudyInterview,
)
from tests.conftest import OTHER_TEAM, RunningBot, interview_count
from tests.scenario.test_edit import click_edit_in_dm, initial, log_one, opened_form
from tests.scenario.test_schedule import schedule
from tests.scenario.test_themes import redrawn
from tests.support.after_ack import after_ack_done
from tests.support.clock import NEW_YORK_TUESDAY_10AM, today
from tests.support.forms import log_form, open_log_modal, study_form, submit_log_modal
from tests.support.slack_requests import USER_ID

POINTS = ("Teams re-key deals by hand", "They would pay for two-way sync", "Admins can set it up alone")
OTHER = "U0002"
LATER = "They bought a connector"


def make_study(bot: RunningBot, name: str = "CRM sync", team_id: str | None = None) -> tuple[int, list[int]]:
    """A study of three points, made as the study modal makes it; its id and its points' ids."""
    with bot.db.transaction() as session:
        study = create_study(
            session=session,
            team_id=team_id or bot.slack.team_id,
            by=USER_ID,
            form=StudyForm(name=name, goal="Is two-way CRM sync worth building?", points="\n".join(POINTS)),
            now=datetime.now(UTC),
        )
        return study.id, [p.id for p in study.points]


def close(bot: RunningBot, study_id: int, conclusion: str) -> None:
    """The study closed by its owner, as the close modal closes it."""
    with bot.db.transaction() as session:
        close_study(
            session=session,
            team_id=bot.slack.team_id,
            study_id=study_id,
            by=USER_ID,
            conclusion=conclusion,
            now=datetime.now(UTC),
            frozen={},
        )


def opened(bot: RunningBot, method: str = "views.open") -> dict[str, Any]:
    """The last view the bot opened (or pushed, or updated), as Slack answered it: with its id and hash."""
    call = bot.fake.calls(method)[-1]
    assert call.response["ok"], call.response
    return call.response["view"]


def settled(bot: RunningBot, view: dict[str, Any]) -> dict[str, Any]:
    """The form as Slack holds it once the work after the open is done: where the user's date differs from
    UTC's (the small hours in UTC, New York still on the day before), the bot corrects the form's date in
    place, and Slack then sends the corrected view, with its new hash, with every click."""
    after_ack_done(bot.deps)
    calls = bot.fake.calls("views.update")
    updates = [c for c in calls if c.accepted and c.args.get("view_id") == view["id"]]
    return updates[-1].response["view"] if updates else view


def block(view: dict[str, Any], block_id: str) -> dict[str, Any] | None:
    return next((b for b in view["blocks"] if b.get("block_id") == block_id), None)


def point_blocks(view: dict[str, Any]) -> list[str]:
    return [
        b["block_id"]
        for b in view["blocks"]
        if str(b.get("block_id", "")).startswith((StudyPickId.ANSWER_BLOCK, StudyPickId.WORDS_BLOCK))
    ]


def pick(
    bot: RunningBot, view: dict[str, Any], study_id: int | None, values: dict[str, Any], **who: Any
) -> Any:
    """Pick a study in the form's select (dispatch_action): the click carries the view as typed so far."""
    value = StudyPickId.NO_STUDY.value if study_id is None else str(study_id)
    return bot.slack.block_action(
        StudyPickId.PICK,
        block_id=StudyPickId.STUDY,
        view={**view, "state": {"values": values}},
        type="static_select",
        selected_option={"text": {"type": "plain_text", "text": value}, "value": value},
        **who,
    )


def as_logged(interview: Interview, **changes: Any) -> dict[str, Any]:
    """The edit form's values as log_one logged it (the default pain), with `changes` typed over."""
    return log_form(held_on=interview.held_on.isoformat(), **{"pains": "Reports are slow", **changes})


def answers_of(bot: RunningBot, interview_id: int) -> dict[int, tuple[Answer, str | None]]:
    with bot.db.read() as session:
        found = study_of(session=session, team_id=bot.slack.team_id, interview_id=interview_id)
        return dict(found.answers) if found else {}


def test_picking_a_study_draws_its_points_and_keeps_what_was_typed(bot: RunningBot) -> None:
    study_id, points = make_study(bot)
    open_log_modal(bot)
    view = settled(bot, opened(bot))
    select = block(view, StudyPickId.STUDY)
    assert select is not None and select["dispatch_action"] is True
    assert [o["value"] for o in select["element"]["options"]] == [StudyPickId.NO_STUDY, str(study_id)]
    assert "initial_option" not in select["element"] and point_blocks(view) == []  # none, by default
    with bot.db.read() as session:  # opened for this person: their click may redraw it
        assert session.scalars(select_opened(view["id"])).all()

    typed = log_form(pains="Deals are typed twice", notes="Sales ops of three", held_on="2026-11-20")
    assert pick(bot, view, study_id, typed).status == 200
    update = bot.fake.calls("views.update")[-1]
    assert update.accepted and update.args["view_id"] == view["id"] and update.args["hash"] == view["hash"]
    redrawn = update.args["view"]
    assert point_blocks(redrawn) == [
        f"{prefix}{p}" for p in points for prefix in (StudyPickId.ANSWER_BLOCK, StudyPickId.WORDS_BLOCK)
    ]
    labels = [block(redrawn, f"{StudyPickId.ANSWER_BLOCK}{p}")["label"]["text"] for p in points]  # type: ignore[index]
    assert labels == [f"{n}. {text}" for n, text in enumerate(POINTS, start=1)]
    assert {
        block(redrawn, f"{StudyPickId.ANSWER_BLOCK}{p}")["element"]["initial_option"]["value"]  # type: ignore[index]
        for p in points
    } == {Answer.NOT_DISCUSSED.value}
    kept = initial(redrawn)
    assert kept[LogField.PAINS] == "Deals are typed twice" and kept[LogField.NOTES] == "Sales ops of three"
    assert kept[LogField.HELD_ON] == "2026-11-20" and kept[LogField.ACCOUNT] == "Acme"
    assert kept[StudyPickId.STUDY] == str(study_id)
    assert (
        redrawn["callback_id"] == LogModal.CALLBACK_ID
        and redrawn["private_metadata"] == view["private_metadata"]
    )

    # "No study" again: the points go, what was typed stays.
    assert pick(bot, opened(bot, "views.update"), None, typed).status == 200
    again = bot.fake.calls("views.update")[-1]
    assert again.accepted and point_blocks(again.args["view"]) == []
    assert initial(again.args["view"])[LogField.PAINS] == "Deals are typed twice"

    # A click on the form as it was before (its hash is old): Slack refuses the redraw, and the later one
    # stands, with no error told to anyone.
    assert pick(bot, view, study_id, typed).status == 200
    stale = bot.fake.calls("views.update", include_rejected=True)[-1]
    assert stale.rejected and stale.response["error"] == "hash_conflict"
    after_ack_done(bot.deps)
    assert bot.fake.calls("chat.postMessage") == []


def select_opened(view_id: str) -> Any:
    return select(OpenedModal).where(OpenedModal.view_id == view_id, OpenedModal.user_id == USER_ID)


def test_a_click_naming_someone_elses_form_redraws_nothing(bot: RunningBot) -> None:
    study_id, _ = make_study(bot)
    open_log_modal(bot)
    theirs = settled(bot, opened(bot))
    updates = len(bot.fake.calls("views.update"))
    bot.fake.add_users(OTHER)
    assert pick(bot, theirs, study_id, log_form(), user_id=OTHER).status == 200
    assert len(bot.fake.calls("views.update")) == updates


def test_six_interviews_across_five_accounts_fill_the_sheet_and_the_later_answer_wins(
    bot: RunningBot, clock: time_machine.Traveller
) -> None:
    study_id, (p1, p2, p3) = make_study(bot)
    calls = [
        ("Acme", "2026-11-10", {p1: ("supports", "We re-key every deal"), p2: ("supports", None)}),
        ("Globex", "2026-11-11", {p1: ("supports", None), p3: ("contradicts", "IT must do it")}),
        ("Initech", "2026-11-12", {p1: ("contradicts", "Zapier does it")}),
        ("Umbrella", "2026-11-13", {p2: ("mixed", "Only if cheap")}),
        ("Hooli", "2026-11-16", {p1: ("supports", None)}),
        ("Acme", "2026-11-20", {p1: ("contradicts", LATER), p3: ("not_discussed", None)}),
    ]
    for account, held_on, answers in calls:
        assert submit_log_modal(bot, account, held_on=held_on, study=study_form(study_id, answers)).accepted
    assert interview_count(bot.db) == 6
    with bot.db.read() as session:
        ids = {
            (i.account.name, i.held_on.isoformat()): i.id
            for i in session.scalars(
                select(Interview).join(StudyInterview, StudyInterview.interview_id == Interview.id)
            )
        }
        assert len(ids) == 6
        sheet = build_sheet(session=session, team_id=bot.slack.team_id, study_id=study_id)
        acme = next(r for r in sheet.rows if r.account == "Acme")
        assert acme.interviews == 2
        latest, kept = acme.cells[0], acme.cells[1]
        assert latest is not None and (latest.answer, latest.evidence) == (Answer.CONTRADICTS, LATER)
        assert kept is not None and kept.answer is Answer.SUPPORTS  # the later call did not discuss it
        first = sheet.points[0]
        assert (first.supports, first.contradicts, first.not_discussed) == (2, 2, 1) and first.disagree
        # Both of Acme's answers to the first point stay, in the interviews' history and rows.
        acme_rows = session.execute(
            select(PointAnswer.interview_id, PointAnswer.answer).where(
                PointAnswer.point_id == p1,
                PointAnswer.interview_id.in_([ids[("Acme", "2026-11-10")], ids[("Acme", "2026-11-20")]]),
            )
        ).all()
        assert sorted(a for _, a in acme_rows) == sorted([Answer.SUPPORTS, Answer.CONTRADICTS])
    assert answers_of(bot, ids[("Acme", "2026-11-10")])[p1] == (Answer.SUPPORTS, "We re-key every deal")
    assert answers_of(bot, ids[("Acme", "2026-11-20")]) == {p1: (Answer.CONTRADICTS, LATER)}


def test_the_study_last_logged_into_is_the_next_default_for_that_person_only(bot: RunningBot) -> None:
    study_id, points = make_study(bot)
    make_study(bot, "Onboarding")
    assert submit_log_modal(bot, study=study_form(study_id, {points[0]: ("supports", None)})).accepted
    open_log_modal(bot)
    view = opened(bot)
    select_block = block(view, StudyPickId.STUDY)
    assert select_block is not None and select_block["element"]["initial_option"]["value"] == str(study_id)
    assert len(point_blocks(view)) == 2 * len(points)  # its points, ready to answer

    bot.fake.add_users(OTHER)
    open_log_modal(bot, user_id=OTHER)
    theirs = block(opened(bot), StudyPickId.STUDY)
    assert theirs is not None and "initial_option" not in theirs["element"]

    # Once it is closed it is offered no more, nor picked by default.
    close(bot, study_id, "Done.")
    open_log_modal(bot)
    now_offered = block(opened(bot), StudyPickId.STUDY)
    assert now_offered is not None and "initial_option" not in now_offered["element"]
    assert str(study_id) not in [o["value"] for o in now_offered["element"]["options"]]


def test_a_study_closed_while_the_form_was_open_refuses_it_and_stores_nothing(bot: RunningBot) -> None:
    study_id, points = make_study(bot)
    view = open_log_modal(bot)
    close(bot, study_id, "We have enough.")
    values = log_form(
        held_on=today(), pains="Slow", study=study_form(study_id, {points[0]: ("supports", None)})
    )
    response = bot.slack.view_submission(view, values)
    assert response.json() == {
        "response_action": "errors",
        "errors": {StudyPickId.STUDY: StudyClosed("CRM sync").user_message},
    }
    assert interview_count(bot.db) == 0


def test_forged_studies_and_points_are_refused_and_nothing_is_stored(bot: RunningBot) -> None:
    study_id, points = make_study(bot)
    theirs, their_points = make_study(bot, "Their study", team_id=OTHER_TEAM)
    _, other_points = make_study(bot, "Onboarding")
    view = open_log_modal(bot)
    day = today()
    forged = [
        study_form(theirs, {their_points[0]: ("supports", None)}),  # another workspace's study
        study_form(study_id, {other_points[0]: ("supports", "x")}),  # a point of another study
        study_form(study_id, {their_points[0]: ("not_discussed", None)}),  # another workspace's point
        study_form(study_id, {points[0]: ("certainly", None)}),  # no such answer
        study_form("12; drop", {}),  # not an id
    ]
    for study in forged:
        response = bot.slack.view_submission(
            view, log_form(held_on=day, pains="Reports are slow", study=study)
        )
        body = response.json()
        assert body["response_action"] == "errors" and set(body["errors"]) == {StudyPickId.STUDY}, body
    assert interview_count(bot.db) == 0
    with bot.db.read() as session:
        assert session.scalars(select(PointAnswer)).all() == []
    # The same form, honest, goes in.
    honest = log_form(
        held_on=day, pains="Reports are slow", study=study_form(study_id, {points[0]: ("supports", "yes")})
    )
    assert bot.slack.view_submission(view, honest).accepted
    assert interview_count(bot.db) == 1


def test_the_edit_modal_shows_the_study_and_an_answer_changed_is_in_the_history(bot: RunningBot) -> None:
    study_id, (p1, p2, p3) = make_study(bot)
    first = {p1: ("supports", "We re-key every deal"), p2: ("mixed", None)}
    dm, interview = log_one(bot, study=study_form(study_id, first))
    click_edit_in_dm(bot, dm)
    form = opened_form(bot)
    shown = initial(form)
    assert shown[StudyPickId.STUDY] == str(study_id)
    assert shown[f"{StudyPickId.ANSWER_BLOCK}{p1}"] == "supports"
    assert shown[f"{StudyPickId.WORDS_BLOCK}{p1}"] == "We re-key every deal"
    assert shown[f"{StudyPickId.ANSWER_BLOCK}{p2}"] == "mixed"
    assert shown[f"{StudyPickId.ANSWER_BLOCK}{p3}"] == "not_discussed"

    changed = {**first, p2: ("contradicts", "Too dear")}
    values = as_logged(interview, study=study_form(study_id, changed))
    response = bot.slack.view_submission(form, values)
    assert response.status == 200 and not response.body, response.body
    assert answers_of(bot, interview.id)[p2] == (Answer.CONTRADICTS, "Too dear")
    with bot.db.read() as session:
        (record,) = session.scalars(select(InterviewEdit)).all()
        assert record.fields == ["study_answers"]

    # Whoever opens it reads what changed, and its answers.
    bot.slack.block_action(InterviewAction.OPEN, block_id="b", value=str(interview.id))
    modal = json.dumps(bot.fake.calls("views.open")[-1].args["view"], ensure_ascii=False)
    assert "study answers" in modal and "*Study:* CRM sync" in modal and "Too dear" in modal


def test_an_edit_that_leaves_a_closed_studys_answers_alone_goes_in(bot: RunningBot) -> None:
    study_id, (p1, _, _) = make_study(bot)
    dm, interview = log_one(bot, study=study_form(study_id, {p1: ("supports", "yes")}))
    close(bot, study_id, "Enough.")
    click_edit_in_dm(bot, dm)
    form = opened_form(bot)
    select_block = block(form, StudyPickId.STUDY)
    assert (
        select_block is not None
        and select_block["element"]["initial_option"]["text"]["text"] == "CRM sync (closed)"
    )
    values = as_logged(
        interview, notes="Finance team of five", study=study_form(study_id, {p1: ("supports", "yes")})
    )
    assert bot.slack.view_submission(form, values).accepted
    with bot.db.read() as session:
        assert session.scalars(select(InterviewEdit.fields)).all() == [["notes"]]
    # Changing the answers of a closed study is refused on the study field.
    click_edit_in_dm(bot, dm)
    form = opened_form(bot)
    values |= study_form(study_id, {p1: ("contradicts", "no")})
    body = bot.slack.view_submission(form, values).json()
    assert body["errors"] == {StudyPickId.STUDY: StudyClosed("CRM sync").user_message}
    assert answers_of(bot, interview.id) == {p1: (Answer.SUPPORTS, "yes")}


def test_a_study_added_after_the_fact_from_the_interviews_modal(bot: RunningBot) -> None:
    study_id, (p1, p2, _) = make_study(bot)
    _, interview = log_one(bot)
    bot.slack.block_action(InterviewAction.OPEN, block_id="b", value=str(interview.id))
    below = opened(bot)
    button = block(below, InterviewAction.STUDY_BLOCK)["elements"][0]  # type: ignore[index]
    assert (button["text"]["text"], button["value"]) == ("Add to a study", str(interview.id))

    # Someone else sees no such button, and a click forged for them is told it is not theirs.
    bot.fake.add_users(OTHER)
    bot.slack.block_action(InterviewAction.OPEN, block_id="b", value=str(interview.id), user_id=OTHER)
    assert "Add to a study" not in json.dumps(opened(bot)) and block(opened(bot), "interview_manage") is None
    pushes = len(bot.fake.calls("views.push"))
    bot.slack.block_action(
        InterviewAction.STUDY,
        block_id=InterviewAction.STUDY_BLOCK,
        view=below,
        value=button["value"],
        user_id=OTHER,
    )
    assert len(bot.fake.calls("views.push")) == pushes

    bot.slack.block_action(
        InterviewAction.STUDY, block_id=InterviewAction.STUDY_BLOCK, view=below, value=button["value"]
    )
    modal = opened(bot, "views.push")
    assert modal["callback_id"] == StudyPickId.CALLBACK_ID and point_blocks(modal) == []
    assert pick(bot, modal, study_id, study_form(study_id)).status == 200
    modal = opened(bot, "views.update")
    assert len(point_blocks(modal)) == 6
    answers = {p1: ("supports", "We re-key every deal"), p2: ("contradicts", None)}
    response = bot.slack.view_submission(modal, study_form(study_id, answers))
    assert response.status == 200 and not response.body, response.body
    assert answers_of(bot, interview.id) == {
        p1: (Answer.SUPPORTS, "We re-key every deal"),
        p2: (Answer.CONTRADICTS, None),
    }
    with bot.db.read() as session:
        (record,) = session.scalars(select(InterviewEdit)).all()
        assert record.fields == ["study", "study_answers"]
    # The interview's modal below says so: its own update, not simply the latest (at 02:30 UTC the log
    # modal's date is corrected too, after the ack, so the second update may still be the pick's).
    redraw = redrawn(bot, below["id"])
    assert redraw.accepted
    drawn = json.dumps(redraw.args["view"], ensure_ascii=False)
    assert (
        "*Study:* CRM sync" in drawn
        and "Study: CRM sync — change" in drawn
        and "study, study answers" in drawn
    )


def test_a_call_scheduled_in_a_study_is_logged_into_it(
    bot: RunningBot, clock: time_machine.Traveller
) -> None:
    study_id, points = make_study(bot)
    starts = NEW_YORK_TUESDAY_10AM + timedelta(hours=3)
    response = schedule(bot, starts=starts, study=study_form(study_id))
    assert response.status == 200 and not response.body, response.body
    confirmation = bot.fake.wait_for("chat.postMessage")[-1]
    assert "study “CRM sync”" in confirmation.args["text"]
    select_block = block(bot.fake.calls("views.open")[-1].args["view"], StudyPickId.STUDY)
    assert select_block is not None and "dispatch_action" not in select_block

    with bot.db.read() as session:
        call_id, call_study = session.execute(select(ScheduledCall.id, ScheduledCall.study_id)).one()
    assert call_study == study_id  # the call keeps its study
    # Logging into another study meanwhile does not move the call: its debrief logs into its own.
    other, _ = make_study(bot, "Pricing")
    with bot.db.transaction() as session:
        remember_study(session=session, team_id=bot.slack.team_id, user_id=USER_ID, study_id=other)
    bot.slack.block_action(ReminderAction.LOG_CALL, block_id="x", value=str(call_id))
    log_view = opened(bot)
    select_block = block(log_view, StudyPickId.STUDY)
    assert select_block is not None and select_block["element"]["initial_option"]["value"] == str(study_id)
    assert len(point_blocks(log_view)) == 2 * len(points)

    # Another workspace's study is refused when scheduling, on the study field.
    theirs, _ = make_study(bot, "Theirs", team_id=OTHER_TEAM)
    errors = schedule(bot, starts=starts, study=study_form(theirs)).json()["errors"]
    assert set(errors) == {StudyPickId.STUDY}
