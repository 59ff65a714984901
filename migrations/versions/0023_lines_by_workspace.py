"""lines by workspace: pains and requests indexed by team_id

Each upkeep pass counts a workspace's lines (is a full regroup due?) and samples them for labels; without
an index on team_id both read every workspace's lines.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-07 20:00:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0023"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_pains_team_id", "pains", ["team_id"])
    op.create_index("ix_customer_requests_team_id", "customer_requests", ["team_id"])


def downgrade() -> None:
    op.drop_index("ix_customer_requests_team_id", table_name="customer_requests")
    op.drop_index("ix_pains_team_id", table_name="pains")
