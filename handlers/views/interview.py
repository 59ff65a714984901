"""Messages about interviews: the saved-interview DM, the channel summary, the list."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from slack_sdk.models.blocks import ActionsBlock, Block, ButtonElement, DividerBlock, SectionBlock
from slack_sdk.models.views import View

from bot.capture.messages import UNSHARED_TEXT
from bot.text import escape_mrkdwn, truncate
from handlers.views.common import (
    MAX_PARTICIPANTS,
    MESSAGE_MAX_BLOCKS,
    MODAL_MAX_BLOCKS,
    SECTION_MAX_CHARS,
    as_dicts,
    bullet_sections,
    context,
    fit_message,
    header,
    labelled_sections,
    local_time,
    modal,
    mrkdwn,
    plain,
    user_mention,
)
from handlers.views.study_pick import ANSWER_LABELS
from storage.models import Answer, FollowUp, Interview, InterviewEdit

EDITS_SHOWN = 5
# What an edit changed, in the form's words (the keys are the log modal's field names).
FIELD_WORDS = {
    "account": "account",
    "kind": "kind",
    "held_on": "date",
    "participants": "our people",
    "contact_name": "contact",
    "contact_role": "role",
    "goal": "goal",
    "pains": "pains",
    "requests": "requests",
    "quotes": "quotes",
    "interpretation": "what we heard",
    "closing_answer": "closing answer",
    "notes": "notes",
    "recording_url": "recording link",
    "recording_permission": "recording consent",
    "thank_you_sent": "thank-you",
    "promises": "promises",
    "share_channel": "share channel",
    "study": "study",
    "study_answers": "study answers",
}


class InterviewAction(StrEnum):
    OPEN = "interview_open"  # a button anywhere (the digest, a search result) whose value is an interview id
    MODAL = "interview_view"
    # The interview's own buttons (one block, in the confirmation DM and the interview's modal); their
    # value is the interview id. Edit is its author's; Delete asks to confirm first.
    MANAGE = "interview_manage"
    EDIT = "interview_edit"
    DELETE = "interview_delete"
    # Its author's "Add to a study" / "Study: NAME — change" in the interview's modal (value: its id).
    STUDY_BLOCK = "interview_study_actions"
    STUDY = "interview_study"


LINK_MAX = 2900  # a section holds 3000 characters; a longer link is named, not linked


def _link(url: str, label: str) -> str:
    # Inside <url|label> a raw |, < or > would end the link early; the URL was checked to be http(s).
    safe = escape_mrkdwn(url).replace("|", "%7C")
    return f"<{safe}|{label}>" if len(safe) <= LINK_MAX else f"{label}: the link is too long to show here"


def _overview(interview: Interview) -> list[Block]:
    """Kind, date and contact; our side; the recording: each its own section, each within the limit."""
    line = f"*{interview.kind.label}* on {interview.held_on:%a %d %b %Y}"
    who = escape_mrkdwn(interview.contact_name or "")
    role = escape_mrkdwn(interview.contact_role or "")
    if who or role:
        line += f" with {who} ({role})" if who and role else f" with {who or role}"
    lines = [line]
    people = [user_mention(p.user_id) for p in interview.participants]
    if people:
        more = len(people) - MAX_PARTICIPANTS
        lines.append(
            "Our side: " + ", ".join(people[:MAX_PARTICIPANTS]) + (f" and {more} more" if more > 0 else "")
        )
    if interview.recording_url:
        consent = "customer agreed" if interview.recording_permission else "no recorded consent"
        lines.append(f"{_link(interview.recording_url, 'Recording')} ({consent})")
    return [SectionBlock(text=mrkdwn(truncate(text, SECTION_MAX_CHARS))) for text in lines]


def interview_summary_blocks(interview: Interview) -> list[Block]:
    """The interview as the team reads it: quotes beside the interpretation, so others can challenge it."""
    blocks: list[Block] = [
        header(f"{interview.account.name}: {interview.kind.label}"),
        *_overview(interview),
    ]
    if interview.goal:
        blocks += labelled_sections("Goal", interview.goal)
    blocks += bullet_sections("Pains", [p.text for p in interview.pains])
    blocks += bullet_sections("Requests", [r.text for r in interview.requests])
    blocks += bullet_sections("What they said", [f"“{q.text}”" for q in interview.quotes])
    if interview.interpretation:
        blocks += labelled_sections("What we heard", interview.interpretation)
    if interview.closing_answer:
        blocks += labelled_sections("What else is on their mind", interview.closing_answer)
    if interview.notes:
        blocks += labelled_sections("Notes", interview.notes)
    return blocks


def saved_interview_message(interview: Interview, follow_ups: list[FollowUp], tz: ZoneInfo) -> list[Block]:
    """The DM that confirms what was saved, and what the bot will remind about; its Edit stays whatever
    the interview's length (the summary is cut first)."""
    blocks = fit_message(interview_summary_blocks(interview), MESSAGE_MAX_BLOCKS - 4)
    blocks.append(DividerBlock())
    if follow_ups:
        lines = [
            f"• {escape_mrkdwn(f.description)}: {local_time(f.remind_at or f.due_at, tz)}" for f in follow_ups
        ]
        blocks += [SectionBlock(text=mrkdwn(truncate("*I'll remind you:*\n" + "\n".join(lines), 3000)))]
    else:
        blocks.append(SectionBlock(text=mrkdwn("Nothing left to follow up. Nice work.")))
    blocks.append(manage_buttons(interview, editable=True))
    blocks.append(context(f"Saved as interview #{interview.id}. `/interview list` shows your latest."))
    return blocks


def manage_buttons(interview: Interview, *, editable: bool) -> ActionsBlock:
    """What can be done to the interview itself: Edit (shown to its author) and Delete. Who may is
    checked again on the click (the author; for Delete also a workspace admin)."""
    value = str(interview.id)
    edit = ButtonElement(text=plain("Edit", 75), action_id=InterviewAction.EDIT, value=value)
    delete = ButtonElement(
        text=plain("Delete", 75), action_id=InterviewAction.DELETE, value=value, style="danger"
    )
    return ActionsBlock(block_id=InterviewAction.MANAGE, elements=[edit, delete] if editable else [delete])


def edit_history(edits: list[InterviewEdit], tz: ZoneInfo) -> str | None:
    """ "Edited by @x on Wed 02 Dec: pains, notes", the latest last, for the bottom of the interview."""
    if not edits:
        return None
    lines = [
        f"Edited by {user_mention(e.edited_by)} on {e.edited_at.astimezone(tz):%a %d %b}: "
        + ", ".join(FIELD_WORDS.get(name, name) for name in e.fields)
        for e in edits[-EDITS_SHOWN:]
    ]
    earlier = len(edits) - EDITS_SHOWN
    if earlier > 0:
        lines.insert(0, f"and {earlier} earlier edit{'s' if earlier > 1 else ''}")
    return "\n".join(lines)


def shared_interview_message(interview: Interview) -> list[Block]:
    blocks = interview_summary_blocks(interview)
    blocks.append(context(f"Logged by {user_mention(interview.logged_by)} · interview #{interview.id}"))
    return fit_message(blocks)


def unshared_message() -> list[Block]:
    """What a share becomes once it is not shared in its channel any more (see UNSHARED_TEXT)."""
    return [context(UNSHARED_TEXT)]


class InterviewBlocks:
    """The interview's messages as Block Kit, for what `bot.capture.messages` records."""

    @staticmethod
    def saved(interview: Interview, follow_ups: Sequence[FollowUp], tz: ZoneInfo) -> list[dict[str, Any]]:
        return as_dicts(saved_interview_message(interview, list(follow_ups), tz))

    @staticmethod
    def shared(interview: Interview) -> list[dict[str, Any]]:
        return as_dicts(shared_interview_message(interview))

    @staticmethod
    def unshared() -> list[dict[str, Any]]:
        return as_dicts(unshared_message())


NONE_LOGGED = "You haven't logged any interviews yet. Try `/interview log Acme` after your next call."


def interview_row(interview: Interview) -> SectionBlock:
    """One of a person's latest interviews (`/interview list`, the App Home): the account, the kind, the
    day and its first pains, with a button that opens it."""
    pains = "; ".join(p.text for p in interview.pains[:3])
    name = escape_mrkdwn(interview.account.name)
    line = f"*{name}* · {interview.kind.label} · {interview.held_on:%d %b %Y}"
    if pains:
        line += f"\n{escape_mrkdwn(truncate(pains, 280, '…'))}"
    return SectionBlock(
        text=mrkdwn(truncate(line, 3000)),
        accessory=ButtonElement(
            action_id=InterviewAction.OPEN, text=plain("Open", 75), value=str(interview.id)
        ),
    )


def recent_interviews_message(interviews: list[Interview]) -> list[Block]:
    if not interviews:
        return [SectionBlock(text=mrkdwn(NONE_LOGGED))]
    return fit_message([header("Your latest interviews"), *map(interview_row, interviews)])


@dataclass(frozen=True)
class StudyShown:
    """The study an interview is in, as its modal shows it: the study's name (None: in none), its answers
    to the points it spoke to (answer, point, words), and whether the viewer gets the button that adds it
    to a study or changes it (its author, when there is a study to pick or one to change)."""

    name: str | None = None
    answers: tuple[tuple[Answer, str, str | None], ...] = ()
    button: bool = False


def _study_blocks(interview: Interview, study: StudyShown) -> list[Block]:
    blocks: list[Block] = []
    if study.name is not None:
        lines = [f"*Study:* {escape_mrkdwn(study.name)}"]
        for answer, point, words in study.answers:
            said = f" — “{escape_mrkdwn(words)}”" if words else ""
            lines.append(f"• {ANSWER_LABELS[answer]}: {escape_mrkdwn(point)}{said}")
        blocks.append(SectionBlock(text=mrkdwn(truncate("\n".join(lines), SECTION_MAX_CHARS))))
    if study.button:
        label = "Add to a study" if study.name is None else f"Study: {study.name} — change"
        value = str(interview.id)
        button = ButtonElement(text=plain(label, 75), action_id=InterviewAction.STUDY, value=value)
        blocks.append(ActionsBlock(block_id=InterviewAction.STUDY_BLOCK, elements=[button]))
    return blocks


def interview_modal(
    interview: Interview,
    *,
    viewer_id: str,
    tz: ZoneInfo,
    admin: bool = False,
    study: StudyShown | None = None,
) -> View:
    """One interview, to read: what the digest's "Open interview" shows, with its Edit and Delete for
    its author, Delete alone for a workspace admin; everyone sees who edited it, when, and what, and the
    study it is in with its answers (its author may add it to one, or change it)."""
    blocks = fit_message(interview_summary_blocks(interview), MODAL_MAX_BLOCKS - 5)
    blocks += _study_blocks(interview, study or StudyShown())
    if viewer_id == interview.logged_by or admin:
        blocks.append(manage_buttons(interview, editable=viewer_id == interview.logged_by))
    blocks.append(context(f"Logged by {user_mention(interview.logged_by)} · interview #{interview.id}"))
    history = edit_history(list(interview.edits), tz)
    if history:
        blocks.append(context(history))
    return modal(
        callback_id=InterviewAction.MODAL,
        title="Interview",
        blocks=blocks,
        submit=None,
        close="Close",
    )
