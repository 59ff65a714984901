"""search pairs of long words (PostgreSQL): a pair of adjacent words longer than a lexeme may be is left
out, instead of failing the interview's save

A lexeme holds at most 2047 bytes. to_tsvector drops a longer word, but two adjacent words of about a
thousand characters each (a pasted token, a long URL) made a pair too long for array_to_tsvector, and the
generated column's error failed the whole save. Such a pair is not worth finding: the words themselves
still are.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-02 20:00:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LONGEST_LEXEME = 2047  # bytes


def _pairs_function(keep: str) -> str:
    return (
        "CREATE OR REPLACE FUNCTION interview_search_pairs(body text) RETURNS tsvector"
        " LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ "
        "WITH w AS (SELECT lexeme, unnest(positions) AS pos"
        " FROM unnest(to_tsvector('english'::regconfig, body))) "
        "SELECT coalesce(array_to_tsvector(array_agg(DISTINCT a.lexeme || '_' || b.lexeme)), ''::tsvector) "
        f"FROM w AS a JOIN w AS b ON b.pos = a.pos + 1{keep} $$"
    )


def upgrade() -> None:
    if op.get_context().dialect.name == "sqlite":
        return
    # The stored rows were all made without error, so none needs its pairs made again.
    op.execute(
        _pairs_function(f" WHERE octet_length(a.lexeme) + 1 + octet_length(b.lexeme) <= {LONGEST_LEXEME}")
    )


def downgrade() -> None:
    if op.get_context().dialect.name == "sqlite":
        return
    op.execute(_pairs_function(""))
