"""Typed errors the domain raises; the one error handler (bot.app) turns them into short messages."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from typing import Any

from slack_sdk.errors import SlackApiError

from bot.logs import clip, note_error
from storage.db import DatabaseUnavailable

log = logging.getLogger(__name__)


class BotError(Exception):
    """An error whose message is fit to show the user as is."""

    def __init__(self, user_message: str) -> None:
        super().__init__(user_message)
        self.user_message = user_message


class InvalidInput(BotError):
    """Input the user can fix. `fields` maps a form field to what is wrong with it."""

    def __init__(self, fields: dict[str, str]) -> None:
        super().__init__("; ".join(fields.values()))
        self.fields = fields


class InterviewGone(BotError):
    """The interview asked for is not this workspace's, or was deleted."""

    def __init__(self) -> None:
        super().__init__("That interview is gone: it was deleted.")


class NotAllowed(BotError):
    """The person may not do this (it is someone else's, or only workspace admins may); nothing changed."""


class NotTheAuthor(NotAllowed):
    """Someone other than the person who logged an interview tried to edit it."""

    def __init__(self) -> None:
        super().__init__("Only the person who logged this interview can edit it.")


class StorageUnavailable(BotError):
    """The database did not answer: the same words on every path, a read or a write (a modal keeps what
    was typed, so nothing is lost there either)."""

    def __init__(self) -> None:
        super().__init__(
            "I can't reach the database right now; nothing you typed is lost, try again in a minute."
        )


class SlackPermanentError(Exception):
    """A Slack error that retrying will not heal (user gone, bot not in channel, …). `method` is the Web API
    method's name (users.info)."""

    def __init__(self, method: str, error: str) -> None:
        super().__init__(f"{method}: {error}")
        self.method = method
        self.error = error


# Codes Slack answers when the request itself was wrong: a bug of ours, kept as an unexpected error (an
# id and its traceback). Any other code is about the state of Slack or of someone (a rate limit, a user or
# channel gone, a trigger_id expired, a modal closed): expected, and one line.
OUR_BUGS = frozenset(
    {
        "invalid_arguments",
        "invalid_arg_name",
        "invalid_array_arg",
        "invalid_blocks",
        "invalid_blocks_format",
        "invalid_charset",
        "invalid_form_data",
        "invalid_json",
        "invalid_post_type",
        "json_not_object",
        "missing_post_type",
        "no_text",
        "too_many_attachments",
    }
)


# A modal opened too late, or twice, for the click or command that asked for it.
TRIGGER_ERRORS = frozenset({"expired_trigger_id", "exchanged_trigger_id", "invalid_trigger_id"})


def api_method(response: Any) -> str:
    """users.info, from the URL a Web API answer came from."""
    url = str(getattr(response, "api_url", "") or "")
    return url.rstrip("/").rsplit("/", 1)[-1] or "a Slack call"


def retry_after_header(response: Any) -> str | None:
    """The Retry-After a 429 came with, as Slack sent it; None for any other answer."""
    if response is None or getattr(response, "status_code", None) != 429:
        return None
    headers = {str(k).lower(): v for k, v in (getattr(response, "headers", None) or {}).items()}
    raw = headers.get("retry-after")
    return str(raw[0] if isinstance(raw, list) else raw) if raw is not None else None


def error_code(response: Any) -> str:
    """Slack's error code (`user_not_found`), or the HTTP status when the answer has none."""
    data = getattr(response, "data", None)
    code = data.get("error") if isinstance(data, dict) else None
    return str(code) if code else f"HTTP {getattr(response, 'status_code', '?')}"


def slack_said(error: BaseException) -> str | None:
    """One line for an error Slack answered with: the method, the code and, for a rate limit, the
    Retry-After it asked for (`users.info: ratelimited, Retry-After 30 s`); None for anything else."""
    if isinstance(error, SlackPermanentError):
        return f"{error.method}: {error.error}"
    response = error.response if isinstance(error, SlackApiError) else None
    if response is None:
        return None
    line = f"{api_method(response)}: {clip(error_code(response))}"
    wait = retry_after_header(response)
    return f"{line}, Retry-After {clip(wait)} s" if wait is not None else line


@dataclass(frozen=True)
class SlackRefusal:
    """An error Slack answered with that is no bug of ours: the line to log, and its code."""

    line: str
    code: str


def slack_refusal(error: BaseException) -> SlackRefusal | None:
    """The refusal `error` is, when Slack answered and the request was not wrong; else None."""
    said = slack_said(error)
    if said is None:
        return None
    code = (
        error.error
        if isinstance(error, SlackPermanentError)
        else error_code(getattr(error, "response", None))
    )
    return None if code in OUR_BUGS else SlackRefusal(said, clip(code))


def message_for(error: Exception) -> str:
    """What to tell the user about `error`, logged once: typed errors say what happened, and so does an
    error Slack answered with (one line, no traceback: a rate limit, someone gone); anything else gets a
    short id that is also in the log, with its traceback, so support can find it."""
    if isinstance(error, DatabaseUnavailable):
        log.warning("the database is unreachable: %s", error)
        return StorageUnavailable().user_message
    if isinstance(error, BotError):
        log.warning("user-facing error (%s): %s", type(error).__name__, error.user_message)
        return error.user_message
    refused = slack_refusal(error)
    if refused is not None:
        log.warning("Slack refused %s", refused.line)
        if refused.code == "ratelimited":
            return "Slack asked me to slow down just now; try again in a minute. Nothing you typed is lost."
        if refused.code in TRIGGER_ERRORS:
            return "Slack did not let me open that in time (it allows 3 seconds); please try again."
        return (
            f"Slack refused that ({refused.code}). Nothing you typed is lost; "
            "if it keeps happening, tell your Slack admin."
        )
    error_id = uuid.uuid4().hex[:8]
    note_error(error_id)
    log.error("unexpected error %s", error_id, exc_info=error)
    return f"Something went wrong on my side (error id {error_id}). Nothing you typed is lost."
