"""One lease for every table whose rows replicas claim (reminder deliveries, outbox messages, digest runs,
theme upkeep, member-list reads), written once over its two columns: who holds a row (`owner`) and until
when (`until`).

- A row is claimed only while it is free: nobody holds it, or its holder's lease ran out.
- The holder changes it only while it still holds it: one conditional UPDATE that also checks the row
  is still open, so a replica that stalled past its lease, and was taken over, changes nothing.
- A row whose holder died is taken over once its lease runs out, oldest first, skipping rows another
  replica is taking over at this moment (PostgreSQL's SKIP LOCKED; SQLite's write transactions take
  turns anyway).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, inspect, or_, select, true, update
from sqlalchemy.orm import InstrumentedAttribute, Session


@dataclass(frozen=True)
class Lease:
    """A claimed table's lease columns. `open`: the rows still to be worked (by default every row, for a
    table of one row per workspace whose lease is released after each piece of work)."""

    owner: InstrumentedAttribute[Any]
    until: InstrumentedAttribute[Any]
    open: ColumnElement[bool] = field(default_factory=true)
    # The lease column also says when a row is next due (an outbox message's next attempt, a post's
    # redraw): a row is taken from that moment on, not only once it has passed.
    schedule: bool = False

    @property
    def table(self) -> Any:
        return self.owner.class_

    def held(self, replica: str, *where: ColumnElement[bool]) -> ColumnElement[bool]:
        """The rows matching `where` that `replica` holds, still open."""
        return and_(*where, self.open, self.owner == replica)

    def change(
        self,
        session: Session,
        replica: str,
        *where: ColumnElement[bool],
        returning: Sequence[InstrumentedAttribute[Any]] = (),
        **values: object,
    ) -> Any:
        """Set `values` on the row if `replica` still holds it: whether it did, or with `returning`, the
        row as updated (an edit committed while this waited for the row's lock is seen), None if not."""
        statement = update(self.table).where(self.held(replica, *where)).values(**values)
        if returning:
            return session.execute(
                statement.returning(*returning).execution_options(synchronize_session=False)
            ).one_or_none()
        changed = session.execute(statement.execution_options(synchronize_session=False))
        return changed.rowcount == 1  # type: ignore[attr-defined]

    def renew(
        self,
        session: Session,
        replica: str,
        *where: ColumnElement[bool],
        now: datetime,
        lease: timedelta,
        **values: object,
    ) -> bool:
        """Hold the row a full lease longer (and set `values`); False when another replica took it over."""
        return self.change(session, replica, *where, **{self.until.key: now + lease}, **values)

    def release(self, session: Session, replica: str, *where: ColumnElement[bool], **values: object) -> bool:
        """Let go of the row (with `values` recorded), if `replica` still holds it."""
        return self.change(session, replica, *where, **{self.owner.key: None, self.until.key: None, **values})

    def claim(
        self,
        session: Session,
        replica: str,
        *where: ColumnElement[bool],
        now: datetime,
        lease: timedelta,
        again: bool = False,
    ) -> bool:
        """Take the row matching `where` if it is free (`again`: or already `replica`'s). The caller
        commits before working."""
        free = or_(self.until.is_(None), self.until < now, *((self.owner == replica,) if again else ()))
        taken = session.execute(
            update(self.table)
            .where(*where, free)
            .values({self.owner.key: replica, self.until.key: now + lease})
            .execution_options(synchronize_session=False)
        )
        return bool(taken.rowcount == 1)  # type: ignore[attr-defined]

    def take_over(
        self,
        session: Session,
        replica: str,
        *where: ColumnElement[bool],
        now: datetime,
        lease: timedelta,
        limit: int,
    ) -> list[Any]:
        """Claim up to `limit` open rows matching `where` whose lease ran out (or, on a `schedule`, whose
        time came), the longest waiting first; the rows, now `replica`'s. Callers that count attempts do
        so on the rows."""
        rows = session.scalars(
            select(self.table)
            .where(self.open, self.until <= now if self.schedule else self.until < now, *where)
            .order_by(self.until, *inspect(self.table).primary_key)
            .limit(limit)
            .with_for_update(skip_locked=True)
        ).all()
        for row in rows:
            setattr(row, self.owner.key, replica)
            setattr(row, self.until.key, now + lease)
        return list(rows)
