"""App Home: published when a person opens it; its button opens the log modal."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from slack_bolt import Ack, App

from bot.capture.interviews import recent_interviews
from bot.deps import Actor, Deps
from bot.outbox.queue import undelivered
from bot.slack import call
from handlers.log_modal import open_log_modal
from handlers.views.home import Home, home_view

UNDELIVERED_SHOWN_FOR = timedelta(days=7)


def register(app: App) -> None:
    app.event("app_home_opened")(publish_home)
    app.action(Home.LOG_INTERVIEW)(log_from_home)


def publish_home(ack: Ack, event: dict[str, Any], actor: Actor, deps: Deps) -> None:
    # Slack may deliver this event twice; publishing the same view twice is harmless.
    ack()
    if event.get("tab") != "home":
        return
    team_id, user_id = actor.team_id, actor.user_id or event.get("user", "")
    deps.after_ack(lambda: publish_home_for(deps=deps, team_id=team_id, user_id=user_id))


def publish_home_for(*, deps: Deps, team_id: str, user_id: str) -> None:
    """Draw the person's App Home from what is stored now, and publish it."""
    since = datetime.now(UTC) - UNDELIVERED_SHOWN_FOR
    with deps.db.read() as session:
        view = home_view(
            recent_interviews(session=session, team_id=team_id, user_id=user_id),
            undelivered=undelivered(session=session, team_id=team_id, user_id=user_id, since=since),
        )
    call(deps.client.views_publish, user_id=user_id, view=view)


def log_from_home(ack: Ack, body: dict[str, Any], actor: Actor, deps: Deps) -> None:
    open_log_modal(ack=ack, actor=actor, deps=deps, trigger_id=body["trigger_id"])
