"""What one person has on their plate, for their App Home: their open follow-ups (overdue first), their
upcoming calls, and the reminder DMs already sent that list a follow-up (redrawn when it changes)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from bot.reminders.deliveries import RENDERING
from storage.models import OWED, DeliveryState, FollowUp, FollowUpKind, ReminderDelivery, ScheduledCall

# Prep notes and debriefs are tied to a call's time and said once: the Home shows the call instead.
_ON_THE_CLOCK = [kind for kind in FollowUpKind if kind.on_the_clock]
# The latest DMs of a person looked at for one that lists a follow-up: a follow-up is reminded a few
# times at most (resends, snoozes), on the days after it is due.
DMS_LOOKED_AT = 20


@dataclass(frozen=True)
class Owed:
    items: list[FollowUp]  # the first `limit`, soonest due first (so overdue first)
    total: int
    overdue: int


def open_follow_ups(*, session: Session, team_id: str, user_id: str, now: datetime, limit: int) -> Owed:
    """This person's open and snoozed follow-ups, soonest due first, with what drawing them reads; and
    how many there are, and how many are overdue."""
    mine = (
        FollowUp.team_id == team_id,
        FollowUp.owner_id == user_id,
        FollowUp.state.in_(OWED),
        FollowUp.kind.not_in(_ON_THE_CLOCK),
    )
    items = session.scalars(
        select(FollowUp).where(*mine).options(*RENDERING).order_by(FollowUp.due_at, FollowUp.id).limit(limit)
    ).all()
    total, overdue = session.execute(
        select(func.count(), func.count().filter(FollowUp.due_at <= now)).select_from(FollowUp).where(*mine)
    ).one()
    return Owed(list(items), int(total), int(overdue))


@dataclass(frozen=True)
class Upcoming:
    calls: list[ScheduledCall]
    total: int


def upcoming_calls(*, session: Session, team_id: str, user_id: str, now: datetime, limit: int) -> Upcoming:
    """Calls this person organises or joins that have not ended, soonest first. Everyone on a call owes
    its prep note, so the calls are found through the person's own prep follow-ups (an index on the
    owner), not by reading every call's participant list."""
    mine = select(FollowUp.scheduled_call_id).where(
        FollowUp.team_id == team_id,
        FollowUp.owner_id == user_id,
        FollowUp.kind == FollowUpKind.PREP,
        FollowUp.scheduled_call_id.is_not(None),
    )
    where = (
        ScheduledCall.team_id == team_id,
        ScheduledCall.id.in_(mine),
        ScheduledCall.ends_at > now,
    )
    calls = session.scalars(
        select(ScheduledCall)
        .where(*where)
        .options(selectinload(ScheduledCall.account))
        .order_by(ScheduledCall.starts_at, ScheduledCall.id)
        .limit(limit)
    ).all()
    counted = select(func.count()).select_from(ScheduledCall).where(*where)
    total = len(calls) if len(calls) < limit else session.scalar(counted)
    return Upcoming(list(calls), int(total or 0))


@dataclass(frozen=True)
class SentReminder:
    channel_id: str
    message_ts: str
    follow_up_ids: list[int]


def reminders_listing(
    *, session: Session, team_id: str, user_id: str, follow_up_id: int
) -> list[SentReminder]:
    """The reminder DMs sent to this person that list this follow-up (its latest DMs, newest first), as
    Slack knows them: where each is, and every follow-up it lists."""
    return reminders_listing_any(
        session=session, team_id=team_id, user_id=user_id, follow_up_ids={follow_up_id}
    )


def reminders_listing_any(
    *, session: Session, team_id: str, user_id: str, follow_up_ids: Collection[int]
) -> list[SentReminder]:
    """The reminder DMs sent to this person (its latest DMs, newest first) that list any of these."""
    rows = session.execute(
        select(ReminderDelivery.channel_id, ReminderDelivery.message_ts, ReminderDelivery.follow_up_ids)
        .where(
            ReminderDelivery.team_id == team_id,
            ReminderDelivery.owner_id == user_id,
            ReminderDelivery.state == DeliveryState.SENT,
        )
        .order_by(ReminderDelivery.id.desc())
        .limit(DMS_LOOKED_AT)
    ).all()
    wanted = set(follow_up_ids)
    return [
        SentReminder(channel, ts, [int(i) for i in ids])
        for channel, ts, ids in rows
        if channel and ts and wanted.intersection(ids or [])
    ]
