"""An account owner's daily summary: the calls others had with their accounts, told in one quiet DM a day
("3 calls with your accounts yesterday"), never one DM per call.

A call counts for the owner of its account when they were not on it (neither its logger nor among its
participants), on the owner's local day it was logged (its `logged_at`: a call logged late counts once,
on the day it was logged). The summary goes out once the owner's working hours have started: on a
weekday, after the start of their hours, in their own timezone. It covers the owner's days since their
last summary, a week at most: usually yesterday; on a Monday, Friday and the weekend, said in the text.

A tick (`queue_due_summaries`) works in three steps, so that most ticks write nothing and ask Slack
nothing:
- `recent_calls` reads (one query over the team's calls of the last two weeks, through the index of
  interviews by date, and the owners' last summaries by their primary key);
- `due_summaries` decides, from each owner's timezone (the caller's to know), whose summary is due now;
- `queue_summaries` writes: per owner, the day's row and its DM in the caller's transaction. The row's
  primary key (team, owner, day) is the claim: replicas racing insert it once (a savepoint per owner),
  and only the one that inserted it queues the DM. A check that the row exists comes first, so a replica
  that reads after another committed does not even try.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from bot.config import WorkingHours
from bot.followups.working_hours import next_working_moment
from bot.outbox.queue import enqueue
from bot.text import counted
from storage.db import Database, insert_once
from storage.models import Account, Interview, OutboxKind, OwnerSummary, Pain, Participant, Person

# A summary reaches this many of the owner's days back, when the last one is older (the bot was down on
# their working day): one DM for all of them, never one per day.
MOST_DAYS = 7
# Calls held more than this long before today are history being filled in (an import of old calls), not
# news to their owner. It also bounds what a tick reads: the team's calls of these last days, by index.
HELD_WITHIN = timedelta(days=14)

Drawn = tuple[str, list[dict[str, Any]] | None]  # a DM's notification text and blocks


@dataclass(frozen=True)
class CallToTell:
    """One call in an owner's summary."""

    interview_id: int
    account: str
    logged_by: str
    logged_at: datetime
    contact_name: str | None = None
    contact_role: str | None = None
    first_pain: str | None = None  # read as the DM is queued


@dataclass(frozen=True)
class OwnerCalls:
    """An owner's calls of the last days that they were not on, and the last day a summary of theirs
    covered (None: none yet)."""

    owner_id: str
    calls: tuple[CallToTell, ...]
    summed_up_to: date | None
    paused_until: datetime | None = None  # their reminders are paused (a vacation): the summary waits too


@dataclass(frozen=True)
class DueSummary:
    """A summary to send now: the calls logged on the owner's local days since their last summary, up to
    `last_day` (yesterday where they are); `first_day` is the day the earliest of them was logged."""

    owner_id: str
    today: date
    first_day: date
    last_day: date
    calls: tuple[CallToTell, ...]


def recent_calls(*, session: Session, team_id: str, now: datetime) -> list[OwnerCalls]:
    """The owners of the team's accounts with calls logged in the last MOST_DAYS (and two for the spread
    of timezones) that they were not on, held within HELD_WITHIN; each with their last summary's day."""
    on_the_call = exists().where(
        Participant.interview_id == Interview.id, Participant.user_id == Account.owner_id
    )
    rows = session.execute(
        select(
            Account.owner_id,
            Interview.id,
            Account.name,
            Interview.logged_by,
            Interview.logged_at,
            Interview.contact_name,
            Interview.contact_role,
        )
        .join(Account, Account.id == Interview.account_id)
        .where(
            Interview.team_id == team_id,
            # The index of interviews by date bounds the read; logged_at is checked on what it finds.
            Interview.held_on >= now.date() - HELD_WITHIN,
            Interview.logged_at >= now - timedelta(days=MOST_DAYS + 2),
            Account.owner_id.is_not(None),
            Account.owner_id != Interview.logged_by,
            ~on_the_call,
        )
        .order_by(Interview.logged_at, Interview.id)
    ).all()
    calls: dict[str, list[CallToTell]] = {}
    for owner_id, *call in rows:
        calls.setdefault(owner_id, []).append(CallToTell(*call))
    if not calls:
        return []
    summed_up_to = dict(
        session.execute(
            select(OwnerSummary.owner_id, func.max(OwnerSummary.day))
            .where(OwnerSummary.team_id == team_id, OwnerSummary.owner_id.in_(sorted(calls)))
            .group_by(OwnerSummary.owner_id)
        ).all()
    )
    paused = dict(
        session.execute(
            select(Person.user_id, Person.reminders_paused_until).where(
                Person.team_id == team_id,
                Person.user_id.in_(sorted(calls)),
                Person.reminders_paused_until.is_not(None),
            )
        ).all()
    )
    return [
        OwnerCalls(owner, tuple(mine), summed_up_to.get(owner), paused.get(owner))
        for owner, mine in sorted(calls.items())
    ]


def due_summaries(
    owners: Iterable[OwnerCalls],
    *,
    zone_of: Callable[[str], ZoneInfo | None],
    now: datetime,
    hours: WorkingHours | None,
) -> list[DueSummary]:
    """Whose summary is due at `now`: their working hours have started today, where they are, they have not
    paused their reminders, and calls logged since the day their last summary covered are waiting.
    `zone_of(owner)` is their timezone (None: not known now, and their summary waits)."""
    due = []
    for owner in owners:
        if owner.paused_until is not None and owner.paused_until > now:
            continue
        tz = zone_of(owner.owner_id)
        if tz is None or next_working_moment(now, tz, hours) != now:
            continue
        today = now.astimezone(tz).date()
        last_day = today - timedelta(days=1)
        if owner.summed_up_to is not None and owner.summed_up_to >= last_day:
            continue
        since = last_day - timedelta(days=MOST_DAYS - 1)
        if owner.summed_up_to is not None:
            since = max(since, owner.summed_up_to + timedelta(days=1))
        days = {c.interview_id: c.logged_at.astimezone(tz).date() for c in owner.calls}
        calls = tuple(c for c in owner.calls if since <= days[c.interview_id] <= last_day)
        if calls:
            first_day = min(days[c.interview_id] for c in calls)
            due.append(DueSummary(owner.owner_id, today, first_day, last_day, calls))
    return due


def summed_up(*, session: Session, team_id: str, owner_id: str, day: date) -> bool:
    """Whether the owner has a summary covering `day` (or a later day) already."""
    return (
        session.scalar(
            select(OwnerSummary.day)
            .where(
                OwnerSummary.team_id == team_id, OwnerSummary.owner_id == owner_id, OwnerSummary.day >= day
            )
            .limit(1)
        )
        is not None
    )


def queue_summaries(
    *,
    session: Session,
    team_id: str,
    due: Iterable[DueSummary],
    now: datetime,
    draw: Callable[[DueSummary], Drawn],
) -> list[int]:
    """For each due summary not taken yet: its row (the claim) and its DM, in the caller's transaction;
    the ids of the DMs queued (send them after the commit). `draw` writes a summary's DM."""
    queued = []
    for summary in due:
        if summed_up(session=session, team_id=team_id, owner_id=summary.owner_id, day=summary.last_day):
            continue
        # What the calls say now: one deleted since they were read is left out.
        summary = _as_they_are(session, team_id, summary)
        if not summary.calls:
            continue
        row = OwnerSummary(
            team_id=team_id,
            owner_id=summary.owner_id,
            day=summary.last_day,
            calls=len(summary.calls),
            created_at=now,
        )
        if not insert_once(session, row):
            continue  # another replica took it a moment ago: it sends the DM
        text, blocks = draw(summary)
        queued.append(
            enqueue(
                session=session,
                team_id=team_id,
                user_id=summary.owner_id,
                kind=OutboxKind.OWNER_SUMMARY,
                channel_id=summary.owner_id,
                text=text,
                blocks=blocks,
                about=f"the summary of {counted(len(summary.calls), 'call')} with your accounts",
                now=now,
            )
        )
    return queued


def _as_they_are(session: Session, team_id: str, summary: DueSummary) -> DueSummary:
    """The summary's calls still stored, each with its first pain."""
    ids = [call.interview_id for call in summary.calls]
    still = set(
        session.scalars(select(Interview.id).where(Interview.team_id == team_id, Interview.id.in_(ids)))
    )
    first_pains: dict[int, str] = {}
    for interview_id, text in session.execute(
        select(Pain.interview_id, Pain.text)
        .where(Pain.team_id == team_id, Pain.interview_id.in_(ids))
        .order_by(Pain.interview_id, Pain.position)
    ):
        first_pains.setdefault(interview_id, text)
    calls = tuple(
        replace(call, first_pain=first_pains.get(call.interview_id))
        for call in summary.calls
        if call.interview_id in still
    )
    return replace(summary, calls=calls)


def queue_due_summaries(
    *,
    db: Database,
    team_id: str,
    now: datetime,
    hours: WorkingHours | None,
    zone_of: Callable[[str], ZoneInfo | None],
    draw: Callable[[DueSummary], Drawn],
    may_see: Callable[[str], bool] = lambda owner_id: True,
) -> list[int]:
    """One tick: read whose summary is due, then (only when some is) claim and queue them in a write
    transaction of its own; the ids of the DMs queued. `may_see(owner)`: whether the owner may read the
    team's calls (a guest may not, and gets no summary)."""
    with db.read() as session:
        owners = recent_calls(session=session, team_id=team_id, now=now)
    due = [s for s in due_summaries(owners, zone_of=zone_of, now=now, hours=hours) if may_see(s.owner_id)]
    if not due:
        return []
    return db.run(
        lambda session: queue_summaries(session=session, team_id=team_id, due=due, now=now, draw=draw)
    )
