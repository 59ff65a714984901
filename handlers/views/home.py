"""The App Home tab: a button to log, and the person's latest interviews."""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum

from slack_sdk.models.blocks import ActionsBlock, Block, ButtonElement, DividerBlock
from slack_sdk.models.views import View

from handlers.views.common import MODAL_MAX_BLOCKS, context, header, plain
from handlers.views.interview import recent_interviews_message
from handlers.views.outbox import undelivered_blocks
from storage.models import Interview, OutboxMessage


class Home(StrEnum):
    ACTIONS = "home_actions"
    LOG_INTERVIEW = "home_log_interview"


def home_view(interviews: list[Interview], *, undelivered: Sequence[OutboxMessage] = ()) -> View:
    """`undelivered`: messages to this person that failed for good lately, said first."""
    blocks: list[Block] = [
        header("Customer interviews"),
        *undelivered_blocks(undelivered),
        context("Every call with a customer is an interview, whoever holds it. Log it while it's fresh."),
        ActionsBlock(
            block_id=Home.ACTIONS,
            elements=[
                ButtonElement(
                    action_id=Home.LOG_INTERVIEW, text=plain("Log an interview", 75), style="primary"
                )
            ],
        ),
        DividerBlock(),
        *recent_interviews_message(interviews),
    ]
    return View(type="home", blocks=blocks[:MODAL_MAX_BLOCKS])
