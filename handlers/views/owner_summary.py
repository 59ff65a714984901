"""An account owner's daily summary DM: "3 calls with your accounts yesterday", then one line per call (the
account, who logged it, the contact, the first pain) and where to read more (`/interview list ACCOUNT`)."""

from __future__ import annotations

from datetime import date
from typing import Any

from slack_sdk.models.blocks import Block, SectionBlock

from bot.reminders.owner_summary import CallToTell, DueSummary
from bot.text import chunk, counted, escape_mrkdwn, truncate
from handlers.views.common import SECTION_MAX_CHARS, as_dicts, context, fit_message, mrkdwn, user_mention

PAIN_MAX_CHARS = 200  # the first pain, as a glimpse: the whole call is a command away
ACCOUNT_MAX_CHARS = 100
FOOTNOTE = (
    "Calls your teammates logged with accounts you own, once a day. Open one with the command beside it."
)


def since(summary: DueSummary) -> str:
    """The days a summary covers, as its owner says them: "yesterday", "since Friday", "since last Monday"."""
    if summary.first_day == summary.last_day:
        return "yesterday"
    return f"since {_day_name(summary.first_day, summary.today)}"


def _day_name(day: date, today: date) -> str:
    return f"{day:%A}" if (today - day).days < 7 else f"last {day:%A}"


def owner_summary_text(summary: DueSummary) -> str:
    """The DM's first line, and its notification: "3 calls with your accounts yesterday"."""
    return f"{counted(len(summary.calls), 'call')} with your accounts {since(summary)}"


def call_line(call: CallToTell) -> str:
    """One call: the account, who logged it, the contact, the first pain (all escaped), and the command
    that shows the account's timeline."""
    account = truncate(call.account, ACCOUNT_MAX_CHARS, "…")
    parts = [f"*{escape_mrkdwn(account)}*", f"logged by {user_mention(call.logged_by)}"]
    contact = ", ".join(filter(None, (call.contact_name, call.contact_role)))
    if contact:
        parts.append(f"with {escape_mrkdwn(contact)}")
    if call.first_pain:
        parts.append(f"“{escape_mrkdwn(truncate(call.first_pain, PAIN_MAX_CHARS, '…'))}”")
    # A backtick would end the code span early: the command reads the same without one.
    command = escape_mrkdwn(call.account.replace("`", "'"))
    parts.append(f"`/interview list {command}`")
    return "• " + " · ".join(parts)


def owner_summary_message(summary: DueSummary) -> list[Block]:
    lines = "\n".join(call_line(call) for call in summary.calls)
    blocks: list[Block] = [SectionBlock(text=mrkdwn(f"*{owner_summary_text(summary)}*"))]
    blocks += [SectionBlock(text=mrkdwn(piece)) for piece in chunk(lines, SECTION_MAX_CHARS)]
    # The footnote goes last, past what fit_message may cut.
    return [*fit_message(blocks, limit=49), context(FOOTNOTE)]


def owner_summary(summary: DueSummary) -> tuple[str, list[dict[str, Any]]]:
    """The DM as the outbox stores it: its notification text and its blocks."""
    return owner_summary_text(summary), as_dicts(owner_summary_message(summary))
