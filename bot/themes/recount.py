"""Counting themes again after an edit, once Slack has its answer.

An edit that moves or removes hundreds of lines touches as many themes, and counting each again (its
size, its accounts, its centre from every member's vector) took most of an edit's time at the log modal's
limits. The edit only marks them (`recount_due_at`, in its own transaction); right after the answer the
request counts them again, and the themes job of any replica does whatever a dead process left.

A theme is counted again under its row's lock (PostgreSQL): an edit that marks it meanwhile waits, and
marks it again after, so what the edit changed is counted by the next recount, never lost.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

from sqlalchemy import inspect, select, update
from sqlalchemy.orm import Session

from bot.themes.store import refresh
from storage.db import Database
from storage.models import Theme

# Themes counted in one transaction: on SQLite a write transaction holds the file, and a submission
# must not wait behind a long one.
RECOUNT_BATCH = 50
CHUNK = 500  # ids in one IN list


def _chunks(ids: Sequence[int]) -> Iterable[list[int]]:
    for start in range(0, len(ids), CHUNK):
        yield list(ids[start : start + CHUNK])


def mark_for_recount(
    *, session: Session, team_id: str, theme_ids: Iterable[int], now: datetime, lines_left: bool
) -> None:
    """These themes' lines changed: they are counted again after the commit (`recount_marked`). When
    lines left them, a label the upkeep job wrote may quote one: it is labelled again, unless a person
    named it."""
    ids = sorted(set(theme_ids))
    for part in _chunks(ids):
        where = (Theme.team_id == team_id, Theme.id.in_(part))
        session.execute(update(Theme).where(*where).values(recount_due_at=now))
        if lines_left:
            session.execute(update(Theme).where(*where, Theme.named_by.is_(None)).values(labelled_size=None))


def recount_marked(*, session: Session, now: datetime, limit: int, team_id: str | None = None) -> int:
    """Count again up to `limit` marked themes (of one workspace, or of all); how many were taken.
    Themes another transaction is counting now are left to it."""
    stmt = select(Theme).where(Theme.recount_due_at.is_not(None))
    if team_id is not None:
        stmt = stmt.where(Theme.team_id == team_id)
    themes = session.scalars(stmt.order_by(Theme.id).limit(limit).with_for_update(skip_locked=True)).all()
    for theme in themes:
        refresh(session=session, theme=theme, now=now)  # one left with no line is deleted
        if not inspect(theme).was_deleted:
            theme.recount_due_at = None
    return len(themes)


def recount_marked_themes(db: Database, *, team_id: str | None = None) -> int:
    """Count again every marked theme (of one workspace, or of all), RECOUNT_BATCH per transaction;
    how many were counted."""
    total = 0
    while True:
        now = datetime.now(UTC)
        counted = db.run(
            lambda s, now=now: recount_marked(session=s, now=now, limit=RECOUNT_BATCH, team_id=team_id)
        )
        total += counted
        if counted < RECOUNT_BATCH:
            return total
