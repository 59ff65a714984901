"""The summary modal, opened from a reminder: write what we heard, tied to the goal of the call."""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Any

from slack_sdk.models.blocks import Block, InputBlock, PlainTextInputElement
from slack_sdk.models.views import View

from bot.capture.interviews import FIELD_MAX
from bot.studies.guide import StudyRecap, summary_draft
from bot.text import escape_mrkdwn, truncate
from handlers.views.common import as_object, context, id_number, json_object, modal, plain
from storage.models import FollowUp


class SummaryModal(StrEnum):
    CALLBACK_ID = "write_summary"
    SUMMARY_BLOCK = "summary"
    VALUE = "value"


def summary_modal(item: FollowUp, *, origin: dict[str, Any], recap: StudyRecap | None = None) -> View:
    """`recap`: the study the interview is in, if any: the summary is drafted around its goal and the
    points the call touched (unless one is written already)."""
    interview = item.interview
    assert interview is not None
    goal = interview.goal or "No goal was written down for this call."
    account = escape_mrkdwn(interview.account.name)
    about = f"*{account}*, {interview.held_on:%d %b %Y}\n*Goal:* {escape_mrkdwn(truncate(goal, 2400, '…'))}"
    limit = FIELD_MAX["interpretation"]
    initial = truncate(interview.interpretation, limit, "") if interview.interpretation else None
    if recap is not None:
        study = escape_mrkdwn(recap.name)
        about = f"*Study:* {study}: the summary is drafted around its goal and the points touched\n{about}"
        initial = initial or summary_draft(recap, limit=limit)
    blocks: list[Block] = [
        context(truncate(about, 2900)),
        InputBlock(
            block_id=SummaryModal.SUMMARY_BLOCK,
            label=plain("What we heard"),
            hint=plain("Our interpretation of the call, against its goal: what did we learn?", 2000),
            element=PlainTextInputElement(
                action_id=SummaryModal.VALUE,
                multiline=True,
                max_length=limit,
                initial_value=initial,
            ),
        ),
    ]
    metadata = json.dumps({"follow_up_id": item.id, "origin": origin}, separators=(",", ":"))
    return modal(
        callback_id=SummaryModal.CALLBACK_ID,
        title="Write the summary",
        blocks=blocks,
        private_metadata=metadata if len(metadata) <= 3000 else json.dumps({"follow_up_id": item.id}),
    )


def parse_summary(view: dict[str, Any]) -> tuple[int, str, dict[str, Any]]:
    """The follow-up, the summary typed, and where the reminder is (channel, ts, ids): whatever is
    missing or forged reads as not given."""
    metadata = json_object(view.get("private_metadata"))
    values = as_object(as_object(view.get("state")).get("values"))
    block = as_object(as_object(values.get(SummaryModal.SUMMARY_BLOCK)).get(SummaryModal.VALUE))
    typed = block.get("value")
    summary = typed.strip() if isinstance(typed, str) else ""
    where = as_object(metadata.get("origin"))
    ids = where.get("ids") if isinstance(where.get("ids"), list) else []
    origin = {
        "channel": where.get("channel") if isinstance(where.get("channel"), str) else None,
        "ts": where.get("ts") if isinstance(where.get("ts"), str) else None,
        "ids": [n for n in (id_number(i) for i in ids) if n is not None],
    }
    return id_number(metadata.get("follow_up_id")) or 0, summary, origin
