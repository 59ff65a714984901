"""The Bolt App, built once per process (bot.app builds what it is handed): dependencies attached per
request, handlers registered per surface, and one error handler for everything a listener raises."""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable
from typing import Any

from slack_bolt import App, BoltContext, BoltResponse
from slack_bolt.error import BoltUnhandledRequestError
from slack_sdk import WebClient

from bot.errors import InvalidInput, StartupError
from bot.logs import clip
from handlers.deps import Actor, Deps
from handlers.errors import message_for
from handlers.requests.shape import Foreign, Installation, describe, foreign
from handlers.web_api.client import post_message

log = logging.getLogger(__name__)

NOT_INSTALLED = "This app is not installed in this workspace, so I did nothing."
NOWHERE = "I couldn't tell which Slack workspace this came from, so I did nothing."
OUTSIDERS = (
    "This app works for the members of the workspace that installed it; "
    "people of other organisations can't use it here."
)


def bolt_app(*, deps: Deps, installation: Installation, register: bool = True) -> App:
    """The Bolt App over `deps`: every request checked to come from the installation's workspace, handed
    `deps` and its `actor`, its listener's errors answered by handle_error."""
    app = _app(
        client=deps.client,
        signing_secret=deps.config.signing_secret,
        # Handlers run on the request thread and the response leaves when they return, so Slack gets
        # its answer at once (Bolt's other mode polls for ack() every 10 ms). Work that follows the
        # ack goes to deps.after_ack.
        process_before_response=True,
        # A request no listener takes reaches handle_error, which logs one short line: Bolt's own
        # warning would echo the body and a suggested listener (a 100 kB callback_id, twice).
        raise_error_for_unhandled_request=True,
    )

    @app.middleware
    def attach_deps(
        body: dict[str, Any], context: BoltContext, next: Callable[[], None]
    ) -> BoltResponse | None:
        # Every row and query is scoped by workspace, and the workspace is the installation's: a request
        # that names another, or none, or comes from a person of another, is refused here, once for
        # every listener, with no Web API call.
        refused = foreign(body, installation)
        if refused is not None:
            return _refuse(body, refused, installation)
        context["team_id"] = installation.team_id
        context["deps"] = deps
        context["actor"] = Actor(team_id=installation.team_id, user_id=context.user_id or "")
        next()
        return None

    app.error(handle_error)
    if register:
        from handlers import register_all

        register_all(app)
    return app


def _app(**settings: Any) -> App:
    """Bolt's App, given the token once: in the client. Handed no `token`, Bolt reads SLACK_BOT_TOKEN from
    the environment and, having a client too, warns at every start that it will not use it; so the variable
    is out of its sight while the App is built (the configuration has read it already)."""
    hidden = os.environ.pop("SLACK_BOT_TOKEN", None)
    try:
        return App(**settings)
    finally:
        if hidden is not None:
            os.environ["SLACK_BOT_TOKEN"] = hidden


def read_installation(client: WebClient) -> Installation:
    """The workspace of the bot token, from auth.test, once at start. An org-wide install's token serves
    many workspaces, which this bot, one workspace per database row, does not."""
    answer = client.auth_test()
    team_id, enterprise_id = answer.get("team_id"), answer.get("enterprise_id")
    if not team_id or answer.get("is_enterprise_install") is True:
        raise StartupError(
            f"SLACK_BOT_TOKEN is an organisation-wide install (enterprise {enterprise_id}); install the app "
            "on one workspace and use that workspace's Bot User OAuth Token."
        )
    return Installation(team_id=str(team_id), enterprise_id=str(enterprise_id) if enterprise_id else None)


def _refuse(body: dict[str, Any], refused: Foreign, installation: Installation) -> BoltResponse:
    """One line in the log and a bare answer (a command's says why): a signed request from another
    workspace is forged or misrouted, and a person of another organisation sees nothing of this one's."""
    described = describe(body)
    kind = clip(described.kind or "a request")
    if refused.who == "person":
        log.info(
            "refused %s from a person of another workspace (%s, of %s); this bot serves %s",
            kind,
            clip(described.user),
            clip(refused.named),
            installation.team_id,
        )
        text = OUTSIDERS
    elif refused.who == "nowhere":
        log.warning("refused %s that names no workspace", kind)
        text = NOWHERE
    else:
        log.warning(
            "refused %s from another workspace (%s); this bot is installed in %s",
            kind,
            clip(refused.named),
            installation.team_id,
        )
        text = NOT_INSTALLED
    if "command" in body:
        return _json({"response_type": "ephemeral", "text": text})
    if described.kind == "block_suggestion":
        return _json({"options": []})
    return BoltResponse(status=200, body="")


def _first_input_block(body: dict[str, Any]) -> str | None:
    """The first input block of the submitted view, read from a body that may be any shape."""
    view = body.get("view")
    blocks = view.get("blocks") if isinstance(view, dict) else None
    for block in blocks if isinstance(blocks, list) else ():
        if isinstance(block, dict) and block.get("type") == "input":
            block_id = block.get("block_id")
            if isinstance(block_id, str) and block_id:
                return block_id
    return None


def handle_error(error: Exception, body: dict[str, Any], context: BoltContext) -> BoltResponse:
    """Typed errors become a short message; anything else gets an id that is also in the log.

    Handlers run before the HTTP response (process_before_response), so the answer usually goes in it:
    a modal keeps the user's input and shows the message on a field; a command answers ephemerally.
    Where the HTTP answer shows nothing (shortcuts, buttons), the user is told by DM.
    A request no listener takes is one short line; and this handler never raises, whatever the body.
    """
    if isinstance(error, BoltUnhandledRequestError):
        return _unhandled(body)
    try:
        return _answer(error, body, context)
    except Exception as failure:  # Bolt would answer 500 and log the body's traceback
        message_for(failure)
        return BoltResponse(status=200, body="")


def _unhandled(body: dict[str, Any]) -> BoltResponse:
    described = describe(body)
    log.warning(
        "no listener for %s (%s=%s)",
        clip(described.kind or "this request"),
        described.id_name or "id",
        clip(described.id),
    )
    # Slack retries an event that was not answered 2xx, and would retry this one for ever.
    return BoltResponse(status=200 if described.kind == "event_callback" else 404, body="")


def _answer(error: Exception, body: dict[str, Any], context: BoltContext) -> BoltResponse:
    message = message_for(error)
    kind = body.get("type")
    if kind == "view_submission":
        fields = error.fields if isinstance(error, InvalidInput) else None
        block = _first_input_block(body)
        if fields or block:
            return _json({"response_action": "errors", "errors": fields or {block: message}})
    if kind == "block_suggestion":
        return _json({"options": []})
    if "command" in body:
        return _json({"response_type": "ephemeral", "text": message})
    if kind in ("shortcut", "message_action", "block_actions", "view_submission"):
        _tell_by_dm(context, message)
    return BoltResponse(status=200, body="")


def _json(payload: dict[str, Any]) -> BoltResponse:
    return BoltResponse(status=200, body=json.dumps(payload), headers={"content-type": "application/json"})


def _tell_by_dm(context: BoltContext, message: str) -> None:
    deps, user_id = context.get("deps"), context.user_id
    if not isinstance(deps, Deps) or not user_id:
        return
    deps.after_ack(lambda: post_message(deps.client, channel=user_id, text=message))
