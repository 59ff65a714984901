"""What Slack answers when it refuses a call, read once: which refusals no retry heals, which mean a bug of
ours, and the one log line each deserves (the method, the code and, for a rate limit, its Retry-After)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from slack_sdk.errors import SlackApiError

from bot.logs import clip


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
