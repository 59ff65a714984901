"""The one way out to Slack's Web API: clients with retry handlers and a call wrapper that sorts errors.

Two clients: the background one honours rate limits (Retry-After) and retries 5xx and connection errors;
the interactive one, for calls that must finish inside Slack's 3 seconds (views.open from a command),
never waits out a rate limit, since a trigger_id is dead by then anyway.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry import RetryHandler
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.models.blocks import Block
from slack_sdk.web import SlackResponse

from handlers.web_api.refusals import SlackPermanentError, api_method, retry_after_header, slack_said

log = logging.getLogger(__name__)

# Errors that no retry will heal: the piece of work ends with the reason recorded.
PERMANENT_ERRORS = frozenset(
    {
        "account_inactive",
        "cannot_dm_bot",
        "channel_not_found",
        "invalid_auth",
        "is_archived",
        "missing_scope",
        "not_in_channel",
        "restricted_action",
        "token_revoked",
        "user_disabled",
        "user_not_found",
        "user_not_visible",
    }
)

BACKGROUND_TIMEOUT_SECONDS = 15
INTERACTIVE_TIMEOUT_SECONDS = 2.5


def make_client(*, token: str | None, base_url: str, sleep_out_rate_limits: bool = True) -> WebClient:
    """The background client: patient, retries what may heal. Without `sleep_out_rate_limits`, a 429 is
    answered at once rather than slept out (see `without_rate_limit_sleeps`)."""
    handlers: list[RetryHandler] = [
        ConnectionErrorRetryHandler(max_retry_count=2),
        ServerErrorRetryHandler(max_retry_count=2),
    ]
    if sleep_out_rate_limits:
        handlers.append(RateLimitErrorRetryHandler(max_retry_count=3))
    return WebClient(
        token=token, base_url=base_url, timeout=BACKGROUND_TIMEOUT_SECONDS, retry_handlers=handlers
    )


def without_rate_limit_sleeps(client: WebClient) -> WebClient:
    """A copy of `client` that answers a 429 at once instead of sleeping out Retry-After: for the
    scheduler, which hands the work back for later and serves other people meanwhile."""
    return make_client(token=client.token, base_url=client.base_url, sleep_out_rate_limits=False)


def retry_after(error: SlackApiError) -> float | None:
    """Seconds Slack asked us to wait, for a 429; None for any other error."""
    if error.response is None or error.response.status_code != 429:
        return None
    try:
        return max(1.0, float(retry_after_header(error.response) or ""))
    except ValueError:
        return 1.0


def interactive(client: WebClient) -> WebClient:
    """A copy of `client` for calls on the 3-second path: short timeout, one retry on a dropped connection."""
    return WebClient(
        token=client.token,
        base_url=client.base_url,
        timeout=INTERACTIVE_TIMEOUT_SECONDS,
        retry_handlers=[ConnectionErrorRetryHandler(max_retry_count=1)],
    )


def call(method: Callable[..., SlackResponse], **kwargs: Any) -> SlackResponse:
    """Call a WebClient method; raise SlackPermanentError for errors that will not heal."""
    try:
        return method(**kwargs)
    except SlackApiError as exc:
        error = str(exc.response.get("error", "")) if exc.response is not None else ""
        if error in PERMANENT_ERRORS:
            raise SlackPermanentError(api_method(exc.response), error) from exc
        raise


def quietly(
    method: Callable[..., SlackResponse], what: str, *, level: int = logging.INFO, **kwargs: Any
) -> bool:
    """Redraw (or take down) something the bot showed (chat.update, chat.delete, views.update) when what
    it showed changed. A failure is one log line at `level`, not an error: the message was deleted in
    Slack, the bot left the channel, the person closed the modal; what is stored is what counts.
    Returns whether Slack took it."""
    try:
        call(method, **kwargs)
        return True
    except Exception as exc:
        log.log(level, "could not redraw %s: %s", what, slack_said(exc) or exc)
        return False


def update_quietly(
    client: WebClient,
    what: str,
    *,
    channel: str,
    ts: str,
    text: str,
    blocks: Sequence[dict[str, Any] | Block] | None,
    level: int = logging.INFO,
) -> bool:
    """`quietly` for a message the bot posted: chat.update with its new text and blocks."""
    return quietly(client.chat_update, what, level=level, channel=channel, ts=ts, text=text, blocks=blocks)


def post_message(
    client: WebClient,
    *,
    channel: str,
    text: str,
    blocks: list[Any] | None = None,
    metadata: dict[str, Any] | None = None,
    thread_ts: str | None = None,
) -> SlackResponse:
    """chat.postMessage as the bot always sends it: `text` is the (already escaped) notification line;
    links are not unfurled, so a typed URL never pulls a preview of someone's page into a DM."""
    return call(
        client.chat_postMessage,
        channel=channel,
        text=text,
        blocks=blocks,
        metadata=metadata,
        thread_ts=thread_ts,
        unfurl_links=False,
        unfurl_media=False,
    )


def find_posted(
    client: WebClient, *, channel: str, event_type: str, key: str, value: object, limit: int = 50
) -> str | None:
    """The ts of a message we posted in `channel` whose metadata says `key: value`: how a replica that
    takes over finds what the one that died may have posted before it could record it. Raises what
    conversations.history raises."""
    history = call(client.conversations_history, channel=channel, limit=limit, include_all_metadata=True)
    for message in history.get("messages") or []:
        metadata = message.get("metadata") or {}
        if (
            metadata.get("event_type") == event_type
            and (metadata.get("event_payload") or {}).get(key) == value
        ):
            return str(message["ts"])
    return None


def find_sent(
    client: WebClient, *, channel: str, event_type: str, key: str, value: object, limit: int = 50
) -> tuple[str, str] | None:
    """Like find_posted, where `channel` may be a user id (a DM): (the channel, the ts) when found."""
    if channel[:1] in ("U", "W"):  # history wants the DM's channel id, not the user's
        opened = call(client.conversations_open, users=channel)
        channel = str((opened.get("channel") or {}).get("id") or channel)
    ts = find_posted(client, channel=channel, event_type=event_type, key=key, value=value, limit=limit)
    return (channel, ts) if ts is not None else None


def fetch_user_timezone(client: WebClient, user_id: str) -> str | None:
    """The user's IANA timezone from users.info, or None when Slack does not say."""
    response = call(client.users_info, user=user_id)
    user = response.get("user") or {}
    return user.get("tz") or None


ADMIN_FLAGS = ("is_admin", "is_owner", "is_primary_owner")
