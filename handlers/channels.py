"""Which channel a person means, and whether the bot can post there: for the digest's subscriptions."""

from __future__ import annotations

import re

from slack_sdk import WebClient

from handlers.views.common import channel_mention
from handlers.web_api.client import call
from handlers.web_api.refusals import SlackPermanentError

# `<#C123|name>` (the command escapes channels), `<#C123>`, a bare id, or `#name`.
_CHANNEL = re.compile(r"^<#([CG][A-Z0-9]+)(?:\|[^>]*)?>$|^([CG][A-Z0-9]{2,})$|^#?([a-z0-9][a-z0-9_-]{0,79})$")
INVITE = "`/invite @Interview Bot`"


def ready_channel(client: WebClient, channel_id: str) -> str | None:
    """None when the bot can post in the channel (a public one is joined); else what to tell the person."""
    mention = channel_mention(channel_id)
    try:
        channel = call(client.conversations_info, channel=channel_id).get("channel") or {}
    except SlackPermanentError as exc:
        if exc.error == "channel_not_found":  # a private channel the bot is not in looks like this
            return (
                f"I can't see {mention}. If it is a private channel, invite me first ({INVITE} in that "
                "channel), then subscribe it again."
            )
        raise
    if channel.get("is_archived"):
        return f"{mention} is archived: pick a channel people still read."
    if channel.get("is_im") or channel.get("is_mpim") or not channel.get("is_channel", True):
        return "Pick a channel: the digest is for a team, not a direct message."
    if not channel.get("is_member"):
        if channel.get("is_private"):
            return f"{mention} is private and I'm not in it: {INVITE} there, then subscribe again."
        call(client.conversations_join, channel=channel_id)
    return None


def linked_channel(raw: str) -> str | None:
    """The channel id in what was typed, when it names one by id (as Slack links it); None otherwise."""
    match = _CHANNEL.match(raw.strip())
    return (match.group(1) or match.group(2)) if match else None


def find_channel(client: WebClient, raw: str) -> str | None:
    """The channel what was typed names: a link or an id as is, a `#name` looked up (conversations.list)."""
    match = _CHANNEL.match(raw.strip())
    if match is None:
        return None
    if match.group(1) or match.group(2):
        return match.group(1) or match.group(2)
    name = match.group(3)
    cursor = None
    for _ in range(50):  # a bound: 10,000 channels
        page = call(
            client.conversations_list,
            types="public_channel,private_channel",
            exclude_archived=True,
            limit=200,
            cursor=cursor,
        )
        for channel in page.get("channels") or []:
            if channel.get("name") == name:
                return str(channel["id"])
        cursor = (page.get("response_metadata") or {}).get("next_cursor")
        if not cursor:
            break
    return None
