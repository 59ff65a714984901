"""themes: the cut follows the lines; a workspace keeps where its last full regroup cut

The similarity at which groups stop merging is now set from how close a workspace's lines are to their
nearest neighbours (hurried pain lines are far less alike than short queries). A full regroup sets it;
`theme_upkeep.group_at` keeps it so the partial regroups in between cut at the same place. Empty until the
next full regroup, which then sets it.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-07 18:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("theme_upkeep", sa.Column("group_at", sa.Float(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("theme_upkeep") as batch:
        batch.drop_column("group_at")
