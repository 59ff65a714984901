"""People's corrections to themes: rename, merge, and moving a line (into another theme, into a new one of
its own, or out of any). What a person did is kept: the engine never moves a line placed by hand.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlalchemy.orm import Session

from bot.errors import InvalidInput
from bot.text import clean_text, truncate
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
from storage.models import Theme, ThemeKind


def rename(*, session: Session, team_id: str, theme_id: int, name: str, by: str, now: datetime) -> Theme:
    theme = get_theme(session=session, team_id=team_id, theme_id=theme_id)
    cleaned = truncate(clean_text(name) or "", THEME_NAME_MAX)
    if not cleaned:
        raise InvalidInput({"name": "Give the theme a name."})
    theme.name, theme.named_by, theme.updated_at = cleaned, by, now
    return theme


def merge(*, session: Session, team_id: str, source_id: int, target_id: int, by: str, now: datetime) -> Theme:
    """Every line of `source` moves into `target`, placed there by `by` (so no regrouping splits them
    again); `source` keeps its row, pointing at `target`."""
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
