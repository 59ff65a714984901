"""The database each test gets (tests/support/databases.py): the worker's, kept from one test to the next,
handed over empty, with its ids starting at 1 again, whatever the test before left in it."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event, func, inspect, select, table

from bot.capture.interviews import InterviewDraft, log_interview
from storage.db import Database
from storage.models import Base, Pain
from tests.support.databases import KeptDatabase
from tests.support.themed import group_pains

NOW = datetime(2026, 11, 23, 15, 30, tzinfo=UTC)
LINES = 300  # one interview of many lines, as the big submissions leave


def log(db: Database, account: str, pains: list[str]) -> int:
    with db.transaction() as session:
        logged = log_interview(
            session=session,
            team_id="T1",
            user_id="U1",
            draft=InterviewDraft(
                account=account,
                kind="discovery",
                held_on=date(2026, 11, 20),
                participants=["U2"],
                pains="\n".join(pains),
                requests="SAML\nAn API",
                quotes="We re-key every deal",
                promises="Send the deck",
            ),
            now=NOW,
            tz=ZoneInfo("UTC"),
            thank_you_after=timedelta(hours=24),
            summary_after=timedelta(hours=48),
        )
        return logged.interview.id


def rows(db: Database) -> dict[str, int]:
    """How many rows each table holds (the search index's too), the migrations' bookkeeping aside."""
    names = set(inspect(db.engine).get_table_names()) - {"alembic_version"}
    with db.read() as session:
        return {name: session.scalar(select(func.count()).select_from(table(name))) or 0 for name in names}


def test_each_test_gets_the_database_empty_with_ids_from_1(
    backend: str, request: pytest.FixtureRequest
) -> None:
    kept: KeptDatabase = request.getfixturevalue("_sqlite_kept" if backend == "sqlite" else "_postgres_kept")
    db = kept.take()
    fresh = rows(db)  # SQLite's full-text index keeps a row or two of its own, even empty
    assert [name for name in Base.metadata.tables if fresh[name]] == []
    log(db, "Acme", [f"Slow {n}" for n in range(LINES)])  # as long as a field may be
    log(db, "Globex", ["Reports take forever"])
    group_pains(db, "T1", [["Reports take forever", "Slow 1"]])
    left = {name for name, count in rows(db).items() if count > fresh[name]}
    assert {"interviews", "pains", "customer_requests", "quotes", "follow_ups", "themes"} <= left, left
    kept.give_back()

    db = kept.take()
    assert rows(db) == fresh
    assert log(db, "Initech", ["Invoices are wrong"]) == 1
    with db.read() as session:
        assert session.scalars(select(Pain.id)).all() == [1]
    kept.give_back()


def test_the_same_database_is_handed_on_unless_a_test_left_a_listener_on_it(
    backend: str, request: pytest.FixtureRequest
) -> None:
    kept: KeptDatabase = request.getfixturevalue("_sqlite_kept" if backend == "sqlite" else "_postgres_kept")
    db = kept.take()
    kept.give_back()
    assert kept.take() is db  # its engines, and the statements they compiled, with it
    event.listen(db.engines[-1], "before_cursor_execute", lambda *_: None)
    kept.give_back()
    assert kept.take() is not db
    kept.give_back()
