"""`interview-bot`: run the bot or migrate the database. Bad settings end in one line, never a traceback."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from bot.settings import SettingsError, load_database_url, load_settings

if TYPE_CHECKING:
    from storage import Database

log = logging.getLogger("bot")

EXIT_CONFIG = 2


class StartupError(Exception):
    """Something the operator must fix before the bot can start; str(self) says what."""


def _configure_logging() -> None:
    level = os.environ.get("LOG_LEVEL", "INFO").upper()
    logging.basicConfig(
        level=getattr(logging, level, logging.INFO),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    # Alembic announces each of its plugins at INFO on every start: noise for an operator.
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)


def _open_database(url: str) -> Database:
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError

    from storage import Database
    from storage.migrate import upgrade

    try:
        db = Database(url)
    except (ModuleNotFoundError, NoSuchModuleError) as exc:
        raise StartupError(
            f"DATABASE_URL needs a driver that is not installed ({exc}): "
            "install the postgres extra, pip install 'interview-bot[postgres]'."
        ) from None
    except ArgumentError as exc:
        raise StartupError(f"DATABASE_URL is malformed: {exc}") from None
    try:
        upgrade(db)
    except OperationalError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        raise StartupError(
            f"DATABASE_URL: cannot open the database ({reason}); check the URL and that it runs."
        ) from None
    return db


def cmd_migrate(_args: argparse.Namespace) -> int:
    from storage.migrate import current_revision

    db = _open_database(load_database_url())
    log.info("database is at revision %s", current_revision(db))
    return 0


def cmd_run(_args: argparse.Namespace) -> int:
    settings = load_settings()
    db = _open_database(settings.database_url)

    from slack_bolt.error import BoltError
    from slack_sdk.errors import SlackApiError

    from bot.app import build_app
    from bot.server import SocketModeRunner, WebApp, serve_http, serve_socket

    try:
        app, deps = build_app(settings=settings, db=db)
    except (BoltError, SlackApiError) as exc:
        raise StartupError(
            f"SLACK_BOT_TOKEN was refused by Slack ({exc}); copy the Bot User OAuth Token again."
        ) from None
    except OSError as exc:
        raise StartupError(
            f"cannot reach Slack at SLACK_API_URL={settings.slack_api_url} ({exc}); check the network."
        ) from None
    web_app = WebApp(app, db)
    try:
        if settings.mode == "socket":
            assert settings.app_token is not None  # load_settings guarantees it in socket mode
            runner = SocketModeRunner(
                app, web_app, app_token=settings.app_token, host=settings.host, port=settings.port
            )
            try:
                serve_socket(runner)
            except SlackApiError as exc:
                raise StartupError(
                    f"SLACK_APP_TOKEN was refused by Slack ({exc.response.get('error')}): generate an "
                    "app-level token with the connections:write scope (Basic Information → App-Level Tokens)."
                ) from None
        else:
            serve_http(web_app, host=settings.host, port=settings.port)
    finally:
        deps.close()  # let work that followed an ack (DMs) finish before the database goes
        db.dispose()
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="interview-bot", description="The customer-interview feedback loop, inside Slack."
    )
    verbs = parser.add_subparsers(dest="verb", required=True, metavar="VERB")
    verbs.add_parser("run", help="start the bot (Socket Mode or HTTP, from BOT_MODE)").set_defaults(
        func=cmd_run
    )
    verbs.add_parser("migrate", help="upgrade the database to the latest schema").set_defaults(
        func=cmd_migrate
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    _configure_logging()
    try:
        return int(args.func(args))
    except (SettingsError, StartupError) as exc:
        print(f"interview-bot: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
