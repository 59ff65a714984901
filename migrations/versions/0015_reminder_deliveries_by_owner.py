"""reminder deliveries by owner: a person's latest reminder DMs, newest first

What a Done on the App Home (every DM that listed the item) and a deletion (every DM that listed its
follow-ups) look up; without it each read went through all of a workspace's deliveries.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02 10:45:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_reminder_deliveries_team_id_owner_id_id", "reminder_deliveries", ["team_id", "owner_id", "id"]
    )


def downgrade() -> None:
    op.drop_index("ix_reminder_deliveries_team_id_owner_id_id", table_name="reminder_deliveries")
