"""Block Kit building blocks shared by every surface: typed text made safe and kept within Slack's limits."""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from slack_sdk.models.blocks import (
    Block,
    BlockElement,
    ContextBlock,
    HeaderBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)
from slack_sdk.models.views import View

from bot.text import chunk, escape_mrkdwn, truncate

MAX_PARTICIPANTS = 20  # our people on one call: kept, picked and shown
MESSAGE_MAX_BLOCKS = 50
MODAL_MAX_BLOCKS = 100
SECTION_MAX_CHARS = 3000
HEADER_MAX_CHARS = 150
CUT_NOTE = "_Some of this was too long for one Slack message; every word is saved with the interview._"

_SLACK_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,30}$")
_SLACK_CHANNEL_ID = re.compile(r"^[CGD][A-Z0-9]{2,30}$")


def mrkdwn(text: str) -> MarkdownTextObject:
    """Our own mrkdwn. verbatim: Slack must not turn bare words like @here into mentions."""
    return MarkdownTextObject(text=text, verbatim=True)


def plain(text: str, limit: int = HEADER_MAX_CHARS) -> PlainTextObject:
    return PlainTextObject(text=truncate(text, limit, "…") or " ", emoji=True)


def header(text: str) -> HeaderBlock:
    return HeaderBlock(text=plain(text, HEADER_MAX_CHARS))


def context(text: str) -> ContextBlock:
    return ContextBlock(elements=[mrkdwn(truncate(text, SECTION_MAX_CHARS, "…"))])


def section(text: str, *, accessory: BlockElement | None = None) -> SectionBlock:
    """Our mrkdwn in a section, cut with "…" to a section's length."""
    return SectionBlock(text=mrkdwn(truncate(text, SECTION_MAX_CHARS, "…")), accessory=accessory)


def modal(
    *,
    callback_id: str,
    title: str,
    blocks: list[Block],
    submit: str | None = "Save",
    close: str = "Cancel",
    private_metadata: str | None = None,
) -> View:
    """A modal with our usual buttons (no submit button with submit=None: a modal only to read);
    titles and button labels are cut to Slack's 24 characters."""
    return View(
        type="modal",
        callback_id=callback_id,
        title=plain(title, 24),
        submit=plain(submit, 24) if submit is not None else None,
        close=plain(close, 24),
        private_metadata=private_metadata,
        blocks=blocks,
    )


def user_mention(user_id: str) -> str:
    """A mention of a Slack user id we got from Slack; anything else is shown escaped, pinging nobody."""
    return f"<@{user_id}>" if _SLACK_USER_ID.match(user_id) else escape_mrkdwn(user_id)


def channel_mention(channel_id: str) -> str:
    return f"<#{channel_id}>" if _SLACK_CHANNEL_ID.match(channel_id) else escape_mrkdwn(channel_id)


def is_user_id(value: str) -> bool:
    return bool(_SLACK_USER_ID.match(value))


def is_channel_id(value: str) -> bool:
    return bool(_SLACK_CHANNEL_ID.match(value))


def labelled_sections(label: str, typed: str) -> list[Block]:
    """A bold label over text someone typed, escaped, split over as many sections as it needs."""
    body = escape_mrkdwn(typed)
    pieces = chunk(body, SECTION_MAX_CHARS - len(label) - 8) or [""]
    blocks: list[Block] = [SectionBlock(text=mrkdwn(f"*{label}*\n{pieces[0]}"))]
    blocks += [SectionBlock(text=mrkdwn(p)) for p in pieces[1:]]
    return blocks


def bullet_sections(label: str, items: list[str], *, prefix: str = "• ") -> list[Block]:
    return labelled_sections(label, "\n".join(f"{prefix}{item}" for item in items)) if items else []


def fit_message(blocks: list[Block], limit: int = MESSAGE_MAX_BLOCKS) -> list[Block]:
    """Keep a message within Slack's block limit, saying so where something was cut."""
    if len(blocks) <= limit:
        return blocks
    return [*blocks[: limit - 1], ContextBlock(elements=[mrkdwn(CUT_NOTE)])]


def local_time(moment: datetime, tz: ZoneInfo) -> str:
    """A UTC moment as the viewer reads it: "Tue 24 Nov, 09:00"."""
    return moment.astimezone(tz).strftime("%a %d %b, %H:%M")


def slack_time(moment: datetime) -> str:
    """A moment Slack shows in each reader's own timezone ("Tue 24 Nov at 09:00" where they are); the
    fallback, for clients that cannot, is UTC."""
    fallback = moment.astimezone(ZoneInfo("UTC")).strftime("%a %d %b, %H:%M UTC")
    return f"<!date^{int(moment.timestamp())}^{{date_short_pretty}} at {{time}}|{fallback}>"


def as_dicts(blocks: list[Block]) -> list[dict[str, Any]]:
    """Blocks as the JSON Slack is sent, for storing a message to send later."""
    return [block.to_dict() for block in blocks]


ID_DIGITS_MAX = 15  # our row ids in buttons and metadata are far shorter; a database integer is not longer


def id_number(value: object) -> int | None:
    """A row id as our buttons and metadata carry it (ASCII digits, or a JSON number), or None for
    anything else a forged payload may hold: `"²".isdigit()` is true but int() refuses it, and an
    integer past the database's would fail as an outage would."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value if 0 <= value < 10**ID_DIGITS_MAX else None
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= ID_DIGITS_MAX:
        return int(value)
    return None


def as_object(value: object) -> dict[str, Any]:
    """`value` when it is a JSON object, else an empty one: for reading nested fields of a payload."""
    return value if isinstance(value, dict) else {}


def in_modal(body: dict[str, Any]) -> bool:
    """Whether a click came from inside a modal (what it opens goes on top, views.push); a click on the
    App Home tab also comes with a view, of type home, where there is nothing to push onto."""
    return as_object(body.get("view")).get("type") == "modal"


def json_object(raw: str | None) -> dict[str, Any]:
    """A modal's private_metadata read back: a JSON object, or {} for anything else (it is ours, but a
    payload may be forged)."""
    if not isinstance(raw, str):  # typed as Slack sends it; a forged one may be anything
        return {}
    try:
        data = json.loads(raw or "{}")
    except (ValueError, RecursionError):
        return {}
    return data if isinstance(data, dict) else {}


def input_value(state: dict[str, Any], block_id: str) -> dict[str, Any]:
    """The value Slack reports for an input block of a submitted view (each block holds one element)."""
    block = state.get(str(block_id)) or {}
    value = next(iter(block.values()), {}) if isinstance(block, dict) else {}
    return value if isinstance(value, dict) else {}
