"""Typed errors the domain raises; the one error handler (bot.app) turns them into short messages."""

from __future__ import annotations

import logging
import uuid

from bot.logs import note_error
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
    """A Slack error that retrying will not heal (user gone, bot not in channel, …)."""

    def __init__(self, method: str, error: str) -> None:
        super().__init__(f"{method}: {error}")
        self.method = method
        self.error = error


def message_for(error: Exception) -> str:
    """What to tell the user about `error`, logged once: typed errors say what happened; anything else
    gets a short id that is also in the log, so support can find it."""
    if isinstance(error, DatabaseUnavailable):
        log.warning("the database is unreachable: %s", error)
        return StorageUnavailable().user_message
    if isinstance(error, BotError):
        log.warning("user-facing error (%s): %s", type(error).__name__, error.user_message)
        return error.user_message
    error_id = uuid.uuid4().hex[:8]
    note_error(error_id)
    log.error("unexpected error %s", error_id, exc_info=error)
    return f"Something went wrong on my side (error id {error_id}). Nothing you typed is lost."
