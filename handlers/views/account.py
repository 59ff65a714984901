"""`/interview list ACCOUNT`: one account's timeline, as an ephemeral message."""

from __future__ import annotations

from slack_sdk.models.blocks import Block, ButtonElement, DividerBlock, SectionBlock

from bot.accounts.attributes import DEFAULT_CURRENCY, attributes_of
from bot.accounts.timeline import AccountTimeline
from bot.text import escape_mrkdwn, truncate
from handlers.views.account_form import attribute_blocks
from handlers.views.common import (
    context,
    fit_message,
    header,
    mrkdwn,
    plain,
    section,
    slack_time,
    user_mention,
)
from handlers.views.interview import InterviewAction


def account_timeline_message(
    timeline: AccountTimeline, *, currency: str = DEFAULT_CURRENCY, may_edit: bool = False
) -> list[Block]:
    """The account's owner, segment, ARR, status and CRM link (Edit beside them for its owner and admins),
    who talked to it, what it keeps raising (and who else does), what is owed to it, and its interviews
    newest first, each with a button that opens it. Due times show in each reader's zone."""
    account = timeline.account
    name = account.name
    blocks: list[Block] = [header(name)]
    blocks += attribute_blocks(
        attributes_of(account), currency=currency, account_id=account.id, may_edit=may_edit
    )
    count = timeline.total_interviews
    people = ", ".join(
        f"{user_mention(c.user_id)} ({c.interviews}×, last {c.last_held_on:%d %b %Y})"
        for c in timeline.contacts
    )
    blocks.append(
        context(
            f"{count} interview{'s' if count != 1 else ''}" + (f" · talked to by {people}" if people else "")
        )
    )
    if timeline.themes:
        lines = [
            f"• {escape_mrkdwn(t.name)} ({t.mentions}×): "
            + (
                f"{t.other_accounts} other account{'s' if t.other_accounts != 1 else ''} raised it too"
                if t.other_accounts
                else "only this account so far"
            )
            for t in timeline.themes
        ]
        blocks.append(section("*What they keep raising*\n" + "\n".join(lines)))
    if timeline.owed:
        lines = [
            f"• {escape_mrkdwn(f.description)}: {user_mention(f.owner_id)}, due {slack_time(f.due_at)}"
            + (" (snoozed)" if f.state == "snoozed" else "")
            for f in timeline.owed
        ]
        blocks.append(section("*Still owed to them*\n" + "\n".join(lines)))
    blocks.append(DividerBlock())
    for interview in timeline.interviews:
        pains = "; ".join(p.text for p in interview.pains[:3])
        by = user_mention(interview.logged_by)
        line = f"*{interview.held_on:%d %b %Y}* · {interview.kind.label} · logged by {by}"
        if pains:
            line += f"\n{escape_mrkdwn(truncate(pains, 280, '…'))}"
        blocks.append(
            SectionBlock(
                text=mrkdwn(line),
                accessory=ButtonElement(
                    text=plain("Open", 75), action_id=InterviewAction.OPEN, value=str(interview.id)
                ),
            )
        )
    if count > len(timeline.interviews):
        blocks.append(context(f"and {count - len(timeline.interviews)} earlier interviews"))
    return fit_message(blocks)


def unknown_account_message(name: str, suggestions: list[str]) -> str:
    typed = escape_mrkdwn(name)
    if suggestions:
        return (
            f"I don't know an account called {typed}. Did you mean "
            + ", ".join(f"*{escape_mrkdwn(s)}*" for s in suggestions[:5])
            + "?"
        )
    return f"I don't know an account called {typed} yet: nobody has logged an interview with it."
