"""A theme's status: where it stands with the product team (open, planned, in progress, shipped, won't do),
set by a person with an optional note and link, each change kept (the digest lists a period's changes).
A merge keeps the most advanced status of the two themes; a regroup keeps it with the theme's id.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.errors import InvalidInput
from bot.text import clean_text, truncate
from bot.themes.store import get_theme
from storage.models import Theme, ThemeKind, ThemeStatus, ThemeStatusChange

NOTE_MAX = 200
LINK_MAX = 500

# How far a theme has moved on: a merge keeps the higher. "Won't do" is a decision, so it stands above
# open, but never above a plan or what was shipped.
ADVANCE = {
    ThemeStatus.OPEN: 0,
    ThemeStatus.WONT_DO: 1,
    ThemeStatus.PLANNED: 2,
    ThemeStatus.IN_PROGRESS: 3,
    ThemeStatus.SHIPPED: 4,
}
LABEL = {
    ThemeStatus.OPEN: "Open",
    ThemeStatus.PLANNED: "Planned",
    ThemeStatus.IN_PROGRESS: "In progress",
    ThemeStatus.SHIPPED: "Shipped",
    ThemeStatus.WONT_DO: "Won't do",
}


STATUS_MARKS = {ThemeStatus.SHIPPED: "🚢 ", ThemeStatus.WONT_DO: "✋ "}


def status_label(status: ThemeStatus) -> str:
    return LABEL[status]


def status_mark(status: ThemeStatus) -> str:
    """' · 🚢 shipped', ' · planned' beside a theme's name; nothing for an open theme."""
    if status is ThemeStatus.OPEN:
        return ""
    return f" · {STATUS_MARKS.get(status, '')}{status_label(status).lower()}"


def parse_status(raw: str | None) -> ThemeStatus:
    if raw not in ThemeStatus._value2member_map_:
        raise InvalidInput({"status": "Pick a status."})
    return ThemeStatus(raw)


def _link(raw: str | None) -> str | None:
    link = (raw or "").strip()
    if not link:
        return None
    try:
        parts = urlsplit(link)
    except ValueError:
        parts = None
    if (
        parts is None
        or parts.scheme not in ("http", "https")
        or not parts.hostname
        or any(c.isspace() for c in link)
        or len(link) > LINK_MAX
    ):
        raise InvalidInput({"link": "That is not a web link: paste a full address starting with https://"})
    return link


def _note(raw: str | None) -> str | None:
    note = " ".join(clean_text(raw or "").split())
    return truncate(note, NOTE_MAX) or None


def set_status(
    *,
    session: Session,
    team_id: str,
    theme_id: int,
    status: ThemeStatus,
    note: str | None,
    link: str | None,
    by: str,
    now: datetime,
    tell_wont_do: bool = False,
) -> Theme:
    """Set a theme's status (a merged theme's id stands for the theme it became part of), keeping the
    change in theme_status_changes. The same status, note and link again change nothing.

    Shipped closes the loop (each person who heard it is asked to tell their customers, on the next
    tick); won't do does when `tell_wont_do`."""
    clean_link, clean_note = _link(link), _note(note)
    theme = get_theme(session=session, team_id=team_id, theme_id=theme_id)
    if (theme.status, theme.status_note, theme.status_link) == (status, clean_note, clean_link):
        return theme
    # A new note or link on the same status is no new decision: it asks nobody again.
    tell = theme.status != status and (
        status == ThemeStatus.SHIPPED or (status == ThemeStatus.WONT_DO and tell_wont_do)
    )
    _record(session, theme, status, clean_note, clean_link, by, now, tell=tell)
    return theme


def _record(
    session: Session,
    theme: Theme,
    status: ThemeStatus,
    note: str | None,
    link: str | None,
    by: str,
    now: datetime,
    *,
    tell: bool = False,
) -> None:
    session.add(
        ThemeStatusChange(
            team_id=theme.team_id,
            theme_id=theme.id,
            from_status=theme.status,
            to_status=status,
            note=note,
            link=link,
            changed_by=by,
            changed_at=now,
            tell=tell,
        )
    )
    theme.status, theme.status_note, theme.status_link = status, note, link
    theme.status_by, theme.status_at = by, now


def keep_most_advanced(*, session: Session, source: Theme, target: Theme, by: str, now: datetime) -> None:
    """`source` joins `target`: the target takes the source's status (with its note and link) when that
    is further on, and the change is kept as any other. It closes no loop: the source's customers were
    asked to be told when it changed, and the target's heard of no decision."""
    if ADVANCE[source.status] > ADVANCE[target.status]:
        _record(session, target, source.status, source.status_note, source.status_link, by, now)


def carry_status(theme: Theme, origin: Theme) -> None:
    """A theme a regroup made for an old theme's lines goes on where that one stood (no change made)."""
    theme.status, theme.status_note, theme.status_link = origin.status, origin.status_note, origin.status_link
    theme.status_by, theme.status_at = origin.status_by, origin.status_at


@dataclass(frozen=True)
class StatusChange:
    """A theme whose status changed in a period, as it stands at the end of it."""

    theme_id: int
    kind: ThemeKind
    name: str
    status: ThemeStatus
    accounts: int
    note: str | None
    link: str | None
    # For a shipped theme: how many of the accounts its people were asked to tell were told, and of how many.
    told: tuple[int, int] | None = None


def status_changes(
    *, session: Session, team_id: str, start: datetime, end: datetime, limit: int = 20
) -> list[StatusChange]:
    """Themes whose status changed in [start, end), each once with its latest status in the period (a
    theme moved back and forth again is listed as it ended up); none whose status went back to where it
    started. The most advanced first, then by accounts."""
    rows = session.execute(
        select(ThemeStatusChange)
        .where(
            ThemeStatusChange.team_id == team_id,
            ThemeStatusChange.changed_at >= start,
            ThemeStatusChange.changed_at < end,
        )
        .order_by(ThemeStatusChange.changed_at, ThemeStatusChange.id)
    ).scalars()
    first: dict[int, ThemeStatus] = {}
    last: dict[int, ThemeStatusChange] = {}
    for row in rows:
        first.setdefault(row.theme_id, row.from_status)
        last[row.theme_id] = row
    out: list[StatusChange] = []
    for theme_id, change in last.items():
        theme = session.get(Theme, theme_id)
        if theme is None or theme.merged_into_id is not None or change.to_status == first[theme_id]:
            continue
        out.append(
            StatusChange(
                theme.id, theme.kind, theme.name, change.to_status, theme.accounts, change.note, change.link
            )
        )
    out.sort(key=lambda c: (-ADVANCE[c.status], -c.accounts, c.name))
    return out[:limit]
