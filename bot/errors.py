"""Typed errors the domain raises; the one error handler (bot.app) turns them into short messages."""

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


class StorageUnavailable(BotError):
    """The database did not answer; nothing was stored, and the user's input must be kept."""

    def __init__(self) -> None:
        super().__init__(
            "I couldn't reach the database just now, so nothing was saved yet. "
            "Your text is still here: press Submit again in a moment."
        )


class SlackPermanentError(Exception):
    """A Slack error that retrying will not heal (user gone, bot not in channel, …)."""

    def __init__(self, method: str, error: str) -> None:
        super().__init__(f"{method}: {error}")
        self.method = method
        self.error = error
