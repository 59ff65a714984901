"""Redrawing posts that are behind: a sent message whose interview was edited says something else than
its post in Slack (`queue.redraw` marks it, `redraw_at`, in the edit's transaction).
Right after that commit the post is updated; if the process is gone by then, or dies while it updates,
a tick of any replica does it once the lease runs out. Like a send, a redraw is claimed under a lease,
so two replicas never draw one post at once, and one that drew an older text draws again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.outbox.queue import LEASE
from storage.leases import Lease
from storage.models import OutboxMessage, OutboxState

# A sent message whose post is behind: `redraw_at` is when a redraw is due, and its lease once claimed.
REDRAW = Lease(
    OutboxMessage.lease_owner,
    OutboxMessage.redraw_at,
    open=OutboxMessage.state == OutboxState.SENT,
    schedule=True,
)


@dataclass(frozen=True)
class Redraw:
    """A sent message claimed to bring its post up to what it says now."""

    id: int
    channel_id: str
    ts: str
    text: str
    blocks: list[dict[str, Any]] | None


def claim_redraws(
    *,
    session: Session,
    now: datetime,
    replica: str,
    limit: int,
    message_ids: Sequence[int] | None = None,
    lease: timedelta = LEASE,
) -> list[Redraw]:
    """Claim up to `limit` posts that are behind (of `message_ids` only, right after the commit that made
    them so): those whose redraw is due and that no other replica holds."""
    where = [] if message_ids is None else [OutboxMessage.id.in_(list(message_ids))]
    rows = REDRAW.take_over(
        session,
        replica,
        *where,
        now=now,
        lease=lease,
        limit=limit,
    )
    claimed = []
    for row in rows:
        channel, ts = row.posted_channel_id, row.message_ts
        if not (channel and ts):  # sent, but where is not known: nothing to redraw
            row.redraw_at = None
            continue
        claimed.append(Redraw(row.id, channel, ts, row.text, row.blocks))
    return claimed


def record_redrawn(
    *, session: Session, redraw: Redraw, replica: str, now: datetime, lease: timedelta = LEASE
) -> Redraw | None:
    """The post now shows `redraw` (or Slack said it never will: it was deleted, say). Done, unless the
    message changed again meanwhile: then it comes back, still held, for the caller to draw again. None
    also when another replica took it over (its lease ran out)."""
    row = session.scalar(
        select(OutboxMessage)
        .where(OutboxMessage.id == redraw.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if row is None or row.redraw_at is None or row.lease_owner != replica:
        return None
    if (row.text, row.blocks) == (redraw.text, redraw.blocks):
        row.redraw_at = None
        return None
    row.redraw_at = now + lease
    return replace(redraw, text=row.text, blocks=row.blocks)
