"""A period is named as it is: a week only when it is 7 days, else by its length and its dates, with both
years in its title when they differ."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from bot.digest.period import HeldInterview, Period, day_span, periods_before
from bot.digest.terminal import history_label


@pytest.mark.parametrize(
    ("days", "end", "title", "this", "per", "eight", "history"),
    [
        (
            7,
            date(2026, 12, 8),
            "1 – 7 Dec 2026",
            "this week",
            "a week",
            "8 weeks",
            "accounts in the 8 weeks before",
        ),
        (
            14,
            date(2026, 12, 5),
            "21 Nov – 4 Dec 2026",
            "in these 14 days",
            "per 14 days",
            "8 periods of 14 days",
            "accounts in the 8 periods of 14 days before (from 1 Aug 2026)",
        ),
        (
            28,
            date(2027, 1, 8),
            "11 Dec 2026 – 7 Jan 2027",
            "in these 28 days",
            "per 28 days",
            "8 periods of 28 days",
            "accounts in the 8 periods of 28 days before (from 1 May 2026)",
        ),
        (
            366,
            date(2026, 12, 8),
            "7 Dec 2025 – 7 Dec 2026",
            "in these 366 days",
            "per 366 days",
            "8 periods of 366 days",
            "accounts in the 8 periods of 366 days before (from 1 Dec 2017)",
        ),
    ],
)
def test_each_length_is_named_as_it_is(
    days: int, end: date, title: str, this: str, per: str, eight: str, history: str
) -> None:
    period = Period(end=end, days=days)
    assert (period.title, period.this, period.per, period.periods(8)) == (title, this, per, eight)
    assert history_label(period, 8) == history
    if days != 7:  # "week" only for a week
        assert "week" not in " ".join([period.name, period.this, period.per, period.periods(8), history])


def test_one_period_before_is_the_period_before() -> None:
    assert history_label(Period(end=date(2026, 12, 8)), 1) == "accounts in the week before"
    assert history_label(Period(end=date(2026, 12, 8), days=28), 1) == (
        "accounts in the 28-day period before (from 13 Oct 2026)"
    )
    assert Period(end=date(2026, 12, 8), days=28).periods(1) == "1 period of 28 days"


@pytest.mark.parametrize(
    ("first", "last", "span"),
    [
        (date(2026, 12, 1), date(2026, 12, 7), "1 – 7 Dec 2026"),
        (date(2026, 11, 28), date(2026, 12, 4), "28 Nov – 4 Dec 2026"),
        (date(2025, 12, 7), date(2026, 12, 7), "7 Dec 2025 – 7 Dec 2026"),
        (date(2025, 12, 29), date(2026, 1, 4), "29 Dec 2025 – 4 Jan 2026"),
        (date(2026, 12, 7), date(2026, 12, 7), "7 Dec 2026"),
    ],
)
def test_a_span_carries_both_years_when_they_differ(first: date, last: date, span: str) -> None:
    assert day_span(first, last) == span


def held(day: date) -> HeldInterview:
    return HeldInterview(1, 1, day, "Discovery interview", "U1", False, "Acme")


def test_a_trend_compares_back_to_the_oldest_period_that_holds_an_interview() -> None:
    week = Period(end=date(2026, 12, 8))
    assert periods_before(week, []) == 0
    assert periods_before(week, [held(date(2026, 12, 7)), held(date(2026, 12, 1))]) == 0  # this week only
    assert periods_before(week, [held(date(2026, 12, 2)), held(date(2026, 11, 30))]) == 1
    assert periods_before(week, [held(date(2026, 11, 10))]) == 3
    assert periods_before(week, [held(week.window_start)]) == 8
    year = Period(end=date(2026, 12, 8), days=366)
    assert periods_before(year, [held(date(2026, 1, 5))]) == 0  # a 366-day preview with nothing older
    assert periods_before(year, [held(date(2026, 1, 5)), held(year.start - timedelta(days=1))]) == 1
