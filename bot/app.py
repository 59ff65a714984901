"""The Bolt App, built once per process: dependencies attached per request, handlers registered per
surface, and one error handler for everything a listener raises."""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from slack_bolt import App, BoltContext, BoltResponse
from slack_sdk import WebClient

from bot.errors import BotError, InvalidInput
from bot.people import Timezones
from bot.settings import Settings
from bot.slack import interactive, make_client
from storage.db import Database

log = logging.getLogger(__name__)

LISTENER_THREADS = 32


@dataclass
class Deps:
    """What every handler may need, handed over by the middleware as the `deps` argument."""

    settings: Settings
    db: Database
    timezones: Timezones
    client: WebClient

    @cached_property
    def interactive_client(self) -> WebClient:
        return interactive(self.client)


def build_app(
    *, settings: Settings, db: Database, client: WebClient | None = None, register: bool = True
) -> tuple[App, Deps]:
    client = client or make_client(token=settings.bot_token, base_url=settings.slack_api_url)
    app = App(
        client=client,
        signing_secret=settings.signing_secret,
        process_before_response=False,
        # Bolt would answer an unknown request 404 and log a stack of hints; we answer 200 and log once.
        raise_error_for_unhandled_request=False,
        listener_executor=ThreadPoolExecutor(max_workers=LISTENER_THREADS, thread_name_prefix="listener"),
    )
    deps = Deps(settings=settings, db=db, timezones=Timezones(db), client=client)

    @app.middleware
    def attach_deps(context: BoltContext, next: Callable[[], None]) -> None:
        context["deps"] = deps
        next()

    app.error(handle_error)
    if register:
        from handlers import register_all

        register_all(app)
    return app, deps


def _first_input_block(body: dict[str, Any]) -> str | None:
    for block in (body.get("view") or {}).get("blocks", []):
        if block.get("type") == "input" and block.get("block_id"):
            return str(block["block_id"])
    return None


def handle_error(
    error: Exception, body: dict[str, Any], response: BoltResponse | None, context: BoltContext
) -> BoltResponse | None:
    """Typed errors become a short message; anything else gets an id that is also in the log.

    Before the ack, the answer goes in the HTTP response (a modal keeps the user's input and shows the
    message on a field); after it, as an ephemeral reply or a DM.
    """
    if isinstance(error, BotError):
        message = error.user_message
        log.warning("user-facing error (%s): %s", type(error).__name__, message)
    else:
        error_id = uuid.uuid4().hex[:8]
        message = f"Something went wrong on my side (error id {error_id}). Nothing you typed is lost."
        log.error("unexpected error %s", error_id, exc_info=error)

    kind = body.get("type")
    if response is not None:  # not acknowledged yet: answer in the HTTP response
        if kind == "view_submission":
            fields = error.fields if isinstance(error, InvalidInput) else None
            block = _first_input_block(body)
            if fields or block:
                payload = {"response_action": "errors", "errors": fields or {block: message}}
                return BoltResponse(status=200, body=json.dumps(payload))
        if kind in (None, "block_suggestion") and "command" in body:
            return BoltResponse(status=200, body=json.dumps({"response_type": "ephemeral", "text": message}))
        return BoltResponse(status=200, body="")

    # Already acknowledged: tell the person who was waiting, if we know who that is.
    user_id = context.user_id
    respond = context.respond
    try:
        if respond is not None and body.get("response_url"):
            respond(text=message, response_type="ephemeral", replace_original=False)
        elif user_id and kind in ("view_submission", "block_actions", "shortcut", "message_action"):
            context.client.chat_postMessage(channel=user_id, text=message)
    except Exception:
        log.exception("could not tell %s about the error", user_id)
    return None
