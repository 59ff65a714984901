"""Run Alembic to head (or to a revision), safe when several replicas start together.

PostgreSQL: a transaction-scoped advisory lock serialises the replicas; the second one then finds the
schema at head and does nothing. SQLite: the transaction begins IMMEDIATE (storage.db), which takes the
write lock before Alembic reads the current revision.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import text

from storage.db import Database

# Any constant shared by all replicas; this one spells "intvwbot".
MIGRATION_LOCK_KEY = 0x696E7476_77626F74 & 0x7FFFFFFFFFFFFFFF

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def _run(database: Database, action: str, revision: str) -> None:
    config = alembic_config(database.url)
    with database.engine.begin() as conn:
        if database.backend == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
        config.attributes["connection"] = conn
        getattr(command, action)(config, revision)


def upgrade(database: Database, revision: str = "head") -> None:
    _run(database, "upgrade", revision)


def downgrade(database: Database, revision: str = "base") -> None:
    _run(database, "downgrade", revision)


def current_revision(database: Database) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with database.engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()
