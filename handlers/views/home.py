"""The App Home tab: what the person owes (Done / Snooze right there), their upcoming calls, their latest
interviews (each opens in a modal), the workspace's week, and buttons to log and to schedule."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from slack_sdk.models.blocks import ActionsBlock, Block, ButtonElement, DividerBlock, SectionBlock
from slack_sdk.models.views import View

from bot.digest.terminal import weight_line
from bot.home.reads import Owed, Upcoming, WeekFigures
from bot.text import counted, escape_mrkdwn, truncate
from bot.themes.status import status_mark
from handlers.views.common import (
    MODAL_MAX_BLOCKS,
    SECTION_MAX_CHARS,
    context,
    fit_message,
    header,
    local_time,
    mrkdwn,
    plain,
    user_mention,
)
from handlers.views.interview import NONE_LOGGED, interview_row
from handlers.views.outbox import undelivered_blocks
from handlers.views.reminders import item_actions, item_line
from storage.models import Interview, OutboxMessage

FOLLOW_UPS_SHOWN = 10
CALLS_SHOWN = 5
INTERVIEWS_SHOWN = 10
HOME_MAX_BLOCKS = MODAL_MAX_BLOCKS  # a Home tab holds 100 blocks, as a modal does


class Home(StrEnum):
    ACTIONS = "home_actions"
    LOG_INTERVIEW = "home_log_interview"
    SCHEDULE_CALL = "home_schedule_call"
    FOLLOW_UPS = "home_follow_ups"  # the section header; each item is the reminder's own fu:<id> blocks
    CALLS = "home_calls"
    INTERVIEWS = "home_interviews"
    WEEK = "home_week"


@dataclass(frozen=True)
class HomeContent:
    """Everything the tab shows, read by the handler; `tz` is the viewer's, `now` the moment drawn."""

    tz: ZoneInfo
    now: datetime
    owed: Owed = field(default_factory=lambda: Owed([], 0, 0))
    calls: Upcoming = field(default_factory=lambda: Upcoming([], 0))
    interviews: Sequence[Interview] = ()
    week: WeekFigures | None = None
    undelivered: Sequence[OutboxMessage] = ()


def home_view(content: HomeContent) -> View:
    blocks: list[Any] = [
        header("Customer interviews"),
        *undelivered_blocks(content.undelivered),
        context("Every call with a customer is an interview, whoever holds it. Log it while it's fresh."),
        ActionsBlock(
            block_id=Home.ACTIONS,
            elements=[
                ButtonElement(
                    action_id=Home.LOG_INTERVIEW, text=plain("Log an interview", 75), style="primary"
                ),
                ButtonElement(action_id=Home.SCHEDULE_CALL, text=plain("Schedule a call", 75)),
            ],
        ),
        DividerBlock(),
        *_follow_ups(content),
        DividerBlock(),
        *_calls(content),
        DividerBlock(),
        *_interviews(content.interviews),
    ]
    if content.week is not None:
        blocks += [DividerBlock(), *_week(content.week)]
    return View(type="home", blocks=fit_message(blocks, HOME_MAX_BLOCKS))


def _more(shown: int, total: int) -> list[Block]:
    return [context(f"and {total - shown} more")] if total > shown else []


def _follow_ups(content: HomeContent) -> list[Any]:
    items = content.owed.items[:FOLLOW_UPS_SHOWN]
    overdue = content.owed.overdue
    title = "What you owe" + (f" ({overdue} overdue)" if overdue else "")
    blocks: list[Any] = [SectionBlock(block_id=Home.FOLLOW_UPS, text=mrkdwn(f"*{title}*"))]
    if not items:
        return [*blocks, context("Nothing open. Follow-ups from your calls show here, with Done and Snooze.")]
    for item in items:
        # The reminder DM's own blocks: the same ids, so its listeners handle a click here too.
        blocks += [item_line(item, content.tz, content.now), item_actions(item)]
    return blocks + _more(len(items), content.owed.total)


def _calls(content: HomeContent) -> list[Block]:
    calls = content.calls.calls[:CALLS_SHOWN]
    blocks: list[Block] = [SectionBlock(block_id=Home.CALLS, text=mrkdwn("*Your upcoming calls*"))]
    if not calls:
        return [*blocks, context("None scheduled. Schedule one and everyone on it gets a prep note.")]
    for scheduled in calls:
        line = (
            f"*{escape_mrkdwn(scheduled.account.name)}* · {local_time(scheduled.starts_at, content.tz)}"
            f"–{scheduled.ends_at.astimezone(content.tz):%H:%M}"
        )
        if scheduled.created_by:
            line += f" · organised by {user_mention(scheduled.created_by)}"
        if scheduled.goal:
            line += f"\n*Goal:* {escape_mrkdwn(truncate(scheduled.goal, 500, '…'))}"
        blocks.append(SectionBlock(text=mrkdwn(truncate(line, SECTION_MAX_CHARS))))
    return blocks + _more(len(calls), content.calls.total)


def _interviews(interviews: Sequence[Interview]) -> list[Block]:
    blocks: list[Block] = [SectionBlock(block_id=Home.INTERVIEWS, text=mrkdwn("*Your latest interviews*"))]
    if not interviews:
        return [*blocks, context(NONE_LOGGED)]
    return [*blocks, *map(interview_row, interviews[:INTERVIEWS_SHOWN])]


def _week(week: WeekFigures) -> list[Block]:
    period = week.period
    days = f"{period.start:%d %b}–{period.end - timedelta(days=1):%d %b}"
    interviews = f"{week.interviews} interview{'s' if week.interviews != 1 else ''}"
    accounts = f"{week.accounts} account{'s' if week.accounts != 1 else ''}"
    lines = [f"*The team's last 7 days* ({days}): {interviews} with {accounts}"]
    if week.top_pains:
        lines.append("*Top pains:*")
        lines += [
            f"{n}. {escape_mrkdwn(t.name)}"
            + (f" ({escape_mrkdwn(t.topic)})" if t.topic and t.topic != t.name else "")
            + escape_mrkdwn(status_mark(t.status))
            # "2 accounts · $420k ARR · Enterprise 2", as the digest says it (segments are typed: escaped).
            + f": {escape_mrkdwn(weight_line(t) or counted(t.accounts, 'account'))}"
            for n, t in enumerate(week.top_pains, 1)
        ]
    elif week.interviews:
        lines.append("No pains grouped into themes yet.")
    return [SectionBlock(block_id=Home.WEEK, text=mrkdwn(truncate("\n".join(lines), SECTION_MAX_CHARS)))]
