"""How a theme's period reads: its trend over the periods before, and when it counts as emerging (never
against an empty history)."""

from __future__ import annotations

from datetime import date

import pytest

from bot.digest.period import Period
from bot.digest.ranking import Trend, emerging_reason, trend_of

WEEK = Period(end=date(2026, 11, 23))


@pytest.mark.parametrize(
    ("accounts", "history", "ever", "trend"),
    [
        (3, (0,) * 8, 3, Trend.NEW),  # nobody before, and these are all who ever raised it
        (2, (0,) * 8, 6, Trend.BACK),  # others raised it more than eight weeks ago
        (2, (1, 2, 1, 0, 1, 2, 0, 0), 9, Trend.BACK),  # two quiet weeks, then back
        (6, (1, 2, 1, 2, 1, 2, 1, 2), 12, Trend.RISING),
        (2, (1, 2, 1, 2, 1, 2, 1, 2), 12, Trend.STEADY),
        (1, (4, 4, 3, 5, 4, 4, 3, 4), 20, Trend.FALLING),
        (3, (0, 0), 3, Trend.NEW),  # a workspace in its third week: two weeks to compare with
        (5, (), 5, Trend.NONE),  # no earlier period holds an interview: neither new nor anything else
        (5, (), 9, Trend.NONE),
    ],
)
def test_trends(accounts: int, history: tuple[int, ...], ever: int, trend: Trend) -> None:
    assert trend_of(accounts, history, ever) is trend


def test_emerging_needs_three_accounts_and_a_clear_rise_over_its_own_baseline() -> None:
    assert emerging_reason(5, (1, 0), WEEK) == "5 accounts this week, 0.5 a week before"
    assert emerging_reason(3, (0,) * 8, WEEK) == "3 accounts this week, 0 a week before"
    assert emerging_reason(2, (0,) * 8, WEEK) is None  # below the floor: one noisy week of a small theme
    assert emerging_reason(6, (4,) * 8, WEEK) is None  # a big theme having a normal week
    assert emerging_reason(4, (2, 3), WEEK) is None  # above its baseline, not clearly


def test_nothing_is_emerging_against_an_empty_history() -> None:
    assert emerging_reason(9, (), WEEK) is None
    assert emerging_reason(9, (), Period(end=date(2026, 12, 8), days=366)) is None


def test_emerging_says_the_periods_own_unit() -> None:
    reason = emerging_reason(5, (1, 0), Period(end=date(2026, 11, 23), days=28))
    assert reason == "5 accounts in these 28 days, 0.5 per 28 days before"
