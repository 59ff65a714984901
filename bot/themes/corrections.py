"""People's corrections to themes: rename, merge, and moving a line (into another theme, into a new one of
its own, or out of any); and to topics: rename, merge, and moving themes (into another topic, or together
into a new one: a split). What a person did is kept: the engine never moves a line, or a theme, placed by
hand.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from bot.errors import InvalidInput
from bot.text import clean_text, truncate
from bot.themes.status import keep_most_advanced
from bot.themes.store import (
    LINE_MODELS,
    THEME_NAME_MAX,
    SameTheme,
    ThemeNotFound,
    get_line,
    get_theme,
    new_theme,
    refresh,
)
from bot.themes.topics import SameTopic, TopicNotFound, get_topic
from storage.models import Theme, ThemeKind, Topic


def rename(*, session: Session, team_id: str, theme_id: int, name: str, by: str, now: datetime) -> Theme:
    theme = get_theme(session=session, team_id=team_id, theme_id=theme_id)
    theme.name, theme.named_by, theme.updated_at = _given_name(name, "theme"), by, now
    return theme


def _given_name(name: str, what: str) -> str:
    cleaned = truncate(clean_text(name) or "", THEME_NAME_MAX)
    if not cleaned:
        raise InvalidInput({"name": f"Give the {what} a name."})
    return cleaned


def merge(*, session: Session, team_id: str, source_id: int, target_id: int, by: str, now: datetime) -> Theme:
    """Every line of `source` moves into `target`, placed there by `by` (so no regrouping splits them
    again); `source` keeps its row, pointing at `target`. The target keeps the more advanced status of the
    two (bot.themes.status)."""
    source = get_theme(session=session, team_id=team_id, theme_id=source_id)
    target = get_theme(session=session, team_id=team_id, theme_id=target_id)
    if source.id == target.id:
        raise SameTheme()
    if source.kind != target.kind:
        raise ThemeNotFound()
    line = LINE_MODELS[source.kind]
    session.execute(
        update(line)
        .where(line.team_id == team_id, line.theme_id == source.id)
        .values(theme_id=target.id, placed_by=by)
    )
    keep_most_advanced(session=session, source=source, target=target, by=by, now=now)
    source.merged_into_id, source.size, source.centroid, source.updated_at = target.id, 0, None, now
    # Themes merged into source earlier now point straight at target.
    session.execute(
        update(Theme)
        .where(Theme.team_id == team_id, Theme.merged_into_id == source.id)
        .values(merged_into_id=target.id)
    )
    refresh(session=session, theme=target, now=now)
    return target


NEW_THEME = "new"


def move(
    *,
    session: Session,
    team_id: str,
    kind: ThemeKind,
    line_id: int,
    to: int | str | None,
    by: str,
    now: datetime,
) -> Theme | None:
    """Put one line into theme `to`, into a new theme of its own (NEW_THEME: a split), or out of any
    theme (None). The line is marked as placed by hand. Returns the theme it is in now."""
    row = get_line(session=session, team_id=team_id, kind=kind, line_id=line_id)
    before = session.get(Theme, row.theme_id) if row.theme_id is not None else None
    target: Theme | None
    if to == NEW_THEME:
        target = new_theme(session, team_id, kind, row.text, now)
    elif to is None:
        target = None
    else:
        target = get_theme(session=session, team_id=team_id, theme_id=int(to))
        if target.kind != kind:
            raise ThemeNotFound()
    row.theme_id, row.placed_by = (target.id if target else None), by
    session.flush()
    if before is not None and (target is None or before.id != target.id):
        refresh(session=session, theme=before, now=now)
    if target is not None:
        refresh(session=session, theme=target, now=now)
    return target


# Topics. A theme a person puts in a topic stays there (`topic_placed_by`); the topics are remade around it.
NEW_TOPIC = "new"


def rename_topic(
    *, session: Session, team_id: str, topic_id: int, name: str, by: str, now: datetime
) -> Topic:
    topic = get_topic(session=session, team_id=team_id, topic_id=topic_id)
    cleaned = truncate(clean_text(name) or "", THEME_NAME_MAX)
    if not cleaned:
        raise InvalidInput({"name": "Give the topic a name."})
    topic.name, topic.named_by, topic.updated_at = cleaned, by, now
    return topic


def move_to_topic(
    *, session: Session, team_id: str, theme_ids: Sequence[int], to: int | str, by: str, now: datetime
) -> Topic:
    """Put themes into topic `to`, or together into a new topic (NEW_TOPIC: a split), placed there by `by`.
    A topic left with no theme goes. Returns the topic they are in now."""
    themes = [get_theme(session=session, team_id=team_id, theme_id=t) for t in theme_ids]
    if not themes:
        raise InvalidInput({"themes": "Pick the themes to move."})
    kinds = {t.kind for t in themes}
    if len(kinds) != 1:
        raise ThemeNotFound()
    if to == NEW_TOPIC:
        kind = kinds.pop()
        target = Topic(team_id=team_id, kind=kind, name=themes[0].name, created_at=now, updated_at=now)
        session.add(target)
        session.flush()
    else:
        target = get_topic(session=session, team_id=team_id, topic_id=int(to))
        if target.kind not in kinds:
            raise TopicNotFound()
    left = {t.topic_id for t in themes} - {target.id, None}
    for theme in themes:
        theme.topic_id, theme.topic_placed_by = target.id, by
    session.flush()
    _drop_if_empty(session, left)
    return target


def merge_topics(
    *, session: Session, team_id: str, source_id: int, target_id: int, by: str, now: datetime
) -> Topic:
    """Every theme of `source` moves into `target`, placed there by `by`; `source` goes."""
    source = get_topic(session=session, team_id=team_id, topic_id=source_id)
    target = get_topic(session=session, team_id=team_id, topic_id=target_id)
    if source.id == target.id:
        raise SameTopic()
    if source.kind != target.kind:
        raise TopicNotFound()
    session.execute(
        update(Theme)
        .where(Theme.team_id == team_id, Theme.topic_id == source.id)
        .values(topic_id=target.id, topic_placed_by=by)
    )
    target.updated_at = now
    session.delete(source)
    return target


def _drop_if_empty(session: Session, topic_ids: set[int | None]) -> None:
    for topic_id in topic_ids:
        if (
            topic_id is not None
            and session.scalar(select(Theme.id).where(Theme.topic_id == topic_id).limit(1)) is None
        ):
            session.execute(delete(Topic).where(Topic.id == topic_id))
