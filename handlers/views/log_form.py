"""Reading a submitted log modal back: its view state as an interview draft (shared by Log and Edit)."""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.capture.interviews import InterviewDraft
from handlers.views.common import MAX_PARTICIPANTS, as_object, input_value, is_channel_id, is_user_id
from handlers.views.log_modal import TEXT_FIELDS, LogField, LogModalPrefill


def parse_log_form(state: dict[str, Any]) -> InterviewDraft:
    """The submitted view state as a draft; nothing is judged here, only read."""

    def text(field: LogField) -> str | None:
        value = input_value(state, field).get("value")
        return value if isinstance(value, str) else None

    def checked(field: LogField) -> bool:
        return bool(input_value(state, field).get("selected_options"))

    account = as_object(input_value(state, LogField.ACCOUNT).get("selected_option")).get("value")
    kind = as_object(input_value(state, LogField.KIND).get("selected_option")).get("value")
    raw_date = input_value(state, LogField.HELD_ON).get("selected_date")
    try:
        held_on = date.fromisoformat(raw_date) if raw_date else None
    except ValueError:
        held_on = None
    participants = [
        u for u in input_value(state, LogField.PARTICIPANTS).get("selected_users") or [] if is_user_id(u)
    ][:MAX_PARTICIPANTS]
    channel = input_value(state, LogField.SHARE_CHANNEL).get("selected_conversation")
    return InterviewDraft(
        account=account,
        kind=kind,
        held_on=held_on,
        participants=participants,
        recording_permission=checked(LogField.RECORDING_PERMISSION),
        thank_you_sent=checked(LogField.THANK_YOU_SENT),
        **{field.value: text(field) for field in TEXT_FIELDS},
        share_channel=channel if isinstance(channel, str) and is_channel_id(channel) else None,
    )


def prefill_of(draft: InterviewDraft) -> LogModalPrefill:
    """The form drawn again with what it held (picking a study redraws it with the study's points)."""
    return LogModalPrefill(
        account=draft.account if isinstance(draft.account, str) else None,
        kind=draft.kind if isinstance(draft.kind, str) else None,
        held_on=draft.held_on,
        participants=tuple(draft.participants),
        **{field.value: getattr(draft, field.value) for field in TEXT_FIELDS},
        recording_permission=draft.recording_permission,
        thank_you_sent=draft.thank_you_sent,
        share_channel=draft.share_channel,
    )
