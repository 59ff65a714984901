"""The full regroup: every line nobody placed by hand is grouped afresh, and the new groups are matched
to the old themes so a theme keeps its id (and its trend means something) while its members barely
change. The grouping is planned ahead, in a read transaction; `rebuild` applies it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.themes import grouping
from bot.themes.embeddings import Embedder, from_bytes, load_vectors, to_bytes
from bot.themes.leases import upkeep_row
from bot.themes.placement import UpkeepResult, place
from bot.themes.store import LINE_MODELS, Line, count_themes, live_conditions, new_theme, refresh
from storage.models import Theme, ThemeKind

Progress = Callable[[str, int, int], None]  # (stage, done, total)


@dataclass(frozen=True)
class Regrouping:
    """How a rebuild groups a workspace's lines, worked out by `plan_regroup`."""

    method: str
    labels: dict[int, int]  # line id -> group (-1: in no theme)


def plan_regroup(
    *,
    session: Session,
    team_id: str,
    kind: ThemeKind,
    embedder: Embedder,
    progress: Progress | None = None,
) -> Regrouping:
    """Group the lines a rebuild regroups: every line nobody placed by hand.

    Only reads, so callers run it ahead of `rebuild`, in a read transaction: grouping a large workspace
    takes seconds, and on SQLite the write transaction holds the file's lock (a submission would wait).
    Lines not embedded yet (or by another method) are embedded by `embedder`, without storing.
    """
    model = LINE_MODELS[kind]
    free = session.execute(
        select(model.id, model.text, model.embedding, model.embedded_with)
        .where(model.team_id == team_id, model.placed_by.is_(None))
        .order_by(model.id)
    ).all()
    if progress:
        progress("grouping", 0, 1)
    labels = np.full(len(free), -1)
    if len(free) >= embedder.policy.min_size:
        stale = [i for i, r in enumerate(free) if r.embedded_with != embedder.name or r.embedding is None]
        fresh = embedder.embed([free[i].text for i in stale])
        by_index = dict(zip(stale, fresh, strict=True))
        vectors = np.vstack(
            [by_index[i] if i in by_index else from_bytes(r.embedding) for i, r in enumerate(free)]
        )
        labels = grouping.group(grouping.normalize(vectors), embedder.policy)
    if progress:
        progress("grouping", 1, 1)
    return Regrouping(
        embedder.name, {r.id: int(label) for r, label in zip(free, labels.tolist(), strict=True)}
    )


def rebuild(
    *,
    session: Session,
    team_id: str,
    kind: ThemeKind,
    embedder: Embedder,
    now: datetime,
    regrouping: Regrouping | None = None,
    progress: Progress | None = None,
) -> UpkeepResult:
    """Re-group a workspace's lines from scratch, keeping what people did.

    Lines placed by hand stay where they are, and so do names people chose. The new groups are matched
    to the old themes by the lines they share (the largest overlaps first, renamed themes first among
    equals), so a theme that continues keeps its id; the others are new, and old themes left with no
    line are deleted.

    `regrouping` is the grouping worked out ahead by `plan_regroup` (made here when not given). Lines
    logged since it was made are placed as new lines are; lines people placed since are left alone.
    """
    model = LINE_MODELS[kind]
    result = UpkeepResult(rebuilt=True)
    rows = list(session.scalars(select(model).where(model.team_id == team_id).order_by(model.id)))
    stale = [r for r in rows if r.embedded_with != embedder.name or r.embedding is None]
    if stale:
        for row, vector in zip(stale, embedder.embed([r.text for r in stale]), strict=True):
            row.embedding, row.embedded_with = to_bytes(vector), embedder.name
        session.flush()
    result.embedded = len(stale)
    if regrouping is None or regrouping.method != embedder.name:
        regrouping = plan_regroup(
            session=session, team_id=team_id, kind=kind, embedder=embedder, progress=progress
        )
    free = [r for r in rows if r.placed_by is None]
    late = [r for r in free if r.id not in regrouping.labels]
    groups: dict[int, list[Line]] = {}
    for row in free:
        if row.id in regrouping.labels:
            groups.setdefault(regrouping.labels[row.id], []).append(row)
    pool = groups.pop(-1, [])
    for label in [g for g, members in groups.items() if len(members) < embedder.policy.min_size]:
        # People placed the rest of this group since the plan: what is left is placed as a new line is.
        late += groups.pop(label)
    for row in late:
        row.theme_id = None

    old = {t.id: t for t in session.scalars(select(Theme).where(*live_conditions(team_id, kind)))}
    overlaps = sorted(
        (
            (-count, old[theme_id].named_by is None, label, theme_id)
            for label, members in groups.items()
            for theme_id, count in Counter(r.theme_id for r in members if r.theme_id in old).items()
        ),
    )
    matched: dict[int, Theme] = {}
    taken: set[int] = set()
    for _, _, label, theme_id in overlaps:
        if label not in matched and theme_id not in taken:
            matched[label] = old[theme_id]
            taken.add(theme_id)
    for label, members in groups.items():
        theme = matched.get(label)
        if theme is None:
            theme = new_theme(session, team_id, kind, members[0].text, now)
            result.new_themes += 1
        for member in members:
            member.theme_id = theme.id
        matched[label] = theme
    for row in pool:
        row.theme_id = None
    session.flush()
    for theme in [*matched.values(), *(t for t in old.values() if t.id not in taken)]:
        refresh(session=session, theme=theme, now=now)
        theme.labelled_size = None  # its members may have changed at the same size: labelled again
    upkeep = upkeep_row(session, team_id, kind)
    upkeep.embedded_with, upkeep.pool_grew_at, upkeep.pool_clustered_at = embedder.name, None, now
    upkeep.rebuilt_at = now
    late_pooled = 0
    if late:
        result.joined, late_pooled = place(
            session=session,
            team_id=team_id,
            kind=kind,
            embedder=embedder,
            rows=late,
            vectors=grouping.normalize(load_vectors(late)),
            now=now,
        )
    result.pooled = len(pool) + late_pooled
    result.themes = count_themes(session=session, team_id=team_id, kind=kind)
    return result
