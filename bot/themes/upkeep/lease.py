"""Who keeps a workspace's themes: one replica at a time, under a lease held in the database."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from storage.db import insert_once
from storage.leases import Lease
from storage.models import ThemeKind, ThemeUpkeep

UPKEEP_LEASE = timedelta(minutes=5)
UPKEEP = Lease(ThemeUpkeep.lease_owner, ThemeUpkeep.lease_until)


def find_upkeep(session: Session, team_id: str, kind: ThemeKind) -> ThemeUpkeep | None:
    return session.scalar(select(ThemeUpkeep).where(ThemeUpkeep.team_id == team_id, ThemeUpkeep.kind == kind))


def upkeep_row(session: Session, team_id: str, kind: ThemeKind) -> ThemeUpkeep:
    """The workspace's upkeep row, made on first use."""
    row = find_upkeep(session, team_id, kind)
    if row is None:
        insert_once(session, ThemeUpkeep(team_id=team_id, kind=kind))  # or another replica made it first
        row = find_upkeep(session, team_id, kind)
        assert row is not None
    return row


def claim_upkeep(
    *,
    session: Session,
    team_id: str,
    kind: ThemeKind,
    replica: str,
    now: datetime,
    lease: timedelta = UPKEEP_LEASE,
) -> bool:
    """Take the workspace's upkeep lease if nobody holds it (or theirs ran out). Commit before working."""
    upkeep_row(session, team_id, kind)
    return UPKEEP.claim(session, replica, *_of(team_id, kind), now=now, lease=lease, again=True)


def release_upkeep(*, session: Session, team_id: str, kind: ThemeKind, replica: str) -> None:
    UPKEEP.release(session, replica, *_of(team_id, kind))


def _of(team_id: str, kind: ThemeKind) -> tuple[ColumnElement[bool], ...]:
    return ThemeUpkeep.team_id == team_id, ThemeUpkeep.kind == kind
