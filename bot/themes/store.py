"""Themes: pains (and, apart, requests) grouped by meaning, kept stable, and corrected by people.

The flow for a workspace:
- each new line is embedded once and stored; it joins the nearest theme when close enough, else it waits
  in the pool (`theme_id` None);
- the pool is re-clustered on a schedule: groups big enough become new themes, the rest keep waiting;
- `rebuild` re-groups everything from scratch and matches the new groups to the old themes, so a theme
  keeps its id (and trends their meaning) while its members barely change.
People rename, merge and move; what they did is kept: a renamed theme keeps its name, and a line placed
by hand (a move, or a merge, which moves every line of one theme into another) is never moved again by
the engine.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import numpy as np
from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from bot.errors import BotError, InvalidInput
from bot.text import clean_text, truncate
from bot.themes import grouping
from bot.themes.embeddings import Embedder, from_bytes, to_bytes
from storage.models import CustomerRequest, Interview, Pain, Theme, ThemeKind, ThemeUpkeep

log = logging.getLogger(__name__)

LINE_MODELS: dict[ThemeKind, type[Pain] | type[CustomerRequest]] = {
    ThemeKind.PAIN: Pain,
    ThemeKind.REQUEST: CustomerRequest,
}
THEME_NAME_MAX = 80
UPKEEP_LEASE = timedelta(minutes=5)
# Lines embedded per upkeep pass: bounds how long one pass holds a core.
EMBED_BATCH = 256

Line = Pain | CustomerRequest
Progress = Callable[[str, int, int], None]  # (stage, done, total)


class ThemeNotFound(BotError):
    def __init__(self) -> None:
        super().__init__("That theme is gone: someone merged or regrouped it. Open /interview themes again.")


class LineNotFound(BotError):
    def __init__(self) -> None:
        super().__init__("That line is gone: its interview was deleted. Open /interview themes again.")


class SameTheme(BotError):
    def __init__(self) -> None:
        super().__init__("Pick another theme: a theme cannot be merged into itself.")


@dataclass(frozen=True)
class ThemeSummary:
    id: int
    kind: ThemeKind
    name: str
    named_by: str | None
    lines: int
    accounts: int


@dataclass(frozen=True)
class ThemeLine:
    id: int
    text: str
    account: str
    held_on: str
    placed_by: str | None


# --------------------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------------------
def _live(team_id: str, kind: ThemeKind) -> tuple[Any, ...]:
    """Conditions for a workspace's themes of a kind that were not merged into another."""
    return (Theme.team_id == team_id, Theme.kind == kind, Theme.merged_into_id.is_(None))


def list_themes(*, session: Session, team_id: str, kind: ThemeKind, limit: int = 100) -> list[ThemeSummary]:
    """Live themes, the ones raised by the most accounts first."""
    line = LINE_MODELS[kind]
    accounts = func.count(func.distinct(Interview.account_id))
    rows = session.execute(
        select(Theme, func.count(line.id), accounts)
        .join(line, line.theme_id == Theme.id)
        .join(Interview, Interview.id == line.interview_id)
        .where(*_live(team_id, kind))
        .group_by(Theme.id)
        .order_by(accounts.desc(), func.count(line.id).desc(), Theme.id)
        .limit(limit)
    ).all()
    return [ThemeSummary(t.id, t.kind, t.name, t.named_by, lines=int(n), accounts=int(a)) for t, n, a in rows]


def count_pool(*, session: Session, team_id: str, kind: ThemeKind) -> int:
    """Lines not in any theme: waiting in the pool, or taken out by hand."""
    line = LINE_MODELS[kind]
    return int(
        session.scalar(select(func.count(line.id)).where(line.team_id == team_id, line.theme_id.is_(None)))
        or 0
    )


def count_themes(*, session: Session, team_id: str, kind: ThemeKind) -> int:
    return int(session.scalar(select(func.count(Theme.id)).where(*_live(team_id, kind))) or 0)


def summary_of(*, session: Session, theme: Theme) -> ThemeSummary:
    line = LINE_MODELS[theme.kind]
    lines, accounts = session.execute(
        select(func.count(line.id), func.count(func.distinct(Interview.account_id)))
        .join(Interview, Interview.id == line.interview_id)
        .where(line.team_id == theme.team_id, line.theme_id == theme.id)
    ).one()
    return ThemeSummary(theme.id, theme.kind, theme.name, theme.named_by, int(lines), int(accounts))


def get_line(*, session: Session, team_id: str, kind: ThemeKind, line_id: int) -> Line:
    model = LINE_MODELS[kind]
    row = session.scalar(select(model).where(model.team_id == team_id, model.id == line_id))
    if row is None:
        raise LineNotFound()
    return row


def get_theme(*, session: Session, team_id: str, theme_id: int) -> Theme:
    theme = session.scalar(select(Theme).where(Theme.team_id == team_id, Theme.id == theme_id))
    if theme is None:
        raise ThemeNotFound()
    # A merged theme lives on in the one it was merged into.
    seen = {theme.id}
    while theme.merged_into_id is not None:
        theme = session.get(Theme, theme.merged_into_id)
        if theme is None or theme.team_id != team_id or theme.id in seen:
            raise ThemeNotFound()
        seen.add(theme.id)
    return theme


def theme_lines(
    *, session: Session, team_id: str, theme_id: int | None, kind: ThemeKind, limit: int = 40
) -> tuple[list[ThemeLine], int]:
    """A theme's lines (or, with theme_id None, those in no theme), latest interview first, and how many
    there are in all."""
    line = LINE_MODELS[kind]
    where = [
        line.team_id == team_id,
        line.theme_id.is_(None) if theme_id is None else line.theme_id == theme_id,
    ]
    rows = session.execute(
        select(line, Interview)
        .join(Interview, Interview.id == line.interview_id)
        .where(*where)
        .options(selectinload(Interview.account))
        .order_by(Interview.held_on.desc(), line.id.desc())
        .limit(limit)
    ).all()
    total = int(session.scalar(select(func.count(line.id)).where(*where)) or 0)
    lines = [
        ThemeLine(row.id, row.text, interview.account.name, interview.held_on.isoformat(), row.placed_by)
        for row, interview in rows
    ]
    return lines, total


# --------------------------------------------------------------------------------------------------
# People's corrections
# --------------------------------------------------------------------------------------------------
def rename(*, session: Session, team_id: str, theme_id: int, name: str, by: str, now: datetime) -> Theme:
    theme = get_theme(session=session, team_id=team_id, theme_id=theme_id)
    cleaned = truncate(clean_text(name) or "", THEME_NAME_MAX)
    if not cleaned:
        raise InvalidInput({"name": "Give the theme a name."})
    theme.name, theme.named_by, theme.updated_at = cleaned, by, now
    return theme


def merge(*, session: Session, team_id: str, source_id: int, target_id: int, by: str, now: datetime) -> Theme:
    """Every line of `source` moves into `target`, placed there by `by` (so no regrouping splits them
    again); `source` keeps its row, pointing at `target`."""
    source = get_theme(session=session, team_id=team_id, theme_id=source_id)
    target = get_theme(session=session, team_id=team_id, theme_id=target_id)
    if source.id == target.id:
        raise SameTheme()
    if source.kind != target.kind:
        raise ThemeNotFound()
    line = LINE_MODELS[source.kind]
    session.execute(
        update(line)
        .where(line.team_id == team_id, line.theme_id == source.id)
        .values(theme_id=target.id, placed_by=by)
    )
    source.merged_into_id, source.size, source.centroid, source.updated_at = target.id, 0, None, now
    # Themes merged into source earlier now point straight at target.
    session.execute(
        update(Theme)
        .where(Theme.team_id == team_id, Theme.merged_into_id == source.id)
        .values(merged_into_id=target.id)
    )
    refresh(session=session, theme=target, now=now)
    return target


NEW_THEME = "new"


def move(
    *,
    session: Session,
    team_id: str,
    kind: ThemeKind,
    line_id: int,
    to: int | str | None,
    by: str,
    now: datetime,
) -> Theme | None:
    """Put one line into theme `to`, into a new theme of its own (NEW_THEME: a split), or out of any
    theme (None). The line is marked as placed by hand. Returns the theme it is in now."""
    row = get_line(session=session, team_id=team_id, kind=kind, line_id=line_id)
    before = session.get(Theme, row.theme_id) if row.theme_id is not None else None
    target: Theme | None
    if to == NEW_THEME:
        target = _new_theme(session, team_id, kind, row.text, now)
    elif to is None:
        target = None
    else:
        target = get_theme(session=session, team_id=team_id, theme_id=int(to))
        if target.kind != kind:
            raise ThemeNotFound()
    row.theme_id, row.placed_by = (target.id if target else None), by
    session.flush()
    if before is not None and (target is None or before.id != target.id):
        refresh(session=session, theme=before, now=now)
    if target is not None:
        refresh(session=session, theme=target, now=now)
    return target


# --------------------------------------------------------------------------------------------------
# Upkeep: embed new lines, place them, re-cluster the pool; and the full rebuild
# --------------------------------------------------------------------------------------------------
def theme_name(text: str) -> str:
    return truncate(" ".join((clean_text(text) or "").split()), THEME_NAME_MAX) or "(empty)"


def _new_theme(session: Session, team_id: str, kind: ThemeKind, first_line: str, now: datetime) -> Theme:
    """A theme with an id, named after its first line until `refresh` finds the line that says it best."""
    theme = Theme(team_id=team_id, kind=kind, name=theme_name(first_line), created_at=now, updated_at=now)
    session.add(theme)
    session.flush()
    return theme


def refresh(*, session: Session, theme: Theme, now: datetime, name_it: bool = True) -> None:
    """Recompute a theme's size and centroid from its members, and its name unless a person chose it. A
    theme left with no member is deleted."""
    model = LINE_MODELS[theme.kind]
    rows = session.execute(
        select(model.id, model.text, model.embedding, model.embedded_with).where(
            model.team_id == theme.team_id, model.theme_id == theme.id
        )
    ).all()
    if not rows:
        session.execute(
            update(Theme)
            .where(Theme.team_id == theme.team_id, Theme.merged_into_id == theme.id)
            .values(merged_into_id=None)
        )
        session.delete(theme)
        session.flush()
        return
    # Members embedded by the method most of them share (all of them, but during a change of method).
    methods = Counter(r.embedded_with for r in rows if r.embedding is not None).most_common(1)
    embedded = [r for r in rows if r.embedding is not None and methods and r.embedded_with == methods[0][0]]
    theme.size, theme.updated_at = len(rows), now
    if embedded:
        matrix = _load_vectors(embedded)
        mean = matrix.mean(axis=0)
        theme.centroid, theme.embedded_with = to_bytes(mean, np.float32), methods[0][0]
        if name_it and theme.named_by is None:
            theme.name = theme_name(embedded[grouping.representative(matrix, mean)].text)
    elif name_it and theme.named_by is None:
        theme.name = theme_name(rows[0].text)


@dataclass
class UpkeepResult:
    embedded: int = 0
    joined: int = 0  # new lines that joined an existing theme
    pooled: int = 0  # new lines left in the pool
    new_themes: int = 0
    themes: int = 0  # live themes after a rebuild
    rebuilt: bool = False


def _load_vectors(rows: Sequence[Any]) -> np.ndarray:
    return np.vstack([from_bytes(r.embedding) for r in rows]) if rows else np.zeros((0, 0), np.float32)


def _live_themes(session: Session, team_id: str, kind: ThemeKind, method: str) -> list[Theme]:
    return list(
        session.scalars(
            select(Theme).where(
                *_live(team_id, kind),
                Theme.centroid.is_not(None),
                Theme.embedded_with == method,
            )
        )
    )


def _not_embedded(model: type[Pain] | type[CustomerRequest], team_id: str) -> Any:
    """The next lines of a workspace with no vector yet, oldest first, EMBED_BATCH at a time."""
    return (
        select(model)
        .where(model.team_id == team_id, model.embedded_with.is_(None))
        .order_by(model.id)
        .limit(EMBED_BATCH)
    )


def embed_new(
    *, session: Session, team_id: str, kind: ThemeKind, embedder: Embedder
) -> tuple[list[Line], np.ndarray]:
    """Embed the next lines that have no vector yet; store the vectors and return them."""
    rows = list(session.scalars(_not_embedded(LINE_MODELS[kind], team_id)))
    if not rows:
        return [], np.zeros((0, 0), np.float32)
    vectors = embedder.embed([r.text for r in rows])
    for row, vector in zip(rows, vectors, strict=True):
        row.embedding, row.embedded_with = to_bytes(vector), embedder.name
    return rows, vectors


def place(
    *,
    session: Session,
    team_id: str,
    kind: ThemeKind,
    embedder: Embedder,
    rows: Sequence[Line],
    vectors: np.ndarray,
    now: datetime,
) -> tuple[int, int]:
    """Each line nobody placed joins its nearest theme when close enough; the rest wait in the pool.
    Returns (joined, pooled)."""
    free = [(r, v) for r, v in zip(rows, vectors, strict=True) if r.placed_by is None and r.theme_id is None]
    if not free:
        return 0, 0
    themes = _live_themes(session, team_id, kind, embedder.name)
    centroids = np.vstack([from_bytes(t.centroid) for t in themes]) if themes else np.zeros((0, 0))
    best, score = grouping.nearest(np.vstack([v for _, v in free]), centroids)
    joined: dict[int, list[np.ndarray]] = {}
    pooled = 0
    for (row, vector), index, similarity in zip(free, best, score, strict=True):
        if index >= 0 and similarity >= embedder.policy.join_at:
            theme = themes[int(index)]
            row.theme_id = theme.id
            joined.setdefault(int(index), []).append(vector)
        else:
            pooled += 1
    for index, vectors_in in joined.items():
        # The mean moves by what joined, without reading the members already there: a placement costs
        # what is new, not what the workspace holds.
        theme = themes[index]
        total = from_bytes(theme.centroid) * theme.size + np.sum(vectors_in, axis=0)
        theme.size += len(vectors_in)
        theme.centroid, theme.updated_at = to_bytes(total / theme.size, np.float32), now
    session.flush()
    if pooled:
        _upkeep_row(session, team_id, kind).pool_grew_at = now
    return len(free) - pooled, pooled


def recluster_pool(
    *, session: Session, team_id: str, kind: ThemeKind, embedder: Embedder, now: datetime
) -> int:
    """Group the pool: groups big enough become new themes, the rest wait. Returns new themes made."""
    model = LINE_MODELS[kind]
    rows = list(
        session.scalars(
            select(model).where(
                model.team_id == team_id,
                model.theme_id.is_(None),
                model.placed_by.is_(None),
                model.embedded_with == embedder.name,
            )
        )
    )
    made = 0
    if len(rows) >= embedder.policy.min_size:
        vectors = grouping.normalize(_load_vectors(rows))
        # Themes move as lines join them: some of the pool may be close enough to one now.
        place(
            session=session,
            team_id=team_id,
            kind=kind,
            embedder=embedder,
            rows=rows,
            vectors=vectors,
            now=now,
        )
        left = [(r, v) for r, v in zip(rows, vectors, strict=True) if r.theme_id is None]
        if len(left) >= embedder.policy.min_size:
            labels = grouping.group(np.vstack([v for _, v in left]), embedder.policy)
            for label in sorted(set(labels.tolist()) - {-1}):
                members = [r for (r, _), lab in zip(left, labels, strict=True) if lab == label]
                theme = _new_theme(session, team_id, kind, members[0].text, now)
                for member in members:
                    member.theme_id = theme.id
                session.flush()
                refresh(session=session, theme=theme, now=now)
                made += 1
    upkeep = _upkeep_row(session, team_id, kind)
    upkeep.pool_grew_at, upkeep.pool_clustered_at = None, now
    return made


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

    old = {t.id: t for t in session.scalars(select(Theme).where(*_live(team_id, kind)))}
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
            theme = _new_theme(session, team_id, kind, members[0].text, now)
            result.new_themes += 1
        for member in members:
            member.theme_id = theme.id
        matched[label] = theme
    for row in pool:
        row.theme_id = None
    session.flush()
    for theme in [*matched.values(), *(t for t in old.values() if t.id not in taken)]:
        refresh(session=session, theme=theme, now=now)
    upkeep = _upkeep_row(session, team_id, kind)
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
            vectors=grouping.normalize(_load_vectors(late)),
            now=now,
        )
    result.pooled = len(pool) + late_pooled
    result.themes = count_themes(session=session, team_id=team_id, kind=kind)
    return result


# --------------------------------------------------------------------------------------------------
# Who keeps a workspace's themes: one replica at a time, under a lease
# --------------------------------------------------------------------------------------------------
def _find_upkeep(session: Session, team_id: str, kind: ThemeKind) -> ThemeUpkeep | None:
    return session.scalar(select(ThemeUpkeep).where(ThemeUpkeep.team_id == team_id, ThemeUpkeep.kind == kind))


def _upkeep_row(session: Session, team_id: str, kind: ThemeKind) -> ThemeUpkeep:
    """The workspace's upkeep row, made on first use."""
    row = _find_upkeep(session, team_id, kind)
    if row is None:
        try:
            with session.begin_nested():
                session.add(ThemeUpkeep(team_id=team_id, kind=kind))
                session.flush()
        except IntegrityError:  # another replica made it first
            pass
        row = _find_upkeep(session, team_id, kind)
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
    _upkeep_row(session, team_id, kind)
    taken = session.execute(
        update(ThemeUpkeep)
        .where(
            ThemeUpkeep.team_id == team_id,
            ThemeUpkeep.kind == kind,
            or_(
                ThemeUpkeep.lease_until.is_(None),
                ThemeUpkeep.lease_until < now,
                ThemeUpkeep.lease_owner == replica,
            ),
        )
        .values(lease_owner=replica, lease_until=now + lease)
        .execution_options(synchronize_session=False)
    )
    return taken.rowcount == 1


def release_upkeep(*, session: Session, team_id: str, kind: ThemeKind, replica: str) -> None:
    session.execute(
        update(ThemeUpkeep)
        .where(ThemeUpkeep.team_id == team_id, ThemeUpkeep.kind == kind, ThemeUpkeep.lease_owner == replica)
        .values(lease_owner=None, lease_until=None)
        .execution_options(synchronize_session=False)
    )


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
    re-clustered long enough ago, a full regroup due, or themes made by another method."""
    due: set[tuple[str, ThemeKind]] = set()
    for kind, model in LINE_MODELS.items():
        for team_id in session.scalars(select(model.team_id).where(model.embedded_with.is_(None)).distinct()):
            due.add((team_id, kind))
    for row in session.scalars(select(ThemeUpkeep)):
        if _regroup_due(row, now, schedule) or _rebuild_due(row, now, method, schedule):
            due.add((row.team_id, row.kind))
    return sorted(due)


def stale_texts(*, session: Session, team_id: str, kind: ThemeKind, method: str) -> list[str]:
    """Texts of the lines a rebuild will embed: none yet, or by another method."""
    model = LINE_MODELS[kind]
    stale = or_(model.embedded_with.is_(None), model.embedded_with != method)
    return list(session.scalars(select(model.text).where(model.team_id == team_id, stale)))


def rebuild_due(
    *, session: Session, team_id: str, kind: ThemeKind, method: str, now: datetime, schedule: UpkeepSchedule
) -> bool:
    """Whether `keep_up` is about to rebuild the workspace (so its regrouping can be planned ahead)."""
    return _needs_rebuild(_find_upkeep(session, team_id, kind), now, method, schedule)


def new_texts(*, session: Session, team_id: str, kind: ThemeKind) -> list[str]:
    """Texts of the lines `embed_new` takes next, read ahead so the embedding can run outside the write
    transaction (on SQLite that transaction holds the file's lock, and a submission must not wait)."""
    model = LINE_MODELS[kind]
    return list(session.scalars(_not_embedded(model, team_id).with_only_columns(model.text)))


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
    upkeep = _upkeep_row(session, team_id, kind)
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
