"""Reminders land inside working hours, on weekdays, in the owner's own timezone."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from bot.config import WorkingHours
from bot.followups.working_hours import next_working_day_start, next_working_moment

HOURS = WorkingHours(time(9), time(18))
PARIS = ZoneInfo("Europe/Paris")
ZONES = [
    ZoneInfo(z) for z in ("Europe/Paris", "America/Los_Angeles", "Asia/Kolkata", "Pacific/Auckland", "UTC")
]


def test_two_in_the_morning_moves_to_nine() -> None:
    # Tuesday 24 Nov 2026, 02:00 in Paris (01:00 UTC) → 09:00 Paris the same day.
    moment = datetime(2026, 11, 24, 1, 0, tzinfo=UTC)
    assert next_working_moment(moment, PARIS, HOURS) == datetime(2026, 11, 24, 8, 0, tzinfo=UTC)


def test_friday_evening_moves_to_monday_morning() -> None:
    friday_evening = datetime(2026, 11, 27, 19, 30, tzinfo=UTC)  # 20:30 in Paris
    assert next_working_moment(friday_evening, PARIS, HOURS) == datetime(2026, 11, 30, 8, 0, tzinfo=UTC)


def test_inside_hours_stays_and_any_means_now() -> None:
    moment = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
    assert next_working_moment(moment, PARIS, HOURS) == moment
    assert next_working_moment(datetime(2026, 11, 28, 3, tzinfo=UTC), PARIS, None).hour == 3


def test_next_working_day_skips_the_weekend() -> None:
    friday = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)
    assert next_working_day_start(friday, PARIS, HOURS) == datetime(2026, 11, 30, 8, 0, tzinfo=UTC)


@given(
    st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2030, 1, 1)),
    st.sampled_from(ZONES),
)
def test_always_in_hours_on_a_weekday_and_never_early(naive: datetime, tz: ZoneInfo) -> None:
    moment = naive.replace(tzinfo=UTC)
    result = next_working_moment(moment, tz, HOURS)
    local = result.astimezone(tz)
    assert result >= moment
    assert local.weekday() < 5
    assert HOURS.start <= local.time() < HOURS.end
    assert result - moment < timedelta(days=4)  # at worst Friday evening to Monday morning
