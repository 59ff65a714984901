"""The migrated database a test gets, emptied, kept by the worker from one test to the next.

A worker keeps one `Database` per backend and hands it to each test in turn, with the data of the test
before gone: the SQLite file copied anew from the run's migrated one, the PostgreSQL tables emptied. Its
engines, and the statements they compiled, are kept: a new engine compiles every statement again, up to
a fifth of what a storage test spent. Its pooled connections are not: each test starts with none, as
with a new `Database`. A test that leaves a listener on an engine (to count statements, say) gets its
`Database` dropped after it, so the next test starts with a new one.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from storage.db import Database
from storage.models import Base

POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "").strip()


def _admin_engine() -> Engine:
    return create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")


def create_postgres_database() -> str:
    """A new, empty PostgreSQL database for this run; its URL."""
    name = f"ib_test_{uuid.uuid4().hex[:10]}"
    engine = _admin_engine()
    try:
        with engine.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
            # No test crashes the server, so a commit need not wait for the disk: the same results, and a
            # commit in a tenth of the time.
            conn.execute(text(f'ALTER DATABASE "{name}" SET synchronous_commit = off'))
    except Exception as exc:  # CI sets the URL: unreachable is a failure, not a skip
        pytest.fail(f"TEST_POSTGRES_URL is set but PostgreSQL is unreachable: {exc}")
    finally:
        engine.dispose()
    return make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)


def drop_postgres_database(url: str) -> None:
    name = make_url(url).database
    engine = _admin_engine()
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


def _listeners(db: Database) -> list[tuple[str, list[Any]]]:
    """Every listener on the database's engines and their pools, by event."""
    found = []
    for engine in db.engines:
        for target in (engine, engine.pool):
            for name in sorted(target.dispatch._event_names):
                found.append((name, list(getattr(target.dispatch, name))))
    return found


class KeptDatabase:
    """The worker's `Database` at `url`, handed to one test at a time: `take` empties it first (with
    `empty`: the SQLite file copied anew, or the PostgreSQL tables emptied)."""

    def __init__(self, url: str, empty: Callable[[Database], None]) -> None:
        self.url = url
        self._empty = empty
        self._db: Database | None = None
        self._listeners: list[tuple[str, list[Any]]] = []

    def take(self) -> Database:
        if self._db is None:
            self._db = Database(self.url)
            self._listeners = _listeners(self._db)
        self._empty(self._db)
        return self._db

    def give_back(self) -> None:
        assert self._db is not None
        self._db.dispose()
        if _listeners(self._db) != self._listeners:
            self._db = None

    def close(self) -> None:
        if self._db is not None:
            self._db.dispose()


def sqlite_kept(template: Path, path: Path) -> KeptDatabase:
    """A SQLite database at `path`, copied anew from the migrated `template` for each test."""

    def empty(db: Database) -> None:
        db.dispose()  # no connection open on the file it replaces
        # A new file: a connection a test left open, if any, still has the old one; the old write-ahead
        # log goes with it.
        fresh = path.with_name(path.name + ".new")
        shutil.copyfile(template, fresh)
        for leftover in (path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
            leftover.unlink(missing_ok=True)
        os.replace(fresh, path)

    return KeptDatabase(f"sqlite:///{path}", empty)


def postgres_kept(url: str) -> KeptDatabase:
    """The migrated PostgreSQL database at `url`, emptied for each test."""
    emptying = postgres_emptying(url)

    def empty(db: Database) -> None:
        with db.engine.begin() as conn:
            conn.exec_driver_sql(emptying)

    return KeptDatabase(url, empty)


def postgres_emptying(url: str) -> str:
    """The SQL that empties the database at `url` and starts its ids at 1 again, as TRUNCATE … RESTART
    IDENTITY CASCADE does: DELETE, children first, takes a few milliseconds on the few rows a test leaves,
    where TRUNCATE, which makes every table anew, takes a tenth of a second to a second."""
    engine = create_engine(url)
    with engine.connect() as conn:
        tables = set(conn.scalars(text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")))
        sequences = list(
            conn.scalars(text("SELECT sequencename FROM pg_sequences WHERE schemaname = 'public'"))
        )
        pausable = conn.scalar(
            text(
                "SELECT count(*) FROM information_schema.columns WHERE table_schema = 'public' "
                "AND table_name = 'interviews' AND column_name = 'search_paused'"
            )
        )
    engine.dispose()
    children_first = [t.name for t in reversed(Base.metadata.sorted_tables)]
    # Tables the migrations made beside the models' (the search index), before the tables they point at.
    others = sorted(tables - set(children_first) - {"alembic_version"})
    # Each line deleted would rewrite its interview's search row from the lines left, as the bot's
    # writers do not: paused first, as they pause it, a thousand lines go in milliseconds, not seconds.
    statements = ["UPDATE interviews SET search_paused = true"] if pausable else []
    statements += [f'DELETE FROM "{name}"' for name in others + children_first]
    if sequences:
        statements.append("SELECT " + ", ".join(f"setval('\"{s}\"', 1, false)" for s in sequences))
    return "; ".join(statements)
