"""`/interview settings`: pause reminders until a date."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from slack_bolt import Ack, App

from bot.followups.actions import pause, paused_until
from handlers.deps import Actor, Deps
from handlers.views.common import as_object
from handlers.views.pause import PauseModal, pause_modal
from handlers.web_api.client import call


def register(app: App) -> None:
    app.view_submission(PauseModal.CALLBACK_ID)(submit_pause)


def open_pause(*, ack: Ack, actor: Actor, deps: Deps, trigger_id: str) -> None:
    tz = deps.timezones.known(actor.team_id, actor.user_id)
    today = datetime.now(tz or UTC).date()
    with deps.db.read() as session:
        until = paused_until(session=session, team_id=actor.team_id, user_id=actor.user_id)
    shown = until.astimezone(tz or UTC).date() if until else None
    call(
        deps.interactive_client.views_open,
        trigger_id=trigger_id,
        view=pause_modal(paused_until=shown, today=today),
    )
    ack()


def submit_pause(ack: Ack, view: dict[str, Any], actor: Actor, deps: Deps) -> None:
    values = as_object(as_object(view.get("state")).get("values"))
    picked = as_object(as_object(values.get(PauseModal.PAUSE_BLOCK)).get(PauseModal.VALUE))
    raw = picked.get("selected_date")
    raw = raw if isinstance(raw, str) else None
    tz = deps.zone_of(actor)
    now = datetime.now(UTC)
    until: datetime | None = None
    if raw:
        try:
            day = date.fromisoformat(raw)
        except ValueError:
            day = None
        if day is None or day <= now.astimezone(tz).date():
            ack(
                response_action="errors",
                errors={PauseModal.PAUSE_BLOCK: "Pick a date after today, or clear it."},
            )
            return
        hours = deps.config.working_hours
        start = hours.start if hours else datetime.min.time()
        until = datetime.combine(day, start, tzinfo=tz).astimezone(UTC)
    deps.db.run(
        lambda session: pause(
            session=session, team_id=actor.team_id, user_id=actor.user_id, until=until, now=now
        )
    )
    ack()
