"""The reminder pause modal (`/interview settings`): reminders paused until a date (a vacation)."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from slack_sdk.models.blocks import Block, ContextBlock, DatePickerElement, InputBlock
from slack_sdk.models.views import View

from handlers.views.common import modal, mrkdwn, plain


class PauseModal(StrEnum):
    CALLBACK_ID = "reminder_settings"
    PAUSE_BLOCK = "pause_until"
    VALUE = "value"


def pause_modal(*, paused_until: date | None, today: date) -> View:
    state = (
        f"Reminders are paused until *{paused_until:%A %d %B %Y}*."
        if paused_until and paused_until > today
        else "Reminders are on."
    )
    blocks: list[Block] = [
        ContextBlock(elements=[mrkdwn(state)]),
        InputBlock(
            block_id=PauseModal.PAUSE_BLOCK,
            label=plain("Pause my reminders until"),
            hint=plain("They start again that morning. Clear the date to turn them back on now.", 2000),
            optional=True,
            element=DatePickerElement(
                action_id=PauseModal.VALUE,
                initial_date=paused_until.isoformat() if paused_until and paused_until > today else None,
            ),
        ),
    ]
    return modal(callback_id=PauseModal.CALLBACK_ID, title="Interview bot settings", blocks=blocks)
