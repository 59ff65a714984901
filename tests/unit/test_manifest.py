"""manifest.yml and the code agree: a shortcut or command the manifest promises has a handler."""

from __future__ import annotations

from pathlib import Path

import yaml

from bot.server import EVENTS_PATH
from handlers.commands import COMMAND
from handlers.shortcuts import Shortcut

MANIFEST = yaml.safe_load((Path(__file__).resolve().parents[2] / "manifest.yml").read_text())


def test_command_and_shortcuts_match_the_handlers() -> None:
    assert [c["command"] for c in MANIFEST["features"]["slash_commands"]] == [COMMAND]
    assert {s["callback_id"] for s in MANIFEST["features"]["shortcuts"]} == {s.value for s in Shortcut}


def test_every_request_url_is_the_events_endpoint() -> None:
    settings = MANIFEST["settings"]
    urls = [
        settings["event_subscriptions"]["request_url"],
        settings["interactivity"]["request_url"],
        settings["interactivity"]["message_menu_options_url"],
        *(c["url"] for c in MANIFEST["features"]["slash_commands"]),
    ]
    assert all(url.endswith(EVENTS_PATH) for url in urls)
    assert settings["socket_mode_enabled"] is True
    assert MANIFEST["features"]["app_home"]["home_tab_enabled"] is True


def test_scopes_cover_what_the_bot_calls() -> None:
    scopes = set(MANIFEST["oauth_config"]["scopes"]["bot"])
    assert {"commands", "chat:write", "chat:write.public", "im:write", "im:history", "users:read"} <= scopes
