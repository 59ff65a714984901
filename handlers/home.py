"""App Home: published when a person opens it, and again (debounced, through `deps.home.changed`) when
something of theirs changes. Its buttons are the other surfaces' own: Log and Schedule open their
modals, a follow-up's Done / Snooze are the reminder DM's, an interview's Open is the digest's."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from slack_bolt import Ack, App

from bot.capture.interviews import recent_interviews
from bot.digest.period import Period
from bot.home.reads import open_follow_ups, upcoming_calls, week_figures
from bot.outbox.queue import undelivered
from bot.people.permissions import Act
from handlers.deps import Actor, Deps
from handlers.log_modal import open_log_modal
from handlers.schedule import open_schedule
from handlers.views.home import (
    CALLS_SHOWN,
    FOLLOW_UPS_SHOWN,
    INTERVIEWS_SHOWN,
    Home,
    HomeContent,
    home_view,
)
from handlers.web_api.client import call

UNDELIVERED_SHOWN_FOR = timedelta(days=7)


def register(app: App) -> None:
    app.event("app_home_opened")(publish_home)
    app.action(Home.LOG_INTERVIEW)(log_from_home)
    app.action(Home.SCHEDULE_CALL)(schedule_from_home)


def publish_home(ack: Ack, event: dict[str, Any], actor: Actor, deps: Deps) -> None:
    # Slack may deliver this event twice; publishing the same view twice is harmless.
    ack()
    if event.get("tab") != "home":
        return
    team_id, user_id = actor.team_id, actor.user_id or event.get("user", "")
    deps.after_ack(lambda: publish_home_for(deps=deps, team_id=team_id, user_id=user_id))


def publish_home_for(*, deps: Deps, team_id: str, user_id: str) -> None:
    """Draw the person's App Home from what is stored now, and publish it."""
    now = datetime.now(UTC)
    person = Actor(team_id=team_id, user_id=user_id)
    tz = deps.zone_of(person)
    # The team's week is for full members: a guest's Home holds only what is theirs (so does anyone's
    # whose role Slack cannot tell now).
    team = deps.may(person, Act.SEE_TEAM_WEEK, patient=True)
    with deps.db.read() as session:
        content = HomeContent(
            tz=tz,
            now=now,
            owed=open_follow_ups(
                session=session, team_id=team_id, user_id=user_id, now=now, limit=FOLLOW_UPS_SHOWN
            ),
            calls=upcoming_calls(
                session=session, team_id=team_id, user_id=user_id, now=now, limit=CALLS_SHOWN
            ),
            interviews=recent_interviews(
                session=session, team_id=team_id, user_id=user_id, limit=INTERVIEWS_SHOWN
            ),
            # The week as `/interview digest preview` shows it: the last 7 days, today included.
            week=week_figures(session=session, team_id=team_id, period=Period.last_days(now, tz))
            if team
            else None,
            undelivered=undelivered(
                session=session, team_id=team_id, user_id=user_id, since=now - UNDELIVERED_SHOWN_FOR
            ),
        )
        view = home_view(content)
    call(deps.client.views_publish, user_id=user_id, view=view)


def log_from_home(ack: Ack, body: dict[str, Any], actor: Actor, deps: Deps) -> None:
    open_log_modal(ack=ack, actor=actor, deps=deps, trigger_id=body["trigger_id"])


def schedule_from_home(ack: Ack, body: dict[str, Any], actor: Actor, deps: Deps) -> None:
    open_schedule(ack=ack, actor=actor, deps=deps, trigger_id=body["trigger_id"])
