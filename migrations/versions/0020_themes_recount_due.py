"""themes recount due: an edit marks the themes whose lines it changed, and they are counted again after
Slack has its answer

Counting a theme again (its size, its accounts, its centre from every member's vector) for each of the
hundreds of themes an edit at the log modal's limits touches took most of the edit's time. `recount_due_at`
says a theme's counts are behind its members, and since when; the request counts it again right after
its answer, and the themes job of any replica whatever a dead process left (through a partial index).

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-03 11:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WHERE = "recount_due_at IS NOT NULL"


def upgrade() -> None:
    op.add_column("themes", sa.Column("recount_due_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index(
        "ix_themes_recount_due_at",
        "themes",
        ["recount_due_at"],
        postgresql_where=sa.text(WHERE),
        sqlite_where=sa.text(WHERE),
    )


def downgrade() -> None:
    op.drop_index("ix_themes_recount_due_at", table_name="themes")
    if op.get_context().dialect.name == "sqlite":  # in place: a batch copy would lose the partial index
        op.execute("ALTER TABLE themes DROP COLUMN recount_due_at")
    else:
        op.drop_column("themes", "recount_due_at")
