"""Closing the loop, as people see it: in a reminder, each account to tell with what it said, a note to
send it, and a Told button; the note to whoever set a status when someone to ask had left."""

from __future__ import annotations

from enum import StrEnum

from bot.loop.drafts import customer_note
from bot.loop.plan import LoopPlan
from bot.loop.tells import AccountToTell, SaidLine, TellList
from bot.text import counted, escape_mrkdwn, truncate
from handlers.views.common import SECTION_MAX_CHARS, id_number, user_mention
from handlers.views.plain_blocks import Block, button, context, section
from storage.models import ThemeStatus

# Accounts listed in one reminder, and how many of them come with a drafted note (the rest: Done marks all).
ACCOUNTS_SHOWN = 12
DRAFTED = 4
LINES_SHOWN = 2
LINE_MAX = 280


class LoopAction(StrEnum):
    TOLD = "followup_told"  # value: "<follow-up id>:<account id>"


def told_value(follow_up_id: int, account_id: int) -> str:
    return f"{follow_up_id}:{account_id}"


def parse_told(value: object) -> tuple[int, int] | None:
    first, _, second = str(value or "").partition(":")
    follow_up_id, account_id = id_number(first), id_number(second)
    return (follow_up_id, account_id) if follow_up_id and account_id else None


def _said(line: SaidLine) -> str:
    who = ", ".join(x for x in (line.contact_name, line.contact_role) if x)
    quoted = escape_mrkdwn(truncate(line.text, LINE_MAX, "…"))
    return f"“{quoted}” · {line.held_on:%d %b %Y}" + (f" · {escape_mrkdwn(who)}" if who else "")


def _account(tell: TellList, account: AccountToTell, *, drafted: bool) -> Block:
    lines = [f"*{escape_mrkdwn(account.name)}*" + (" · ✅ told" if account.told else "")]
    lines += [f"> {_said(line)}" for line in account.lines[:LINES_SHOWN]]
    if len(account.lines) > LINES_SHOWN:
        lines.append(f"_and {counted(len(account.lines) - LINES_SHOWN, 'more line')}_")
    text = "\n".join(lines)
    if drafted and not account.told:
        note = escape_mrkdwn(customer_note(tell, account))
        room = SECTION_MAX_CHARS - len(text) - 40
        text += f"\nA note to send:\n```{truncate(note, max(room, 0), '…')}```"
    accessory = (
        None
        if account.told
        else button(LoopAction.TOLD, "Told", told_value(tell.follow_up_id, account.account_id))
    )
    return section(text, accessory=accessory)


def tell_blocks(tell: TellList) -> list[Block]:
    """What shipped (or won't be done), then each account: its words, its contact and a note to send."""
    what = "shipped" if tell.status == ThemeStatus.SHIPPED else "won't be done"
    about = [f"“{escape_mrkdwn(tell.theme)}” {what}."]
    if tell.note:
        about.append(escape_mrkdwn(tell.note))
    if tell.link:
        about.append(f"<{tell.link}|The details>")
    left = tell.left
    blocks = [
        context(
            " ".join(about)
            + f" {counted(len(tell.accounts), 'account')} of yours raised it"
            + (f", {left} still to tell." if left != len(tell.accounts) else ".")
        )
    ]
    shown = tell.accounts[:ACCOUNTS_SHOWN]
    drafts = 0
    for account in shown:
        drafted = not account.told and drafts < DRAFTED
        drafts += drafted
        blocks.append(_account(tell, account, drafted=drafted))
    if len(tell.accounts) > ACCOUNTS_SHOWN:
        more = len(tell.accounts) - ACCOUNTS_SHOWN
        blocks.append(context(f"And {counted(more, 'more account')}: Done marks every one told."))
    return blocks


def loop_skipped_text(plan: LoopPlan) -> str:
    """To whoever set the status: who could not be asked (they left), and the accounts nobody will tell."""
    marked = "shipped" if plan.status == ThemeStatus.SHIPPED else "won't do"
    people = ", ".join(user_mention(p) for p in sorted(plan.gone))
    text = (
        f"You marked “{escape_mrkdwn(plan.theme)}” {marked}. "
        f"I asked {counted(len(plan.asked), 'person', 'people')} to tell their customers, but not {people}: "
        f"Slack says they have left the workspace."
    )
    if plan.untold:
        names = ", ".join(escape_mrkdwn(a) for a in plan.untold)
        text += f" Nobody else heard it from {names}: tell them yourself, or ask their new owner."
    else:
        text += " Someone else will tell each of their accounts."
    return text
