"""Scratch PostgreSQL databases for the benchmarks: made beside the server's own, dropped afterwards."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from storage.db import Database
from storage.migrate import upgrade


@contextlib.contextmanager
def scratch_database(server_url: str, label: str, revision: str = "head") -> Iterator[Database]:
    """A new database on the server of `server_url`, migrated to `revision`; dropped on the way out."""
    name = f"ib_bench_{label}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        db = Database(make_url(server_url).set(database=name).render_as_string(hide_password=False))
        try:
            upgrade(db, revision)
            yield db
        finally:
            db.dispose()
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()
