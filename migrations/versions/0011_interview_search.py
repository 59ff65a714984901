"""interview search: one full-text row per interview, kept in step by triggers, filled for existing rows

SQLite: an FTS5 table (porter stemming) whose rowid is the interview's id. PostgreSQL: a table with the
same text columns and a generated tsvector behind a GIN index. On both, triggers on interviews, pains,
customer_requests and quotes rewrite an interview's row whenever its searched text changes, so every
writer (the log modal, a summary, an import, a delete) keeps the index right. The text is copied
without the two control characters the search marks its matches with (U+0002, U+0003), so typed text
can never forge a highlight. A later batch migration that copies one of these tables drops its
triggers: tests/migrations checks that they exist at head.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 06:45:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FIELDS = ("pains", "requests", "quotes", "interpretation", "closing_answer", "notes")
LINE_TABLES = {"pains": "pains", "requests": "customer_requests", "quotes": "quotes"}
OWN_FIELDS = ("interpretation", "closing_answer", "notes")
LINE_TRIGGERS = ("pains", "customer_requests", "quotes")


def _clean(expr: str, *, sqlite: bool) -> str:
    char = "char" if sqlite else "chr"
    return f"replace(replace({expr}, {char}(2), ''), {char}(3), '')"


def _lines(table: str, *, sqlite: bool) -> str:
    if sqlite:
        inner = f"SELECT text FROM {table} WHERE interview_id = i.id ORDER BY position"
        return _clean(f"(SELECT group_concat(text, char(10)) FROM ({inner}))", sqlite=True)
    agg = f"(SELECT string_agg(text, chr(10) ORDER BY position) FROM {table} WHERE interview_id = i.id)"
    return _clean(agg, sqlite=False)


def _row_select(key: str | None, *, sqlite: bool) -> str:
    """The search row of interview `key` (nothing when it is gone), or of every interview. SQLite's
    also holds `scope`: the workspace and the account as words, so that FTS5 itself keeps to them."""
    fields = [_lines(LINE_TABLES[f], sqlite=sqlite) for f in ("pains", "requests", "quotes")]
    fields += [_clean(f"i.{f}", sqlite=sqlite) for f in OWN_FIELDS]
    scope = "i.team_id || ' a' || i.account_id, " if sqlite else ""
    where = f" WHERE i.id = {key}" if key else ""
    columns = f"i.id, i.team_id, i.account_id, i.held_on, {scope}{', '.join(fields)}"
    return f"SELECT {columns} FROM interviews i{where}"


COLUMNS = "team_id, account_id, held_on, " + ", ".join(FIELDS)
SQLITE_COLUMNS = "team_id, account_id, held_on, scope, " + ", ".join(FIELDS)


def _sqlite_upgrade() -> None:
    op.execute(
        "CREATE VIRTUAL TABLE interview_search USING fts5("
        "team_id UNINDEXED, account_id UNINDEXED, held_on UNINDEXED, scope, "
        + ", ".join(FIELDS)
        + ", tokenize = 'porter unicode61 remove_diacritics 2')"
    )
    op.execute(f"INSERT INTO interview_search (rowid, {SQLITE_COLUMNS}) {_row_select(None, sqlite=True)}")

    def refresh(key: str) -> str:
        return (
            f"DELETE FROM interview_search WHERE rowid = {key}; "
            f"INSERT INTO interview_search (rowid, {SQLITE_COLUMNS}) {_row_select(key, sqlite=True)};"
        )

    watched = "team_id, account_id, held_on, interpretation, closing_answer, notes"
    op.execute(f"CREATE TRIGGER interview_search_ai AFTER INSERT ON interviews BEGIN {refresh('NEW.id')} END")
    op.execute(
        f"CREATE TRIGGER interview_search_au AFTER UPDATE OF {watched} ON interviews "
        f"BEGIN DELETE FROM interview_search WHERE rowid = OLD.id; {refresh('NEW.id')} END"
    )
    op.execute(
        "CREATE TRIGGER interview_search_ad AFTER DELETE ON interviews "
        "BEGIN DELETE FROM interview_search WHERE rowid = OLD.id; END"
    )
    for table in LINE_TRIGGERS:
        op.execute(
            f"CREATE TRIGGER {table}_search_ai AFTER INSERT ON {table} "
            f"BEGIN {refresh('NEW.interview_id')} END"
        )
        op.execute(
            f"CREATE TRIGGER {table}_search_au AFTER UPDATE OF text, position, interview_id ON {table} "
            f"BEGIN {refresh('OLD.interview_id')} {refresh('NEW.interview_id')} END"
        )
        op.execute(
            f"CREATE TRIGGER {table}_search_ad AFTER DELETE ON {table} "
            f"BEGIN {refresh('OLD.interview_id')} END"
        )


def _postgres_upgrade() -> None:
    document = " || ".join(
        f"setweight(to_tsvector('english'::regconfig, coalesce({f}, '')), '{w}')"
        for f, w in zip(FIELDS, "AAABBC", strict=True)
    )
    op.execute(
        "CREATE TABLE interview_search ("
        " interview_id integer PRIMARY KEY REFERENCES interviews (id) ON DELETE CASCADE,"
        " team_id varchar(32) NOT NULL, account_id integer NOT NULL, held_on date NOT NULL, "
        + ", ".join(f"{f} text" for f in FIELDS)
        + f", document tsvector GENERATED ALWAYS AS ({document}) STORED)"
    )
    op.execute("CREATE INDEX ix_interview_search_document ON interview_search USING gin (document)")
    # A common word's latest matches, newest first, without reading all of them (bot/search/service.py).
    op.execute(
        "CREATE INDEX ix_interview_search_team_id_interview_id ON interview_search (team_id, interview_id)"
    )
    op.execute(f"INSERT INTO interview_search (interview_id, {COLUMNS}) {_row_select(None, sqlite=False)}")
    updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in COLUMNS.split(", "))
    op.execute(
        "CREATE FUNCTION interview_search_refresh(iid integer) RETURNS void LANGUAGE sql AS $$ "
        f"INSERT INTO interview_search (interview_id, {COLUMNS}) {_row_select('iid', sqlite=False)} "
        f"ON CONFLICT (interview_id) DO UPDATE SET {updates} $$"
    )
    op.execute(
        "CREATE FUNCTION interview_search_on_interview() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        "PERFORM interview_search_refresh(NEW.id); RETURN NULL; END $$"
    )
    op.execute(
        "CREATE FUNCTION interview_search_on_line() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        "IF TG_OP IN ('UPDATE', 'DELETE') THEN PERFORM interview_search_refresh(OLD.interview_id); END IF; "
        "IF TG_OP IN ('INSERT', 'UPDATE') THEN PERFORM interview_search_refresh(NEW.interview_id); END IF; "
        "RETURN NULL; END $$"
    )
    watched = "team_id, account_id, held_on, interpretation, closing_answer, notes"
    op.execute(
        f"CREATE TRIGGER interview_search_aiu AFTER INSERT OR UPDATE OF {watched} ON interviews "
        "FOR EACH ROW EXECUTE FUNCTION interview_search_on_interview()"
    )
    for table in LINE_TRIGGERS:
        op.execute(
            f"CREATE TRIGGER {table}_search AFTER INSERT OR DELETE OR UPDATE OF text, position, interview_id "
            f"ON {table} FOR EACH ROW EXECUTE FUNCTION interview_search_on_line()"
        )


def upgrade() -> None:
    if op.get_context().dialect.name == "sqlite":
        _sqlite_upgrade()
    else:
        _postgres_upgrade()


def downgrade() -> None:
    sqlite = op.get_context().dialect.name == "sqlite"
    if sqlite:
        for name in ("interview_search_ai", "interview_search_au", "interview_search_ad"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        for table in LINE_TRIGGERS:
            for suffix in ("ai", "au", "ad"):
                op.execute(f"DROP TRIGGER IF EXISTS {table}_search_{suffix}")
    else:
        op.execute("DROP TRIGGER IF EXISTS interview_search_aiu ON interviews")
        for table in LINE_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_search ON {table}")
        for function in ("interview_search_on_interview()", "interview_search_on_line()"):
            op.execute(f"DROP FUNCTION IF EXISTS {function}")
        op.execute("DROP FUNCTION IF EXISTS interview_search_refresh(integer)")
    op.execute("DROP TABLE IF EXISTS interview_search")
