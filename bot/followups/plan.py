"""Follow-ups: what someone owes after a call, and when.

This module plans them when an interview is logged; sending the reminders is the scheduler's job.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.config import WorkingHours
from bot.followups.working_hours import next_working_moment
from storage.models import FollowUp, FollowUpKind, Interview

PROMISE_DEFAULT_DAYS = 3
PROMISE_MAX_AHEAD = timedelta(days=366)
# When a reminder falls on a date with no time (a promise "by 2026-12-01"), it is due at this local hour.
DEFAULT_DUE_HOUR = time(9, 0)

# Only the date itself is matched with a regex, anchored at the end; the words and dashes before it are
# trimmed by a plain loop. (A regex for both backtracks exponentially on lines like "a - - - - - - !".)
_TRAILING_DATE = re.compile(
    r"(?P<when>\d{4}-\d{2}-\d{2}|tomorrow|in\s+(?P<n>\d{1,3})\s*(?P<unit>d|days?|w|weeks?))\s*\.?\s*$",
    re.IGNORECASE,
)
_SEPARATOR_WORDS = ("by", "due", "on", "before")
_SEPARATOR_MARKS = "-–—:,"


def _trim_separators(text: str) -> str:
    """Drop the connecting words and marks between a promise and its date: "Send it — by" → "Send it"."""
    text = text.rstrip()
    while text:
        if text[-1] in _SEPARATOR_MARKS:
            text = text[:-1].rstrip()
            continue
        head, _, last = text.rpartition(" ")
        if last.lower() in _SEPARATOR_WORDS:
            text = head.rstrip()
            continue
        break
    return text


@dataclass(frozen=True)
class Promise:
    """One promised follow-up as typed: what, and the date it was promised for (None: not said)."""

    text: str
    due_on: date | None


class PromiseDateError(ValueError):
    pass


def parse_promise(line: str, *, held_on: date) -> Promise:
    """Split "Send the pricing sheet by 2026-12-01" into its text and date.

    A line may end with an ISO date, "tomorrow", or "in N days/weeks" (counted from the call).
    """
    match = _TRAILING_DATE.search(line)
    # The date must stand apart: "v2026-12-01" or "within 3 days" are not dates at the end.
    if not match or (match.start() > 0 and not line[match.start() - 1].isspace()):
        return Promise(text=line.strip(), due_on=None)
    text = _trim_separators(line[: match.start()])
    when = match.group("when").lower()
    if when == "tomorrow":
        due = held_on + timedelta(days=1)
    elif match.group("n"):
        n = int(match.group("n"))
        due = (
            held_on + timedelta(weeks=n)
            if match.group("unit").startswith("w")
            else held_on + timedelta(days=n)
        )
    else:
        try:
            due = date.fromisoformat(when)
        except ValueError:
            raise PromiseDateError(f"“{when}” is not a real date") from None
    return Promise(text=text, due_on=due)


def local_moment(day: date, at: time, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, at, tzinfo=tz).astimezone(UTC)


def plan_follow_ups(
    *,
    interview: Interview,
    promises: list[Promise],
    now: datetime,
    tz: ZoneInfo,
    thank_you_after: timedelta,
    summary_after: timedelta,
    working_hours: WorkingHours | None = None,
) -> list[FollowUp]:
    """The follow-ups a freshly logged interview creates, all owned by the person who logged it.

    Delays count from the call. A call logged on its day counts from now; one logged later counts from
    midday of its date, and whatever is already late becomes due now rather than in the past.
    """
    today_local = now.astimezone(tz).date()
    call_moment = now if interview.held_on >= today_local else local_moment(interview.held_on, time(12), tz)
    account = interview.account.name
    planned: list[FollowUp] = []

    def add(kind: FollowUpKind, description: str, due_at: datetime) -> None:
        due_at = max(due_at, now)
        planned.append(
            FollowUp(
                team_id=interview.team_id,
                owner_id=interview.logged_by,
                kind=kind,
                description=description,
                due_at=due_at,
                # The first reminder: when it is due, or the start of the owner's next working hours.
                remind_at=next_working_moment(due_at, tz, working_hours),
                reminders_sent=0,
            )
        )

    if not interview.thank_you_sent:
        add(FollowUpKind.THANK_YOU, f"Send {account} a thank-you email", call_moment + thank_you_after)
    if not interview.interpretation:
        add(
            FollowUpKind.SUMMARY, f"Write the summary of the call with {account}", call_moment + summary_after
        )
    for promise in promises:
        due_on = promise.due_on or interview.held_on + timedelta(days=PROMISE_DEFAULT_DAYS)
        add(FollowUpKind.PROMISE, promise.text, local_moment(due_on, DEFAULT_DUE_HOUR, tz))
    return planned
