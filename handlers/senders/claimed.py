"""The life cycle the senders share (the outbox's messages, reminder DMs, digests), written once.

Work is claimed under a lease in a transaction of its own, so replicas never send the same thing twice;
each item is posted outside it, and what Slack said is recorded under the lease again. A post carries its
id in its metadata: a replica taking it over (the holder's lease ran out: it may have posted and died
before it could record it) looks for it in Slack first. A failure that may heal hands the item back for
later; one that never will gives it up for good.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any, Literal, NamedTuple, TypeVar

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.web import SlackResponse

from bot.logs import RETRIED, failures_logged
from bot.replica import replica_name
from handlers.web_api.client import find_sent, retry_after, without_rate_limit_sleeps
from handlers.web_api.refusals import SlackPermanentError
from storage.db import Database

T = TypeVar("T")
R = TypeVar("R")


class Retry(NamedTuple):
    """A failure that may heal: the item is tried again later."""

    error: str  # what Slack said, or that it did not answer
    wait: timedelta | None  # Slack's Retry-After; None: the sender's own back-off
    not_sent: bool  # Slack answered, so nothing went out; else the next attempt looks in Slack first

    @classmethod
    def of(cls, exc: SlackApiError | OSError, *, posting: bool = True) -> Retry:
        """`posting`: `exc` came from a post, which may have gone out when Slack did not answer."""
        if isinstance(exc, SlackApiError):
            wait = retry_after(exc)
            error = str(exc.response.get("error") or f"HTTP {exc.response.status_code}")
            return cls(error, None if wait is None else timedelta(seconds=wait), not_sent=True)
        return cls(f"no answer from Slack ({type(exc).__name__})", None, not_sent=not posting)


class Posted(NamedTuple):
    channel: str
    ts: str
    found: bool  # in Slack already: the holder that died posted it before it could record it


Draw = Callable[[], tuple[str, list[Any] | None]]  # a post's text and blocks


class ClaimedSender:
    """One per process. `client` hands a 429 back at once (the item waits for Retry-After); `patient`
    sleeps Retry-After out. A subclass names its items, the metadata its posts carry, and how a tick
    claims: `batch` at a time, at most `most_batches` times (a bound, so one tick always ends; what is left
    waits for the next)."""

    noun: str  # "outbox message": how log lines name an item
    event: str  # the metadata's event_type
    key: str  # the metadata's key for the item's id
    batch, most_batches = 1, 1

    def __init__(
        self, *, db: Database, client: WebClient, replica: str | None, workers: int = 0, name: str = ""
    ) -> None:
        """`workers` threads send a batch's items (none: one after the other)."""
        self.db, self.patient, self.client = db, client, without_rate_limit_sleeps(client)
        self.replica = replica or replica_name()
        self.log = logging.getLogger(type(self).__module__)
        self._pool = ThreadPoolExecutor(workers, thread_name_prefix=name) if workers else None

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True)

    def _run(self, step: Callable[..., T], **args: Any) -> T:
        """`step` (a claim, or a change to what this replica holds) in a transaction of its own."""
        return self.db.run(lambda s: step(session=s, replica=self.replica, **args))

    def _batches(
        self, claim: Callable[..., Sequence[T]], send: Callable[[T], R], **args: Any
    ) -> tuple[int, list[R]]:
        """`claim` (given `args`) and send, batch after batch, until a batch comes back short: how many
        were claimed, and what each send said."""
        claimed_in_all, said = 0, []
        for _ in range(self.most_batches):
            claimed = self._run(claim, now=datetime.now(UTC), limit=self.batch, **args)
            claimed_in_all += len(claimed)
            said += self._pool.map(send, claimed) if self._pool is not None else map(send, claimed)
            if len(claimed) < self.batch:
                break
        return claimed_in_all, said

    def _safely(self, what: str, send: Callable[[], str]) -> str:
        """`send`; an unexpected failure is logged, and the item tried again once its lease runs out."""
        with failures_logged(self.log, what, then=RETRIED):
            return send()
        return "retrying"

    def _send(
        self,
        item_id: int,
        *,
        channel: str,
        takeover: bool,
        start: Callable[[], bool],
        draw: Draw,
        post: Callable[..., SlackResponse],
        record: Callable[[Posted], None],
        give_up: Callable[[str], None],
        later: Callable[[Retry], None],
    ) -> str:
        """A claimed item's life: posted (or found in Slack) and `record`ed, or its failure settled. The
        outcome's name."""

        def send() -> str:
            posted = self._posted(item_id, channel, takeover=takeover, start=start, draw=draw, post=post)
            if posted is None:
                return "skipped"
            record(posted)
            return "found_in_slack" if posted.found else "sent"

        return self._settled(f"{self.noun} {item_id}", send, give_up=give_up, later=later)

    def _posted(
        self,
        item_id: int,
        channel: str,
        *,
        takeover: bool,
        start: Callable[[], bool],
        draw: Draw,
        post: Callable[..., SlackResponse],
    ) -> Posted | None:
        """Where the item is in Slack: on a takeover, found where the holder that died posted it; else
        `draw`n and `post`ed now (chat.postMessage, through the sender's client of choice). None when
        this replica no longer holds it."""
        if takeover and (found := self._look(item_id, channel)) is not None:
            return Posted(*found, found=True)
        # A stall (a slow database, rate-limit sleeps, a long retry) may have outlived the lease: only the
        # holder posts.
        if not start():
            return None
        text, blocks = draw()
        metadata = {"event_type": self.event, "event_payload": {self.key: item_id}}
        response = post(channel=channel, text=text, blocks=blocks, metadata=metadata)
        return Posted(str(response["channel"]), str(response["ts"]), found=False)

    def _look(self, item_id: int, channel: str) -> tuple[str, str] | None:
        """What a replica that died may have posted before it could record it, found by its metadata;
        `channel` may be a user id (a DM)."""
        try:
            return find_sent(self.client, channel=channel, event_type=self.event, key=self.key, value=item_id)
        except (SlackApiError, SlackPermanentError, OSError) as exc:
            self.log.warning("could not look for %s %s in Slack (%s); sending it", self.noun, item_id, exc)
            return None

    def _settled(
        self,
        what: str,
        send: Callable[[], R],
        *,
        give_up: Callable[[str], None],
        later: Callable[[Retry], None],
    ) -> R | Literal["failed", "retrying"]:
        """What `send` said, or what its failure came to: one that never heals gives the item up for good
        (`give_up`, with Slack's error); any other has it tried again (`later`)."""
        try:
            return send()
        except SlackPermanentError as exc:
            give_up(exc.error)
            return "failed"
        except SlackApiError as exc:  # Slack answered: nothing went out by this call
            retry = Retry.of(exc)
            self.log.info("%s: Slack said %s; trying again later", what, retry.error)
            later(retry)
        except OSError as exc:  # no answer: it may have been posted, so the next attempt looks first
            self.log.warning("%s: no answer from Slack (%s); trying again later", what, exc)
            later(Retry.of(exc))
        return "retrying"
