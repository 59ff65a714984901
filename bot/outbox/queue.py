"""Recording messages, claiming them for sending, and recording what Slack said.

A message is recorded with `enqueue` in the caller's transaction, so it exists exactly when what it
confirms does. Sending claims it: the claim moves `next_attempt_at` to the end of a lease, so no other
replica takes it meanwhile, and one that dies mid-send leaves it to be taken over when the lease runs out
(the new holder looks in Slack first when the message may have gone out). Every change after the claim is
conditional on still holding it.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Connection, and_, bindparam, select, update
from sqlalchemy.orm import Session

from storage.leases import Lease
from storage.models import OutboxKind, OutboxMessage, OutboxState

LEASE = timedelta(minutes=2)
MESSAGE = Lease(
    OutboxMessage.lease_owner,
    OutboxMessage.next_attempt_at,
    open=OutboxMessage.state == OutboxState.PENDING,
    schedule=True,
)
FIRST_RETRY = timedelta(seconds=30)
LONGEST_RETRY = timedelta(hours=1)
# Past this, a message that still could not be sent is given up and told to its person another way: a
# confirmation that arrives two days late confirms nothing.
GIVE_UP_AFTER = timedelta(days=1)
ERROR_MAX = 200


@dataclass(frozen=True)
class Outgoing:
    """A claimed message, as the sender needs it."""

    id: int
    team_id: str
    user_id: str
    kind: OutboxKind
    channel_id: str
    text: str
    blocks: list[dict[str, Any]] | None
    about: str
    # The previous holder's lease ran out while it was sending: the message may be in Slack already.
    takeover: bool


def enqueue(
    *,
    session: Session,
    team_id: str,
    user_id: str,
    kind: OutboxKind,
    channel_id: str,
    text: str,
    about: str,
    now: datetime,
    blocks: list[dict[str, Any]] | None = None,
    interview_id: int | None = None,
) -> int:
    """Record a message to send once the caller's transaction commits; its id."""
    message = OutboxMessage(
        team_id=team_id,
        user_id=user_id,
        kind=kind,
        channel_id=channel_id,
        text=text,
        blocks=blocks,
        about=about[:200],
        interview_id=interview_id,
        state=OutboxState.PENDING,
        created_at=now,
        next_attempt_at=now,
        attempts=0,
    )
    session.add(message)
    session.flush()
    return message.id


def backoff(attempts: int) -> timedelta:
    """How long to wait after the `attempts`-th failed attempt: 30 s, 1 min, 2 min, … at most an hour."""
    return min(LONGEST_RETRY, FIRST_RETRY * 2 ** max(0, attempts - 1))


def claim_due(
    *,
    session: Session,
    now: datetime,
    replica: str,
    limit: int,
    lease: timedelta = LEASE,
    message_ids: Sequence[int] | None = None,
) -> list[Outgoing]:
    """Claim up to `limit` messages whose next attempt has come (due when recorded, again once a back-off
    or a dead holder's lease ran out), oldest first; of `message_ids` only, right after their commit."""
    where = [] if message_ids is None else [OutboxMessage.id.in_(list(message_ids))]
    rows = MESSAGE.take_over(
        session,
        replica,
        *where,
        now=now,
        lease=lease,
        limit=limit,
    )
    claimed = []
    for row in rows:
        row.attempts += 1
        claimed.append(
            Outgoing(
                id=row.id,
                team_id=row.team_id,
                user_id=row.user_id,
                kind=row.kind,
                channel_id=row.channel_id,
                text=row.text,
                blocks=row.blocks,
                about=row.about,
                takeover=row.send_started_at is not None,
            )
        )
    return claimed


def start_sending(
    *, session: Session, message_id: int, replica: str, now: datetime, lease: timedelta = LEASE
) -> bool:
    """Hold the message a full lease longer, right before posting it; False when another replica took it
    over meanwhile (a stall past the lease), and then this one must not post."""
    return MESSAGE.renew(
        session, replica, OutboxMessage.id == message_id, now=now, lease=lease, send_started_at=now
    )


@dataclass(frozen=True)
class Recorded:
    """What recording a posted message found. While it was being posted, its interview may have been
    deleted or its share withdrawn (`gone`: the post must come down), or the interview edited (`text`
    and `blocks` are what it says now). `held` is False when another replica took it over meanwhile:
    that one's record stands."""

    held: bool
    gone: bool = False
    text: str = ""
    blocks: list[dict[str, Any]] | None = None


def record_sent(
    *, session: Session, message_id: int, replica: str, channel_id: str, message_ts: str, now: datetime
) -> Recorded:
    # RETURNING gives the row as updated: an edit that committed while this waited for its lock is seen.
    now_says = MESSAGE.change(
        session,
        replica,
        OutboxMessage.id == message_id,
        returning=(OutboxMessage.text, OutboxMessage.blocks),
        state=OutboxState.SENT,
        sent_at=now,
        posted_channel_id=channel_id,
        message_ts=message_ts,
        error=None,
    )
    if now_says is not None:
        return Recorded(held=True, text=now_says.text, blocks=now_says.blocks)
    # Not held: another replica took it over, or it was deleted while it was being posted.
    return Recorded(held=False, gone=session.get(OutboxMessage, message_id) is None)


def retry_later(
    *,
    session: Session,
    message_id: int,
    replica: str,
    now: datetime,
    error: str,
    wait: timedelta | None = None,
    not_sent: bool = True,
) -> OutboxMessage | None:
    """A failure that may heal: try again after `wait` (Slack's Retry-After) or the back-off. After
    GIVE_UP_AFTER the message fails for good instead; then it is returned, for its person to be told.
    `not_sent`: Slack answered, so nothing went out and the next attempt need not look first."""
    message = session.get(OutboxMessage, message_id)
    if message is None or message.state != OutboxState.PENDING or message.lease_owner != replica:
        return None
    message.error = error[:ERROR_MAX]
    if not_sent:
        message.send_started_at = None
    if now - message.created_at >= GIVE_UP_AFTER:
        message.state, message.failed_at = OutboxState.FAILED, now
        message.error = f"gave up after {message.attempts} attempts ({error})"[:ERROR_MAX]
        return message
    message.next_attempt_at = now + (wait if wait is not None else backoff(message.attempts))
    return None


def record_failed(
    *, session: Session, message_id: int, replica: str, error: str, now: datetime
) -> OutboxMessage | None:
    """Slack said it can never be delivered: the message fails, and is returned for its person to be told
    another way; None when this replica no longer held it."""
    if not MESSAGE.change(
        session,
        replica,
        OutboxMessage.id == message_id,
        state=OutboxState.FAILED,
        error=error[:ERROR_MAX],
        failed_at=now,
    ):
        return None
    return session.get(OutboxMessage, message_id)


def _failed_for(team_id: str, user_id: str) -> ColumnElement[bool]:
    return and_(
        OutboxMessage.team_id == team_id,
        OutboxMessage.user_id == user_id,
        OutboxMessage.state == OutboxState.FAILED,
    )


def undelivered(
    *, session: Session, team_id: str, user_id: str, since: datetime, limit: int = 5
) -> list[OutboxMessage]:
    """The person's messages that failed for good since `since`, newest first (App Home shows them)."""
    return list(
        session.scalars(
            select(OutboxMessage)
            .where(_failed_for(team_id, user_id), OutboxMessage.failed_at >= since)
            .order_by(OutboxMessage.failed_at.desc(), OutboxMessage.id.desc())
            .limit(limit)
        )
    )


def untold(*, session: Session, team_id: str, user_id: str, limit: int = 20) -> list[OutboxMessage]:
    """The person's failed messages they were not told of yet, oldest first."""
    return list(
        session.scalars(
            select(OutboxMessage)
            .where(_failed_for(team_id, user_id), OutboxMessage.told_at.is_(None))
            .order_by(OutboxMessage.failed_at, OutboxMessage.id)
            .limit(limit)
        )
    )


# Who has messages that failed for good and was not told yet is asked after every command (the answer is
# almost always no one), so cheaply: one prebuilt query, on a plain connection, for a burst of commands.
# Built once, so SQLAlchemy reuses its compiled form; it reads the partial index of failed rows.
_UNTOLD_AMONG = (
    select(OutboxMessage.team_id, OutboxMessage.user_id)
    .where(
        OutboxMessage.state == OutboxState.FAILED,
        OutboxMessage.told_at.is_(None),
        OutboxMessage.team_id.in_(bindparam("team_ids", expanding=True)),
        OutboxMessage.user_id.in_(bindparam("user_ids", expanding=True)),
    )
    .distinct()
)


def untold_among(
    *, connection: Connection | Session, people: Collection[tuple[str, str]]
) -> set[tuple[str, str]]:
    """Which of these (team_id, user_id) have failed messages they were not told of yet
    (`queue.untold` reads them); one query for all."""
    if not people:
        return set()
    found = connection.execute(
        _UNTOLD_AMONG,
        {"team_ids": sorted({t for t, _ in people}), "user_ids": sorted({u for _, u in people})},
    )
    return {(team_id, user_id) for team_id, user_id in found} & set(people)


def mark_told(*, session: Session, message_ids: list[int], now: datetime) -> None:
    if message_ids:
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(message_ids), OutboxMessage.told_at.is_(None))
            .values(told_at=now)
        )


@dataclass(frozen=True)
class Posted:
    """Where a sent message is in Slack, to redraw it (chat.update)."""

    channel_id: str
    ts: str
    message_id: int | None = field(default=None, compare=False)  # the outbox message it is


def posted_about(*, session: Session, team_id: str, interview_ids: Sequence[int]) -> list[Posted]:
    """Where the messages about these interviews that were sent are in Slack (the confirmation DM, the
    share into a channel): what a deletion replaces, so no copy of the interview's words stays behind.

    Every message about them is locked first, sent or not: a sender recording one as sent meanwhile
    is waited for (and then listed here), or waits until the deletion commits (and then finds it gone,
    and takes its post down itself)."""
    messages = session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.team_id == team_id, OutboxMessage.interview_id.in_(list(interview_ids)))
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return [posted for message in messages if (posted := _where_posted(message)) is not None]


def _latest(session: Session, team_id: str, interview_id: int, kind: OutboxKind) -> OutboxMessage | None:
    """The interview's latest message of this kind, locked: a sender recording it as sent meanwhile is
    waited for (it is then seen as sent, and where), or waits for this change (and then posts it again
    as it now reads, or finds it gone)."""
    return session.scalar(
        select(OutboxMessage)
        .where(
            OutboxMessage.team_id == team_id,
            OutboxMessage.interview_id == interview_id,
            OutboxMessage.kind == kind,
        )
        .order_by(OutboxMessage.id.desc())
        .limit(1)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


def _where_posted(message: OutboxMessage) -> Posted | None:
    """Where a sent message is in Slack; None for one not sent (yet)."""
    if message.state == OutboxState.SENT and message.posted_channel_id and message.message_ts:
        return Posted(message.posted_channel_id, message.message_ts, message.id)
    return None


def _behind(message: OutboxMessage, now: datetime | None) -> None:
    """A sent message now says something else than its post: the post is redrawn after commit, or by a
    tick if this process is gone by then. Under a redraw's lease (an older text being drawn) the holder
    sees the change when it records, and draws again."""
    if message.redraw_at is None:
        message.redraw_at = now or datetime.now(UTC)


def redraw(
    *,
    session: Session,
    team_id: str,
    interview_id: int,
    kind: OutboxKind,
    text: str,
    blocks: list[dict[str, Any]] | None,
    now: datetime | None = None,
    withdrawn: bool = False,
) -> Posted | None:
    """What the interview's message of this kind says now: the interview was edited, or (`withdrawn`) the
    message is no longer wanted where it went (its share moved to another channel, or was unshared). One
    not sent yet goes out saying it, or never goes out when withdrawn; one that was sent has its post
    behind (bot.outbox.redraws), and where it is comes back."""
    message = _latest(session, team_id, interview_id, kind)
    if message is None:
        return None
    posted = _where_posted(message)
    if posted is None and withdrawn:
        session.delete(message)
        return None
    message.text, message.blocks = text, blocks
    if posted is not None:
        _behind(message, now)
    return posted
