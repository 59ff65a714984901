"""one person's due follow-ups are read through a partial index, not through all they ever owned

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 21:05:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_follow_ups_team_id_owner_id_remind_at",
        "follow_ups",
        ["team_id", "owner_id", "remind_at"],
        unique=False,
        postgresql_where=sa.text("remind_at IS NOT NULL"),
        sqlite_where=sa.text("remind_at IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index(
        "ix_follow_ups_team_id_owner_id_remind_at",
        table_name="follow_ups",
        postgresql_where=sa.text("remind_at IS NOT NULL"),
        sqlite_where=sa.text("remind_at IS NOT NULL"),
    )
