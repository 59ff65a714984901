"""What a person is told when their request fails, logged once: the one error path of every listener."""

from __future__ import annotations

import logging
import uuid

from bot.errors import BotError, StorageUnavailable
from bot.logs import note_error
from handlers.web_api.refusals import TRIGGER_ERRORS, slack_refusal
from storage.db import DatabaseUnavailable

log = logging.getLogger(__name__)


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
