"""Studies in the forms: the studies the log, edit and schedule modals offer (the person's last one picked
while it is open), the form drawn again with a study's points when one is picked, and the study of a logged
interview picked after the fact from its modal (recorded in its history)."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from slack_bolt import Ack, App
from slack_sdk.errors import SlackApiError
from sqlalchemy.orm import Session

from bot.capture.edits import edit_study, editable_interview
from bot.capture.interviews import get_interview
from bot.errors import BotError, InterviewGone
from bot.people.timezones import zone
from bot.studies.answers import remembered_study, study_of
from bot.studies.store import get_study, live_points, open_studies
from bot.text import escape_mrkdwn
from handlers.deps import Actor, Deps
from handlers.modals import open_over, opened_for, redraw_modal, stored
from handlers.views.common import as_object, id_number
from handlers.views.interview import InterviewAction, StudyShown, interview_modal
from handlers.views.log_form import parse_log_form, prefill_of
from handlers.views.log_modal import LogModal, LogModalMetadata, log_modal
from handlers.views.study_pick import (
    StudyChoice,
    StudyModalMetadata,
    StudyPickId,
    parse_study_pick,
    study_modal,
    typed_answers,
)
from handlers.web_api.client import quietly
from handlers.web_api.refusals import error_code
from storage.db import DatabaseUnavailable
from storage.models import Answer, Interview

log = logging.getLogger(__name__)


def register(app: App) -> None:
    app.action(StudyPickId.PICK)(study_picked)
    app.action(InterviewAction.STUDY)(study_clicked)
    app.view_submission(StudyPickId.CALLBACK_ID)(submit_study)


def study_choice(
    session: Session,
    team_id: str,
    *,
    picked: int | None,
    answers: dict[int, tuple[Answer, str | None]] | None = None,
    keep: tuple[int, str] | None = None,
) -> StudyChoice | None:
    """The workspace's open studies, and `keep` (an interview's own study, id and name) even once closed;
    `picked` with its live points when it is one of them. None when there is none to pick."""
    studies = [(s.id, s.name) for s in open_studies(session=session, team_id=team_id)]
    if keep is not None and keep[0] not in {i for i, _ in studies}:
        studies.append((keep[0], f"{keep[1]} (closed)"))
    if not studies:
        return None
    if picked not in {i for i, _ in studies}:
        return StudyChoice(tuple(studies))
    assert picked is not None
    study = get_study(session=session, team_id=team_id, study_id=picked)
    points = tuple((p.id, p.text) for p in live_points(study))
    return StudyChoice(tuple(studies), picked, points, answers or {})


def log_choice(deps: Deps, actor: Actor, *, study_id: int | None = None) -> StudyChoice | None:
    """What a new log offers: the open studies, `study_id` picked (a scheduled call's) or else the
    person's last one. A database that does not answer opens the form without (typing it loses nothing;
    the submission says if it is still away)."""
    try:
        with deps.db.read() as session:
            last = remembered_study(session=session, team_id=actor.team_id, user_id=actor.user_id)
            return study_choice(session, actor.team_id, picked=study_id if study_id is not None else last)
    except DatabaseUnavailable as exc:
        log.info("the log form opens without its studies: %s", exc)
        return None


def interview_choice(
    session: Session,
    team_id: str,
    interview_id: int,
    *,
    switched: bool = False,
    picked: int | None = None,
    typed: dict[int, tuple[Answer, str | None]] | None = None,
) -> StudyChoice | None:
    """What an interview's edit (or its study modal) offers: its own study picked with its answers, or,
    `switched`, the study `picked` in the form, with what was `typed` over what is stored."""
    current = study_of(session=session, team_id=team_id, interview_id=interview_id)
    own = current.study_id if current else None
    chosen = picked if switched else own
    answers = dict(current.answers) if current and chosen == own else {}
    return study_choice(
        session,
        team_id,
        picked=chosen,
        answers={**answers, **(typed or {})},
        keep=(current.study_id, current.study_name) if current else None,
    )


def study_shown(session: Session, interview: Interview, viewer_id: str) -> StudyShown:
    """The interview's study and answers for its modal; the button for its author when there is a study to
    add it to, or one to change."""
    current = study_of(session=session, team_id=interview.team_id, interview_id=interview.id)
    author = viewer_id == interview.logged_by
    if current is None:
        offer = author and bool(open_studies(session=session, team_id=interview.team_id))
        return StudyShown(button=offer)
    study = get_study(session=session, team_id=interview.team_id, study_id=current.study_id)
    answers = tuple(
        (current.answers[p.id][0], p.text, current.answers[p.id][1])
        for p in study.points
        if p.id in current.answers
    )
    return StudyShown(current.study_name, answers, button=author)


def _about(interview: Interview) -> str:
    return f"Interview with *{escape_mrkdwn(interview.account.name)}* on {interview.held_on:%a %d %b %Y}"


def study_picked(ack: Ack, body: dict[str, Any], action: dict[str, Any], actor: Actor, deps: Deps) -> None:
    """A study picked in a form: the form again, as it was typed, with that study's points to answer."""
    ack()
    view = as_object(body.get("view"))
    state = as_object(as_object(view.get("state")).get("values"))
    picked = id_number(as_object(action.get("selected_option")).get("value"))
    typed = typed_answers(state)
    callback = view.get("callback_id")
    tz = deps.timezones.known(actor.team_id, actor.user_id) or zone(None)
    with deps.db.read() as session:
        if callback in (LogModal.CALLBACK_ID, LogModal.EDIT_CALLBACK_ID):
            metadata = LogModalMetadata.loads(view.get("private_metadata"))
            editing = callback == LogModal.EDIT_CALLBACK_ID
            if editing:
                interview = _own(session, actor, metadata.interview_id)
                choice = interview_choice(
                    session, actor.team_id, interview.id, switched=True, picked=picked, typed=typed
                )
            else:
                choice = study_choice(session, actor.team_id, picked=picked, answers=typed)
            redrawn: Any = log_modal(
                today=datetime.now(tz).date(),
                user_id=actor.user_id,
                metadata=metadata,
                prefill=prefill_of(parse_log_form(state)),
                editing=editing,
                study=choice,
            )
        elif callback == StudyPickId.CALLBACK_ID:
            metadata_ = StudyModalMetadata.loads(view.get("private_metadata"))
            interview = _own(session, actor, metadata_.interview_id)
            choice = interview_choice(
                session, actor.team_id, interview.id, switched=True, picked=picked, typed=typed
            )
            redrawn = study_modal(
                about=_about(interview), choice=choice or StudyChoice(()), metadata=metadata_
            )
        else:
            return
    try:
        redraw_modal(
            deps,
            actor,
            view.get("id"),
            redrawn,
            what="a form with the study picked",
            client=deps.interactive_client,
            view_hash=view.get("hash") if isinstance(view.get("hash"), str) else None,
        )
    except SlackApiError as exc:
        # The form changed since this click (a second pick, its date corrected): the later one stands.
        if exc.response is None or error_code(exc.response) != "hash_conflict":
            raise
        log.info("did not redraw a form with the study picked: it changed since the click")


def _own(session: Session, actor: Actor, interview_id: int | None) -> Interview:
    """The interview a form is about, if the person logged it (only its author changes its study)."""
    if interview_id is None:
        raise InterviewGone()
    return editable_interview(
        session=session, team_id=actor.team_id, interview_id=interview_id, user_id=actor.user_id
    )


def study_clicked(ack: Ack, body: dict[str, Any], action: dict[str, Any], actor: Actor, deps: Deps) -> None:
    """The interview modal's "Add to a study" / "Study: NAME — change": the study modal over it, for its
    author; anyone else is told it is not theirs."""
    try:
        with deps.db.read() as session:
            interview = _own(session, actor, id_number(action.get("value")))
            choice = interview_choice(session, actor.team_id, interview.id)
            view = study_modal(
                about=_about(interview),
                choice=choice or StudyChoice(()),
                metadata=StudyModalMetadata(interview.id),
            )
    except BotError:
        ack()
        raise
    open_over(deps, actor, body, view)
    ack()


def submit_study(ack: Ack, view: dict[str, Any], actor: Actor, deps: Deps) -> None:
    """The study of a logged interview, and its answers, stored with the change in its history; then the
    interview's modal below drawn again."""
    metadata = StudyModalMetadata.loads(view.get("private_metadata"))
    if metadata.interview_id is None:
        raise InterviewGone()
    interview_id = metadata.interview_id
    state = as_object(as_object(view.get("state")).get("values"))
    below = view.get("previous_view_id")
    tz = deps.timezones.known(actor.team_id, actor.user_id) or zone(None)

    def store(session: Session) -> tuple[str, Any] | None:
        pick = parse_study_pick(state)
        if pick is None:  # the form had no study field: nothing to change
            return None
        by, team_id = actor.user_id, actor.team_id
        now = datetime.now(UTC)
        changed = edit_study(
            session=session, team_id=team_id, interview_id=interview_id, pick=pick, by=by, now=now
        )
        if not changed:
            return None
        below_id = opened_for(session, actor, below, what="the interview's modal")
        interview = get_interview(session=session, team_id=team_id, interview_id=interview_id)
        if below_id is None or interview is None:
            return None
        shown = study_shown(session, interview, by)
        return below_id, interview_modal(interview, viewer_id=by, tz=tz, study=shown)

    drawn = stored(ack, deps, store)
    if drawn is not None:
        view_id, modal = drawn
        what = "the interview's modal"
        deps.after_ack(lambda: quietly(deps.client.views_update, what, view_id=view_id, view=modal))
