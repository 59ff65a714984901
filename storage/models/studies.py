"""Studies: a research effort with a goal and validation points, the interviews logged into it, and each
interview's answer to each point."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.models.base import TEAM_ID, USER_ID, Base, UTCDateTime, str_enum, utcnow

NAME_LENGTH = 80
POINTS_MAX = 12


class StudyState(enum.StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class Answer(enum.StrEnum):
    """What one interview said to one validation point."""

    SUPPORTS = "supports"
    CONTRADICTS = "contradicts"
    MIXED = "mixed"
    NOT_DISCUSSED = "not_discussed"


class Study(Base):
    """A round of interviews testing a few validation points toward one goal. Its name is unique in its
    workspace whatever the case (`name_key`), so `/interview study NAME` finds one. A closed study keeps
    the sheet as it was when it closed (`frozen_sheet`): later edits of its interviews do not change it."""

    __tablename__ = "studies"
    __table_args__ = (
        UniqueConstraint("team_id", "name_key"),
        Index("ix_studies_team_id_state", "team_id", "state"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(TEAM_ID))
    name: Mapped[str] = mapped_column(String(NAME_LENGTH))
    name_key: Mapped[str] = mapped_column(String(NAME_LENGTH))
    goal: Mapped[str] = mapped_column(Text)
    target_interviews: Mapped[int | None] = mapped_column(Integer)
    target_accounts: Mapped[str | None] = mapped_column(Text)  # free text: "mid-size clinics in Ohio"
    ends_on: Mapped[date | None] = mapped_column(Date)
    channel_id: Mapped[str | None] = mapped_column(String(32))  # where its updates and summary go
    state: Mapped[StudyState] = mapped_column(str_enum(StudyState, "study_state"), default=StudyState.OPEN)
    conclusion: Mapped[str | None] = mapped_column(Text)
    closed_by: Mapped[str | None] = mapped_column(String(USER_ID))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    frozen_sheet: Mapped[dict | None] = mapped_column(JSON)  # type: ignore[type-arg]
    created_by: Mapped[str] = mapped_column(String(USER_ID))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    owners: Mapped[list[StudyOwner]] = relationship(cascade="all, delete-orphan", order_by="StudyOwner.id")
    points: Mapped[list[ValidationPoint]] = relationship(
        cascade="all, delete-orphan", order_by="ValidationPoint.position"
    )


class StudyOwner(Base):
    """A person who runs a study: may edit and close it, with the workspace's admins."""

    __tablename__ = "study_owners"
    __table_args__ = (UniqueConstraint("study_id", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(TEAM_ID))
    study_id: Mapped[int] = mapped_column(ForeignKey("studies.id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(String(USER_ID))


class ValidationPoint(Base):
    """A hypothesis to confirm or refute, or a question to answer, in the study's order. A point taken
    out of a study while interviews answered it is kept, retired (`retired_at`), with their answers."""

    __tablename__ = "validation_points"
    __table_args__ = (Index("ix_validation_points_study_id", "study_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(TEAM_ID))
    study_id: Mapped[int] = mapped_column(ForeignKey("studies.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class StudyInterview(Base):
    """An interview logged into a study (one study at most): a table of its own, so a study's sheet reads
    its interviews by one index however many others the workspace holds."""

    __tablename__ = "study_interviews"
    __table_args__ = (UniqueConstraint("interview_id"), Index("ix_study_interviews_study_id", "study_id"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(TEAM_ID))
    study_id: Mapped[int] = mapped_column(ForeignKey("studies.id", ondelete="CASCADE"))
    interview_id: Mapped[int] = mapped_column(ForeignKey("interviews.id", ondelete="CASCADE"))
    added_by: Mapped[str] = mapped_column(String(USER_ID))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class PointAnswer(Base):
    """One interview's answer to one validation point, with the customer's words for it."""

    __tablename__ = "point_answers"
    __table_args__ = (
        UniqueConstraint("interview_id", "point_id"),
        Index("ix_point_answers_point_id", "point_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(TEAM_ID))
    interview_id: Mapped[int] = mapped_column(ForeignKey("interviews.id", ondelete="CASCADE"))
    point_id: Mapped[int] = mapped_column(ForeignKey("validation_points.id", ondelete="CASCADE"))
    answer: Mapped[Answer] = mapped_column(str_enum(Answer, "point_answer"))
    evidence: Mapped[str | None] = mapped_column(Text)
