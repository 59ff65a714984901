"""The outbox: messages that matter to a person (the saved-interview confirmation, a share into a channel,
a scheduled call's confirmation, a notice that a digest paused), recorded in the transaction of what they
confirm and sent after it commits."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import TEAM_ID, USER_ID, Base, UTCDateTime, str_enum, utcnow


class OutboxKind(enum.StrEnum):
    INTERVIEW_SAVED = "interview_saved"  # the DM that says an interview was stored
    INTERVIEW_SHARED = "interview_shared"  # the interview posted into the channel its author chose
    SHARE_FAILED = "share_failed"  # the DM that says the share could not be posted, and why
    CALL_SCHEDULED = "call_scheduled"  # the DM that confirms a scheduled call
    DIGEST_PAUSED = "digest_paused"  # the DM that says a subscription paused, and why
    STUDY_SUMMARY = "study_summary"  # a closed study's summary, posted to its channel
    OWNER_SUMMARY = "owner_summary"  # an account owner's daily DM: the calls others had with their accounts
    LOOP_SKIPPED = "loop_skipped"  # closing a theme's loop skipped someone who left: who set the status hears


class OutboxState(enum.StrEnum):
    PENDING = "pending"  # waiting for its next attempt, or being sent under a lease
    SENT = "sent"
    FAILED = "failed"  # Slack said it can never be delivered, or the bot gave up after a day of tries


class OutboxMessage(Base):
    """One message to send: a DM (channel_id is the person's user id) or a channel post.

    `next_attempt_at` is when any replica may take it: now when recorded, later after a failure (back-off),
    the end of the lease while one replica sends it. The scheduler reads only pending rows through a
    partial index, so a tick costs what is due. A message that failed for good is told to its person
    another way (App Home, the next command) and `told_at` records that they were.
    """

    __tablename__ = "outbox_messages"
    __table_args__ = (
        Index(
            "ix_outbox_messages_pending_next_attempt_at",
            "next_attempt_at",
            postgresql_where=text("state = 'pending'"),
            sqlite_where=text("state = 'pending'"),
        ),
        # A person's failures not yet told, read on every command: only failed rows are in it.
        Index(
            "ix_outbox_messages_failed_team_id_user_id",
            "team_id",
            "user_id",
            postgresql_where=text("state = 'failed'"),
            sqlite_where=text("state = 'failed'"),
        ),
        # Sent messages whose post is behind what they now say (an edit): only those are in it.
        Index(
            "ix_outbox_messages_redraw_at",
            "redraw_at",
            postgresql_where=text("redraw_at IS NOT NULL"),
            sqlite_where=text("redraw_at IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(TEAM_ID))
    # The person the message matters to: told another way when it cannot be delivered.
    user_id: Mapped[str] = mapped_column(String(USER_ID))
    kind: Mapped[OutboxKind] = mapped_column(str_enum(OutboxKind, "outbox_kind"))
    channel_id: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text)
    blocks: Mapped[list[dict[str, object]] | None] = mapped_column(JSON)
    # What the message is about, in a few words, for a notice that it failed ("your interview with Acme").
    about: Mapped[str] = mapped_column(String(200))
    interview_id: Mapped[int | None] = mapped_column(Integer)
    state: Mapped[OutboxState] = mapped_column(
        str_enum(OutboxState, "outbox_state"), default=OutboxState.PENDING
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    lease_owner: Mapped[str | None] = mapped_column(String(64))
    # Set right before posting, cleared when Slack said no: while set, the message may be in Slack already.
    send_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    posted_channel_id: Mapped[str | None] = mapped_column(String(32))
    message_ts: Mapped[str | None] = mapped_column(String(32))
    error: Mapped[str | None] = mapped_column(String(200))
    failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    told_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # A sent message whose post in Slack is behind what it now says (its interview was edited): when any
    # replica may update the post (the end of the lease while one does); None once Slack shows it.
    redraw_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
