"""the weekly digest: subscriptions and runs; each pain and request carries its account, each theme its
count of accounts, each account the date of its latest interview; interviews and open follow-ups read by
index

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29 19:35:34.268461
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "digest_subscriptions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("channel_id", sa.String(length=32), nullable=False),
        sa.Column("weekday", sa.Integer(), nullable=False),
        sa.Column("minute_of_day", sa.Integer(), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column(
            "quiet",
            sa.Enum(
                "note", "nothing", name="quiet_week", native_enum=False, create_constraint=True, length=32
            ),
            nullable=False,
        ),
        sa.Column("created_by", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("next_due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("paused_reason", sa.String(length=64), nullable=True),
        sa.Column("paused_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_digest_subscriptions")),
        sa.UniqueConstraint("team_id", "channel_id", name=op.f("uq_digest_subscriptions_team_id_channel_id")),
    )
    with op.batch_alter_table("digest_subscriptions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_digest_subscriptions_next_due_at",
            ["next_due_at"],
            unique=False,
            postgresql_where=sa.text("next_due_at IS NOT NULL"),
            sqlite_where=sa.text("next_due_at IS NOT NULL"),
        )

    op.create_table(
        "digest_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("subscription_id", sa.Integer(), nullable=False),
        sa.Column("period_end", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "pending",
                "sent",
                "quiet",
                "missed",
                "failed",
                name="digest_run_state",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("lease_owner", sa.String(length=64), nullable=True),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("send_started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("message_ts", sa.String(length=32), nullable=True),
        sa.Column("replies_posted", sa.Integer(), server_default="0", nullable=False),
        sa.Column("chart_done", sa.Boolean(), server_default=sa.text("(false)"), nullable=False),
        sa.Column("quoted", sa.JSON(), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("error", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["subscription_id"],
            ["digest_subscriptions.id"],
            name=op.f("fk_digest_runs_subscription_id_digest_subscriptions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_digest_runs")),
        sa.UniqueConstraint(
            "subscription_id", "period_end", name=op.f("uq_digest_runs_subscription_id_period_end")
        ),
    )
    with op.batch_alter_table("digest_runs", schema=None) as batch_op:
        batch_op.create_index(
            "ix_digest_runs_pending_lease",
            ["lease_until"],
            unique=False,
            postgresql_where=sa.text("state = 'pending'"),
            sqlite_where=sa.text("state = 'pending'"),
        )
        batch_op.create_index(batch_op.f("ix_digest_runs_subscription_id"), ["subscription_id"], unique=False)

    with op.batch_alter_table("customer_requests", schema=None) as batch_op:
        batch_op.add_column(sa.Column("account_id", sa.Integer(), nullable=True))
    op.execute(
        "UPDATE customer_requests SET account_id = "
        "(SELECT interviews.account_id FROM interviews WHERE interviews.id = customer_requests.interview_id)"
    )
    with op.batch_alter_table("customer_requests", schema=None) as batch_op:
        batch_op.alter_column("account_id", existing_type=sa.Integer(), nullable=False)
        batch_op.create_index(
            "ix_customer_requests_theme_id_account_id", ["theme_id", "account_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_customer_requests_account_id_accounts"),
            "accounts",
            ["account_id"],
            ["id"],
            ondelete="RESTRICT",
        )

    with op.batch_alter_table("interviews", schema=None) as batch_op:
        batch_op.create_index("ix_interviews_team_id_held_on", ["team_id", "held_on"], unique=False)
        batch_op.drop_index("ix_interviews_team_id_account_id")
        batch_op.create_index(
            "ix_interviews_team_id_account_id_held_on", ["team_id", "account_id", "held_on"], unique=False
        )

    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("last_held_on", sa.Date(), nullable=True))
        batch_op.create_index("ix_accounts_team_id_last_held_on", ["team_id", "last_held_on"], unique=False)
    op.execute(
        "UPDATE accounts SET last_held_on = "
        "(SELECT MAX(interviews.held_on) FROM interviews WHERE interviews.account_id = accounts.id)"
    )

    with op.batch_alter_table("follow_ups", schema=None) as batch_op:
        batch_op.create_index(
            "ix_follow_ups_team_id_state_due_at", ["team_id", "state", "due_at"], unique=False
        )

    with op.batch_alter_table("pains", schema=None) as batch_op:
        batch_op.add_column(sa.Column("account_id", sa.Integer(), nullable=True))
    op.execute(
        "UPDATE pains SET account_id = "
        "(SELECT interviews.account_id FROM interviews WHERE interviews.id = pains.interview_id)"
    )
    with op.batch_alter_table("pains", schema=None) as batch_op:
        batch_op.alter_column("account_id", existing_type=sa.Integer(), nullable=False)
        batch_op.create_index("ix_pains_theme_id_account_id", ["theme_id", "account_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_pains_account_id_accounts"),
            "accounts",
            ["account_id"],
            ["id"],
            ondelete="RESTRICT",
        )

    with op.batch_alter_table("themes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("accounts", sa.Integer(), server_default="0", nullable=False))
    for kind, table in (("pain", "pains"), ("request", "customer_requests")):
        op.execute(
            f"UPDATE themes SET accounts = (SELECT COUNT(DISTINCT {table}.account_id) FROM {table} "
            f"WHERE {table}.theme_id = themes.id) WHERE themes.kind = '{kind}'"
        )


def downgrade() -> None:
    with op.batch_alter_table("themes", schema=None) as batch_op:
        batch_op.drop_column("accounts")

    with op.batch_alter_table("pains", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_pains_account_id_accounts"), type_="foreignkey")
        batch_op.drop_index("ix_pains_theme_id_account_id")
        batch_op.drop_column("account_id")

    with op.batch_alter_table("follow_ups", schema=None) as batch_op:
        batch_op.drop_index("ix_follow_ups_team_id_state_due_at")

    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.drop_index("ix_accounts_team_id_last_held_on")
        batch_op.drop_column("last_held_on")

    with op.batch_alter_table("interviews", schema=None) as batch_op:
        batch_op.drop_index("ix_interviews_team_id_account_id_held_on")
        batch_op.create_index("ix_interviews_team_id_account_id", ["team_id", "account_id"], unique=False)
        batch_op.drop_index("ix_interviews_team_id_held_on")

    with op.batch_alter_table("customer_requests", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_customer_requests_account_id_accounts"), type_="foreignkey")
        batch_op.drop_index("ix_customer_requests_theme_id_account_id")
        batch_op.drop_column("account_id")

    with op.batch_alter_table("digest_runs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_digest_runs_subscription_id"))
        batch_op.drop_index(
            "ix_digest_runs_pending_lease",
            postgresql_where=sa.text("state = 'pending'"),
            sqlite_where=sa.text("state = 'pending'"),
        )

    op.drop_table("digest_runs")
    with op.batch_alter_table("digest_subscriptions", schema=None) as batch_op:
        batch_op.drop_index(
            "ix_digest_subscriptions_next_due_at",
            postgresql_where=sa.text("next_due_at IS NOT NULL"),
            sqlite_where=sa.text("next_due_at IS NOT NULL"),
        )

    op.drop_table("digest_subscriptions")
