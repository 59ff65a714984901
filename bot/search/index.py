"""Keeping the search index cheap for writers of many lines.

The database's triggers rewrite an interview's search row (every field, on PostgreSQL each field's word
pairs too) whenever its searched text changes: once per pain, request or quote written. A writer of
hundreds of lines at once (a log modal filled to its limits, an edit, a deletion) pauses the interview
(`Interview.search_paused`, migration 0017), writes, and resumes it: the row is rewritten once, in the
same transaction, so a search right after the commit finds what was written.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from sqlalchemy import update
from sqlalchemy.orm import Session

from storage.models import Interview


def pause(*, session: Session, team_id: str, interview_ids: Iterable[int]) -> None:
    """The triggers leave these interviews' search rows alone until `resume` (or their deletion, which
    removes the rows anyway). Within the caller's transaction: a rollback pauses nothing."""
    ids = list(interview_ids)
    if ids:
        session.execute(
            update(Interview)
            .where(Interview.team_id == team_id, Interview.id.in_(ids))
            .values(search_paused=True)
            .execution_options(synchronize_session="fetch")
        )


def resume(*, session: Session, team_id: str, interview_ids: Iterable[int]) -> None:
    """Rewrite these interviews' search rows once, from what the transaction wrote (pending ORM changes
    are flushed first: lines written after this would each rewrite the row again)."""
    ids = list(interview_ids)
    if ids:
        session.flush()
        session.execute(
            update(Interview)
            .where(Interview.team_id == team_id, Interview.id.in_(ids), Interview.search_paused.is_(True))
            .values(search_paused=False)
            .execution_options(synchronize_session="fetch")
        )


@contextmanager
def paused(*, session: Session, team_id: str, interview_id: int) -> Iterator[None]:
    """Write one interview's lines in the block with its search row rewritten once, at the end. When the
    block raises, the row is not rewritten: the transaction is going back anyway."""
    pause(session=session, team_id=team_id, interview_ids=[interview_id])
    yield
    resume(session=session, team_id=team_id, interview_ids=[interview_id])
