"""Digest runs: one per subscription and period, claimed in the database so that any number of replicas
post each digest once, and a replica that dies mid-post is taken over when its lease runs out.

A subscription's due period is claimed by moving its `next_due_at` on with a conditional update (only one
replica's update matches), in the same transaction that inserts the run, whose (subscription, period) is
unique besides. A period missed while the bot was down is still posted, late, if its week has not ended;
an older one is recorded as missed and skipped.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.digest.period import PERIOD_DAYS
from bot.digest.subscriptions import next_post_at, schedule_of
from storage.db import insert_once
from storage.leases import Lease
from storage.models import DigestRun, DigestRunState, DigestSubscription, QuietWeek, RankBy

LEASE = timedelta(minutes=5)
RETRY_AFTER_FAILURE = timedelta(minutes=1)
CLAIM_BATCH = 20
RUN = Lease(DigestRun.lease_owner, DigestRun.lease_until, open=DigestRun.state == DigestRunState.PENDING)
LATE_BY_AT_MOST = timedelta(days=PERIOD_DAYS)  # past that, the next period is due: this one is missed


@dataclass(frozen=True)
class ClaimedRun:
    run_id: int
    team_id: str
    subscription_id: int
    channel_id: str
    period_end: datetime
    timezone: str
    quiet: QuietWeek
    subscriber: str
    # The previous holder's lease ran out: its post may be in the channel already, so look first.
    takeover: bool
    rank_by: RankBy = RankBy.ACCOUNTS  # how the subscription ranks its digest's themes


@dataclass(frozen=True)
class RunProgress:
    """How far a run got: what a poster (or the one taking over) still has to do."""

    send_started_at: datetime | None
    message_ts: str | None
    replies_posted: int
    chart_done: bool


def _claimed(run: DigestRun, takeover: bool) -> ClaimedRun:
    sub = run.subscription
    return ClaimedRun(
        run.id,
        run.team_id,
        sub.id,
        sub.channel_id,
        run.period_end,
        sub.timezone,
        sub.quiet,
        sub.created_by,
        takeover,
        sub.rank_by,
    )


def claim_due(
    *, session: Session, now: datetime, replica: str, lease: timedelta = LEASE, limit: int = CLAIM_BATCH
) -> list[ClaimedRun]:
    """Runs to post now: those whose holder's lease ran out (taken over), then each subscription whose
    time has come. The caller commits before posting."""
    # A run nobody started posting (a retry after a 429, say) needs no look in the channel.
    claimed = [
        _claimed(run, takeover=run.send_started_at is not None and run.message_ts is None)
        for run in RUN.take_over(session, replica, now=now, lease=lease, limit=limit)
    ]
    due = session.scalars(
        select(DigestSubscription)
        .where(DigestSubscription.next_due_at.is_not(None), DigestSubscription.next_due_at <= now)
        .order_by(DigestSubscription.next_due_at, DigestSubscription.id)
        .limit(max(0, limit - len(claimed)))
    ).all()
    for sub in due:
        run = _claim_subscription(session, sub, now, replica, lease)
        if run is not None:
            claimed.append(_claimed(run, takeover=False))
    return claimed


def _claim_subscription(
    session: Session, sub: DigestSubscription, now: datetime, replica: str, lease: timedelta
) -> DigestRun | None:
    """Move the subscription past its due period and insert that period's run; None when another
    replica moved it first. Periods whose week is over are recorded as missed on the way."""
    due = sub.next_due_at
    assert due is not None
    schedule = schedule_of(sub)
    missed: list[datetime] = []
    while due + LATE_BY_AT_MOST <= now:
        missed.append(due)
        due = next_post_at(schedule, due)
    # The next period to post is the first one after now, whatever state the row was left in.
    following = next_post_at(schedule, now) if due <= now else due
    moved = session.execute(
        update(DigestSubscription)
        .where(DigestSubscription.id == sub.id, DigestSubscription.next_due_at == sub.next_due_at)
        .values(next_due_at=following)
        .execution_options(synchronize_session=False)
    )
    if moved.rowcount != 1:
        return None
    for period_end in missed:
        _insert(session, sub, period_end, state=DigestRunState.MISSED, error="the bot was down")
    if due > now:  # only missed periods: the next one is not due yet
        return None
    return _insert(session, sub, due, lease_owner=replica, lease_until=now + lease)


def _insert(
    session: Session, sub: DigestSubscription, period_end: datetime, **values: object
) -> DigestRun | None:
    run = DigestRun(team_id=sub.team_id, subscription=sub, period_end=period_end, quoted=[], **values)
    # None when that period already has its run ("Post now" at the same minute, say).
    return run if insert_once(session, run) else None


def claim_now(
    *,
    session: Session,
    team_id: str,
    subscription_id: int,
    now: datetime,
    replica: str,
    lease: timedelta = LEASE,
) -> ClaimedRun | None:
    """A digest posted on request ("Post now"): its period ends now. None when one was just made."""
    sub = session.scalar(
        select(DigestSubscription).where(
            DigestSubscription.team_id == team_id, DigestSubscription.id == subscription_id
        )
    )
    if sub is None:
        return None
    run = _insert(
        session, sub, now.replace(second=0, microsecond=0), lease_owner=replica, lease_until=now + lease
    )
    return _claimed(run, takeover=False) if run is not None else None


def progress(*, session: Session, run_id: int) -> RunProgress:
    run = session.get(DigestRun, run_id, populate_existing=True)
    assert run is not None
    return RunProgress(run.send_started_at, run.message_ts, run.replies_posted, run.chart_done)


def previous_quoted(*, session: Session, subscription_id: int, before: datetime) -> list[list[object]]:
    """What the subscription's last posted digest quoted, so this one quotes other lines."""
    quoted = session.scalar(
        select(DigestRun.quoted)
        .where(
            DigestRun.subscription_id == subscription_id,
            DigestRun.state == DigestRunState.SENT,
            DigestRun.period_end < before,
        )
        .order_by(DigestRun.period_end.desc())
        .limit(1)
    )
    return list(quoted or [])


def record(
    *, session: Session, run_id: int, replica: str, now: datetime, lease: timedelta = LEASE, **values: object
) -> bool:
    """Record a step of the run (and renew the lease); False when the run is no longer ours."""
    return RUN.renew(session, replica, DigestRun.id == run_id, now=now, lease=lease, **values)


def finish(
    *,
    session: Session,
    run_id: int,
    replica: str,
    now: datetime,
    state: DigestRunState,
    error: str | None = None,
) -> bool:
    return RUN.release(session, replica, DigestRun.id == run_id, state=state, sent_at=now, error=error)


def retry_later(
    *, session: Session, run_id: int, replica: str, now: datetime, after: timedelta, not_sent: bool
) -> None:
    """Slack failed in a way that may heal: any replica may try again `after`. `not_sent`: Slack answered
    (an error, a 429), so the channel message did not go out and a retry need not look first."""
    values: dict[str, object] = {"lease_until": now + after, "attempts": DigestRun.attempts + 1}
    if not_sent:
        values["send_started_at"] = None
    RUN.change(session, replica, DigestRun.id == run_id, **values)
