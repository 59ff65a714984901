"""The log modal: every id it uses, its typed private_metadata, and the pure function that builds it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from functools import cache, lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from slack_sdk.models.blocks import (
    Block,
    CheckboxesElement,
    ConversationFilter,
    ConversationSelectElement,
    DatePickerElement,
    DividerBlock,
    ExternalDataSelectElement,
    InputBlock,
    Option,
    PlainTextInputElement,
    StaticSelectElement,
    UserMultiSelectElement,
)

from bot.accounts.names import ACCOUNT_NAME_MAX
from bot.capture.edits import promise_lines
from bot.capture.interviews import FIELD_MAX, STORED_AS_TYPED
from bot.text import truncate
from handlers.views.common import (
    MAX_PARTICIPANTS,
    context,
    header,
    id_number,
    json_object,
    modal,
    plain,
)
from handlers.views.study_pick import StudyChoice, study_blocks
from storage.models import Interview, InterviewKind


class LogModal(StrEnum):
    CALLBACK_ID = "log_interview"
    EDIT_CALLBACK_ID = "edit_interview"  # the same form, prefilled with an interview its author edits
    # One action for every account picker (log and schedule modals share the search).
    ACCOUNT_SEARCH = "account_search"
    VALUE = "value"  # the action_id of each input; block ids (LogField) tell the fields apart
    CHECKED = "checked"


class LogField(StrEnum):
    """Block ids of the modal's inputs; the same names as InterviewDraft's fields."""

    ACCOUNT = "account"
    KIND = "kind"
    HELD_ON = "held_on"
    PARTICIPANTS = "participants"
    CONTACT_NAME = "contact_name"
    CONTACT_ROLE = "contact_role"
    GOAL = "goal"
    PAINS = "pains"
    REQUESTS = "requests"
    QUOTES = "quotes"
    INTERPRETATION = "interpretation"
    CLOSING_ANSWER = "closing_answer"
    NOTES = "notes"
    RECORDING_URL = "recording_url"
    RECORDING_PERMISSION = "recording_permission"
    THANK_YOU_SENT = "thank_you_sent"
    PROMISES = "promises"
    SHARE_CHANNEL = "share_channel"


# The free-text inputs, each read back into the InterviewDraft field of the same name.
TEXT_FIELDS = (
    LogField.CONTACT_NAME,
    LogField.CONTACT_ROLE,
    LogField.GOAL,
    LogField.PAINS,
    LogField.REQUESTS,
    LogField.QUOTES,
    LogField.INTERPRETATION,
    LogField.CLOSING_ANSWER,
    LogField.NOTES,
    LogField.RECORDING_URL,
    LogField.PROMISES,
)


@dataclass(frozen=True)
class LogModalMetadata:
    """What the submission needs to know of where the modal came from (private_metadata, ≤ 3000 chars)."""

    channel_id: str | None = None  # where the command was typed
    tz: str | None = None  # the timezone the default date (or, editing, the promises' dates) was computed in
    interview_id: int | None = None  # the interview this form edits; None: it logs a new one

    def dumps(self) -> str:
        return _metadata_json(self.channel_id, self.tz, self.interview_id)

    @classmethod
    def loads(cls, raw: str | None) -> LogModalMetadata:
        data = json_object(raw)
        return cls(
            **{k: v for k, v in data.items() if k in ("channel_id", "tz") and isinstance(v, str)},
            interview_id=id_number(data.get("interview_id")),
        )


@lru_cache(maxsize=4096)
def _metadata_json(channel_id: str | None, tz: str | None, interview_id: int | None) -> str:
    # Every modal opened writes one; a person opens it from the same few channels, in the same zone.
    fields = {"channel_id": channel_id, "tz": tz, "interview_id": interview_id}
    return json.dumps(fields, separators=(",", ":"))


@dataclass(frozen=True)
class LogModalPrefill:
    """What the form opens with; the field names are LogField's. Logging fills a few (the account typed
    after the command, a shortcut's notes); editing fills every one with what is stored."""

    account: str | None = None
    notes: str | None = None
    goal: str | None = None
    participants: tuple[str, ...] = ()
    kind: str | None = None
    held_on: date | None = None
    contact_name: str | None = None
    contact_role: str | None = None
    pains: str | None = None
    requests: str | None = None
    quotes: str | None = None
    interpretation: str | None = None
    closing_answer: str | None = None
    recording_url: str | None = None
    promises: str | None = None
    recording_permission: bool = False
    thank_you_sent: bool = False
    share_channel: str | None = None


def edit_prefill(interview: Interview, tz: ZoneInfo) -> LogModalPrefill:
    """Every field as stored, for its author to edit; the promises' dates as due in `tz`."""
    return LogModalPrefill(
        account=interview.account.name,
        kind=interview.kind.value,
        held_on=interview.held_on,
        participants=tuple(p.user_id for p in interview.participants),
        **{name: getattr(interview, name) for name in STORED_AS_TYPED},
        pains="\n".join(p.text for p in interview.pains),
        requests="\n".join(r.text for r in interview.requests),
        quotes="\n".join(q.text for q in interview.quotes),
        promises=promise_lines(interview, tz),
        recording_permission=interview.recording_permission,
        thank_you_sent=interview.thank_you_sent,
        share_channel=interview.share_channel_id,
    )


def account_option(name: str, label: str | None = None) -> Option:
    name = truncate(name.strip(), ACCOUNT_NAME_MAX, "")
    return Option(text=truncate(label or name, 75, "…"), value=name)


def _text_input(
    field: LogField,
    label: str,
    *,
    multiline: bool = False,
    placeholder: str | None = None,
    hint: str | None = None,
    initial: str | None = None,
) -> InputBlock:
    limit = FIELD_MAX[field.value]
    return InputBlock(
        block_id=field,
        label=plain(label),
        optional=True,
        hint=plain(hint, 2000) if hint else None,
        element=PlainTextInputElement(
            action_id=LogModal.VALUE,
            multiline=multiline,
            max_length=limit,
            placeholder=plain(placeholder) if placeholder else None,
            initial_value=truncate(initial, limit, "") if initial else None,
        ),
    )


def _checkbox(field: LogField, label: str, option: str) -> InputBlock:
    return InputBlock(
        block_id=field,
        label=plain(label),
        optional=True,
        element=CheckboxesElement(
            action_id=LogModal.CHECKED, options=[Option(text=plain(option), value="yes")]
        ),
    )


def kind_options() -> list[Option]:
    return [Option(text=kind.label, value=kind.value) for kind in InterviewKind]


def account_block(block_id: str, *, hint: str | None = None) -> InputBlock:
    """The account picker of the log and schedule modals: one search suggests the accounts as people type."""
    return InputBlock(
        block_id=block_id,
        label=plain("Account"),
        hint=plain(hint) if hint else None,
        element=ExternalDataSelectElement(
            action_id=LogModal.ACCOUNT_SEARCH, placeholder=plain("Customer company"), min_query_length=1
        ),
    )


def _held_on_block(today: date) -> InputBlock:
    return InputBlock(
        block_id=LogField.HELD_ON,
        label=plain("Date of the call"),
        element=DatePickerElement(action_id=LogModal.VALUE, initial_date=today.isoformat()),
    )


def participants_block(block_id: str, label: str, user_id: str) -> InputBlock:
    """Our people on a call (the log and schedule modals), starting with the person filling the form."""
    return InputBlock(
        block_id=block_id,
        label=plain(label),
        optional=True,
        element=UserMultiSelectElement(
            action_id=LogModal.VALUE, initial_users=[user_id], max_selected_items=MAX_PARTICIPANTS
        ),
    )


def _notes_block(notes: str | None) -> InputBlock:
    return _text_input(LogField.NOTES, "Notes", multiline=True, initial=notes)


@cache
def _modal_template() -> dict[str, Any]:
    """The capture form. Pains and requests are separate fields, as are quotes and interpretation,
    and the closing question has its own box: the habits of a good interview are built in."""
    blocks: list[Block] = [
        context(
            "Capture it while it's fresh. Keep the customer's *pains* apart from the *solutions* "
            "they asked for, and *what they said* apart from *what we heard*."
        ),
        account_block(LogField.ACCOUNT, hint="Start typing: pick a known account, or choose “New account”."),
        InputBlock(
            block_id=LogField.KIND,
            label=plain("Kind of conversation"),
            element=StaticSelectElement(
                action_id=LogModal.VALUE, placeholder=plain("Pick one"), options=kind_options()
            ),
        ),
        _held_on_block(date(2000, 1, 1)),
        participants_block(LogField.PARTICIPANTS, "Our people on the call", "U0"),
        _text_input(LogField.CONTACT_NAME, "Customer contact", placeholder="Name"),
        _text_input(LogField.CONTACT_ROLE, "Their role", placeholder="e.g. Head of Finance"),
        _text_input(
            LogField.GOAL,
            "Goal of the conversation",
            multiline=True,
            placeholder="What did we want to learn?",
        ),
        DividerBlock(),
        header("What we learned"),
        _text_input(
            LogField.PAINS,
            "Pains",
            multiline=True,
            hint="Problems in their words, one per line. Needed, unless you write notes below.",
            placeholder="Month-end reports take two days to build",
        ),
        _text_input(
            LogField.REQUESTS,
            "Requests",
            multiline=True,
            hint="Solutions they asked for, one per line. Dig for the pain behind each.",
        ),
        _text_input(
            LogField.QUOTES, "What they said", multiline=True, hint="Quotes, word for word, one per line."
        ),
        _text_input(
            LogField.INTERPRETATION,
            "What we heard",
            multiline=True,
            hint="Our interpretation, tied to the goal. Leave empty and you'll be reminded to write it.",
        ),
        _text_input(
            LogField.CLOSING_ANSWER,
            "“What else is on your mind?”",
            multiline=True,
            hint="Their answer to the closing question.",
        ),
        _notes_block(None),
        DividerBlock(),
        _text_input(LogField.RECORDING_URL, "Recording link", placeholder="https://…"),
        _checkbox(LogField.RECORDING_PERMISSION, "Recording", "The customer agreed to be recorded"),
        _checkbox(LogField.THANK_YOU_SENT, "Thank-you email", "Already sent"),
        _text_input(
            LogField.PROMISES,
            "Promised follow-ups",
            multiline=True,
            hint="One per line; end a line with a date (2026-12-01), “tomorrow” or “in 5 days”. "
            "Without a date it's due in 3 days.",
        ),
        InputBlock(
            block_id=LogField.SHARE_CHANNEL,
            label=plain("Share the summary in"),
            optional=True,
            element=ConversationSelectElement(
                action_id=LogModal.VALUE,
                placeholder=plain("A team channel (optional)"),
                filter=ConversationFilter(include=["public", "private"], exclude_bot_users=True),
            ),
        ),
    ]
    return modal(callback_id=LogModal.CALLBACK_ID, title="Log an interview", blocks=blocks).to_dict()


def _with_element(block: dict[str, Any], **element: Any) -> dict[str, Any]:
    """A template block with some of its element's fields set (a copy: the template is shared)."""
    filled = {k: v for k, v in element.items() if v is not None}
    return {**block, "element": {**block["element"], **filled}} if filled else block


def _option_of(block: dict[str, Any], value: str | None) -> dict[str, Any] | None:
    """The option of a template select or checkbox with this value, as Slack wants it back as initial."""
    options = block["element"].get("options") or []
    return next((o for o in options if o.get("value") == value), None)


# The text inputs with their names and limits, read once (an enum's .value is a descriptor call).
_TEXT_LIMITS = tuple((field, field.value, FIELD_MAX[field.value]) for field in TEXT_FIELDS)


@cache
def _positions() -> dict[str, int]:
    """Where each input of the template is in its blocks, by block id."""
    return {b["block_id"]: i for i, b in enumerate(_modal_template()["blocks"]) if "block_id" in b}


def log_modal(
    *,
    today: date,
    user_id: str,
    metadata: LogModalMetadata,
    prefill: LogModalPrefill,
    editing: bool = False,
    study: StudyChoice | None = None,
) -> dict[str, Any]:
    """The log modal as views.open takes it; `editing`: the same form titled and submitted as an edit;
    `study`: the studies to log into, after the notes (none open: no study field).

    Converting ~100 Block Kit objects costs ~2 ms, more than the rest of the request, so the form is
    built and checked once (_modal_template) and each request copies in only its own values: the blocks
    it fills are copied, the others shared with the template.
    """
    template, at = _modal_template(), _positions()
    blocks = list(template["blocks"])

    def fill(field: LogField, **element: Any) -> None:
        blocks[at[field]] = _with_element(blocks[at[field]], **element)

    fill(LogField.HELD_ON, initial_date=(prefill.held_on or today).isoformat())
    fill(
        LogField.PARTICIPANTS,
        initial_users=list(dict.fromkeys([user_id, *prefill.participants]))[:MAX_PARTICIPANTS],
    )
    if prefill.account:
        fill(LogField.ACCOUNT, initial_option=account_option(prefill.account).to_dict())
    if prefill.kind:
        fill(LogField.KIND, initial_option=_option_of(blocks[at[LogField.KIND]], prefill.kind))
    for field in (LogField.RECORDING_PERMISSION, LogField.THANK_YOU_SENT):
        if getattr(prefill, field):
            fill(field, initial_options=[_option_of(blocks[at[field]], "yes")])
    for field, name, limit in _TEXT_LIMITS:
        text = getattr(prefill, name)
        if text:
            fill(field, initial_value=truncate(text, limit, ""))
    if prefill.share_channel:
        fill(LogField.SHARE_CHANNEL, initial_conversation=prefill.share_channel)
    after_notes = at[LogField.NOTES] + 1
    blocks[after_notes:after_notes] = [b.to_dict() for b in study_blocks(study)]
    view = {**template, "blocks": blocks, "private_metadata": metadata.dumps()}
    if editing:
        view.update(
            callback_id=LogModal.EDIT_CALLBACK_ID, title={**template["title"], "text": "Edit the interview"}
        )
    return view
