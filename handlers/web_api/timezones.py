"""People's timezones as the bot reads them from Slack: in bulk from the member list
(handlers.web_api.directory, daily) or with users.info for someone not in it yet, stored through
bot.people.timezones and kept in a small in-process cache, so the 3-second path (opening a modal) never
waits on Slack or the database.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.people.timezones import (
    FALLBACK_TZ,
    REFRESH_AFTER,
    fresh_zone,
    store_zone,
    stored_zone,
    zone,
)
from handlers.web_api.client import fetch_user_timezone
from handlers.web_api.refusals import SlackPermanentError, slack_said
from storage.db import Database, DatabaseUnavailable

log = logging.getLogger(__name__)


class Timezones:
    def __init__(self, db: Database) -> None:
        self._db = db
        self._cache: dict[tuple[str, str], tuple[ZoneInfo, float]] = {}
        self._lock = threading.Lock()

    def cached(self, team_id: str, user_id: str) -> ZoneInfo | None:
        """From memory only, however old: for the 3-second path. None when not known yet."""
        with self._lock:
            hit = self._cache.get((team_id, user_id))
        return hit[0] if hit else None

    def is_stale(self, team_id: str, user_id: str) -> bool:
        with self._lock:
            hit = self._cache.get((team_id, user_id))
        return hit is None or time.monotonic() - hit[1] > REFRESH_AFTER.total_seconds()

    def _remember(self, team_id: str, user_id: str, tz: ZoneInfo) -> ZoneInfo:
        with self._lock:
            self._cache[(team_id, user_id)] = (tz, time.monotonic())
        return tz

    def remember_all(self, team_id: str, names: Mapping[str, str]) -> None:
        """Timezones just read from Slack in bulk (the member list): fresh as of now."""
        fresh = {(team_id, user_id): (zone(name), time.monotonic()) for user_id, name in names.items()}
        with self._lock:
            self._cache.update(fresh)

    def known(self, team_id: str, user_id: str) -> ZoneInfo | None:
        """From memory, else the database; never asks Slack. None when never looked up."""
        tz = self.cached(team_id, user_id)
        if tz is not None:
            return tz
        try:
            with self._db.read() as session:
                name = stored_zone(session=session, team_id=team_id, user_id=user_id)
        except DatabaseUnavailable:  # a modal still opens while the database is away: typing loses nothing
            return None
        return self._remember(team_id, user_id, zone(name)) if name else None

    def resolve(self, *, client: WebClient, team_id: str, user_id: str, strict: bool = False) -> ZoneInfo:
        """The user's timezone, fresh: memory or the database while less than a day old, else Slack.
        Falls back to what is known, or UTC, if Slack fails; with `strict`, raises instead when nothing
        is known (a reminder must not go out at an hour computed in the wrong zone)."""
        if not self.is_stale(team_id, user_id):
            return self.cached(team_id, user_id) or FALLBACK_TZ
        now = datetime.now(UTC)
        with self._db.read() as session:
            fresh = fresh_zone(session=session, team_id=team_id, user_id=user_id, now=now)
            known = fresh or stored_zone(session=session, team_id=team_id, user_id=user_id)
        if fresh:
            return self._remember(team_id, user_id, zone(fresh))
        try:
            name = fetch_user_timezone(client, user_id)
        except (SlackApiError, SlackPermanentError, OSError) as exc:
            log.warning("timezone of %s/%s not read: %s", team_id, user_id, slack_said(exc) or exc)
            if strict and not known and not isinstance(exc, SlackPermanentError):
                raise
            return zone(known)
        store_zone(self._db, team_id=team_id, user_id=user_id, name=name, now=now)
        return self._remember(team_id, user_id, zone(name))
