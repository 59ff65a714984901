"""`/interview` and its subcommands."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from slack_bolt import Ack, App, Respond

from bot.accounts.attributes import workspace_currency
from bot.accounts.names import search_accounts
from bot.accounts.timeline import account_timeline
from bot.capture.interviews import recent_interviews
from bot.outbox.queue import mark_told, untold, untold_among
from bot.people.permissions import Act
from bot.text import fallback_text, from_slack
from handlers.accounts import may_edit
from handlers.delete import forget_command
from handlers.deps import Actor, Deps
from handlers.digest import digest_command
from handlers.exchange import export_command
from handlers.log_modal import open_log_modal
from handlers.pause import open_pause
from handlers.schedule import open_schedule
from handlers.search import search_command
from handlers.studies import study_command
from handlers.themes import open_themes
from handlers.views.account import account_timeline_message, unknown_account_message
from handlers.views.help import help_message
from handlers.views.interview import recent_interviews_message
from handlers.views.log_modal import LogModalPrefill
from handlers.views.outbox import undelivered_blocks, undelivered_text

COMMAND = "/interview"


def _split(text: str) -> tuple[str, str]:
    parts = text.split(None, 1)
    return (parts[0], parts[1]) if len(parts) == 2 else ((parts[0], "") if parts else ("", ""))


def register(app: App) -> None:
    app.command(COMMAND)(interview_command)


def interview_command(ack: Ack, respond: Respond, command: dict[str, Any], actor: Actor, deps: Deps) -> None:
    answer_subcommand(ack=ack, respond=respond, command=command, actor=actor, deps=deps)
    # After the answer: messages to this person that could not be delivered since they last heard. Asked
    # after every command, so asked for a burst of commands at once (one query).
    deps.after_ack_together(
        "undelivered", (actor.team_id, actor.user_id), respond, lambda asking: tell_undelivered(asking, deps)
    )


def tell_undelivered(asking: dict[Any, Respond], deps: Deps) -> None:
    """Say, once, what the bot could not deliver to each of these people (team_id, user_id): an ephemeral
    answer only they see, to the command they just typed."""
    with deps.db.quick_read() as connection:  # almost always no one: asked cheaply first
        people = untold_among(connection=connection, people=list(asking))
    for team_id, user_id in sorted(people):
        tell_person(respond=asking[(team_id, user_id)], actor=Actor(team_id, user_id), deps=deps)


def tell_person(*, respond: Respond, actor: Actor, deps: Deps) -> None:
    with deps.db.read() as session:
        messages = untold(session=session, team_id=actor.team_id, user_id=actor.user_id)
        if not messages:
            return
        blocks, text = undelivered_blocks(messages), undelivered_text(messages)
        ids = [m.id for m in messages]
    respond(text=text, blocks=blocks, response_type="ephemeral", replace_original=False)
    # Marked once said, so a failed answer leaves them for the next command.
    deps.db.run(lambda s: mark_told(session=s, message_ids=ids, now=datetime.now(UTC)))


def list_account(*, ack: Ack, actor: Actor, deps: Deps, name: str) -> None:
    """`/interview list ACCOUNT`: the account's timeline, or which accounts were meant."""
    deps.require(actor, Act.LIST_ACCOUNT)
    with deps.db.read() as session:
        timeline = account_timeline(session=session, team_id=actor.team_id, name=name)
        if timeline is None:
            close = [a.name for a in search_accounts(session=session, team_id=actor.team_id, query=name)]
            ack(text=unknown_account_message(name, close), response_type="ephemeral")
            return
        currency = workspace_currency(session=session, team_id=actor.team_id)
        editable = may_edit(actor, deps, timeline.account.owner_id)
        blocks = account_timeline_message(timeline, currency=currency, may_edit=editable)
        title = fallback_text(f"{timeline.account.name}: its interviews")
    ack(text=title, blocks=blocks, response_type="ephemeral")


def answer_subcommand(
    *, ack: Ack, respond: Respond, command: dict[str, Any], actor: Actor, deps: Deps
) -> None:
    # The digest reads channels as Slack links them (<#C123|name>): it gets the text as sent.
    subcommand, raw_rest = _split(command.get("text") or "")
    subcommand, rest = from_slack(subcommand), from_slack(raw_rest)
    match subcommand.lower():
        case "log":
            open_log_modal(
                ack=ack,
                actor=actor,
                deps=deps,
                trigger_id=command["trigger_id"],
                channel_id=command.get("channel_id"),
                prefill=LogModalPrefill(account=rest.strip() or None),
            )
        case "list" if rest.strip():
            list_account(ack=ack, actor=actor, deps=deps, name=rest.strip())
        case "list":
            with deps.db.read() as session:
                interviews = recent_interviews(session=session, team_id=actor.team_id, user_id=actor.user_id)
                blocks = recent_interviews_message(interviews)
            ack(text=fallback_text("Your latest interviews"), blocks=blocks, response_type="ephemeral")
        case "schedule":
            open_schedule(ack=ack, actor=actor, deps=deps, trigger_id=command["trigger_id"])
        case "settings":
            open_pause(ack=ack, actor=actor, deps=deps, trigger_id=command["trigger_id"])
        case "digest":
            digest_command(ack=ack, respond=respond, text=raw_rest, command=command, actor=actor, deps=deps)
        case "export":
            export_command(ack=ack, text=rest, actor=actor, deps=deps)
        case "search":
            search_command(ack=ack, text=rest, actor=actor, deps=deps)
        case "forget":
            forget_command(ack=ack, text=rest, actor=actor, deps=deps, trigger_id=command["trigger_id"])
        case "themes":
            open_themes(ack=ack, actor=actor, deps=deps, trigger_id=command["trigger_id"])
        case "study":
            study_command(ack=ack, text=rest, actor=actor, deps=deps, trigger_id=command["trigger_id"])
        case "" | "help":
            ack(text="What /interview can do", blocks=help_message(), response_type="ephemeral")
        case _:
            ack(
                text="What /interview can do",
                blocks=help_message(unknown=subcommand),
                response_type="ephemeral",
            )
