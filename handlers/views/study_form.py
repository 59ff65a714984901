"""The form that starts or edits a study, read back as typed; and the modal that closes one with its
conclusion."""

from __future__ import annotations

from datetime import date
from typing import Any

from slack_sdk.models.blocks import (
    Block,
    ConversationFilter,
    ConversationSelectElement,
    DatePickerElement,
    InputBlock,
    NumberInputElement,
    PlainTextInputElement,
    UserMultiSelectElement,
)
from slack_sdk.models.views import View

from bot.studies.store import GOAL_LENGTH, StudyForm
from bot.text import escape_mrkdwn, truncate
from handlers.views.common import (
    as_object,
    id_number,
    input_value,
    is_channel_id,
    is_user_id,
    modal,
    plain,
    section,
)
from handlers.views.studies import OWNERS_MAX, StudyField, StudyMetadata, StudyView
from storage.models.studies import NAME_LENGTH, POINTS_MAX

# What the inputs take: a plain-text input holds at most 3,000 characters, enough for 12 points.
POINTS_LENGTH = 3000
TARGET_ACCOUNTS_LENGTH = 300
CONCLUSION_LENGTH = 3000
TARGET_MAX = 1000


def _text_input(
    field: StudyField,
    label: str,
    *,
    initial: str | None,
    max_length: int,
    multiline: bool = False,
    optional: bool = False,
    hint: str | None = None,
) -> InputBlock:
    return InputBlock(
        block_id=field,
        label=plain(label),
        optional=optional,
        hint=plain(hint, 2000) if hint else None,
        element=PlainTextInputElement(
            action_id=StudyField.VALUE,
            multiline=multiline,
            max_length=max_length,
            initial_value=truncate(initial, max_length, "") if initial else None,
        ),
    )


def study_form(form: StudyForm | None, *, metadata: StudyMetadata) -> View:
    """The form that starts a study (`form` None) or edits one (filled in with `form`)."""
    form = form or StudyForm(name="", goal="", points="")
    editing = metadata.study_id is not None
    owners = [o for o in form.owners if is_user_id(o)][:OWNERS_MAX]
    blocks: list[Block] = [
        _text_input(StudyField.NAME, "Name", initial=form.name, max_length=NAME_LENGTH),
        _text_input(
            StudyField.GOAL,
            "Goal",
            initial=form.goal,
            max_length=GOAL_LENGTH,
            multiline=True,
            hint="One or two sentences: what the study should let you decide.",
        ),
        _text_input(
            StudyField.POINTS,
            "Validation points",
            initial=form.points,
            max_length=POINTS_LENGTH,
            multiline=True,
            hint=f"One per line, up to {POINTS_MAX}: a hypothesis to confirm or refute, or a question to "
            "answer. A point you take out keeps the answers it had, apart.",
        ),
        InputBlock(
            block_id=StudyField.OWNERS,
            label=plain("Owners"),
            optional=True,
            hint=plain("You own it too. Owners and workspace admins may edit, close and reopen it.", 2000),
            element=UserMultiSelectElement(
                action_id=StudyField.VALUE,
                initial_users=owners or None,
                max_selected_items=OWNERS_MAX,
            ),
        ),
        InputBlock(
            block_id=StudyField.TARGET_INTERVIEWS,
            label=plain("Target number of interviews"),
            optional=True,
            element=NumberInputElement(
                action_id=StudyField.VALUE,
                is_decimal_allowed=False,
                min_value="1",
                max_value=str(TARGET_MAX),
                initial_value=str(form.target_interviews) if form.target_interviews else None,
            ),
        ),
        _text_input(
            StudyField.TARGET_ACCOUNTS,
            "Target accounts or segment",
            initial=form.target_accounts,
            max_length=TARGET_ACCOUNTS_LENGTH,
            optional=True,
            hint="Whom to talk to, in a few words: “mid-size clinics in Ohio”.",
        ),
        InputBlock(
            block_id=StudyField.ENDS_ON,
            label=plain("End date"),
            optional=True,
            element=DatePickerElement(
                action_id=StudyField.VALUE,
                initial_date=form.ends_on.isoformat() if form.ends_on else None,
            ),
        ),
        InputBlock(
            block_id=StudyField.CHANNEL,
            label=plain("Channel for its updates"),
            optional=True,
            hint=plain("Its summary is posted there when it closes.", 2000),
            element=ConversationSelectElement(
                action_id=StudyField.VALUE,
                initial_conversation=form.channel_id
                if form.channel_id and is_channel_id(form.channel_id)
                else None,
                filter=ConversationFilter(include=["public", "private"], exclude_bot_users=True),
            ),
        ),
    ]
    return modal(
        callback_id=StudyView.FORM,
        title="Edit the study" if editing else "New study",
        submit="Save" if editing else "Create",
        blocks=blocks,
        private_metadata=metadata.dumps(),
    )


def parse_study_form(values: dict[str, Any]) -> tuple[StudyForm, dict[str, str]]:
    """The submitted form as typed, and what could not even be read (keyed by block): a target that is not
    a whole number, a date that is not one. Nothing else is judged here: bot.studies.store validates."""

    def text(field: StudyField) -> str:
        value = input_value(values, field).get("value")
        return value if isinstance(value, str) else ""

    problems: dict[str, str] = {}
    target: int | None = None
    raw_target = text(StudyField.TARGET_INTERVIEWS).strip()
    if raw_target:
        target = id_number(raw_target)
        if target is None or not 1 <= target <= TARGET_MAX:
            problems[StudyField.TARGET_INTERVIEWS] = f"A whole number, from 1 to {TARGET_MAX:,}."
    ends_on: date | None = None
    raw_date = input_value(values, StudyField.ENDS_ON).get("selected_date")
    if isinstance(raw_date, str) and raw_date:
        try:
            ends_on = date.fromisoformat(raw_date)
        except ValueError:
            problems[StudyField.ENDS_ON] = "Pick the end date from the calendar."
    accounts = text(StudyField.TARGET_ACCOUNTS).strip()
    if len(accounts) > TARGET_ACCOUNTS_LENGTH:
        problems[StudyField.TARGET_ACCOUNTS] = f"Keep it under {TARGET_ACCOUNTS_LENGTH} characters."
    if len(text(StudyField.POINTS)) > POINTS_LENGTH:
        problems[StudyField.POINTS] = f"Keep the points under {POINTS_LENGTH:,} characters in all."
    users = input_value(values, StudyField.OWNERS).get("selected_users")
    owners = [u for u in users if isinstance(u, str) and is_user_id(u)] if isinstance(users, list) else []
    if len(owners) > OWNERS_MAX:
        problems[StudyField.OWNERS] = f"At most {OWNERS_MAX} owners."
    channel = input_value(values, StudyField.CHANNEL).get("selected_conversation")
    form = StudyForm(
        name=text(StudyField.NAME),
        goal=text(StudyField.GOAL),
        points=text(StudyField.POINTS)[:POINTS_LENGTH],
        owners=tuple(dict.fromkeys(owners))[:OWNERS_MAX],
        target_interviews=None if StudyField.TARGET_INTERVIEWS in problems else target,
        target_accounts=accounts[:TARGET_ACCOUNTS_LENGTH] or None,
        ends_on=ends_on,
        channel_id=channel if isinstance(channel, str) and is_channel_id(channel) else None,
    )
    return form, problems


def close_modal(*, name: str, channel_id: str | None, metadata: StudyMetadata) -> View:
    """Closing asks for the conclusion: what the study found, in a paragraph."""
    where = f" and posts its summary to <#{channel_id}>" if channel_id and is_channel_id(channel_id) else ""
    blocks: list[Block] = [
        section(
            f"Closing *{escape_mrkdwn(name)}* freezes its sheet as it stands{where}. "
            "Its owners can reopen it."
        ),
        _text_input(
            StudyField.CONCLUSION,
            "Conclusion",
            initial=None,
            max_length=CONCLUSION_LENGTH,
            multiline=True,
            hint="A paragraph: what the study found, and what you will do about it.",
        ),
    ]
    return modal(
        callback_id=StudyView.CLOSE,
        title="Close the study",
        submit="Close study",
        blocks=blocks,
        private_metadata=metadata.dumps(),
    )


def parse_conclusion(values: dict[str, Any]) -> str:
    value = input_value(values, StudyField.CONCLUSION).get("value")
    return value[:CONCLUSION_LENGTH] if isinstance(value, str) else ""


def submitted_values(view: dict[str, Any]) -> dict[str, Any]:
    """A submitted view's state values (anything missing or forged reads as nothing typed)."""
    return as_object(as_object(view.get("state")).get("values"))
