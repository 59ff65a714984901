"""What a request from Slack is, read without trusting it: its kind, workspace, person and callback or
action id (for the log), and whether its shape is one Slack sends.

The shape is checked before Bolt reads the body: Bolt's own parsing indexes into it (`"id" in team`,
`actions[0]`, `view["callback_id"]`) and would crash on a number where Slack puts an object, and so
would our handlers on a missing trigger_id. Only the fields that Bolt and the handlers read as they
are are checked; the handlers read everything else (a view's state, a block's value) as "maybe".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# Fields that are strings wherever Slack sends them (None stands for absent, as Slack sends nulls).
_STRINGS = (
    "type",
    "subtype",
    "callback_id",
    "action_id",
    "block_id",
    "trigger_id",
    "team_id",
    "user_id",
    "channel_id",
    "enterprise_id",
    "response_url",
    "api_app_id",
    "command",
    "value",
    "thread_ts",
    "ts",
    "tab",
    "challenge",
    "function_execution_id",
    "bot_access_token",
    "user_team",
    "view_id",
    "message_ts",
)
_VIEW_STRINGS = (
    "id",
    "callback_id",
    "team_id",
    "app_installed_team_id",
    "private_metadata",
    "hash",
    "type",
    "root_view_id",
    "previous_view_id",
)
# A string (an id) or an object with its id: Slack sends both forms.
_ENTITIES = ("team", "user", "enterprise", "channel")
_ENTITY_STRINGS = ("id", "team_id", "enterprise_id", "name", "domain")
# Objects Bolt reads into with the same rules as the body itself.
_NESTED = ("event", "message", "previous_message", "item", "assistant_thread", "container")
_LISTS = ("authorizations", "actions", "response_urls")
# The kinds whose listeners open a modal: Slack always sends the trigger_id they need.
_NEEDS_TRIGGER = ("block_actions", "shortcut", "message_action", "command")
_DEPTH = 3  # event.message.previous_message is as deep as Bolt looks


@dataclass(frozen=True)
class Described:
    """A request as one log line names it; any field may be None (or, unchecked, not a string)."""

    kind: str | None
    team: Any
    user: Any
    id_name: str | None
    id: Any


def _get(obj: Any, *path: str) -> Any:
    for key in path:
        obj = obj.get(key) if isinstance(obj, dict) else None
    return obj


def _entity_id(value: Any) -> Any:
    return value if isinstance(value, str) else _get(value, "id")


def describe(body: dict[str, Any]) -> Described:
    """Kind, workspace, person and the id a listener is chosen by, whatever the body's shape."""
    kind = body.get("type") if isinstance(body.get("type"), str) else None
    if "command" in body and "ssl_check" not in body and kind is None:
        kind = "command"
    team = _entity_id(body.get("team")) or body.get("team_id") or _get(body, "user", "team_id")
    user = _entity_id(body.get("user")) or body.get("user_id") or _entity_id(_get(body, "event", "user"))
    actions = body.get("actions")
    first = actions[0] if isinstance(actions, list) and actions else None
    id_name, ident = {
        "command": ("command", body.get("command")),
        "block_actions": ("action_id", _get(first, "action_id")),
        "block_suggestion": ("action_id", body.get("action_id")),
        "view_submission": ("callback_id", _get(body, "view", "callback_id")),
        "view_closed": ("callback_id", _get(body, "view", "callback_id")),
        "shortcut": ("callback_id", body.get("callback_id")),
        "message_action": ("callback_id", body.get("callback_id")),
        "event_callback": ("event", _get(body, "event", "type")),
    }.get(kind or "", (None, None))
    return Described(kind=kind, team=team, user=user, id_name=id_name, id=ident)


def _fields_problem(obj: dict[str, Any], where: str, depth: int) -> str | None:
    for key in _STRINGS:
        if obj.get(key) is not None and not isinstance(obj[key], str):
            return f"{where}{key} is not a string"
    for key in _ENTITIES:
        value = obj.get(key)
        if value is None or isinstance(value, str):
            continue
        if not isinstance(value, dict):
            return f"{where}{key} is neither an id nor an object"
        if any(value.get(k) is not None and not isinstance(value[k], str) for k in _ENTITY_STRINGS):
            return f"{where}{key} has an id that is not a string"
    for key in _LISTS:
        value = obj.get(key)
        if value is not None and not (isinstance(value, list) and all(isinstance(v, dict) for v in value)):
            return f"{where}{key} is not a list of objects"
        for item in value or ():
            if problem := _fields_problem(item, f"{where}{key}[]: ", 0):
                return problem
    if (view := obj.get("view")) is not None and (problem := _view_problem(view, where)):
        return problem
    for key in _NESTED:
        value = obj.get(key)
        if value is None:
            continue
        if not isinstance(value, dict):
            return f"{where}{key} is not an object"
        if depth > 0 and (problem := _fields_problem(value, f"{where}{key}.", depth - 1)):
            return problem
    return None


def _view_problem(view: Any, where: str) -> str | None:
    if not isinstance(view, dict):
        return f"{where}view is not an object"
    if any(view.get(k) is not None and not isinstance(view[k], str) for k in _VIEW_STRINGS):
        return f"{where}view has an id that is not a string"
    blocks, state = view.get("blocks"), view.get("state")
    if blocks is not None and not (isinstance(blocks, list) and all(isinstance(b, dict) for b in blocks)):
        return f"{where}view.blocks is not a list of objects"
    # Present means an object: the handlers read view["state"]["values"] as Slack always sends them.
    if "state" in view and not (isinstance(state, dict) and isinstance(state.get("values", {}), dict)):
        return f"{where}view.state is not an object of values"
    return None


def shape_problem(body: dict[str, Any]) -> str | None:
    """What makes `body` a request Slack would never send, in a few words of ours (never the client's);
    None when its shape is Slack's."""
    if problem := _fields_problem(body, "", _DEPTH):
        return problem
    kind = describe(body).kind
    if kind in _NEEDS_TRIGGER and not body.get("trigger_id"):
        return f"a {kind} without a trigger_id"
    if kind == "block_actions" and not (body.get("actions") and body["actions"][0].get("action_id")):
        return "block_actions without an action"
    if kind in ("view_submission", "view_closed") and not (
        _get(body, "view", "callback_id") and _get(body, "view", "type")
    ):
        return f"a {kind} without a view"
    if kind == "command" and not isinstance(body.get("text") or "", str):
        return "a command whose text is not a string"
    if kind in ("shortcut", "message_action") and not body.get("callback_id"):
        return f"a {kind} without a callback_id"
    if kind == "block_suggestion" and not body.get("action_id"):
        return "block_suggestion without an action_id"
    if kind == "event_callback" and not _get(body, "event", "type"):
        return "an event_callback without an event"
    return None
