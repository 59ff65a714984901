"""The reminder scheduler. APScheduler only ticks; every tick asks the database what is due, claims it,
sends it and records the result, so any number of replicas send each reminder once.

APScheduler's own job store and misfire handling are not used for reminders: a job store cannot be
shared between processes, and a missed run is simply the next tick finding more that is due.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from zoneinfo import ZoneInfo

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.orm import Session

from bot.followups.working_hours import next_working_moment
from bot.loop.tells import tell_lists
from bot.people.permissions import TRUSTED_FOR, Act, may, needed
from bot.reminders.deliveries import (
    RETRY_AFTER_FAILURE,
    Claimed,
    DeliveryWork,
    ReminderPolicy,
    claim_due,
    defer,
    items_by_id,
    load_delivery,
    record_sent,
    record_undeliverable,
    renew_lease,
    retry_later,
    summary_recaps,
)
from handlers.senders.claimed import ClaimedSender, Posted, Retry
from handlers.views.reminders import reminder_message, reminder_text
from handlers.web_api.client import call, post_message, quietly, update_quietly
from handlers.web_api.refusals import slack_said
from handlers.web_api.roles import Roles
from handlers.web_api.timezones import Timezones
from storage.db import Database
from storage.models import FollowUp

log = logging.getLogger(__name__)

METADATA_EVENT = "interview_bot_reminder"
CLAIM_BATCH = 100
SEND_WORKERS = 8
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


class ReminderSender(ClaimedSender):
    """Claims due deliveries and sends them; one per process, called on every tick."""

    noun, event, key = "reminder delivery", METADATA_EVENT, "delivery_id"
    most_batches = MAX_BATCHES_PER_TICK

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
        super().__init__(db=db, client=client, replica=replica, workers=workers, name="reminders")
        self.timezones, self.policy, self.roles = timezones, policy, roles or Roles()
        self.batch = batch

    def tick(self) -> TickResult:
        """Claim and send until nothing due is left (or a batch came back short)."""
        total = TickResult()
        total.claimed, outcomes = self._batches(claim_due, self._deliver_safely, lease=self.policy.lease)
        for outcome in outcomes:
            setattr(total, outcome, getattr(total, outcome) + 1)
        return total

    def _deliver_safely(self, claimed: Claimed) -> str:
        return self._safely(f"reminder delivery {claimed.delivery_id}", lambda: self.deliver(claimed))

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
            self._later(delivery_id, Retry.of(exc, posting=False), now)
            return "retrying"
        hours = self.policy.working_hours

        paused_until = work.person.reminders_paused_until if work.person else None
        later = next_working_moment(max(now, paused_until or now), tz, hours)
        # Outside working hours (or paused) only what is tied to a call's time goes out now.
        items = work.items if later == now else [i for i in work.items if i.kind.on_the_clock]
        if not items:
            self._run(defer, delivery_id=delivery_id, until=later)
            return "deferred"
        held_back = {i.id: later for i in work.items if i not in items}

        known_channel = work.person.dm_channel_id if work.person else None

        def give_up(error: str) -> None:
            log.warning("reminder %s to %s cannot be delivered: %s", delivery_id, claimed.owner_id, error)
            self._run(record_undeliverable, delivery_id=delivery_id, error=error)

        return self._send(
            delivery_id,
            channel=known_channel or claimed.owner_id,
            takeover=claimed.takeover,
            start=lambda: self._run(
                renew_lease, delivery_id=delivery_id, now=datetime.now(UTC), lease=self.policy.lease
            ),
            draw=lambda: (reminder_text(items), self._draw(claimed, work, items, tz, now)),
            post=partial(post_message, self.client),
            record=lambda posted: self._record(claimed, items, posted, tz, held_back, known_channel),
            give_up=give_up,
            later=lambda retry: self._later(delivery_id, retry, now),
        )

    def _draw(
        self, claimed: Claimed, work: DeliveryWork, items: list[FollowUp], tz: ZoneInfo, now: datetime
    ) -> list[dict]:
        """A prep DM's account history and its study's tallies are the team's: a guest's (or someone whose
        role Slack cannot tell now) goes without the history, and has the study's goal and questions
        without how many accounts spoke to each."""
        histories, guides = work.histories, work.guides
        if histories or guides:
            role = self.roles.resolve(
                client=self.client,
                team_id=claimed.team_id,
                user_id=claimed.owner_id,
                max_age=TRUSTED_FOR[needed(Act.SEE_ACCOUNT_HISTORY)],
            )
            if not may(role, Act.SEE_ACCOUNT_HISTORY):
                histories = {}
            if not may(role, Act.STUDY):
                guides = {call: guide.without_counts() for call, guide in guides.items()}
        return reminder_message(
            items, tz, now, histories=histories, guides=guides, recaps=work.recaps, tells=work.tells
        )

    def _later(self, delivery_id: int, retry: Retry, now: datetime) -> None:
        after = retry.wait or RETRY_AFTER_FAILURE
        self._run(retry_later, delivery_id=delivery_id, now=now, after=after, not_sent=retry.not_sent)

    def _record(
        self,
        claimed: Claimed,
        items: list[FollowUp],
        posted: Posted,
        tz: object,
        held_back: dict[int, datetime],
        known_channel: str | None,
    ) -> None:
        now = datetime.now(UTC)
        recorded = self._run(
            record_sent,
            delivery_id=claimed.delivery_id,
            channel_id=posted.channel,
            message_ts=posted.ts,
            now=now,
            tz=tz,
            policy=self.policy,
            held_back=held_back,
            known_channel=known_channel,
        )
        listed = set(recorded.follow_up_ids)
        if recorded.gone or (recorded.held and any(i.id not in listed for i in items)):
            left = [i.id for i in items if i.id in listed]
            self._without_deleted(claimed, posted.channel, posted.ts, left, tz, now)

    def _without_deleted(
        self, claimed: Claimed, channel: str, ts: str, left: list[int], tz: object, now: datetime
    ) -> None:
        """An interview was deleted while this DM listing its follow-ups was being sent: the DM is drawn
        again without them, or taken down when nothing is left, so none of its words stay in Slack.
        Rate limits are slept out here: nothing would try this again."""
        what = f"reminder {claimed.delivery_id}, which listed a deleted follow-up"
        with self.db.read() as session:
            items = items_by_id(session=session, team_id=claimed.team_id, ids=left) if left else []
            drawn = None
            if items:
                blocks = drawn_again(session, claimed.team_id, items, tz, now)  # type: ignore[arg-type]
                drawn = (reminder_text(items), blocks)
        if drawn is None:
            quietly(self.patient.chat_delete, what, level=logging.WARNING, channel=channel, ts=ts)
        else:
            text, blocks = drawn
            update_quietly(
                self.patient, what, level=logging.WARNING, channel=channel, ts=ts, text=text, blocks=blocks
            )


def redraw_reminder(
    db: Database, client: WebClient, team_id: str, tz: ZoneInfo, channel: str, ts: str, ids: list[int]
) -> None:
    """Draw the reminder DM at `channel`/`ts` again, listing these follow-ups as they are now, in the zone
    of the person whose DM it is (after a click on it, an edit or a deletion)."""
    with db.read() as session:
        items = items_by_id(session=session, team_id=team_id, ids=ids)
        blocks = drawn_again(session, team_id, items, tz, datetime.now(UTC))
        text = reminder_text(items)
    call(client.chat_update, channel=channel, ts=ts, text=text, blocks=blocks)


def drawn_again(
    session: Session, team_id: str, items: list[FollowUp], tz: ZoneInfo, now: datetime
) -> list[dict]:
    """A reminder drawn again after it was sent. A summary's study draft and the accounts to tell are
    drawn again (a click must not take them away); a prep note, said once and without buttons, is drawn
    without its history and guide, which need the reader's role."""
    recaps = summary_recaps(session=session, team_id=team_id, items=items)
    tells = tell_lists(session=session, team_id=team_id, items=items)
    return reminder_message(items, tz, now, recaps=recaps, tells=tells)
