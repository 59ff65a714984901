"""Alembic environment: DATABASE_URL, or a connection handed in by storage.migrate; batch mode for SQLite."""

from __future__ import annotations

from alembic import context

from bot.config import load_database_url
from storage.db import make_engine
from storage.models import Base, UTCDateTime
from storage.search_index import include_object

config = context.config
target_metadata = Base.metadata


def _render_item(type_: str, obj: object, autogen_context: object) -> str | bool:
    # Migrations must not import model code that may change later: UTCDateTime is stored as its impl.
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def _configure(**kwargs: object) -> None:
    context.configure(
        target_metadata=target_metadata,
        render_item=_render_item,
        render_as_batch=True,  # SQLite can only ALTER through table copies
        compare_type=True,
        include_object=include_object,  # the search index is made by hand (FTS5, a tsvector)
        **kwargs,
    )


def run_offline() -> None:
    _configure(url=config.get_main_option("sqlalchemy.url") or load_database_url(), literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        # storage.migrate holds the lock and owns the transaction on this connection.
        _configure(connection=connection)
        context.run_migrations()
        return
    engine = make_engine(config.get_main_option("sqlalchemy.url") or load_database_url())
    with engine.begin() as conn:
        _configure(connection=conn)
        context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
