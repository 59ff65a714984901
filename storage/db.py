"""The engine and session factory, tuned per backend.

SQLite (one machine): WAL, foreign keys on. Write transactions begin IMMEDIATE, so concurrent writers
queue on the busy timeout instead of failing on a lock upgrade; read transactions begin deferred, on an
engine of their own, and never wait for a writer.
PostgreSQL (several replicas): a pre-pinged pool, and a connect timeout well inside Slack's 3 seconds.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError, InterfaceError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

log = logging.getLogger(__name__)
T = TypeVar("T")

SQLITE_BUSY_TIMEOUT_SECONDS = 30
PG_CONNECT_TIMEOUT_SECONDS = 2  # libpq waits at least 2 s whatever is asked
# A write is tried again for about this long (a dropped connection, a failover) before the person is
# told: well inside Slack's 3 seconds, with the connect timeout counted.
RETRY_WITHIN_SECONDS = 1.2
RETRY_PAUSES_SECONDS = (0.1, 0.3, 0.6)
# Errors of the connection, not of the statement: worth one more try.
TRANSIENT_ERRORS = (OperationalError, InterfaceError)


class DatabaseUnavailable(Exception):
    """The database did not answer (after retries, for a write); nothing was written. Its message is
    the driver's first line only: never the statement or its parameters (people's text)."""

    @classmethod
    def of(cls, error: Exception) -> DatabaseUnavailable:
        orig = getattr(error, "orig", None) or error
        first = (str(orig).strip().splitlines() or [type(orig).__name__])[0]
        return cls(first[:200])


def make_engine(url: str, *, immediate: bool = True, **kwargs: Any) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(
            url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS, "check_same_thread": False}, **kwargs
        )

        @event.listens_for(engine, "connect")
        def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
            # Let SQLAlchemy, not the sqlite3 module, decide when a transaction begins.
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            if parsed.database and parsed.database != ":memory:":
                cursor.execute("PRAGMA journal_mode=WAL")
                cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn: Any) -> None:
            conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

        return engine
    kwargs.setdefault("connect_args", {"connect_timeout": PG_CONNECT_TIMEOUT_SECONDS})
    kwargs.setdefault("pool_pre_ping", True)
    kwargs.setdefault("pool_size", 10)
    kwargs.setdefault("max_overflow", 10)
    return create_engine(url, **kwargs)


class Database:
    """One per process: owns the engine; hands out sessions whose transaction the caller owns."""

    def __init__(self, url: str, **engine_kwargs: Any) -> None:
        self.url = url
        self.engine = make_engine(url, **engine_kwargs)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        if self.engine.dialect.name == "sqlite":
            self._read_engine = make_engine(url, immediate=False, **engine_kwargs)
            self._read_sessions = sessionmaker(self._read_engine, expire_on_commit=False)
        else:
            self._read_engine, self._read_sessions = self.engine, self._sessions

    @property
    def engines(self) -> list[Engine]:
        """Every engine this database holds (SQLite has one for reads beside the one for writes)."""
        return [self.engine] if self._read_engine is self.engine else [self.engine, self._read_engine]

    @property
    def backend(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session in one transaction: committed on success, rolled back on any error. A connection
        that fails raises DatabaseUnavailable."""
        try:
            with self._sessions.begin() as session:
                yield session
        except TRANSIENT_ERRORS as exc:
            raise DatabaseUnavailable.of(exc) from exc

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reading only: on SQLite it never waits behind a writer. A connection that
        fails raises DatabaseUnavailable (a read is not retried: the person asks again)."""
        try:
            with self._read_sessions.begin() as session:
                yield session
        except TRANSIENT_ERRORS as exc:
            raise DatabaseUnavailable.of(exc) from exc

    @contextmanager
    def quick_read(self) -> Iterator[Connection]:
        """A connection for a read or two of Core statements, without a session (a third of the CPU): for
        checks made on every request. On SQLite it never waits behind a writer; a connection that fails
        raises DatabaseUnavailable."""
        try:
            with self._read_engine.connect() as connection:
                yield connection
        except TRANSIENT_ERRORS as exc:
            raise DatabaseUnavailable.of(exc) from exc

    def run(self, work: Callable[[Session], T], *, within: float = RETRY_WITHIN_SECONDS) -> T:
        """`work` in one write transaction, tried again while `within` seconds last if the connection
        failed (a dropped connection, a failover, a busy SQLite file); DatabaseUnavailable when it still
        fails (whoever catches it logs it: one line for the outage, not one per try)."""
        started = time.monotonic()
        for pause in (*RETRY_PAUSES_SECONDS, None):
            try:
                with self.transaction() as session:
                    return work(session)
            except DatabaseUnavailable:
                if pause is None or time.monotonic() - started + pause > within:
                    raise
                time.sleep(pause)
        raise AssertionError("unreachable")

    def ping(self) -> bool:
        try:
            with self._read_engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            return True
        except Exception:
            return False

    def dispose(self) -> None:
        self.engine.dispose()
        self._read_engine.dispose()


def insert_once(session: Session, row: object) -> bool:
    """Insert `row` in a savepoint: False, and nothing inserted, when a unique key says another transaction
    made it first (two replicas, or two people, at the same moment); the caller's transaction goes on."""
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        return False
    return True
