"""Themes counted again after an edit, on SQLite and PostgreSQL: only the marked ones, in batches, and a
theme marked again while it is being counted is counted again, never left with the older count."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.themes import recount
from bot.themes.embeddings import LexicalEmbedder, to_bytes
from bot.themes.recount import mark_for_recount, recount_marked_themes
from bot.themes.upkeep.job import UpkeepJob
from storage.db import Database
from storage.models import Pain, Theme, ThemeKind, ThemeUpkeep
from tests.scenario.test_send_races import waiting_on_a_lock
from tests.scenario.test_themes import SCHEDULE
from tests.storage.capture.test_interviews import log

NOW = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)


def themed(db: Database, groups: int, per_theme: int = 3) -> list[int]:
    """`groups` themes of `per_theme` pains each, their sizes recorded wrong (99): a recount shows."""
    log(db, pains="\n".join(f"Pain {n}" for n in range(groups * per_theme)))
    ids = []
    with db.transaction() as session:
        pains = list(session.scalars(select(Pain).order_by(Pain.id)))
        for g in range(groups):
            theme = Theme(team_id="T1", kind=ThemeKind.PAIN, name=f"Theme {g}", size=99, created_at=NOW)
            session.add(theme)
            session.flush()
            ids.append(theme.id)
            for pain in pains[g * per_theme : (g + 1) * per_theme]:
                pain.theme_id = theme.id
    return ids


def sizes(db: Database) -> dict[int, tuple[int, bool]]:
    with db.read() as session:
        return {t.id: (t.size, t.recount_due_at is not None) for t in session.scalars(select(Theme))}


def mark(db: Database, theme_ids: list[int]) -> None:
    db.run(lambda s: mark_for_recount(session=s, team_id="T1", theme_ids=theme_ids, now=NOW, lines_left=True))


def test_only_marked_themes_are_counted_again_in_batches_and_then_unmarked(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(recount, "RECOUNT_BATCH", 2)
    first, second, third, untouched = themed(database, 4)
    mark(database, [first, second, third])
    assert recount_marked_themes(database) == 3  # two transactions: 2, then 1
    counted = (3, False)
    assert sizes(database) == {first: counted, second: counted, third: counted, untouched: (99, False)}
    assert recount_marked_themes(database) == 0


def test_another_workspaces_marked_themes_wait_for_their_own_recount(database: Database) -> None:
    (theme_id,) = themed(database, 1)
    mark(database, [theme_id])
    assert recount_marked_themes(database, team_id="T2") == 0
    assert sizes(database) == {theme_id: (99, True)}
    assert recount_marked_themes(database, team_id="T1") == 1


def test_a_theme_marked_while_it_is_counted_is_counted_again(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    if database.backend != "postgresql":
        pytest.skip("SQLite runs one write transaction at a time: this order cannot occur")
    (theme_id,) = themed(database, 1)
    mark(database, [theme_id])
    counted, go = threading.Event(), threading.Event()
    real = recount.refresh

    def held(**kwargs: object) -> None:  # the recount has read the members, and holds the theme's row
        real(**kwargs)  # type: ignore[arg-type]
        counted.set()
        assert go.wait(30)

    monkeypatch.setattr(recount, "refresh", held)

    def edit(session: Session) -> None:  # an edit takes a line out of the theme and marks it
        pain = session.scalars(select(Pain).where(Pain.theme_id == theme_id).limit(1)).one()
        session.execute(update(Pain).where(Pain.id == pain.id).values(theme_id=None))
        mark_for_recount(session=session, team_id="T1", theme_ids=[theme_id], now=NOW, lines_left=True)

    counting = threading.Thread(target=lambda: recount_marked_themes(database))
    counting.start()
    assert counted.wait(30)
    editing = threading.Thread(target=lambda: database.run(edit))
    editing.start()
    deadline = time.monotonic() + 30
    while not waiting_on_a_lock(database) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert waiting_on_a_lock(database)  # the edit's mark waits for the recount's lock on the row
    go.set()
    counting.join(30)
    editing.join(30)
    assert sizes(database) == {theme_id: (3, True)}  # counted before the edit, and marked again by it
    monkeypatch.setattr(recount, "refresh", real)
    assert recount_marked_themes(database) == 1
    assert sizes(database) == {theme_id: (2, False)}


def test_the_themes_job_counts_what_an_edit_left_marked(database: Database) -> None:
    """A process that died after an edit's answer left its themes marked: the next tick of the themes job
    (in a workspace it keeps up already: nothing new to place, no regroup due) counts them again."""
    embedder = LexicalEmbedder()
    first, second = themed(database, 2)
    with database.transaction() as session:
        pains = list(session.scalars(select(Pain)))
        for pain, vector in zip(pains, embedder.embed([p.text for p in pains]), strict=True):
            pain.embedding, pain.embedded_with = to_bytes(vector), embedder.name
        for kind in ThemeKind:
            session.add(ThemeUpkeep(team_id="T1", kind=kind, embedded_with=embedder.name, rebuilt_at=NOW))
    mark(database, [first])
    UpkeepJob(db=database, embedder=embedder, replica="replica-2", schedule=SCHEDULE).tick(now=NOW)
    assert sizes(database) == {first: (3, False), second: (99, False)}
