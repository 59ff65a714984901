"""Upkeep: which workspaces have theme work, and one pass of it (embed and place new lines, re-cluster
the pool when due, or rebuild in full when that is due).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from bot.themes.embeddings import Embedder
from bot.themes.labelling import labels_due
from bot.themes.leases import find_upkeep, upkeep_row
from bot.themes.placement import UpkeepResult, embed_new, not_embedded, place, recluster_pool
from bot.themes.regroup import Regrouping, rebuild
from bot.themes.store import LINE_MODELS
from storage.models import ThemeKind, ThemeUpkeep


@dataclass(frozen=True)
class UpkeepSchedule:
    regroup_every: timedelta  # the pool of lines in no theme
    rebuild_every: timedelta  # everything, keeping identities and people's corrections


def _rebuild_due(row: ThemeUpkeep, now: datetime, method: str, schedule: UpkeepSchedule) -> bool:
    if row.embedded_with is not None and row.embedded_with != method:
        return True  # vectors of two methods cannot be compared
    return row.rebuilt_at is not None and row.rebuilt_at <= now - schedule.rebuild_every


def _needs_rebuild(row: ThemeUpkeep | None, now: datetime, method: str, schedule: UpkeepSchedule) -> bool:
    """A workspace never rebuilt (seen for the first time) is rebuilt, as is one whose rebuild is due."""
    return row is None or row.rebuilt_at is None or _rebuild_due(row, now, method, schedule)


def _regroup_due(row: ThemeUpkeep, now: datetime, schedule: UpkeepSchedule) -> bool:
    return row.pool_grew_at is not None and (
        row.pool_clustered_at is None or row.pool_clustered_at <= now - schedule.regroup_every
    )


def upkeep_due(
    *, session: Session, now: datetime, method: str, schedule: UpkeepSchedule
) -> list[tuple[str, ThemeKind]]:
    """Workspaces (and kinds) with work: lines not embedded yet, a pool that grew and was last
    re-clustered long enough ago, a full regroup due, themes made by another method, or themes to label
    (new, or grown or shrunk by a tenth since their label, by a person's merge say)."""
    due: set[tuple[str, ThemeKind]] = set()
    for kind, model in LINE_MODELS.items():
        for team_id in session.scalars(select(model.team_id).where(model.embedded_with.is_(None)).distinct()):
            due.add((team_id, kind))
    for row in session.scalars(select(ThemeUpkeep)):
        if _regroup_due(row, now, schedule) or _rebuild_due(row, now, method, schedule):
            due.add((row.team_id, row.kind))
    return sorted(due | labels_due(session=session))


def stale_texts(*, session: Session, team_id: str, kind: ThemeKind, method: str) -> list[str]:
    """Texts of the lines a rebuild will embed: none yet, or by another method."""
    model = LINE_MODELS[kind]
    stale = or_(model.embedded_with.is_(None), model.embedded_with != method)
    return list(session.scalars(select(model.text).where(model.team_id == team_id, stale)))


def rebuild_due(
    *, session: Session, team_id: str, kind: ThemeKind, method: str, now: datetime, schedule: UpkeepSchedule
) -> bool:
    """Whether `keep_up` is about to rebuild the workspace (so its regrouping can be planned ahead)."""
    return _needs_rebuild(find_upkeep(session, team_id, kind), now, method, schedule)


def new_texts(*, session: Session, team_id: str, kind: ThemeKind) -> list[str]:
    """Texts of the lines `embed_new` takes next, read ahead so the embedding can run outside the write
    transaction (on SQLite that transaction holds the file's lock, and a submission must not wait)."""
    model = LINE_MODELS[kind]
    return list(session.scalars(not_embedded(model, team_id).with_only_columns(model.text)))


def keep_up(
    *,
    session: Session,
    team_id: str,
    kind: ThemeKind,
    embedder: Embedder,
    now: datetime,
    schedule: UpkeepSchedule,
    regrouping: Regrouping | None = None,
) -> UpkeepResult:
    """One pass of upkeep for a workspace (the caller holds its lease).

    A workspace seen for the first time, one whose themes were made by another method, or one whose
    last full regroup is older than `schedule.rebuild_every` is rebuilt: themes first made from a few
    lines are thus regrouped with all that came since (keeping their ids and people's corrections).
    Otherwise new lines are embedded and placed, and the pool is re-clustered when due.
    """
    upkeep = upkeep_row(session, team_id, kind)
    if _needs_rebuild(upkeep, now, embedder.name, schedule):
        return rebuild(
            session=session, team_id=team_id, kind=kind, embedder=embedder, now=now, regrouping=regrouping
        )
    result = UpkeepResult()
    rows, vectors = embed_new(session=session, team_id=team_id, kind=kind, embedder=embedder)
    result.embedded = len(rows)
    if rows:
        result.joined, result.pooled = place(
            session=session,
            team_id=team_id,
            kind=kind,
            embedder=embedder,
            rows=rows,
            vectors=vectors,
            now=now,
        )
    if _regroup_due(upkeep, now, schedule):
        result.new_themes = recluster_pool(
            session=session, team_id=team_id, kind=kind, embedder=embedder, now=now
        )
    return result
