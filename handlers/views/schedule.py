"""The schedule modal: an upcoming call, for the prep DM before it and the debrief after it."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from slack_sdk.models.blocks import (
    Block,
    ContextBlock,
    DateTimePickerElement,
    ExternalDataSelectElement,
    InputBlock,
    PlainTextInputElement,
    UserMultiSelectElement,
)
from slack_sdk.models.views import View

from bot.followups.calls import GOAL_MAX
from handlers.views.common import MAX_PARTICIPANTS, modal, mrkdwn, plain
from handlers.views.log_modal import LogModal


class ScheduleModal(StrEnum):
    CALLBACK_ID = "schedule_call"
    ACCOUNT = "account"
    STARTS_AT = "starts_at"
    ENDS_AT = "ends_at"
    GOAL = "goal"
    PARTICIPANTS = "participants"
    VALUE = "value"


def schedule_modal(*, user_id: str, starts_at: datetime, ends_at: datetime) -> View:
    blocks: list[Block] = [
        ContextBlock(
            elements=[
                mrkdwn("Set a goal for the conversation. Everyone on it gets a prep note before it starts.")
            ]
        ),
        InputBlock(
            block_id=ScheduleModal.ACCOUNT,
            label=plain("Account"),
            element=ExternalDataSelectElement(
                action_id=LogModal.ACCOUNT_SEARCH, placeholder=plain("Customer company"), min_query_length=1
            ),
        ),
        InputBlock(
            block_id=ScheduleModal.STARTS_AT,
            label=plain("Starts"),
            element=DateTimePickerElement(
                action_id=ScheduleModal.VALUE, initial_date_time=int(starts_at.timestamp())
            ),
        ),
        InputBlock(
            block_id=ScheduleModal.ENDS_AT,
            label=plain("Ends"),
            element=DateTimePickerElement(
                action_id=ScheduleModal.VALUE, initial_date_time=int(ends_at.timestamp())
            ),
        ),
        InputBlock(
            block_id=ScheduleModal.GOAL,
            label=plain("Goal of the conversation"),
            optional=True,
            element=PlainTextInputElement(
                action_id=ScheduleModal.VALUE,
                multiline=True,
                max_length=GOAL_MAX,
                placeholder=plain("What do we want to learn?"),
            ),
        ),
        InputBlock(
            block_id=ScheduleModal.PARTICIPANTS,
            label=plain("Who joins from our side"),
            optional=True,
            element=UserMultiSelectElement(
                action_id=ScheduleModal.VALUE, initial_users=[user_id], max_selected_items=MAX_PARTICIPANTS
            ),
        ),
    ]
    return modal(
        callback_id=ScheduleModal.CALLBACK_ID, title="Schedule a call", blocks=blocks, submit="Schedule"
    )
