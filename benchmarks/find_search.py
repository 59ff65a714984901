"""The search part of benchmarks/find.py (`python -m benchmarks.find --part search ...` runs it).

Part `search`: `/interview search` over one workspace of 10,000 and of 100,000 interviews (a second
workspace beside it holds a tenth as many, which the search must skip), on SQLite and, when
TEST_POSTGRES_URL is set, on PostgreSQL (a scratch database beside it, dropped afterwards). Every
interview's pains, request, quote, interpretation and notes are real customer sentences (Banking77,
../shared/data/banking77 beside the repository, or --data). The interviews are stored at the revision
before the search index and the migration then builds the index, as it does for an existing
database; that time is printed too. A few hundred searches of real words (single words drawn as often
as they are written, two words, and two-word phrases taken from the sentences; a tenth with account:)
are timed through `search_interviews`, the excerpts of the page included, after a warm-up; p50 and
p99 for each size, and the ratio 100k/10k. Targets: p99 ≤ 200 ms at 100,000, and the time at 100,000
at most twice the time at 10,000.

    python -m benchmarks.find --part search [--sizes 10000,100000] [--queries 300] [--backend sqlite]
    TEST_POSTGRES_URL=postgresql+psycopg://… python -m benchmarks.find --part search
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import os
import random
import re
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import column, insert, table, text

from benchmarks.scratch import scratch_database as pg_scratch_database
from bot.search.query import parse_query
from bot.search.service import search_interviews
from storage.db import Database
from storage.migrate import upgrade
from storage.models import Account, CustomerRequest, InterviewKind, Pain, Quote

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "banking77"
BEFORE_SEARCH = "0010"  # the revision before the search index (migrations/versions/0011_interview_search.py)
NOW = datetime(2026, 11, 30, 9, tzinfo=UTC)
TEAM, OTHER = "TFIND", "TOTHER"
ACCOUNTS = 500
BATCH = 5000
STOPWORDS = frozenset(
    str.split(
        "the a an and or to of in on at for is are was were be been my i me you your it its this that with "
        "can do does did how what why when where which who will would could should have has had not no "
        "there their they them from by as if so but get got am any some just still why"
    )
)


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def sentences(data: Path) -> list[str]:
    rows: list[str] = []
    for name in ("train.csv", "test.csv"):
        path = data / name
        if path.exists():
            with path.open(newline="") as f:
                rows += [r["text"].strip() for r in csv.DictReader(f) if r.get("text")]
    if not rows:
        raise SystemExit(f"no sentences found in {data} (give --data a folder with train.csv/test.csv)")
    return rows


# --------------------------------------------------------------------------------------------------
# Databases
# --------------------------------------------------------------------------------------------------
@contextlib.contextmanager
def scratch_database(backend: str, label: str) -> Iterator[Database]:
    """A new database at the revision before the search index; dropped (PostgreSQL) on the way out."""
    if backend == "sqlite":
        db = Database(f"sqlite:///{Path(tempfile.mkdtemp()) / f'{label}.db'}")
        try:
            upgrade(db, BEFORE_SEARCH)
            yield db
        finally:
            db.dispose()
        return
    with pg_scratch_database(os.environ["TEST_POSTGRES_URL"], label, revision=BEFORE_SEARCH) as db:
        yield db


# --------------------------------------------------------------------------------------------------
# Part search
# --------------------------------------------------------------------------------------------------
def seed(db: Database, team_id: str, total: int, pool: list[str], rng: random.Random) -> None:
    """`total` interviews of `team_id`, each with two pains, a request, a quote, an interpretation and
    (every other one) notes, all real sentences; calls spread over three years."""
    with db.transaction() as session:
        session.execute(
            insert(Account),
            [
                {
                    "team_id": team_id,
                    "name": f"Account {n}",
                    "normalized_name": f"account {n}",
                    "created_at": NOW,
                }
                for n in range(ACCOUNTS)
            ],
        )
        first_account = session.execute(
            text("SELECT min(id) FROM accounts WHERE team_id = :t"), {"t": team_id}
        ).scalar_one()
    kinds = list(InterviewKind)
    for start in range(0, total, BATCH):
        count = min(BATCH, total - start)
        with db.transaction() as session:
            first = session.execute(text("SELECT coalesce(max(id), 0) FROM interviews")).scalar_one()
            rows, pains, requests, quotes = [], [], [], []
            for n in range(count):
                iid = first + 1 + n
                account = first_account + min(ACCOUNTS - 1, int(rng.paretovariate(1.1)) - 1)
                rows.append(
                    {
                        "id": iid,
                        "team_id": team_id,
                        "account_id": account,
                        "kind": rng.choice(kinds),
                        "held_on": date(2026, 11, 30) - timedelta(days=rng.randrange(3 * 365)),
                        "logged_by": f"U{rng.randrange(40):04d}",
                        "logged_at": NOW,
                        "recording_permission": False,
                        "thank_you_sent": False,
                        "interpretation": rng.choice(pool),
                        "notes": " ".join(rng.sample(pool, 2)) if rng.random() < 0.5 else None,
                    }
                )
                line = {"team_id": team_id, "interview_id": iid}
                pains += [
                    {**line, "account_id": account, "position": p, "text": rng.choice(pool)} for p in (0, 1)
                ]
                requests.append({**line, "account_id": account, "position": 0, "text": rng.choice(pool)})
                quotes.append({**line, "position": 0, "text": rng.choice(pool)})
            # Only the columns the rows name: the model's later columns (with defaults of their own, like
            # search_paused) are not in the schema yet at the revision before the search index.
            interviews = table("interviews", *(column(key) for key in rows[0]))
            session.execute(insert(interviews), rows)
            session.execute(insert(Pain), pains)
            session.execute(insert(CustomerRequest), requests)
            session.execute(insert(Quote), quotes)


def queries(pool: list[str], count: int, rng: random.Random) -> list[str]:
    """Real words as people would type them: single words drawn as often as they are written (common
    words come up more often), two words, and two-word phrases from the sentences; some with account:."""
    split = [[w for w in re.findall(r"[a-z']+", s.lower())] for s in pool]
    counts = Counter(w for words in split for w in words if w not in STOPWORDS and len(w) > 2)
    words, weights = zip(*counts.items(), strict=True)
    out: list[str] = []
    for n in range(count):
        kind = n % 10
        if kind < 6:
            query = rng.choices(words, weights)[0]
        elif kind < 8:
            query = " ".join(rng.choices(words, weights, k=2))
        else:
            sentence = [w for w in rng.choice(split) if len(w) > 2]
            while len(sentence) < 2:
                sentence = [w for w in rng.choice(split) if len(w) > 2]
            at = rng.randrange(len(sentence) - 1)
            query = f'"{sentence[at]} {sentence[at + 1]}"'
        if n % 10 == 9:
            query += f' account:"Account {rng.randrange(5)}"'
        out.append(query)
    return out


def time_searches(db: Database, typed: list[str]) -> tuple[list[float], int]:
    times, found = [], 0
    for query in typed:
        parsed = parse_query(query)
        started = time.perf_counter()
        with db.read() as session:
            page = search_interviews(session=session, team_id=TEAM, query=parsed)
        times.append(time.perf_counter() - started)
        found += bool(page.found)
    return times, found


def p99(times: list[float]) -> float:
    return statistics.quantiles(times, n=100, method="inclusive")[98]


def part_search(args: argparse.Namespace) -> int:
    pool = sentences(args.data)
    backends = (
        [args.backend]
        if args.backend
        else ["sqlite"] + (["postgresql"] if os.environ.get("TEST_POSTGRES_URL") else [])
    )
    typed = queries(pool, args.queries, random.Random(11))
    failed = False
    for backend in backends:
        results: dict[int, list[float]] = {}
        for size in args.sizes:
            with scratch_database(backend, f"search{size}") as db:
                started = time.perf_counter()
                seed(db, TEAM, size, pool, random.Random(size))
                seed(db, OTHER, size // 10, pool, random.Random(size + 1))
                seeded = time.perf_counter() - started
                started = time.perf_counter()
                upgrade(db)  # builds the index for the interviews already there
                built = time.perf_counter() - started
                if backend == "postgresql":
                    with db.engine.connect() as conn:
                        conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("VACUUM ANALYZE"))
                say(f"{backend} {size}: seeded in {seeded:.0f} s, index built (migration) in {built:.1f} s")
                time_searches(db, typed[: max(20, len(typed) // 5)])  # warm caches and plans
                times, found = time_searches(db, typed)
                results[size] = times
                print(
                    f"{backend:10} {size:>7} interviews: p50 {statistics.median(times) * 1000:6.1f} ms, "
                    f"p99 {p99(times) * 1000:6.1f} ms, max {max(times) * 1000:6.1f} ms "
                    f"({len(times)} searches, {found} found something; index built in {built:.1f} s)",
                    flush=True,
                )
        small, large = min(args.sizes), max(args.sizes)
        if small != large:
            r50 = statistics.median(results[large]) / statistics.median(results[small])
            r99 = p99(results[large]) / p99(results[small])
            ok_time = p99(results[large]) <= 0.200
            ok_ratio = r99 <= 2 and r50 <= 2
            failed |= not (ok_time and ok_ratio)
            print(
                f"{backend:10} ratio {large}/{small}: p50 {r50:.2f}, p99 {r99:.2f} (target ≤ 2: "
                f"{'PASS' if ok_ratio else 'FAIL'}); p99 at {large} ≤ 200 ms: "
                f"{'PASS' if ok_time else 'FAIL'}",
                flush=True,
            )
    return 1 if failed else 0


PARTS: dict[str, Callable[[argparse.Namespace], int]] = {"search": part_search}


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--part", choices=(*PARTS, "all"), default="all")
    search = parser.add_argument_group("part search")
    search.add_argument(
        "--sizes", type=lambda s: [int(x) for x in s.split(",")], default=[10_000, 100_000], help="interviews"
    )
    search.add_argument("--queries", type=int, default=300, help="searches timed at each size (default 300)")
    search.add_argument("--backend", choices=("sqlite", "postgresql"), help="one backend only")
    search.add_argument("--data", type=Path, default=DEFAULT_DATA, help="a folder with Banking77's CSVs")
    args = parser.parse_args()
    if args.backend == "postgresql" and not os.environ.get("TEST_POSTGRES_URL"):
        print("--backend postgresql needs TEST_POSTGRES_URL", file=sys.stderr)
        return 2
    parts = list(PARTS) if args.part == "all" else [args.part]
    return max(PARTS[p](args) for p in parts)


if __name__ == "__main__":
    sys.exit(main())
