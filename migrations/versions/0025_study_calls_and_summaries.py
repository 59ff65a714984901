"""studies: a scheduled call's study, and a study's closing summary as an outbox message of its own

`scheduled_calls.study_id` is the study a call was scheduled into: its prep DM carries the study's guide
and its debrief's log form opens with the study picked. `study_summary` is the outbox kind of the post a
study's close sends to its channel.

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-07 22:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0025"
down_revision: str | None = "0024"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KINDS_BEFORE = ("interview_saved", "interview_shared", "share_failed", "call_scheduled", "digest_paused")
KINDS_AFTER = (*KINDS_BEFORE, "study_summary")
# The outbox's partial indexes: a batch copy on SQLite would lose them, so they go first and come back.
PARTIAL = (
    ("ix_outbox_messages_pending_next_attempt_at", ["next_attempt_at"], "state = 'pending'"),
    ("ix_outbox_messages_failed_team_id_user_id", ["team_id", "user_id"], "state = 'failed'"),
    ("ix_outbox_messages_redraw_at", ["redraw_at"], "redraw_at IS NOT NULL"),
)


def _kinds(kinds: tuple[str, ...]) -> None:
    sqlite = op.get_context().dialect.name == "sqlite"
    if sqlite:
        for name, _, _ in PARTIAL:
            op.drop_index(name, table_name="outbox_messages")
    with op.batch_alter_table("outbox_messages") as batch:
        batch.drop_constraint(op.f("ck_outbox_messages_outbox_kind"), type_="check")
        batch.create_check_constraint(op.f("ck_outbox_messages_outbox_kind"), sa.text(f"kind IN {kinds}"))
    if sqlite:
        for name, columns, where in PARTIAL:
            op.create_index(name, "outbox_messages", columns, sqlite_where=sa.text(where))


def upgrade() -> None:
    with op.batch_alter_table("scheduled_calls") as batch:
        batch.add_column(sa.Column("study_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_scheduled_calls_study_id_studies"), "studies", ["study_id"], ["id"], ondelete="SET NULL"
        )
    _kinds(KINDS_AFTER)


def downgrade() -> None:
    op.execute("DELETE FROM outbox_messages WHERE kind = 'study_summary'")
    _kinds(KINDS_BEFORE)
    with op.batch_alter_table("scheduled_calls") as batch:
        batch.drop_constraint(op.f("fk_scheduled_calls_study_id_studies"), type_="foreignkey")
        batch.drop_column("study_id")
