"""Which channels get the digest, on which weekday and at what time of which timezone, and when each is
next due. `next_due_at` is kept in UTC so the scheduler reads due subscriptions through an index."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bot.errors import BotError, InvalidInput
from storage.models import DigestSubscription, QuietWeek, RankBy

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
DEFAULT_WEEKDAY = 0
DEFAULT_TIME = time(9, 0)
_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


class SubscriptionNotFound(BotError):
    def __init__(self) -> None:
        super().__init__(
            "That digest subscription is gone: someone removed it. Open /interview digest again."
        )


@dataclass(frozen=True)
class Schedule:
    weekday: int  # 0 Monday … 6 Sunday
    at: time
    timezone: str
    quiet: QuietWeek = QuietWeek.NOTE

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def describe(self) -> str:
        return f"{WEEKDAYS[self.weekday].capitalize()}s at {self.at:%H:%M} ({self.timezone})"


def schedule_of(subscription: DigestSubscription) -> Schedule:
    minute = subscription.minute_of_day
    return Schedule(
        subscription.weekday, time(minute // 60, minute % 60), subscription.timezone, subscription.quiet
    )


def parse_weekday(text: str) -> int | None:
    """'mon', 'Monday', 'MON' → 0; None when it names no weekday."""
    word = text.strip().lower()
    if len(word) < 2:
        return None
    matches = [n for n, day in enumerate(WEEKDAYS) if day.startswith(word)]
    return matches[0] if len(matches) == 1 else None


def parse_time(text: str) -> time | None:
    match = _TIME.match(text.strip())
    return time(int(match.group(1)), int(match.group(2))) if match else None


def valid_timezone(name: str) -> str | None:
    """The IANA name if the machine knows it, else None."""
    name = name.strip()
    if not name or len(name) > 64:
        return None
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None
    return name


def next_post_at(schedule: Schedule, after: datetime) -> datetime:
    """The first moment strictly after `after` that falls on the schedule's weekday and local time.

    A local time that a clock change skips (02:30 on a spring-forward night) is taken as the moment the
    clock shows it after the change; a time it repeats is taken the first time round.
    """
    tz = schedule.zone
    local = after.astimezone(tz)
    day = local.date() + timedelta(days=(schedule.weekday - local.weekday()) % 7)
    for _ in range(3):
        candidate = datetime.combine(day, schedule.at, tzinfo=tz)
        # Round-trip through UTC to settle a non-existent local time on a real moment.
        moment = candidate.astimezone(ZoneInfo("UTC"))
        if moment > after:
            return moment
        day += timedelta(days=7)
    raise AssertionError("unreachable: a week later is always after")


def subscribe(
    *,
    session: Session,
    team_id: str,
    channel_id: str,
    schedule: Schedule,
    by: str,
    now: datetime,
    rank_by: RankBy | None = None,
) -> DigestSubscription:
    """Subscribe a channel, or change its schedule: one subscription per channel. A paused one resumes.
    `rank_by` None keeps how the channel's digest ranks its themes (by accounts for a new one): the
    subscribe command changes the day and time only."""
    if valid_timezone(schedule.timezone) is None:
        raise InvalidInput(
            {"timezone": f"I don't know the timezone {schedule.timezone!r}: try Europe/Paris."}
        )
    row = find_by_channel(session=session, team_id=team_id, channel_id=channel_id)
    if row is None:
        row = DigestSubscription(team_id=team_id, channel_id=channel_id, created_by=by, created_at=now)
        session.add(row)
    row.weekday, row.minute_of_day = schedule.weekday, schedule.at.hour * 60 + schedule.at.minute
    row.timezone, row.quiet, row.updated_at = schedule.timezone, schedule.quiet, now
    row.rank_by = rank_by or row.rank_by or RankBy.ACCOUNTS
    row.paused_reason = row.paused_at = None
    row.next_due_at = next_post_at(schedule, now)
    session.flush()
    return row


def find_by_channel(*, session: Session, team_id: str, channel_id: str) -> DigestSubscription | None:
    return session.scalar(
        select(DigestSubscription).where(
            DigestSubscription.team_id == team_id, DigestSubscription.channel_id == channel_id
        )
    )


def get_subscription(*, session: Session, team_id: str, subscription_id: int) -> DigestSubscription:
    row = session.scalar(
        select(DigestSubscription).where(
            DigestSubscription.team_id == team_id, DigestSubscription.id == subscription_id
        )
    )
    if row is None:
        raise SubscriptionNotFound()
    return row


def list_subscriptions(*, session: Session, team_id: str) -> list[DigestSubscription]:
    return list(
        session.scalars(
            select(DigestSubscription)
            .where(DigestSubscription.team_id == team_id)
            .order_by(DigestSubscription.created_at, DigestSubscription.id)
        )
    )


def unsubscribe(*, session: Session, team_id: str, channel_id: str) -> bool:
    """True when the channel had a subscription (its runs go with it)."""
    gone = session.execute(
        delete(DigestSubscription).where(
            DigestSubscription.team_id == team_id, DigestSubscription.channel_id == channel_id
        )
    )
    return gone.rowcount > 0


def pause(*, session: Session, subscription_id: int, reason: str, now: datetime) -> None:
    """No more digests until someone subscribes the channel again (the reason says why)."""
    row = session.get(DigestSubscription, subscription_id)
    if row is not None:
        row.paused_reason, row.paused_at, row.next_due_at = reason[:64], now, None
