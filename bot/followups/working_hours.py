"""Working hours: reminders reach people on weekdays, inside their hours, in their own timezone."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.config import WorkingHours

SATURDAY = 5


def _is_workday(day: date) -> bool:
    return day.weekday() < SATURDAY


def _start_of(day: date, hours: WorkingHours, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, hours.start, tzinfo=tz).astimezone(UTC)


def next_working_moment(moment: datetime, tz: ZoneInfo, hours: WorkingHours | None) -> datetime:
    """`moment` itself when it falls inside the working hours of a weekday in `tz`, else the start of
    the next working period. None for hours means any hour will do."""
    if hours is None:
        return moment
    local = moment.astimezone(tz)
    day = local.date()
    if _is_workday(day) and hours.start <= local.time() < hours.end:
        return moment
    if not (_is_workday(day) and local.time() < hours.start):
        day += timedelta(days=1)
    while not _is_workday(day):
        day += timedelta(days=1)
    return _start_of(day, hours, tz)


def next_working_day_start(moment: datetime, tz: ZoneInfo, hours: WorkingHours | None) -> datetime:
    """The start of the first working day after the one `moment` falls on (in `tz`)."""
    start = hours.start if hours else time(9, 0)
    day = moment.astimezone(tz).date() + timedelta(days=1)
    while not _is_workday(day):
        day += timedelta(days=1)
    return datetime.combine(day, start, tzinfo=tz).astimezone(UTC)
