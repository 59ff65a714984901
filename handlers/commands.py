"""`/interview` and its subcommands."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext

from bot.app import Deps
from bot.interviews import recent_interviews
from handlers.log_modal import open_log_modal
from handlers.views.common import fallback_text
from handlers.views.help import help_message
from handlers.views.interview import recent_interviews_message
from handlers.views.log_modal import LogModalPrefill

COMMAND = "/interview"


def register(app: App) -> None:
    app.command(COMMAND)(interview_command)


def interview_command(ack: Ack, command: dict[str, Any], context: BoltContext, deps: Deps) -> None:
    subcommand, _, rest = (command.get("text") or "").strip().partition(" ")
    match subcommand.lower():
        case "log":
            open_log_modal(
                ack=ack,
                context=context,
                deps=deps,
                trigger_id=command["trigger_id"],
                channel_id=command.get("channel_id"),
                prefill=LogModalPrefill(account=rest.strip() or None),
            )
        case "list":
            with deps.db.transaction() as session:
                interviews = recent_interviews(
                    session=session, team_id=context.team_id or "", user_id=context.user_id or ""
                )
                blocks = recent_interviews_message(interviews)
            ack(text=fallback_text("Your latest interviews"), blocks=blocks, response_type="ephemeral")
        case "" | "help":
            ack(text="What /interview can do", blocks=help_message(), response_type="ephemeral")
        case _:
            ack(
                text="What /interview can do",
                blocks=help_message(unknown=subcommand),
                response_type="ephemeral",
            )
