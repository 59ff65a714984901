"""An interview's Edit: its author's button in the confirmation DM and in the interview's modal opens the
log modal filled with what is stored; submitting it changes the interview in place, then redraws what
shows it (the confirmation DM, the channel post, the modal it was opened from)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from slack_bolt import Ack, App
from slack_sdk.models.views import View
from sqlalchemy.orm import Session

from bot.capture.edits import edit_interview, editable_interview
from bot.capture.messages import record_edited
from bot.errors import BotError, InterviewGone
from bot.people.timezones import zone
from bot.themes.recount import recount_marked_themes
from handlers.deps import Actor, Deps
from handlers.modals import open_over, opened_for, stored
from handlers.study_pick import interview_choice, study_shown
from handlers.views.common import as_object, id_number
from handlers.views.interview import (
    InterviewAction,
    InterviewBlocks,
    interview_modal,
)
from handlers.views.log_form import parse_log_form
from handlers.views.log_modal import LogModal, LogModalMetadata, edit_prefill, log_modal
from handlers.views.study_pick import parse_study_pick
from handlers.web_api.client import quietly


def register(app: App) -> None:
    app.action(InterviewAction.EDIT)(edit_clicked)
    app.view_submission(LogModal.EDIT_CALLBACK_ID)(submit_edit)


def edit_clicked(ack: Ack, body: dict[str, Any], actor: Actor, deps: Deps) -> None:
    """Open the filled form, then ack (the trigger_id dies after 3 s): pushed over the interview's modal
    when clicked there, else a modal of its own. Anyone but the author is told it is not theirs."""
    interview_id = id_number(as_object((body.get("actions") or [{}])[0]).get("value"))
    # The promises' dates are shown in this zone and read back in it (the metadata carries it).
    tz = deps.timezones.known(actor.team_id, actor.user_id) or zone(None)
    try:
        if interview_id is None:
            raise InterviewGone()
        with deps.db.read() as session:
            interview = editable_interview(
                session=session, team_id=actor.team_id, interview_id=interview_id, user_id=actor.user_id
            )
            view = log_modal(
                today=datetime.now(tz).date(),
                user_id=actor.user_id,
                metadata=LogModalMetadata(tz=str(tz), interview_id=interview.id),
                prefill=edit_prefill(interview, tz),
                editing=True,
                study=interview_choice(session, actor.team_id, interview.id),
            )
    except BotError:
        ack()
        raise
    open_over(deps, actor, body, view)
    ack()


@dataclass(frozen=True)
class _Redraw:
    """What shows the interview, drawn again from the committed edit."""

    modal: tuple[str, View] | None  # the interview's modal the form was pushed over (its id), or None
    concerned: tuple[str, ...]  # whose App Home shows it, before or after the edit
    # Outbox messages the edit recorded, sent or redrawn after commit (or by a tick, if this process is
    # gone by then): the share into a newly picked channel, the confirmation DM and the posts behind it.
    sends: list[int]


def submit_edit(ack: Ack, view: dict[str, Any], actor: Actor, deps: Deps) -> None:
    """Store the edit inside Slack's 3 s (bad input keeps the form open with what is wrong), ack, then
    redraw what shows the interview. The messages it changed are recorded as behind in the edit's own
    transaction, so a restart right after the ack still has them redrawn, by the outbox's next tick."""
    values = view.get("state", {}).get("values", {})
    draft = parse_log_form(values)
    metadata = LogModalMetadata.loads(view.get("private_metadata"))
    if metadata.interview_id is None:
        raise InterviewGone()
    interview_id = metadata.interview_id
    tz = (
        zone(metadata.tz) if metadata.tz else deps.timezones.known(actor.team_id, actor.user_id) or zone(None)
    )
    below = view.get("previous_view_id")
    config = deps.config

    def store(session: Session) -> _Redraw | None:
        now = datetime.now(UTC)
        edited = edit_interview(
            session=session,
            team_id=actor.team_id,
            interview_id=interview_id,
            draft=draft,
            by=actor.user_id,
            now=now,
            tz=tz,
            thank_you_after=config.thank_you_after,
            summary_after=config.summary_after,
            working_hours=config.working_hours,
            study=parse_study_pick(values),
        )
        if not edited.changed:
            return None
        interview = edited.interview
        sends = record_edited(session=session, edited=edited, drawing=InterviewBlocks, tz=tz, now=now)
        # The submission names the modal below; it is redrawn only if the bot opened it for this person.
        below_id = opened_for(session, actor, below, what="the edited interview's modal")
        modal = None
        if below_id:
            shown = study_shown(session, interview, actor.user_id)
            modal = (below_id, interview_modal(interview, viewer_id=actor.user_id, tz=tz, study=shown))
        return _Redraw(modal, edited.concerned, sends)

    drawn = stored(ack, deps, store)
    if drawn is None:  # the form back with what is wrong, or nothing changed
        return
    deps.send_after_commit(drawn.sends)
    # The themes it took lines from count them again; the themes job does it if this process dies first.
    deps.after_ack(lambda: recount_marked_themes(deps.db, team_id=actor.team_id))
    for user_id in drawn.concerned:
        deps.home.changed(team_id=actor.team_id, user_id=user_id)
    if drawn.modal is not None:  # a modal is only open for now: nothing to keep for later
        view_id, modal = drawn.modal
        what = "the edited interview's modal"
        deps.after_ack(lambda: quietly(deps.client.views_update, what, view_id=view_id, view=modal))
