"""`interview-bot export` and `interview-bot import`: a workspace's interviews as a sheet, out and in."""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING

from bot.cli.startup import (
    add_sheet_options,
    add_team_option,
    csv_to_stdout,
    load_embedder,
    open_for_import,
    open_workspace,
    report,
)
from bot.config import load_database_url, load_themes_method, load_themes_model
from bot.errors import StartupError
from bot.text import counted, split_lines

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from bot.exchange.imports import Rejected, Row
    from bot.exchange.reading import Sheet, Stop
    from storage import Database
    from storage.models import ThemeKind

# Rows stored per transaction (each in its own savepoint, so a row that fails leaves nothing).
IMPORT_BATCH = 200


def parse_since(raw: str | None) -> date | None:
    if raw is None:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise StartupError(f"--since {raw}: write the date as 2026-03-04.") from None


def cmd_export(args: argparse.Namespace) -> int:
    """The workspace's interviews as CSV on stdout, streamed: memory stays flat however many there are."""
    from bot.exchange.export import export_rows, write_csv

    team_id = args.team
    since = parse_since(args.since)
    db = open_workspace(load_database_url(), team_id)
    count = csv_to_stdout(
        db, lambda session, out: write_csv(export_rows(session=session, team_id=team_id, since=since), out)
    )
    if count is not None:
        print(f"{counted(count, 'interview')} of {team_id} exported", file=sys.stderr)
    return 0


@dataclass
class _Tally:
    created: int = 0
    pains: int = 0
    existing: int = 0
    rejected: list[Rejected] = field(default_factory=list)
    stop: Stop | None = None


def _batches(rows: Iterator[Row | Rejected | Stop], size: int) -> Iterator[list[Row | Rejected | Stop]]:
    while batch := list(islice(rows, size)):
        yield batch


def _pains(row: Row) -> int:
    return len(split_lines(row.draft.pains))


def cmd_import(args: argparse.Namespace) -> int:
    """Bring a sheet of earlier interviews in; with --dry-run, say what would happen and store nothing."""
    from bot.exchange.cells import HeaderError, parse_map
    from bot.exchange.reading import NotText, check_text, open_sheet

    path = Path(args.file)
    try:
        mapping = parse_map(args.map or [])
    except HeaderError as exc:
        raise StartupError(str(exc)) from None
    if not path.is_file():
        raise StartupError(f"{path}: there is no such file.")
    try:
        with path.open("rb") as raw:
            lines = check_text(raw)
    except NotText as exc:
        raise StartupError(f"{path.name}: {exc}; nothing was imported.") from None
    now = datetime.now(UTC)
    dry_run = args.dry_run
    with path.open(encoding="utf-8-sig", newline="") as source:
        try:
            sheet = open_sheet(source, mapping=mapping, today=now.date())
        except HeaderError as exc:
            raise StartupError(f"{path.name}: {exc}; nothing was imported.") from None
        for warning in sheet.warnings:
            report(dry_run, f"warning: {warning}")
        db = open_for_import(load_database_url(), args.team, dry_run=dry_run)
        try:
            tally = _import(db, args.team, sheet, lines=lines, dry_run=dry_run, now=now)
        except BaseException:
            if db is not None:
                db.dispose()
            raise
    outcome = "would be created" if dry_run else "created"
    summary = (
        f"{path.name}: {counted(tally.created, 'interview')} {outcome} ({counted(tally.pains, 'pain')}), "
        f"{tally.existing} already there, {len(tally.rejected)} rejected"
    )
    if tally.stop:
        summary += (
            f"; stopped at line {tally.stop.line}: {tally.stop.fix}, then import the file again "
            "(the rows before it are already there then: nothing comes in twice)"
        )
    elif not (tally.created or tally.existing or tally.rejected):
        report(dry_run, "warning: the file has no rows under its header: there is nothing to import")
    report(dry_run, summary)
    if db is None:  # a dry run with nothing stored to compare with
        return 1 if tally.rejected or tally.stop else 0
    if tally.created and not dry_run:
        started = time.perf_counter()
        _keep_themes_up(db)
        print(f"themes kept up in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    db.dispose()
    return 1 if tally.rejected or tally.stop else 0


def _import(
    db: Database | None, team_id: str, sheet: Sheet, *, lines: int, dry_run: bool, now: datetime
) -> _Tally:
    """The sheet's rows, batch by batch: each rejected one said, the new ones stored (or, in a dry run,
    said), up to the end of the file or the line where reading stopped. No `db` (a dry run with no schema
    to read): the rows are checked alone."""
    from tqdm import tqdm

    from bot.exchange.imports import Rejected, Row, already_imported
    from bot.exchange.reading import Stop

    tally = _Tally()
    seen: dict[str, int] = {}
    bar = tqdm(total=max(lines - 1, 0), unit="line", desc="reading", file=sys.stderr, disable=dry_run)
    try:
        for batch in _batches(sheet.rows, IMPORT_BATCH):
            bar.set_description_str("writing")  # shown now: storing a batch takes a while
            good = [r for r in batch if isinstance(r, Row)]
            for r in batch:
                if isinstance(r, Rejected):
                    tally.rejected.append(r)
                    report(dry_run, f"line {r.line}: rejected: {r.reason}")
                elif isinstance(r, Stop):
                    tally.stop = r
            stored: set[str] = set()
            refused: dict[int, str] = {}
            if db is not None:
                with db.read() as session:
                    stored = already_imported(session=session, team_id=team_id, keys=[r.key for r in good])
                    refused = _check_studies(session, team_id, [r for r in good if r.key not in stored])
            else:  # nothing stored yet: no study either
                refused = _check_studies(None, team_id, good)
            fresh = []
            for row in good:
                if row.key in stored or row.key in seen:
                    tally.existing += 1
                    if dry_run:
                        first = f" (the same as line {seen[row.key]})" if row.key in seen else ""
                        print(f"line {row.line}: already there{first}")
                elif row.line in refused:
                    tally.rejected.append(Rejected(row.line, refused[row.line]))
                    report(dry_run, f"line {row.line}: rejected: {refused[row.line]}")
                else:
                    seen[row.key] = row.line
                    fresh.append(row)
            if dry_run:
                for row in fresh:
                    print(f"line {row.line}: would create {_describe(row)}")
            else:
                assert db is not None  # only a dry run goes without
                fresh = _store(db, team_id, fresh, now, tally.rejected)
            tally.created += len(fresh)
            tally.pains += sum(_pains(row) for row in fresh)
            bar.set_description_str("reading", refresh=False)
            bar.update(sheet.lines_read - 1 - bar.n)
    finally:
        bar.close()
    if tally.stop:
        # Said after the rows before it, as the last thing read.
        nothing = "would be imported" if dry_run else "was imported"
        report(
            dry_run,
            f"line {tally.stop.line}: stopped: {tally.stop.reason}; nothing from line {tally.stop.line} on "
            f"{nothing}",
        )
    return tally


def _check_studies(session: Session | None, team_id: str, rows: list[Row]) -> dict[int, str]:
    """The study and answers of each row that names one, as the workspace holds them (set on the row);
    {line: what to fix} for those it cannot take. Rows imported before are not asked again: importing a
    file twice changes nothing, even once their study has closed."""
    from bot.exchange.studies import resolve_all

    named = [row for row in rows if row.study]
    asked = [(row.study, row.answers) for row in named]
    refused = {}
    for row, outcome in zip(named, resolve_all(session=session, team_id=team_id, asked=asked), strict=True):
        if isinstance(outcome, str):
            refused[row.line] = outcome
        else:
            row.resolved = outcome
    return refused


def _describe(row: Row) -> str:
    draft = row.draft
    said = f"{draft.account}, {draft.held_on}, {draft.kind}, {counted(_pains(row), 'pain')}"
    if row.resolved is not None:
        said += f", in the study “{row.study}” ({counted(len(row.resolved.replies), 'answer')})"
    return said


def _store(db: Database, team_id: str, rows: list[Row], now: datetime, rejected: list[Rejected]) -> list[Row]:
    """One transaction for the batch, a savepoint for each row: a row that fails is reported, not half
    stored, and the others go in. The rows stored."""
    from sqlalchemy.exc import IntegrityError

    from bot.errors import InvalidInput
    from bot.exchange.imports import Rejected, store_row, store_rows
    from bot.studies.store import StudyClosed

    def one_by_one(session: Session) -> list[Row]:
        stored = []
        for row in rows:
            try:
                with session.begin_nested():
                    if store_row(session=session, team_id=team_id, row=row, now=now):
                        stored.append(row)
            except IntegrityError as exc:
                reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
                rejected.append(Rejected(row.line, f"the database refused it ({reason})"))
                print(f"line {row.line}: rejected: the database refused it ({reason})", file=sys.stderr)
            except (StudyClosed, InvalidInput) as exc:  # the study closed or changed since it was checked
                rejected.append(Rejected(row.line, f"study: {exc.user_message}"))
                print(f"line {row.line}: rejected: study: {exc.user_message}", file=sys.stderr)
        return stored

    def work(session: Session) -> list[Row]:
        try:
            with session.begin_nested():
                store_rows(session=session, team_id=team_id, rows=rows, now=now)
                return rows
        except (IntegrityError, StudyClosed, InvalidInput):  # a row is refused: find which, store the rest
            return one_by_one(session)

    return db.run(work)


class StepBar:
    """One progress bar for the theme upkeep after an import, saying the step it is in ("pains:
    embedding", "requests: topics"), counting that step's work."""

    def __init__(self) -> None:
        from tqdm import tqdm

        self.bar = tqdm(total=1, unit="step", file=sys.stderr)
        self.step = ""

    def __call__(self, kind: ThemeKind, step: str, done: int, total: int) -> None:
        name = f"{kind.value}s: {step}"
        if name != self.step:
            self.step = name
            self.bar.set_description_str(name, refresh=False)
            self.bar.unit = "line" if step == "embedding" else "step"
            self.bar.reset(total=total)
        self.bar.update(done - self.bar.n)

    def close(self) -> None:
        self.bar.close()


def _keep_themes_up(db: Database) -> None:
    """Embed and group what came in, as the running bot's next tick would, so the digest shows it now."""
    from bot.replica import replica_name
    from bot.themes.upkeep.job import UpkeepJob
    from bot.themes.upkeep.work import UpkeepSchedule

    bar = StepBar()
    upkeep = UpkeepJob(
        db=db,
        embedder=load_embedder(load_themes_method(), load_themes_model(), threads=os.cpu_count() or 1),
        replica=replica_name(),
        schedule=UpkeepSchedule(regroup_every=timedelta(hours=1), rebuild_every=timedelta(days=7)),
        steps=bar,
    )
    print("grouping the new pains and requests into themes…", file=sys.stderr)
    try:
        upkeep.tick()
    finally:
        bar.close()


def add_verbs(verbs: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    export = verbs.add_parser("export", help="write a workspace's interviews as CSV to stdout")
    add_team_option(export)
    export.add_argument("--since", metavar="DATE", help="only calls on or after DATE (2026-03-04)")
    export.set_defaults(func=cmd_export)
    imp = verbs.add_parser("import", help="bring in earlier interview notes from a CSV sheet")
    add_team_option(imp)
    add_sheet_options(
        imp,
        sheet="the sheet, with the export's columns",
        dry_run="say what it would create or reject",
        map_example='pains="Pain points"',
    )
    imp.set_defaults(func=cmd_import)
