"""The search: one workspace's interviews that match, best first (ties: the newest call first), one
page at a time, with the matching words marked (query.MARK_START / MARK_END) in short excerpts; narrowed
to accounts (account:NAME) and studies (study:NAME) when asked.

SQLite ranks with FTS5's bm25() and cuts excerpts with snippet(); PostgreSQL ranks with ts_rank() over
a tsvector behind a GIN index and cuts them with ts_headline(). Either way every value typed is a bound
parameter, and every query is scoped by team_id.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import TextClause, bindparam, select, text
from sqlalchemy.orm import Session, selectinload

from bot.accounts.names import find_account
from bot.search.context import studies_of, topics_of
from bot.search.query import MARK_END, MARK_START, SearchQuery, fts5_match
from bot.studies.store import find_study, open_studies
from storage.models import Interview, InterviewKind, StudyInterview

PAGE_SIZE = 10
PAGES_MAX = 100  # 1,000 results: past that, narrow the search
# A word found in more interviews than this ranks the latest this many of them (the latest logged), so a
# search costs the same at 10,000 interviews as at 1,000,000; more words, a phrase or account: narrow it.
CANDIDATES = 1000
# Fetching a row through the GIN index costs about this many times reading the next in the table
# (measured).
FETCH_OVER_WALK = 5
# The searched fields, in the order the index holds them and results show them.
FIELDS = ("pains", "requests", "quotes", "interpretation", "closing_answer", "notes")
# bm25 weights of the fields (pains, requests and quotes count most), as PostgreSQL's A, B and C.
_SQLITE_WEIGHTS = "0, 0, 0, 0, 1.0, 1.0, 1.0, 0.4, 0.4, 0.2"
_SNIPPET_TOKENS = 16
_HEADLINE = (
    f"StartSel={MARK_START}, StopSel={MARK_END}, MaxWords=20, MinWords=6, ShortWord=2, "
    'MaxFragments=2, FragmentDelimiter=" … "'
)


@dataclass(frozen=True)
class Found:
    interview_id: int
    account: str
    kind: InterviewKind
    held_on: date
    logged_by: str
    # (field, excerpt with the matching words marked), for the fields that matched, in FIELDS order.
    excerpts: tuple[tuple[str, str], ...]
    # The topics its pains are in, in the order of its pains, each once.
    topics: tuple[str, ...] = ()
    study: str | None = None  # the study it was logged into, if any


@dataclass(frozen=True)
class SearchPage:
    query: SearchQuery
    page: int
    found: list[Found]
    has_next: bool
    unknown_accounts: tuple[str, ...] = ()
    unknown_studies: tuple[str, ...] = ()
    # The workspace's open studies, by name: said beside a study name it does not know.
    open_studies: tuple[str, ...] = ()


def _named(names: Sequence[str], find: Callable[[str], Any]) -> tuple[list[int], list[str]]:
    """The ids of what `names` name (accounts, studies: `find` returns the row or None), and the names
    that name nothing, as typed."""
    found = [(name, find(name)) for name in names]
    return [row.id for _, row in found if row is not None], [name for name, row in found if row is None]


def search_interviews(*, session: Session, team_id: str, query: SearchQuery, page: int = 0) -> SearchPage:
    """Page `page` (from 0) of the interviews of `team_id` matching `query`."""
    page = max(0, min(page, PAGES_MAX - 1))
    account_ids, unknown = _named(
        query.accounts, lambda n: find_account(session=session, team_id=team_id, name=n)
    )
    study_ids, unknown_studies = _named(
        query.studies, lambda n: find_study(session=session, team_id=team_id, name=n)
    )
    named = tuple(s.name for s in open_studies(session=session, team_id=team_id)) if unknown_studies else ()
    if query.empty or (query.accounts and not account_ids) or (query.studies and not study_ids):
        return SearchPage(query, page, [], False, tuple(unknown), tuple(unknown_studies), named)
    offset, limit = page * PAGE_SIZE, PAGE_SIZE + 1  # one more: is there a next page?
    if not query.terms:
        ranked = _newest(session, team_id, account_ids, study_ids, offset, limit)
        excerpts: dict[int, tuple[tuple[str, str], ...]] = {}
    elif session.get_bind().dialect.name == "sqlite":
        ranked = _sqlite_ranked(session, team_id, query, account_ids, study_ids, offset, limit)
        excerpts = _sqlite_excerpts(session, team_id, query, ranked[:PAGE_SIZE])
    else:
        ranked = _postgres_ranked(session, team_id, query, account_ids, study_ids, offset, limit)
        excerpts = _postgres_excerpts(session, team_id, query, ranked[:PAGE_SIZE])
    shown = ranked[:PAGE_SIZE]
    # By id alone, so SQLite seeks the ten rows instead of walking the workspace's index; the ids came
    # from a search scoped to the workspace, and the workspace is checked again here.
    loaded = session.scalars(
        select(Interview).where(Interview.id.in_(shown)).options(selectinload(Interview.account))
    )
    interviews = {i.id: i for i in loaded if i.team_id == team_id}
    topics = topics_of(session, team_id, list(interviews))
    studies = studies_of(session, team_id, list(interviews))
    found = [
        Found(
            interview_id=i.id,
            account=i.account.name,
            kind=i.kind,
            held_on=i.held_on,
            logged_by=i.logged_by,
            excerpts=excerpts.get(i.id, ()),
            topics=tuple(dict.fromkeys(topics.get(i.id, []))),
            study=studies.get(i.id),
        )
        for i in (interviews.get(n) for n in shown)
        if i is not None
    ]
    has_next = len(ranked) > PAGE_SIZE and page + 1 < PAGES_MAX
    return SearchPage(query, page, found, has_next, tuple(unknown), tuple(unknown_studies), named)


def _in_studies(session: Session, team_id: str, study_ids: list[int]) -> list[int]:
    return list(
        session.scalars(
            select(StudyInterview.interview_id).where(
                StudyInterview.team_id == team_id, StudyInterview.study_id.in_(study_ids)
            )
        )
    )


def _newest(
    session: Session,
    team_id: str,
    account_ids: list[int],
    study_ids: list[int],
    offset: int,
    limit: int,
) -> list[int]:
    stmt = (
        select(Interview.id)
        .where(Interview.team_id == team_id)
        .order_by(Interview.held_on.desc(), Interview.id.desc())
        .offset(offset)
        .limit(limit)
    )
    if account_ids:
        stmt = stmt.where(Interview.account_id.in_(account_ids))
    if study_ids:  # read from the study's own index: its interviews, however many others there are
        stmt = stmt.join(StudyInterview, StudyInterview.interview_id == Interview.id).where(
            StudyInterview.study_id.in_(study_ids)
        )
    return list(session.scalars(stmt))


def _marked(pairs: list[tuple[str, str | None]]) -> tuple[tuple[str, str], ...]:
    """The fields whose excerpt holds a match (an excerpt of a field that did not match has no mark)."""
    return tuple((f, e) for f, e in pairs if e and MARK_START in e)


# SQLite ------------------------------------------------------------------------------------------


def _sqlite_match(team_id: str, query: SearchQuery, account_ids: list[int]) -> str:
    """The terms, in the searched fields only, within the workspace (and accounts) as FTS5 itself
    filters them: the `scope` column holds "<team_id> a<account_id>" as words."""
    team = '"' + team_id.replace('"', '""') + '"'
    expr = f"scope : {team}"
    if account_ids:
        expr += " AND scope : (" + " OR ".join(f'"a{int(a)}"' for a in account_ids) + ")"
    return f"{expr} AND {{{' '.join(FIELDS)}}} : ({fts5_match(query)})"


def _sqlite_ranked(
    session: Session,
    team_id: str,
    query: SearchQuery,
    account_ids: list[int],
    study_ids: list[int],
    offset: int,
    limit: int,
) -> list[int]:
    # FTS5 walks the matches by rowid, newest first, and stops at CANDIDATES: bm25 ranks only those. The
    # workspace (and accounts) are checked on interviews by primary key: cheaper than reading each
    # match's stored text, and kept out of the MATCH, since bm25 counts every phrase's rows in all.
    accounts = " AND i.account_id IN :accounts" if account_ids else ""
    # A study's interviews are read once from its index, then each match is looked up among them.
    studies = (
        " AND i.id IN (SELECT interview_id FROM study_interviews WHERE study_id IN :studies)"
        if study_ids
        else ""
    )
    stmt = text(
        f"SELECT s.rowid, bm25(interview_search, {_SQLITE_WEIGHTS}) FROM interview_search AS s"
        " JOIN interviews AS i ON i.id = s.rowid"
        f" WHERE interview_search MATCH :match AND i.team_id = :team{accounts}{studies}"
        " ORDER BY s.rowid DESC LIMIT :candidates"
    )
    match = f"{{{' '.join(FIELDS)}}} : ({fts5_match(query)})"
    params: dict[str, object] = {"match": match, "team": team_id, "candidates": CANDIDATES}
    if account_ids:
        stmt = stmt.bindparams(bindparam("accounts", expanding=True))
        params["accounts"] = account_ids
    if study_ids:
        stmt = stmt.bindparams(bindparam("studies", expanding=True))
        params["studies"] = study_ids
    candidates = [(row[0], row[1]) for row in session.execute(stmt, params)]
    candidates.sort(key=lambda c: (c[1], -c[0]))
    window = candidates[offset : offset + limit]
    # Ties are broken by the call's date, newest first: read for the tied rows only.
    tied_ranks = {r for _, r in window}
    tied = [i for i, r in candidates if r in tied_ranks]
    if len(tied) > len(window) or len(tied_ranks) < len(window):
        held = dict(
            session.execute(select(Interview.id, Interview.held_on).where(Interview.id.in_(tied))).all()
        )
        candidates.sort(key=lambda c: (c[1], -(held.get(c[0]) or date.min).toordinal(), -c[0]))
        window = candidates[offset : offset + limit]
    return [i for i, _ in window]


def _sqlite_excerpts(
    session: Session, team_id: str, query: SearchQuery, ids: list[int]
) -> dict[int, tuple[tuple[str, str], ...]]:
    if not ids:
        return {}
    # Columns 0-3 are team_id, account_id, held_on, scope; the searched fields follow. This page only.
    snippets = ", ".join(
        f"snippet(interview_search, {4 + n}, char(2), char(3), '…', {_SNIPPET_TOKENS})"
        for n in range(len(FIELDS))
    )
    # One row at a time: FTS5 seeks a rowid it is given (it would walk every match for an IN list).
    stmt = text(
        f"SELECT rowid, {snippets} FROM interview_search WHERE interview_search MATCH :match"
        " AND rowid = :id AND team_id = :team"
    )
    match, out = _sqlite_match(team_id, query, []), {}
    for interview_id in ids:
        for row in session.execute(stmt, {"match": match, "team": team_id, "id": interview_id}):
            out[row[0]] = _marked(list(zip(FIELDS, row[1:], strict=True)))
    return out


# PostgreSQL --------------------------------------------------------------------------------------


def _tsquery(query: SearchQuery) -> tuple[str, dict[str, object]]:
    """All terms must match: plainto_tsquery for a word, phraseto_tsquery for a phrase, each bound."""
    parts, params = [], {}
    for n, word in enumerate(query.words):
        parts.append(f"plainto_tsquery('english', :w{n})")
        params[f"w{n}"] = word
    for n, phrase in enumerate(query.phrases):
        parts.append(f"phraseto_tsquery('english', :p{n})")
        params[f"p{n}"] = phrase
    return " && ".join(parts), params


def _sql(statement: str, params: dict[str, object]) -> TextClause:
    stmt = text(statement)
    return stmt.bindparams(bindparam("accounts", expanding=True)) if "accounts" in params else stmt


def _estimated_rows(session: Session, where: str, params: dict[str, object]) -> float:
    """How many rows of the search index the planner expects to match `where` (planned, not run)."""
    explain = _sql(f"EXPLAIN (FORMAT JSON) SELECT 1 FROM interview_search{where}", params)
    plan = session.execute(explain, params)
    return float(plan.scalar_one()[0]["Plan"]["Plan Rows"])


def _quoted(lexemes: list[str]) -> str | None:
    """Lexemes as a tsquery that wants them all (quotes doubled, backslashes escaped); None for none."""
    quoted = ["'" + x.replace("\\", "\\\\").replace("'", "''") + "'" for x in lexemes]
    return " & ".join(quoted) or None


def _lexemes(session: Session, query: SearchQuery) -> tuple[str | None, str | None]:
    """The words' lexemes, each once ("received receive" is one lexeme, which the planner would count
    twice), and the phrases' pairs of adjacent words as the index holds them (migration 0014), each as a
    tsquery that wants them all; None where there are none (a phrase of one word once common words are
    left out has no pair)."""
    pairs = " || ".join(f"interview_search_pairs(:p{n})" for n in range(len(query.phrases)))
    params = {"words": " ".join(query.words)} | {f"p{n}": p for n, p in enumerate(query.phrases)}
    words, held = session.execute(
        text(
            "SELECT tsvector_to_array(to_tsvector('english', :words)),"
            f" tsvector_to_array({pairs or 'NULL::tsvector'})"
        ),
        params,
    ).one()
    return _quoted(list(words or [])), _quoted(list(held or []))


def _postgres_ranked(
    session: Session,
    team_id: str,
    query: SearchQuery,
    account_ids: list[int],
    study_ids: list[int],
    offset: int,
    limit: int,
) -> list[int]:
    lexemes, pairs = _lexemes(session, query)
    parts = ["CAST(:lexemes AS tsquery)"] if lexemes else []
    parts += [f"phraseto_tsquery('english', :p{n})" for n in range(len(query.phrases))]
    if not parts:  # only common words ("the", "and"): nothing to find
        return []
    tsquery = " && ".join(parts)
    params: dict[str, object] = {f"p{n}": phrase for n, phrase in enumerate(query.phrases)}
    if lexemes:
        params["lexemes"] = lexemes
    accounts = " AND account_id IN :accounts" if account_ids else ""
    where = f" WHERE team_id = :team AND document @@ ({tsquery}){accounts}"
    params |= {"team": team_id, "candidates": CANDIDATES, "limit": limit, "offset": offset}
    if account_ids:
        params["accounts"] = account_ids
    if pairs:
        params["pairs"] = pairs
    settings = {"plan_cache_mode": "force_custom_plan"}
    if study_ids:
        # A study's interviews (hundreds), read by its index, each looked up by its key and tested.
        params["within"] = _in_studies(session, team_id, study_ids)
        where += " AND interview_id = ANY(CAST(:within AS integer[]))"
    else:
        settings[
            "enable_bitmapscan" if _walk(session, account_ids, where, params) else "enable_indexscan"
        ] = "off"
    if pairs:
        # Fetching, the pairs' index finds the rows; walking, they are tested too: the document runs
        # one field into the next, where a phrase may seem to span the two ("hidden" + "Dark mode").
        where += " AND pairs @@ CAST(:pairs AS tsquery)"
    stmt = _sql(
        "SELECT interview_id FROM ("
        f" SELECT interview_id, ts_rank(document, {tsquery}) AS rank, held_on FROM interview_search{where}"
        " ORDER BY interview_id DESC LIMIT :candidates"
        ") AS c ORDER BY rank DESC, held_on DESC, interview_id DESC LIMIT :limit OFFSET :offset",
        params,
    )
    session.execute(text("; ".join(f"SET LOCAL {name} = {value}" for name, value in settings.items())))
    try:
        return [row[0] for row in session.execute(stmt, params)]
    finally:  # whatever else the transaction reads is planned as usual
        session.execute(text("; ".join(f"SET LOCAL {name} = DEFAULT" for name in settings)))


def _walk(session: Session, account_ids: list[int], where: str, params: dict[str, object]) -> bool:
    """Whether to walk the rows newest first rather than fetch those the indexes find.

    Two ways to the newest CANDIDATES matches: walk the rows newest first, testing each, until that
    many match (CANDIDATES * rows / matches rows read; with one account, its rows: an index holds them
    newest first), or fetch every row the indexes find (the words' rows, beside the accounts' rows;
    for a phrase, the rows holding its word pairs) and keep the newest. The planner prices testing a
    row far too low, and a prepared plan would not look at the words at all, so the choice is made
    here from its estimates, for these words every time: the cost stays about flat as a workspace
    grows, however common the words."""
    scope = " WHERE team_id = :team" + (" AND account_id IN :accounts" if account_ids else "")
    rows = _estimated_rows(session, scope if len(account_ids) == 1 else " WHERE team_id = :team", params)
    if "pairs" in params:  # rows with a phrase's pairs: about those with the phrase (the words' are far off)
        found = _estimated_rows(session, scope + " AND pairs @@ CAST(:pairs AS tsquery)", params)
    else:
        found = _estimated_rows(session, where, params)
    # An account's rows lie apart in the table: walking them costs about what fetching them does.
    fetch_over_walk = 1 if len(account_ids) == 1 else FETCH_OVER_WALK
    return fetch_over_walk * found * found > CANDIDATES * rows


def _postgres_excerpts(
    session: Session, team_id: str, query: SearchQuery, ids: list[int]
) -> dict[int, tuple[tuple[str, str], ...]]:
    if not ids:
        return {}
    tsquery, params = _tsquery(query)
    headlines = ", ".join(f"ts_headline('english', s.{f}, q.query, :options)" for f in FIELDS)
    stmt = text(
        f"SELECT s.interview_id, {headlines} FROM interview_search s, (SELECT {tsquery} AS query) AS q"
        " WHERE s.team_id = :team AND s.interview_id IN :ids"
    ).bindparams(bindparam("ids", expanding=True))
    rows = session.execute(stmt, params | {"team": team_id, "ids": ids, "options": _HEADLINE})
    return {row[0]: _marked(list(zip(FIELDS, row[1:], strict=True))) for row in rows}
