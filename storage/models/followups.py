"""Follow-ups, reminder deliveries, scheduled calls, and the people reminders go to."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.models.base import TEAM_ID, USER_ID, Base, UTCDateTime, str_enum, utcnow
from storage.models.interviews import Account, Interview


class FollowUpKind(enum.StrEnum):
    THANK_YOU = "thank_you"
    SUMMARY = "summary"
    PROMISE = "promise"
    PREP = "prep"  # before a scheduled call: its goal, a checklist, the account's history
    DEBRIEF = "debrief"  # after a scheduled call: how did it go? log it
    # A theme the person's customers raised was shipped (or will not be done): tell those customers.
    TELL_SHIPPED = "tell_shipped"
    TELL_WONT_DO = "tell_wont_do"

    @property
    def on_the_clock(self) -> bool:
        """Tied to a call's time: sent when due even outside working hours, and once."""
        return self in (FollowUpKind.PREP, FollowUpKind.DEBRIEF)

    @property
    def tells(self) -> bool:
        """Closing the loop: lists the person's accounts to tell about a theme, each marked told alone."""
        return self in (FollowUpKind.TELL_SHIPPED, FollowUpKind.TELL_WONT_DO)


class FollowUpState(enum.StrEnum):
    OPEN = "open"
    DONE = "done"
    SNOOZED = "snoozed"
    SKIPPED = "skipped"


# Still owed: reminded, listed as open, closed by Done or Skip.
OWED = (FollowUpState.OPEN, FollowUpState.SNOOZED)


class FollowUp(Base):
    """Something someone owes after a call.

    `remind_at` is when the next reminder is due (None: none will be sent: closed, reminded enough, or
    undeliverable). The scheduler reads only rows with a remind_at in the past, through a partial index,
    so a tick costs what is due, not what is stored.
    """

    __tablename__ = "follow_ups"
    __table_args__ = (
        Index("ix_follow_ups_team_id_owner_id_state", "team_id", "owner_id", "state"),
        # The team's open and overdue follow-ups (the digest's follow-up health), counted from the index.
        Index("ix_follow_ups_team_id_state_due_at", "team_id", "state", "due_at"),
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
        # Closing a theme's loop: one follow-up per person, theme and kind, whichever replica plans it.
        Index(
            "uq_follow_ups_theme_id_owner_id_kind",
            "theme_id",
            "owner_id",
            "kind",
            unique=True,
            postgresql_where=text("theme_id IS NOT NULL"),
            sqlite_where=text("theme_id IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(TEAM_ID))
    interview_id: Mapped[int | None] = mapped_column(
        ForeignKey("interviews.id", ondelete="CASCADE"), index=True
    )
    owner_id: Mapped[str] = mapped_column(String(USER_ID))
    kind: Mapped[FollowUpKind] = mapped_column(str_enum(FollowUpKind, "follow_up_kind"))
    description: Mapped[str] = mapped_column(Text)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    state: Mapped[FollowUpState] = mapped_column(
        str_enum(FollowUpState, "follow_up_state"), default=FollowUpState.OPEN
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
    # The theme whose customers to tell (a TELL_* follow-up); its name is in the description too.
    theme_id: Mapped[int | None] = mapped_column(ForeignKey("themes.id", ondelete="SET NULL"))

    interview: Mapped[Interview | None] = relationship(back_populates="follow_ups")
    scheduled_call: Mapped[ScheduledCall | None] = relationship()
    tells: Mapped[list[CustomerTell]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, order_by="CustomerTell.id"
    )


class CustomerTell(Base):
    """One line a customer said, listed in a closing-the-loop follow-up: the account to tell about it.

    The line's row is referenced with ON DELETE CASCADE, so a line deleted after the follow-up was made
    (its interview deleted, the account forgotten) drops out of it. An account is told when its rows in
    the follow-up are marked (Done on that account, or on the whole follow-up)."""

    __tablename__ = "customer_tells"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(TEAM_ID))
    follow_up_id: Mapped[int] = mapped_column(ForeignKey("follow_ups.id", ondelete="CASCADE"), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    pain_id: Mapped[int | None] = mapped_column(ForeignKey("pains.id", ondelete="CASCADE"), index=True)
    request_id: Mapped[int | None] = mapped_column(
        ForeignKey("customer_requests.id", ondelete="CASCADE"), index=True
    )
    told_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    told_by: Mapped[str | None] = mapped_column(String(USER_ID))


class OwnerSummary(Base):
    """An account owner's daily summary of the calls others had with their accounts: one row per owner
    and day summed up, taken in the transaction that queues the DM, so replicas send it once."""

    __tablename__ = "owner_summaries"

    team_id: Mapped[str] = mapped_column(String(TEAM_ID), primary_key=True)
    owner_id: Mapped[str] = mapped_column(String(USER_ID), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)  # the owner's local day the calls were logged
    calls: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


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
    # The study it was scheduled into: its prep DM carries the study's guide, its debrief logs into it.
    study_id: Mapped[int | None] = mapped_column(ForeignKey("studies.id", ondelete="SET NULL"))

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
        # A person's latest DMs, newest first: what a click on the App Home redraws, and a deletion.
        Index("ix_reminder_deliveries_team_id_owner_id_id", "team_id", "owner_id", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(TEAM_ID))
    owner_id: Mapped[str] = mapped_column(String(USER_ID))
    state: Mapped[DeliveryState] = mapped_column(
        str_enum(DeliveryState, "delivery_state"), default=DeliveryState.PENDING
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
    # The study they last logged a call into: the log form offers it first while it is open.
    last_study_id: Mapped[int | None] = mapped_column(ForeignKey("studies.id", ondelete="SET NULL"))


class DirectoryRead(Base):
    """When a workspace's member list (users.list) was last read whole, and who is reading it now: a
    lease, so one replica reads it while the others keep sending."""

    __tablename__ = "directory_reads"

    team_id: Mapped[str] = mapped_column(String(TEAM_ID), primary_key=True)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # the last complete read began
    members: Mapped[int | None] = mapped_column(Integer)  # timezones it stored
    lease_owner: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
