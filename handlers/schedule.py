"""`/interview schedule`: record an upcoming call; prep DMs go out before it, a debrief after it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from slack_bolt import Ack, App
from sqlalchemy.orm import Session

from bot.deps import Actor, Deps
from bot.errors import InvalidInput
from bot.followups.calls import CallDraft, schedule_call
from bot.outbox.queue import enqueue
from bot.slack import call
from handlers.log_modal import input_value
from handlers.views.common import fallback_text, is_user_id, slack_time
from handlers.views.schedule import ScheduleModal, schedule_modal
from storage.models import OutboxKind


def register(app: App) -> None:
    app.view_submission(ScheduleModal.CALLBACK_ID)(submit_schedule)


def open_schedule(*, ack: Ack, actor: Actor, deps: Deps, trigger_id: str) -> None:
    # The next full hour is a likely start; people adjust it.
    start = (datetime.now(UTC) + timedelta(hours=1)).replace(minute=0, second=0, microsecond=0)
    view = schedule_modal(user_id=actor.user_id, starts_at=start, ends_at=start + timedelta(minutes=30))
    call(deps.interactive_client.views_open, trigger_id=trigger_id, view=view)
    ack()


def _picked(state: dict[str, Any], block: ScheduleModal) -> dict[str, Any]:
    return (
        (state.get(block.value) or {}).get(ScheduleModal.VALUE)
        or (state.get(block.value) or {}).get("account_search")
    ) or {}


def parse_schedule(state: dict[str, Any]) -> CallDraft:
    def moment(block: ScheduleModal) -> datetime | None:
        raw = input_value(state, block).get("selected_date_time")
        return (
            datetime.fromtimestamp(int(raw), UTC)
            if isinstance(raw, int | str) and str(raw).isdigit()
            else None
        )

    account = (input_value(state, ScheduleModal.ACCOUNT).get("selected_option") or {}).get("value")
    goal = input_value(state, ScheduleModal.GOAL).get("value")
    people = [
        u for u in input_value(state, ScheduleModal.PARTICIPANTS).get("selected_users") or [] if is_user_id(u)
    ]
    return CallDraft(
        account=account,
        starts_at=moment(ScheduleModal.STARTS_AT),
        ends_at=moment(ScheduleModal.ENDS_AT),
        goal=goal if isinstance(goal, str) else None,
        participants=people,
    )


def submit_schedule(ack: Ack, view: dict[str, Any], actor: Actor, deps: Deps) -> None:
    """Store the call and its confirmation DM in one transaction, ack, then send the DM (the outbox retries
    it if Slack fails now)."""
    draft = parse_schedule(view.get("state", {}).get("values", {}))
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
        scheduled = stored.call
        prep_at = max(now, scheduled.starts_at - prep_before)
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
