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
from bot.errors import BotError, InterviewGone, InvalidInput
from bot.outbox.queue import Posted, redraw, withdraw
from bot.people.timezones import zone
from bot.themes.recount import recount_marked_themes
from handlers.deps import Actor, Deps
from handlers.log_modal import parse_log_form, record_share
from handlers.modals import open_modal, opened_for
from handlers.views.common import as_dicts, as_object, fallback_text, id_number, in_modal
from handlers.views.interview import (
    UNSHARED_TEXT,
    InterviewAction,
    interview_modal,
    saved_interview_message,
    shared_interview_message,
    unshared_message,
)
from handlers.views.log_modal import LogModal, LogModalMetadata, edit_prefill, log_modal
from handlers.web_api.client import quietly
from storage.models import OutboxKind


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
            )
    except BotError:
        ack()
        raise
    open_over(deps, actor, body, view)
    ack()


def open_over(deps: Deps, actor: Actor, body: dict[str, Any], view: View) -> None:
    """Open `view` for a click: on top of the modal it came from (views.push), else on its own."""
    open_modal(deps, actor, trigger_id=body.get("trigger_id"), view=view, push=in_modal(body))


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
    draft = parse_log_form(view.get("state", {}).get("values", {}))
    metadata = LogModalMetadata.loads(view.get("private_metadata"))
    if metadata.interview_id is None:
        raise InterviewGone()
    interview_id = metadata.interview_id
    tz = (
        zone(metadata.tz) if metadata.tz else deps.timezones.known(actor.team_id, actor.user_id) or zone(None)
    )
    below = view.get("previous_view_id")
    settings = deps.settings

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
            thank_you_after=settings.thank_you_after,
            summary_after=settings.summary_after,
            working_hours=settings.working_hours,
        )
        if not edited.changed:
            return None
        interview, account = edited.interview, edited.interview.account.name
        shared = (
            OutboxKind.INTERVIEW_SHARED,
            f"Interview with {account}",
            shared_interview_message(interview),
        )
        drawn = [
            (
                OutboxKind.INTERVIEW_SAVED,
                f"Saved your interview with {account}.",
                saved_interview_message(interview, edited.follow_ups, tz),
            ),
        ]
        behind: list[Posted | None] = []
        sends: list[int] = []
        if "share_channel" in edited.changed:
            # The old channel's post says it is no longer shared there (none of its words stay), and
            # the new channel gets its own post, as logging shares it.
            behind.append(
                withdraw(
                    session=session,
                    team_id=actor.team_id,
                    interview_id=interview.id,
                    kind=OutboxKind.INTERVIEW_SHARED,
                    text=UNSHARED_TEXT,
                    blocks=as_dicts(unshared_message()),
                    now=now,
                )
            )
            share = record_share(session=session, interview=interview, user_id=actor.user_id, now=now)
            sends += [share] if share is not None else []
        else:
            drawn.append(shared)
        for kind, text, blocks in drawn:
            behind.append(
                redraw(
                    session=session,
                    team_id=actor.team_id,
                    interview_id=interview.id,
                    kind=kind,
                    text=fallback_text(text),
                    blocks=as_dicts(blocks),
                    now=now,
                )
            )
        sends += [p.message_id for p in behind if p is not None and p.message_id is not None]
        # The submission names the modal below; it is redrawn only if the bot opened it for this person.
        below_id = opened_for(session, actor, below, what="the edited interview's modal")
        modal = (below_id, interview_modal(interview, viewer_id=actor.user_id, tz=tz)) if below_id else None
        return _Redraw(modal, edited.concerned, sends)

    try:
        drawn = deps.db.run(store)
    except InvalidInput as exc:
        ack(response_action="errors", errors=exc.fields)
        return
    ack()
    if drawn is None:
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
