"""What a person does with a follow-up: Done, Snooze and Skip on a reminder, and pausing all their
reminders until a date.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.config import WorkingHours
from bot.followups.working_hours import next_working_day_start, next_working_moment
from bot.people.timezones import person_for
from storage.models import (
    OWED,
    CustomerTell,
    FollowUp,
    FollowUpState,
    Person,
)


class Snooze(enum.StrEnum):
    HOUR = "1h"
    TOMORROW = "tomorrow"
    NEXT_WEEK = "next_week"

    @property
    def label(self) -> str:
        return {"1h": "1 hour", "tomorrow": "Tomorrow morning", "next_week": "Next week"}[self.value]


def snooze_until(choice: Snooze, *, now: datetime, tz: ZoneInfo, hours: WorkingHours | None) -> datetime:
    if choice is Snooze.HOUR:
        return next_working_moment(now + timedelta(hours=1), tz, hours)
    if choice is Snooze.TOMORROW:
        return next_working_day_start(now, tz, hours)
    monday = now.astimezone(tz).date() + timedelta(days=7 - now.astimezone(tz).weekday())
    start = hours.start if hours else datetime.min.time().replace(hour=9)
    return datetime.combine(monday, start, tzinfo=tz).astimezone(now.tzinfo)


@dataclass(frozen=True)
class Change:
    item: FollowUp
    # Set when the click came too late: the item was closed before (by this or another message).
    already: FollowUpState | None = None


class NotYours(Exception):
    """Someone clicked a button on a reminder that belongs to another person."""


def _change(
    session: Session, *, team_id: str, user_id: str, follow_up_id: int, apply: Callable[[FollowUp], None]
) -> Change | None:
    """Apply a person's answer to their own open follow-up; a late click reports the state it had."""
    item = session.scalar(select(FollowUp).where(FollowUp.team_id == team_id, FollowUp.id == follow_up_id))
    if item is None:
        return None
    if item.owner_id != user_id:
        raise NotYours()
    if item.state not in OWED:
        return Change(item, already=item.state)
    apply(item)
    return Change(item)


def close(
    *, session: Session, team_id: str, user_id: str, follow_up_id: int, state: FollowUpState, now: datetime
) -> Change | None:
    """Done or skipped: no more reminders."""

    def apply(item: FollowUp) -> None:
        item.state, item.closed_at, item.remind_at = state, now, None
        if item.kind.tells and state == FollowUpState.DONE:
            # Done on the whole of a closing-the-loop follow-up: every account it lists was told.
            session.execute(
                update(CustomerTell)
                .where(CustomerTell.follow_up_id == item.id, CustomerTell.told_at.is_(None))
                .values(told_at=now, told_by=user_id)
                .execution_options(synchronize_session=False)
            )

    return _change(session, team_id=team_id, user_id=user_id, follow_up_id=follow_up_id, apply=apply)


def snooze(
    *, session: Session, team_id: str, user_id: str, follow_up_id: int, until: datetime
) -> Change | None:
    def apply(item: FollowUp) -> None:
        # A snooze is a fresh start: the resend count begins again from the new time.
        item.state, item.remind_at, item.reminders_sent = FollowUpState.SNOOZED, until, 0

    return _change(session, team_id=team_id, user_id=user_id, follow_up_id=follow_up_id, apply=apply)


def pause(*, session: Session, team_id: str, user_id: str, until: datetime | None, now: datetime) -> None:
    """Pause a person's reminders until `until` (None: resume now). What a pause held back is due again
    at once, and the next tick decides it afresh against the new pause."""
    person = person_for(session, team_id, user_id)
    previous = person.reminders_paused_until
    person.reminders_paused_until = until
    if previous is not None and (until is None or until < previous):
        session.execute(
            update(FollowUp)
            .where(
                FollowUp.team_id == team_id,
                FollowUp.owner_id == user_id,
                FollowUp.state.in_(OWED),
                FollowUp.remind_at >= previous,
            )
            .values(remind_at=now)
        )


def paused_until(*, session: Session, team_id: str, user_id: str) -> datetime | None:
    return session.scalar(
        select(Person.reminders_paused_until).where(Person.team_id == team_id, Person.user_id == user_id)
    )
