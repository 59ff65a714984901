"""Upkeep: which workspaces have theme work, and one pass of it.

The live grouping tracks what a fresh full regroup of the same lines would make: a workspace of fewer
than `UpkeepSchedule.full_regroup_below` lines is regrouped in full whenever new lines came (0.6 s at
3,000 lines, planned outside the write transaction, which takes 0.06 s of it). A larger one has its
new lines placed (each joins the nearest theme or waits in the pool), then its pool regrouped together
with its young and small themes; and in full once the lines added since its last full regroup pass
`full_regroup_share` of those it had then. The full regroup every `rebuild_every` stays as a backstop.
A full regroup keeps theme ids and what people did (bot.themes.regroup).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from bot.themes.embeddings import Embedder
from bot.themes.placement import EMBED_BATCH, UpkeepResult, embed_new, not_embedded, place
from bot.themes.regroup import Regrouping, plan_regroup, rebuild, regrouped_themes
from bot.themes.relabel import labels_due
from bot.themes.store import LINE_MODELS
from bot.themes.upkeep.lease import find_upkeep
from storage.models import ThemeKind, ThemeUpkeep


@dataclass(frozen=True)
class UpkeepSchedule:
    regroup_every: timedelta  # a large workspace's pool, with its young and small themes
    rebuild_every: timedelta  # everything, keeping identities and people's corrections
    # Below this many lines, a workspace is regrouped in full whenever new lines came.
    full_regroup_below: int = 3000
    # Above, in full once the lines added since the last full regroup pass this share of its lines.
    full_regroup_share: float = 0.1


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


def work_due(
    *, session: Session, team_id: str, kind: ThemeKind, method: str, now: datetime, schedule: UpkeepSchedule
) -> bool:
    """Whether one workspace has theme work that changes what its themes hold: new lines, a pool that
    grew since it was regrouped, or a full regroup due."""
    model = LINE_MODELS[kind]
    if session.scalar(not_embedded(model, team_id).with_only_columns(model.id).limit(1)) is not None:
        return True
    row = find_upkeep(session, team_id, kind)
    return row is not None and (row.pool_grew_at is not None or _rebuild_due(row, now, method, schedule))


def stale_texts(*, session: Session, team_id: str, kind: ThemeKind, method: str) -> list[str]:
    """Texts of the lines a rebuild will embed: none yet, or by another method."""
    model = LINE_MODELS[kind]
    stale = or_(model.embedded_with.is_(None), model.embedded_with != method)
    return list(session.scalars(select(model.text).where(model.team_id == team_id, stale)))


def rebuild_due(
    *, session: Session, team_id: str, kind: ThemeKind, method: str, now: datetime, schedule: UpkeepSchedule
) -> bool:
    """Whether `keep_up` is about to regroup the workspace in full (so its regrouping can be planned
    ahead): it was never regrouped, or by another method, or its weekly regroup is due, or new lines
    came and it is small enough, or a share of its lines came since its last full regroup."""
    row = find_upkeep(session, team_id, kind)
    if _needs_rebuild(row, now, method, schedule):
        return True
    assert row is not None
    model = LINE_MODELS[kind]
    if session.scalar(not_embedded(model, team_id).with_only_columns(model.id).limit(1)) is None:
        return False  # nothing new came
    lines = int(session.scalar(select(func.count(model.id)).where(model.team_id == team_id)) or 0)
    if lines < schedule.full_regroup_below:
        return True
    # Unknown (the full regroup was before this was counted): the weekly one will count it.
    return row.rebuilt_lines is not None and lines - row.rebuilt_lines > schedule.full_regroup_share * max(
        row.rebuilt_lines, 1
    )


def pool_regroup_due(
    *,
    session: Session,
    team_id: str,
    kind: ThemeKind,
    now: datetime,
    schedule: UpkeepSchedule,
    fresh: bool = False,
) -> bool:
    """Whether the pool grew and is due for regrouping (with `fresh`, at once: someone reads the themes
    now), after the new lines were placed."""
    row = find_upkeep(session, team_id, kind)
    if row is None or row.pool_grew_at is None:
        return False
    return fresh or _regroup_due(row, now, schedule)


def plan_pool_regroup(*, session: Session, team_id: str, kind: ThemeKind, embedder: Embedder) -> Regrouping:
    """The pool's regrouping, with the young and small themes: planned ahead, in a read transaction."""
    row = find_upkeep(session, team_id, kind)
    themes = regrouped_themes(
        session=session, team_id=team_id, kind=kind, since=row.rebuilt_at if row else None
    )
    return plan_regroup(session=session, team_id=team_id, kind=kind, embedder=embedder, themes=themes)


def new_texts(*, session: Session, team_id: str, kind: ThemeKind, limit: int = EMBED_BATCH) -> list[str]:
    """Texts of the lines `embed_new` takes next (`limit` of them: the next few batches), read ahead so
    the embedding can run outside the write transaction (on SQLite that transaction holds the file's
    lock, and a submission must not wait)."""
    model = LINE_MODELS[kind]
    return list(session.scalars(not_embedded(model, team_id).with_only_columns(model.text).limit(limit)))


def place_new(
    *, session: Session, team_id: str, kind: ThemeKind, embedder: Embedder, now: datetime
) -> UpkeepResult:
    """Embed the next new lines and place each: it joins the nearest theme when close enough, else it
    waits in the pool."""
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
    return result


def keep_up(
    *,
    session: Session,
    team_id: str,
    kind: ThemeKind,
    embedder: Embedder,
    now: datetime,
    schedule: UpkeepSchedule,
    regrouping: Regrouping | None = None,
    fresh: bool = False,
) -> UpkeepResult:
    """One pass of upkeep for a workspace (the caller holds its lease), all in the caller's transaction.

    A full regroup when `rebuild_due` says so (with `regrouping`, planned ahead). Otherwise new lines
    are embedded and placed, then the pool is regrouped with the young and small themes when due (at
    once with `fresh`). The upkeep job runs the same steps with the heavy parts outside the transaction.
    """
    scope = {"session": session, "team_id": team_id, "kind": kind}
    if rebuild_due(**scope, method=embedder.name, now=now, schedule=schedule):
        full = regrouping if regrouping is not None and regrouping.themes is None else None
        return rebuild(**scope, embedder=embedder, now=now, regrouping=full)
    result = place_new(**scope, embedder=embedder, now=now)
    if pool_regroup_due(**scope, now=now, schedule=schedule, fresh=fresh):
        if regrouping is None or regrouping.themes is None:
            regrouping = plan_pool_regroup(**scope, embedder=embedder)
        regrouped = rebuild(**scope, embedder=embedder, now=now, regrouping=regrouping)
        result.new_themes, result.themes = regrouped.new_themes, regrouped.themes
        result.joined += regrouped.joined
    return result
