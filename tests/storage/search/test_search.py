"""The search on SQLite and PostgreSQL: ranked best first (ties: the newest call), phrases, account:,
never another workspace's interviews, and an index that follows every edit and delete."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select, text

from bot.capture.interviews import InterviewDraft, log_interview, write_summary
from bot.search.query import MARK_END, MARK_START, parse_query
from bot.search.service import PAGE_SIZE, SearchPage, search_interviews
from storage.db import Database
from storage.models import FollowUp, FollowUpKind, Interview, Pain, Quote

NOW = datetime(2026, 11, 23, 15, 30, tzinfo=UTC)
UTC_TZ = ZoneInfo("UTC")


def log(
    db: Database,
    *,
    team_id: str = "T1",
    account: str = "Acme",
    held_on: date = date(2026, 11, 20),
    **texts: str,
) -> int:
    fields: dict[str, object] = {
        "account": account,
        "kind": "discovery",
        "held_on": held_on,
        "pains": "Something",
    }
    fields.update(texts)
    with db.transaction() as session:
        logged = log_interview(
            session=session,
            team_id=team_id,
            user_id="U1",
            draft=InterviewDraft(**fields),  # type: ignore[arg-type]
            now=NOW,
            tz=UTC_TZ,
            thank_you_after=timedelta(hours=24),
            summary_after=timedelta(hours=48),
        )
        return logged.interview.id


def search(db: Database, typed: str, *, team_id: str = "T1", page: int = 0) -> SearchPage:
    with db.read() as session:
        return search_interviews(session=session, team_id=team_id, query=parse_query(typed), page=page)


def ids(db: Database, typed: str, **kwargs: object) -> list[int]:
    return [f.interview_id for f in search(db, typed, **kwargs).found]  # type: ignore[arg-type]


def test_a_word_from_a_quote_is_found_and_marked_and_never_another_workspaces(database: Database) -> None:
    mine = log(database, quotes="We export invoices by hand every Friday")
    log(database, team_id="T2", quotes="We export invoices by hand too")
    log(database, pains="Nothing about that")
    result = search(database, "invoices")
    assert [f.interview_id for f in result.found] == [mine]
    ((field, excerpt),) = result.found[0].excerpts
    assert field == "quotes"
    assert f"{MARK_START}invoices{MARK_END}" in excerpt
    assert result.found[0].account == "Acme" and result.found[0].logged_by == "U1"
    assert ids(database, "invoices", team_id="T3") == []


def test_stemming_finds_other_forms_of_a_word(database: Database) -> None:
    found = log(database, pains="Billing is confusing")
    for form in ("billed", "bill", "bills", "Billing"):
        assert ids(database, form) == [found], form


def test_a_workspace_whose_newest_matches_are_anothers_still_gets_its_first_page(database: Database) -> None:
    # Another workspace logged more of the same words since, on later days: only a search scoped to this
    # workspace before it ranks and cuts a page finds this workspace's interviews on page one.
    mine = [
        log(database, held_on=date(2026, 11, 1) + timedelta(days=n), pains="Sync fails") for n in range(3)
    ]
    for _ in range(2 * PAGE_SIZE):
        log(database, team_id="T2", held_on=date(2026, 11, 20), pains="Sync fails")
    first = search(database, "sync")
    assert [f.interview_id for f in first.found] == mine[::-1], "another workspace's matches took the page"
    assert not first.has_next


def test_best_first_and_ties_newest_first(database: Database) -> None:
    once = log(database, notes="onboarding took long, then other things happened at length in the call")
    often = log(database, pains="Onboarding is slow\nOnboarding docs are missing\nOnboarding calls run late")
    # Logged in the other order than held: the call's date decides, not when it was logged.
    newer = log(database, held_on=date(2026, 11, 18), pains="Calendar sync fails")
    older = log(database, held_on=date(2026, 11, 1), pains="Calendar sync fails")
    assert ids(database, "onboarding") == [often, once]
    assert ids(database, "calendar sync") == [newer, older]


def test_every_word_must_match_and_a_phrase_must_come_together(database: Database) -> None:
    together = log(database, pains="The export button is hidden")
    apart = log(database, pains="The button to share works; export is missing")
    assert set(ids(database, "export button")) == {together, apart}
    assert ids(database, '"export button"') == [together]
    assert ids(database, "“export button”") == [together]
    assert ids(database, "export nowhere") == []


def test_account_narrows_the_search(database: Database) -> None:
    acme = log(database, account="Acme", pains="Slow reports")
    globex = log(database, account="Globex", pains="Slow reports")
    assert set(ids(database, "slow")) == {acme, globex}
    assert ids(database, "slow account:globex") == [globex]
    assert ids(database, 'slow account:"ACME Inc."') == [acme]
    assert ids(database, "account:Globex") == [globex]  # an account alone: its interviews, newest first
    unknown = search(database, "slow account:Initech")
    assert unknown.found == [] and unknown.unknown_accounts == ("Initech",)


def test_every_searched_field_is_found(database: Database) -> None:
    fields = {
        "pains": "alpha",
        "requests": "bravo",
        "quotes": "charlie",
        "interpretation": "delta",
        "closing_answer": "echo",
        "notes": "foxtrot",
    }
    found = log(database, **{k: f"the word {v} is here" for k, v in fields.items()})
    for field, word in fields.items():
        result = search(database, word)
        assert [f.interview_id for f in result.found] == [found], field
        assert [f for f, _ in result.found[0].excerpts] == [field]


def test_ten_a_page_and_whether_there_is_a_next(database: Database) -> None:
    logged = [
        log(database, held_on=date(2026, 11, 1) + timedelta(days=n), pains="Sync fails") for n in range(23)
    ]
    newest_first = list(reversed(logged))
    pages = [search(database, "sync", page=p) for p in range(3)]
    assert [len(p.found) for p in pages] == [PAGE_SIZE, PAGE_SIZE, 3]
    assert [p.has_next for p in pages] == [True, True, False]
    assert [f.interview_id for p in pages for f in p.found] == newest_first


def test_the_index_follows_edits_and_deletes(database: Database) -> None:
    kept = log(database, pains="Slow reports", quotes="Dashboards time out")
    gone = log(database, pains="Slow reports")
    with database.transaction() as session:
        session.execute(delete(Interview).where(Interview.id == gone))
    assert ids(database, "reports") == [kept]
    with database.transaction() as session:
        pain = session.scalars(select(Pain).where(Pain.interview_id == kept)).one()
        pain.text = "Exports are slow"
    assert ids(database, "reports") == [] and ids(database, "exports") == [kept]
    assert ids(database, "dashboards") == [kept]
    with database.transaction() as session:
        session.execute(delete(Quote).where(Quote.interview_id == kept))
    assert ids(database, "dashboards") == []
    with database.transaction() as session:
        interview = session.get(Interview, kept)
        assert interview is not None
        interview.notes = "Renewal at risk"
    assert ids(database, "renewal") == [kept]
    # The summary written later, through its reminder, is found too.
    with database.transaction() as session:
        summary = session.scalars(
            select(FollowUp).where(FollowUp.interview_id == kept, FollowUp.kind == FollowUpKind.SUMMARY)
        ).first()
        if summary is not None:
            write_summary(
                session=session,
                team_id="T1",
                user_id="U1",
                follow_up_id=summary.id,
                summary="Churn risk",
                now=NOW,
            )
        else:
            session.get(Interview, kept).interpretation = "Churn risk"  # type: ignore[union-attr]
    assert ids(database, "churn") == [kept]
    # A whole interview deleted through the ORM (its lines first) leaves nothing behind.
    with database.transaction() as session:
        session.delete(session.get(Interview, kept))
    assert ids(database, "exports") == [] and ids(database, "renewal") == []


def test_typed_search_syntax_is_only_words(database: Database) -> None:
    found = log(database, pains='Near the "export" (csv) - broken: NOT working* OR AND')
    for typed in [
        "NEAR(export csv)",
        '"',
        "export*",
        "-broken",
        "pains:broken",
        "(csv)",
        "NOT",
        "OR AND",
        '"""',
        "*",
    ]:
        search(database, typed)  # never a syntax error
    assert ids(database, "broken:") == [found]
    assert ids(database, "(csv)") == [found]


SYNTAX = st.sampled_from(
    ['"', "“", "*", "NEAR", "NEAR(", "-", ":", "(", ")", "AND", "OR", "NOT", "^", "{", "}"]
)
TYPED = st.lists(
    SYNTAX | st.text(max_size=10) | st.sampled_from(["account:", "scope:", "pains:", "T2"]), max_size=8
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(typed=TYPED.map(" ".join))
def test_whatever_is_typed_the_search_answers_and_stays_in_its_workspace(
    database: Database, typed: str
) -> None:
    if not ids(database, "seeded"):
        log(database, pains="seeded: near the export (csv) - broken")
        log(database, team_id="T2", pains="seeded: near the export (csv) - broken")
    with database.read() as session:
        ours = set(session.scalars(select(Interview.id).where(Interview.team_id == "T1")))
    assert {f.interview_id for f in search(database, typed).found} <= ours
    assert search(database, typed, team_id="T3").found == []


def test_postgres_finds_the_same_whichever_way_it_reads_and_leaves_the_planner_as_it_was(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    if database.engine.dialect.name != "postgresql":
        pytest.skip("the two ways of reading are PostgreSQL's")
    from bot.search import service

    monkeypatch.setattr(service, "CANDIDATES", 7)  # the newest 7 matches are ranked: the cap matters
    for n in range(40):
        log(
            database,
            account=f"Account {n % 3}",
            held_on=date(2026, 1, 1) + timedelta(days=n),
            pains=["Exports time out", "Card payments fail", "Exports fail on cards"][n % 3]
            + (" every Monday" if n % 4 == 0 else ""),
        )
    typed = ["exports", "cards", "monday", '"exports time"', '"time out" account:"Account 0"', "card fail"]

    def pages(fetch_over_walk: float) -> list[list[int]]:
        monkeypatch.setattr(service, "FETCH_OVER_WALK", fetch_over_walk)
        return [ids(database, t) + ids(database, t, page=1) for t in typed]

    walked, fetched, chosen = pages(1e12), pages(0), pages(5)
    assert walked == fetched == chosen and all(walked)
    with database.read() as session:
        search_interviews(session=session, team_id="T1", query=parse_query("exports"))
        forced = ("enable_indexscan", "enable_bitmapscan", "plan_cache_mode")
        shown = [session.execute(text(f"SHOW {s}")).scalar() for s in forced]
    assert shown == ["on", "on", "auto"]  # nothing else read in the transaction is forced one way


def test_postgres_never_finds_a_phrase_across_two_fields_whichever_way_it_reads(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    if database.engine.dialect.name != "postgresql":
        pytest.skip("the two ways of reading are PostgreSQL's")
    from bot.search import service

    for n in range(12):  # "fail" ends one field, "Monday" starts the next
        log(database, held_on=date(2026, 1, 1) + timedelta(days=n), pains="Payments fail", requests="Monday")
    within = log(database, held_on=date(2026, 2, 1), pains="Payments fail Monday mornings")
    for fetch_over_walk in (1e12, 0, 5):  # always walk, always fetch, as chosen
        monkeypatch.setattr(service, "FETCH_OVER_WALK", fetch_over_walk)
        assert ids(database, '"fail monday"') == [within]


def test_two_adjacent_words_too_long_to_pair_still_save_and_are_found(database: Database) -> None:
    # A pasted token beside another: each word is under PostgreSQL's 2,047 bytes a lexeme, their pair is
    # not. The pair is left out; the interview saves, and its words are found.
    first, second = "ab" * 600, "cd" * 500
    interview_id = log(database, pains=f"Our token expired: {first} {second}")
    assert ids(database, "token") == [interview_id]
    assert ids(database, '"token expired"') == [interview_id]  # the line's other pairs are kept


def test_postgres_indexes_each_fields_adjacent_word_pairs_for_phrases(database: Database) -> None:
    if database.engine.dialect.name != "postgresql":
        pytest.skip("FTS5 keeps word positions in its index; PostgreSQL's GIN needs the pairs")
    interview_id = log(database, pains="The export button is hidden", requests="Dark mode")
    with database.read() as session:
        pairs = session.execute(
            text("SELECT tsvector_to_array(pairs) FROM interview_search WHERE interview_id = :i"),
            {"i": interview_id},
        ).scalar_one()
    # Common words are left out ("is"); no pair runs from one field into the next ("hidden_dark").
    assert sorted(pairs) == ["dark_mode", "export_button"]
    assert ids(database, '"export button"') == [interview_id]
    assert ids(database, '"hidden dark"') == []
