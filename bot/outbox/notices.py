"""Who has messages that failed for good and was not told yet: asked after every command (the answer is
almost always no one), so cheaply: one prebuilt query, on a plain connection, for a burst of commands."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import Connection, bindparam, select
from sqlalchemy.orm import Session

from storage.models import OutboxMessage, OutboxState

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
