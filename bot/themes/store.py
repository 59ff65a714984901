"""Reading themes and their lines, and keeping a theme's size, centroid and name in step with its members."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
from sqlalchemy import func, inspect, select, update
from sqlalchemy.orm import Session, selectinload

from bot.errors import BotError
from bot.text import clean_text, truncate
from bot.themes import grouping
from bot.themes.embeddings import load_vectors, to_bytes
from storage.models import CustomerRequest, Interview, Pain, Theme, ThemeKind, ThemeStatus

LINE_MODELS: dict[ThemeKind, type[Pain] | type[CustomerRequest]] = {
    ThemeKind.PAIN: Pain,
    ThemeKind.REQUEST: CustomerRequest,
}
THEME_NAME_MAX = 80


Line = Pain | CustomerRequest


class ThemeNotFound(BotError):
    def __init__(self) -> None:
        super().__init__("That theme is gone: someone merged or regrouped it. Open /interview themes again.")


class LineNotFound(BotError):
    def __init__(self) -> None:
        super().__init__("That line is gone: its interview was deleted. Open /interview themes again.")


class SameTheme(BotError):
    def __init__(self) -> None:
        super().__init__("Pick another theme: a theme cannot be merged into itself.")


@dataclass(frozen=True)
class ThemeSummary:
    id: int
    kind: ThemeKind
    name: str
    named_by: str | None
    lines: int
    accounts: int
    status: ThemeStatus = ThemeStatus.OPEN


@dataclass(frozen=True)
class ThemeLine:
    id: int
    text: str
    account: str
    held_on: str
    placed_by: str | None


# --------------------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------------------
def live_conditions(team_id: str, kind: ThemeKind) -> tuple[Any, ...]:
    """Conditions for a workspace's themes of a kind that were not merged into another."""
    return (Theme.team_id == team_id, Theme.kind == kind, Theme.merged_into_id.is_(None))


def list_themes(*, session: Session, team_id: str, kind: ThemeKind, limit: int = 100) -> list[ThemeSummary]:
    """Live themes, the ones raised by the most accounts first."""
    line = LINE_MODELS[kind]
    accounts = func.count(func.distinct(Interview.account_id))
    rows = session.execute(
        select(Theme, func.count(line.id), accounts)
        .join(line, line.theme_id == Theme.id)
        .join(Interview, Interview.id == line.interview_id)
        .where(*live_conditions(team_id, kind))
        .group_by(Theme.id)
        .order_by(accounts.desc(), func.count(line.id).desc(), Theme.id)
        .limit(limit)
    ).all()
    return [
        ThemeSummary(t.id, t.kind, t.name, t.named_by, lines=int(n), accounts=int(a), status=t.status)
        for t, n, a in rows
    ]


def count_pool(*, session: Session, team_id: str, kind: ThemeKind) -> int:
    """Lines not in any theme: waiting in the pool, or taken out by hand."""
    line = LINE_MODELS[kind]
    return int(
        session.scalar(select(func.count(line.id)).where(line.team_id == team_id, line.theme_id.is_(None)))
        or 0
    )


def count_themes(*, session: Session, team_id: str, kind: ThemeKind) -> int:
    return int(session.scalar(select(func.count(Theme.id)).where(*live_conditions(team_id, kind))) or 0)


def summary_of(*, session: Session, theme: Theme) -> ThemeSummary:
    line = LINE_MODELS[theme.kind]
    lines, accounts = session.execute(
        select(func.count(line.id), func.count(func.distinct(Interview.account_id)))
        .join(Interview, Interview.id == line.interview_id)
        .where(line.team_id == theme.team_id, line.theme_id == theme.id)
    ).one()
    return ThemeSummary(
        theme.id, theme.kind, theme.name, theme.named_by, int(lines), int(accounts), theme.status
    )


def get_line(*, session: Session, team_id: str, kind: ThemeKind, line_id: int) -> Line:
    model = LINE_MODELS[kind]
    row = session.scalar(select(model).where(model.team_id == team_id, model.id == line_id))
    if row is None:
        raise LineNotFound()
    return row


def get_theme(*, session: Session, team_id: str, theme_id: int) -> Theme:
    theme = session.scalar(select(Theme).where(Theme.team_id == team_id, Theme.id == theme_id))
    if theme is None:
        raise ThemeNotFound()
    # A merged theme lives on in the one it was merged into.
    seen = {theme.id}
    while theme.merged_into_id is not None:
        theme = session.get(Theme, theme.merged_into_id)
        if theme is None or theme.team_id != team_id or theme.id in seen:
            raise ThemeNotFound()
        seen.add(theme.id)
    return theme


def theme_lines(
    *, session: Session, team_id: str, theme_id: int | None, kind: ThemeKind, limit: int = 40
) -> tuple[list[ThemeLine], int]:
    """A theme's lines (or, with theme_id None, those in no theme), latest interview first, and how many
    there are in all."""
    line = LINE_MODELS[kind]
    where = [
        line.team_id == team_id,
        line.theme_id.is_(None) if theme_id is None else line.theme_id == theme_id,
    ]
    rows = session.execute(
        select(line, Interview)
        .join(Interview, Interview.id == line.interview_id)
        .where(*where)
        .options(selectinload(Interview.account))
        .order_by(Interview.held_on.desc(), line.id.desc())
        .limit(limit)
    ).all()
    total = int(session.scalar(select(func.count(line.id)).where(*where)) or 0)
    lines = [
        ThemeLine(row.id, row.text, interview.account.name, interview.held_on.isoformat(), row.placed_by)
        for row, interview in rows
    ]
    return lines, total


def theme_name(text: str) -> str:
    return truncate(" ".join((clean_text(text) or "").split()), THEME_NAME_MAX) or "(empty)"


def new_theme(session: Session, team_id: str, kind: ThemeKind, first_line: str, now: datetime) -> Theme:
    """A theme with an id, named after its first line until `refresh` finds the line that says it best,
    and the upkeep job labels it (bot.themes.relabel)."""
    theme = Theme(team_id=team_id, kind=kind, name=theme_name(first_line), created_at=now, updated_at=now)
    session.add(theme)
    session.flush()
    return theme


def refresh(*, session: Session, theme: Theme, now: datetime, name_it: bool = True) -> None:
    """Recompute a theme's size, accounts and centroid from its members. A theme never labelled yet is
    named after its most central line, unless a person named it; a labelled one keeps its label until the
    upkeep labels it again (it has the embedder that takes). A theme left with no member is deleted."""
    model = LINE_MODELS[theme.kind]
    rows = session.execute(
        select(model.id, model.text, model.embedding, model.embedded_with, model.account_id).where(
            model.team_id == theme.team_id, model.theme_id == theme.id
        )
    ).all()
    if not rows:
        session.execute(
            update(Theme)
            .where(Theme.team_id == theme.team_id, Theme.merged_into_id == theme.id)
            .values(merged_into_id=None)
        )
        session.delete(theme)
        session.flush()
        return
    # Members embedded by the method most of them share (all of them, but during a change of method).
    methods = Counter(r.embedded_with for r in rows if r.embedding is not None).most_common(1)
    embedded = [r for r in rows if r.embedding is not None and methods and r.embedded_with == methods[0][0]]
    theme.size, theme.updated_at = len(rows), now
    theme.accounts = len({r.account_id for r in rows})
    name_it = name_it and theme.named_by is None and theme.labelled_at is None
    if embedded:
        matrix = load_vectors(embedded)
        mean = matrix.mean(axis=0)
        theme.centroid, theme.embedded_with = to_bytes(mean, np.float32), methods[0][0]
        if name_it:
            theme.name = theme_name(embedded[grouping.representative(matrix, mean)].text)
    elif name_it:
        theme.name = theme_name(rows[0].text)


def recount_themes(
    *, session: Session, team_id: str, theme_ids: Iterable[int], now: datetime, lines_left: bool
) -> None:
    """Themes whose lines changed count their members again (`refresh`; one left empty goes). When lines
    left them (an interview deleted, a line edited away), a label the upkeep job wrote may quote them: it
    labels the theme again, unless a person named it."""
    for theme_id in sorted(set(theme_ids)):
        theme = session.get(Theme, theme_id)
        if theme is None or theme.team_id != team_id:
            continue
        refresh(session=session, theme=theme, now=now)
        if lines_left and not inspect(theme).was_deleted and theme.named_by is None:
            theme.labelled_size = None
