"""topics: the areas above themes

A topic groups themes of one kind (pains, or requests) the way a product manager files them ("Sign-in and
SSO", "Onboarding"). `themes.topic_id` says which; `themes.topic_placed_by` is set when a person put the
theme there, and the topics are then remade around it. Existing themes get their topics at the themes'
next upkeep pass.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-07 19:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DUE = "recount_due_at IS NOT NULL"


def upgrade() -> None:
    op.create_table(
        "topics",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "pain", "request", name="theme_kind", native_enum=False, create_constraint=True, length=32
            ),
            nullable=False,
        ),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("named_by", sa.String(length=32), nullable=True),
        sa.Column("accounts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("counted_from", sa.String(length=40), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_topics")),
    )
    op.create_index("ix_topics_team_id_kind", "topics", ["team_id", "kind"])
    if op.get_context().dialect.name == "sqlite":
        # SQLite adds a named foreign key only by copying the table; the copy would lose the partial
        # index, so it goes first and comes back after.
        op.drop_index("ix_themes_recount_due_at", table_name="themes")
        with op.batch_alter_table("themes") as batch:
            batch.add_column(sa.Column("topic_id", sa.Integer(), nullable=True))
            batch.add_column(sa.Column("topic_placed_by", sa.String(length=32), nullable=True))
            batch.create_foreign_key(
                op.f("fk_themes_topic_id_topics"), "topics", ["topic_id"], ["id"], ondelete="SET NULL"
            )
            batch.create_index(op.f("ix_themes_topic_id"), ["topic_id"])
        op.create_index("ix_themes_recount_due_at", "themes", ["recount_due_at"], sqlite_where=sa.text(DUE))
        return
    op.add_column("themes", sa.Column("topic_id", sa.Integer(), nullable=True))
    op.add_column("themes", sa.Column("topic_placed_by", sa.String(length=32), nullable=True))
    op.create_foreign_key(
        op.f("fk_themes_topic_id_topics"), "themes", "topics", ["topic_id"], ["id"], ondelete="SET NULL"
    )
    op.create_index(op.f("ix_themes_topic_id"), "themes", ["topic_id"])


def downgrade() -> None:
    if op.get_context().dialect.name == "sqlite":
        op.drop_index("ix_themes_recount_due_at", table_name="themes")
        with op.batch_alter_table("themes") as batch:
            batch.drop_index(op.f("ix_themes_topic_id"))
            batch.drop_constraint(op.f("fk_themes_topic_id_topics"), type_="foreignkey")
            batch.drop_column("topic_placed_by")
            batch.drop_column("topic_id")
        op.create_index("ix_themes_recount_due_at", "themes", ["recount_due_at"], sqlite_where=sa.text(DUE))
    else:
        op.drop_index(op.f("ix_themes_topic_id"), table_name="themes")
        op.drop_constraint(op.f("fk_themes_topic_id_topics"), "themes", type_="foreignkey")
        op.drop_column("themes", "topic_placed_by")
        op.drop_column("themes", "topic_id")
    op.drop_index("ix_topics_team_id_kind", table_name="topics")
    op.drop_table("topics")
