"""The live grouping tracks a full regroup: a small workspace is regrouped in full whenever new lines
came; a large one has its pool regrouped with its young and small themes, and in full once a share of
new lines came. Theme ids and people's corrections are kept either way."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from sqlalchemy import select, update

from bot.themes.corrections import rename
from bot.themes.embeddings import Embedder
from bot.themes.upkeep.job import UpkeepJob
from bot.themes.upkeep.work import UpkeepSchedule
from storage.db import Database
from storage.models import Pain, ThemeKind, ThemeUpkeep
from tests.storage.themes.test_themes import (
    LOGINS,
    NOW,
    REPORTS,
    SCHEDULE,
    UNRELATED,
    log,
    theme_id_of,
    themes_of,
)

# Five accounts' slow reports: a theme too large to be "small", so a large workspace leaves it standing.
MORE_REPORTS = [
    *REPORTS,
    "Our monthly reporting is painfully slow to produce",
    "Creating reports takes far too long",
]
EXPORTS = ["Exporting to CSV fails every time", "The CSV export keeps breaking"]
LARGE = replace(SCHEDULE, full_regroup_below=0)  # every workspace takes the large one's path


def seeded(db: Database, embedder: Embedder, schedule: UpkeepSchedule = SCHEDULE) -> UpkeepJob:
    for n, pain in enumerate(MORE_REPORTS + LOGINS + UNRELATED):
        log(db, f"Customer {n}", [pain])
    upkeep = UpkeepJob(db=db, embedder=embedder, replica="r1", schedule=schedule)
    assert upkeep.tick(NOW)[("T1", ThemeKind.PAIN)].rebuilt  # seen for the first time: in full
    return upkeep


def drift(db: Database) -> tuple[int, int]:
    """Lines the live path put where a full regroup would not (as placement drifts): the pricing pain
    in the reports theme, the mobile crash in the logins theme. Returns both themes' ids."""
    reports, logins = theme_id_of(db, REPORTS[0]), theme_id_of(db, LOGINS[0])
    assert reports and logins and reports != logins
    with db.transaction() as session:
        for text, theme_id in [(UNRELATED[1], reports), (UNRELATED[0], logins)]:
            session.execute(update(Pain).where(Pain.text == text).values(theme_id=theme_id))
    return reports, logins


def test_a_small_workspace_is_regrouped_in_full_when_new_lines_came(
    database: Database, semantic: Embedder
) -> None:
    # A share of new lines never reached: only the workspace's size makes this regroup a full one.
    upkeep = seeded(database, semantic, replace(SCHEDULE, full_regroup_share=10.0))
    reports, logins = drift(database)
    with database.transaction() as session:
        rename(session=session, team_id="T1", theme_id=reports, name="Reporting is slow", by="U9", now=NOW)
    for n, pain in enumerate(EXPORTS):
        log(database, f"Exporter {n}", [pain])
    result = upkeep.tick(NOW + timedelta(minutes=1))[("T1", ThemeKind.PAIN)]
    assert result.rebuilt and result.embedded == len(EXPORTS)
    found = themes_of(database)
    # The drift is undone, the new pair is a theme at once, and the renamed theme keeps name and id.
    assert found["Reporting is slow"] == set(MORE_REPORTS)
    assert theme_id_of(database, REPORTS[0]) == reports and theme_id_of(database, LOGINS[0]) == logins
    assert set(LOGINS) in found.values() and set(EXPORTS) in found.values()
    assert all(theme_id_of(database, text) is None for text in UNRELATED)
    # Nothing new came: the next tick leaves the workspace alone.
    assert upkeep.tick(NOW + timedelta(minutes=2)) == {}


def test_a_large_workspace_regroups_its_pool_with_young_and_small_themes_only(
    database: Database, semantic: Embedder
) -> None:
    upkeep = seeded(database, semantic, replace(LARGE, full_regroup_share=10.0))  # never in full by share
    reports, logins = drift(database)
    for n, pain in enumerate(EXPORTS):
        log(database, f"Exporter {n}", [pain])
    result = upkeep.tick(NOW + timedelta(hours=2))[("T1", ThemeKind.PAIN)]
    assert not result.rebuilt and result.embedded == len(EXPORTS) and result.new_themes == 1
    found = themes_of(database)
    # The standing theme (five lines, older than the last full regroup) is left as it was, drift and
    # all; the small one is regrouped with the pool: its stray line goes back to the pool, its id stays.
    assert theme_id_of(database, UNRELATED[1]) == reports
    assert theme_id_of(database, LOGINS[0]) == logins and set(LOGINS) in found.values()
    assert theme_id_of(database, UNRELATED[0]) is None
    assert set(EXPORTS) in found.values()


def test_a_large_workspace_is_regrouped_in_full_once_a_tenth_more_lines_came(
    database: Database, semantic: Embedder
) -> None:
    upkeep = seeded(database, semantic, LARGE)
    with database.read() as session:
        assert session.scalar(select(ThemeUpkeep.rebuilt_lines)) == 10
    reports, _ = drift(database)
    log(database, "Exporter 0", [EXPORTS[0]])  # one line more: a tenth, not more
    assert not upkeep.tick(NOW + timedelta(minutes=1))[("T1", ThemeKind.PAIN)].rebuilt
    assert theme_id_of(database, UNRELATED[1]) == reports
    log(database, "Exporter 1", [EXPORTS[1]])  # two: more than a tenth of the ten regrouped last time
    assert upkeep.tick(NOW + timedelta(minutes=2))[("T1", ThemeKind.PAIN)].rebuilt
    assert theme_id_of(database, UNRELATED[1]) is None and theme_id_of(database, REPORTS[0]) == reports
    assert set(EXPORTS) in themes_of(database).values()
    with database.read() as session:
        assert session.scalar(select(ThemeUpkeep.rebuilt_lines)) == 12


def test_a_regroup_labels_again_only_the_themes_whose_lines_changed(
    database: Database, semantic: Embedder
) -> None:
    upkeep = seeded(database, semantic)
    logins = theme_id_of(database, LOGINS[0])
    with database.transaction() as session:
        session.execute(update(Pain).where(Pain.text == UNRELATED[0]).values(theme_id=logins))
    for n, pain in enumerate(EXPORTS):
        log(database, f"Exporter {n}", [pain])
    # The logins lost a line of four, the exports are new; the reports, untouched, keep their label:
    # regrouped at every tick, labels must not be worked out again (and flip) when nothing moved.
    assert upkeep.tick(NOW + timedelta(minutes=1))[("T1", ThemeKind.PAIN)].labelled == 2


def test_the_digests_catch_up_and_the_tick_never_keep_a_workspace_at_once(
    database: Database, semantic: Embedder
) -> None:
    # Both run in this process under one replica's name, which the lease cannot tell apart.
    upkeep = seeded(database, semantic)
    log(database, "Exporter 0", [EXPORTS[0]])
    lock = upkeep._lock("T1", ThemeKind.PAIN)
    with lock:  # the other thread is keeping the workspace now
        assert upkeep.tick(NOW + timedelta(minutes=1)) == {}
        assert upkeep.catch_up(team_id="T1", now=NOW + timedelta(minutes=1), wait=0) is False
    assert upkeep.catch_up(team_id="T1", now=NOW + timedelta(minutes=1), wait=0) is True
    assert theme_id_of(database, EXPORTS[0]) is None  # placed: it waits in the pool, alone
    with database.read() as session:
        assert session.scalar(select(Pain.embedded_with).where(Pain.text == EXPORTS[0])) == semantic.name
    # Nothing new came since: a no-op.
    with database.read() as session:
        before = (
            session.scalar(select(ThemeUpkeep.lease_until)),
            session.scalar(select(ThemeUpkeep.rebuilt_at)),
        )
    assert upkeep.catch_up(team_id="T1", now=NOW + timedelta(minutes=2), wait=0) is True
    with database.read() as session:
        assert (
            session.scalar(select(ThemeUpkeep.lease_until)),
            session.scalar(select(ThemeUpkeep.rebuilt_at)),
        ) == before
