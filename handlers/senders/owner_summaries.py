"""The account owners' daily summaries, on the scheduler's tick (bot.reminders.owner_summary decides whose is
due and queues it), with each owner's timezone and role as Slack says them; the outbox sends (and retries)
the DMs like any other."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.config import WorkingHours
from bot.people.permissions import TRUSTED_FOR, Act, may, needed
from bot.reminders.owner_summary import queue_due_summaries
from handlers.views.owner_summary import owner_summary
from handlers.web_api.refusals import slack_said
from handlers.web_api.roles import Roles
from handlers.web_api.timezones import Timezones
from storage.db import Database

log = logging.getLogger(__name__)


class OwnerSummaries:
    """One per process; `tick()` queues the summaries that are due and returns how many."""

    def __init__(
        self,
        *,
        db: Database,
        client: WebClient,
        team_id: str,
        timezones: Timezones,
        roles: Roles,
        working_hours: WorkingHours | None,
        send_outbox: Callable[[list[int]], object] | None = None,
    ) -> None:
        """`send_outbox` sends what a tick queued at once (else the outbox's own tick does)."""
        self.db, self.client, self.team_id = db, client, team_id
        self.timezones, self.roles, self.hours = timezones, roles, working_hours
        self.send_outbox = send_outbox

    def tick(self) -> int:
        queued = queue_due_summaries(
            db=self.db,
            team_id=self.team_id,
            now=datetime.now(UTC),
            hours=self.hours,
            zone_of=self._zone,
            may_see=self._may_see,
            draw=owner_summary,
        )
        if queued and self.send_outbox is not None:
            self.send_outbox(queued)
        return len(queued)

    def _zone(self, owner_id: str) -> ZoneInfo | None:
        """Where the owner is: as last read (the member list keeps it fresh), else asked of Slack. None when
        Slack cannot say now (the summary waits: a zone guessed wrong would wake them at night), and for
        someone who may not see the team's calls: Slack is then not asked on every tick for an owner it
        does not know (a mistyped id in an import is a guest to the roles, for an hour at a time)."""
        known = self.timezones.known(self.team_id, owner_id)
        if known is not None:
            return known
        if not self._may_see(owner_id):
            return None
        try:
            return self.timezones.resolve(
                client=self.client, team_id=self.team_id, user_id=owner_id, strict=True
            )
        except (SlackApiError, OSError) as exc:
            log.info("owner summary for %s waits: timezone not read (%s)", owner_id, slack_said(exc) or exc)
            return None

    def _may_see(self, owner_id: str) -> bool:
        """The calls are the team's: an owner who is a guest (or whose role Slack cannot tell now) sees
        only their own calls."""
        role = self.roles.resolve(
            client=self.client,
            team_id=self.team_id,
            user_id=owner_id,
            max_age=TRUSTED_FOR[needed(Act.SEE_ACCOUNT_HISTORY)],
        )
        return may(role, Act.SEE_ACCOUNT_HISTORY)
