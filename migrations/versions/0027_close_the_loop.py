"""close the loop: tell the customers who raised a shipped theme; owners' daily summaries; rank by ARR

`follow_ups.theme_id` and the kinds `tell_shipped` / `tell_wont_do`: one follow-up per person, theme and
kind (a partial unique index), listing in `customer_tells` the lines of the person's accounts (each line
referenced with ON DELETE CASCADE, so a deleted line drops out). `theme_status_changes.tell` asks for the
loop and `loop_at` records that it was planned. `owner_summaries` holds one row per account owner and day
summed up. `digest_subscriptions.rank_by` orders a channel's digest by accounts or by ARR. Two outbox
kinds: the owner's summary DM, and the note that the loop skipped someone who left.

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-07 23:45:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0027"
down_revision: str | None = "0026"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FOLLOW_UP_KINDS_BEFORE = ("thank_you", "summary", "promise", "prep", "debrief")
FOLLOW_UP_KINDS_AFTER = (*FOLLOW_UP_KINDS_BEFORE, "tell_shipped", "tell_wont_do")
OUTBOX_KINDS_BEFORE = (
    "interview_saved",
    "interview_shared",
    "share_failed",
    "call_scheduled",
    "digest_paused",
    "study_summary",
)
OUTBOX_KINDS_AFTER = (*OUTBOX_KINDS_BEFORE, "owner_summary", "loop_skipped")
RANKS = ("accounts", "arr")

# Partial indexes a batch copy on SQLite would lose: dropped first, made again after.
FOLLOW_UP_PARTIAL = (
    ("ix_follow_ups_remind_at", ["remind_at"], "remind_at IS NOT NULL", False),
    (
        "ix_follow_ups_team_id_owner_id_remind_at",
        ["team_id", "owner_id", "remind_at"],
        "remind_at IS NOT NULL",
        False,
    ),
)
THEME_LOOP = (
    "uq_follow_ups_theme_id_owner_id_kind",
    ["theme_id", "owner_id", "kind"],
    "theme_id IS NOT NULL",
    True,
)
OUTBOX_PARTIAL = (
    ("ix_outbox_messages_pending_next_attempt_at", ["next_attempt_at"], "state = 'pending'", False),
    ("ix_outbox_messages_failed_team_id_user_id", ["team_id", "user_id"], "state = 'failed'", False),
    ("ix_outbox_messages_redraw_at", ["redraw_at"], "redraw_at IS NOT NULL", False),
)


def _sqlite() -> bool:
    return op.get_context().dialect.name == "sqlite"


def _partial(table: str, indexes: Sequence[tuple[str, list[str], str, bool]]) -> None:
    for name, columns, where, unique in indexes:
        op.create_index(
            name,
            table,
            columns,
            unique=unique,
            sqlite_where=sa.text(where),
            postgresql_where=sa.text(where),
        )


def _checked_kinds(table: str, check: str, kinds: tuple[str, ...], partial: Sequence, extra=None) -> None:
    """Replace a kind column's CHECK (and, through `extra`, change the table in the same batch)."""
    if _sqlite():
        for name, *_ in partial:
            op.drop_index(name, table_name=table)
    with op.batch_alter_table(table) as batch:
        batch.drop_constraint(op.f(check), type_="check")
        batch.create_check_constraint(op.f(check), sa.text(f"kind IN {kinds}"))
        if extra is not None:
            extra(batch)
    if _sqlite():
        _partial(table, partial)


def upgrade() -> None:
    def add_theme(batch) -> None:
        batch.add_column(sa.Column("theme_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_follow_ups_theme_id_themes"), "themes", ["theme_id"], ["id"], ondelete="SET NULL"
        )

    _checked_kinds(
        "follow_ups", "ck_follow_ups_follow_up_kind", FOLLOW_UP_KINDS_AFTER, FOLLOW_UP_PARTIAL, add_theme
    )
    _partial("follow_ups", [THEME_LOOP])
    _checked_kinds("outbox_messages", "ck_outbox_messages_outbox_kind", OUTBOX_KINDS_AFTER, OUTBOX_PARTIAL)

    op.create_table(
        "customer_tells",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("follow_up_id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("pain_id", sa.Integer(), nullable=True),
        sa.Column("request_id", sa.Integer(), nullable=True),
        sa.Column("told_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("told_by", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_customer_tells_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["follow_up_id"],
            ["follow_ups.id"],
            name=op.f("fk_customer_tells_follow_up_id_follow_ups"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["pain_id"], ["pains.id"], name=op.f("fk_customer_tells_pain_id_pains"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["customer_requests.id"],
            name=op.f("fk_customer_tells_request_id_customer_requests"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer_tells")),
    )
    for column in ("follow_up_id", "pain_id", "request_id"):
        op.create_index(op.f(f"ix_customer_tells_{column}"), "customer_tells", [column])

    op.create_table(
        "owner_summaries",
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("owner_id", sa.String(length=32), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("calls", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("team_id", "owner_id", "day", name=op.f("pk_owner_summaries")),
    )

    op.add_column(
        "theme_status_changes", sa.Column("tell", sa.Boolean(), server_default=sa.false(), nullable=False)
    )
    op.add_column("theme_status_changes", sa.Column("loop_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index(
        "ix_theme_status_changes_loop_due",
        "theme_status_changes",
        ["changed_at"],
        sqlite_where=sa.text("tell AND loop_at IS NULL"),
        postgresql_where=sa.text("tell AND loop_at IS NULL"),
    )

    # SQLite takes the CHECK inline in ADD COLUMN (a batch would copy the table and lose its partial index).
    if _sqlite():
        listed = ", ".join(f"'{v}'" for v in RANKS)
        op.execute(
            "ALTER TABLE digest_subscriptions ADD COLUMN rank_by VARCHAR(32) DEFAULT 'accounts' NOT NULL "
            f"CONSTRAINT ck_digest_subscriptions_rank_by CHECK (rank_by IN ({listed}))"
        )
    else:
        op.add_column(
            "digest_subscriptions",
            sa.Column(
                "rank_by",
                sa.Enum(*RANKS, name="rank_by", native_enum=False, create_constraint=True, length=32),
                server_default="accounts",
                nullable=False,
            ),
        )


def downgrade() -> None:
    # Plain DROP COLUMN on SQLite too (3.35+): its CHECK is the column's own, and no index holds it.
    op.drop_column("digest_subscriptions", "rank_by")
    op.drop_index("ix_theme_status_changes_loop_due", table_name="theme_status_changes")
    op.drop_column("theme_status_changes", "loop_at")
    op.drop_column("theme_status_changes", "tell")
    op.drop_table("owner_summaries")
    for column in ("request_id", "pain_id", "follow_up_id"):
        op.drop_index(op.f(f"ix_customer_tells_{column}"), table_name="customer_tells")
    op.drop_table("customer_tells")
    op.execute("DELETE FROM outbox_messages WHERE kind IN ('owner_summary', 'loop_skipped')")
    _checked_kinds("outbox_messages", "ck_outbox_messages_outbox_kind", OUTBOX_KINDS_BEFORE, OUTBOX_PARTIAL)
    op.execute("DELETE FROM follow_ups WHERE kind IN ('tell_shipped', 'tell_wont_do')")
    op.drop_index("uq_follow_ups_theme_id_owner_id_kind", table_name="follow_ups")

    def drop_theme(batch) -> None:
        batch.drop_constraint(op.f("fk_follow_ups_theme_id_themes"), type_="foreignkey")
        batch.drop_column("theme_id")

    _checked_kinds(
        "follow_ups", "ck_follow_ups_follow_up_kind", FOLLOW_UP_KINDS_BEFORE, FOLLOW_UP_PARTIAL, drop_theme
    )
