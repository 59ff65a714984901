"""Reminder DMs: what is due, a ready thank-you draft, and Done / Snooze / Skip on every item.

Up to DETAILED_MAX items get buttons and drafts; beyond that each item is one line with a menu, so a
pile-up after downtime still fits one message (Slack allows 50 blocks).

Built as plain dicts, exactly what slack_sdk.models would serialize (a unit test holds every block to
that): the scheduler draws one per DM, and building and serializing the model objects was a quarter of
a DM's CPU. The limits slack_sdk would check are kept here: every text is cut to Slack's lengths.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from bot.accounts.history import AccountHistory
from bot.followups.actions import Snooze
from bot.loop.tells import TellList
from bot.studies.guide import GUIDE_POINT_MAX, StudyGuide, StudyRecap, summary_draft
from bot.text import escape_mrkdwn, first_name, truncate
from handlers.views.common import (
    CUT_NOTE,
    MESSAGE_MAX_BLOCKS,
    SECTION_MAX_CHARS,
    as_object,
    id_number,
    local_time,
)
from handlers.views.loop import tell_blocks
from handlers.views.plain_blocks import Block, button, context, header, option, plain, section
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
    lines = [
        f"Hi {first_name(interview.contact_name)},",
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


def _prep(
    item: FollowUp, tz: ZoneInfo, history: AccountHistory | None, guide: StudyGuide | None
) -> list[Block]:
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
    blocks: list[Block] = [section("\n".join(lines), block_id=f"{ITEM_BLOCK}{item.id}")]
    if guide is not None:
        blocks += _guide(guide)
    if history is not None and (
        history.last_interviews or history.recurring_pains or history.open_follow_ups
    ):
        parts = [
            _listed(
                "Last conversations",
                [
                    f"{held_on:%d %b %Y}, {kind}" + (f": {escape_mrkdwn('; '.join(pains))}" if pains else "")
                    for held_on, kind, pains in history.last_interviews
                ],
            ),
            _listed(
                "Pains they raised",
                [escape_mrkdwn(text) + (f" ({n}×)" if n > 1 else "") for text, n in history.recurring_pains],
            ),
            _listed("Still open", [escape_mrkdwn(text) for text in history.open_follow_ups]),
        ]
        blocks.append(section("\n\n".join(part for part in parts if part)))
    return blocks


def _guide(guide: StudyGuide) -> list[Block]:
    """The study's interview guide: its goal, and its points as questions to cover, each flagged while
    too few accounts have spoken to it (when the reader may see that)."""
    about = (
        f"*This call is part of the study “{escape_mrkdwn(guide.name)}”.*\n"
        f"*Study goal:* {truncate(escape_mrkdwn(guide.goal), 2700, '…')}"
    )
    questions = ["*Questions to cover:*"]
    for point in guide.points:
        # Cut once escaped (an `&` is 5 characters then): twelve points always fit with their flags.
        line = f"☐ *{point.number}.* {truncate(escape_mrkdwn(point.text), GUIDE_POINT_MAX, '…')}"
        if point.spoken is not None and point.thin:
            line += f" · _{thin_words(point.spoken, point.number)}_"
        questions.append(line)
    return [section(about), section("\n".join(questions))]


def thin_words(spoken: int, number: int) -> str:
    """'only 1 account has spoken to point 3', 'no account has spoken to point 2 yet'."""
    if spoken == 0:
        return f"no account has spoken to point {number} yet"
    verb = "has" if spoken == 1 else "have"
    return f"only {spoken} account{'s' if spoken != 1 else ''} {verb} spoken to point {number}"


def _draft_block(recap: StudyRecap) -> Block:
    """The summary owed, drafted around the study the call was logged into."""
    body = truncate(escape_mrkdwn(summary_draft(recap, limit=SECTION_MAX_CHARS)), SECTION_MAX_CHARS - 200)
    name = escape_mrkdwn(truncate(recap.name, 80, "…"))
    return section(f"A draft around the study “{name}”:\n```{body}```")


def _listed(label: str, lines: list[str]) -> str:
    """A bold label over one bullet a line; nothing when there is no line."""
    return f"*{label}:*\n" + "\n".join(f"• {line}" for line in lines) if lines else ""


def _debrief(item: FollowUp) -> list[Block]:
    call = item.scheduled_call
    assert call is not None
    return [
        section(
            f"*How did the call with {escape_mrkdwn(call.account.name)} go?* Log it while it's fresh.",
            block_id=f"{ITEM_BLOCK}{item.id}",
        ),
        {
            "type": "actions",
            "block_id": f"{ACTIONS_BLOCK}{item.id}",
            "elements": [button(ReminderAction.LOG_CALL, "Log it", str(call.id), style="primary")],
        },
    ]


def _detailed(item: FollowUp, tz: ZoneInfo, now: datetime, extras: Extras) -> list[Block]:
    if item.kind == FollowUpKind.PREP and item.scheduled_call is not None:
        call = item.scheduled_call
        return _prep(item, tz, extras.histories.get(call.account_id), extras.guides.get(call.id))
    if item.kind == FollowUpKind.DEBRIEF and item.scheduled_call is not None:
        return _debrief(item)
    if item.state in _CLOSED_MARK:
        return [_closed(item)]
    blocks: list[Block] = [item_line(item, tz, now)]
    if item.kind == FollowUpKind.THANK_YOU and (draft := thank_you_draft(item)):
        body = truncate(escape_mrkdwn(draft), SECTION_MAX_CHARS - 40)
        blocks.append(section(f"A draft to copy:\n```{body}```"))
    if item.kind == FollowUpKind.SUMMARY and item.interview_id in extras.recaps:
        blocks.append(_draft_block(extras.recaps[item.interview_id]))
    if item.kind.tells and item.id in extras.tells:
        blocks += tell_blocks(extras.tells[item.id])
    blocks.append(item_actions(item))
    return blocks


def item_line(item: FollowUp, tz: ZoneInfo, now: datetime) -> Block:
    """One open follow-up as a section (what, for which account, when due), wherever it is listed."""
    text = f"{_title(item)}\n{_when(item, tz, now)}"
    if item.state == FollowUpState.SNOOZED and item.remind_at is not None and item.remind_at > now:
        text += f" · snoozed until {local_time(item.remind_at, tz)}"
    return section(text, block_id=f"{ITEM_BLOCK}{item.id}")


def item_actions(item: FollowUp) -> Block:
    """Done / Snooze / Skip (and Write summary) for one follow-up: the same buttons in a reminder DM and
    on App Home, handled by the same listeners."""
    buttons = [
        button(ReminderAction.DONE, "Done", str(item.id), style="primary"),
        {
            "type": "static_select",
            "action_id": ReminderAction.SNOOZE.value,
            "placeholder": plain("Snooze"),
            "options": [option(choice.label, encode(choice.value, item.id)) for choice in Snooze],
        },
        button(ReminderAction.SKIP, "Skip", str(item.id)),
    ]
    if item.kind == FollowUpKind.SUMMARY and item.interview_id:
        buttons.insert(0, button(ReminderAction.WRITE_SUMMARY, "Write summary", str(item.id)))
    return {"type": "actions", "block_id": f"{ACTIONS_BLOCK}{item.id}", "elements": buttons}


def _closed(item: FollowUp) -> Block:
    text = f"~{escape_mrkdwn(item.description)}~ {_CLOSED_MARK[item.state]}"
    return section(text, block_id=f"{ITEM_BLOCK}{item.id}")


def _compact(item: FollowUp, tz: ZoneInfo, now: datetime) -> Block:
    if item.state in _CLOSED_MARK:
        return _closed(item)
    options = [
        option("Done", encode(MENU_DONE, item.id)),
        *[option(f"Snooze: {c.label}", encode(c.value, item.id)) for c in Snooze],
        option("Skip", encode(MENU_SKIP, item.id)),
    ]
    return section(
        f"{_title(item)} · {_when(item, tz, now)}",
        block_id=f"{ITEM_BLOCK}{item.id}",
        accessory={"type": "overflow", "action_id": ReminderAction.MENU.value, "options": options},
    )


def reminder_text(items: list[FollowUp]) -> str:
    if len(items) == 1 and items[0].kind == FollowUpKind.PREP:
        return "Your call is coming up"
    if len(items) == 1 and items[0].kind == FollowUpKind.DEBRIEF:
        return "How did your call go?"
    return "A follow-up is due" if len(items) == 1 else f"{len(items)} follow-ups are due"


@dataclass(frozen=True)
class Extras:
    """What a reminder shows beside its follow-ups: account histories (by account id) and study guides
    (by call id) in prep notes, study recaps (by interview id) under a summary owed, and the accounts to
    tell (by follow-up id) under a closing-the-loop follow-up."""

    histories: dict[int, AccountHistory] = field(default_factory=dict)
    guides: dict[int, StudyGuide] = field(default_factory=dict)
    recaps: dict[int, StudyRecap] = field(default_factory=dict)
    tells: dict[int, TellList] = field(default_factory=dict)


def reminder_message(
    items: list[FollowUp],
    tz: ZoneInfo,
    now: datetime,
    *,
    histories: dict[int, AccountHistory] | None = None,
    guides: dict[int, StudyGuide] | None = None,
    recaps: dict[int, StudyRecap] | None = None,
    tells: dict[int, TellList] | None = None,
) -> list[Block]:
    open_count = sum(1 for i in items if i.state not in _CLOSED_MARK)
    blocks: list[Block] = [header(reminder_text(items) if open_count else "All done here")]
    extras = Extras(histories or {}, guides or {}, recaps or {}, tells or {})
    if len(items) <= DETAILED_MAX:
        for item in items:
            blocks += _detailed(item, tz, now, extras)
    else:
        blocks += [_compact(item, tz, now) for item in items]
    blocks.append(context("Done, Snooze or Skip each one. Reminders come in your working hours."))
    if len(blocks) > MESSAGE_MAX_BLOCKS:  # as fit_message does: cut, and say so
        blocks = [*blocks[: MESSAGE_MAX_BLOCKS - 1], context(CUT_NOTE)]
    return blocks
