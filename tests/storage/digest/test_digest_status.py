"""A theme's status in the digest: beside the theme's name wherever the digest names it (Slack and the
terminal), and the period's status changes, each theme once as it ended up, in the thread."""

from __future__ import annotations

import json
from datetime import timedelta

from bot.digest.terminal import digest_text
from bot.themes.status import set_status
from handlers.views.digest import digest_message, digest_replies
from storage.db import Database
from storage.models import ThemeStatus
from tests.storage.digest.test_digest import digest_of, week  # noqa: F401  (the fixture)
from tests.support.digest_data import NOW

TEAM = "T0001"


def _set(db: Database, theme_id: int, status: ThemeStatus, at_hours_ago: int, **more: str) -> None:
    with db.transaction() as session:
        set_status(
            session=session,
            team_id=TEAM,
            theme_id=theme_id,
            status=status,
            note=more.get("note"),
            link=more.get("link"),
            by="U1",
            now=NOW - timedelta(hours=at_hours_ago),
        )


def _texts(blocks: list) -> str:  # type: ignore[type-arg]
    return json.dumps([b.to_dict() for b in blocks], ensure_ascii=False)


def test_the_digest_shows_each_themes_status_and_the_periods_changes(week: Database) -> None:  # noqa: F811
    before = digest_of(week)
    top, second = before.pains.recurring[0], before.pains.recurring[1]
    # Shipped, taken back, shipped again within the week: listed once, as shipped.
    _set(
        week,
        top.theme_id,
        ThemeStatus.SHIPPED,
        50,
        note="Reports <in> seconds",
        link="https://example.com/r|1",
    )
    _set(week, top.theme_id, ThemeStatus.IN_PROGRESS, 40)
    _set(
        week,
        top.theme_id,
        ThemeStatus.SHIPPED,
        30,
        note="Reports <in> seconds",
        link="https://example.com/r|1",
    )
    # Planned long before the week: shown beside its name, not among this week's changes.
    _set(week, second.theme_id, ThemeStatus.PLANNED, 24 * 30)

    digest = digest_of(week)
    by_id = {t.theme_id: t for t in digest.pains.recurring}
    assert by_id[top.theme_id].status is ThemeStatus.SHIPPED
    assert by_id[second.theme_id].status is ThemeStatus.PLANNED
    assert [(c.theme_id, c.status) for c in digest.status_changes] == [(top.theme_id, ThemeStatus.SHIPPED)]

    text = digest_text(digest)
    assert f"Status changes\n  - Shipped: {top.name} — raised by {top.accounts_ever} accounts" in text
    assert f"{top.name} · 🚢 shipped" in text and f"{second.name} · planned" in text
    assert text.count("Shipped:") == 1

    _, channel = digest_message(digest, str)
    assert "· 🚢 shipped" in _texts(channel)
    replies = dict(digest_replies(digest))
    shown = _texts(replies["Status changes"])
    assert "Shipped: *" in shown and f"raised by {top.accounts_ever} accounts" in shown
    # The note is escaped and the link cannot end early: no raw < > or | of what a person typed.
    assert "<https://example.com/r%7C1|Reports &lt;in&gt; seconds>" in shown


def test_a_digest_with_no_change_has_no_status_section(week: Database) -> None:  # noqa: F811
    digest = digest_of(week)
    assert digest.status_changes == []
    assert "Status changes" not in digest_text(digest)
    assert "Status changes" not in dict(digest_replies(digest))
    assert "· planned" not in digest_text(digest) and "shipped" not in digest_text(digest)
