"""`interview-bot study sheet`: a study's accounts × points sheet in the terminal, and as CSV and PNG."""

from __future__ import annotations

import argparse
import shutil
import sys
from collections.abc import Callable
from pathlib import Path

from bot.cli.startup import NAMED_AT_MOST, add_team_option, open_workspace
from bot.config import load_database_url
from bot.errors import StartupError
from bot.text import shown


def cmd_study_sheet(args: argparse.Namespace) -> int:
    """Print the sheet of the workspace's study --study (any case); --csv and --png write it as files."""
    from bot.studies.outputs import matrix_png, sheet_csv
    from bot.studies.sheet import build_sheet
    from bot.studies.store import find_study, list_studies
    from bot.studies.terminal import sheet_text

    team_id = args.team
    db = open_workspace(load_database_url(), team_id)
    try:
        with db.read() as session:
            study = find_study(session=session, team_id=team_id, name=args.study)
            if study is None:
                names = [s.name for s in list_studies(session=session, team_id=team_id)]
                raise StartupError(f"no study {shown(args.study)} in {team_id}; {_studies_named(names)}.")
            sheet = build_sheet(session=session, team_id=team_id, study_id=study.id)
    finally:
        db.dispose()
    sys.stdout.write(sheet_text(sheet, width=shutil.get_terminal_size().columns))
    if args.csv:
        # The csv module writes its own line ends: no translation on the way out.
        _write(
            args.csv, "sheet", lambda path: path.write_text(sheet_csv(sheet), encoding="utf-8", newline="")
        )
    if args.png:
        _write(args.png, "matrix", lambda path: path.write_bytes(matrix_png(sheet)))
    return 0


def _studies_named(names: list[str]) -> str:
    """The workspace's studies, as a refusal names them."""
    if not names:
        return "it has no studies yet (/interview study new makes one)"
    named = ", ".join(shown(n, 60) for n in names[:NAMED_AT_MOST])
    more = len(names) - NAMED_AT_MOST
    return f"its studies: {named}" + (f" and {more} more" if more > 0 else "")


def _write(name: str, what: str, write: Callable[[Path], object]) -> None:
    path = Path(name)
    try:
        write(path)
    except OSError as exc:
        raise StartupError(f"cannot write the {what} to {name}: {exc.strerror}.") from None
    print(f"({what} written to {name})", file=sys.stderr)


def add_verbs(verbs: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    study = verbs.add_parser("study", help="a study's accounts × validation points sheet").add_subparsers(
        dest="study_verb", required=True, metavar="ACTION"
    )
    sheet = study.add_parser("sheet", help="print a study's sheet (no Slack); write it as CSV or PNG")
    add_team_option(sheet)
    sheet.add_argument("--study", required=True, metavar="NAME", help="the study's name (any case)")
    sheet.add_argument("--csv", metavar="FILE", help="also write the sheet as CSV to FILE")
    sheet.add_argument("--png", metavar="FILE", help="also write the matrix as a PNG to FILE")
    sheet.set_defaults(func=cmd_study_sheet)
