"""search index paused while an interview's lines are written: its search row is rewritten once, not once
per line

The triggers of 0011 rewrite an interview's whole search row (every field, and on PostgreSQL every
field's word pairs) for each pain, request or quote inserted, updated or deleted: an interview logged with
a thousand short lines rewrote a growing row a thousand times (20 s to minutes on PostgreSQL, a second
on SQLite), and deleting it did the same. `interviews.search_paused`, set while a writer adds, edits or
removes many lines of one interview in its transaction, makes the line triggers skip it; clearing it
rewrites the row once (the interview's own trigger watches the flag). A writer that never sets it keeps
the old behaviour: the index stays right whoever writes.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-03 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# As in 0011, frozen here: a migration describes the schema of its own day.
FIELDS = ("pains", "requests", "quotes", "interpretation", "closing_answer", "notes")
LINE_TABLES = {"pains": "pains", "requests": "customer_requests", "quotes": "quotes"}
OWN_FIELDS = ("interpretation", "closing_answer", "notes")
LINE_TRIGGERS = ("pains", "customer_requests", "quotes")
SQLITE_COLUMNS = "team_id, account_id, held_on, scope, " + ", ".join(FIELDS)
WATCHED = "team_id, account_id, held_on, interpretation, closing_answer, notes"


def _sqlite_row_select(key: str) -> str:
    def clean(expr: str) -> str:
        return f"replace(replace({expr}, char(2), ''), char(3), '')"

    def lines(table: str) -> str:
        inner = f"SELECT text FROM {table} WHERE interview_id = i.id ORDER BY position"
        return clean(f"(SELECT group_concat(text, char(10)) FROM ({inner}))")

    fields = [lines(LINE_TABLES[f]) for f in ("pains", "requests", "quotes")]
    fields += [clean(f"i.{f}") for f in OWN_FIELDS]
    scope = "i.team_id || ' a' || i.account_id"
    columns = f"i.id, i.team_id, i.account_id, i.held_on, {scope}, {', '.join(fields)}"
    return f"SELECT {columns} FROM interviews i WHERE i.id = {key}"


def _sqlite_refresh(key: str, *, paused_aware: bool) -> str:
    """The statements that rewrite interview `key`'s search row; `paused_aware`: none while it is paused."""
    if not paused_aware:
        return (
            f"DELETE FROM interview_search WHERE rowid = {key}; "
            f"INSERT INTO interview_search (rowid, {SQLITE_COLUMNS}) {_sqlite_row_select(key)};"
        )
    live = f"NOT EXISTS (SELECT 1 FROM interviews WHERE id = {key} AND search_paused)"
    return (
        f"DELETE FROM interview_search WHERE rowid = {key} AND {live}; "
        f"INSERT INTO interview_search (rowid, {SQLITE_COLUMNS}) {_sqlite_row_select(key)}"
        " AND NOT i.search_paused;"
    )


def _sqlite_triggers(*, paused_aware: bool) -> None:
    names = ["interview_search_ai", "interview_search_au"]
    names += [f"{table}_search_{suffix}" for table in LINE_TRIGGERS for suffix in ("ai", "au", "ad")]
    for name in names:
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    when = " WHEN NOT NEW.search_paused" if paused_aware else ""
    watched = f"{WATCHED}, search_paused" if paused_aware else WATCHED
    own = _sqlite_refresh("NEW.id", paused_aware=False)  # the WHEN clause already said it is not paused
    op.execute(f"CREATE TRIGGER interview_search_ai AFTER INSERT ON interviews{when} BEGIN {own} END")
    op.execute(
        f"CREATE TRIGGER interview_search_au AFTER UPDATE OF {watched} ON interviews{when} "
        f"BEGIN DELETE FROM interview_search WHERE rowid = OLD.id; {own} END"
    )

    def refresh(key: str) -> str:
        return _sqlite_refresh(key, paused_aware=paused_aware)

    for table in LINE_TRIGGERS:
        new, old = refresh("NEW.interview_id"), refresh("OLD.interview_id")
        op.execute(f"CREATE TRIGGER {table}_search_ai AFTER INSERT ON {table} BEGIN {new} END")
        op.execute(
            f"CREATE TRIGGER {table}_search_au AFTER UPDATE OF text, position, interview_id ON {table} "
            f"BEGIN {old} {new} END"
        )
        op.execute(f"CREATE TRIGGER {table}_search_ad AFTER DELETE ON {table} BEGIN {old} END")


def _postgres_functions(*, paused_aware: bool) -> None:
    own = "IF NOT NEW.search_paused THEN PERFORM interview_search_refresh(NEW.id); END IF;"
    op.execute(
        "CREATE OR REPLACE FUNCTION interview_search_on_interview() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN {own if paused_aware else 'PERFORM interview_search_refresh(NEW.id);'} RETURN NULL; END $$"
    )

    def refresh(row: str) -> str:
        call = f"PERFORM interview_search_refresh({row}.interview_id);"
        if not paused_aware:
            return call
        paused = f"SELECT 1 FROM interviews WHERE id = {row}.interview_id AND search_paused"
        return f"IF NOT EXISTS ({paused}) THEN {call} END IF;"

    op.execute(
        "CREATE OR REPLACE FUNCTION interview_search_on_line() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"IF TG_OP IN ('UPDATE', 'DELETE') THEN {refresh('OLD')} END IF; "
        f"IF TG_OP IN ('INSERT', 'UPDATE') THEN {refresh('NEW')} END IF; "
        "RETURN NULL; END $$"
    )
    watched = f"{WATCHED}, search_paused" if paused_aware else WATCHED
    op.execute("DROP TRIGGER IF EXISTS interview_search_aiu ON interviews")
    op.execute(
        f"CREATE TRIGGER interview_search_aiu AFTER INSERT OR UPDATE OF {watched} ON interviews "
        "FOR EACH ROW EXECUTE FUNCTION interview_search_on_interview()"
    )


def upgrade() -> None:
    # A plain ADD COLUMN on SQLite too: a batch copy of `interviews` would drop its triggers.
    op.add_column(
        "interviews", sa.Column("search_paused", sa.Boolean(), nullable=False, server_default=sa.false())
    )
    if op.get_context().dialect.name == "sqlite":
        _sqlite_triggers(paused_aware=True)
    else:
        _postgres_functions(paused_aware=True)


def downgrade() -> None:
    # The triggers first: SQLite will not drop a column a trigger reads.
    if op.get_context().dialect.name == "sqlite":
        _sqlite_triggers(paused_aware=False)
        op.execute("ALTER TABLE interviews DROP COLUMN search_paused")
    else:
        _postgres_functions(paused_aware=False)
        op.drop_column("interviews", "search_paused")
