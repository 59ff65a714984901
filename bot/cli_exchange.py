"""`interview-bot export` and `interview-bot import`: a workspace's interviews as a sheet, out and in."""

from __future__ import annotations

import argparse
import csv
import io
import os
import sys
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING

from bot.settings import load_database_url, load_themes_method
from bot.startup import StartupError, add_team_option, load_embedder, open_database

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from bot.exchange.imports import Rejected, Row
    from storage import Database

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
    db = open_database(load_database_url())
    # The csv module writes its own line ends: no translation on the way out.
    out = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8", newline="", write_through=True)
    try:
        with db.read() as session:
            count = write_csv(export_rows(session=session, team_id=team_id, since=since), out)
        out.flush()
    except BrokenPipeError:  # `| head`: the reader has what it wanted
        return 0
    finally:
        out.detach()  # sys.stdout stays open
        db.dispose()
    print(f"{count} interviews of {team_id} exported", file=sys.stderr)
    return 0


def _records(path: Path) -> int:
    """How many records the file holds (for the progress bar); an unreadable tail counts as one."""
    csv.field_size_limit(1 << 24)
    count = 0
    with path.open(encoding="utf-8-sig", newline="", errors="replace") as f:
        reader = csv.reader(f)
        try:
            for _ in reader:
                count += 1
        except csv.Error:
            count += 1
    return max(count - 1, 0)


def _batches(rows: Iterator[Row | Rejected], size: int) -> Iterator[list[Row | Rejected]]:
    while batch := list(islice(rows, size)):
        yield batch


def cmd_import(args: argparse.Namespace) -> int:
    """Bring a sheet of earlier interviews in; with --dry-run, say what would happen and store nothing."""
    from tqdm import tqdm

    from bot.exchange.cells import HeaderError, parse_map
    from bot.exchange.imports import Rejected, Row, already_imported, read_rows

    team_id = args.team
    path = Path(args.file)
    try:
        mapping = parse_map(args.map or [])
    except HeaderError as exc:
        raise StartupError(str(exc)) from None
    if not path.is_file():
        raise StartupError(f"{path}: there is no such file.")
    db = open_database(load_database_url())
    now = datetime.now(UTC)
    created = existing = 0
    rejected: list[Rejected] = []
    verb = "would create" if args.dry_run else "created"
    bar = tqdm(total=_records(path), unit="row", desc="import", file=sys.stderr, disable=args.dry_run)
    try:
        with path.open(encoding="utf-8-sig", newline="") as source:
            rows = read_rows(source, mapping=mapping, today=now.date())
            seen: dict[str, int] = {}
            for batch in _batches(rows, IMPORT_BATCH):
                good = [r for r in batch if isinstance(r, Row)]
                rejected.extend(r for r in batch if isinstance(r, Rejected))
                for r in batch:
                    if isinstance(r, Rejected):
                        _say(args.dry_run, f"line {r.line}: rejected: {r.reason}")
                with db.read() as session:
                    stored = already_imported(session=session, team_id=team_id, keys=[r.key for r in good])
                fresh = []
                for row in good:
                    if row.key in stored or row.key in seen:
                        existing += 1
                        if args.dry_run:
                            first = f" (the same as line {seen[row.key]})" if row.key in seen else ""
                            print(f"line {row.line}: already there{first}")
                    else:
                        seen[row.key] = row.line
                        fresh.append(row)
                if args.dry_run:
                    for row in fresh:
                        print(f"line {row.line}: {verb} {_describe(row)}")
                    created += len(fresh)
                else:
                    created += _store(db, team_id, fresh, now, rejected)
                bar.update(len(batch))
    except HeaderError as exc:
        raise StartupError(f"{path}: {exc}.") from None
    except UnicodeDecodeError:
        raise StartupError(
            f"{path} is not UTF-8 text: save the sheet as “CSV UTF-8” and try again."
        ) from None
    finally:
        bar.close()
    print(
        f"{path.name}: {created} interviews {verb}, {existing} already there, {len(rejected)} rejected",
        file=sys.stdout if args.dry_run else sys.stderr,
    )
    if created and not args.dry_run:
        started = time.perf_counter()
        _keep_themes_up(db)
        print(f"themes kept up in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    db.dispose()
    return 1 if rejected else 0


def _say(dry_run: bool, line: str) -> None:
    print(line, file=sys.stdout if dry_run else sys.stderr)


def _describe(row: Row) -> str:
    draft = row.draft
    pains = len([p for p in (draft.pains or "").splitlines() if p.strip()])
    return f"{draft.account}, {draft.held_on}, {draft.kind}, {pains} pains"


def _store(db: Database, team_id: str, rows: list[Row], now: datetime, rejected: list[Rejected]) -> int:
    """One transaction for the batch, a savepoint for each row: a row that fails is reported, not half
    stored, and the others go in."""
    from sqlalchemy.exc import IntegrityError

    from bot.exchange.imports import Rejected, store_row, store_rows

    def one_by_one(session: Session) -> int:
        count = 0
        for row in rows:
            try:
                with session.begin_nested():
                    count += store_row(session=session, team_id=team_id, row=row, now=now)
            except IntegrityError as exc:
                reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
                rejected.append(Rejected(row.line, f"the database refused it ({reason})"))
                print(f"line {row.line}: rejected: the database refused it ({reason})", file=sys.stderr)
        return count

    def work(session: Session) -> int:
        try:
            with session.begin_nested():
                return store_rows(session=session, team_id=team_id, rows=rows, now=now)
        except IntegrityError:  # one row of the batch is refused: find which, storing the others
            return one_by_one(session)

    return db.run(work)


def _keep_themes_up(db: Database) -> None:
    """Embed and group what came in, as the running bot's next tick would, so the digest shows it now."""
    from bot.replica import replica_name
    from bot.themes.keeper import ThemeKeeper
    from bot.themes.upkeep import UpkeepSchedule

    keeper = ThemeKeeper(
        db=db,
        embedder=load_embedder(load_themes_method(), threads=os.cpu_count() or 1),
        replica=replica_name(),
        schedule=UpkeepSchedule(regroup_every=timedelta(hours=1), rebuild_every=timedelta(days=7)),
    )
    print("grouping the new pains and requests into themes…", file=sys.stderr)
    keeper.tick()


def add_verbs(verbs: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    export = verbs.add_parser("export", help="write a workspace's interviews as CSV to stdout")
    add_team_option(export)
    export.add_argument("--since", metavar="DATE", help="only calls on or after DATE (2026-03-04)")
    export.set_defaults(func=cmd_export)
    imp = verbs.add_parser("import", help="bring in earlier interview notes from a CSV sheet")
    add_team_option(imp)
    imp.add_argument("file", metavar="FILE.csv", help="the sheet, with the export's columns")
    imp.add_argument("--dry-run", action="store_true", help="say what it would create or reject")
    imp.add_argument(
        "--map",
        action="append",
        metavar='col="Header"',
        help='read a column from a header of your own, e.g. --map pains="Pain points" (repeatable)',
    )
    imp.set_defaults(func=cmd_import)
