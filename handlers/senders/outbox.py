"""The outbox sender: right after a commit it sends what that transaction recorded; on every tick it sends
what is due again (a failure's back-off ran out, or a replica died holding it). Slack's answer decides:
posted → sent; a failure that may heal → tried again later; one that never will → failed, and the person
is told another way (a DM for a share that could not be posted, App Home and their next command for a DM
that could not be sent)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from functools import partial

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.orm import Session

from bot.outbox.queue import (
    Outgoing,
    claim_due,
    enqueue,
    mark_told,
    record_failed,
    record_sent,
    retry_later,
    start_sending,
)
from bot.outbox.redraws import Redraw, claim_redraws, record_redrawn
from handlers.senders.claimed import ClaimedSender, Retry
from handlers.views.outbox import CHANNEL_POSTS, post_failed_text, share_failed_text
from handlers.web_api.client import call, post_message, quietly, update_quietly
from handlers.web_api.refusals import SlackPermanentError
from storage.db import Database
from storage.models import OutboxKind, OutboxMessage

log = logging.getLogger(__name__)

METADATA_EVENT = "interview_bot_outbox"
CLAIM_BATCH = 50
SEND_WORKERS = 4
MAX_BATCHES_PER_TICK = 20  # a bound, so one tick always ends; what is left waits for the next
REDRAW_ROUNDS = 3  # draws of one post in a row while edits keep changing it


class OutboxSender(ClaimedSender):
    """One per process. `on_failure(team_id, user_id)` is called when a message to a person failed for
    good (the App Home shows it)."""

    noun, event, key = "outbox message", METADATA_EVENT, "outbox_id"
    batch, most_batches = CLAIM_BATCH, MAX_BATCHES_PER_TICK

    def __init__(
        self,
        *,
        db: Database,
        client: WebClient,
        replica: str | None = None,
        on_failure: Callable[[str, str], None] | None = None,
    ) -> None:
        # Right after a commit, in a thread of its own, a short Retry-After is slept out (the person is
        # waiting for their confirmation); on a tick a 429 hands the message back until Retry-After.
        super().__init__(db=db, client=client, replica=replica, workers=SEND_WORKERS, name="outbox")
        self.on_failure = on_failure

    def send_now(self, message_ids: Iterable[int]) -> list[str]:
        """Send these just-recorded messages, in order (a DM before the channel post it mentions), and
        redraw those of them whose post a just-committed edit left behind."""
        ids, now = list(message_ids), datetime.now(UTC)
        done = [
            self._deliver_safely(m, self.patient)
            for m in self._run(claim_due, message_ids=ids, now=now, limit=len(ids))
        ]
        redraws = self._run(claim_redraws, now=now, limit=len(ids), message_ids=ids)
        return done + [self._redraw_safely(r) for r in redraws]

    def tick(self) -> int:
        """Send every message whose next attempt has come, and redraw every post left behind (its redraw
        was never tried, or its holder died); how many were claimed."""
        sent, _ = self._batches(claim_due, lambda m: self._deliver_safely(m, self.client))
        redrawn, _ = self._batches(claim_redraws, self._redraw_safely)
        return sent + redrawn

    def _deliver_safely(self, message: Outgoing, client: WebClient) -> str:
        return self._safely(f"outbox message {message.id}", lambda: self.deliver(message, client))

    def deliver(self, message: Outgoing, client: WebClient) -> str:
        return self._send(
            message.id,
            channel=message.channel_id,
            takeover=message.takeover,
            start=lambda: self._run(start_sending, message_id=message.id, now=datetime.now(UTC)),
            draw=lambda: (message.text, message.blocks),
            post=partial(post_message, client),
            # Found: the dead holder posted it as it read then; an edit since is in `message`.
            record=lambda posted: self._record_sent(message, posted.channel, posted.ts, stale=posted.found),
            give_up=lambda error: self._fail(message, error),
            later=lambda retry: self._later(message, retry),
        )

    def _redraw_safely(self, redraw: Redraw) -> str:
        return self._safely(f"redraw of outbox message {redraw.id}", lambda: self.redraw(redraw))

    def redraw(self, redraw: Redraw) -> str:
        """Update the post to what its message says now, and again while an edit made meanwhile changed it
        (at most REDRAW_ROUNDS times; then the lease runs out and a tick goes on). Slack refusing (the
        post was deleted, the bot left the channel) ends it: what is stored is what counts. Through the
        patient client: a redraw is rare, and a rate limit is slept out rather than left for a tick."""
        current: Redraw | None = redraw
        for _ in range(REDRAW_ROUNDS):
            if current is None:
                return "redrawn"
            drawn = current
            try:
                call(
                    self.patient.chat_update,
                    channel=drawn.channel_id,
                    ts=drawn.ts,
                    text=drawn.text,
                    blocks=drawn.blocks,
                )
            except (SlackApiError, SlackPermanentError) as exc:
                log.info("could not redraw outbox message %s: %s", drawn.id, exc)
            current = self._run(record_redrawn, redraw=drawn, now=datetime.now(UTC))
        return "redrawn" if current is None else "retrying"

    def _record_sent(self, message: Outgoing, channel: str, ts: str, *, stale: bool = False) -> None:
        """Record where the message went. If its interview was deleted while it was being posted (or its
        share withdrawn), the post comes down; if it was edited meanwhile, the post is redrawn as it now
        reads (`stale`: what is in Slack may be older than `message` itself). Through the patient client:
        a fix-up that a rate limit turned away would not be tried again."""
        recorded = self._run(
            record_sent, message_id=message.id, channel_id=channel, message_ts=ts, now=datetime.now(UTC)
        )
        what = f"outbox message {message.id}, changed while it was posted"
        if recorded.gone:
            quietly(self.patient.chat_delete, what, level=logging.WARNING, channel=channel, ts=ts)
        elif recorded.held and (stale or (recorded.text, recorded.blocks) != (message.text, message.blocks)):
            update_quietly(
                self.patient,
                what,
                level=logging.WARNING,
                channel=channel,
                ts=ts,
                text=recorded.text,
                blocks=recorded.blocks,
            )

    def _later(self, message: Outgoing, retry: Retry) -> None:
        if (
            self._run(retry_later, message_id=message.id, now=datetime.now(UTC), **retry._asdict())
            is not None
        ):
            self._failed_for_good(message, retry.error)

    def _fail(self, message: Outgoing, error: str) -> None:
        log.warning("outbox message %s (%s) cannot be delivered: %s", message.id, message.kind, error)
        now = datetime.now(UTC)

        def record(session: Session) -> list[int]:
            failed = record_failed(
                session=session, message_id=message.id, replica=self.replica, error=error, now=now
            )
            return [] if failed is None else self._tell_by_dm(session, failed, error, now)

        notices = self.db.run(record)
        if notices:
            self.send_now(notices)
        else:
            self._failed_for_good(message, error)

    def _tell_by_dm(self, session: Session, failed: OutboxMessage, error: str, now: datetime) -> list[int]:
        """A post into a channel (an interview's share, a closed study's summary) that could not be posted is
        told by DM, in the transaction that records the failure."""
        if failed.kind not in CHANNEL_POSTS:
            return []
        if failed.kind == OutboxKind.STUDY_SUMMARY:
            text = post_failed_text(failed.channel_id, error, failed.about)
        else:
            text = share_failed_text(failed.channel_id, error)
        notice = enqueue(
            session=session,
            team_id=failed.team_id,
            user_id=failed.user_id,
            kind=OutboxKind.SHARE_FAILED,
            channel_id=failed.user_id,
            text=text,
            about=f"that {failed.about} could not be posted",
            interview_id=failed.interview_id,
            now=now,
        )
        mark_told(session=session, message_ids=[failed.id], now=now)
        return [notice]

    def _failed_for_good(self, message: Outgoing, error: str) -> None:
        log.warning("outbox message %s to %s failed for good: %s", message.id, message.user_id, error)
        if self.on_failure is not None:
            try:
                self.on_failure(message.team_id, message.user_id)
            except Exception as exc:  # the next command still tells them
                log.warning("could not show %s their undelivered message (%s)", message.user_id, exc)
