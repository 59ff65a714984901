"""The log modal's state values, as Slack sends them in a view_submission."""

from __future__ import annotations

from typing import Any

from handlers.views.log_modal import TEXT_FIELDS, LogField, LogModal


def log_form(
    *,
    account: str | None = "Acme",
    kind: str | None = "discovery",
    held_on: str | None = None,
    participants: list[str] | None = None,
    recording_permission: bool = False,
    thank_you_sent: bool = False,
    share_channel: str | None = None,
    **texts: str | None,
) -> dict[str, Any]:
    """State values for the log modal; unknown keyword names fail loudly."""
    values: dict[str, Any] = {
        LogField.ACCOUNT: {
            LogModal.ACCOUNT_SEARCH: {
                "type": "external_select",
                "selected_option": {"text": {"type": "plain_text", "text": account}, "value": account}
                if account
                else None,
            }
        },
        LogField.KIND: {
            LogModal.VALUE: {
                "type": "static_select",
                "selected_option": {"text": {"type": "plain_text", "text": kind}, "value": kind}
                if kind
                else None,
            }
        },
        LogField.HELD_ON: {LogModal.VALUE: {"type": "datepicker", "selected_date": held_on}},
        LogField.PARTICIPANTS: {
            LogModal.VALUE: {"type": "multi_users_select", "selected_users": participants or []}
        },
        LogField.RECORDING_PERMISSION: _checkbox(recording_permission),
        LogField.THANK_YOU_SENT: _checkbox(thank_you_sent),
        LogField.SHARE_CHANNEL: {
            LogModal.VALUE: {"type": "conversations_select", "selected_conversation": share_channel}
        },
    }
    known = {f.value for f in TEXT_FIELDS}
    unknown = set(texts) - known
    if unknown:
        raise TypeError(f"log_form has no text fields {sorted(unknown)}")
    for field in TEXT_FIELDS:
        values[field] = {LogModal.VALUE: {"type": "plain_text_input", "value": texts.get(field.value)}}
    return {str(k): {str(a): v for a, v in inner.items()} for k, inner in values.items()}


def _checkbox(on: bool) -> dict[str, Any]:
    selected = [{"text": {"type": "plain_text", "text": "yes"}, "value": "yes"}] if on else []
    return {LogModal.CHECKED: {"type": "checkboxes", "selected_options": selected}}
