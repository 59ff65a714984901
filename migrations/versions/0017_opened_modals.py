"""opened_modals: the views the bot opened, per person, so a click redraws only a modal the bot opened for
the one who clicked

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-09 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "opened_modals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("view_id", sa.String(length=32), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_opened_modals")),
    )
    op.create_index(
        "ix_opened_modals_team_id_user_id_view_id", "opened_modals", ["team_id", "user_id", "view_id"]
    )


def downgrade() -> None:
    op.drop_index("ix_opened_modals_team_id_user_id_view_id", table_name="opened_modals")
    op.drop_table("opened_modals")
