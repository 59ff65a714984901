"""The workspace's member list: everyone's timezone (and role: guest, member, admin) read in bulk with
users.list, on start and daily.

A new install's backlog of reminders then needs no users.info per person (tier 4: 100 a minute), only
one users.list page per PAGE_SIZE members (tier 2: 20 pages a minute). What it stores counts as fresh for
the timezones' staleness rule, and the daily read keeps it fresh, so people are looked up one by one only
when they joined since.

One replica reads a workspace's list at a time, and once a day: the read is claimed in the database
(`directory_reads`, one row per workspace, with a lease renewed at every page) only when the last
complete read began READ_EVERY ago. A replica that dies mid-read leaves its lease to run out; whoever
claims next starts over (the pages already stored stay, just as fresh).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import and_, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.errors import SlackPermanentError, slack_said
from bot.people.timezones import REFRESH_AFTER, Timezones
from bot.replica import replica_name
from handlers.web_api.client import call
from handlers.web_api.roles import Roles
from storage.db import Database
from storage.models import DirectoryRead, Person

log = logging.getLogger(__name__)

PAGE_SIZE = 200  # what Slack recommends for users.list
# A little under the staleness rule's day, so what the last read stored never goes stale before the next.
READ_EVERY = REFRESH_AFTER - timedelta(hours=1)
LEASE = timedelta(minutes=5)  # longer than three Retry-After sleeps of a page
RETRY_AFTER_FAILURE = timedelta(minutes=10)
SLACKBOT = "USLACKBOT"  # listed as a person (is_bot is false), but nobody to remind


@dataclass(frozen=True)
class DirectoryResult:
    team_id: str
    pages: int
    stored: int  # people whose timezone was stored


class _LeaseLost(Exception):
    """Another replica took the read over (this one stalled past its lease): stop paging."""


def member_timezones(members: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    """user id -> IANA timezone, for the people of a users.list page: no bots, no deactivated accounts,
    none without a timezone."""
    return {
        str(m["id"]): str(m["tz"])
        for m in members
        if m.get("id")
        and m.get("tz")
        and not m.get("deleted")
        and not m.get("is_bot")
        and m["id"] != SLACKBOT
    }


def _due(now: datetime, every: timedelta) -> Any:
    return or_(DirectoryRead.read_at.is_(None), DirectoryRead.read_at <= now - every)


def _free(now: datetime) -> Any:
    return or_(DirectoryRead.lease_until.is_(None), DirectoryRead.lease_until < now)


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
        try:
            with session.begin_nested():
                session.add(DirectoryRead(team_id=team_id))
                session.flush()
        except IntegrityError:  # another replica made the row first; the update below decides
            pass
    taken = session.execute(
        update(DirectoryRead)
        .where(DirectoryRead.team_id == team_id, _due(now, every), _free(now))
        .values(lease_owner=replica, lease_until=now + lease)
        .execution_options(synchronize_session=False)
    )
    return taken.rowcount == 1


def _held(team_id: str, replica: str) -> Any:
    return and_(DirectoryRead.team_id == team_id, DirectoryRead.lease_owner == replica)


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
    Raises _LeaseLost, storing nothing, when another replica has taken the read over."""
    renewed = session.execute(
        update(DirectoryRead)
        .where(_held(team_id, replica))
        .values(lease_until=now + lease)
        .execution_options(synchronize_session=False)
    )
    if renewed.rowcount != 1:
        raise _LeaseLost()
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
    session.execute(
        update(DirectoryRead)
        .where(_held(team_id, replica))
        .values(read_at=began, members=members, lease_owner=None, lease_until=None)
        .execution_options(synchronize_session=False)
    )


def release_directory(*, session: Session, team_id: str, replica: str, retry_at: datetime) -> None:
    """The read failed: nobody tries again before `retry_at` (the lease stands until then)."""
    session.execute(
        update(DirectoryRead)
        .where(_held(team_id, replica))
        .values(lease_owner=None, lease_until=retry_at)
        .execution_options(synchronize_session=False)
    )


def last_read(*, session: Session, team_id: str) -> datetime | None:
    return session.scalar(select(DirectoryRead.read_at).where(DirectoryRead.team_id == team_id))


class Directory:
    """Reads the member list of this process's workspace (`team_id`, the installation's, read once at
    start) when it is due; one per process."""

    def __init__(
        self,
        *,
        team_id: str,
        db: Database,
        client: WebClient,
        timezones: Timezones,
        roles: Roles | None = None,
        replica: str | None = None,
        every: timedelta = READ_EVERY,
        page_size: int = PAGE_SIZE,
    ) -> None:
        # The background client: a page that meets a 429 sleeps out Retry-After, in this job's thread.
        self.db, self.client, self.timezones, self.roles = db, client, timezones, roles
        self.replica = replica or replica_name()
        self.every, self.page_size = every, page_size
        self.team_id = team_id

    def refresh(self) -> DirectoryResult | None:
        """Read the whole member list if it is due and no other replica is reading it; None if not read."""
        team_id = self.team_id
        began = datetime.now(UTC)
        with self.db.read() as session:
            if not directory_due(session=session, team_id=team_id, now=began, every=self.every):
                return None
        claimed = self.db.run(
            lambda s: claim_directory(
                session=s, team_id=team_id, replica=self.replica, now=began, every=self.every
            )
        )
        if not claimed:
            return None
        try:
            pages, stored = self._read(team_id)
        except _LeaseLost:
            log.warning("the member list of %s is being read by another replica now; stopped", team_id)
            return None
        except (SlackApiError, SlackPermanentError, OSError) as exc:
            log.warning(
                "reading the member list of %s failed (%s); trying again later",
                team_id,
                slack_said(exc) or exc,
            )
            self._give_up(team_id)
            return None
        except Exception:
            self._give_up(team_id)
            raise
        self.db.run(
            lambda s: finish_directory(
                session=s, team_id=team_id, replica=self.replica, began=began, members=stored
            )
        )
        return DirectoryResult(team_id, pages, stored)

    def _give_up(self, team_id: str) -> None:
        retry_at = datetime.now(UTC) + RETRY_AFTER_FAILURE
        self.db.run(
            lambda s: release_directory(session=s, team_id=team_id, replica=self.replica, retry_at=retry_at)
        )

    def _read(self, team_id: str) -> tuple[int, int]:
        cursor, pages, stored = "", 0, 0
        seen: set[str] = set()
        while True:
            arguments: dict[str, Any] = {"limit": self.page_size}
            if cursor:
                arguments["cursor"] = cursor
            response = call(self.client.users_list, **arguments)
            members = response.get("members") or []
            zones = member_timezones(members)
            now = datetime.now(UTC)
            self.db.run(
                lambda s, zones=zones, now=now: store_timezones(
                    session=s, team_id=team_id, replica=self.replica, zones=zones, now=now
                )
            )
            self.timezones.remember_all(team_id, zones)
            if self.roles is not None:  # who is a guest or an admin, read with the same page
                self.roles.remember_all(team_id, members)
            pages, stored = pages + 1, stored + len(zones)
            cursor = str((response.get("response_metadata") or {}).get("next_cursor") or "")
            if not cursor:  # an empty cursor ends the list, however short the page was
                return pages, stored
            if cursor in seen:  # a list that goes round in circles must not page forever
                raise SlackApiError(f"users.list gave the cursor {cursor!r} twice", response)
            seen.add(cursor)
