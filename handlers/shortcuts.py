"""Shortcuts: turn a message (a pasted call summary, say) into a prefilled log modal."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from slack_bolt import Ack, App

from bot.text import from_slack
from handlers.deps import Actor, Deps
from handlers.log_modal import open_log_modal
from handlers.views.common import as_object
from handlers.views.log_modal import LogModalPrefill


class Shortcut(StrEnum):
    LOG_FROM_MESSAGE = "log_from_message"
    LOG_GLOBAL = "log_interview_global"


def register(app: App) -> None:
    app.message_shortcut(Shortcut.LOG_FROM_MESSAGE)(log_from_message)
    app.global_shortcut(Shortcut.LOG_GLOBAL)(log_from_anywhere)


def log_from_message(ack: Ack, shortcut: dict[str, Any], actor: Actor, deps: Deps) -> None:
    open_log_modal(
        ack=ack,
        actor=actor,
        deps=deps,
        trigger_id=shortcut["trigger_id"],
        channel_id=as_object(shortcut.get("channel")).get("id"),
        # Message text comes as Slack stores it: escaped, with <@U…> and <url|label> markup.
        prefill=LogModalPrefill(notes=from_slack(_text(as_object(shortcut.get("message")))) or None),
    )


def _text(message: dict[str, Any]) -> str:
    text = message.get("text")
    return text if isinstance(text, str) else ""


def log_from_anywhere(ack: Ack, shortcut: dict[str, Any], actor: Actor, deps: Deps) -> None:
    open_log_modal(ack=ack, actor=actor, deps=deps, trigger_id=shortcut["trigger_id"])
