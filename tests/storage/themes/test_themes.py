"""The theme engine over real storage (SQLite and PostgreSQL), with the real semantic model: paraphrases
group, corrections survive a rebuild, odd lines are handled, and workspaces stay apart."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from sqlalchemy import select, update

from bot.capture.interviews import InterviewDraft, log_interview
from bot.themes.corrections import NEW_THEME, merge, move, rename
from bot.themes.embeddings import Embedder, LexicalEmbedder, from_bytes
from bot.themes.grouping import GroupingPolicy, calibrated, normalize
from bot.themes.placement import UpkeepResult, embed_new
from bot.themes.regroup import plan_regroup, rebuild
from bot.themes.store import ThemeNotFound, get_theme, list_themes, theme_lines
from bot.themes.upkeep.job import UpkeepJob
from bot.themes.upkeep.lease import claim_upkeep
from bot.themes.upkeep.work import UpkeepSchedule
from storage.db import Database
from storage.models import CustomerRequest, Pain, Theme, ThemeKind, ThemeUpkeep

NOW = datetime(2026, 11, 23, 15, 30, tzinfo=UTC)
SCHEDULE = UpkeepSchedule(regroup_every=timedelta(hours=1), rebuild_every=timedelta(days=7))

REPORTS = [
    "Reports take forever to build",
    "Building the monthly report eats my whole Friday",
    "It takes hours to put our reporting together every month",
]
LOGINS = [
    "We get logged out all the time and have to sign in again",
    "The session expires constantly, so I keep logging back in",
    "Being kicked out of my account every few minutes is maddening",
]
UNRELATED = [
    "The mobile app crashes when I upload a photo",
    "Your pricing is too expensive for a team of our size",
]


def log(
    db: Database, account: str, pains: list[str], team_id: str = "T1", requests: str | None = None
) -> None:
    draft = InterviewDraft(
        account=account,
        kind="discovery",
        held_on=date(2026, 11, 20),
        pains="\n".join(pains),
        requests=requests,
    )
    with db.transaction() as session:
        log_interview(
            session=session,
            team_id=team_id,
            user_id="U1",
            draft=draft,
            now=NOW,
            tz=ZoneInfo("UTC"),
            thank_you_after=timedelta(hours=24),
            summary_after=timedelta(hours=48),
        )


def upkeep(db: Database, embedder: Embedder, replica: str = "r1") -> UpkeepJob:
    return UpkeepJob(db=db, embedder=embedder, replica=replica, schedule=SCHEDULE)


def themes_of(db: Database, team_id: str = "T1", kind: ThemeKind = ThemeKind.PAIN) -> dict[str, set[str]]:
    """Each theme's name and the texts of its lines."""
    with db.read() as session:
        out: dict[str, set[str]] = {}
        for summary in list_themes(session=session, team_id=team_id, kind=kind):
            lines, _ = theme_lines(
                session=session, team_id=team_id, theme_id=summary.id, kind=kind, limit=500
            )
            out[summary.name] = {line.text for line in lines}
        return out


def theme_id_of(db: Database, text: str, team_id: str = "T1") -> int | None:
    with db.read() as session:
        return session.scalar(select(Pain.theme_id).where(Pain.team_id == team_id, Pain.text == text))


def move_line(db: Database, text: str, to: int | str | None) -> int | None:
    """A person moves a pain (by its text) to a theme, a new theme, or out of any; the theme's id."""
    with db.transaction() as session:
        line_id = session.scalar(select(Pain.id).where(Pain.team_id == "T1", Pain.text == text))
        theme = move(
            session=session, team_id="T1", kind=ThemeKind.PAIN, line_id=line_id, to=to, by="U9", now=NOW
        )
        return theme.id if theme is not None else None


def seed(db: Database) -> None:
    # Each pain comes from another account: a theme is what several customers said.
    for n, pain in enumerate(REPORTS + LOGINS + UNRELATED):
        log(db, f"Customer {n}", [pain])


def test_paraphrased_pains_land_in_one_theme_and_unrelated_ones_do_not(
    database: Database, semantic: Embedder
) -> None:
    seed(database)
    done = upkeep(database, semantic).tick(NOW)
    assert done[("T1", ThemeKind.PAIN)].embedded == len(REPORTS + LOGINS + UNRELATED)

    groups = sorted(themes_of(database).values(), key=len)
    assert groups == [set(REPORTS), set(LOGINS)] or groups == [set(LOGINS), set(REPORTS)]
    for text in UNRELATED:
        assert theme_id_of(database, text) is None  # waits in the pool: nobody else said it
    with database.read() as session:
        summaries = list_themes(session=session, team_id="T1", kind=ThemeKind.PAIN)
        assert all(s.accounts == 3 and s.lines == 3 for s in summaries)
        # A theme is labelled with a few words of its own lines.
        for summary in summaries:
            assert 2 <= len(summary.name.split()) <= 6
            name = summary.name
            assert any(n in line for n in (name, name[:1].lower() + name[1:]) for line in REPORTS + LOGINS)


def test_a_new_paraphrase_joins_its_theme_and_the_theme_keeps_its_id(
    database: Database, semantic: Embedder
) -> None:
    seed(database)
    upkeep(database, semantic).tick(NOW)
    reports = theme_id_of(database, REPORTS[0])

    log(database, "Late Customer", ["Compiling the weekly reports takes me ages"])
    result = upkeep(database, semantic).tick(NOW + timedelta(minutes=1))[("T1", ThemeKind.PAIN)]
    # A small workspace is regrouped in full when new lines came; the theme it continues keeps its id.
    assert (result.rebuilt, result.embedded, result.new_themes) == (True, 1, 0)
    assert theme_id_of(database, "Compiling the weekly reports takes me ages") == reports


def test_requests_are_grouped_apart_from_pains(database: Database, semantic: Embedder) -> None:
    for n, (pain, request) in enumerate(
        zip(REPORTS, ["Export to Excel", "An Excel export", "Let us export to Excel"], strict=True)
    ):
        log(database, f"Customer {n}", [pain], requests=request)
    upkeep(database, semantic).tick(NOW)
    assert list(themes_of(database, kind=ThemeKind.REQUEST).values()) == [
        {"Export to Excel", "An Excel export", "Let us export to Excel"}
    ]
    assert list(themes_of(database).values()) == [set(REPORTS)]


def test_a_merge_a_rename_and_moves_survive_a_rebuild(database: Database, semantic: Embedder) -> None:
    seed(database)
    upkeep(database, semantic).tick(NOW)
    reports, logins = theme_id_of(database, REPORTS[0]), theme_id_of(database, LOGINS[0])
    assert reports and logins and reports != logins
    with database.transaction() as session:
        rename(session=session, team_id="T1", theme_id=reports, name="Reporting is slow", by="U9", now=NOW)
    move_line(database, UNRELATED[0], reports)

    with database.transaction() as session:
        rebuild(session=session, team_id="T1", kind=ThemeKind.PAIN, embedder=semantic, now=NOW)
    assert themes_of(database)["Reporting is slow"] == {*REPORTS, UNRELATED[0]}
    assert theme_id_of(database, REPORTS[0]) == reports  # same theme, same id: trends keep their meaning

    # Merge logins into reports: after a rebuild they are still one theme, under the chosen name.
    with database.transaction() as session:
        merge(session=session, team_id="T1", source_id=logins, target_id=reports, by="U9", now=NOW)
    for _ in range(2):
        with database.transaction() as session:
            rebuild(session=session, team_id="T1", kind=ThemeKind.PAIN, embedder=semantic, now=NOW)
        assert themes_of(database) == {"Reporting is slow": {*REPORTS, *LOGINS, UNRELATED[0]}}
    with database.read() as session:
        # The merged theme's id still leads to where its lines went.
        assert get_theme(session=session, team_id="T1", theme_id=logins).id == reports


def test_a_line_taken_out_or_split_off_stays_where_a_person_put_it(
    database: Database, semantic: Embedder
) -> None:
    seed(database)
    upkeep(database, semantic).tick(NOW)
    move_line(database, REPORTS[2], None)
    split_id = move_line(database, LOGINS[2], NEW_THEME)
    assert split_id is not None
    for _ in range(2):
        with database.transaction() as session:
            rebuild(session=session, team_id="T1", kind=ThemeKind.PAIN, embedder=semantic, now=NOW)
        upkeep(database, semantic).tick(NOW + timedelta(hours=2))
        assert theme_id_of(database, REPORTS[2]) is None
        assert theme_id_of(database, LOGINS[2]) == split_id
        assert set(REPORTS[:2]) in themes_of(database).values()


def test_a_rebuild_planned_ahead_keeps_what_happened_meanwhile(
    database: Database, semantic: Embedder
) -> None:
    # The grouping is worked out in a read transaction, then applied in the write one: a line logged
    # and a line moved in between must come out as if the plan had been made after them.
    seed(database)
    upkeep(database, semantic).tick(NOW)
    reports = theme_id_of(database, REPORTS[0])
    with database.read() as session:
        plan = plan_regroup(session=session, team_id="T1", kind=ThemeKind.PAIN, embedder=semantic)
    assert len(plan.labels) == len(REPORTS + LOGINS + UNRELATED)

    log(database, "Late Customer", ["Compiling the weekly reports takes me ages"])
    move_line(database, LOGINS[0], reports)
    with database.transaction() as session:
        result = rebuild(
            session=session, team_id="T1", kind=ThemeKind.PAIN, embedder=semantic, now=NOW, regrouping=plan
        )
    assert (result.embedded, result.joined) == (1, 1)
    for text in [*REPORTS, LOGINS[0], "Compiling the weekly reports takes me ages"]:
        assert theme_id_of(database, text) == reports
    assert set(LOGINS[1:]) in themes_of(database).values()


def test_a_planned_group_left_with_one_free_line_is_not_a_theme(
    database: Database, semantic: Embedder
) -> None:
    for n, pain in enumerate([*REPORTS[:2], *LOGINS]):
        log(database, f"Customer {n}", [pain])
    upkeep(database, semantic).tick(NOW)
    with database.read() as session:
        plan = plan_regroup(session=session, team_id="T1", kind=ThemeKind.PAIN, embedder=semantic)
    move_line(database, REPORTS[1], None)
    with database.transaction() as session:
        result = rebuild(
            session=session, team_id="T1", kind=ThemeKind.PAIN, embedder=semantic, now=NOW, regrouping=plan
        )
    # One customer's pain alone is not a theme: it waits in the pool, as a fresh rebuild would leave it.
    assert theme_id_of(database, REPORTS[0]) is None
    assert list(themes_of(database).values()) == [set(LOGINS)]
    assert (result.themes, result.pooled) == (1, 1)


@pytest.mark.parametrize(
    "odd",
    [
        "",
        "slow",
        "😡😡😡",
        "🏳️‍🌈 👩‍💻",
        "x" * 5000,
        " ".join(["the export to spreadsheets keeps failing"] * 200),
        "Die Berichte brauchen ewig",
        "تقارير بطيئة جدا",
        "報告書の作成に時間がかかりすぎる",
        "<!channel> & <@U123> *bold* `code`",
    ],
)
def test_odd_lines_are_embedded_and_grouped_without_failing(odd: str, semantic: Embedder) -> None:
    for embedder in (semantic, LexicalEmbedder()):
        vectors = embedder.embed([odd, odd, "Reports take forever to build"])
        assert vectors.shape[0] == 3
        assert abs(float(vectors[0] @ vectors[0]) - 1) < 1e-3 or not odd.strip()
        # The same text always gives the same vector: a repeated line joins its twin.
        assert float(vectors[0] @ vectors[1]) > 0.99 or not odd.strip()


def test_odd_lines_through_the_whole_upkeep(database: Database, semantic: Embedder) -> None:
    odd = [
        "slow",
        "😡😡😡",
        "x" * 3000,
        "Die Berichte brauchen ewig",
        "Die Berichte dauern ewig",
        "報告書が遅い",
    ]
    for n, text in enumerate(odd):
        log(database, f"Customer {n}", [text])
    upkeep(database, semantic).tick(NOW)
    with database.read() as session:
        rows = session.scalars(select(Pain)).all()
        assert all(r.embedded_with == semantic.name for r in rows)
    # The two German paraphrases find each other.
    assert theme_id_of(database, odd[3]) is not None
    assert theme_id_of(database, odd[3]) == theme_id_of(database, odd[4])


def test_a_workspace_never_sees_another_workspaces_themes(database: Database, semantic: Embedder) -> None:
    seed(database)
    for n, pain in enumerate(REPORTS):
        log(database, f"Other {n}", [pain], team_id="T2")
    upkeep(database, semantic).tick(NOW)
    assert themes_of(database, team_id="T2") == {next(iter(themes_of(database, team_id="T2"))): set(REPORTS)}
    other = theme_id_of(database, REPORTS[0], team_id="T2")
    mine = theme_id_of(database, REPORTS[0])
    assert other and mine and other != mine
    with database.read() as session:
        assert all(
            line.account.startswith("Other")
            for line in theme_lines(session=session, team_id="T2", theme_id=other, kind=ThemeKind.PAIN)[0]
        )
    with database.transaction() as session, pytest.raises(ThemeNotFound):
        merge(session=session, team_id="T1", source_id=mine, target_id=other, by="U9", now=NOW)
    with database.transaction() as session, pytest.raises(ThemeNotFound):
        rename(session=session, team_id="T1", theme_id=other, name="Mine now", by="U9", now=NOW)
    with database.read() as session:
        assert session.get(Theme, other).name != "Mine now"


def test_one_replica_at_a_time_keeps_a_workspace(database: Database) -> None:
    log(database, "Acme", ["Reports are slow"])
    with database.transaction() as session:
        assert claim_upkeep(session=session, team_id="T1", kind=ThemeKind.PAIN, replica="r1", now=NOW)
    # Another replica finds the lease held and leaves the workspace alone...
    assert upkeep(database, LexicalEmbedder(), replica="r2").tick(NOW + timedelta(minutes=1)) == {}
    # ...until the lease runs out (the first one died).
    done = upkeep(database, LexicalEmbedder(), replica="r2").tick(NOW + timedelta(minutes=6))
    assert done[("T1", ThemeKind.PAIN)].embedded == 1


def test_switching_method_rebuilds_and_keeps_corrections(database: Database, semantic: Embedder) -> None:
    seed(database)
    # Two accounts ask for the same thing about those reports: a theme of requests, never of pains.
    requests = [
        "Build the monthly report for us automatically",
        "Please build our monthly report automatically",
    ]
    for n, request in enumerate(requests):
        log(database, f"Customer R{n}", [REPORTS[n]], requests=request)
    upkeep(database, LexicalEmbedder()).tick(NOW)
    with database.transaction() as session:
        ids = dict(session.execute(select(Pain.text, Pain.id)).all())
        theme = move(
            session=session,
            team_id="T1",
            kind=ThemeKind.PAIN,
            line_id=ids[UNRELATED[1]],
            to=NEW_THEME,
            by="U9",
            now=NOW,
        )
        assert theme is not None
        rename(session=session, team_id="T1", theme_id=theme.id, name="Price", by="U9", now=NOW)
    done = upkeep(database, semantic).tick(NOW + timedelta(minutes=1))
    assert done[("T1", ThemeKind.PAIN)].rebuilt and done[("T1", ThemeKind.REQUEST)].rebuilt
    with database.read() as session:
        assert {r.embedded_with for r in session.scalars(select(Pain))} == {semantic.name}
        assert sorted(r.text for r in session.scalars(select(CustomerRequest))) == sorted(requests)
        assert {r.embedded_with for r in session.scalars(select(CustomerRequest))} == {semantic.name}
    found = themes_of(database)
    assert found["Price"] == {UNRELATED[1]}
    assert set(REPORTS) in found.values() and set(LOGINS) in found.values()
    assert not any(text in lines for lines in found.values() for text in requests)
    assert list(themes_of(database, kind=ThemeKind.REQUEST).values()) == [set(requests)]


def accounts_per_theme(db: Database) -> dict[int, tuple[int, int]]:
    """Each live theme's kept count of accounts, beside a count of its lines' accounts."""
    with db.read() as session:
        themes = session.scalars(select(Theme).where(Theme.merged_into_id.is_(None))).all()
        return {
            t.id: (
                t.accounts,
                len(set(session.scalars(select(Pain.account_id).where(Pain.theme_id == t.id)))),
            )
            for t in themes
        }


def test_a_themes_count_of_accounts_keeps_up_as_lines_join_and_move(
    database: Database, semantic: Embedder
) -> None:
    """The digest reads `Theme.accounts` instead of counting: it must match through the live path
    (lines joining one by one), a person's move, and a rebuild."""
    embedder = semantic
    log(database, "Acme", REPORTS[:2])
    log(database, "Globex", [REPORTS[2]])
    upkeep(database, embedder).tick(now=NOW)
    # The same account again adds a line, not an account; a new account adds one.
    log(database, "acme inc", ["Reports take forever to build every month"])
    log(database, "Initech", ["Building the monthly reports takes forever"])
    upkeep(database, embedder).tick(now=NOW + timedelta(minutes=1))
    counts = accounts_per_theme(database)
    assert counts and all(kept == actual for kept, actual in counts.values()), counts
    assert max(kept for kept, _ in counts.values()) == 3
    with database.transaction() as session:
        line = session.scalars(
            select(Pain).where(Pain.text == "Building the monthly reports takes forever")
        ).one()
        move(session=session, team_id="T1", kind=ThemeKind.PAIN, line_id=line.id, to=None, by="U9", now=NOW)
    counts = accounts_per_theme(database)
    assert all(kept == actual for kept, actual in counts.values()), counts
    assert max(kept for kept, _ in counts.values()) == 2
    with database.transaction() as session:
        rebuild(session=session, team_id="T1", kind=ThemeKind.PAIN, embedder=embedder, now=NOW)
    counts = accounts_per_theme(database)
    assert all(kept == actual for kept, actual in counts.values()), counts


class Following(LexicalEmbedder):
    """Words, with a cut that follows the lines (as the sentence models' does), kept far apart so any
    workspace's cut is told from the default."""

    policy = replace(LexicalEmbedder.policy, group_at=0.5, sparse_cut=0.1, sparse_at=0.0, dense_at=1.0)


def cuts_seen(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    import bot.themes.grouping

    seen: list[float] = []
    real = bot.themes.grouping.group

    def spy(vectors: np.ndarray, policy: GroupingPolicy) -> np.ndarray:
        seen.append(calibrated(policy, vectors).group_at)
        return real(vectors, policy)

    monkeypatch.setattr(bot.themes.grouping, "group", spy)
    return seen


def test_a_full_regroup_keeps_its_cut_and_the_partial_ones_cut_there(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed(database)
    embedder = Following()
    seen = cuts_seen(monkeypatch)
    with database.transaction() as session:
        rebuild(session=session, team_id="T1", kind=ThemeKind.PAIN, embedder=embedder, now=NOW)
    with database.read() as session:
        upkeep_row = session.scalar(select(ThemeUpkeep).where(ThemeUpkeep.team_id == "T1"))
        vectors = normalize(np.vstack([from_bytes(p.embedding) for p in session.scalars(select(Pain))]))
    # The full regroup cut where the workspace's lines say, and kept it.
    assert seen == [calibrated(embedder.policy, vectors).group_at]
    assert upkeep_row.group_at == seen[0] and 0.1 < seen[0] < 0.5

    # A partial regroup of a few lines cuts where the full one did, not where those few lines say.
    # Six near repeats: alone, these lines are far closer than the workspace's.
    log(database, "Late", [f"Our invoices arrive late every month, {n} weeks late" for n in range(2, 8)])
    with database.transaction() as session:
        embed_new(session=session, team_id="T1", kind=ThemeKind.PAIN, embedder=embedder)
    calls = len(seen)
    with database.read() as session:
        partial = plan_regroup(
            session=session, team_id="T1", kind=ThemeKind.PAIN, embedder=embedder, themes=[]
        )
    assert len(seen) == calls + 1 and seen[-1] == seen[0] == partial.group_at

    # Another embedder's cut is not this one's: a partial plan then cuts where its own lines say.
    with database.transaction() as session:
        session.execute(update(ThemeUpkeep).values(embedded_with="another-model"))
    with database.read() as session:
        plan = plan_regroup(session=session, team_id="T1", kind=ThemeKind.PAIN, embedder=embedder, themes=[])
    assert len(seen) == calls + 2 and seen[-1] == plan.group_at != seen[0]


def test_switching_model_regroups_once_and_keeps_theme_ids_names_and_moves(
    database: Database, semantic: Embedder, mpnet: Embedder
) -> None:
    seed(database)
    upkeep(database, semantic).tick(NOW)
    reports, logins = theme_id_of(database, REPORTS[0]), theme_id_of(database, LOGINS[0])
    with database.transaction() as session:
        rename(session=session, team_id="T1", theme_id=reports, name="Slow reporting", by="U9", now=NOW)
    moved = move_line(database, UNRELATED[0], logins)  # a person put the photo crash with the logins
    done = upkeep(database, mpnet).tick(NOW + timedelta(minutes=1))
    assert done[("T1", ThemeKind.PAIN)].rebuilt  # one full regroup in the new model's space
    with database.read() as session:
        assert {p.embedded_with for p in session.scalars(select(Pain))} == {mpnet.name}
    # The same themes, by id: what people did is kept.
    assert {theme_id_of(database, t) for t in REPORTS} == {reports}
    assert {theme_id_of(database, t) for t in LOGINS} == {logins} == {moved}
    assert theme_id_of(database, UNRELATED[0]) == logins
    assert "Slow reporting" in themes_of(database)
    again = upkeep(database, mpnet).tick(NOW + timedelta(minutes=2))
    assert not again.get(("T1", ThemeKind.PAIN), UpkeepResult()).rebuilt  # once, not at every tick
