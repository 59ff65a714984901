"""The reminder scheduler. APScheduler only ticks; every tick asks the database what is due, claims it,
sends it and records the result, so any number of replicas send each reminder once.

APScheduler's own job store and misfire handling are not used for reminders: a job store cannot be
shared between processes, and a missed run is simply the next tick finding more that is due.
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.accounts.history import AccountHistory
from bot.followups.working_hours import next_working_moment
from bot.logs import RETRIED, failures_logged
from bot.people.permissions import TRUSTED_FOR, Act, may, needed
from bot.reminders.deliveries import (
    RETRY_AFTER_FAILURE,
    Claimed,
    ReminderPolicy,
    claim_due,
    defer,
    items_by_id,
    load_delivery,
    record_sent,
    record_undeliverable,
    renew_lease,
    retry_later,
)
from bot.replica import replica_name
from handlers.views.reminders import reminder_message, reminder_text
from handlers.web_api.client import (
    find_sent,
    post_message,
    quietly,
    retry_after,
    update_quietly,
    without_rate_limit_sleeps,
)
from handlers.web_api.refusals import SlackPermanentError, slack_said
from handlers.web_api.roles import Roles
from handlers.web_api.timezones import Timezones
from storage.db import Database
from storage.models import FollowUp

log = logging.getLogger(__name__)

METADATA_EVENT = "interview_bot_reminder"
CLAIM_BATCH = 100
SEND_WORKERS = 8
HISTORY_LOOKBACK = 50
MAX_BATCHES_PER_TICK = 100  # a bound, so one tick always ends; what is left waits for the next


@dataclass
class TickResult:
    claimed: int = 0
    sent: int = 0
    deferred: int = 0
    failed: int = 0
    retrying: int = 0
    found_in_slack: int = 0
    skipped: int = 0


class ReminderSender:
    """Claims due deliveries and sends them; one per process, called on every tick."""

    def __init__(
        self,
        *,
        db: Database,
        client: WebClient,
        timezones: Timezones,
        policy: ReminderPolicy,
        replica: str | None = None,
        workers: int = SEND_WORKERS,
        batch: int = CLAIM_BATCH,
        roles: Roles | None = None,
    ) -> None:
        # Rate limits are paced here, not slept out in a send thread that other people are waiting for.
        self.db, self.client, self.patient = db, without_rate_limit_sleeps(client), client
        self.timezones, self.policy, self.roles = timezones, policy, roles or Roles()
        self.replica = replica or replica_name()
        self.batch = batch
        self._pool = ThreadPoolExecutor(workers, thread_name_prefix="reminders")

    def tick(self) -> TickResult:
        """Claim and send until nothing due is left (or a batch came back short)."""
        total = TickResult()
        for _ in range(MAX_BATCHES_PER_TICK):
            claimed = self.db.run(
                lambda session: claim_due(
                    session=session,
                    now=datetime.now(UTC),
                    replica=self.replica,
                    lease=self.policy.lease,
                    limit=self.batch,
                )
            )
            total.claimed += len(claimed)
            for outcome in self._pool.map(self._deliver_safely, claimed):
                setattr(total, outcome, getattr(total, outcome) + 1)
            if len(claimed) < self.batch:
                break
        return total

    def close(self) -> None:
        self._pool.shutdown(wait=True)

    def _deliver_safely(self, claimed: Claimed) -> str:
        with failures_logged(log, f"reminder delivery {claimed.delivery_id}", then=RETRIED):
            return self.deliver(claimed)
        return "retrying"

    def deliver(self, claimed: Claimed) -> str:
        with self.db.read() as session:
            work = load_delivery(session=session, delivery_id=claimed.delivery_id, replica=self.replica)
        if work is None:
            return "skipped"
        delivery_id = claimed.delivery_id
        now = datetime.now(UTC)
        try:
            tz = self.timezones.resolve(
                client=self.client, team_id=claimed.team_id, user_id=claimed.owner_id, strict=True
            )
        except (SlackApiError, OSError) as exc:  # the zone is unknown: wait rather than guess it
            log.info(
                "reminder %s: timezone lookup failed (%s); trying again later",
                delivery_id,
                slack_said(exc) or exc,
            )
            return self._later(delivery_id, exc, now, not_sent=True)
        hours = self.policy.working_hours

        paused_until = work.person.reminders_paused_until if work.person else None
        later = next_working_moment(max(now, paused_until or now), tz, hours)
        # Outside working hours (or paused) only what is tied to a call's time goes out now.
        items = work.items if later == now else [i for i in work.items if i.kind.on_the_clock]
        if not items:
            self.db.run(
                lambda s: defer(session=s, delivery_id=delivery_id, replica=self.replica, until=later)
            )
            return "deferred"
        held_back = {i.id: later for i in work.items if i not in items}

        known_channel = work.person.dm_channel_id if work.person else None
        channel = known_channel or claimed.owner_id
        if claimed.takeover:
            found = self._find_in_slack(channel, delivery_id)
            if found is not None:
                self._record(claimed, items, found[0], found[1], tz, held_back, known_channel)
                return "found_in_slack"

        # A stall (rate-limit sleeps, a slow database) may have outlived the lease: only the holder sends.
        if not self.db.run(
            lambda s: renew_lease(
                session=s,
                delivery_id=delivery_id,
                replica=self.replica,
                now=datetime.now(UTC),
                lease=self.policy.lease,
            )
        ):
            return "skipped"
        try:
            response = post_message(
                self.client,
                channel=channel,
                text=reminder_text(items),
                blocks=reminder_message(
                    items, tz, now, histories=self._histories_for(claimed, work.histories)
                ),
                metadata={"event_type": METADATA_EVENT, "event_payload": {"delivery_id": delivery_id}},
            )
        except SlackPermanentError as exc:
            reason = exc.error
            log.warning("reminder %s to %s cannot be delivered: %s", delivery_id, claimed.owner_id, reason)
            self.db.run(
                lambda s: record_undeliverable(
                    session=s, delivery_id=delivery_id, replica=self.replica, error=reason
                )
            )
            return "failed"
        except SlackApiError as exc:  # Slack answered: nothing was posted
            log.info("reminder %s: Slack said %s; trying again later", delivery_id, exc.response.get("error"))
            return self._later(delivery_id, exc, now, not_sent=True)
        except OSError as exc:  # no answer: it may have been posted, so the retry looks first
            log.warning("reminder %s: no answer from Slack (%s); trying again later", delivery_id, exc)
            return self._later(delivery_id, exc, now, not_sent=False)
        self._record(
            claimed, items, str(response["channel"]), str(response["ts"]), tz, held_back, known_channel
        )
        return "sent"

    def _histories_for(
        self, claimed: Claimed, histories: dict[int, AccountHistory]
    ) -> dict[int, AccountHistory]:
        """A prep DM's account history is the team's: a guest's (or someone whose role Slack cannot tell
        now) goes without it, with the call's goal and checklist only."""
        if not histories:
            return histories
        act = Act.SEE_ACCOUNT_HISTORY
        role = self.roles.resolve(
            client=self.client,
            team_id=claimed.team_id,
            user_id=claimed.owner_id,
            max_age=TRUSTED_FOR[needed(act)],
        )
        return histories if may(role, act) else {}

    def _later(self, delivery_id: int, error: Exception, now: datetime, *, not_sent: bool) -> str:
        wait = retry_after(error) if isinstance(error, SlackApiError) else None
        after = timedelta(seconds=wait) if wait is not None else RETRY_AFTER_FAILURE
        self.db.run(
            lambda s: retry_later(
                session=s,
                delivery_id=delivery_id,
                replica=self.replica,
                now=now,
                after=after,
                not_sent=not_sent,
            )
        )
        return "retrying"

    def _record(
        self,
        claimed: Claimed,
        items: list[FollowUp],
        channel: str,
        ts: str,
        tz: object,
        held_back: dict[int, datetime],
        known_channel: str | None,
    ) -> None:
        now = datetime.now(UTC)
        recorded = self.db.run(
            lambda s: record_sent(
                session=s,
                delivery_id=claimed.delivery_id,
                replica=self.replica,
                channel_id=channel,
                message_ts=ts,
                now=now,
                tz=tz,  # type: ignore[arg-type]
                policy=self.policy,
                held_back=held_back,
                known_channel=known_channel,
            )
        )
        listed = set(recorded.follow_up_ids)
        if recorded.gone or (recorded.held and any(i.id not in listed for i in items)):
            self._without_deleted(claimed, channel, ts, [i.id for i in items if i.id in listed], tz, now)

    def _without_deleted(
        self, claimed: Claimed, channel: str, ts: str, left: list[int], tz: object, now: datetime
    ) -> None:
        """An interview was deleted while this DM listing its follow-ups was being sent: the DM is drawn
        again without them, or taken down when nothing is left, so none of its words stay in Slack.
        Rate limits are slept out here: nothing would try this again."""
        what = f"reminder {claimed.delivery_id}, which listed a deleted follow-up"
        with self.db.read() as session:
            items = items_by_id(session=session, team_id=claimed.team_id, ids=left) if left else []
            drawn = (reminder_text(items), reminder_message(items, tz, now)) if items else None  # type: ignore[arg-type]
        if drawn is None:
            quietly(self.patient.chat_delete, what, level=logging.WARNING, channel=channel, ts=ts)
        else:
            text, blocks = drawn
            update_quietly(
                self.patient, what, level=logging.WARNING, channel=channel, ts=ts, text=text, blocks=blocks
            )

    def _find_in_slack(self, channel: str, delivery_id: int) -> tuple[str, str] | None:
        """The DM a replica that died may have sent before it could record it, found by its metadata."""
        try:
            return find_sent(
                self.client,
                channel=channel,
                event_type=METADATA_EVENT,
                key="delivery_id",
                value=delivery_id,
                limit=HISTORY_LOOKBACK,
            )
        except (SlackApiError, SlackPermanentError, OSError) as exc:
            log.warning("could not look for delivery %s in Slack (%s); sending it", delivery_id, exc)
            return None
