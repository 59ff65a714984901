"""`/interview study`: every id its modals use, their typed private_metadata, and the list of the
workspace's studies with their progress. The form that starts or edits a study and the modal that closes
one are in handlers.views.study_form; the study itself (its points, tallies and evidence) is drawn by
handlers.views.study_sheet."""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from dataclasses import asdict, dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ConfirmObject,
)
from slack_sdk.models.views import View

from bot.studies.store import StudyProgress
from bot.text import counted, escape_mrkdwn, truncate
from handlers.views.common import (
    MAX_PARTICIPANTS,
    MODAL_MAX_BLOCKS,
    context,
    id_number,
    json_object,
    modal,
    mrkdwn,
    plain,
    section,
    user_mention,
)
from storage.models import StudyState

OWNERS_MAX = MAX_PARTICIPANTS
GOAL_SHOWN = 150  # of each study's goal, in the list
CONCLUSION_SHOWN = 200  # of a closed study's conclusion's first line, in the list


class StudyView(StrEnum):
    """Callback ids of the study modals."""

    LIST = "study_list"
    SHEET = "study_sheet"
    FORM = "study_form"
    CLOSE = "study_close_form"


class StudyField(StrEnum):
    """Block ids of the study form's inputs (and the close modal's)."""

    NAME = "study_name"
    GOAL = "study_goal"
    POINTS = "study_points"
    OWNERS = "study_owners"
    TARGET_INTERVIEWS = "study_target_interviews"
    TARGET_ACCOUNTS = "study_target_accounts"
    ENDS_ON = "study_ends_on"
    CHANNEL = "study_channel"
    CONCLUSION = "study_conclusion"
    VALUE = "value"  # the action_id of each input: the block id tells the fields apart


class StudyAction(StrEnum):
    NEW = "study_new"
    OPEN = "study_open"
    EDIT = "study_edit"
    CLOSE = "study_close"
    REOPEN = "study_reopen"
    SEND_SHEET = "study_send_sheet"  # the whole sheet, as a CSV and a picture, to the person's DM


# The form's fields as bot.studies.store names them in InvalidInput, and the blocks that show them.
FIELD_BLOCKS = {
    "name": StudyField.NAME,
    "goal": StudyField.GOAL,
    "points": StudyField.POINTS,
    "owners": StudyField.OWNERS,
    "target_interviews": StudyField.TARGET_INTERVIEWS,
    "target_accounts": StudyField.TARGET_ACCOUNTS,
    "ends_on": StudyField.ENDS_ON,
    "channel_id": StudyField.CHANNEL,
    "conclusion": StudyField.CONCLUSION,
}


def on_fields(problems: dict[str, str], *, fallback: StudyField = StudyField.NAME) -> dict[str, str]:
    """The service's problems keyed by the blocks that show them (Slack refuses any other key)."""
    out: dict[str, str] = {}
    for field, problem in problems.items():
        block = FIELD_BLOCKS.get(field, fallback)
        out[block] = f"{out[block]} {problem}" if block in out else problem
    return out


@dataclass(frozen=True)
class StudyMetadata:
    """What a study modal knows when it is used: the study it is about, and the views below it to draw
    again after a change (the list, the study's own view)."""

    study_id: int | None = None
    list_view_id: str | None = None
    study_view_id: str | None = None

    def dumps(self) -> str:
        return json.dumps({k: v for k, v in asdict(self).items() if v is not None}, separators=(",", ":"))

    @classmethod
    def loads(cls, raw: object) -> StudyMetadata:
        data = json_object(raw if isinstance(raw, str) else None)
        study_id = data.get("study_id")
        views = {k: data[k] for k in ("list_view_id", "study_view_id") if isinstance(data.get(k), str)}
        number = id_number(study_id) if isinstance(study_id, int) else None
        return cls(study_id=number, **views)


def days_word(ends_on: date | None, today: date) -> str:
    """ "12 days left", "ends today", "ended 3 days ago"; nothing without an end date."""
    if ends_on is None:
        return ""
    days = (ends_on - today).days
    if days > 0:
        return f"{counted(days, 'day')} left"
    if days == 0:
        return "ends today"
    return f"ended {counted(-days, 'day')} ago"


def progress_line(study: StudyProgress, today: date) -> str:
    """ "3 of 10 interviews · 2 accounts · 12 days left · owners @a, @b" (mentions in a modal ping nobody)."""
    done = (
        f"{study.interviews} of {counted(study.target_interviews, 'interview')}"
        if study.target_interviews
        else counted(study.interviews, "interview")
    )
    parts = [done, counted(study.accounts, "account")]
    if study.state is StudyState.OPEN and (days := days_word(study.ends_on, today)):
        parts.append(days)
    if study.owners:
        owners = ", ".join(user_mention(o) for o in study.owners[:OWNERS_MAX])
        parts.append(f"{'owner' if len(study.owners) == 1 else 'owners'} {owners}")
    return " · ".join(parts)


def first_line(text: str | None) -> str:
    return next((line.strip() for line in (text or "").splitlines() if line.strip()), "")


def _button(label: str, action: StudyAction, study_id: int, **more: Any) -> ButtonElement:
    return ButtonElement(text=plain(label, 75), action_id=action, value=str(study_id), **more)


def reopen_button(study: StudyProgress) -> ButtonElement:
    return _button(
        "Reopen",
        StudyAction.REOPEN,
        study.study_id,
        confirm=ConfirmObject(
            title=plain("Reopen the study?", 100),
            text=mrkdwn(
                f"*{escape_mrkdwn(study.name)}* takes interviews again and its sheet follows them; "
                "the conclusion stays until it closes again."
            ),
            confirm=plain("Reopen", 30),
            deny=plain("Keep it closed", 30),
        ),
    )


def _study_blocks(study: StudyProgress, today: date, may_change: bool) -> list[Block]:
    name = f"*{escape_mrkdwn(study.name)}*"
    if study.state is StudyState.OPEN:
        goal = escape_mrkdwn(truncate(first_line(study.goal), GOAL_SHOWN, "…"))
        text = f"{name}\n{progress_line(study, today)}\n_{goal}_"
        buttons = [_button("Open", StudyAction.OPEN, study.study_id)]
        if may_change:
            buttons += [
                _button("Edit", StudyAction.EDIT, study.study_id),
                _button("Close", StudyAction.CLOSE, study.study_id),
            ]
    else:
        result = escape_mrkdwn(truncate(first_line(study.conclusion), CONCLUSION_SHOWN, "…"))
        text = f"{name} · closed\n{progress_line(study, today)}" + (f"\n{result}" if result else "")
        buttons = [_button("Open", StudyAction.OPEN, study.study_id)]
        if may_change:
            buttons.append(reopen_button(study))
    return [section(text), ActionsBlock(block_id=f"study_{study.study_id}", elements=buttons)]


def studies_list(studies: Sequence[StudyProgress], *, today: date, changeable: Collection[int]) -> View:
    """The open studies (ending soonest first) with their progress, then the closed ones with the first
    line of their conclusion; Edit, Close and Reopen only where the viewer may (checked again on the
    click). Within a modal's 100 blocks: what does not fit is counted at the end."""
    blocks: list[Block] = [
        ActionsBlock(
            block_id="study_new",
            elements=[
                ButtonElement(
                    text=plain("New study", 75), action_id=StudyAction.NEW, value="new", style="primary"
                )
            ],
        )
    ]
    if not studies:
        blocks.append(
            section(
                "No study yet. A study is a round of interviews toward one goal, testing a few validation "
                "points; each interview logged into it answers them, and its sheet puts every account's "
                "answers side by side. *New study* starts one."
            )
        )
    # Room for the studies: the modal's blocks, less the button, two headings and two "and N more".
    room = MODAL_MAX_BLOCKS - len(blocks) - 4
    for state, heading in ((StudyState.OPEN, "*Open*"), (StudyState.CLOSED, "*Closed*")):
        these = [s for s in studies if s.state is state]
        if not these:
            continue
        blocks.append(section(heading))
        shown = 0
        for study in these:
            if room < 2:
                break
            blocks += _study_blocks(study, today, study.study_id in changeable)
            room, shown = room - 2, shown + 1
        if shown < len(these):
            blocks.append(context(f"and {len(these) - shown} more {state.value} studies not shown"))
    return modal(callback_id=StudyView.LIST, title="Studies", blocks=blocks, submit=None, close="Done")


def unknown_study_message(name: str, open_names: Sequence[str]) -> str:
    """`/interview study NAME` for a name the workspace has no study of: which ones it has."""
    typed = escape_mrkdwn(truncate(name, 80, "…"))
    if not open_names:
        return f"There is no study called “{typed}”, and no study is open: `/interview study new` starts one."
    names = ", ".join(f"“{escape_mrkdwn(n)}”" for n in open_names[:20])
    more = f" and {len(open_names) - 20} more" if len(open_names) > 20 else ""
    return (
        f"There is no study called “{typed}”. Open studies: {names}{more}. `/interview study` lists them all."
    )
