"""The workspace's member list, as the database keeps it: when it was last read whole, who is reading it
now (one replica at a time, under a lease renewed at every page), and the timezones each page brings.

Read once a day: the read is claimed (`directory_reads`, one row per workspace) only when the last
complete read began READ_EVERY ago. A replica that dies mid-read leaves its lease to run out; whoever
claims next starts over (the pages already stored stay, just as fresh).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from bot.people.timezones import REFRESH_AFTER
from storage.db import insert_once
from storage.leases import Lease
from storage.models import DirectoryRead, Person

# A little under the staleness rule's day, so what the last read stored never goes stale before the next.
READ_EVERY = REFRESH_AFTER - timedelta(hours=1)
LEASE = timedelta(minutes=5)  # longer than three Retry-After sleeps of a page
RETRY_AFTER_FAILURE = timedelta(minutes=10)
READ = Lease(DirectoryRead.lease_owner, DirectoryRead.lease_until)


class LeaseLost(Exception):
    """Another replica took the read over (this one stalled past its lease): stop paging."""


def _due(now: datetime, every: timedelta) -> Any:
    return or_(DirectoryRead.read_at.is_(None), DirectoryRead.read_at <= now - every)


def directory_due(*, session: Session, team_id: str, now: datetime, every: timedelta = READ_EVERY) -> bool:
    """Whether a read would be claimed now: never read whole, or last read `every` ago, and nobody on it.
    A read-only look, so a tick that finds nothing to do writes nothing."""
    row = session.get(DirectoryRead, team_id)
    return row is None or bool(
        (row.read_at is None or row.read_at <= now - every)
        and (row.lease_until is None or row.lease_until < now)
    )


def claim_directory(
    *,
    session: Session,
    team_id: str,
    replica: str,
    now: datetime,
    every: timedelta = READ_EVERY,
    lease: timedelta = LEASE,
) -> bool:
    """Take the workspace's read if it is due and nobody holds it. Commit before reading."""
    if session.get(DirectoryRead, team_id) is None:
        insert_once(session, DirectoryRead(team_id=team_id))  # or another replica did; the claim decides
    return READ.claim(
        session, replica, DirectoryRead.team_id == team_id, _due(now, every), now=now, lease=lease
    )


def store_timezones(
    *,
    session: Session,
    team_id: str,
    replica: str,
    zones: Mapping[str, str],
    now: datetime,
    lease: timedelta = LEASE,
) -> None:
    """One page: store each person's timezone (fresh as of `now`) and hold the read a lease longer.
    Raises LeaseLost, storing nothing, when another replica has taken the read over."""
    if not READ.renew(session, replica, DirectoryRead.team_id == team_id, now=now, lease=lease):
        raise LeaseLost()
    if not zones:
        return
    # One statement a page, whoever else (a users.info lookup, a DM's channel) wrote the row meanwhile.
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    statement = insert(Person).values(
        [{"team_id": team_id, "user_id": u, "tz": tz, "tz_fetched_at": now} for u, tz in zones.items()]
    )
    session.execute(
        statement.on_conflict_do_update(
            index_elements=[Person.team_id, Person.user_id],
            set_={"tz": statement.excluded.tz, "tz_fetched_at": statement.excluded.tz_fetched_at},
        )
    )


def finish_directory(*, session: Session, team_id: str, replica: str, began: datetime, members: int) -> None:
    READ.release(session, replica, DirectoryRead.team_id == team_id, read_at=began, members=members)


def release_directory(*, session: Session, team_id: str, replica: str, retry_at: datetime) -> None:
    """The read failed: nobody tries again before `retry_at` (the lease stands until then)."""
    READ.change(session, replica, DirectoryRead.team_id == team_id, lease_owner=None, lease_until=retry_at)


def last_read(*, session: Session, team_id: str) -> datetime | None:
    return session.scalar(select(DirectoryRead.read_at).where(DirectoryRead.team_id == team_id))
