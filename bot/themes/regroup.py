"""The full regroup: every line nobody placed by hand is grouped afresh, and the new groups are matched
to the old themes so a theme keeps its id (and its trend means something) while its members barely
change. The grouping is planned ahead, in a read transaction; `rebuild` applies it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Collection
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

import numpy as np
from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from bot.themes import grouping
from bot.themes.embeddings import Embedder, from_bytes, load_vectors, to_bytes
from bot.themes.grouping import GroupingPolicy
from bot.themes.placement import UpkeepResult, live_themes, place
from bot.themes.status import carry_status
from bot.themes.store import LINE_MODELS, count_themes, live_conditions, new_theme, refresh
from bot.themes.upkeep.lease import upkeep_row
from storage.models import Theme, ThemeKind, ThemeUpkeep

Progress = Callable[[str, int, int], None]  # (stage, done, total)


@dataclass(frozen=True)
class Regrouping:
    """How a rebuild groups a workspace's lines, worked out by `plan_regroup`."""

    method: str
    labels: dict[int, int]  # line id -> group (-1: in no theme)
    # The themes regrouped with the pool (None: every theme, a full regroup). Lines of the others stay.
    themes: frozenset[int] | None = None
    # Where it cut (GroupingPolicy.group_at): a full regroup sets it from all the lines and the workspace
    # keeps it, so the partial regroups until the next full one cut there, not where their few lines say.
    group_at: float | None = None


# Themes regrouped with the pool between full regroups of a large workspace: those made since the last
# full regroup, and those of fewer lines than this (first made from a few lines, they may be halves).
SMALL_THEME = 5
_IN_LIST = 500  # ids per IN list: well within both databases' limits


def regrouped_themes(*, session: Session, team_id: str, kind: ThemeKind, since: datetime | None) -> list[int]:
    """The themes a partial regroup takes with the pool: young (made after `since`) or small."""
    young = (
        Theme.size < SMALL_THEME if since is None else or_(Theme.size < SMALL_THEME, Theme.created_at > since)
    )
    return list(session.scalars(select(Theme.id).where(*live_conditions(team_id, kind), young)))


def _free_lines(
    model: Any, team_id: str, method: str, themes: frozenset[int] | None, *columns: Any
) -> list[Any]:
    """`select` of the lines nobody placed by hand that a regroup takes: all of them, or (partial) those
    in the pool or in `themes`, embedded by `method` (a line not embedded yet waits for the next tick)."""
    free = (model.team_id == team_id, model.placed_by.is_(None))
    if themes is None:
        return [select(*columns).where(*free)]
    embedded = model.embedded_with == method
    ids = sorted(themes)
    return [select(*columns).where(*free, embedded, model.theme_id.is_(None))] + [
        select(*columns).where(*free, embedded, model.theme_id.in_(ids[i : i + _IN_LIST]))
        for i in range(0, len(ids), _IN_LIST)
    ]


def plan_regroup(
    *,
    session: Session,
    team_id: str,
    kind: ThemeKind,
    embedder: Embedder,
    progress: Progress | None = None,
    themes: Collection[int] | None = None,
) -> Regrouping:
    """Group the lines a rebuild regroups: every line nobody placed by hand, or (with `themes`) only
    those in the pool or in those themes: the others stay where they are, and a line close enough to
    one of them is left out of the plan, to join it as a new line does.

    Only reads, so callers run it ahead of `rebuild`, in a read transaction: grouping a large workspace
    takes seconds, and on SQLite the write transaction holds the file's lock (a submission would wait).
    Lines not embedded yet (or by another method) are embedded by `embedder`, without storing.
    """
    model = LINE_MODELS[kind]
    scope = None if themes is None else frozenset(themes)
    columns = (model.id, model.text, model.embedding, model.embedded_with, model.theme_id)
    policy = (
        embedder.policy
        if scope is None
        else stored_policy(session=session, team_id=team_id, kind=kind, embedder=embedder)
    )
    free = sorted(
        (
            row
            for query in _free_lines(model, team_id, embedder.name, scope, *columns)
            for row in session.execute(query)
        ),
        key=lambda r: r.id,
    )
    if progress:
        progress("grouping", 0, 1)
    labels = np.full(len(free), -1)
    if free:
        stale = [i for i, r in enumerate(free) if r.embedded_with != embedder.name or r.embedding is None]
        fresh = embedder.embed([free[i].text for i in stale])
        by_index = dict(zip(stale, fresh, strict=True))
        vectors = grouping.normalize(
            np.vstack([by_index[i] if i in by_index else from_bytes(r.embedding) for i, r in enumerate(free)])
        )
        if scope is not None:
            # The pool's lines that now reach a theme left standing join it (themes move as lines join).
            joins = _joins_standing(session, team_id, kind, embedder, scope, vectors)
            free, vectors = [r for r, j in zip(free, joins, strict=True) if not j], vectors[~joins]
        # A full regroup (or a partial one with no cut kept) cuts where these lines say.
        policy = grouping.calibrated(policy, vectors)
        labels = np.full(len(free), -1)
        if len(free) >= policy.min_size:
            labels = grouping.group(vectors, policy)
    if progress:
        progress("grouping", 1, 1)
    return Regrouping(
        embedder.name,
        {r.id: int(label) for r, label in zip(free, labels.tolist(), strict=True)},
        scope,
        policy.group_at,
    )


def stored_policy(*, session: Session, team_id: str, kind: ThemeKind, embedder: Embedder) -> GroupingPolicy:
    """The embedder's policy with the cut the workspace's last full regroup set (as is, when there was
    none with this embedder: then the lines at hand set it)."""
    upkeep = session.scalar(
        select(ThemeUpkeep).where(ThemeUpkeep.team_id == team_id, ThemeUpkeep.kind == kind)
    )
    if upkeep is None or upkeep.group_at is None or upkeep.embedded_with != embedder.name:
        return embedder.policy
    return replace(embedder.policy, group_at=upkeep.group_at, sparse_cut=None)


def _joins_standing(
    session: Session,
    team_id: str,
    kind: ThemeKind,
    embedder: Embedder,
    scope: frozenset[int],
    vectors: np.ndarray,
) -> np.ndarray:
    standing = [t for t in live_themes(session, team_id, kind, embedder.name) if t.id not in scope]
    if not standing:
        return np.zeros(len(vectors), dtype=bool)
    _, score = grouping.nearest(vectors, np.vstack([from_bytes(t.centroid) for t in standing]))
    return score >= embedder.policy.join_at


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
    A partial one (`Regrouping.themes`) regroups the pool with those themes only, the rest stay.
    """
    model = LINE_MODELS[kind]
    partial = regrouping is not None and regrouping.method == embedder.name and regrouping.themes is not None
    result = UpkeepResult(rebuilt=not partial)
    # Plain rows, not ORM objects, and only the changed lines written: this runs in the write
    # transaction at every tick of a small workspace, and thousands of objects cost a second to track.
    columns = (model.id, model.text, model.theme_id, model.placed_by)
    scope: frozenset[int] | None = None
    if partial:
        assert regrouping is not None
        scope = regrouping.themes
    else:
        unusable = or_(
            model.embedded_with.is_(None), model.embedded_with != embedder.name, model.embedding.is_(None)
        )
        stale = list(
            session.scalars(select(model).where(model.team_id == team_id, unusable).order_by(model.id))
        )
        if stale:
            for row, vector in zip(stale, embedder.embed([r.text for r in stale]), strict=True):
                row.embedding, row.embedded_with = to_bytes(vector), embedder.name
            session.flush()
        result.embedded = len(stale)
    rows = sorted(
        (r for q in _free_lines(model, team_id, embedder.name, scope, *columns) for r in session.execute(q)),
        key=lambda r: r.id,
    )
    if regrouping is None or regrouping.method != embedder.name:
        regrouping = plan_regroup(
            session=session, team_id=team_id, kind=kind, embedder=embedder, progress=progress
        )
    before = {r.id: r.theme_id for r in rows}  # every row here is free: nobody placed it by hand
    after = dict(before)
    late = [r.id for r in rows if r.id not in regrouping.labels]
    groups: dict[int, list[Any]] = {}
    for row in rows:
        if row.id in regrouping.labels:
            groups.setdefault(regrouping.labels[row.id], []).append(row)
    pool = groups.pop(-1, [])
    for label in [g for g, members in groups.items() if len(members) < embedder.policy.min_size]:
        # People placed the rest of this group since the plan: what is left is placed as a new line is.
        late += [r.id for r in groups.pop(label)]

    live = select(Theme).where(*live_conditions(team_id, kind))
    old = {t.id: t for t in session.scalars(live) if scope is None or t.id in scope}
    overlaps = sorted(
        (
            (-count, old[theme_id].named_by is None, label, theme_id)
            for label, members in groups.items()
            for theme_id, count in Counter(before[r.id] for r in members if before[r.id] in old).items()
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
            # Lines of an old theme (split off, or all of one whose id another group took) go on in the
            # status that theme had: a shipped problem does not turn open by being regrouped.
            origins = Counter(before[r.id] for r in members if before[r.id] in old).most_common(1)
            if origins:
                carry_status(theme, old[origins[0][0]])
        for member in members:
            after[member.id] = theme.id
        matched[label] = theme
    for line_id in [*late, *(r.id for r in pool)]:
        after[line_id] = None
    changed = [{"id": i, "theme_id": t} for i, t in after.items() if t != before[i]]
    if changed:
        session.execute(update(model), changed)  # by primary key, one statement for all
    _refresh_changed(
        session,
        [*matched.values(), *(t for t in old.values() if t.id not in taken)],
        before,
        after,
        embedder.name,
        now,
    )
    upkeep = upkeep_row(session, team_id, kind)
    upkeep.pool_grew_at, upkeep.pool_clustered_at = None, now
    if not partial:
        upkeep.embedded_with, upkeep.rebuilt_at, upkeep.group_at = embedder.name, now, regrouping.group_at
        upkeep.rebuilt_lines = int(
            session.scalar(select(func.count(model.id)).where(model.team_id == team_id)) or 0
        )
    late_pooled = 0
    if late:
        # Read again: an object this session holds may still show the theme the update just changed.
        lines = list(
            session.scalars(select(model).where(model.id.in_(late)).execution_options(populate_existing=True))
        )
        result.joined, late_pooled = place(
            session=session,
            team_id=team_id,
            kind=kind,
            embedder=embedder,
            rows=lines,
            vectors=grouping.normalize(load_vectors(lines)),
            now=now,
        )
    result.pooled = len(pool) + late_pooled
    result.themes = count_themes(session=session, team_id=team_id, kind=kind)
    return result


def _refresh_changed(
    session: Session,
    themes: list[Theme],
    before: dict[int, int | None],
    after: dict[int, int | None],
    method: str,
    now: datetime,
) -> None:
    """Recompute the themes whose members changed (or whose centroid is of another method): a regroup
    at every tick leaves most themes as they were, and reading their lines again would cost what the
    workspace holds. One that gained or lost a tenth of its lines is labelled again."""
    moved: Counter[int] = Counter()
    for line_id, theme_id in after.items():
        if before[line_id] != theme_id:
            moved.update(t for t in (before[line_id], theme_id) if t is not None)
    for theme in themes:
        if not moved[theme.id] and theme.centroid is not None and theme.embedded_with == method:
            continue
        refresh(session=session, theme=theme, now=now)
        if moved[theme.id] * 10 >= max(theme.labelled_size or 0, 1):
            # Its members changed by a tenth, perhaps at the same size: labelled again.
            theme.labelled_size = None
