"""The days a digest covers, and the interviews held in them and in the periods a trend looks back on.

A period is named as it is: a week only when it is 7 days, else by its length ("in these 28 days"), and by
its dates, with both years when they differ."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.text import counted
from storage.models import Account, Interview

PERIOD_DAYS = 7
TREND_PERIODS = 8  # the periods before this one that a trend and a baseline look at


def short_day(day: date) -> str:
    """'7 Dec': a day in a list whose year is said once, elsewhere."""
    return f"{day.day} {day:%b}"


def long_day(day: date) -> str:
    return f"{short_day(day)} {day.year}"


def day_span(first: date, last: date) -> str:
    """'1 – 7 Dec 2026', '28 Nov – 4 Dec 2026', '7 Dec 2025 – 7 Dec 2026': both years when they differ."""
    if first == last:
        return long_day(last)
    if first.year != last.year:
        return f"{long_day(first)} – {long_day(last)}"
    if first.month != last.month:
        return f"{short_day(first)} – {long_day(last)}"
    return f"{first.day} – {long_day(last)}"


@dataclass(frozen=True)
class Period:
    """The days a digest covers, in the subscription's timezone: `days` days up to `end` (excluded)."""

    end: date
    days: int = PERIOD_DAYS

    @property
    def weekly(self) -> bool:
        return self.days == PERIOD_DAYS

    @property
    def name(self) -> str:
        """What one is called: a week only when it is one."""
        return "week" if self.weekly else "day" if self.days == 1 else f"{self.days}-day period"

    @property
    def this(self) -> str:
        """'this week', 'in these 28 days', 'on 7 Dec 2026': after a count of what happened in it."""
        if self.weekly:
            return "this week"
        return f"on {long_day(self.start)}" if self.days == 1 else f"in these {self.days} days"

    @property
    def per(self) -> str:
        """'a week', 'per 28 days': after a count for one period."""
        return "a week" if self.weekly else "a day" if self.days == 1 else f"per {self.days} days"

    def periods(self, n: int) -> str:
        """'8 weeks', '1 week', '8 periods of 28 days'."""
        if self.weekly or self.days == 1:
            return counted(n, self.name)
        return f"{counted(n, 'period')} of {self.days} days"

    @property
    def title(self) -> str:
        """Its dates: '16 – 22 Nov 2026'."""
        return day_span(self.start, self.last_day)

    @property
    def start(self) -> date:
        return self.end - timedelta(days=self.days)

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)

    @property
    def window_start(self) -> date:
        """The first day of the oldest period a trend looks at."""
        return self.end - timedelta(days=self.days * (TREND_PERIODS + 1))

    def index_of(self, day: date) -> int:
        """0 for this period, 1 for the one before, … TREND_PERIODS for the oldest."""
        return (self.end - day - timedelta(days=1)).days // self.days

    def earlier(self, k: int) -> Period:
        """The period `k` periods before this one."""
        return Period(end=self.end - timedelta(days=self.days * k), days=self.days)

    @classmethod
    def last_days(cls, now: datetime, tz: ZoneInfo, days: int = PERIOD_DAYS) -> Period:
        """The last `days` days, today included: what a preview shows."""
        return cls(end=now.astimezone(tz).date() + timedelta(days=1), days=days)

    @classmethod
    def ending_at(cls, moment: datetime, tz: ZoneInfo, days: int = PERIOD_DAYS) -> Period:
        """The period that ends at `moment` (a digest's time): the days before its local date."""
        return cls(end=moment.astimezone(tz).date(), days=days)


@dataclass(frozen=True)
class HeldInterview:
    id: int
    account_id: int
    held_on: date
    kind: str
    logged_by: str
    thank_you_sent: bool  # already sent when the interview was logged
    account: str  # its name


def interviews_in_window(session: Session, team_id: str, period: Period) -> list[HeldInterview]:
    rows = session.execute(
        select(
            Interview.id,
            Interview.account_id,
            Interview.held_on,
            Interview.kind,
            Interview.logged_by,
            Interview.thank_you_sent,
            Account.name,
        )
        .join(Account, Account.id == Interview.account_id)
        .where(
            Interview.team_id == team_id,
            Interview.held_on >= period.window_start,
            Interview.held_on < period.end,
        )
    ).all()
    return [HeldInterview(r[0], r[1], r[2], r[3].label, *r[4:]) for r in rows]


def periods_before(period: Period, interviews: Iterable[HeldInterview]) -> int:
    """How many earlier periods a trend compares with: back to the oldest of the window that holds an
    interview. 0 when none does (a first digest): no baseline, so nothing is new, rising or emerging."""
    return min(TREND_PERIODS, max((period.index_of(i.held_on) for i in interviews), default=0))


def trend_periods(period: Period, before: int = TREND_PERIODS) -> list[Period]:
    """The periods a trend draws, oldest first: the `before` ones before this one, then this one."""
    return [period.earlier(k) for k in range(before, -1, -1)]
