"""`/interview schedule`: record an upcoming call; prep DMs go out before it, a debrief after it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from slack_bolt import Ack, App
from sqlalchemy.orm import Session

from bot.followups.calls import schedule_call
from bot.outbox.queue import enqueue
from bot.studies.answers import remember_open_study
from bot.text import fallback_text
from handlers.deps import Actor, Deps
from handlers.modals import stored
from handlers.study_pick import log_choice
from handlers.views.common import as_object, slack_time
from handlers.views.schedule import ScheduleModal, parse_schedule, schedule_modal
from handlers.views.study_pick import parse_study_pick
from handlers.web_api.client import call
from storage.models import OutboxKind


def register(app: App) -> None:
    app.view_submission(ScheduleModal.CALLBACK_ID)(submit_schedule)


def open_schedule(*, ack: Ack, actor: Actor, deps: Deps, trigger_id: str) -> None:
    # The next full hour is a likely start; people adjust it.
    start = (datetime.now(UTC) + timedelta(hours=1)).replace(minute=0, second=0, microsecond=0)
    end = start + timedelta(minutes=30)
    study = log_choice(deps, actor)
    view = schedule_modal(user_id=actor.user_id, starts_at=start, ends_at=end, study=study)
    call(deps.interactive_client.views_open, trigger_id=trigger_id, view=view)
    ack()


def submit_schedule(ack: Ack, view: dict[str, Any], actor: Actor, deps: Deps) -> None:
    """Store the call and its confirmation DM in one transaction, ack, then send the DM (the outbox retries
    it if Slack fails now)."""
    values = as_object(as_object(view.get("state")).get("values"))
    draft = parse_schedule(values)
    now = datetime.now(UTC)
    prep_before = deps.config.prep_before

    def store(session: Session) -> list[int]:
        stored = schedule_call(
            session=session,
            team_id=actor.team_id,
            user_id=actor.user_id,
            draft=draft,
            now=now,
            prep_before=prep_before,
            source_view_id=view.get("id"),
        )
        if not stored.created:  # the same submission again: confirmed the first time
            return []
        scheduled, prep_at = stored.call, stored.prep_at
        assert prep_at is not None
        account = scheduled.account.name
        # The call keeps its study: its prep DM carries the study's guide, its debrief logs into it.
        pick = parse_study_pick(values)
        study = None
        if pick is not None and pick.study_id is not None:
            study = remember_open_study(
                session=session, team_id=actor.team_id, user_id=actor.user_id, study_id=pick.study_id
            )
            scheduled.study_id = study.id if study is not None else None
        text = (
            fallback_text(f"Scheduled: the call with {account}")
            + (fallback_text(f" (study “{study.name}”)") if study else "")
            + " at "
            + slack_time(scheduled.starts_at)
            + ". Prep notes go out "
            + slack_time(prep_at)
            + "; afterwards I'll ask how it went."
        )
        return [
            enqueue(
                session=session,
                team_id=actor.team_id,
                user_id=actor.user_id,
                kind=OutboxKind.CALL_SCHEDULED,
                channel_id=actor.user_id,
                text=text,
                about=f"the confirmation of your call with {account}",
                now=now,
            )
        ]

    messages = stored(ack, deps, store)
    if messages:  # stored now, not a repeat: the call is on the Home of everyone on it
        deps.send_after_commit(messages)
        for user_id in dict.fromkeys([actor.user_id, *draft.participants]):
            deps.home.changed(team_id=actor.team_id, user_id=user_id)
