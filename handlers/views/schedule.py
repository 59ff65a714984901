"""The schedule modal: an upcoming call, for the prep DM before it and the debrief after it."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from slack_sdk.models.blocks import Block, DateTimePickerElement, InputBlock, PlainTextInputElement
from slack_sdk.models.views import View

from bot.followups.calls import GOAL_MAX, CallDraft
from handlers.views.common import as_object, context, id_number, input_value, is_user_id, modal, plain
from handlers.views.log_modal import account_block, participants_block
from handlers.views.study_pick import StudyChoice, study_select


class ScheduleModal(StrEnum):
    CALLBACK_ID = "schedule_call"
    ACCOUNT = "account"
    STARTS_AT = "starts_at"
    ENDS_AT = "ends_at"
    GOAL = "goal"
    PARTICIPANTS = "participants"
    VALUE = "value"


def _moment_block(block_id: ScheduleModal, label: str, at: datetime) -> InputBlock:
    return InputBlock(
        block_id=block_id,
        label=plain(label),
        element=DateTimePickerElement(action_id=ScheduleModal.VALUE, initial_date_time=int(at.timestamp())),
    )


def schedule_modal(
    *, user_id: str, starts_at: datetime, ends_at: datetime, study: StudyChoice | None = None
) -> View:
    """`study`: the open studies the call may be in (none: no study field); its points are answered when
    the call is logged."""
    blocks: list[Block] = [
        context("Set a goal for the conversation. Everyone on it gets a prep note before it starts."),
        account_block(ScheduleModal.ACCOUNT),
        _moment_block(ScheduleModal.STARTS_AT, "Starts", starts_at),
        _moment_block(ScheduleModal.ENDS_AT, "Ends", ends_at),
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
        participants_block(ScheduleModal.PARTICIPANTS, "Who joins from our side", user_id),
    ]
    if study is not None and study.studies:
        hint = "When you log the call, the form opens in this study, with its points to answer."
        blocks.append(study_select(study, dispatch=False, label="In the study", hint=hint))
    return modal(
        callback_id=ScheduleModal.CALLBACK_ID, title="Schedule a call", blocks=blocks, submit="Schedule"
    )


def parse_schedule(state: dict[str, Any]) -> CallDraft:
    """The submitted view state as a draft; a field of the wrong type (a forged payload) reads as empty."""

    def moment(block: ScheduleModal) -> datetime | None:
        raw = input_value(state, block).get("selected_date_time")
        seconds = id_number(raw)  # whole non-negative seconds, as Slack sends them
        try:
            return datetime.fromtimestamp(seconds, UTC) if seconds is not None else None
        except (OverflowError, OSError, ValueError):  # past the years a datetime holds
            return None

    account = as_object(input_value(state, ScheduleModal.ACCOUNT).get("selected_option")).get("value")
    goal = input_value(state, ScheduleModal.GOAL).get("value")
    picked = input_value(state, ScheduleModal.PARTICIPANTS).get("selected_users")
    people = [u for u in picked if isinstance(u, str) and is_user_id(u)] if isinstance(picked, list) else []
    return CallDraft(
        account=account if isinstance(account, str) else None,
        starts_at=moment(ScheduleModal.STARTS_AT),
        ends_at=moment(ScheduleModal.ENDS_AT),
        goal=goal if isinstance(goal, str) else None,
        participants=people,
    )
