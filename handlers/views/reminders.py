"""Reminder DMs: what is due, a ready thank-you draft, and Done / Snooze / Skip on every item.

Up to DETAILED_MAX items get buttons and drafts; beyond that each item is one line with a menu, so a
pile-up after downtime still fits one message (Slack allows 50 blocks).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    Option,
    OverflowMenuElement,
    SectionBlock,
    StaticSelectElement,
)

from bot.accounts.history import AccountHistory
from bot.followups.actions import Snooze
from bot.text import escape_mrkdwn, truncate
from handlers.views.common import (
    SECTION_MAX_CHARS,
    as_object,
    context,
    fit_message,
    header,
    id_number,
    local_time,
    mrkdwn,
    plain,
)
from storage.models import FollowUp, FollowUpKind, FollowUpState

DETAILED_MAX = 8


class ReminderAction(StrEnum):
    LOG_CALL = "followup_log_call"
    DONE = "followup_done"
    SKIP = "followup_skip"
    SNOOZE = "followup_snooze"
    MENU = "followup_menu"
    WRITE_SUMMARY = "followup_write_summary"


ITEM_BLOCK = "fu:"  # + follow-up id: the item's section; "fu_actions:" + id for its buttons
ACTIONS_BLOCK = "fu_actions:"
MENU_DONE, MENU_SKIP = "done", "skip"


def follow_up_ids(blocks: list[dict]) -> list[int]:
    """The follow-ups a reminder message lists, read back from its block ids."""
    ids = []
    for block in blocks:
        block_id = str(as_object(block).get("block_id", ""))
        number = id_number(block_id[len(ITEM_BLOCK) :]) if block_id.startswith(ITEM_BLOCK) else None
        if number is not None:
            ids.append(number)
    return ids


def encode(action: str, follow_up_id: int) -> str:
    return f"{action}:{follow_up_id}"


def decode(value: str) -> tuple[str, int] | None:
    action, _, raw_id = value.rpartition(":")
    number = id_number(raw_id)
    return (action, number) if number is not None else None


def _title(item: FollowUp) -> str:
    account = item.interview.account.name if item.interview else None
    what = escape_mrkdwn(item.description)
    return f"*{what}*" + (
        f" · {escape_mrkdwn(account)}" if account and account not in item.description else ""
    )


def _when(item: FollowUp, tz: ZoneInfo, now: datetime) -> str:
    if item.due_at <= now:
        days = (now - item.due_at).days
        late = f"{days} day{'s' if days != 1 else ''} overdue" if days else "due now"
        return f"{late} (was due {local_time(item.due_at, tz)})"
    return f"due {local_time(item.due_at, tz)}"


_CLOSED_MARK = {
    FollowUpState.DONE: "✅ Done",
    FollowUpState.SKIPPED: "⏭️ Skipped",
}


def thank_you_draft(item: FollowUp) -> str | None:
    """A thank-you email to copy: thanks, what we heard, and may we reach out again."""
    interview = item.interview
    if interview is None:
        return None
    name = (interview.contact_name or "").split(" ")[0] or "there"
    lines = [
        f"Hi {name},",
        "",
        f"Thank you for taking the time to talk with us on {interview.held_on:%A %d %B}.",
    ]
    if interview.interpretation:
        lines += ["", f"What we heard: {interview.interpretation}"]
    elif interview.pains:
        lines += ["", "What we heard: " + "; ".join(p.text for p in interview.pains[:3]) + "."]
    lines += ["", "Would you mind if we reached out again as we work on this?", "", "Thanks again,"]
    return "\n".join(lines)


PREP_CHECKLIST = (
    "Ask for permission to record, and have a note-taker",
    "Be an intern: open questions, no leading ones; ask why",
    "Dig for the pain behind any solution they ask for",
    "Close with “What else is on your mind?”",
)


def _prep(item: FollowUp, tz: ZoneInfo, history: AccountHistory | None) -> list[Block]:
    call = item.scheduled_call
    assert call is not None
    name = escape_mrkdwn(call.account.name)
    lines = [f"*Your call with {name} starts {local_time(call.starts_at, tz)}*"]
    lines.append(
        f"*Goal:* {escape_mrkdwn(call.goal)}"
        if call.goal
        else "*Goal:* none written down; set one before you start."
    )
    lines.append("\n".join(f"☐ {step}" for step in PREP_CHECKLIST))
    blocks: list[Block] = [
        SectionBlock(
            block_id=f"{ITEM_BLOCK}{item.id}", text=mrkdwn(truncate("\n".join(lines), SECTION_MAX_CHARS))
        )
    ]
    if history is not None and (
        history.last_interviews or history.recurring_pains or history.open_follow_ups
    ):
        parts = []
        if history.last_interviews:
            parts.append(
                "*Last conversations:*\n"
                + "\n".join(
                    f"• {held_on:%d %b %Y}, {kind}"
                    + (f": {escape_mrkdwn('; '.join(pains))}" if pains else "")
                    for held_on, kind, pains in history.last_interviews
                )
            )
        if history.recurring_pains:
            parts.append(
                "*Pains they raised:*\n"
                + "\n".join(
                    f"• {escape_mrkdwn(text)}" + (f" ({n}×)" if n > 1 else "")
                    for text, n in history.recurring_pains
                )
            )
        if history.open_follow_ups:
            parts.append(
                "*Still open:*\n" + "\n".join(f"• {escape_mrkdwn(text)}" for text in history.open_follow_ups)
            )
        blocks.append(SectionBlock(text=mrkdwn(truncate("\n\n".join(parts), SECTION_MAX_CHARS))))
    return blocks


def _debrief(item: FollowUp) -> list[Block]:
    call = item.scheduled_call
    assert call is not None
    return [
        SectionBlock(
            block_id=f"{ITEM_BLOCK}{item.id}",
            text=mrkdwn(
                f"*How did the call with {escape_mrkdwn(call.account.name)} go?* Log it while it's fresh."
            ),
        ),
        ActionsBlock(
            block_id=f"{ACTIONS_BLOCK}{item.id}",
            elements=[
                ButtonElement(
                    action_id=ReminderAction.LOG_CALL,
                    text=plain("Log it", 75),
                    style="primary",
                    value=str(call.id),
                )
            ],
        ),
    ]


def _detailed(
    item: FollowUp, tz: ZoneInfo, now: datetime, histories: dict[int, AccountHistory]
) -> list[Block]:
    if item.kind == FollowUpKind.PREP and item.scheduled_call is not None:
        return _prep(item, tz, histories.get(item.scheduled_call.account_id))
    if item.kind == FollowUpKind.DEBRIEF and item.scheduled_call is not None:
        return _debrief(item)
    blocks: list[Block] = [
        SectionBlock(
            block_id=f"{ITEM_BLOCK}{item.id}", text=mrkdwn(f"{_title(item)}\n{_when(item, tz, now)}")
        )
    ]
    if item.state in _CLOSED_MARK:
        blocks[0] = SectionBlock(
            block_id=f"{ITEM_BLOCK}{item.id}",
            text=mrkdwn(f"~{escape_mrkdwn(item.description)}~ {_CLOSED_MARK[item.state]}"),
        )
        return blocks
    if item.kind == FollowUpKind.THANK_YOU and (draft := thank_you_draft(item)):
        body = truncate(escape_mrkdwn(draft), SECTION_MAX_CHARS - 40)
        blocks.append(SectionBlock(text=mrkdwn(f"A draft to copy:\n```{body}```")))
    buttons: list = [
        ButtonElement(
            action_id=ReminderAction.DONE, text=plain("Done", 75), style="primary", value=str(item.id)
        ),
        StaticSelectElement(
            action_id=ReminderAction.SNOOZE,
            placeholder=plain("Snooze"),
            options=[Option(text=choice.label, value=encode(choice.value, item.id)) for choice in Snooze],
        ),
        ButtonElement(action_id=ReminderAction.SKIP, text=plain("Skip", 75), value=str(item.id)),
    ]
    if item.kind == FollowUpKind.SUMMARY and item.interview_id:
        buttons.insert(
            0,
            ButtonElement(
                action_id=ReminderAction.WRITE_SUMMARY, text=plain("Write summary", 75), value=str(item.id)
            ),
        )
    blocks.append(ActionsBlock(block_id=f"{ACTIONS_BLOCK}{item.id}", elements=buttons))
    return blocks


def _compact(item: FollowUp, tz: ZoneInfo, now: datetime) -> Block:
    if item.state in _CLOSED_MARK:
        return SectionBlock(
            block_id=f"{ITEM_BLOCK}{item.id}",
            text=mrkdwn(f"~{escape_mrkdwn(item.description)}~ {_CLOSED_MARK[item.state]}"),
        )
    options = [
        Option(text="Done", value=encode(MENU_DONE, item.id)),
        *[Option(text=f"Snooze: {c.label}", value=encode(c.value, item.id)) for c in Snooze],
        Option(text="Skip", value=encode(MENU_SKIP, item.id)),
    ]
    return SectionBlock(
        block_id=f"{ITEM_BLOCK}{item.id}",
        text=mrkdwn(truncate(f"{_title(item)} · {_when(item, tz, now)}", SECTION_MAX_CHARS)),
        accessory=OverflowMenuElement(action_id=ReminderAction.MENU, options=options),
    )


def reminder_text(items: list[FollowUp]) -> str:
    if len(items) == 1 and items[0].kind == FollowUpKind.PREP:
        return "Your call is coming up"
    if len(items) == 1 and items[0].kind == FollowUpKind.DEBRIEF:
        return "How did your call go?"
    return "A follow-up is due" if len(items) == 1 else f"{len(items)} follow-ups are due"


def reminder_message(
    items: list[FollowUp], tz: ZoneInfo, now: datetime, *, histories: dict[int, AccountHistory] | None = None
) -> list[Block]:
    open_count = sum(1 for i in items if i.state not in _CLOSED_MARK)
    blocks: list[Block] = [header(reminder_text(items) if open_count else "All done here")]
    if len(items) <= DETAILED_MAX:
        for item in items:
            blocks += _detailed(item, tz, now, histories or {})
    else:
        blocks += [_compact(item, tz, now) for item in items]
    blocks.append(context("Done, Snooze or Skip each one. Reminders come in your working hours."))
    return fit_message(blocks)
