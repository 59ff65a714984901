"""The workspace's member list read from Slack: everyone's timezone (and role: guest, member, admin) in
bulk with users.list, on start and daily.

A new install's backlog of reminders then needs no users.info per person (tier 4: 100 a minute), only
one users.list page per PAGE_SIZE members (tier 2: 20 pages a minute). What it stores counts as fresh for
the timezones' staleness rule, and the daily read keeps it fresh, so people are looked up one by one only
when they joined since. Who reads it, and when, is the database's to say (bot.people.directory).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.people.directory import (
    READ_EVERY,
    RETRY_AFTER_FAILURE,
    LeaseLost,
    claim_directory,
    directory_due,
    finish_directory,
    release_directory,
    store_timezones,
)
from bot.replica import replica_name
from handlers.web_api.client import call
from handlers.web_api.refusals import SlackPermanentError, slack_said
from handlers.web_api.roles import Roles
from handlers.web_api.timezones import Timezones
from storage.db import Database

log = logging.getLogger(__name__)

PAGE_SIZE = 200  # what Slack recommends for users.list
SLACKBOT = "USLACKBOT"  # listed as a person (is_bot is false), but nobody to remind


@dataclass(frozen=True)
class DirectoryResult:
    team_id: str
    pages: int
    stored: int  # people whose timezone was stored


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
        except LeaseLost:
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
