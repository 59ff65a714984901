"""manifest.yml and the code agree: a shortcut or command the manifest promises has a handler, and the
bot scopes are those the Web API calls in the code need."""

from __future__ import annotations

import ast
import inspect
import re
from pathlib import Path

import yaml
from slack_sdk import WebClient

from handlers.commands import COMMAND
from handlers.requests.server import EVENTS_PATH
from handlers.shortcuts import Shortcut
from tests.support.subcommands import digest_verbs, subcommands

ROOT = Path(__file__).resolve().parents[2]
MANIFEST = yaml.safe_load((ROOT / "manifest.yml").read_text())


def test_command_and_shortcuts_match_the_handlers() -> None:
    assert [c["command"] for c in MANIFEST["features"]["slash_commands"]] == [COMMAND]
    assert {s["callback_id"] for s in MANIFEST["features"]["shortcuts"]} == {s.value for s in Shortcut}


def test_usage_hint_lists_every_subcommand() -> None:
    # What Slack shows beside /interview as it is typed: every subcommand the bot answers, and no other.
    hint = MANIFEST["features"]["slash_commands"][0]["usage_hint"]
    words = [part.split()[0] for part in hint.split(" | ")]
    assert sorted(words) == sorted(subcommands())
    digest = next(part for part in hint.split(" | ") if part.startswith("digest"))
    assert set(re.findall(r"[a-z]+", digest.removeprefix("digest"))) == digest_verbs()


def test_every_request_url_is_the_events_endpoint() -> None:
    config = MANIFEST["settings"]
    urls = [
        config["event_subscriptions"]["request_url"],
        config["interactivity"]["request_url"],
        config["interactivity"]["message_menu_options_url"],
        *(c["url"] for c in MANIFEST["features"]["slash_commands"]),
    ]
    assert all(url.endswith(EVENTS_PATH) for url in urls)
    assert config["socket_mode_enabled"] is True
    assert MANIFEST["features"]["app_home"]["home_tab_enabled"] is True


# The bot scopes each Web API method needs, from each method's page in Slack's docs. A method that takes
# one of several scopes by conversation type is listed with the one for what the bot does with it.
METHOD_SCOPES: dict[str, set[str]] = {
    "auth.test": set(),
    "chat.postMessage": {"chat:write"},
    "chat.update": {"chat:write"},
    "chat.delete": {"chat:write"},
    "chat.postEphemeral": {"chat:write"},
    "conversations.open": {"im:write"},  # a DM with one person (channels:manage etc. for others)
    # After a crash: the bot's own DMs (reminders) and the channels its digest goes to, public or private.
    "conversations.history": {"im:history", "channels:history", "groups:history"},
    "conversations.info": {"channels:read", "groups:read"},  # is the digest's channel archived, joined
    "conversations.list": {"channels:read", "groups:read"},  # `digest subscribe #name` finds its id
    "conversations.join": {"channels:join"},
    "files.getUploadURLExternal": {"files:write"},  # the digest's chart, the export (files_upload_v2)
    "files.completeUploadExternal": {"files:write"},
    "team.info": {"team:read"},
    "users.info": {"users:read"},
    "users.list": {"users:read"},
    "views.open": set(),
    "views.push": set(),
    "views.update": set(),
    "views.publish": set(),
}
# Scopes no Web API call of ours needs, and why the manifest asks for them anyway.
JUSTIFIED: dict[str, str] = {
    # The summary shared from the log modal goes to a channel the person picks, which the bot may not
    # have been invited to: chat.postMessage there needs chat:write.public on top of chat:write.
    "chat:write.public": "share a summary in a public channel without joining it",
}
SOURCES = [ROOT / "bot", ROOT / "handlers"]


def web_api_method(attribute: str) -> str | None:
    """The Web API method behind a WebClient method (chat_postMessage -> chat.postMessage), else None."""
    method = getattr(WebClient, attribute, None) if not attribute.startswith("_") else None
    if not callable(method):
        return None
    source = inspect.getsource(method)
    found = re.search(r'api_call\(\s*"([A-Za-z.]+)"', source)
    if found is None:  # a helper over other methods (files_upload_v2): the first Web API method it calls
        inner = re.search(r"self\.(files_getUploadURLExternal|[a-z]+_[A-Za-z]+)\(", source)
        return web_api_method(inner.group(1)) if inner and inner.group(1) != attribute else None
    return found.group(1)


def methods_called() -> dict[str, set[str]]:
    """Each Web API method the code calls, and the files calling it: through a WebClient method
    (client.chat_postMessage(...), call(client.views_open, ...)), client.api_call("..."), or Bolt's say()."""
    called: dict[str, set[str]] = {}
    for path in sorted(p for source in SOURCES for p in source.rglob("*.py")):
        where = str(path.relative_to(ROOT))
        for node in ast.walk(ast.parse(path.read_text(), filename=where)):
            method = None
            if isinstance(node, ast.Attribute):
                method = web_api_method(node.attr)
            elif (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "api_call"
                and node.args
                and isinstance(node.args[0], ast.Constant)
            ):
                method = str(node.args[0].value)
            elif isinstance(node, ast.arg) and node.arg == "say":  # a Bolt listener that posts
                method = "chat.postMessage"
            if method:
                called.setdefault(method, set()).add(where)
    return called


def test_the_code_finder_sees_the_calls_it_must() -> None:
    called = methods_called()
    # One call of each style the code uses: a helper, the call() wrapper, and a client attribute.
    assert "handlers/web_api/client.py" in called["chat.postMessage"]
    assert "handlers/modals.py" in called["views.push"]
    assert "handlers/web_api/client.py" in called["conversations.history"]
    assert "handlers/senders/digest.py" in called["files.getUploadURLExternal"]


def test_scopes_are_what_the_code_calls_for() -> None:
    called = methods_called()
    unknown = set(called) - set(METHOD_SCOPES)
    assert not unknown, f"add the scopes of {sorted(unknown)} (see each method's page in Slack's docs)"
    needed = {scope for method in called for scope in METHOD_SCOPES[method]}
    features = MANIFEST["features"]
    if features.get("slash_commands") or features.get("shortcuts"):
        needed.add("commands")
    scopes = set(MANIFEST["oauth_config"]["scopes"]["bot"])
    missing = {s: sorted(m for m in called if s in METHOD_SCOPES[m]) for s in needed - scopes}
    assert not missing, f"the manifest lacks scopes the code needs (scope: methods): {missing}"
    unused = scopes - needed - set(JUSTIFIED)
    assert not unused, f"scopes nothing uses: {sorted(unused)}; drop them, or say why in JUSTIFIED"
    assert set(JUSTIFIED) <= scopes, "a justified scope the manifest no longer asks for"
