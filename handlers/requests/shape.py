"""What a request from Slack is, read without trusting it: its kind, workspace, person and callback or
action id (for the log), whether its shape is one Slack sends, whether its response_urls are Slack's, and
whether it comes from the one workspace this bot is installed in.

The shape is checked before Bolt reads the body: Bolt's own parsing indexes into it (`"id" in team`,
`actions[0]`, `view["callback_id"]`) and would crash on a number where Slack puts an object, and so
would our handlers on a missing trigger_id. Only the fields that Bolt and the handlers read as they
are are checked; the handlers read everything else (a view's state, a block's value) as "maybe".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

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
    # Commands name the workspace as team_id, interactions as team.id: one field by kind, never the
    # person's own workspace (user.team_id) in its place.
    team = _entity_id(body.get("team")) or body.get("team_id")
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
        # Bolt takes a response_urls that is there at all for a list (it asks its len()).
        there = value is not None or (key == "response_urls" and key in obj)
        if there and not (isinstance(value, list) and all(isinstance(v, dict) for v in value)):
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


# Slack's Web API domains and the host their response_urls are on (https://hooks.slack.com/commands/…,
# /actions/…, /app/…; GovSlack runs on its own domain, slack-gov.com).
_HOOKS = {"slack.com": "hooks.slack.com", "slack-gov.com": "hooks.slack-gov.com"}
_URL_REST = re.compile(r"[!-~]*")  # printable ASCII, no space: what Slack writes after the host


@dataclass(frozen=True)
class ResponseUrls:
    """Where the response_urls of the Slack the bot talks to are. Bolt's respond() posts to whatever URL
    a request carries, so a forged one could make the bot POST to any host, the operator's network
    included; Slack's are always on its hooks host, so any other is a request Slack would never send."""

    prefix: str  # scheme://host[:port]/, exactly as Slack writes it

    @classmethod
    def of_api(cls, api_url: str) -> ResponseUrls:
        """Slack's or GovSlack's Web API: that Slack's hooks host, over https. Any other (a test's fake
        Slack, which serves response URLs itself): the API's own scheme, host and port."""
        parts = urlsplit(api_url)
        host = parts.hostname or ""
        for domain, hooks in _HOOKS.items():
            if host == domain or host.endswith("." + domain):
                return cls(f"https://{hooks}/")
        netloc = f"[{host}]" if ":" in host else host
        return cls(f"{parts.scheme.lower()}://{netloc}" + (f":{parts.port}/" if parts.port else "/"))

    def allows(self, url: str) -> bool:
        # The host ends at the first "/": a URL that begins with the whole prefix, slash included, has
        # its scheme, host and port and no user info, whatever follows (no parser can read it otherwise).
        return url.startswith(self.prefix) and _URL_REST.fullmatch(url, len(self.prefix)) is not None

    def problem(self, body: dict[str, Any]) -> str | None:
        """Why a response_url of `body` (Bolt's, or one of a view submission's response_urls) is not one
        Slack sends; None when all are (or there is none). Call it on a body shape_problem passed."""
        urls = [body.get("response_url")] + [_get(u, "response_url") for u in body.get("response_urls") or ()]
        if any(url and not self.allows(url) for url in urls):
            return f"a response_url outside {self.prefix}"
        return None


@dataclass(frozen=True)
class Installation:
    """The one workspace this bot serves: its bot token's, as auth.test says (no OAuth store here)."""

    team_id: str
    enterprise_id: str | None = None


@dataclass(frozen=True)
class Foreign:
    """Why a request is not for this installation: `who` is "nowhere" (it names no workspace),
    "workspace" (another workspace's) or "person" (someone whose own workspace is another, e.g. a partner
    in a Slack Connect channel)."""

    who: str
    named: str  # what the request named instead, for the log


def _named_ids(value: Any) -> list[Any]:
    return [value] if value not in (None, "") else []


def _installed_in(body: dict[str, Any]) -> list[Any]:
    """Every id the request gives for the workspace the app is installed in. Slack fills one or several by
    kind: team_id (commands, event envelopes), team.id (interactions: "the workspace the app is installed
    on"), authorizations[].team_id (events: the installation they are delivered for), and a view's
    app_installed_team_id and team_id (the workspace the modal was opened in)."""
    ids = _named_ids(_entity_id(body.get("team"))) + _named_ids(body.get("team_id"))
    for authorization in body.get("authorizations") or ():
        ids += _named_ids(_get(authorization, "team_id"))
    view = body.get("view")
    ids += _named_ids(_get(view, "app_installed_team_id")) + _named_ids(_get(view, "team_id"))
    return ids


def _enterprises(body: dict[str, Any]) -> list[Any]:
    ids = _named_ids(_entity_id(body.get("enterprise"))) + _named_ids(body.get("enterprise_id"))
    ids += _named_ids(_get(body, "team", "enterprise_id"))
    for authorization in body.get("authorizations") or ():
        ids += _named_ids(_get(authorization, "enterprise_id"))
    return ids


def _org_wide(body: dict[str, Any]) -> bool:
    flags = [body.get("is_enterprise_install")]
    flags += [_get(a, "is_enterprise_install") for a in body.get("authorizations") or ()]
    return any(flag is True or flag == "true" for flag in flags)


def _persons_workspace(body: dict[str, Any]) -> list[Any]:
    """The workspace the acting person belongs to, where Slack says: user.team_id (interactions),
    user_team (Slack Connect), and the event's user_team."""
    return (
        _named_ids(_get(body, "user", "team_id"))
        + _named_ids(body.get("user_team"))
        + _named_ids(_get(body, "event", "user_team"))
    )


def foreign(body: dict[str, Any], installation: Installation) -> Foreign | None:
    """None when the request is this installation's, from one of its members; else why not.

    Every field that names the installation must name this one (and at least one must be there), the
    Enterprise Grid org too when Slack names one; an org-wide install is not this bot's. A person whose
    own workspace is another (a partner in a Slack Connect channel, where only the host installed the
    app) is refused as well: what the bot holds is the host's customer notes.
    """
    installed_in = _installed_in(body)
    if not installed_in:
        return Foreign("nowhere", "")
    wrong = [t for t in installed_in if t != installation.team_id]
    wrong += [e for e in _enterprises(body) if e != installation.enterprise_id]
    if wrong or _org_wide(body):
        return Foreign("workspace", str(wrong[0]) if wrong else "an org-wide install")
    ours = (installation.team_id, installation.enterprise_id)  # Grid may name the org for its people
    elsewhere = [t for t in _persons_workspace(body) if t not in ours]
    if elsewhere:
        return Foreign("person", str(elsewhere[0]))
    return None
