"""The search index and writers of many lines, on SQLite and PostgreSQL: logging, editing or deleting an
interview of hundreds of lines rewrites its search row once (not once per line: that took a submission
at the log modal's limits past Slack's 3 s, and minutes on PostgreSQL), and search still finds exactly
what was written."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from bot.capture.edits import edit_interview
from bot.capture.interviews import log_interview
from bot.capture.removal import remove_interviews
from bot.search.query import parse_query
from bot.search.service import search_interviews
from storage.db import Database
from storage.models import Interview, Pain
from tests.storage.capture.test_interviews import NOW, PARIS, draft

LINES = 300  # of each: pains, requests, quotes (short lines, as the modal's 3,000 characters allow)


@pytest.fixture
def counted(database: Database) -> Iterator[Database]:
    """The database, counting the search rows written (SQLite: through a trigger on the FTS5 table's
    content; PostgreSQL reads its own per-transaction statistics)."""
    if database.engine.dialect.name == "sqlite":
        with database.engine.begin() as conn:
            conn.execute(text("CREATE TABLE search_writes (n INTEGER)"))
            conn.execute(
                text(
                    "CREATE TRIGGER count_search_writes AFTER INSERT ON interview_search_content "
                    "BEGIN INSERT INTO search_writes VALUES (1); END"
                )
            )
    yield database


def search_writes(session: Session) -> int:
    """Search rows written (inserted or rewritten) so far in this transaction."""
    if session.get_bind().dialect.name == "sqlite":
        return int(session.scalar(text("SELECT count(*) FROM search_writes")) or 0)
    return int(
        session.scalar(
            text(
                "SELECT n_tup_ins + n_tup_upd FROM pg_stat_xact_user_tables"
                " WHERE relname = 'interview_search'"
            )
        )
        or 0
    )


def lines(word: str) -> str:
    return "\n".join(f"{word}{n:03d}" for n in range(LINES))


def found(db: Database, typed: str) -> list[int]:
    with db.read() as session:
        page = search_interviews(session=session, team_id="T1", query=parse_query(typed))
        return [f.interview_id for f in page.found]


def log_big(db: Database, word: str = "w") -> tuple[int, int]:
    """An interview of LINES pains, requests and quotes; (its id, search rows written logging it)."""
    with db.transaction() as session:
        before = search_writes(session)
        logged = log_interview(
            session=session,
            team_id="T1",
            user_id="U1",
            draft=draft(pains=lines(word + "p"), requests=lines(word + "r"), quotes=lines(word + "q")),
            now=NOW,
            tz=PARIS,
            thank_you_after=timedelta(hours=24),
            summary_after=timedelta(hours=48),
        )
        return logged.interview.id, search_writes(session) - before


def test_an_interview_of_many_lines_writes_its_search_row_once_and_is_found_by_any_line(
    counted: Database,
) -> None:
    interview_id, writes = log_big(counted)
    assert writes == 1
    for word in ("wp000", f"wp{LINES - 1}", f"wq{LINES // 2}", "wr007"):
        assert found(counted, word) == [interview_id], word
    with counted.read() as session:
        assert session.scalar(select(Interview.search_paused).where(Interview.id == interview_id)) is False


def test_an_edit_of_many_lines_rewrites_its_search_row_once_and_search_follows_it(counted: Database) -> None:
    interview_id, _ = log_big(counted)
    with counted.transaction() as session:
        before = search_writes(session)
        edited = edit_interview(
            session=session,
            team_id="T1",
            interview_id=interview_id,
            draft=draft(pains=lines("gp"), requests=lines("wr"), quotes=lines("gq")),
            by="U1",
            now=NOW + timedelta(hours=1),
            tz=PARIS,
            thank_you_after=timedelta(hours=24),
            summary_after=timedelta(hours=48),
        )
        writes = search_writes(session) - before
    assert edited.changed == ["pains", "quotes"]
    assert writes == 1
    assert found(counted, f"gp{LINES - 1}") == [interview_id]
    assert found(counted, "gq000") == [interview_id]
    assert found(counted, "wr123") == [interview_id]  # unchanged lines are still found
    assert found(counted, "wp000") == [] and found(counted, "wq042") == []


def test_deleting_an_interview_of_many_lines_writes_no_search_row_and_it_is_gone(counted: Database) -> None:
    interview_id, _ = log_big(counted)
    other, _ = log_big(counted, word="s")
    with counted.transaction() as session:
        before = search_writes(session)
        remove_interviews(session=session, team_id="T1", interview_ids=[interview_id], now=NOW)
        writes = search_writes(session) - before
    assert writes == 0
    assert found(counted, "wp000") == [] and found(counted, "wq299") == []
    assert found(counted, "sp000") == [other]  # the other interview's row is untouched


def test_a_line_written_without_pausing_is_still_indexed_at_once(counted: Database) -> None:
    """The pause is for writers of many lines; anyone else (a script, a later feature) keeps the index
    right as before."""
    interview_id, _ = log_big(counted)
    with counted.transaction() as session:
        session.add(
            Pain(team_id="T1", interview_id=interview_id, account_id=1, position=LINES, text="Lone cog")
        )
    assert found(counted, "cog") == [interview_id]
