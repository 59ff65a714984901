"""Themes that look alike: pairs the grouping kept apart that may be one problem, offered to people as
one-click merges in /interview themes, and counted for the digest. Nothing is merged on its own: a
person merges a pair (the smaller into the larger, as their correction) or says the two are not the
same, and a dismissed pair is never offered again.

A pair is offered when each theme is the other's most similar (the cosine of their centroids) and that
similarity reaches the method's LOOK_ALIKE_AT. Only the live themes of one workspace and kind are
compared, and only those whose vectors come from one method (vectors of two methods mean nothing to
each other). Each theme is in at most one pair, so merging one never changes another.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.themes.corrections import merge
from bot.themes.embeddings import from_bytes
from bot.themes.grouping import normalize
from bot.themes.models import MODELS
from bot.themes.store import ThemeNotFound, get_theme, live_conditions
from storage.db import insert_once
from storage.models import DismissedLookAlike, Theme, ThemeKind

# The least centroid cosine of an offered pair, per method; a method not listed is never offered.
# Measured on Banking77 (python -m benchmarks.themes --look-alikes): the pairs the semantic grouping split
# off one intent are no closer than neighbouring intents ("card arrival" and "card delivery estimate"),
# so no threshold on the cosine alone makes most offered pairs one intent (at best 15 % of them, on the
# test and the training set alike, falling above 0.7). Mutual nearest themes are 37 % one intent on the
# test set (27 pairs of 132 themes) and 32 % on the training set (28 of 150), flat from 0.2 to 0.65 and
# falling above; 0.6 is the floor, as close as a line must be to join a theme (join_at), so a workspace
# of a few unrelated themes is offered nothing. The lexical method's mutual pairs are 0-18 % one
# intent: it offers none.
LOOK_ALIKE_AT = {model.name: 0.6 for model in MODELS.values()}
# Centroid rows compared at once: bounds memory for a workspace of thousands of themes.
_BLOCK = 1024


@dataclass(frozen=True)
class LookAlike:
    """Two themes that look alike. A merge keeps `target` (a name a person gave first, else the larger,
    else the older) and folds `source` into it."""

    target_id: int
    target_name: str
    target_lines: int
    source_id: int
    source_name: str
    source_lines: int
    similarity: float


def mutual_pairs(centroids: np.ndarray, *, at: float) -> list[tuple[int, int, float]]:
    """Pairs of rows (i < j) that are each other's most similar, with a cosine of at least `at`: the
    most similar first. Rows need not be of unit length."""
    n = len(centroids)
    if n < 2:
        return []
    units = normalize(centroids)
    nearest = np.empty(n, dtype=np.int64)
    best = np.empty(n, dtype=np.float32)
    for start in range(0, n, _BLOCK):
        sims = units[start : start + _BLOCK] @ units.T
        sims[np.arange(len(sims)), np.arange(start, start + len(sims))] = -np.inf  # not itself
        nearest[start : start + _BLOCK] = sims.argmax(axis=1)
        best[start : start + _BLOCK] = sims.max(axis=1)
    pairs = [
        (i, int(nearest[i]), float(best[i]))
        for i in range(n)
        if i < nearest[i] and nearest[nearest[i]] == i and best[i] >= at
    ]
    return sorted(pairs, key=lambda p: (-p[2], p[0]))


def _kept_first(a: Theme, b: Theme) -> tuple[Theme, Theme]:
    """(the theme a merge keeps, the one merged into it)."""
    keep = min((a, b), key=lambda t: (t.named_by is None, -t.size, t.id))
    return keep, (b if keep is a else a)


def look_alike_pairs(
    *, session: Session, team_id: str, kind: ThemeKind, limit: int | None = 20
) -> list[LookAlike]:
    """The workspace's pairs of themes that look alike and nobody dismissed, the most alike first."""
    themes = list(
        session.scalars(
            select(Theme)
            .where(
                *live_conditions(team_id, kind),
                Theme.centroid.is_not(None),
                Theme.embedded_with.in_(LOOK_ALIKE_AT),
            )
            .order_by(Theme.id)
        )
    )
    dismissed = {
        (low, high)
        for low, high in session.execute(
            select(DismissedLookAlike.theme_id, DismissedLookAlike.other_theme_id).where(
                DismissedLookAlike.team_id == team_id
            )
        )
    }
    found: list[LookAlike] = []
    for method, at in LOOK_ALIKE_AT.items():
        group = [t for t in themes if t.embedded_with == method]
        blobs = [t.centroid for t in group if t.centroid is not None]
        if len(blobs) < 2 or len(blobs) != len(group):
            continue
        for i, j, similarity in mutual_pairs(np.vstack([from_bytes(b) for b in blobs]), at=at):
            if (group[i].id, group[j].id) in dismissed:
                continue
            target, source = _kept_first(group[i], group[j])
            found.append(
                LookAlike(
                    target.id,
                    target.name,
                    target.size,
                    source.id,
                    source.name,
                    source.size,
                    round(similarity, 3),
                )
            )
    found.sort(key=lambda p: (-p.similarity, p.target_id))
    return found if limit is None else found[:limit]


def count_look_alikes(*, session: Session, team_id: str, kind: ThemeKind) -> int:
    """How many pairs `look_alike_pairs` offers in all (the digest says so, and where to review them)."""
    return len(look_alike_pairs(session=session, team_id=team_id, kind=kind, limit=None))


def _still_a_pair(session: Session, team_id: str, theme_id: int, other_id: int) -> tuple[Theme, Theme] | None:
    """Both themes as they are now: None when they became one theme since the pair was offered;
    ThemeNotFound when either is gone or now part of a third."""
    a = get_theme(session=session, team_id=team_id, theme_id=theme_id)
    b = get_theme(session=session, team_id=team_id, theme_id=other_id)
    if a.id == b.id:
        return None
    if {a.id, b.id} != {theme_id, other_id} or a.kind != b.kind:
        raise ThemeNotFound()
    return a, b


def merge_look_alike(
    *, session: Session, team_id: str, theme_id: int, other_id: int, by: str, now: datetime
) -> Theme | None:
    """Merge a pair that looks alike, as `by`'s correction: the smaller into the larger (a theme a person
    named is the one kept). Clicked twice, the second does nothing. Returns the theme kept."""
    pair = _still_a_pair(session, team_id, theme_id, other_id)
    if pair is None:
        return None
    target, source = _kept_first(*pair)
    return merge(session=session, team_id=team_id, source_id=source.id, target_id=target.id, by=by, now=now)


def dismiss_look_alike(
    *, session: Session, team_id: str, theme_id: int, other_id: int, by: str, now: datetime
) -> None:
    """Record that two themes are not the same: the pair is never offered again."""
    pair = _still_a_pair(session, team_id, theme_id, other_id)
    if pair is None:
        return
    low, high = sorted(t.id for t in pair)
    known = session.scalar(
        select(DismissedLookAlike.id).where(
            DismissedLookAlike.team_id == team_id,
            DismissedLookAlike.theme_id == low,
            DismissedLookAlike.other_theme_id == high,
        )
    )
    if known is not None:
        return
    # Someone else may dismiss it at the same moment: theirs stands.
    insert_once(
        session,
        DismissedLookAlike(
            team_id=team_id, theme_id=low, other_theme_id=high, dismissed_by=by, dismissed_at=now
        ),
    )
