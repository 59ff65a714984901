"""People's roles in their workspace (guest, member, admin), read from Slack: in bulk with the member list
(handlers.web_api.directory, on start and daily) and one by one with users.info, and kept in memory with
the moment they were read, so the 3-second path seldom waits on Slack. What a role allows is
bot.people.permissions'.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from datetime import timedelta
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.people.permissions import Role
from handlers.web_api.client import ADMIN_FLAGS, call
from handlers.web_api.refusals import SlackPermanentError, slack_said

log = logging.getLogger(__name__)

GUEST_FLAGS = ("is_restricted", "is_ultra_restricted")
# users.info errors that are about the person (gone, hidden from the bot): they count as a guest. Others
# (a revoked token, a missing scope) say nothing of them.
NOBODY = frozenset({"user_not_found", "user_not_visible", "account_inactive", "user_disabled"})


def role_of(user: Mapping[str, Any], home_team: str | None = None) -> Role:
    """A person's role from Slack's user object (users.info, users.list). Someone of another organisation
    (a stranger, or, once the bot's own workspace `home_team` is known, a user of another workspace
    outside an Enterprise Grid: a shared channel's) counts as a guest here, whatever their standing at
    home; so does a deactivated account."""
    theirs = user.get("team_id")
    foreign = user.get("is_stranger") is True or (
        bool(home_team) and bool(theirs) and theirs != home_team and not user.get("enterprise_user")
    )
    if foreign or user.get("deleted") is True or any(user.get(flag) is True for flag in GUEST_FLAGS):
        return Role.GUEST
    if any(user.get(flag) is True for flag in ADMIN_FLAGS):
        return Role.ADMIN
    return Role.MEMBER


class Roles:
    """Roles read from Slack, by workspace and person; one per process."""

    def __init__(self, home_team: str | None = None, clock: Callable[[], float] = time.monotonic) -> None:
        self._cache: dict[tuple[str, str], tuple[Role, float]] = {}
        self._lock = threading.Lock()
        self._clock = clock  # seconds, only ever compared with itself
        # The workspace the bot token belongs to (the installation's, read once at start): people whose
        # users.info says another one are of another organisation.
        self.home_team = home_team

    def _remember(self, team_id: str, user_id: str, role: Role) -> Role:
        with self._lock:
            self._cache[(team_id, user_id)] = (role, self._clock())
        return role

    def remember_all(self, team_id: str, members: Iterable[Mapping[str, Any]]) -> None:
        """Roles just read in bulk (a page of the member list): fresh as of now."""
        now = self._clock()
        fresh = {
            (team_id, str(m["id"])): (role_of(m, self.home_team), now)
            for m in members
            if isinstance(m.get("id"), str)
        }
        with self._lock:
            self._cache.update(fresh)

    def forget(self, team_id: str, user_id: str) -> None:
        with self._lock:
            self._cache.pop((team_id, user_id), None)

    def resolve(
        self, *, client: WebClient, team_id: str, user_id: str, max_age: timedelta, stale_ok: bool = True
    ) -> Role | None:
        """The person's role: from memory when read less than `max_age` ago (0: never), else asked of
        Slack now. When Slack does not answer: what was read before if `stale_ok`, else None (the caller
        refuses). Someone Slack will not show (user_not_found, …) is a guest."""
        with self._lock:
            hit = self._cache.get((team_id, user_id))
        if hit is not None and self._clock() - hit[1] < max_age.total_seconds():
            return hit[0]
        try:
            user = call(client.users_info, user=user_id).get("user") or {}
        except SlackPermanentError as exc:
            if exc.error in NOBODY:
                log.warning("users.info: %s; %s counts as a guest", exc.error, user_id)
                return self._remember(team_id, user_id, Role.GUEST)
            error: object = exc.error
        except SlackApiError as exc:  # rate-limited, Slack down: one line, not a traceback
            said = slack_said(exc)
            error = said.removeprefix("users.info: ") if said else exc
        except OSError as exc:
            error = exc
        else:
            return self._remember(team_id, user_id, role_of(user, self.home_team))
        log.warning("users.info failed for %s/%s (%s): their role is not known now", team_id, user_id, error)
        return hit[0] if hit is not None and stale_ok else None
