"""The help message: what /interview can do today."""

from __future__ import annotations

from slack_sdk.models.blocks import Block, SectionBlock

from bot.text import escape_mrkdwn, truncate
from handlers.views.common import context, header, mrkdwn

COMMANDS = [
    ("/interview log [account]", "log a customer conversation, right after the call"),
    ("/interview schedule", "an upcoming call: prep notes before it, a nudge to log it after"),
    ("/interview list", "your ten latest interviews"),
    ("/interview search TEXT", 'find what was said: words, "a phrase", account:Acme, study:NAME'),
    ("/interview themes", "the pains many accounts share, grouped; rename, merge or regroup them"),
    ("/interview study [new|NAME]", "studies: a round of interviews testing a few points, and its sheet"),
    ("/interview digest", "the weekly digest: which channels get it and when; `digest preview [arr]`: now"),
    ("/interview export [account] [since date]", "the interviews as a spreadsheet (CSV), sent to you by DM"),
    ("/interview forget ACCOUNT", "admins: remove everything about an account, after a confirmation"),
    ("/interview settings", "pause your reminders until a date (a vacation, say)"),
    ("/interview help", "this message"),
]


def help_message(unknown: str | None = None) -> list[Block]:
    blocks: list[Block] = []
    if unknown:
        shown = escape_mrkdwn(truncate(unknown, 100, "…"))
        blocks.append(SectionBlock(text=mrkdwn(f"I don't know `{shown}`. Here is what I can do:")))
    blocks.append(header("Interview bot"))
    lines = "\n".join(f"`{usage}`: {what}" for usage, what in COMMANDS)
    blocks.append(SectionBlock(text=mrkdwn(lines)))
    blocks.append(
        context(
            "Every call with a customer is an interview, whoever holds it. Log it while it's fresh; "
            "I'll remind you of the thank-you email, the summary and what you promised."
        )
    )
    return blocks
