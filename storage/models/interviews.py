"""Interviews: accounts, the conversations with them, and their lines (pains, requests, quotes)."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.models.base import TEAM_ID, USER_ID, Base, UTCDateTime, str_enum, utcnow


class InterviewKind(enum.StrEnum):
    DISCOVERY = "discovery"
    SALES_CALL = "sales_call"
    SUCCESS_CHECK_IN = "success_check_in"
    SUPPORT_ESCALATION = "support_escalation"
    CHURN = "churn"
    WIN_LOSS = "win_loss"
    DEMO = "demo"

    @property
    def label(self) -> str:
        return _KIND_LABELS[self]


_KIND_LABELS = {
    InterviewKind.DISCOVERY: "Discovery interview",
    InterviewKind.SALES_CALL: "Sales call",
    InterviewKind.SUCCESS_CHECK_IN: "Success check-in",
    InterviewKind.SUPPORT_ESCALATION: "Support escalation",
    InterviewKind.CHURN: "Churn interview",
    InterviewKind.WIN_LOSS: "Win/loss interview",
    InterviewKind.DEMO: "Demo",
}


class Workspace(Base):
    """What a workspace set for itself: the currency its accounts' revenue is in (ISO 4217)."""

    __tablename__ = "workspaces"

    team_id: Mapped[str] = mapped_column(String(TEAM_ID), primary_key=True)
    currency: Mapped[str] = mapped_column(String(3), default="USD", server_default="USD")


class AccountStatus(enum.StrEnum):
    CUSTOMER = "customer"
    PROSPECT = "prospect"
    CHURNED = "churned"


class Account(Base):
    """A customer company. Its normalised name is unique per workspace."""

    __tablename__ = "accounts"
    __table_args__ = (
        UniqueConstraint("team_id", "normalized_name"),
        # Accounts gone quiet (the digest's coverage) are read from here, not from every interview.
        Index("ix_accounts_team_id_last_held_on", "team_id", "last_held_on"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(TEAM_ID))
    name: Mapped[str] = mapped_column(String(200))
    normalized_name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # The date of its latest interview, kept as interviews are logged.
    last_held_on: Mapped[date | None] = mapped_column(Date)
    # What the team knows of it beside its calls (a CRM's export, or set in Slack): who owns it (the
    # account executive or CSM, a Slack user), its segment or plan, its annual revenue in the workspace's
    # currency (whole units), where it lives in the CRM, and whether it is a customer at all.
    owner_id: Mapped[str | None] = mapped_column(String(USER_ID))
    segment: Mapped[str | None] = mapped_column(String(100))
    arr: Mapped[int | None] = mapped_column(BigInteger)
    crm_url: Mapped[str | None] = mapped_column(Text)
    status: Mapped[AccountStatus | None] = mapped_column(str_enum(AccountStatus, "account_status"))

    interviews: Mapped[list[Interview]] = relationship(back_populates="account")


class Interview(Base):
    """One conversation with one account."""

    __tablename__ = "interviews"
    __table_args__ = (
        # A view submission is stored once, even if Slack or the user sends it twice.
        UniqueConstraint("team_id", "source_view_id"),
        Index("ix_interviews_team_id_logged_by_held_on", "team_id", "logged_by", "held_on"),
        # An account's interviews by date: its timeline, and when it was first talked to (the digest's new
        # accounts), read from the index alone.
        Index("ix_interviews_team_id_account_id_held_on", "team_id", "account_id", "held_on"),
        # A digest reads one period (and the eight before it): its cost follows the period, not the history.
        Index("ix_interviews_team_id_held_on", "team_id", "held_on"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(TEAM_ID))
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="RESTRICT"))
    kind: Mapped[InterviewKind] = mapped_column(str_enum(InterviewKind, "interview_kind"))
    held_on: Mapped[date] = mapped_column(Date)
    logged_by: Mapped[str] = mapped_column(String(USER_ID))
    logged_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    contact_name: Mapped[str | None] = mapped_column(String(200))
    contact_role: Mapped[str | None] = mapped_column(String(200))
    goal: Mapped[str | None] = mapped_column(Text)
    interpretation: Mapped[str | None] = mapped_column(Text)
    closing_answer: Mapped[str | None] = mapped_column(Text)
    notes: Mapped[str | None] = mapped_column(Text)
    recording_url: Mapped[str | None] = mapped_column(Text)
    recording_permission: Mapped[bool] = mapped_column(Boolean, default=False)
    thank_you_sent: Mapped[bool] = mapped_column(Boolean, default=False)
    share_channel_id: Mapped[str | None] = mapped_column(String(32))
    source_view_id: Mapped[str | None] = mapped_column(String(64))
    # Set while a transaction writes many of its lines: the search index's triggers skip them, and
    # clearing it rewrites its search row once (bot/search/index.py; migration 0017).
    search_paused: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    account: Mapped[Account] = relationship(back_populates="interviews")
    participants: Mapped[list[Participant]] = relationship(
        cascade="all, delete-orphan", order_by="Participant.id"
    )
    pains: Mapped[list[Pain]] = relationship(cascade="all, delete-orphan", order_by="Pain.position")
    requests: Mapped[list[CustomerRequest]] = relationship(
        cascade="all, delete-orphan", order_by="CustomerRequest.position"
    )
    quotes: Mapped[list[Quote]] = relationship(cascade="all, delete-orphan", order_by="Quote.position")
    # FollowUp (storage/models/followups.py) imports this module; SQLAlchemy finds it by name, so this
    # side does not import it back.
    follow_ups: Mapped[list[FollowUp]] = relationship(  # noqa: F821
        back_populates="interview", cascade="all, delete-orphan", order_by="FollowUp.due_at"
    )
    edits: Mapped[list[InterviewEdit]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, order_by="InterviewEdit.id"
    )


class Participant(Base):
    """One of our people who took part in the call."""

    __tablename__ = "participants"
    __table_args__ = (UniqueConstraint("interview_id", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(TEAM_ID))
    interview_id: Mapped[int] = mapped_column(ForeignKey("interviews.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[str] = mapped_column(String(USER_ID))


class _InterviewLine:
    """Pains, requests and quotes: one line of text each, kept in the order typed."""

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(TEAM_ID))
    position: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)


class _Themed:
    """Pains and requests are grouped into themes.

    `embedding` is computed once (by the method named in `embedded_with`) and stored. `theme_id` None
    with an embedding means the line waits in the pool for the next re-clustering. `placed_by` is the
    person who put the line where it is by hand (into a theme, or out of any): the engine never moves it.
    """

    theme_id: Mapped[int | None] = mapped_column(ForeignKey("themes.id", ondelete="SET NULL"), index=True)
    # The interview's account, kept on the line: "has this account raised this theme before?" is then one
    # index seek, so a theme's count of accounts is kept as lines join it, whatever the history.
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="RESTRICT"))
    placed_by: Mapped[str | None] = mapped_column(String(USER_ID))
    embedding: Mapped[bytes | None] = mapped_column(LargeBinary)
    embedded_with: Mapped[str | None] = mapped_column(String(64))


class Pain(_InterviewLine, _Themed, Base):
    __tablename__ = "pains"
    __table_args__ = (
        # The upkeep job finds what it has not embedded yet without reading everything.
        Index(
            "ix_pains_not_embedded",
            "team_id",
            postgresql_where=text("embedded_with IS NULL"),
            sqlite_where=text("embedded_with IS NULL"),
        ),
        Index("ix_pains_theme_id_account_id", "theme_id", "account_id"),
        # A workspace's lines, counted at each upkeep pass and sampled for labels: a seek, not a scan.
        Index("ix_pains_team_id", "team_id"),
    )
    interview_id: Mapped[int] = mapped_column(ForeignKey("interviews.id", ondelete="CASCADE"), index=True)


class CustomerRequest(_InterviewLine, _Themed, Base):
    """A solution the customer asked for; kept apart from the pain behind it."""

    __tablename__ = "customer_requests"
    __table_args__ = (
        Index(
            "ix_customer_requests_not_embedded",
            "team_id",
            postgresql_where=text("embedded_with IS NULL"),
            sqlite_where=text("embedded_with IS NULL"),
        ),
        Index("ix_customer_requests_theme_id_account_id", "theme_id", "account_id"),
        Index("ix_customer_requests_team_id", "team_id"),
    )
    interview_id: Mapped[int] = mapped_column(ForeignKey("interviews.id", ondelete="CASCADE"), index=True)


class Quote(_InterviewLine, Base):
    """What they said, word for word."""

    __tablename__ = "quotes"
    interview_id: Mapped[int] = mapped_column(ForeignKey("interviews.id", ondelete="CASCADE"), index=True)


class InterviewEdit(Base):
    """One edit of an interview by its author: who, when, and which fields (the log modal's field names)
    changed. Shown under the interview, so readers know what they read was corrected."""

    __tablename__ = "interview_edits"
    __table_args__ = (Index("ix_interview_edits_team_id_interview_id", "team_id", "interview_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(TEAM_ID))
    interview_id: Mapped[int] = mapped_column(ForeignKey("interviews.id", ondelete="CASCADE"))
    edited_by: Mapped[str] = mapped_column(String(USER_ID))
    edited_at: Mapped[datetime] = mapped_column(UTCDateTime())
    fields: Mapped[list[str]] = mapped_column(JSON)
