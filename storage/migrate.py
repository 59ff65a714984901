"""Run Alembic to head (or to a revision), safe when several replicas start together.

PostgreSQL: a transaction-scoped advisory lock serialises the replicas; the second one then finds the
schema at head and does nothing. SQLite: the transaction begins IMMEDIATE (storage.db), which takes the
write lock before Alembic reads the current revision.
"""

from __future__ import annotations

from dataclasses import dataclass
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


@dataclass(frozen=True)
class Migrated:
    """The schema's revision before and after a migration run (None: no schema, a new database)."""

    before: str | None
    after: str | None

    @property
    def changed(self) -> bool:
        return self.before != self.after


def _run(database: Database, action: str, revision: str) -> Migrated:
    from alembic.runtime.migration import MigrationContext

    config = alembic_config(database.url)
    with database.engine.begin() as conn:
        if database.backend == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
        # Read under the lock, on the connection that migrates: what this run did, not another replica's.
        before = MigrationContext.configure(conn).get_current_revision()
        config.attributes["connection"] = conn
        getattr(command, action)(config, revision)
        return Migrated(before, MigrationContext.configure(conn).get_current_revision())


def upgrade(database: Database, revision: str = "head") -> Migrated:
    return _run(database, "upgrade", revision)


def downgrade(database: Database, revision: str = "base") -> Migrated:
    return _run(database, "downgrade", revision)


def head_revision() -> str | None:
    """The newest revision this version of the bot knows."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config("")).get_current_head()


def current_revision(database: Database) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with database.engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()
