"""Keeping theme labels in step with their members: which themes need a label, and the label work done
around the transactions.

The upkeep job calls `relabel` after its write transaction: the themes whose size moved by a tenth since
their label was made (or never labelled, or regrouped since), with their lines, and a sample of the
workspace's lines for the phrase counts, are read in a read transaction; the phrases are embedded
outside any transaction (on SQLite the write transaction holds the file's lock, and a submission must
not wait); the labels are written in a short one, only on themes nobody renamed, merged or changed
meanwhile.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import Session

from bot.themes.embeddings import Embedder, from_bytes
from bot.themes.labels import Background, ThemeText, label_themes
from bot.themes.store import LINE_MODELS, theme_name
from storage.db import Database
from storage.models import Theme, ThemeKind

# Lines read to count how common each phrase is across the workspace (a sample above this): 0.3 s.
BACKGROUND_LINES = 5000
# Lines of one theme its label is drawn from (spread over all of them above this): a theme of thousands
# says what it says in its first few hundred, and each line costs its phrases.
THEME_LINES = 500


def _needs_label() -> tuple[Any, ...]:
    """Live themes nobody named that were never labelled, were regrouped since, or whose size moved by
    a tenth since their label was made. Not every line that joins: labelling a theme reads its lines
    and embeds phrases, and one line more seldom changes what a theme is about."""
    return (
        Theme.merged_into_id.is_(None),
        Theme.named_by.is_(None),
        or_(
            Theme.labelled_at.is_(None),
            Theme.labelled_size.is_(None),
            and_(
                Theme.size != Theme.labelled_size,
                func.abs(Theme.size - Theme.labelled_size) * 10 >= Theme.labelled_size,
            ),
        ),
    )


def labels_due(*, session: Session) -> set[tuple[str, ThemeKind]]:
    """Workspaces (and kinds) with a theme to label."""
    rows = session.execute(select(Theme.team_id, Theme.kind).where(*_needs_label()).distinct())
    return {(team_id, kind) for team_id, kind in rows}


@dataclass(frozen=True)
class LabelWork:
    """What `relabel` read: the themes to label, the version of each it read (their updated_at), the
    names of the workspace's other themes, and the phrase counts."""

    themes: list[ThemeText]
    versions: dict[int, tuple[datetime, int]]  # (updated_at, size)
    taken: list[str]
    background: Background


def read_work(*, session: Session, team_id: str, kind: ThemeKind, method: str) -> LabelWork:
    """The themes of a workspace to label, with their lines, and a sample of all its lines. Only reads."""
    model = LINE_MODELS[kind]
    live = (Theme.team_id == team_id, Theme.kind == kind, Theme.merged_into_id.is_(None))
    themes = list(session.scalars(select(Theme).where(*live, *_needs_label()).order_by(Theme.id)))
    if not themes:
        return LabelWork([], {}, [], Background(Counter(), 0, 0))
    ids = [t.id for t in themes]
    texts: dict[int, list[str]] = {i: [] for i in ids}
    for start in range(0, len(ids), 500):  # IN lists stay well within both databases' limits
        for theme_id, text in session.execute(
            select(model.theme_id, model.text)
            .where(model.team_id == team_id, model.theme_id.in_(ids[start : start + 500]))
            .order_by(model.id)
        ):
            texts[theme_id].append(text)
    for theme_id, lines in texts.items():
        if len(lines) > THEME_LINES:
            texts[theme_id] = [lines[round(i * len(lines) / THEME_LINES)] for i in range(THEME_LINES)]
    taken = list(session.scalars(select(Theme.name).where(*live, Theme.id.not_in(ids))))
    total = int(session.scalar(select(func.count(model.id)).where(model.team_id == team_id)) or 0)
    every = max(1, -(-total // BACKGROUND_LINES))  # every n-th line by id: spread over the years
    sample = session.scalars(
        select(model.text).where(model.team_id == team_id, model.id % every == 0).limit(BACKGROUND_LINES)
    )
    return LabelWork(
        themes=[
            ThemeText(
                t.id,
                texts[t.id],
                from_bytes(t.centroid) if t.centroid is not None and t.embedded_with == method else None,
                t.name,
            )
            for t in themes
        ],
        versions={t.id: (t.updated_at, t.size) for t in themes},
        taken=taken,
        background=Background.of(sample, total),
    )


def save_labels(
    *, session: Session, team_id: str, labels: dict[int, str], versions: dict[int, tuple[datetime, int]]
) -> int:
    """Write the labels of themes still unnamed and unchanged since they were read. Returns how many."""
    saved = 0
    for theme_id, label in labels.items():
        updated_at, size = versions[theme_id]
        done = session.execute(
            update(Theme)
            .where(
                Theme.team_id == team_id,
                Theme.id == theme_id,
                Theme.named_by.is_(None),
                Theme.merged_into_id.is_(None),
                Theme.updated_at == updated_at,
            )
            .values(name=theme_name(label), labelled_at=updated_at, labelled_size=size)
            .execution_options(synchronize_session=False)
        )
        saved += done.rowcount
    return saved


def relabel(db: Database, embedder: Embedder, *, team_id: str, kind: ThemeKind) -> int:
    """Label the workspace's themes that need it: read, then work out the labels outside any
    transaction (embedding phrases takes a while), then write them in a short one. Returns how many."""
    with db.read() as session:
        work = read_work(session=session, team_id=team_id, kind=kind, method=embedder.name)
    if not work.themes:
        return 0
    labels = label_themes(themes=work.themes, background=work.background, embedder=embedder, taken=work.taken)
    return db.run(
        lambda session: save_labels(session=session, team_id=team_id, labels=labels, versions=work.versions)
    )
