"""When a subscription's digest is due, as people set it: a weekday, a local time, their timezone."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.digest.period import Period
from bot.digest.subscriptions import Schedule, next_post_at, parse_time, parse_weekday, valid_timezone

PARIS = "Europe/Paris"


def test_the_next_monday_nine_in_paris() -> None:
    schedule = Schedule(0, time(9, 0), PARIS)
    # Wednesday 25 November 2026, noon UTC → Monday 30 November, 09:00 Paris (08:00 UTC).
    assert next_post_at(schedule, datetime(2026, 11, 25, 12, tzinfo=UTC)) == datetime(
        2026, 11, 30, 8, tzinfo=UTC
    )
    # Exactly at the moment: the next one is a week later, not the same instant again.
    at = datetime(2026, 11, 30, 8, tzinfo=UTC)
    assert next_post_at(schedule, at) == datetime(2026, 12, 7, 8, tzinfo=UTC)


def test_the_local_time_holds_across_a_clock_change() -> None:
    schedule = Schedule(0, time(9, 0), PARIS)
    before = next_post_at(schedule, datetime(2026, 3, 20, tzinfo=UTC))  # Monday 23 March: UTC+1
    after = next_post_at(schedule, datetime(2026, 3, 27, tzinfo=UTC))  # Monday 30 March: UTC+2
    assert before.astimezone(ZoneInfo(PARIS)).time() == after.astimezone(ZoneInfo(PARIS)).time() == time(9)
    assert (before.hour, after.hour) == (8, 7)


def test_a_time_the_clock_skips_still_posts_that_day() -> None:
    # Sunday 29 March 2026, 02:30 does not exist in Paris: the digest comes that morning all the same.
    moment = next_post_at(Schedule(6, time(2, 30), PARIS), datetime(2026, 3, 28, tzinfo=UTC))
    assert moment.astimezone(ZoneInfo(PARIS)).date() == date(2026, 3, 29)


@given(
    st.integers(0, 6),
    st.integers(0, 23),
    st.integers(0, 59),
    st.sampled_from(["UTC", PARIS, "America/New_York", "Asia/Kolkata", "Pacific/Chatham"]),
    st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)),
)
def test_the_next_post_is_within_a_week_and_on_the_day(
    weekday: int, hour: int, minute: int, tz: str, after: datetime
) -> None:
    moment = next_post_at(Schedule(weekday, time(hour, minute), tz), after)
    # A week at most (a clock change moves the local time by an hour or so).
    assert after < moment <= after + timedelta(days=7, hours=3)
    assert moment.astimezone(ZoneInfo(tz)).weekday() == weekday


@pytest.mark.parametrize(
    ("text", "day"), [("mon", 0), ("Monday", 0), ("FRI", 4), ("su", 6), ("t", None), ("x", None)]
)
def test_weekdays_as_people_type_them(text: str, day: int | None) -> None:
    assert parse_weekday(text) == day


def test_times_and_timezones_as_people_type_them() -> None:
    assert parse_time("9:05") == time(9, 5)
    assert parse_time("23:59") == time(23, 59)
    assert parse_time("24:00") is None
    assert parse_time("9am") is None
    assert valid_timezone(" Europe/Paris ") == PARIS
    assert valid_timezone("Mars/Olympus") is None
    assert valid_timezone("../../etc/passwd") is None


def test_a_period_is_the_days_before_its_end() -> None:
    period = Period.ending_at(datetime(2026, 11, 30, 8, tzinfo=UTC), ZoneInfo(PARIS))
    assert (period.start, period.end) == (date(2026, 11, 23), date(2026, 11, 30))
    assert period.index_of(date(2026, 11, 29)) == 0
    assert period.index_of(date(2026, 11, 23)) == 0
    assert period.index_of(date(2026, 11, 22)) == 1
    assert period.index_of(period.window_start) == 8
    preview = Period.last_days(datetime(2026, 11, 29, 23, 30, tzinfo=UTC), ZoneInfo(PARIS))
    assert preview.end == date(2026, 12, 1)  # already Monday 30th in Paris: today included
