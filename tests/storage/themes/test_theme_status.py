"""A theme's status over real storage (SQLite and PostgreSQL): each change kept, the same again a no-op,
links checked, workspaces apart, the most advanced kept by a merge, and the status kept through a full
regroup (a theme a regroup splits off goes on in its old theme's status)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select, update

from bot.errors import InvalidInput
from bot.themes.corrections import merge
from bot.themes.embeddings import Embedder
from bot.themes.regroup import rebuild
from bot.themes.status import set_status, status_changes
from bot.themes.store import ThemeNotFound
from storage.db import Database
from storage.models import Pain, Theme, ThemeKind, ThemeStatus, ThemeStatusChange
from tests.storage.themes.test_themes import LOGINS, NOW, REPORTS, log, seed, theme_id_of, upkeep


def _set(
    db: Database,
    theme_id: int,
    status: ThemeStatus,
    note: str | None = None,
    link: str | None = None,
    team_id: str = "T1",
    at: datetime = NOW,
) -> None:
    with db.transaction() as session:
        set_status(
            session=session,
            team_id=team_id,
            theme_id=theme_id,
            status=status,
            note=note,
            link=link,
            by="U9",
            now=at,
        )


def _history(db: Database, theme_id: int) -> list[tuple[ThemeStatus, ThemeStatus, str | None, str | None]]:
    with db.read() as session:
        rows = session.scalars(
            select(ThemeStatusChange)
            .where(ThemeStatusChange.theme_id == theme_id)
            .order_by(ThemeStatusChange.id)
        )
        return [(r.from_status, r.to_status, r.note, r.link) for r in rows]


def _theme(db: Database, theme_id: int) -> Theme:
    with db.read() as session:
        theme = session.get(Theme, theme_id)
        assert theme is not None
        session.expunge(theme)
        return theme


@pytest.fixture
def grouped(database: Database, semantic: Embedder) -> tuple[int, int]:
    seed(database)
    upkeep(database, semantic).tick(NOW)
    reports, logins = theme_id_of(database, REPORTS[0]), theme_id_of(database, LOGINS[0])
    assert reports and logins and reports != logins
    return reports, logins


def test_each_change_is_kept_and_the_same_again_changes_nothing(
    database: Database, grouped: tuple[int, int]
) -> None:
    reports, _ = grouped
    _set(database, reports, ThemeStatus.PLANNED, note="  Q3  roadmap ")
    _set(database, reports, ThemeStatus.PLANNED, note="Q3 roadmap")  # the same once cleaned: nothing
    _set(database, reports, ThemeStatus.SHIPPED, link="https://example.com/notes/42")
    assert _history(database, reports) == [
        (ThemeStatus.OPEN, ThemeStatus.PLANNED, "Q3 roadmap", None),
        (ThemeStatus.PLANNED, ThemeStatus.SHIPPED, None, "https://example.com/notes/42"),
    ]
    theme = _theme(database, reports)
    assert (theme.status, theme.status_note, theme.status_link, theme.status_by, theme.status_at) == (
        ThemeStatus.SHIPPED,
        None,
        "https://example.com/notes/42",
        "U9",
        NOW,
    )


@pytest.mark.parametrize("link", ["javascript:alert(1)", "ftp://example.com/x", "example.com", "https://"])
def test_a_link_must_be_a_web_address(database: Database, grouped: tuple[int, int], link: str) -> None:
    reports, _ = grouped
    with pytest.raises(InvalidInput) as raised:
        _set(database, reports, ThemeStatus.SHIPPED, link=link)
    assert set(raised.value.fields) == {"link"}
    assert _history(database, reports) == [] and _theme(database, reports).status is ThemeStatus.OPEN


def test_another_workspaces_theme_is_gone(database: Database, grouped: tuple[int, int]) -> None:
    reports, _ = grouped
    with pytest.raises(ThemeNotFound):
        _set(database, reports, ThemeStatus.SHIPPED, team_id="T2")
    assert _history(database, reports) == []


@pytest.mark.parametrize(
    ("source", "target", "kept"),
    [
        (ThemeStatus.SHIPPED, ThemeStatus.PLANNED, ThemeStatus.SHIPPED),
        (ThemeStatus.PLANNED, ThemeStatus.IN_PROGRESS, ThemeStatus.IN_PROGRESS),
        (ThemeStatus.WONT_DO, ThemeStatus.OPEN, ThemeStatus.WONT_DO),
        (ThemeStatus.WONT_DO, ThemeStatus.PLANNED, ThemeStatus.PLANNED),
    ],
)
def test_a_merge_keeps_the_most_advanced_status(
    database: Database,
    grouped: tuple[int, int],
    source: ThemeStatus,
    target: ThemeStatus,
    kept: ThemeStatus,
) -> None:
    reports, logins = grouped
    _set(database, logins, source, note="from the source", link="https://example.com/source")
    _set(database, reports, target)
    with database.transaction() as session:
        merge(session=session, team_id="T1", source_id=logins, target_id=reports, by="U7", now=NOW)
    theme = _theme(database, reports)
    assert theme.status is kept
    history = _history(database, reports)
    if kept is source:
        assert history[-1] == (target, source, "from the source", "https://example.com/source")
        assert theme.status_by == "U7"
    else:
        assert len(history) == 1  # its own change only: nothing moved


def test_the_status_survives_a_full_regroup(
    database: Database, grouped: tuple[int, int], semantic: Embedder
) -> None:
    reports, _ = grouped
    _set(database, reports, ThemeStatus.SHIPPED, note="Reports in seconds")
    with database.transaction() as session:
        rebuild(session=session, team_id="T1", kind=ThemeKind.PAIN, embedder=semantic, now=NOW)
    assert theme_id_of(database, REPORTS[0]) == reports
    theme = _theme(database, reports)
    assert (theme.status, theme.status_note) == (ThemeStatus.SHIPPED, "Reports in seconds")


def test_a_theme_a_regroup_splits_off_goes_on_in_its_status(
    database: Database, grouped: tuple[int, int], semantic: Embedder
) -> None:
    reports, logins = grouped
    # Both groups' lines in one theme (as an early, coarse grouping may leave them): the regroup parts them.
    with database.transaction() as session:
        session.execute(update(Pain).where(Pain.theme_id == logins).values(theme_id=reports))
    _set(database, reports, ThemeStatus.IN_PROGRESS, link="https://example.com/issue/7")
    with database.transaction() as session:
        rebuild(session=session, team_id="T1", kind=ThemeKind.PAIN, embedder=semantic, now=NOW)
    parts = {theme_id_of(database, REPORTS[0]), theme_id_of(database, LOGINS[0])}
    assert reports in parts and len(parts) == 2
    for part in parts:
        assert part is not None
        theme = _theme(database, part)
        assert (theme.status, theme.status_link) == (ThemeStatus.IN_PROGRESS, "https://example.com/issue/7")


def test_a_periods_changes_list_each_theme_once_as_it_ended_up(
    database: Database, grouped: tuple[int, int]
) -> None:
    reports, logins = grouped
    _set(database, reports, ThemeStatus.SHIPPED, at=NOW)
    _set(database, reports, ThemeStatus.IN_PROGRESS, at=NOW + timedelta(hours=1))
    _set(database, reports, ThemeStatus.SHIPPED, at=NOW + timedelta(hours=2))
    _set(database, logins, ThemeStatus.PLANNED, at=NOW)
    _set(database, logins, ThemeStatus.OPEN, at=NOW + timedelta(hours=1))  # back where it was: not listed
    log(database, "Late", ["x"])
    with database.read() as session:
        changes = status_changes(
            session=session, team_id="T1", start=NOW - timedelta(days=1), end=NOW + timedelta(days=1)
        )
        assert [(c.theme_id, c.status, c.accounts) for c in changes] == [(reports, ThemeStatus.SHIPPED, 3)]
        assert status_changes(session=session, team_id="T2", start=NOW, end=NOW + timedelta(days=1)) == []
        later = status_changes(
            session=session, team_id="T1", start=NOW + timedelta(hours=2), end=NOW + timedelta(days=1)
        )
        assert [(c.theme_id, c.status) for c in later] == [(reports, ThemeStatus.SHIPPED)]
