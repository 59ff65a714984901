"""How a theme's week reads: its trend over the eight weeks before, and when it counts as emerging."""

from __future__ import annotations

import pytest

from bot.digest.ranking import Trend, emerging_reason, trend_of


@pytest.mark.parametrize(
    ("accounts", "history", "ever", "trend"),
    [
        (3, (0,) * 8, 3, Trend.NEW),  # nobody before, and these are all who ever raised it
        (2, (0,) * 8, 6, Trend.BACK),  # others raised it more than eight weeks ago
        (2, (1, 2, 1, 0, 1, 2, 0, 0), 9, Trend.BACK),  # two quiet weeks, then back
        (6, (1, 2, 1, 2, 1, 2, 1, 2), 12, Trend.RISING),
        (2, (1, 2, 1, 2, 1, 2, 1, 2), 12, Trend.STEADY),
        (1, (4, 4, 3, 5, 4, 4, 3, 4), 20, Trend.FALLING),
    ],
)
def test_trends(accounts: int, history: tuple[int, ...], ever: int, trend: Trend) -> None:
    assert trend_of(accounts, history, ever) is trend


def test_emerging_needs_three_accounts_and_a_clear_rise_over_its_own_baseline() -> None:
    assert emerging_reason(5, 0.5) == "5 accounts this week, 0.5 a week before"
    assert emerging_reason(3, 0.0) == "3 accounts this week, 0 a week before"
    assert emerging_reason(2, 0.0) is None  # below the floor: one noisy week of a small theme
    assert emerging_reason(6, 4.0) is None  # a big theme having a normal week
    assert emerging_reason(4, 2.5) is None  # above its baseline, not clearly
