"""Shortcuts: turn a message (a pasted call summary, say) into a prefilled log modal."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from slack_bolt import Ack, App, BoltContext

from bot.app import Deps
from handlers.log_modal import open_log_modal
from handlers.views.log_modal import LogModalPrefill


class Shortcut(StrEnum):
    LOG_FROM_MESSAGE = "log_from_message"
    LOG_GLOBAL = "log_interview_global"


def register(app: App) -> None:
    app.message_shortcut(Shortcut.LOG_FROM_MESSAGE)(log_from_message)
    app.global_shortcut(Shortcut.LOG_GLOBAL)(log_from_anywhere)


def log_from_message(ack: Ack, shortcut: dict[str, Any], context: BoltContext, deps: Deps) -> None:
    open_log_modal(
        ack=ack,
        context=context,
        deps=deps,
        trigger_id=shortcut["trigger_id"],
        channel_id=(shortcut.get("channel") or {}).get("id"),
        prefill=LogModalPrefill(notes=(shortcut.get("message") or {}).get("text") or None),
    )


def log_from_anywhere(ack: Ack, shortcut: dict[str, Any], context: BoltContext, deps: Deps) -> None:
    open_log_modal(ack=ack, context=context, deps=deps, trigger_id=shortcut["trigger_id"])
