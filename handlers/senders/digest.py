"""The digest poster: each tick claims the digests that are due and posts each to its channel, the short
message first, then the rest in its thread, then the chart; every step is recorded as it is done, so a
replica that takes over (after a crash, or a 429) goes on from where the run stopped and posts nothing
twice."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
from zoneinfo import ZoneInfo

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.orm import Session

from bot.digest.chart import chart_alt_text, chart_png
from bot.digest.content import Digest, build_digest
from bot.digest.period import Period
from bot.digest.runs import (
    RETRY_AFTER_FAILURE,
    ClaimedRun,
    claim_due,
    claim_now,
    finish,
    previous_quoted,
    progress,
    record,
    retry_later,
)
from bot.digest.subscriptions import pause
from bot.outbox.queue import enqueue
from bot.text import escape_mrkdwn
from bot.themes.quotes import QuoteFit
from bot.themes.upkeep.job import UpkeepJob
from handlers.senders.claimed import ClaimedSender
from handlers.views.digest import (
    DigestMessage,
    chart_missing_note,
    digest_message,
    digest_replies,
    quiet_note,
)
from handlers.web_api.client import call, post_message
from handlers.web_api.refusals import SlackPermanentError
from storage.db import Database, DatabaseUnavailable
from storage.models import DigestRunState, OutboxKind, QuietWeek

log = logging.getLogger(__name__)

# Why a subscription stops, as its subscriber reads it.
PAUSE_REASONS = {
    "channel_not_found": "the channel was deleted",
    "is_archived": "the channel was archived",
    "not_in_channel": "the bot was removed from the channel",
}
# How long a digest waits for another replica that is regrouping the workspace's themes right now.
THEMES_WAIT_SECONDS = 10.0


class DigestPoster(ClaimedSender):
    noun, event, key = "digest run", DigestMessage.METADATA_EVENT, "run_id"

    def __init__(
        self,
        *,
        db: Database,
        client: WebClient,
        replica: str | None = None,
        send_outbox: Callable[[list[int]], object] | None = None,
        upkeep: UpkeepJob | None = None,
        themes_wait: float = THEMES_WAIT_SECONDS,
    ) -> None:
        """`send_outbox` sends what a run recorded for its subscriber at once (else the outbox's tick);
        `upkeep` brings the workspace's themes up to date before a digest is built."""
        # A 429 hands the run back until Retry-After instead of sleeping in the scheduler's thread.
        super().__init__(db=db, client=client, replica=replica)
        self.send_outbox = send_outbox
        self.upkeep, self.themes_wait = upkeep, themes_wait
        self._names: dict[tuple[str, str], str] = {}

    def tick(self, now: datetime | None = None) -> int:
        """Post every digest that is due; returns how many runs were claimed."""
        now = now or datetime.now(UTC)
        claimed = self._run(claim_due, now=now)
        for run in claimed:
            self.post(run, now)
        return len(claimed)

    def post_now(self, *, team_id: str, subscription_id: int, now: datetime | None = None) -> bool:
        """A digest for the period ending now, on request; False when one was made this very minute."""
        now = now or datetime.now(UTC)
        run = self._run(claim_now, team_id=team_id, subscription_id=subscription_id, now=now)
        if run is not None:
            self.post(run, now)
        return run is not None

    def post(self, run: ClaimedRun, now: datetime) -> None:
        self._settled(
            f"digest run {run.run_id}",
            lambda: self._post(run, now),
            give_up=lambda error: self._give_up(run, error, now),
            later=lambda retry: self._run(
                retry_later,
                run_id=run.run_id,
                now=now,
                after=retry.wait or RETRY_AFTER_FAILURE,
                not_sent=retry.not_sent,
            ),
        )

    def _record(self, run: ClaimedRun, **values: object) -> bool:
        return self._run(record, run_id=run.run_id, now=datetime.now(UTC), **values)

    def _finish(self, run: ClaimedRun, state: DigestRunState, error: str | None = None) -> None:
        self._run(finish, run_id=run.run_id, now=datetime.now(UTC), state=state, error=error)

    def build(self, run: ClaimedRun, now: datetime) -> Digest:
        period = Period.ending_at(run.period_end, ZoneInfo(run.timezone))
        with self.db.read() as session:
            return build_digest(
                session=session,
                team_id=run.team_id,
                period=period,
                now=now,
                already_quoted=previous_quoted(
                    session=session, subscription_id=run.subscription_id, before=run.period_end
                ),
                # Without the themes' embedder no quote is known to be on topic: lines only.
                quote_fit=QuoteFit(self.upkeep.embedder) if self.upkeep is not None else None,
                rank_by=run.rank_by,
            )

    def _catch_up(self, run: ClaimedRun, now: datetime) -> None:
        """Bring the workspace's themes up to date, so a pain logged a minute ago is in its theme (a
        no-op when nothing new came). Runs in the scheduler's thread, with the embedding and grouping
        outside any write transaction. If another replica is regrouping the workspace and does not
        finish within `themes_wait`, or this fails, the digest reads the themes as stored: a digest a
        little behind beats none."""
        if self.upkeep is None:
            return
        try:
            if not self.upkeep.catch_up(team_id=run.team_id, now=now, wait=self.themes_wait):
                log.info(
                    "digest run %s: another replica is regrouping the themes of %s; the digest reads them "
                    "as stored",
                    run.run_id,
                    run.team_id,
                )
        except DatabaseUnavailable:
            raise
        except Exception:
            log.exception("digest run %s: the themes could not be brought up to date first", run.run_id)

    def _post(self, run: ClaimedRun, now: datetime) -> None:
        with self.db.read() as session:
            done = progress(session=session, run_id=run.run_id)
        if done.message_ts is None and done.send_started_at is None:
            # Only before anything went out: a run taken over goes on with the themes it was posted from.
            self._catch_up(run, now)
        digest = self.build(run, now)
        if digest.quiet and run.quiet is QuietWeek.NOTHING:
            self._finish(run, DigestRunState.QUIET)
            return
        ts = done.message_ts
        if ts is None:
            posted = self._posted(
                run.run_id,
                run.channel_id,
                takeover=run.takeover and done.send_started_at is not None,
                start=lambda: self._record(run, send_started_at=datetime.now(UTC)),
                draw=lambda: (
                    (quiet_note(digest), None)
                    if digest.quiet
                    else digest_message(digest, self._namer(run.team_id))
                ),
                post=partial(post_message, self.client),
            )
            if posted is None or not self._record(
                run, message_ts=posted.ts, quoted=[list(q) for q in digest.quoted()]
            ):
                return
            ts = posted.ts
        if not digest.quiet:
            for n, (text, blocks) in enumerate(digest_replies(digest), 1):
                if n <= done.replies_posted:
                    continue
                post_message(self.client, channel=run.channel_id, text=text, blocks=blocks, thread_ts=ts)
                if not self._record(run, replies_posted=n):
                    return
            if not done.chart_done:
                self._chart(run, digest, ts)
                if not self._record(run, chart_done=True):
                    return
        self._finish(run, DigestRunState.SENT)
        log.info("digest run %s posted to %s", run.run_id, run.channel_id)

    def _chart(self, run: ClaimedRun, digest: Digest, ts: str) -> None:
        """The chart, uploaded into the thread. A chart that cannot be drawn or uploaded for good is said
        to be missing; the digest itself stands."""
        if not digest.chart:
            return
        try:
            png = chart_png(digest)
        except Exception:  # matplotlib failing must not cost the team its digest
            log.exception("digest run %s: the chart could not be drawn", run.run_id)
            png = None
        if png is not None:
            try:
                call(
                    self.client.files_upload_v2,
                    channel=run.channel_id,
                    thread_ts=ts,
                    file=png,
                    filename="digest.png",
                    title=f"Top pains, {digest.period.title}",
                    alt_txt=chart_alt_text(digest),
                )
                return
            except SlackPermanentError as exc:
                log.warning("digest run %s: the chart could not be uploaded (%s)", run.run_id, exc.error)
        post_message(self.client, channel=run.channel_id, text=chart_missing_note(), thread_ts=ts)

    def _give_up(self, run: ClaimedRun, error: str, now: datetime) -> None:
        """The channel is gone, archived or closed to the bot: the run fails, the subscription pauses, and
        the person who subscribed it is told."""
        reason = PAUSE_REASONS.get(error, f"Slack said {error}")
        log.warning("digest run %s to %s cannot be posted: %s", run.run_id, run.channel_id, error)
        self._finish(run, DigestRunState.FAILED, error)
        text = (
            f"I couldn't post the weekly digest to <#{run.channel_id}>: {reason}. I've paused that "
            "subscription; `/interview digest` subscribes a channel again."
        )

        def pause_and_tell(session: Session) -> list[int]:
            pause(session=session, subscription_id=run.subscription_id, reason=reason, now=now)
            return [
                enqueue(
                    session=session,
                    team_id=run.team_id,
                    user_id=run.subscriber,
                    kind=OutboxKind.DIGEST_PAUSED,
                    channel_id=run.subscriber,
                    text=text,
                    about="the notice that a weekly digest paused",
                    now=now,
                )
            ]

        told = self.db.run(pause_and_tell)
        if self.send_outbox is not None:
            self.send_outbox(told)

    def _namer(self, team_id: str) -> Callable[[str], str]:
        """A Slack user's name for the digest (a mention would ping them every week), asked of Slack
        once per person and kept."""

        def name(user_id: str) -> str:
            key = (team_id, user_id)
            if key not in self._names:
                try:
                    user = call(self.client.users_info, user=user_id).get("user") or {}
                    profile = user.get("profile") or {}
                    name = profile.get("display_name") or user.get("real_name") or "a teammate"
                    self._names[key] = escape_mrkdwn(name)
                except (SlackApiError, SlackPermanentError, OSError):
                    return "a teammate"
            return self._names[key]

        return name
