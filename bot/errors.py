"""Typed errors the product raises; the one error handler (handlers.errors) turns them into short messages."""

from __future__ import annotations


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


class StartupError(Exception):
    """Something the operator must fix before the bot can start; str(self) says what."""
