"""Reading a search as typed, and the FTS5 expression made of it: nothing typed is ever FTS5 syntax."""

from __future__ import annotations

import sqlite3

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.search.query import (
    MARK_END,
    MARK_START,
    QUERY_MAX,
    SearchQuery,
    describe,
    fts5_match,
    parse_query,
)


def test_words_phrases_and_accounts() -> None:
    q = parse_query('slow reports "export button" account:Acme account:"ACME Inc." “curly quoted”')
    assert q.words == ("slow", "reports")
    assert q.phrases == ("export button", "curly quoted")
    assert q.accounts == ("Acme", "ACME Inc.")


def test_a_study_narrows_like_an_account_its_name_in_quotes_when_it_has_spaces() -> None:
    q = parse_query('slow study:"CRM  sync" Study:older STUDY:“Older phones” account:Acme study:older')
    assert q.words == ("slow",) and q.phrases == () and q.accounts == ("Acme",)
    # Spaces inside a name are kept as one; the same name twice is asked once; any case of `study:`.
    assert q.studies == ("CRM sync", "older", "Older phones")
    assert parse_query('study:"CRM sync').studies == ("CRM sync",)  # an unclosed quote: to the end


def test_a_study_alone_is_a_search_and_an_empty_one_is_nothing() -> None:
    assert parse_query("study:Onboarding") == SearchQuery(studies=("Onboarding",))
    assert not parse_query("study:Onboarding").empty
    assert parse_query('study: study:"" study:-').empty
    # Not a filter inside a word: "casestudy:x" is searched as it is.
    assert parse_query("casestudy:x") == SearchQuery(words=("casestudy:x",))


def test_a_study_is_described_as_it_would_be_typed_again() -> None:
    typed = 'invoices study:"CRM sync" study:Pricing'
    assert describe(parse_query(typed)) == typed
    assert parse_query(describe(parse_query(typed))) == parse_query(typed)


def test_an_unclosed_quote_is_a_phrase_to_the_end() -> None:
    assert parse_query('billing "two words').phrases == ("two words",)


def test_punctuation_alone_and_empty_accounts_are_dropped() -> None:
    q = parse_query('- * ( ) "" account: :')
    assert q == SearchQuery() and q.empty


def test_a_quoted_single_word_is_a_word() -> None:
    assert parse_query('"billing"') == SearchQuery(words=("billing",))


def test_the_marks_can_never_be_typed() -> None:
    q = parse_query(f"{MARK_START}bold{MARK_END} x{MARK_START}")
    assert all(MARK_START not in t and MARK_END not in t for t in q.terms)


def test_every_term_is_quoted_and_inner_quotes_doubled() -> None:
    assert fts5_match(SearchQuery(words=("NEAR", 'a"b', "x*"), phrases=("one two",))) == (
        '"NEAR" "a""b" "x*" "one two"'
    )


def test_a_long_search_is_cut() -> None:
    assert sum(len(t) for t in parse_query("word " * 1000).terms) <= QUERY_MAX


@pytest.fixture(scope="module")
def fts() -> sqlite3.Connection:
    conn = sqlite3.connect(":memory:")
    conn.execute(
        "CREATE VIRTUAL TABLE t USING fts5(team_id UNINDEXED, body,"
        " tokenize = 'porter unicode61 remove_diacritics 2')"
    )
    conn.execute(
        "INSERT INTO t (team_id, body) VALUES ('T1', 'near the export; a \"quoted\" (thing) - or not')"
    )
    return conn


SYNTAX = st.sampled_from(
    [
        '"',
        "*",
        "NEAR",
        "NEAR(",
        "-",
        ":",
        "(",
        ")",
        "AND",
        "OR",
        "NOT",
        "^",
        "+",
        "{",
        "}",
        "body:",
        "account:",
        "study:",
        "“",
        "”",
    ]
)


@settings(max_examples=400, deadline=None)
@given(st.lists(SYNTAX | st.text(max_size=12), max_size=8).map(" ".join))
def test_nothing_typed_is_an_fts5_syntax_error_or_reaches_another_column(
    fts: sqlite3.Connection, typed: str
) -> None:
    query = parse_query(typed)
    if not query.terms:
        return
    # A column filter ("team_id:T2") inside a quoted term is just words: the row is found by its body or not
    # at all, and never by its team.
    rows = fts.execute("SELECT team_id FROM t WHERE t MATCH ?", (fts5_match(query),)).fetchall()
    assert rows in ([], [("T1",)])


def test_typed_syntax_matches_as_words(fts: sqlite3.Connection) -> None:
    # As words: "NEAR(the" is the phrase "near the"; "body:export" the phrase "body export" (not a
    # column filter, so not found); "team_id:T1" never reaches the team column.
    expected = {
        "NEAR(the export)": 1,
        "-or": 1,
        "body:export": 0,
        '"quoted"': 1,
        "thing)": 1,
        "team_id:T1": 0,
    }
    for typed, count in expected.items():
        query = fts5_match(parse_query(typed))
        found = fts.execute("SELECT count(*) FROM t WHERE t MATCH ?", (query,)).fetchone()[0]
        assert found == count, typed
