"""Look-alike themes over real storage (SQLite and PostgreSQL): which pairs are offered, and what Merge and
Not the same do. Nothing is merged unless a person asks."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pytest
from sqlalchemy import select

from bot.themes.corrections import NEW_THEME, merge
from bot.themes.embeddings import Embedder, LexicalEmbedder, to_bytes
from bot.themes.lookalikes import (
    LOOK_ALIKE_AT,
    count_look_alikes,
    dismiss_look_alike,
    look_alike_pairs,
    merge_look_alike,
    mutual_pairs,
)
from bot.themes.models import MODELS
from bot.themes.store import ThemeNotFound
from storage.db import Database
from storage.models import DismissedLookAlike, Pain, Theme, ThemeKind
from tests.storage.themes.test_themes import NOW, log, move_line, theme_id_of, upkeep

SEMANTIC = MODELS["minilm"].name
REPORTS = [
    "Reports take forever to build",
    "Building our reports takes forever",
    "Our reports take ages to build",
    "Reports are so slow to build",
]
LOGINS = ["We get logged out all the time", "The session expires constantly", "I keep getting logged out"]


def unit(*weights: float) -> np.ndarray:
    """A 384-dimension vector with these first coordinates, the rest zero."""
    vector = np.zeros(384, dtype=np.float32)
    vector[: len(weights)] = weights
    return vector


def add_theme(
    db: Database,
    name: str,
    centroid: np.ndarray,
    *,
    size: int = 3,
    team_id: str = "T1",
    method: str = SEMANTIC,
    kind: ThemeKind = ThemeKind.PAIN,
) -> int:
    with db.transaction() as session:
        theme = Theme(
            team_id=team_id,
            kind=kind,
            name=name,
            centroid=to_bytes(centroid, np.float32),
            embedded_with=method,
            size=size,
            created_at=NOW,
            updated_at=NOW,
        )
        session.add(theme)
        session.flush()
        return theme.id


def pairs(db: Database, team_id: str = "T1") -> list[tuple[int, int]]:
    with db.read() as session:
        return [
            (p.target_id, p.source_id)
            for p in look_alike_pairs(session=session, team_id=team_id, kind=ThemeKind.PAIN)
        ]


def test_mutual_nearest_pairs_close_enough_the_closest_first() -> None:
    centroids = np.vstack([unit(0.5, 0.87), unit(1, 0), unit(0.9, 0.44), unit(0, 0, 1), unit(0, 0, 0.8, 0.6)])
    # 1 and 2 are each other's nearest; 0's nearest is 2, which prefers 1; 3 and 4 pair at 0.8.
    found = mutual_pairs(centroids, at=0.6)
    assert [(i, j) for i, j, _ in found] == [(1, 2), (3, 4)]
    assert mutual_pairs(centroids, at=0.85) == [found[0]]
    assert mutual_pairs(centroids[:1], at=0.0) == []


def test_pairs_offered_in_a_workspace_with_the_larger_kept(database: Database) -> None:
    big = add_theme(database, "exports fail", unit(1, 0), size=9)
    small = add_theme(database, "export failing", unit(0.9, 0.44), size=2)
    add_theme(database, "logged out", unit(0, 1, 1))  # nothing near it
    with database.read() as session:
        (pair,) = look_alike_pairs(session=session, team_id="T1", kind=ThemeKind.PAIN)
        assert (pair.target_id, pair.target_name, pair.target_lines) == (big, "exports fail", 9)
        assert (pair.source_id, pair.source_name, pair.source_lines) == (small, "export failing", 2)
        assert pair.similarity == pytest.approx(0.898, abs=0.002)
        assert count_look_alikes(session=session, team_id="T1", kind=ThemeKind.PAIN) == 1
        assert look_alike_pairs(session=session, team_id="T1", kind=ThemeKind.REQUEST) == []


def test_a_theme_a_person_named_is_the_one_kept(database: Database) -> None:
    add_theme(database, "exports fail", unit(1, 0), size=9)
    named = add_theme(database, "Excel export", unit(0.9, 0.44), size=2)
    with database.transaction() as session:
        session.get(Theme, named).named_by = "U9"
    assert pairs(database)[0][0] == named


def test_themes_not_close_enough_are_not_offered(database: Database) -> None:
    add_theme(database, "exports fail", unit(1, 0))
    add_theme(database, "pricing", unit(LOOK_ALIKE_AT[SEMANTIC] - 0.05, 1))
    assert pairs(database) == []


def test_another_workspaces_themes_are_never_offered(database: Database) -> None:
    add_theme(database, "exports fail", unit(1, 0))
    add_theme(database, "exports fail", unit(1, 0.01), team_id="T2")
    assert pairs(database) == [] and pairs(database, "T2") == []
    with database.transaction() as session:
        other = session.scalar(select(Theme.id).where(Theme.team_id == "T2"))
        mine = session.scalar(select(Theme.id).where(Theme.team_id == "T1"))
        for act in (merge_look_alike, dismiss_look_alike):
            with pytest.raises(ThemeNotFound):
                act(session=session, team_id="T1", theme_id=mine, other_id=other, by="U9", now=NOW)
    with database.read() as session:
        assert session.scalars(select(DismissedLookAlike)).all() == []
        assert all(t.merged_into_id is None for t in session.scalars(select(Theme)))


def test_merged_and_deleted_themes_are_never_offered(database: Database) -> None:
    a = add_theme(database, "exports fail", unit(1, 0))
    b = add_theme(database, "export failing", unit(0.95, 0.3))
    c = add_theme(database, "export is broken", unit(0.9, 0.44))
    with database.transaction() as session:
        session.get(Theme, b).merged_into_id = a
    assert pairs(database) == [(a, c)]
    with database.transaction() as session:
        session.delete(session.get(Theme, c))
    assert pairs(database) == []


def test_themes_of_two_methods_are_never_compared(database: Database) -> None:
    add_theme(database, "exports fail", unit(1, 0))
    add_theme(database, "export failing", unit(1, 0.01), method=LexicalEmbedder.name)
    assert pairs(database) == []
    # The lexical method offers none at all: its look-alikes were rarely one problem (see LOOK_ALIKE_AT).
    add_theme(database, "export broken", unit(1, 0.02), method=LexicalEmbedder.name)
    assert pairs(database) == []


def test_a_dismissed_pair_is_never_offered_again(database: Database) -> None:
    a = add_theme(database, "exports fail", unit(1, 0), size=5)
    b = add_theme(database, "export failing", unit(0.9, 0.44))
    assert pairs(database) == [(a, b)]
    for _ in range(2):  # a second click changes nothing
        with database.transaction() as session:
            dismiss_look_alike(session=session, team_id="T1", theme_id=b, other_id=a, by="U9", now=NOW)
    assert pairs(database) == []
    with database.read() as session:
        (row,) = session.scalars(select(DismissedLookAlike)).all()
        assert (row.team_id, row.theme_id, row.other_theme_id, row.dismissed_by) == ("T1", a, b, "U9")
        assert count_look_alikes(session=session, team_id="T1", kind=ThemeKind.PAIN) == 0
    # The pair goes with its themes.
    with database.transaction() as session:
        session.delete(session.get(Theme, b))
    with database.read() as session:
        assert session.scalars(select(DismissedLookAlike)).all() == []


def split_reports(db: Database, semantic: Embedder) -> tuple[int, int]:
    """Reports in two themes: the engine made one, a person split two lines off into another."""
    for n, pain in enumerate(REPORTS + LOGINS):
        log(db, f"Customer {n}", [pain])
    upkeep(db, semantic).tick(NOW)
    reports = theme_id_of(db, REPORTS[0])
    split = move_line(db, REPORTS[3], NEW_THEME)
    move_line(db, REPORTS[2], split)
    assert reports and split
    return reports, split


def test_merge_folds_the_smaller_into_the_larger_as_the_persons_correction(
    database: Database, semantic: Embedder
) -> None:
    reports, split = split_reports(database, semantic)
    log(database, "Customer 9", ["Reports take forever to load"])  # the engine's theme is the larger
    upkeep(database, semantic).tick(NOW + timedelta(minutes=1))
    assert theme_id_of(database, "Reports take forever to load") == reports
    assert pairs(database) == [(reports, split)]
    for _ in range(2):  # clicked twice: the second click finds one theme and does nothing
        with database.transaction() as session:
            kept = merge_look_alike(
                session=session, team_id="T1", theme_id=split, other_id=reports, by="U7", now=NOW
            )
    assert kept is None
    with database.read() as session:
        assert session.get(Theme, split).merged_into_id == reports
        lines = session.execute(select(Pain.text, Pain.placed_by).where(Pain.theme_id == reports)).all()
        assert {text for text, _ in lines} == {*REPORTS, "Reports take forever to load"}
        # The lines that moved are placed by the person who clicked: no regrouping splits them again.
        assert {by for text, by in lines if text in REPORTS[2:]} == {"U7"}
    assert pairs(database) == []


def test_a_stale_pair_whose_theme_went_into_a_third_is_refused(
    database: Database, semantic: Embedder
) -> None:
    reports, split = split_reports(database, semantic)
    logins = theme_id_of(database, LOGINS[0])
    assert logins
    with database.transaction() as session:
        merge(session=session, team_id="T1", source_id=split, target_id=logins, by="U9", now=NOW)
    with database.transaction() as session, pytest.raises(ThemeNotFound):
        merge_look_alike(session=session, team_id="T1", theme_id=reports, other_id=split, by="U9", now=NOW)
