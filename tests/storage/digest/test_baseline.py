"""A theme is new or emerging only against a baseline that exists: over real storage (SQLite and
PostgreSQL), a first digest marks nothing, names its periods as they are, and compares back only as far as
the workspace has interviews. Themes are placed by hand: no model needed."""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

from bot.digest.content import Digest, build_digest
from bot.digest.period import Period
from bot.digest.ranking import Trend
from bot.digest.terminal import digest_text
from storage.db import Database
from tests.support.digest_data import NOW, WEEK_END, log, log_theme

ACCOUNTS = ["Acme", "Globex", "Initech", "Umbrella", "Hooli"]


def five_accounts_this_week(db: Database) -> int:
    days = [WEEK_END - timedelta(days=n) for n in range(7, 2, -1)]  # 16 … 20 November
    lines = [
        (account, day, f"{account}: reports take forever")
        for account, day in zip(ACCOUNTS, days, strict=True)
    ]
    return log_theme(db, "Slow reports", lines)


def digest_of(db: Database, days: int = 7) -> Digest:
    with db.read() as session:
        period = Period.ending_at(NOW, ZoneInfo("UTC"), days=days)
        return build_digest(session=session, team_id="T0001", period=period, now=NOW)


def test_a_first_digest_marks_nothing_new_or_emerging(database: Database) -> None:
    theme_id = five_accounts_this_week(database)
    digest = digest_of(database)
    (top,) = digest.pains.recurring
    assert (top.theme_id, top.accounts, top.history, top.trend) == (theme_id, 5, (), Trend.NONE)
    assert top.emerging is None and digest.emerging == [] and digest.pains.topics[0].trend is Trend.NONE
    assert (digest.compared, digest.first) == (0, True)
    text = digest_text(digest)
    assert "first digest: no earlier periods to compare with" in text and "Emerging" not in text


def test_an_interview_three_weeks_before_is_the_baseline_it_emerges_against(database: Database) -> None:
    five_accounts_this_week(database)
    log(database, "Wayne", WEEK_END - timedelta(days=25), notes=["A call about something else"])
    digest = digest_of(database)
    (top,) = digest.pains.recurring
    assert (top.history, top.trend) == ((0, 0, 0), Trend.NEW)  # three weeks to compare with, not eight
    assert digest.emerging == [top] and top.emerging == "5 accounts this week, 0 a week before"
    assert (digest.compared, digest.first) == (3, False)
    assert "accounts in the 3 weeks before: 0 0 0" in digest_text(digest)


def test_a_366_day_preview_with_nothing_older_marks_nothing_and_carries_both_years(
    database: Database,
) -> None:
    five_accounts_this_week(database)
    log(database, "Wayne", date(2026, 2, 3), notes=["An early call"])
    digest = digest_of(database, days=366)
    assert digest.compared == 0 and digest.first and digest.emerging == []
    text = digest_text(digest)
    assert text.startswith("Customer digest, 22 Nov 2025 – 22 Nov 2026\n")
    assert "first digest" in text and "week" not in text.lower() and "before:" not in text
    assert "6 interviews with 6 accounts" in text


def test_interviews_only_older_than_the_trend_window_are_not_a_first_digest(database: Database) -> None:
    five_accounts_this_week(database)
    log(database, "Wayne", WEEK_END - timedelta(days=7 * 12), notes=["A call long ago"])
    digest = digest_of(database)
    assert (digest.compared, digest.first, digest.emerging) == (0, False, [])
    assert "No interview in the 8 weeks before: nothing to compare with" in digest_text(digest)
