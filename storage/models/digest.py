"""The weekly digest: a channel's subscription, and one run per subscription and period."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.models.base import TEAM_ID, USER_ID, Base, UTCDateTime, str_enum, utcnow


class RankBy(enum.StrEnum):
    """What orders a digest's themes."""

    ACCOUNTS = "accounts"  # distinct accounts, then lines (the default)
    ARR = "arr"  # the accounts' ARR summed, then distinct accounts


class QuietWeek(enum.StrEnum):
    """What a subscription posts for a period with no interview."""

    NOTE = "note"  # one short line
    NOTHING = "nothing"


class DigestSubscription(Base):
    """A channel that gets the digest every week, on a weekday and at a time of a timezone.

    `next_due_at` (UTC) is the end of the next period to post: the scheduler reads only subscriptions
    whose moment has come, through a partial index. A paused subscription (the channel was archived,
    the bot removed) has none, and says why in `paused_reason`.
    """

    __tablename__ = "digest_subscriptions"
    __table_args__ = (
        UniqueConstraint("team_id", "channel_id"),
        Index(
            "ix_digest_subscriptions_next_due_at",
            "next_due_at",
            postgresql_where=text("next_due_at IS NOT NULL"),
            sqlite_where=text("next_due_at IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(TEAM_ID))
    channel_id: Mapped[str] = mapped_column(String(32))
    weekday: Mapped[int] = mapped_column(Integer)  # 0 Monday … 6 Sunday
    minute_of_day: Mapped[int] = mapped_column(Integer)  # local time, 0 … 1439
    timezone: Mapped[str] = mapped_column(String(64))
    quiet: Mapped[QuietWeek] = mapped_column(str_enum(QuietWeek, "quiet_week"), default=QuietWeek.NOTE)
    rank_by: Mapped[RankBy] = mapped_column(
        str_enum(RankBy, "rank_by"), default=RankBy.ACCOUNTS, server_default=RankBy.ACCOUNTS.value
    )
    created_by: Mapped[str] = mapped_column(String(USER_ID))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    next_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    paused_reason: Mapped[str | None] = mapped_column(String(64))
    paused_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class DigestRunState(enum.StrEnum):
    PENDING = "pending"  # claimed: being posted, waiting to retry, or its poster died (the lease runs out)
    SENT = "sent"
    QUIET = "quiet"  # a period with no interview, for a subscription that posts nothing then
    MISSED = "missed"  # the bot was down past the end of the period: skipped, and recorded
    FAILED = "failed"  # Slack said it can never be posted (the channel is gone); the subscription paused


class DigestRun(Base):
    """One digest, for one subscription and one period: the unit replicas claim, so it is posted once.

    The period is the seven days before `period_end`. Posting goes in steps (the channel message, then
    each reply in its thread, then the chart), each recorded as it is done, so a replica that takes over
    from one that died goes on from where it stopped.
    """

    __tablename__ = "digest_runs"
    __table_args__ = (
        UniqueConstraint("subscription_id", "period_end"),
        Index(
            "ix_digest_runs_pending_lease",
            "lease_until",
            postgresql_where=text("state = 'pending'"),
            sqlite_where=text("state = 'pending'"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(TEAM_ID))
    subscription_id: Mapped[int] = mapped_column(
        ForeignKey("digest_subscriptions.id", ondelete="CASCADE"), index=True
    )
    period_end: Mapped[datetime] = mapped_column(UTCDateTime())
    state: Mapped[DigestRunState] = mapped_column(
        str_enum(DigestRunState, "digest_run_state"), default=DigestRunState.PENDING
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    lease_owner: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Set right before the channel message is posted, cleared when Slack said no: while set without a
    # message_ts, the message may be in the channel already (look before posting again).
    send_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    message_ts: Mapped[str | None] = mapped_column(String(32))
    replies_posted: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    chart_done: Mapped[bool] = mapped_column(default=False, server_default=text("false"))
    # The lines quoted, so that the next digest quotes others: [["pain", 12], ["quote", 7], ...].
    quoted: Mapped[list[list[object]]] = mapped_column(JSON, default=list)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    error: Mapped[str | None] = mapped_column(String(64))

    subscription: Mapped[DigestSubscription] = relationship()
