"""studies: a research effort with a goal and validation points, and the interviews' answers to them

`studies` (unique name per workspace, whatever the case), their owners and validation points; each
interview may be logged into one study (`interviews.study_id`) and answers its points (`point_answers`);
`people.last_study_id` is the study a person last logged into, offered first in the log form.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-07 21:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0024"
down_revision: str | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _enum(name: str, *values: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=32)


def upgrade() -> None:
    op.create_table(
        "studies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("name_key", sa.String(length=80), nullable=False),
        sa.Column("goal", sa.Text(), nullable=False),
        sa.Column("target_interviews", sa.Integer(), nullable=True),
        sa.Column("target_accounts", sa.Text(), nullable=True),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("channel_id", sa.String(length=32), nullable=True),
        sa.Column("state", _enum("study_state", "open", "closed"), nullable=False),
        sa.Column("conclusion", sa.Text(), nullable=True),
        sa.Column("closed_by", sa.String(length=32), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("frozen_sheet", sa.JSON(), nullable=True),
        sa.Column("created_by", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_studies")),
        sa.UniqueConstraint("team_id", "name_key", name=op.f("uq_studies_team_id_name_key")),
    )
    op.create_index("ix_studies_team_id_state", "studies", ["team_id", "state"])
    op.create_table(
        "study_owners",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("study_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["study_id"], ["studies.id"], name=op.f("fk_study_owners_study_id_studies"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_study_owners")),
        sa.UniqueConstraint("study_id", "user_id", name=op.f("uq_study_owners_study_id_user_id")),
    )
    op.create_table(
        "validation_points",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("study_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["study_id"],
            ["studies.id"],
            name=op.f("fk_validation_points_study_id_studies"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_validation_points")),
    )
    op.create_index("ix_validation_points_study_id", "validation_points", ["study_id"])
    op.create_table(
        "point_answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("interview_id", sa.Integer(), nullable=False),
        sa.Column("point_id", sa.Integer(), nullable=False),
        sa.Column(
            "answer",
            _enum("point_answer", "supports", "contradicts", "mixed", "not_discussed"),
            nullable=False,
        ),
        sa.Column("evidence", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["interview_id"],
            ["interviews.id"],
            name=op.f("fk_point_answers_interview_id_interviews"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["point_id"],
            ["validation_points.id"],
            name=op.f("fk_point_answers_point_id_validation_points"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_point_answers")),
        sa.UniqueConstraint("interview_id", "point_id", name=op.f("uq_point_answers_interview_id_point_id")),
    )
    op.create_index("ix_point_answers_point_id", "point_answers", ["point_id"])
    op.create_table(
        "study_interviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("study_id", sa.Integer(), nullable=False),
        sa.Column("interview_id", sa.Integer(), nullable=False),
        sa.Column("added_by", sa.String(length=32), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["study_id"],
            ["studies.id"],
            name=op.f("fk_study_interviews_study_id_studies"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["interview_id"],
            ["interviews.id"],
            name=op.f("fk_study_interviews_interview_id_interviews"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_study_interviews")),
        sa.UniqueConstraint("interview_id", name=op.f("uq_study_interviews_interview_id")),
    )
    op.create_index("ix_study_interviews_study_id", "study_interviews", ["study_id"])
    # `people` has no triggers: a batch copy on SQLite is safe (and how SQLite adds a named foreign key).
    with op.batch_alter_table("people") as batch:
        batch.add_column(sa.Column("last_study_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_people_last_study_id_studies"), "studies", ["last_study_id"], ["id"], ondelete="SET NULL"
        )


def downgrade() -> None:
    with op.batch_alter_table("people") as batch:
        batch.drop_constraint(op.f("fk_people_last_study_id_studies"), type_="foreignkey")
        batch.drop_column("last_study_id")
    op.drop_index("ix_study_interviews_study_id", table_name="study_interviews")
    op.drop_table("study_interviews")
    op.drop_index("ix_point_answers_point_id", table_name="point_answers")
    op.drop_table("point_answers")
    op.drop_index("ix_validation_points_study_id", table_name="validation_points")
    op.drop_table("validation_points")
    op.drop_table("study_owners")
    op.drop_index("ix_studies_team_id_state", table_name="studies")
    op.drop_table("studies")
