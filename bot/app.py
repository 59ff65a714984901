"""The Bolt App, built once per process: dependencies attached per request, handlers registered per
surface, and one error handler for everything a listener raises."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from slack_bolt import App, BoltContext, BoltResponse
from slack_sdk import WebClient

from bot.errors import InvalidInput, message_for
from bot.people import Timezones
from bot.settings import Settings
from bot.slack import interactive, make_client
from storage.db import Database

log = logging.getLogger(__name__)

AFTER_ACK_THREADS = 16


@dataclass
class Deps:
    """What every handler may need, handed over by the middleware as the `deps` argument."""

    settings: Settings
    db: Database
    timezones: Timezones
    client: WebClient
    after_ack_pool: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(AFTER_ACK_THREADS, thread_name_prefix="after-ack")
    )

    @cached_property
    def interactive_client(self) -> WebClient:
        return interactive(self.client)

    def after_ack(self, work: Callable[[], None], *, notify_user: str | None = None) -> Future[None]:
        """Run `work` once Slack has its answer (handlers run before the HTTP response is sent).

        A failure is reported as the error handler would: logged with an id, and told to the user by DM.
        """

        def guarded() -> None:
            try:
                work()
            except Exception as error:
                message = message_for(error)
                if notify_user:
                    try:
                        self.client.chat_postMessage(channel=notify_user, text=message)
                    except Exception:
                        log.exception("could not tell %s about the error", notify_user)

        return self.after_ack_pool.submit(guarded)

    def close(self) -> None:
        self.after_ack_pool.shutdown(wait=True)


def build_app(
    *, settings: Settings, db: Database, client: WebClient | None = None, register: bool = True
) -> tuple[App, Deps]:
    client = client or make_client(token=settings.bot_token, base_url=settings.slack_api_url)
    app = App(
        client=client,
        signing_secret=settings.signing_secret,
        # Handlers run on the request thread and the response leaves when they return, so Slack gets
        # its answer at once (Bolt's other mode polls for ack() every 10 ms). Work that follows the
        # ack goes to deps.after_ack.
        process_before_response=True,
        raise_error_for_unhandled_request=False,
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
    message = message_for(error)
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
