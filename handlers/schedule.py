"""`/interview schedule`: record an upcoming call; prep DMs go out before it, a debrief after it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from slack_bolt import Ack, App
from sqlalchemy.orm import Session

from bot.errors import InvalidInput
from bot.followups.calls import CallDraft, schedule_call
from bot.outbox.queue import enqueue
from bot.text import fallback_text
from handlers.deps import Actor, Deps
from handlers.views.common import as_object, id_number, input_value, is_user_id, slack_time
from handlers.views.schedule import ScheduleModal, schedule_modal
from handlers.web_api.client import call
from storage.models import OutboxKind


def register(app: App) -> None:
    app.view_submission(ScheduleModal.CALLBACK_ID)(submit_schedule)


def open_schedule(*, ack: Ack, actor: Actor, deps: Deps, trigger_id: str) -> None:
    # The next full hour is a likely start; people adjust it.
    start = (datetime.now(UTC) + timedelta(hours=1)).replace(minute=0, second=0, microsecond=0)
    view = schedule_modal(user_id=actor.user_id, starts_at=start, ends_at=start + timedelta(minutes=30))
    call(deps.interactive_client.views_open, trigger_id=trigger_id, view=view)
    ack()


def parse_schedule(state: dict[str, Any]) -> CallDraft:
    """The submitted view state as a draft; a field of the wrong type (a forged payload) reads as empty."""

    def moment(block: ScheduleModal) -> datetime | None:
        raw = input_value(state, block).get("selected_date_time")
        seconds = id_number(raw)  # whole non-negative seconds, as Slack sends them
        try:
            return datetime.fromtimestamp(seconds, UTC) if seconds is not None else None
        except (OverflowError, OSError, ValueError):  # past the years a datetime holds
            return None

    account = as_object(input_value(state, ScheduleModal.ACCOUNT).get("selected_option")).get("value")
    goal = input_value(state, ScheduleModal.GOAL).get("value")
    picked = input_value(state, ScheduleModal.PARTICIPANTS).get("selected_users")
    people = [u for u in picked if isinstance(u, str) and is_user_id(u)] if isinstance(picked, list) else []
    return CallDraft(
        account=account if isinstance(account, str) else None,
        starts_at=moment(ScheduleModal.STARTS_AT),
        ends_at=moment(ScheduleModal.ENDS_AT),
        goal=goal if isinstance(goal, str) else None,
        participants=people,
    )


def submit_schedule(ack: Ack, view: dict[str, Any], actor: Actor, deps: Deps) -> None:
    """Store the call and its confirmation DM in one transaction, ack, then send the DM (the outbox retries
    it if Slack fails now)."""
    draft = parse_schedule(as_object(as_object(view.get("state")).get("values")))
    now = datetime.now(UTC)
    prep_before = deps.settings.prep_before

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
        text = (
            fallback_text(f"Scheduled: the call with {account} at ")
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

    try:
        messages = deps.db.run(store)
    except InvalidInput as exc:
        ack(response_action="errors", errors=exc.fields)
        return
    ack()
    deps.send_after_commit(messages)
    if messages:  # stored now, not a repeat: the call is on the Home of everyone on it
        for user_id in dict.fromkeys([actor.user_id, *draft.participants]):
            deps.home.changed(team_id=actor.team_id, user_id=user_id)
