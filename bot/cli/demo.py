"""`interview-bot demo`: the sample team in a database of its own, its study, its themes, its digest and
its chart, in a terminal, with no Slack. The sample's calls are moved in time so the latest was yesterday:
the digest then reads as it would on the day it is run, whatever that day is."""

from __future__ import annotations

import argparse
import csv
import io
import os
import sys
import tempfile
import time
import tomllib
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from bot.errors import StartupError

if TYPE_CHECKING:
    from storage import Database

DEMO_TEAM = "T0DEMO"
SAMPLE = Path(__file__).resolve().parents[2] / "examples" / "interviews.csv"
# The study the sample's `study` column names: made before the import, which takes only studies that are.
SAMPLE_STUDY = SAMPLE.with_name("study.toml")


def make_sample_study(db: Database, *, team_id: str, today: date, path: Path = SAMPLE_STUDY) -> str:
    """The sample's study (name, goal, points, target, owners, days left) made in `team_id` as
    /interview study new makes one, its first owner its maker; its name."""
    from bot.studies.store import StudyForm, create_study

    spec = tomllib.loads(path.read_text(encoding="utf-8"))
    owners = tuple(spec.get("owners", ()))
    form = StudyForm(
        name=spec["name"],
        goal=spec["goal"],
        points="\n".join(spec["points"]),
        owners=owners[1:],
        target_interviews=spec.get("target_interviews"),
        target_accounts=spec.get("target_accounts"),
        ends_on=today + timedelta(days=spec["ends_in_days"]) if "ends_in_days" in spec else None,
    )
    now = datetime(today.year, today.month, today.day, 9, tzinfo=UTC)
    with db.transaction() as session:
        return create_study(session=session, team_id=team_id, by=owners[0], form=form, now=now).name


def shifted_sample(text: str, *, latest: date) -> str:
    """The sample sheet with every call moved by the same number of days, so its latest is `latest`."""
    rows = list(csv.reader(io.StringIO(text)))
    header, body = rows[0], rows[1:]
    column = [name.strip().lstrip("\ufeff").lower() for name in header].index("date")
    held = [date.fromisoformat(row[column]) for row in body if len(row) > column and row[column]]
    shift = latest - max(held) if held else timedelta()
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for row in body:
        if len(row) > column and row[column]:
            row = [*row[:column], (date.fromisoformat(row[column]) + shift).isoformat(), *row[column + 1 :]]
        writer.writerow(row)
    return out.getvalue()


def run_demo(
    *,
    workdir: Path,
    sample: Path = SAMPLE,
    days: int = 7,
    cli: Callable[[Sequence[str]], int],
    today: date | None = None,
) -> int:
    """Make the sample's study and import the sample into `workdir`/demo.db afresh (a second run gives the
    same), print its digest and write its chart to `workdir`/demo-chart.png. `cli` runs one verb
    (bot.cli.main.main)."""
    if not sample.is_file():
        raise StartupError(
            f"the sample sheet {sample.name} is not here: the demo runs from a clone of the project."
        )
    database, chart = workdir / "demo.db", workdir / "demo-chart.png"
    database.unlink(missing_ok=True)  # a fresh start each time: the same sample gives the same digest
    yesterday = (today or datetime.now(UTC).date()) - timedelta(days=1)
    before = os.environ.get("DATABASE_URL")
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"  # the demo's own, whatever .env says
    try:
        return _import_and_show(sample, database, chart, days=days, yesterday=yesterday, cli=cli)
    finally:
        if before is None:
            os.environ.pop("DATABASE_URL", None)
        else:
            os.environ["DATABASE_URL"] = before


def _import_and_show(
    sample: Path,
    database: Path,
    chart: Path,
    *,
    days: int,
    yesterday: date,
    cli: Callable[[Sequence[str]], int],
) -> int:
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        moved = Path(folder) / "interviews.csv"
        moved.write_text(shifted_sample(sample.read_text(encoding="utf-8-sig"), latest=yesterday), "utf-8")
        study = _make_study(database, today=yesterday + timedelta(days=1))
        print(f"importing the sample team ({DEMO_TEAM}) into {database.name}…", file=sys.stderr)
        if code := cli(["import", "--team", DEMO_TEAM, str(moved)]):
            return code
    print(file=sys.stderr)
    if code := cli(["digest", "preview", "--team", DEMO_TEAM, "--days", str(days), "--chart", str(chart)]):
        return code
    where = f"DATABASE_URL=sqlite:///{database.name}"
    print(
        "\n".join(
            [
                "",
                f"Done in {time.perf_counter() - started:.0f} s. The chart is {chart.name}: open it with any "
                "image viewer (xdg-open or open, on a desktop).",
                "Try next, from this folder:",
                f"  {where} .venv/bin/interview-bot themes list --team {DEMO_TEAM}",
                f"  {where} .venv/bin/interview-bot digest preview --team {DEMO_TEAM} --days 28",
                f"  {where} .venv/bin/interview-bot study sheet --team {DEMO_TEAM} --study "
                f"'{study}' --png demo-study.png",
                f"  {where} .venv/bin/interview-bot export --team {DEMO_TEAM} > demo-export.csv",
                "Then connect Slack (README, Connect Slack) and log a call with /interview log.",
            ]
        )
    )
    return 0


def _make_study(database: Path, *, today: date) -> str:
    from bot.cli.startup import open_database

    db = open_database(f"sqlite:///{database}")  # created here, the schema with it: the import goes on
    try:
        name = make_sample_study(db, team_id=DEMO_TEAM, today=today)
    finally:
        db.dispose()
    print(f"the sample team's study “{name}” made ({SAMPLE_STUDY.name})", file=sys.stderr)
    return name


def add_verb(verbs: argparse._SubParsersAction, *, cli: Callable[[Sequence[str]], int]) -> None:  # type: ignore[type-arg]
    """The `demo` verb; `cli` runs the other verbs (the CLI's own entry point, handed down, not imported)."""
    demo = verbs.add_parser(
        "demo", help="the sample team in demo.db: themes, the digest and its chart, no Slack needed"
    )
    demo.add_argument("--days", type=int, default=7, help="the digest's period in days (default 7)")
    demo.set_defaults(func=lambda args: run_demo(workdir=Path.cwd(), days=args.days, cli=cli))
