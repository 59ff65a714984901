"""search word pairs (PostgreSQL): each searched field's adjacent word pairs, behind a GIN index, and an
index by account

PostgreSQL's GIN index over a tsvector knows which words a row holds but not in which order, so a
phrase's candidates are every row with its words, each read to check the order. Indexing the pairs of
adjacent words ("card_pin") lets a phrase's candidates be the rows holding its pairs: about those that
match. SQLite's FTS5 keeps positions in its index already: nothing changes there.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02 10:40:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FIELDS = ("pains", "requests", "quotes", "interpretation", "closing_answer", "notes")


def upgrade() -> None:
    if op.get_context().dialect.name == "sqlite":
        return
    # Lexemes never hold "_" (the parser splits words there), so a pair cannot be taken for a word.
    op.execute(
        "CREATE FUNCTION interview_search_pairs(body text) RETURNS tsvector LANGUAGE sql IMMUTABLE "
        "PARALLEL SAFE AS $$ "
        "WITH w AS (SELECT lexeme, unnest(positions) AS pos"
        " FROM unnest(to_tsvector('english'::regconfig, body))) "
        "SELECT coalesce(array_to_tsvector(array_agg(DISTINCT a.lexeme || '_' || b.lexeme)), ''::tsvector) "
        "FROM w AS a JOIN w AS b ON b.pos = a.pos + 1 $$"
    )
    # Field by field, so no pair runs from the end of one field into the next.
    pairs = " || ".join(f"interview_search_pairs(coalesce({f}, ''))" for f in FIELDS)
    op.execute(f"ALTER TABLE interview_search ADD COLUMN pairs tsvector GENERATED ALWAYS AS ({pairs}) STORED")
    op.execute("CREATE INDEX ix_interview_search_pairs ON interview_search USING gin (pairs)")
    # account: narrows a search: an account's latest rows newest first, and its rows beside the GIN's.
    op.execute(
        "CREATE INDEX ix_interview_search_account_id_interview_id"
        " ON interview_search (account_id, interview_id)"
    )


def downgrade() -> None:
    if op.get_context().dialect.name == "sqlite":
        return
    op.execute("DROP INDEX ix_interview_search_account_id_interview_id")
    op.execute("DROP INDEX ix_interview_search_pairs")
    op.execute("ALTER TABLE interview_search DROP COLUMN pairs")
    op.execute("DROP FUNCTION interview_search_pairs(text)")
