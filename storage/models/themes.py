"""Themes: groups of pains (or of requests) that are one problem, and who keeps each workspace's."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    Boolean,
    Float,
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
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import TEAM_ID, USER_ID, Base, UTCDateTime, str_enum, utcnow


class ThemeKind(enum.StrEnum):
    PAIN = "pain"
    REQUEST = "request"


class ThemeStatus(enum.StrEnum):
    """Where a theme stands with the product team, in the order a theme moves on (a merge keeps the most
    advanced); "won't do" is a decision, not a step."""

    OPEN = "open"
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    SHIPPED = "shipped"
    WONT_DO = "wont_do"


class Topic(Base):
    """The area a product manager would file themes under ("Sign-in and SSO", "Onboarding"): a group of
    themes of one kind, remade from the themes' centroids after every change to them, matched to the
    topics it continues so its id (and a name a person gave it, `named_by`) lasts."""

    __tablename__ = "topics"
    __table_args__ = (Index("ix_topics_team_id_kind", "team_id", "kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(TEAM_ID))
    kind: Mapped[ThemeKind] = mapped_column(str_enum(ThemeKind, "theme_kind"))
    name: Mapped[str] = mapped_column(String(200))
    named_by: Mapped[str | None] = mapped_column(String(USER_ID))
    # How many accounts ever raised one of its themes, each once; counted again at each upkeep pass, so
    # the digest and the Home tab read it, never count it.
    accounts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # What that count was made from (its themes, their sizes and accounts, hashed): counted again only
    # when it changed, so a pass that placed a few lines does not count a large workspace's history.
    counted_from: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Theme(Base):
    """A group of pains (or of requests) that are one problem said in different words.

    Its id is its identity from week to week: re-clustering matches new groups to the themes they
    continue. `named_by` is set when a person renamed it; the engine then never renames it. A theme
    merged into another keeps its row, pointing at the one it became part of.
    """

    __tablename__ = "themes"
    __table_args__ = (
        Index("ix_themes_team_id_kind", "team_id", "kind"),
        # Themes whose counts are behind their members (an edit moved lines): only those are in it.
        Index(
            "ix_themes_recount_due_at",
            "recount_due_at",
            postgresql_where=text("recount_due_at IS NOT NULL"),
            sqlite_where=text("recount_due_at IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(TEAM_ID))
    kind: Mapped[ThemeKind] = mapped_column(str_enum(ThemeKind, "theme_kind"))
    name: Mapped[str] = mapped_column(String(200))
    named_by: Mapped[str | None] = mapped_column(String(USER_ID))
    # The normalised mean of its members' embeddings, in the method named by embedded_with.
    centroid: Mapped[bytes | None] = mapped_column(LargeBinary)
    embedded_with: Mapped[str | None] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # How many accounts ever raised it, kept in step like `size`: the digest reads it, never counts it.
    accounts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("themes.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # The updated_at its label was worked out for (None: never labelled), and its size then: when the
    # size has moved by a tenth since (or is None: a full regroup may have swapped its members), the
    # upkeep labels it again, unless a person named it.
    labelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    labelled_size: Mapped[int | None] = mapped_column(Integer)
    # Set when lines moved in or out (an edit) and its size, accounts and centroid are not counted again
    # yet (bot.themes.recount); None once they are.
    recount_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Its topic; `topic_placed_by` is set when a person put it there (a move, a merge or a split of
    # topics): the topics are then remade around it, never moving it.
    topic_id: Mapped[int | None] = mapped_column(ForeignKey("topics.id", ondelete="SET NULL"), index=True)
    topic_placed_by: Mapped[str | None] = mapped_column(String(USER_ID))
    # Where it stands (set in /interview themes), with a note and a link (a release note, an issue), by whom
    # and when; kept through regroups and merges. Each change is in theme_status_changes.
    status: Mapped[ThemeStatus] = mapped_column(
        str_enum(ThemeStatus, "theme_status"), default=ThemeStatus.OPEN, server_default=ThemeStatus.OPEN.value
    )
    status_note: Mapped[str | None] = mapped_column(Text)
    status_link: Mapped[str | None] = mapped_column(Text)
    status_by: Mapped[str | None] = mapped_column(String(USER_ID))
    status_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ThemeStatusChange(Base):
    """A theme's status changed: from what to what, by whom and when, with the note and link given. The
    digest lists a period's changes ("Shipped: CSV exports are slow"), and closing the loop starts from
    the change to shipped."""

    __tablename__ = "theme_status_changes"
    __table_args__ = (
        Index("ix_theme_status_changes_team_id_changed_at", "team_id", "changed_at"),
        Index(
            "ix_theme_status_changes_loop_due",
            "changed_at",
            postgresql_where=text("tell AND loop_at IS NULL"),
            sqlite_where=text("tell AND loop_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(TEAM_ID))
    theme_id: Mapped[int] = mapped_column(ForeignKey("themes.id", ondelete="CASCADE"), index=True)
    # Each its own CHECK's name: two of one name in a table collide on PostgreSQL.
    from_status: Mapped[ThemeStatus] = mapped_column(str_enum(ThemeStatus, "from_status"))
    to_status: Mapped[ThemeStatus] = mapped_column(str_enum(ThemeStatus, "to_status"))
    note: Mapped[str | None] = mapped_column(Text)
    link: Mapped[str | None] = mapped_column(Text)
    changed_by: Mapped[str] = mapped_column(String(USER_ID))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Close the loop on this change: always for shipped, when asked for won't do. `loop_at` is when the
    # loop was planned (or found nothing to do): a change waits, through a partial index, until then.
    tell: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    loop_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ThemeUpkeep(Base):
    """One row per workspace and kind: who is grouping its lines now (a lease, so replicas take turns),
    and when its pool was last re-clustered."""

    __tablename__ = "theme_upkeep"
    __table_args__ = (UniqueConstraint("team_id", "kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(TEAM_ID))
    kind: Mapped[ThemeKind] = mapped_column(str_enum(ThemeKind, "theme_kind"))
    lease_owner: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The method the workspace's vectors and themes are in; another one running means a rebuild.
    embedded_with: Mapped[str | None] = mapped_column(String(64))
    # Set when a line went to the pool; cleared when the pool is re-clustered.
    pool_grew_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    pool_clustered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The last full regroup: new themes are first made from few lines, so all are regrouped now and then.
    rebuilt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # How many lines it grouped: a large workspace is regrouped in full again once a share more came.
    rebuilt_lines: Mapped[int | None] = mapped_column(Integer)
    # Where that full regroup cut (a similarity, set from the lines' closeness): the partial regroups
    # until the next full one cut there too.
    group_at: Mapped[float | None] = mapped_column(Float)


class DismissedLookAlike(Base):
    """Two themes a person said are not the same: never offered as look-alikes again. The pair is
    stored once, the lower theme id first; it goes when either theme is deleted."""

    __tablename__ = "dismissed_look_alikes"
    __table_args__ = (UniqueConstraint("theme_id", "other_theme_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(TEAM_ID))
    theme_id: Mapped[int] = mapped_column(ForeignKey("themes.id", ondelete="CASCADE"))
    other_theme_id: Mapped[int] = mapped_column(ForeignKey("themes.id", ondelete="CASCADE"), index=True)
    dismissed_by: Mapped[str] = mapped_column(String(USER_ID))
    dismissed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
