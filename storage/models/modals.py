"""The modals the bot opened, and for whom: a click or a submission names the view to redraw by its id,
and Slack fills that id in, so the bot redraws only a view it recorded opening for the same person."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import TEAM_ID, USER_ID, Base, UTCDateTime, utcnow


class OpenedModal(Base):
    """One view the bot opened (views.open) or pushed (views.push) for one person of one workspace.

    Kept in the database, not in a replica's memory: the click that redraws it may reach another
    replica. Rows older than a modal lives are of no use and are deleted as the person opens more."""

    __tablename__ = "opened_modals"
    __table_args__ = (
        # The one question asked, on a click: was this view opened for this person? And a person's rows,
        # for the clean-up as they open another.
        Index("ix_opened_modals_team_id_user_id_view_id", "team_id", "user_id", "view_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(TEAM_ID))
    user_id: Mapped[str] = mapped_column(String(USER_ID))
    view_id: Mapped[str] = mapped_column(String(32))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
