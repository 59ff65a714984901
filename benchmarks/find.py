"""Finding and moving interviews: measurements, not tests. Each part runs on its own scratch database.

    python -m benchmarks.find --part export [--interviews 100000]   # peak RSS of `interview-bot export`
    python -m benchmarks.find --part import [--rows 10000]          # time of `interview-bot import`
    python -m benchmarks.find --part search [--backend sqlite]      # benchmarks/find_search.py

export: a workspace of N made-up interviews (two pains, a request, a quote, a follow-up each; one in five
logged into one of four studies, answering three of its points) is written straight into a scratch SQLite
database; then `interview-bot export` runs in a child process, its CSV
going to a file, and the child's peak RSS is read from the kernel (wait4). Target: peak <= 200 MB, so
memory stays flat however many interviews there are.

import: a sheet of N made-up rows (pains from a few dozen themes, worded several ways) is imported by
`interview-bot import` in a child process with THEMES_METHOD=semantic: reading, checking and storing
every row, then the upkeep (embedding every pain and request with the model, grouping, labelling), as an
operator runs it. Target: <= 60 s wall time.

Parts are independent: add one as a function `part_<name>(args) -> dict` and list it in PARTS.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
TEAM = "TBENCH"
TARGETS = {"export_peak_mb": 200.0, "import_seconds": 60.0, "import_seconds_mpnet": 300.0}

SUBJECTS = [
    "Reports",
    "The export",
    "Single sign-on",
    "The mobile app",
    "Invoices",
    "The Salesforce sync",
    "Onboarding",
    "Permissions",
    "Search",
    "Notifications",
    "The API",
    "Dashboards",
]
PROBLEMS = [
    "is too slow for us",
    "breaks every other week",
    "confuses new people",
    "needs IT to set up",
    "loses data without saying so",
    "costs us an afternoon a month",
    "does not work offline",
    "is missing what finance asks for",
]


WHEN = [
    "",
    " since the last update",
    " every Monday",
    " for the field team",
    " when we onboard people",
    " at month end",
    " for our biggest customer",
    " on older laptops",
    " in the EU office",
]


def made_up_pain(rng: random.Random) -> str:
    """One of 12 x 8 x 9 wordings (some 860 distinct lines): themes worded many ways, as people write."""
    return f"{rng.choice(SUBJECTS)} {rng.choice(PROBLEMS)}{rng.choice(WHEN)}"


def run_child(argv: list[str], env: dict[str, str], stdout: Any) -> tuple[int, float, float, str]:
    """Run a child; (exit status, wall seconds, peak RSS in MB from the kernel, its stderr)."""
    started = time.perf_counter()
    child = subprocess.Popen(argv, env=env, stdout=stdout, stderr=subprocess.PIPE, cwd=ROOT)
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - started
    err = child.stderr.read().decode() if child.stderr else ""
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode not in (0, 1):
        sys.stderr.write(err)
    return child.returncode, seconds, usage.ru_maxrss / 1024, err  # Linux reports KB


STUDIES = 4
POINTS = 4  # per study; an interview in a study answers the first three


def seed_interviews(url: str, count: int) -> None:
    """N interviews written in bulk (the bot's own tables, migrated first), over 50 accounts; one in
    five in a study, with its answers."""
    from sqlalchemy import insert

    from storage import Database
    from storage.migrate import upgrade
    from storage.models import (
        Account,
        FollowUp,
        Interview,
        Pain,
        Participant,
        PointAnswer,
        Quote,
        Study,
        StudyInterview,
        ValidationPoint,
    )

    db = Database(url)
    upgrade(db)
    rng = random.Random(5)
    now = datetime.now(UTC)
    with db.engine.begin() as conn:
        conn.execute(
            insert(Account),
            [
                {
                    "id": a + 1,
                    "team_id": TEAM,
                    "name": f"Account {a}",
                    "normalized_name": f"account {a}",
                    "created_at": now,
                }
                for a in range(50)
            ],
        )
        conn.execute(
            insert(Study),
            [
                {
                    "id": s + 1,
                    "team_id": TEAM,
                    "name": f"Study {s}",
                    "name_key": f"study {s}",
                    "goal": "Learn whether it matters",
                    "created_by": "U0BENCH",
                }
                for s in range(STUDIES)
            ],
        )
        conn.execute(
            insert(ValidationPoint),
            [
                {
                    "id": s * POINTS + n + 1,
                    "team_id": TEAM,
                    "study_id": s + 1,
                    "position": n,
                    "text": f"=Point {n} of study {s} holds",
                }
                for s in range(STUDIES)
                for n in range(POINTS)
            ],
        )
        for start in range(0, count, 5000):
            ids = range(start + 1, min(start + 5000, count) + 1)
            conn.execute(
                insert(Interview),
                [
                    {
                        "id": i,
                        "team_id": TEAM,
                        "account_id": i % 50 + 1,
                        "kind": "discovery",
                        "held_on": date(2026, 1, 1) - timedelta(days=i % 3000),
                        "logged_by": "U0BENCH",
                        "logged_at": now,
                        "contact_name": "Dana Example",
                        "contact_role": "=CFO",
                        "goal": "Learn",
                        "interpretation": "They would pay for it.\nIf it worked.",
                        "closing_answer": "Ask IT",
                        "notes": "Notes, with a comma",
                        "recording_permission": False,
                        "thank_you_sent": True,
                    }
                    for i in ids
                ],
            )
            conn.execute(
                insert(Participant), [{"team_id": TEAM, "interview_id": i, "user_id": "U0BENCH"} for i in ids]
            )
            conn.execute(
                insert(Pain),
                [
                    {
                        "team_id": TEAM,
                        "interview_id": i,
                        "account_id": i % 50 + 1,
                        "position": p,
                        "text": made_up_pain(rng),
                    }
                    for i in ids
                    for p in range(2)
                ],
            )
            conn.execute(
                insert(Quote),
                [
                    {"team_id": TEAM, "interview_id": i, "position": 0, "text": "It is slow, honestly"}
                    for i in ids
                ],
            )
            conn.execute(
                insert(FollowUp),
                [
                    {
                        "team_id": TEAM,
                        "interview_id": i,
                        "owner_id": "U0BENCH",
                        "kind": "summary",
                        "description": "Write the summary",
                        "due_at": now,
                        "state": "done",
                        "created_at": now,
                        "reminders_sent": 0,
                    }
                    for i in ids
                ],
            )
            studied = [i for i in ids if i % 5 == 0]
            if studied:
                conn.execute(
                    insert(StudyInterview),
                    [
                        {
                            "team_id": TEAM,
                            "study_id": i % STUDIES + 1,
                            "interview_id": i,
                            "added_by": "U0BENCH",
                        }
                        for i in studied
                    ],
                )
                conn.execute(
                    insert(PointAnswer),
                    [
                        {
                            "team_id": TEAM,
                            "interview_id": i,
                            "point_id": (i % STUDIES) * POINTS + n + 1,
                            "answer": ("supports", "contradicts", "mixed")[(i + n) % 3],
                            "evidence": "They said as much, in a sentence or two",
                        }
                        for i in studied
                        for n in range(3)
                    ],
                )
    db.dispose()


def part_export(args: argparse.Namespace) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'export.db'}"
        started = time.perf_counter()
        seed_interviews(url, args.interviews)
        seeded = time.perf_counter() - started
        env = {**os.environ, "DATABASE_URL": url, "LOG_LEVEL": "WARNING"}
        out_path = Path(tmp) / "out.csv"
        with out_path.open("wb") as out:
            argv = [sys.executable, "-m", "bot", "export", "--team", TEAM]
            code, seconds, peak, _ = run_child(argv, env, out)
        with out_path.open(encoding="utf-8-sig", newline="") as f:
            rows = sum(1 for _ in csv.reader(f)) - 1
    assert code == 0 and rows == args.interviews, (code, rows)
    return {
        "part": "export",
        "interviews": args.interviews,
        "seed_seconds": round(seeded, 1),
        "export_seconds": round(seconds, 1),
        "export_peak_mb": round(peak, 1),
        "file_mb": None,
        "pass": peak <= TARGETS["export_peak_mb"],
    }


def write_sheet(path: Path, rows: int, distinct: bool = False) -> None:
    """With `distinct`, every pain and request says which call it came from, so no two lines are the
    same and each is embedded (as in a real sheet); else the ~860 wordings repeat."""
    from bot.exchange.cells import BOM, HEADERS

    rng = random.Random(7)
    with path.open("w", encoding="utf-8", newline="") as f:
        f.write(BOM)
        writer = csv.writer(f)
        writer.writerow(HEADERS)
        for n in range(rows):
            held = date(2026, 1, 1) - timedelta(days=n % 700)
            pains = "\n".join(dict.fromkeys(made_up_pain(rng) for _ in range(2)))
            request = f"Fix {rng.choice(SUBJECTS).lower()}"
            if distinct:
                pains = "\n".join(f"{p}, says call {n} ({k})" for k, p in enumerate(pains.split("\n")))
                request += f" before call {n}"
            writer.writerow(
                [
                    f"Account {n % 300}",
                    held.isoformat(),
                    "discovery",
                    "",
                    "Dana",
                    "Ops lead",
                    "Learn how they report",
                    pains,
                    request,
                    "It is slow, honestly",
                    "They would pay for it",
                    "Ask IT",
                    f"Call {n}",
                    "",
                    "",
                ]
            )


def part_import(args: argparse.Namespace) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        sheet = Path(tmp) / "sheet.csv"
        write_sheet(sheet, args.rows, args.distinct)
        url = f"sqlite:///{Path(tmp) / 'import.db'}"
        env = {**os.environ, "DATABASE_URL": url, "THEMES_METHOD": "semantic", "LOG_LEVEL": "WARNING"}
        code, seconds, peak, err = run_child(
            [sys.executable, "-m", "bot", "import", "--team", TEAM, str(sheet)], env, subprocess.DEVNULL
        )
        upkeep = re.search(r"themes kept up in ([\d.]+) s", err)
        from sqlalchemy import func, select

        from storage import Database
        from storage.models import Interview, Pain

        db = Database(url)
        with db.read() as session:
            stored = session.scalar(select(func.count()).select_from(Interview))
            unembedded = session.scalar(
                select(func.count()).select_from(Pain).where(Pain.embedded_with.is_(None))
            )
        db.dispose()
    assert code == 0 and stored == args.rows and unembedded == 0, (code, stored, unembedded)
    return {
        "part": "import",
        "rows": args.rows,
        "distinct": args.distinct,
        "import_seconds": round(seconds, 1),
        "upkeep_seconds": float(upkeep[1]) if upkeep else None,
        "import_peak_mb": round(peak, 1),
        "model": env.get("THEMES_MODEL") or "minilm",
        "pass": seconds
        <= TARGETS["import_seconds_mpnet" if env.get("THEMES_MODEL") == "mpnet" else "import_seconds"],
    }


PARTS: dict[str, Callable[[argparse.Namespace], dict[str, Any]]] = {
    "export": part_export,
    "import": part_import,
}


def main() -> int:
    if sys.argv[1:3] == ["--part", "search"]:  # its own options: benchmarks/find_search.py
        from benchmarks.find_search import main as search

        return search()
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--part", choices=sorted(PARTS), action="append", help="the part(s) to run (default: all)"
    )
    parser.add_argument("--interviews", type=int, default=100_000, help="export: interviews in the workspace")
    parser.add_argument("--rows", type=int, default=10_000, help="import: rows in the sheet")
    parser.add_argument(
        "--distinct", action="store_true", help="import: every line of the sheet distinct (all embedded)"
    )
    parser.add_argument("--json", action="store_true", help="one JSON object per part")
    args = parser.parse_args()
    for name in args.part or list(PARTS):
        result = PARTS[name](args)
        print(json.dumps(result) if args.json else "  ".join(f"{k}={v}" for k, v in result.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
