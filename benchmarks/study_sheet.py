"""A study's sheet: whether its cost follows the study, not the workspace around it.

Two databases, each with one workspace holding the same study (500 interviews over 150 accounts, 12
validation points, each interview answering most points, half of them with words) and beside it other
interviews of the same workspace: 1,000 in one, 100,000 in the other, spread over three years, a fifth of
them in ten other studies of 12 points with their own answers. The same seed draws the same study in both.

Timed for each database in turn (A B A B …), `--runs` times, medians compared:
- `build_sheet`: every query and the tallies, as the Slack view, the close and the CLI call it;
- the view's data: the study found by its name (`/interview study NAME`) and its sheet, in one read (the
  sheet holds the study's progress: its interviews and accounts);
- `list_studies` (`/interview study`: every study with its progress), for comparison, without a target:
  it counts the interviews of all the workspace's studies, so it grows with them;
- drawing, once the sheet is read (no database): `sheet_csv`, `matrix_png`, `matrix_alt_text`.
Targets: the view's data ≤ 300 ms, and with 100,000 beside it ≤ 1.2× the time with 1,000.

    python -m benchmarks.study_sheet [--small 1000] [--large 100000] [--runs 15]
    python -m benchmarks.study_sheet --postgres postgresql+psycopg://postgres@127.0.0.1:5432/postgres

With --postgres, the URL names a server (its database is only used to connect): two scratch databases are
made beside it and dropped afterwards.
"""

from __future__ import annotations

import argparse
import contextlib
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, insert, select, text

from benchmarks.scratch import scratch_database
from bot.studies.outputs import matrix_alt_text, matrix_png, sheet_csv
from bot.studies.sheet import Sheet, build_sheet
from bot.studies.store import find_study, list_studies
from storage.db import Database
from storage.migrate import upgrade
from storage.models import (
    Account,
    Answer,
    Interview,
    InterviewKind,
    PointAnswer,
    Study,
    StudyInterview,
    StudyOwner,
    ValidationPoint,
)

NOW = datetime(2026, 11, 30, 9, tzinfo=UTC)
TEAM = "TSTUDY"
NAME = "CRM sync"
STUDY_INTERVIEWS, STUDY_ACCOUNTS, POINTS = 500, 150, 12
ACCOUNTS = 2000
OTHER_STUDIES, IN_OTHER_STUDIES = 10, 0.2
BATCH = 5000
TARGET_MS, TARGET_RATIO = 300.0, 1.2
ANSWERS = (Answer.SUPPORTS, Answer.SUPPORTS, Answer.CONTRADICTS, Answer.MIXED, Answer.NOT_DISCUSSED)
WORDS = [
    "we re-key every deal by hand on Mondays",
    "two people copy deals from the CRM daily",
    "they automated it with a script last year",
    "IT must approve every new app we connect",
    "not a budget line this year, maybe next",
    "the admin set it up in an afternoon",
]


def _study(session: object, name: str) -> tuple[int, list[int]]:
    """A study with POINTS points; its id and its points' ids."""
    study = Study(
        team_id=TEAM, name=name, name_key=name.casefold(), goal="Is two-way sync worth building?",
        target_interviews=STUDY_INTERVIEWS, created_by="U0BENCH", created_at=NOW, updated_at=NOW,
    )  # fmt: skip
    study.owners = [StudyOwner(team_id=TEAM, user_id="U0BENCH")]
    study.points = [
        ValidationPoint(team_id=TEAM, position=p, text=f"{name}: hypothesis {p + 1} about how deals move")
        for p in range(POINTS)
    ]
    session.add(study)  # type: ignore[attr-defined]
    session.flush()  # type: ignore[attr-defined]
    return study.id, [p.id for p in study.points]


def seed(db: Database, others: int, *, seed: int = 7) -> None:
    """The study (the same draws for any `others`), then `others` interviews beside it."""
    with db.transaction() as session:
        session.execute(
            insert(Account),
            [
                {
                    "team_id": TEAM,
                    "name": f"Account {n}",
                    "normalized_name": f"account {n}",
                    "created_at": NOW,
                }
                for n in range(ACCOUNTS)
            ],
        )
        accounts = session.scalars(
            select(Account.id).where(Account.team_id == TEAM).order_by(Account.id)
        ).all()
        studies = [_study(session, NAME)] + [
            _study(session, f"Other study {n}") for n in range(OTHER_STUDIES)
        ]

    def add(rows: list[tuple[int, date, int | None]], r: random.Random, share: float) -> None:
        """Interviews (account, day, index of their study or None), with answers to that study's points."""
        with db.transaction() as session:
            first = session.scalar(select(func.coalesce(func.max(Interview.id), 0))) or 0
            interviews, links, answers = [], [], []
            for n, (account, day, in_study) in enumerate(rows):
                interview_id = first + 1 + n
                interviews.append(
                    {
                        "id": interview_id, "team_id": TEAM, "account_id": account, "held_on": day,
                        "kind": InterviewKind.DISCOVERY, "logged_by": "U0BENCH", "logged_at": NOW,
                        "recording_permission": False, "thank_you_sent": True, "search_paused": True,
                    }
                )  # fmt: skip
                if in_study is None:
                    continue
                study_id, points = studies[in_study]
                links.append(
                    {
                        "team_id": TEAM, "study_id": study_id, "interview_id": interview_id,
                        "added_by": "U0BENCH", "added_at": NOW,
                    }
                )  # fmt: skip
                answers += [
                    {
                        "team_id": TEAM, "interview_id": interview_id, "point_id": point,
                        "answer": r.choice(ANSWERS),
                        "evidence": r.choice(WORDS) if r.random() < 0.5 else None,
                    }
                    for point in points
                    if r.random() < share
                ]  # fmt: skip
            session.execute(insert(Interview), interviews)
            if links:
                session.execute(insert(StudyInterview), links)
            if answers:
                session.execute(insert(PointAnswer), answers)

    study_draws = random.Random(seed)
    study_accounts = accounts[:STUDY_ACCOUNTS]
    add(
        [
            (study_draws.choice(study_accounts), NOW.date() - timedelta(days=study_draws.randrange(90)), 0)
            for _ in range(STUDY_INTERVIEWS)
        ],
        study_draws,
        0.75,
    )
    other_draws = random.Random(seed + 1)
    for start in range(0, others, BATCH):
        chunk = min(BATCH, others - start)
        add(
            [
                (
                    other_draws.choice(accounts),
                    NOW.date() - timedelta(days=other_draws.randrange(365 * 3)),
                    1 + other_draws.randrange(OTHER_STUDIES)
                    if other_draws.random() < IN_OTHER_STUDIES
                    else None,
                )
                for _ in range(chunk)
            ],
            other_draws,
            0.5,
        )
    if db.backend == "postgresql":
        with db.engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("ANALYZE"))


def sheet_of(db: Database) -> Sheet:
    with db.read() as session:
        study = find_study(session=session, team_id=TEAM, name=NAME)
        assert study is not None
        return build_sheet(session=session, team_id=TEAM, study_id=study.id)


def time_build(db: Database, study_id: int) -> float:
    started = time.perf_counter()
    with db.read() as session:
        sheet = build_sheet(session=session, team_id=TEAM, study_id=study_id)
    elapsed = time.perf_counter() - started
    assert sheet.interviews == STUDY_INTERVIEWS
    return elapsed


def time_view(db: Database, _study_id: int) -> float:
    """What `/interview study NAME` reads: the study by its name (any case), then its sheet (which holds
    its progress: interviews and accounts so far)."""
    started = time.perf_counter()
    with db.read() as session:
        study = find_study(session=session, team_id=TEAM, name=NAME.upper())
        assert study is not None
        sheet = build_sheet(session=session, team_id=TEAM, study_id=study.id)
    elapsed = time.perf_counter() - started
    assert sheet.interviews == STUDY_INTERVIEWS
    return elapsed


def time_list(db: Database, _study_id: int) -> float:
    """What `/interview study` reads: every study of the workspace with its interviews and accounts."""
    started = time.perf_counter()
    with db.read() as session:
        studies = list_studies(session=session, team_id=TEAM)
    elapsed = time.perf_counter() - started
    assert len(studies) == 1 + OTHER_STUDIES
    return elapsed


@contextlib.contextmanager
def databases(postgres: str | None, sizes: list[int]) -> Iterator[list[Database]]:
    """One seeded database per size: SQLite files in a temporary folder, or scratch PostgreSQL databases."""
    with contextlib.ExitStack() as stack:
        dbs = []
        folder = None if postgres else Path(stack.enter_context(tempfile.TemporaryDirectory()))
        for size in sizes:
            if postgres:
                db = stack.enter_context(scratch_database(postgres, f"study{size}"))
            else:
                db = Database(f"sqlite:///{folder / f'study{size}.db'}")
                stack.callback(db.dispose)
                upgrade(db)
            started = time.perf_counter()
            seed(db, size)
            print(
                f"seeded {STUDY_INTERVIEWS} + {size} interviews in {time.perf_counter() - started:.1f} s",
                file=sys.stderr,
            )
            dbs.append(db)
        yield dbs


def median_ms(times: list[float]) -> float:
    return statistics.median(times) * 1000


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--small", type=int, default=1000, help="other interviews beside the study, first")
    parser.add_argument("--large", type=int, default=100_000, help="other interviews beside the study, then")
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--postgres", metavar="URL", help="a PostgreSQL server to make scratch databases on")
    args = parser.parse_args()
    with databases(args.postgres, [args.small, args.large]) as (small, large):
        ids = []
        for db in (small, large):
            with db.read() as session:
                study = find_study(session=session, team_id=TEAM, name=NAME)
                assert study is not None
                ids.append(study.id)
        sheets = [sheet_of(small), sheet_of(large)]
        assert sheets[0].as_json() == sheets[1].as_json(), "the same study in both databases"
        print(f"backend: {small.backend}; {args.runs} runs each, interleaved, after a warm-up")
        print(
            f"the study: {STUDY_INTERVIEWS} interviews, {len(sheets[0].rows)} accounts, {POINTS} points, "
            f"{sum(len(p.evidence) for p in sheets[0].points)} answers"
        )
        verdicts = []
        timed: list[tuple[str, Callable[[Database, int], float], float | None]] = [
            ("build_sheet", time_build, None),
            ("view's data", time_view, TARGET_MS),
            ("list_studies", time_list, None),
        ]
        for label, timer, target in timed:
            for db, study_id in zip((small, large), ids, strict=True):  # warm caches and plans
                timer(db, study_id)
            lows, highs = [], []
            for _ in range(args.runs):
                lows.append(timer(small, ids[0]))
                highs.append(timer(large, ids[1]))
            ratio = statistics.median(b / a for a, b in zip(lows, highs, strict=True))
            low, high = median_ms(lows), median_ms(highs)
            line = (
                f"{label:<12} p50 {low:6.1f} ms with {args.small:>7,} beside, {high:6.1f} ms with "
                f"{args.large:>7,} beside (max {max(highs) * 1000:.1f}); ratio {ratio:.2f}"
            )
            if target is not None:
                ok = high <= target and low <= target and ratio <= TARGET_RATIO
                verdicts.append(ok)
                line += f"  (≤ {target:.0f} ms and ≤ {TARGET_RATIO}×: {'PASS' if ok else 'FAIL'})"
            print(line)
        sheet = sheets[1]
        drawn = []
        for label, draw in (
            ("sheet_csv", sheet_csv),
            ("matrix_png", matrix_png),
            ("alt text", matrix_alt_text),
        ):
            draw(sheet)  # loads what it needs once (matplotlib)
            times = []
            for _ in range(max(3, args.runs // 3)):
                started = time.perf_counter()
                draw(sheet)
                times.append(time.perf_counter() - started)
            drawn.append(f"{label} {median_ms(times):.1f} ms")
        print("drawing it (no database): " + ", ".join(drawn))
    return 0 if all(verdicts) else 1


if __name__ == "__main__":
    sys.exit(main())
