"""Migrations: up to head, down to base and up again; models never drift from them; replicas that start
together do not race."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from storage.db import Database
from storage.migrate import alembic_config, current_revision, downgrade, upgrade
from storage.models import Base
from storage.search_index import include_object, is_search_index

APP_TABLES = {t.name for t in Base.metadata.sorted_tables} | {"interview_search"}


def tables(db: Database) -> set[str]:
    """The app's tables; the search index (an FTS5 table and its shadows, or a plain table) is counted
    as one, `interview_search`."""
    names = set(inspect(db.engine).get_table_names()) - {"alembic_version"}
    return {("interview_search" if is_search_index(n) else n) for n in names}


def test_upgrade_downgrade_upgrade(empty_database_url: str) -> None:
    db = Database(empty_database_url)
    try:
        upgrade(db)
        assert tables(db) == APP_TABLES
        head = ScriptDirectory.from_config(alembic_config(db.url)).get_current_head()
        assert current_revision(db) == head
        downgrade(db, "base")
        assert tables(db) == set()
        assert current_revision(db) is None
        upgrade(db)
        assert tables(db) == APP_TABLES
    finally:
        db.dispose()


def test_models_and_migrations_do_not_drift(empty_database_url: str) -> None:
    db = Database(empty_database_url)
    try:
        upgrade(db)
        with db.engine.connect() as conn:
            context = MigrationContext.configure(
                conn, opts={"compare_type": True, "render_as_batch": True, "include_object": include_object}
            )
            diff = compare_metadata(context, Base.metadata)
        assert diff == [], f"models and migrations differ; write a migration: {diff}"
    finally:
        db.dispose()


def test_history_is_one_line() -> None:
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    assert len(script.get_heads()) == 1
    assert len(script.get_bases()) == 1


@pytest.mark.real_clock  # the replicas are processes of their own
def test_replicas_migrating_at_once_all_succeed(empty_database_url: str) -> None:
    """Three `interview-bot migrate` processes start together on an empty database."""
    env = {**os.environ, "DATABASE_URL": empty_database_url, "LOG_LEVEL": "WARNING"}
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "bot", "migrate"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        for _ in range(3)
    ]
    results = [(p.wait(timeout=120), p.stderr.read().decode() if p.stderr else "") for p in procs]
    assert [code for code, _ in results] == [0, 0, 0], results
    db = Database(empty_database_url)
    try:
        assert tables(db) == APP_TABLES
    finally:
        db.dispose()


def test_every_follow_up_kind_and_state_can_be_stored(database: Database) -> None:
    """CHECK constraints live in migrations: a kind added to the model but not to the CHECK fails here."""
    from datetime import UTC, datetime

    from storage.models import FollowUp, FollowUpKind, FollowUpState

    now = datetime.now(UTC)
    with database.transaction() as session:
        for kind in FollowUpKind:
            for state in FollowUpState:
                session.add(
                    FollowUp(team_id="T1", owner_id="U1", kind=kind, state=state, description="x", due_at=now)
                )


def test_0007_gives_existing_lines_their_account_and_themes_their_count(empty_database_url: str) -> None:
    """Interviews logged before the digest existed: their pains and requests learn their account, and
    each theme its count of accounts, so the first digest is right."""
    from sqlalchemy import text

    db = Database(empty_database_url)
    try:
        upgrade(db, "0006")
        with db.engine.begin() as conn:
            for account_id, name in ((1, "Acme"), (2, "Globex")):
                conn.execute(
                    text(
                        "INSERT INTO accounts (id, team_id, name, normalized_name, created_at) "
                        "VALUES (:id, 'T1', :name, :key, CURRENT_TIMESTAMP)"
                    ),
                    {"id": account_id, "name": name, "key": name.lower()},
                )
            conn.execute(
                text(
                    "INSERT INTO themes (id, team_id, kind, name, size, created_at, updated_at) VALUES "
                    "(1, 'T1', 'pain', 'Slow reports', 3, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP), "
                    "(2, 'T1', 'request', 'Export', 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
                )
            )
            for interview_id, account_id in ((1, 1), (2, 1), (3, 2)):
                conn.execute(
                    text(
                        "INSERT INTO interviews (id, team_id, account_id, kind, held_on, logged_by,"
                        " logged_at, recording_permission, thank_you_sent) VALUES (:id, 'T1', :account,"
                        " 'discovery', '2026-11-20', 'U1', CURRENT_TIMESTAMP, false, false)"
                    ),
                    {"id": interview_id, "account": account_id},
                )
                conn.execute(
                    text(
                        "INSERT INTO pains (team_id, interview_id, position, text, theme_id) "
                        "VALUES ('T1', :id, 0, 'Reports are slow', 1)"
                    ),
                    {"id": interview_id},
                )
            conn.execute(
                text(
                    "INSERT INTO customer_requests (team_id, interview_id, position, text, theme_id) "
                    "VALUES ('T1', 3, 0, 'A CSV export', 2)"
                )
            )
        upgrade(db)
        with db.engine.connect() as conn:
            pains = conn.execute(
                text("SELECT interview_id, account_id FROM pains ORDER BY interview_id")
            ).all()
            requests = conn.execute(text("SELECT account_id FROM customer_requests")).all()
            accounts = dict(conn.execute(text("SELECT id, accounts FROM themes")).all())
            last_held = conn.execute(text("SELECT last_held_on FROM accounts")).scalars().all()
        assert [tuple(p) for p in pains] == [(1, 1), (2, 1), (3, 2)]
        assert [tuple(r) for r in requests] == [(2,)]
        assert accounts == {1: 2, 2: 1}
        assert [str(d) for d in last_held] == ["2026-11-20", "2026-11-20"]
    finally:
        db.dispose()


def test_0011_indexes_existing_interviews_and_its_triggers_exist_at_head(empty_database_url: str) -> None:
    """Interviews logged before search existed are found; and the triggers that keep the index in step
    are there at head (a later batch migration that copies one of their tables would drop them)."""
    from sqlalchemy import text

    from bot.search.query import parse_query
    from bot.search.service import search_interviews

    db = Database(empty_database_url)
    try:
        upgrade(db, "0010")
        with db.engine.begin() as conn:
            for team in ("T1", "T2"):
                conn.execute(
                    text(
                        "INSERT INTO accounts (team_id, name, normalized_name, created_at) "
                        "VALUES (:team, 'Acme', 'acme', CURRENT_TIMESTAMP)"
                    ),
                    {"team": team},
                )
                conn.execute(
                    text(
                        "INSERT INTO interviews (team_id, account_id, kind, held_on, logged_by, logged_at,"
                        " recording_permission, thank_you_sent, notes) SELECT team_id, id, 'discovery',"
                        " '2026-11-20', 'U1', CURRENT_TIMESTAMP, false, false, :notes FROM accounts"
                        " WHERE team_id = :team"
                    ),
                    {"team": team, "notes": "Renewal at risk \x02forged\x03"},
                )
                conn.execute(
                    text(
                        "INSERT INTO quotes (team_id, interview_id, position, text) SELECT team_id, id, 0,"
                        " 'We reconcile invoices by hand' FROM interviews WHERE team_id = :team"
                    ),
                    {"team": team},
                )
        upgrade(db)
        with db.read() as session:
            found = search_interviews(session=session, team_id="T1", query=parse_query("invoices"))
            forged = search_interviews(session=session, team_id="T1", query=parse_query("renewal"))
        assert len(found.found) == 1 and found.found[0].excerpts[0][0] == "quotes"
        # Control characters stored by an old writer never reach the index: no forged mark.
        ((_, excerpt),) = forged.found[0].excerpts
        assert excerpt.count("\x02") == 1 and "forged" in excerpt and "\x02forged" not in excerpt
        with db.engine.connect() as conn:
            if db.backend == "sqlite":
                names = conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'trigger'")).scalars()
            else:
                names = conn.execute(text("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")).scalars()
            triggers = set(names)
        expected = (
            {"interview_search_ai", "interview_search_au", "interview_search_ad"}
            | {
                f"{t}_search_{s}"
                for t in ("pains", "customer_requests", "quotes")
                for s in ("ai", "au", "ad")
            }
            if db.backend == "sqlite"
            else {"interview_search_aiu", "pains_search", "customer_requests_search", "quotes_search"}
        )
        assert expected <= triggers
    finally:
        db.dispose()


def test_0013_adds_interview_edits_and_takes_it_away_again(empty_database_url: str) -> None:
    """Edits are recorded in their own table; going back to 0012 drops it and leaves interviews be."""
    db = Database(empty_database_url)
    try:
        upgrade(db, "0012")
        assert "interview_edits" not in tables(db)
        upgrade(db)
        columns = {c["name"] for c in inspect(db.engine).get_columns("interview_edits")}
        assert columns == {"id", "team_id", "interview_id", "edited_by", "edited_at", "fields"}
        downgrade(db, "0012")
        assert current_revision(db) == "0012"
        assert "interview_edits" not in tables(db) and "interviews" in tables(db)
    finally:
        db.dispose()
