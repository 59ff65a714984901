"""`interview-bot accounts import` and `interview-bot accounts export`: a workspace's accounts with their
owner, segment, ARR, CRM link and status, from a CRM's export and out again."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from bot.cli.startup import (
    add_sheet_options,
    add_team_option,
    csv_to_stdout,
    open_for_import,
    open_workspace,
    report,
)
from bot.config import load_database_url
from bot.errors import StartupError
from bot.text import counted, shown

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from bot.exchange.accounts import AccountRow, Outcome, Rejected
    from storage import Database


def cmd_accounts_export(args: argparse.Namespace) -> int:
    """The workspace's accounts as CSV on stdout."""
    from bot.exchange.accounts import export_accounts, write_accounts_csv

    db = open_workspace(load_database_url(), args.team)
    count = csv_to_stdout(
        db, lambda session, out: write_accounts_csv(export_accounts(session=session, team_id=args.team), out)
    )
    if count is not None:
        print(f"{counted(count, 'account')} of {args.team} exported", file=sys.stderr)
    return 0


def cmd_accounts_import(args: argparse.Namespace) -> int:
    """Bring a sheet of accounts in (unknown ones created); with --dry-run, say what would change and
    store nothing."""
    from bot.accounts.attributes import (
        CURRENCY_CODE,
        DEFAULT_CURRENCY,
        set_workspace_currency,
        workspace_currency,
    )
    from bot.exchange.accounts import ACCOUNT_COLUMNS, read_accounts
    from bot.exchange.cells import HeaderError, parse_map
    from bot.exchange.reading import NotText, check_text

    path, dry_run = Path(args.file), args.dry_run
    try:
        mapping = parse_map(args.map or [], columns=ACCOUNT_COLUMNS)
    except HeaderError as exc:
        raise StartupError(str(exc)) from None
    if not path.is_file():
        raise StartupError(f"{path}: there is no such file.")
    try:
        with path.open("rb") as raw:
            check_text(raw)
    except NotText as exc:
        raise StartupError(f"{path.name}: {exc}; nothing was imported.") from None
    if args.currency is not None and not CURRENCY_CODE.fullmatch(args.currency):
        raise StartupError(f"--currency {shown(args.currency)} is not a currency code like USD or EUR.")
    db = open_for_import(load_database_url(), args.team, dry_run=dry_run)
    try:
        currency = args.currency or DEFAULT_CURRENCY
        if db is not None and args.currency is None:
            with db.read() as session:
                currency = workspace_currency(session=session, team_id=args.team)
        elif db is not None and not dry_run:  # the workspace's currency from now on
            db.run(lambda s: set_workspace_currency(session=s, team_id=args.team, currency=currency))
        with path.open(encoding="utf-8-sig", newline="") as source:
            try:
                sheet = read_accounts(source, mapping=mapping, currency=currency)
            except HeaderError as exc:
                raise StartupError(f"{path.name}: {exc}; nothing was imported.") from None
        for header in sheet.ignored:
            report(
                dry_run, f"warning: the column {shown(header)} is not one the import knows: it is left out"
            )
        rejected = list(sheet.rejected)
        tally = (
            _dry_run(db, args.team, sheet.rows) if dry_run else _store(db, args.team, sheet.rows, rejected)
        )
    finally:
        if db is not None:
            db.dispose()
    for r in sorted(rejected, key=lambda r: r.line):
        report(dry_run, f"line {r.line}: rejected: {r.reason}")
    created, changed, unchanged = (tally.get(k, 0) for k in ("created", "changed", "unchanged"))
    would = "would be " if dry_run else ""
    report(
        dry_run,
        f"{path.name}: {counted(created, 'account')} {would}created, {changed} {would}changed, "
        f"{unchanged} unchanged, {len(rejected)} rejected",
    )
    return 1 if rejected else 0


def _dry_run(db: Database | None, team_id: str, rows: list[AccountRow]) -> dict[str, int]:
    from bot.exchange.accounts import Outcome, outcome_of

    tally: dict[str, int] = {}
    if db is None:  # nothing stored yet: every account would be new
        outcomes = [Outcome.CREATED] * len(rows)
    else:
        with db.read() as session:
            outcomes = [outcome_of(session=session, team_id=team_id, row=row) for row in rows]
    for row, outcome in zip(rows, outcomes, strict=True):
        if outcome != "unchanged":
            print(f"line {row.line}: would be {outcome.value}: {row.name}")
        tally[outcome.value] = tally.get(outcome.value, 0) + 1
    return tally


def _store(
    db: Database | None, team_id: str, rows: list[AccountRow], rejected: list[Rejected]
) -> dict[str, int]:
    """One transaction, a savepoint for each row: a row the database refuses is reported, not half
    stored, and the others go in."""
    from sqlalchemy.exc import IntegrityError

    from bot.exchange.accounts import Rejected, store_account_row

    assert db is not None  # only a dry run goes without

    def work(session: Session) -> dict[str, int]:
        tally: dict[str, int] = {}
        for row in rows:
            try:
                with session.begin_nested():
                    outcome: Outcome = store_account_row(session=session, team_id=team_id, row=row)
            except IntegrityError as exc:
                reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
                rejected.append(Rejected(row.line, f"the database refused it ({reason})"))
                continue
            tally[outcome.value] = tally.get(outcome.value, 0) + 1
        return tally

    return db.run(work)


def add_verbs(verbs: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    accounts = verbs.add_parser(
        "accounts", help="accounts' owner, segment, ARR, CRM link and status, in and out as CSV"
    ).add_subparsers(dest="accounts_verb", required=True, metavar="ACTION")
    export = accounts.add_parser("export", help="write a workspace's accounts as CSV to stdout")
    add_team_option(export)
    export.set_defaults(func=cmd_accounts_export)
    imp = accounts.add_parser("import", help="bring accounts and their attributes in from a CRM's CSV export")
    add_team_option(imp)
    add_sheet_options(
        imp,
        sheet="the sheet: account, owner, segment, arr, crm, status",
        dry_run="say what it would create, change or reject",
        map_example='arr="Annual revenue"',
    )
    imp.add_argument(
        "--currency",
        metavar="CODE",
        help="the currency the sheet's ARR is in (EUR, GBP…), kept as the workspace's from now on "
        "(default: the workspace's, USD at first)",
    )
    imp.set_defaults(func=cmd_accounts_import)
