"""SQLAlchemy 2 models. Every row carries its workspace (team_id); no Slack code lives here."""

from __future__ import annotations

import enum
from datetime import UTC, date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Enum,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

# Stable constraint names, so Alembic can find and drop them on both SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

TEAM_ID = 32  # Slack ids are short; a little headroom for Enterprise Grid ids.
USER_ID = 32


class UTCDateTime(TypeDecorator[datetime]):
    """Aware datetimes in, aware UTC datetimes out, whatever the backend stores."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: store times in UTC with tzinfo")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


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


class FollowUpKind(enum.StrEnum):
    THANK_YOU = "thank_you"
    SUMMARY = "summary"
    PROMISE = "promise"
    PREP = "prep"  # before a scheduled call: its goal, a checklist, the account's history
    DEBRIEF = "debrief"  # after a scheduled call: how did it go? log it

    @property
    def on_the_clock(self) -> bool:
        """Tied to a call's time: sent when due even outside working hours, and once."""
        return self in (FollowUpKind.PREP, FollowUpKind.DEBRIEF)


class FollowUpState(enum.StrEnum):
    OPEN = "open"
    DONE = "done"
    SNOOZED = "snoozed"
    SKIPPED = "skipped"


def _str_enum(enum_cls: type[enum.StrEnum], name: str) -> Enum:
    # VARCHAR + CHECK on every backend: adding a kind later is a plain migration, not ALTER TYPE.
    return Enum(
        enum_cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=32,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


class Account(Base):
    """A customer company. Its normalised name is unique per workspace."""

    __tablename__ = "accounts"
    __table_args__ = (UniqueConstraint("team_id", "normalized_name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(TEAM_ID))
    name: Mapped[str] = mapped_column(String(200))
    normalized_name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    interviews: Mapped[list[Interview]] = relationship(back_populates="account")


class Interview(Base):
    """One conversation with one account."""

    __tablename__ = "interviews"
    __table_args__ = (
        # A view submission is stored once, even if Slack or the user sends it twice.
        UniqueConstraint("team_id", "source_view_id"),
        Index("ix_interviews_team_id_logged_by_held_on", "team_id", "logged_by", "held_on"),
        Index("ix_interviews_team_id_account_id", "team_id", "account_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(TEAM_ID))
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="RESTRICT"))
    kind: Mapped[InterviewKind] = mapped_column(_str_enum(InterviewKind, "interview_kind"))
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

    account: Mapped[Account] = relationship(back_populates="interviews")
    participants: Mapped[list[Participant]] = relationship(
        cascade="all, delete-orphan", order_by="Participant.id"
    )
    pains: Mapped[list[Pain]] = relationship(cascade="all, delete-orphan", order_by="Pain.position")
    requests: Mapped[list[CustomerRequest]] = relationship(
        cascade="all, delete-orphan", order_by="CustomerRequest.position"
    )
    quotes: Mapped[list[Quote]] = relationship(cascade="all, delete-orphan", order_by="Quote.position")
    follow_ups: Mapped[list[FollowUp]] = relationship(
        back_populates="interview", cascade="all, delete-orphan", order_by="FollowUp.due_at"
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
    )
    interview_id: Mapped[int] = mapped_column(ForeignKey("interviews.id", ondelete="CASCADE"), index=True)


class ThemeKind(enum.StrEnum):
    PAIN = "pain"
    REQUEST = "request"


class Theme(Base):
    """A group of pains (or of requests) that are one problem said in different words.

    Its id is its identity from week to week: re-clustering matches new groups to the themes they
    continue. `named_by` is set when a person renamed it; the engine then never renames it. A theme
    merged into another keeps its row, pointing at the one it became part of.
    """

    __tablename__ = "themes"
    __table_args__ = (Index("ix_themes_team_id_kind", "team_id", "kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(TEAM_ID))
    kind: Mapped[ThemeKind] = mapped_column(_str_enum(ThemeKind, "theme_kind"))
    name: Mapped[str] = mapped_column(String(200))
    named_by: Mapped[str | None] = mapped_column(String(USER_ID))
    # The normalised mean of its members' embeddings, in the method named by embedded_with.
    centroid: Mapped[bytes | None] = mapped_column(LargeBinary)
    embedded_with: Mapped[str | None] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("themes.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ThemeUpkeep(Base):
    """One row per workspace and kind: who is grouping its lines now (a lease, so replicas take turns),
    and when its pool was last re-clustered."""

    __tablename__ = "theme_upkeep"
    __table_args__ = (UniqueConstraint("team_id", "kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(TEAM_ID))
    kind: Mapped[ThemeKind] = mapped_column(_str_enum(ThemeKind, "theme_kind"))
    lease_owner: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The method the workspace's vectors and themes are in; another one running means a rebuild.
    embedded_with: Mapped[str | None] = mapped_column(String(64))
    # Set when a line went to the pool; cleared when the pool is re-clustered.
    pool_grew_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    pool_clustered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The last full regroup: new themes are first made from few lines, so all are regrouped now and then.
    rebuilt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Quote(_InterviewLine, Base):
    """What they said, word for word."""

    __tablename__ = "quotes"
    interview_id: Mapped[int] = mapped_column(ForeignKey("interviews.id", ondelete="CASCADE"), index=True)


class FollowUp(Base):
    """Something someone owes after a call.

    `remind_at` is when the next reminder is due (None: none will be sent: closed, reminded enough, or
    undeliverable). The scheduler reads only rows with a remind_at in the past, through a partial index,
    so a tick costs what is due, not what is stored.
    """

    __tablename__ = "follow_ups"
    __table_args__ = (
        Index("ix_follow_ups_team_id_owner_id_state", "team_id", "owner_id", "state"),
        Index(
            "ix_follow_ups_remind_at",
            "remind_at",
            postgresql_where=text("remind_at IS NOT NULL"),
            sqlite_where=text("remind_at IS NOT NULL"),
        ),
        # One person's due items, read once their delivery slot is taken: without it the read walks
        # everything that person ever owned.
        Index(
            "ix_follow_ups_team_id_owner_id_remind_at",
            "team_id",
            "owner_id",
            "remind_at",
            postgresql_where=text("remind_at IS NOT NULL"),
            sqlite_where=text("remind_at IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(TEAM_ID))
    interview_id: Mapped[int | None] = mapped_column(
        ForeignKey("interviews.id", ondelete="CASCADE"), index=True
    )
    owner_id: Mapped[str] = mapped_column(String(USER_ID))
    kind: Mapped[FollowUpKind] = mapped_column(_str_enum(FollowUpKind, "follow_up_kind"))
    description: Mapped[str] = mapped_column(Text)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    state: Mapped[FollowUpState] = mapped_column(
        _str_enum(FollowUpState, "follow_up_state"), default=FollowUpState.OPEN
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    remind_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reminders_sent: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    last_reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Why reminders stopped for good, when Slack said they cannot be delivered (user_not_found, …).
    undeliverable: Mapped[str | None] = mapped_column(String(64))

    scheduled_call_id: Mapped[int | None] = mapped_column(
        ForeignKey("scheduled_calls.id", ondelete="CASCADE"), index=True
    )

    interview: Mapped[Interview | None] = relationship(back_populates="follow_ups")
    scheduled_call: Mapped[ScheduledCall | None] = relationship()


class ScheduledCall(Base):
    """An upcoming conversation: prep DMs go out before it, a "how did it go?" after it."""

    __tablename__ = "scheduled_calls"
    __table_args__ = (Index("ix_scheduled_calls_team_id_starts_at", "team_id", "starts_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(TEAM_ID))
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="RESTRICT"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    goal: Mapped[str | None] = mapped_column(Text)
    participants: Mapped[list[str]] = mapped_column(JSON)
    created_by: Mapped[str] = mapped_column(String(USER_ID))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    source_view_id: Mapped[str | None] = mapped_column(String(64))

    account: Mapped[Account] = relationship()


class DeliveryState(enum.StrEnum):
    PENDING = "pending"  # claimed: being sent, or its sender died and the lease will run out
    SENT = "sent"
    FAILED = "failed"  # Slack said it can never be delivered
    DEFERRED = "deferred"  # nothing sent: the person paused reminders, or it is outside their hours


class ReminderDelivery(Base):
    """One reminder DM to one person, listing their due follow-ups: the unit the scheduler claims.

    At most one is pending per person (a partial unique index), which is how replicas keep out of each
    other's way; the lease lets another replica take over from one that died.
    """

    __tablename__ = "reminder_deliveries"
    __table_args__ = (
        Index(
            "uq_reminder_deliveries_one_pending_per_person",
            "team_id",
            "owner_id",
            unique=True,
            postgresql_where=text("state = 'pending'"),
            sqlite_where=text("state = 'pending'"),
        ),
        Index(
            "ix_reminder_deliveries_pending_lease",
            "lease_until",
            postgresql_where=text("state = 'pending'"),
            sqlite_where=text("state = 'pending'"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(TEAM_ID))
    owner_id: Mapped[str] = mapped_column(String(USER_ID))
    state: Mapped[DeliveryState] = mapped_column(
        _str_enum(DeliveryState, "delivery_state"), default=DeliveryState.PENDING
    )
    follow_up_ids: Mapped[list[int]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    lease_owner: Mapped[str] = mapped_column(String(64))
    lease_until: Mapped[datetime] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Set right before posting, cleared when Slack said no: while set, the DM may be in Slack already.
    send_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    channel_id: Mapped[str | None] = mapped_column(String(32))
    message_ts: Mapped[str | None] = mapped_column(String(32))
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    error: Mapped[str | None] = mapped_column(String(64))


class Person(Base):
    """What we know of a Slack user of a workspace: their timezone (from users.info), their DM channel, and
    whether they paused reminders (a vacation)."""

    __tablename__ = "people"
    __table_args__ = (UniqueConstraint("team_id", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(TEAM_ID))
    user_id: Mapped[str] = mapped_column(String(USER_ID))
    tz: Mapped[str | None] = mapped_column(String(64))
    tz_fetched_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reminders_paused_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    dm_channel_id: Mapped[str | None] = mapped_column(String(32))
