"""The days a digest covers, and the interviews held in them and in the periods a trend looks back on."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import Account, Interview

PERIOD_DAYS = 7
TREND_PERIODS = 8  # the periods before this one that a trend and a baseline look at


@dataclass(frozen=True)
class Period:
    """The days a digest covers, in the subscription's timezone: `days` days up to `end` (excluded)."""

    end: date
    days: int = PERIOD_DAYS

    @property
    def name(self) -> str:
        """What people call it: a week, or so many days."""
        return "week" if self.days == PERIOD_DAYS else f"{self.days}-day period"

    @property
    def start(self) -> date:
        return self.end - timedelta(days=self.days)

    @property
    def window_start(self) -> date:
        """The first day of the oldest period a trend looks at."""
        return self.end - timedelta(days=self.days * (TREND_PERIODS + 1))

    def index_of(self, day: date) -> int:
        """0 for this period, 1 for the one before, … TREND_PERIODS for the oldest."""
        return (self.end - day - timedelta(days=1)).days // self.days

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


def trend_periods(period: Period) -> list[date]:
    """The first day of each period a chart draws, oldest first (the eight before, then this one)."""
    return [period.start - timedelta(days=period.days * k) for k in range(TREND_PERIODS, -1, -1)]
