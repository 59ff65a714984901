"""Placing new lines: each is embedded once and stored; it joins the nearest theme when close enough,
else it waits in the pool, which is regrouped into new themes (bot.themes.upkeep.work).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from bot.themes import grouping
from bot.themes.embeddings import Embedder, from_bytes, to_bytes
from bot.themes.store import LINE_MODELS, Line, live_conditions
from bot.themes.upkeep.lease import upkeep_row
from storage.models import CustomerRequest, Pain, Theme, ThemeKind

# Lines embedded per upkeep pass: bounds how long one pass holds a core.
EMBED_BATCH = 256


@dataclass
class UpkeepResult:
    embedded: int = 0
    joined: int = 0  # new lines that joined an existing theme
    pooled: int = 0  # new lines left in the pool
    new_themes: int = 0
    themes: int = 0  # live themes after a rebuild
    rebuilt: bool = False
    labelled: int = 0  # themes given a label after the pass
    topics: int = 0  # topics after the pass


def live_themes(session: Session, team_id: str, kind: ThemeKind, method: str) -> list[Theme]:
    return list(
        session.scalars(
            select(Theme).where(
                *live_conditions(team_id, kind),
                Theme.centroid.is_not(None),
                Theme.embedded_with == method,
            )
        )
    )


def not_embedded(model: type[Pain] | type[CustomerRequest], team_id: str) -> Any:
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
    rows = list(session.scalars(not_embedded(LINE_MODELS[kind], team_id)))
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
    themes = live_themes(session, team_id, kind, embedder.name)
    centroids = np.vstack([from_bytes(t.centroid) for t in themes]) if themes else np.zeros((0, 0))
    best, score = grouping.nearest(np.vstack([v for _, v in free]), centroids)
    joined: dict[int, list[np.ndarray]] = {}
    pooled = 0
    joining: list[tuple[Line, int]] = []
    for (row, vector), index, similarity in zip(free, best, score, strict=True):
        if index >= 0 and similarity >= embedder.policy.join_at:
            joining.append((row, int(index)))
            joined.setdefault(int(index), []).append(vector)
        else:
            pooled += 1
    pairs = [(themes[i].id, r.account_id) for r, i in joining]
    new_accounts = _accounts_new_to(session, LINE_MODELS[kind], pairs)
    for row, index in joining:
        row.theme_id = themes[index].id
    for index, vectors_in in joined.items():
        # The mean moves by what joined, without reading the members already there: a placement costs
        # what is new, not what the workspace holds.
        theme = themes[index]
        total = from_bytes(theme.centroid) * theme.size + np.sum(vectors_in, axis=0)
        theme.size += len(vectors_in)
        theme.accounts += new_accounts.get(theme.id, 0)
        theme.centroid, theme.updated_at = to_bytes(total / theme.size, np.float32), now
    session.flush()
    if pooled:
        upkeep_row(session, team_id, kind).pool_grew_at = now
    return len(free) - pooled, pooled


def _accounts_new_to(
    session: Session, model: type[Pain] | type[CustomerRequest], joining: list[tuple[int, int]]
) -> dict[int, int]:
    """For lines about to join themes, as (theme id, account id): how many accounts each theme gains.
    One index seek per pair (the line carries its account), not a count over the theme's lines."""
    pairs = set(joining)
    if not pairs:
        return {}
    known = {
        (theme_id, account_id)
        for theme_id, account_id in session.execute(
            select(model.theme_id, model.account_id)
            .where(tuple_(model.theme_id, model.account_id).in_(sorted(pairs)))
            .distinct()
        )
    }
    return dict(Counter(theme_id for theme_id, _ in pairs - known))
