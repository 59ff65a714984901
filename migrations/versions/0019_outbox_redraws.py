"""outbox redraws: a sent message its interview's edit changed says so until Slack shows the change

An edit redrew the confirmation DM and the channel post after its answer to Slack, from memory: a
restart in between left them showing the interview as it was. `redraw_at` (set in the edit's
transaction) says a sent message's post is behind what it now says, and from when any replica may update
it (now; the end of a lease while one does); the scheduler's outbox tick reads it through a partial index.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-03 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WHERE = "redraw_at IS NOT NULL"


def upgrade() -> None:
    op.add_column("outbox_messages", sa.Column("redraw_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index(
        "ix_outbox_messages_redraw_at",
        "outbox_messages",
        ["redraw_at"],
        postgresql_where=sa.text(WHERE),
        sqlite_where=sa.text(WHERE),
    )


def downgrade() -> None:
    op.drop_index("ix_outbox_messages_redraw_at", table_name="outbox_messages")
    if op.get_context().dialect.name == "sqlite":  # in place: a batch copy would lose the partial indexes
        op.execute("ALTER TABLE outbox_messages DROP COLUMN redraw_at")
    else:
        op.drop_column("outbox_messages", "redraw_at")
