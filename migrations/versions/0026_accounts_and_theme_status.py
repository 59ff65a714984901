"""accounts that carry their weight, and a theme's status

Accounts gain an owner (a Slack user), a segment, annual revenue (whole units of the workspace's currency),
a CRM link and a status (customer, prospect, churned); `workspaces` holds each workspace's currency.
Themes gain a status (open, planned, in progress, shipped, won't do) with its note, link, who and when;
`theme_status_changes` keeps every change (the digest's "Shipped: …", and where closing the loop starts).

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-07 22:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0026"
down_revision: str | None = "0025"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

THEME_STATUSES = ("open", "planned", "in_progress", "shipped", "wont_do")
ACCOUNT_STATUSES = ("customer", "prospect", "churned")


def _enum(name: str, values: tuple[str, ...]) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=32)


def _add_checked(table: str, column: str, name: str, values: tuple[str, ...], default: str | None) -> None:
    """A column with the CHECK its enum needs. SQLite takes the CHECK inline in ADD COLUMN (Alembic would
    copy the table, losing its partial indexes): written here."""
    if op.get_context().dialect.name == "sqlite":
        listed = ", ".join(f"'{v}'" for v in values)
        nullity = f" DEFAULT '{default}' NOT NULL" if default else ""
        op.execute(
            f"ALTER TABLE {table} ADD COLUMN {column} VARCHAR(32){nullity} "
            f"CONSTRAINT ck_{table}_{name} CHECK ({column} IN ({listed}))"
        )
        return
    op.add_column(
        table,
        sa.Column(
            column,
            _enum(name, values),
            nullable=default is None,
            server_default=default,
        ),
    )


def upgrade() -> None:
    op.create_table(
        "workspaces",
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("currency", sa.String(length=3), server_default="USD", nullable=False),
        sa.PrimaryKeyConstraint("team_id", name=op.f("pk_workspaces")),
    )
    op.add_column("accounts", sa.Column("owner_id", sa.String(length=32), nullable=True))
    op.add_column("accounts", sa.Column("segment", sa.String(length=100), nullable=True))
    op.add_column("accounts", sa.Column("arr", sa.BigInteger(), nullable=True))
    op.add_column("accounts", sa.Column("crm_url", sa.Text(), nullable=True))
    _add_checked("accounts", "status", "account_status", ACCOUNT_STATUSES, None)
    _add_checked("themes", "status", "theme_status", THEME_STATUSES, "open")
    op.add_column("themes", sa.Column("status_note", sa.Text(), nullable=True))
    op.add_column("themes", sa.Column("status_link", sa.Text(), nullable=True))
    op.add_column("themes", sa.Column("status_by", sa.String(length=32), nullable=True))
    op.add_column("themes", sa.Column("status_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "theme_status_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("theme_id", sa.Integer(), nullable=False),
        sa.Column("from_status", _enum("from_status", THEME_STATUSES), nullable=False),
        sa.Column("to_status", _enum("to_status", THEME_STATUSES), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("link", sa.Text(), nullable=True),
        sa.Column("changed_by", sa.String(length=32), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["theme_id"],
            ["themes.id"],
            name=op.f("fk_theme_status_changes_theme_id_themes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_theme_status_changes")),
    )
    op.create_index(
        "ix_theme_status_changes_team_id_changed_at", "theme_status_changes", ["team_id", "changed_at"]
    )
    op.create_index(op.f("ix_theme_status_changes_theme_id"), "theme_status_changes", ["theme_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_theme_status_changes_theme_id"), table_name="theme_status_changes")
    op.drop_index("ix_theme_status_changes_team_id_changed_at", table_name="theme_status_changes")
    op.drop_table("theme_status_changes")
    # Plain DROP COLUMN (SQLite 3.35+): none of these is in an index, a key or a trigger.
    for column in ("status_at", "status_by", "status_link", "status_note", "status"):
        op.drop_column("themes", column)
    for column in ("status", "crm_url", "arr", "segment", "owner_id"):
        op.drop_column("accounts", column)
    op.drop_table("workspaces")
