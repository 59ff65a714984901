"""Theme labels over real storage (SQLite and PostgreSQL): short, drawn from the theme's own lines, kept
in step with its members, and never over a name a person gave."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.themes.corrections import merge, move, rename
from bot.themes.embeddings import Embedder, LexicalEmbedder
from bot.themes.labels import label_themes
from bot.themes.regroup import rebuild
from bot.themes.relabel import labels_due, read_work, relabel, save_labels
from bot.themes.upkeep.work import upkeep_due
from storage.db import Database
from storage.models import Pain, Theme, ThemeKind
from tests.storage.themes.test_themes import (
    LOGINS,
    NOW,
    REPORTS,
    SCHEDULE,
    log,
    seed,
    theme_id_of,
    themes_of,
    upkeep,
)


def collapsed(text: str) -> str:
    return " ".join(text.split())


def said_in(label: str, line: str) -> bool:
    """Whether the label is words of the line as typed (its first letter set up to head a list aside)."""
    return any(collapsed(form) in collapsed(line) for form in (label, label[:1].lower() + label[1:]))


def assert_labelled_from_own_lines(themes: dict[str, set[str]]) -> None:
    for name, lines in themes.items():
        assert 2 <= len(name.split()) <= 6, name
        assert any(said_in(name, line) for line in lines), (name, lines)


def test_each_theme_is_labelled_with_two_to_six_words_of_its_own_lines(
    database: Database, semantic: Embedder
) -> None:
    seed(database)
    result = upkeep(database, semantic).tick(NOW)[("T1", ThemeKind.PAIN)]
    assert result.labelled == 2
    themes = themes_of(database)
    assert sorted(map(len, themes.values())) == [3, 3]
    assert_labelled_from_own_lines(themes)
    with database.read() as session:
        assert all(t.labelled_at == t.updated_at for t in session.scalars(select(Theme)))
        assert labels_due(session=session) == set()


def test_the_lexical_method_labels_by_counts_alone(database: Database) -> None:
    for n, pain in enumerate(["Excel export fails", "The Excel export is broken", "Excel export hangs"]):
        log(database, f"Customer {n}", [pain])
    upkeep(database, LexicalEmbedder()).tick(NOW)
    # The words all three lines say, as a noun phrase or with one line's complaint ("Excel export fails").
    (label,) = themes_of(database)
    assert label.startswith("Excel export") and len(label.split()) <= 3


def test_a_name_a_person_gave_is_never_relabelled(database: Database, semantic: Embedder) -> None:
    seed(database)
    upkeep(database, semantic).tick(NOW)
    reports = theme_id_of(database, REPORTS[0])
    assert reports is not None
    with database.transaction() as session:
        rename(session=session, team_id="T1", theme_id=reports, name="slow reports", by="U9", now=NOW)
    log(database, "Late Customer", ["Compiling the weekly reports takes me ages"])
    upkeep(database, semantic).tick(NOW + timedelta(minutes=1))
    assert theme_id_of(database, "Compiling the weekly reports takes me ages") == reports
    with database.transaction() as session:
        later = NOW + timedelta(minutes=2)
        rebuild(session=session, team_id="T1", kind=ThemeKind.PAIN, embedder=semantic, now=later)
    # A regroup that moved no line labels nothing again (labels must not flip at every tick).
    assert relabel(database, semantic, team_id="T1", kind=ThemeKind.PAIN) == 0
    assert "slow reports" in themes_of(database)


def test_a_persons_merge_has_the_theme_labelled_again_on_the_next_pass(
    database: Database, semantic: Embedder
) -> None:
    seed(database)
    upkeep(database, semantic).tick(NOW)
    reports, logins = theme_id_of(database, REPORTS[0]), theme_id_of(database, LOGINS[0])
    assert reports and logins
    later = NOW + timedelta(minutes=1)
    with database.transaction() as session:
        merge(session=session, team_id="T1", source_id=logins, target_id=reports, by="U9", now=later)
    with database.read() as session:
        # The merged theme keeps its label until the upkeep job, which has the embedder, labels it again.
        assert labels_due(session=session) == {("T1", ThemeKind.PAIN)}
        assert ("T1", ThemeKind.PAIN) in upkeep_due(
            session=session, now=later, method=semantic.name, schedule=SCHEDULE
        )
    result = upkeep(database, semantic).tick(later)[("T1", ThemeKind.PAIN)]
    assert result.labelled == 1
    assert_labelled_from_own_lines(themes_of(database))


def test_a_theme_is_labelled_again_once_its_size_moved_by_a_tenth(database: Database) -> None:
    with database.transaction() as session:
        theme = Theme(team_id="T1", kind=ThemeKind.PAIN, name="exports fail", size=20, created_at=NOW)
        theme.updated_at = theme.labelled_at = NOW
        theme.labelled_size = 20
        session.add(theme)
    for size, labelled, due in [
        (21, 20, False),
        (19, 20, False),
        (22, 20, True),
        (18, 20, True),
        (0, 0, False),
    ]:
        with database.transaction() as session:
            theme = session.scalar(select(Theme))
            theme.size, theme.labelled_size = size, labelled
        with database.read() as session:
            assert labels_due(session=session) == ({("T1", ThemeKind.PAIN)} if due else set()), size


def test_a_label_worked_out_before_a_change_is_not_stored(database: Database, semantic: Embedder) -> None:
    seed(database)
    upkeep(database, semantic).tick(NOW)
    reports = theme_id_of(database, REPORTS[0])
    assert reports is not None
    with database.transaction() as session:
        session.get(Theme, reports).labelled_at = None  # as if never labelled
    with database.read() as session:
        work = read_work(session=session, team_id="T1", kind=ThemeKind.PAIN, method=semantic.name)
    assert [t.id for t in work.themes] == [reports]
    labels = label_themes(themes=work.themes, background=work.background, embedder=semantic)
    with database.transaction() as session:  # a person takes a line out meanwhile
        line = session.scalar(select(Pain).where(Pain.text == REPORTS[2]))
        move(
            session=session,
            team_id="T1",
            kind=ThemeKind.PAIN,
            line_id=line.id,
            to=None,
            by="U9",
            now=NOW + timedelta(minutes=1),
        )
    saved = database.run(
        lambda s: save_labels(session=s, team_id="T1", labels=labels, versions=work.versions)
    )
    assert saved == 0
    with database.read() as session:
        assert labels_due(session=session) == {("T1", ThemeKind.PAIN)}


def test_labels_never_come_from_another_workspace(database: Database, semantic: Embedder) -> None:
    seed(database)
    for n, pain in enumerate(["Invoices arrive late", "Late invoices every month", "The invoices come late"]):
        log(database, f"Other {n}", [pain], team_id="T2")
    upkeep(database, semantic).tick(NOW)
    assert_labelled_from_own_lines(themes_of(database))
    assert_labelled_from_own_lines(themes_of(database, team_id="T2"))
    assert all("invoice" not in name.lower() for name in themes_of(database))
