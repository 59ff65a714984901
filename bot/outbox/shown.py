"""What the bot showed whom: the modals it opened for a person, and the reminder DMs it sent them.

A click names what to redraw (a view's id, a message's channel and ts) and Slack fills those fields in,
so a forged request could name another person's DM or modal. The bot redraws only what it finds here
for the same workspace and person.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, exists, select
from sqlalchemy.orm import Session

from storage.models import OpenedModal, ReminderDelivery

# How long a modal the bot opened may still be redrawn. Slack keeps a modal until the person closes it;
# nobody leaves one open for a day, and a click on one older than this redraws nothing.
MODAL_LIFETIME = timedelta(hours=24)


def remember_modal(*, session: Session, team_id: str, user_id: str, view_id: str, now: datetime) -> None:
    """The bot opened (or pushed) `view_id` for this person. Their rows too old to be redrawn go now: the
    table stays as small as what people have open, with no job of its own and no other person's rows
    touched (so no two people's transactions wait on each other)."""
    session.execute(
        delete(OpenedModal)
        .where(
            OpenedModal.team_id == team_id,
            OpenedModal.user_id == user_id,
            OpenedModal.opened_at < now - MODAL_LIFETIME,
        )
        .execution_options(synchronize_session=False)
    )
    session.add(OpenedModal(team_id=team_id, user_id=user_id, view_id=view_id, opened_at=now))


def modal_opened_for(*, session: Session, team_id: str, user_id: str, view_id: str, now: datetime) -> bool:
    """Whether the bot opened `view_id` for this person of this workspace, recently enough to redraw."""
    return bool(
        session.scalar(
            select(
                exists().where(
                    OpenedModal.team_id == team_id,
                    OpenedModal.user_id == user_id,
                    OpenedModal.view_id == view_id,
                    OpenedModal.opened_at >= now - MODAL_LIFETIME,
                )
            )
        )
    )


def reminder_sent_to(
    *, session: Session, team_id: str, user_id: str, channel_id: str, message_ts: str
) -> list[int] | None:
    """The follow-ups listed by the reminder DM at `channel_id`/`message_ts`, when the bot recorded sending
    it to this person of this workspace; None when it did not (another person's DM, a channel post,
    another workspace's message, a made-up one)."""
    ids = session.scalar(
        select(ReminderDelivery.follow_up_ids)
        .where(
            ReminderDelivery.team_id == team_id,
            ReminderDelivery.owner_id == user_id,
            ReminderDelivery.channel_id == channel_id,
            ReminderDelivery.message_ts == message_ts,
        )
        .order_by(ReminderDelivery.id.desc())
        .limit(1)
    )
    return None if ids is None else [int(i) for i in ids]
