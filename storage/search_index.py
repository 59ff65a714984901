"""The interview search index: tables the migrations make and the models do not describe.

SQLite keeps it in an FTS5 table (with its shadow tables, `interview_search_data` …), PostgreSQL in a
table with a generated tsvector. Alembic's comparison of models and schema must skip them; the
migration tests check them instead.
"""

from __future__ import annotations

SEARCH_TABLE = "interview_search"


def is_search_index(name: str | None) -> bool:
    return bool(name) and (
        name == SEARCH_TABLE or str(name).startswith((SEARCH_TABLE + "_", "ix_" + SEARCH_TABLE))
    )


def include_object(obj: object, name: str | None, type_: str, reflected: bool, compare_to: object) -> bool:
    """Alembic's include_object hook: everything but the search index."""
    return not (type_ in ("table", "index") and is_search_index(name))
