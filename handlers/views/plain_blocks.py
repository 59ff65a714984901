"""Block Kit as plain dicts, exactly what slack_sdk.models would serialize, for messages the scheduler
draws in bulk (reminder DMs): building and serializing the model objects was a quarter of a DM's CPU. The
limits slack_sdk would check are kept here: every text is cut to Slack's lengths."""

from __future__ import annotations

from typing import Any

from bot.text import truncate
from handlers.views.common import HEADER_MAX_CHARS, SECTION_MAX_CHARS

BUTTON_MAX_CHARS = 75  # a button's, an option's and a placeholder's text
Block = dict[str, Any]


def mrkdwn(text: str) -> dict[str, Any]:
    """Our own mrkdwn, cut to a section's length. verbatim: bare words like @here never become mentions."""
    return {"type": "mrkdwn", "text": truncate(text, SECTION_MAX_CHARS), "verbatim": True}


def plain(text: str, limit: int = BUTTON_MAX_CHARS) -> dict[str, Any]:
    return {"type": "plain_text", "text": truncate(text, limit, "…") or " ", "emoji": True}


def section(text: str, *, block_id: str | None = None, accessory: dict[str, Any] | None = None) -> Block:
    block: Block = {"type": "section", "text": mrkdwn(text)}
    if block_id is not None:
        block["block_id"] = block_id
    if accessory is not None:
        block["accessory"] = accessory
    return block


def button(action_id: str, label: str, value: str, style: str | None = None) -> dict[str, Any]:
    made: dict[str, Any] = {
        "type": "button",
        "action_id": str(action_id),
        "text": plain(label),
        "value": value,
    }
    if style is not None:
        made["style"] = style
    return made


def option(label: str, value: str) -> dict[str, Any]:
    return {"text": plain(label), "value": value}


def header(text: str) -> Block:
    return {"type": "header", "text": plain(text, HEADER_MAX_CHARS)}


def context(text: str) -> Block:
    text = truncate(text, SECTION_MAX_CHARS, "…")
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text, "verbatim": True}]}
