"""How long building one workspace's digest takes, and whether it follows the period or the history.

Two workspaces in one database share the same last nine weeks (the period and the eight a trend looks
back on: the same interviews, pains, quotes, themes and open follow-ups); before that, one has a small
history and the other a large one (1,000 and 100,000 interviews in all, by default). The digest of each
is built in turn, A B A B …, and the median times compared: the target is at most 2 s for the large one
and at most 1.2 times the small one's time. The large one's digest ranked by ARR (every account has an ARR
or none, and a segment) is timed in the same turns: the target is at most 1.2 times its digest ranked by
accounts.

    python -m benchmarks.digest [--small 1000] [--large 100000] [--per-week 60] [--runs 15]
    TEST_POSTGRES_URL=postgresql+psycopg://… python -m benchmarks.digest --postgres

What is timed is `build_digest` (every query and the ranking), as the poster and `digest preview` call
it; drawing the Block Kit and the chart is timed apart, once (it does not touch the database).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import create_engine, func, insert, select, text, update

from bot.digest.chart import chart_png
from bot.digest.content import build_digest
from bot.digest.period import TREND_PERIODS, Period
from handlers.views.digest import digest_message, digest_replies
from storage.db import Database
from storage.migrate import upgrade
from storage.models import (
    Account,
    CustomerRequest,
    FollowUp,
    FollowUpKind,
    FollowUpState,
    Interview,
    InterviewKind,
    Pain,
    Quote,
    RankBy,
    Theme,
    ThemeKind,
)

NOW = datetime(2026, 11, 30, 9, tzinfo=UTC)
PERIOD = Period.ending_at(NOW, ZoneInfo("UTC"))
THEMES = 150
ACCOUNTS = 2000
BATCH = 5000


def seed(db: Database, team_id: str, *, total: int, per_week: int, seed: int = 7) -> None:
    """`total` interviews for `team_id`: the last nine weeks hold per_week × 9 of them, the same for any
    total (same seed); the rest is older history, one to three years back."""
    rng = random.Random(seed)
    window = per_week * (TREND_PERIODS + 1)
    older = max(0, total - window)
    with db.transaction() as session:
        session.execute(
            insert(Account),
            [
                {
                    "team_id": team_id,
                    "name": f"Account {n}",
                    "normalized_name": f"account {n}",
                    "created_at": NOW,
                    # One account in four of unknown ARR, as a CRM export leaves them.
                    "arr": None if n % 4 == 0 else (n * 7919) % 2_000_000 + 1000,
                    "segment": ("Enterprise", "Mid-market", "SMB")[n % 3],
                }
                for n in range(ACCOUNTS)
            ],
        )
        accounts = session.scalars(
            select(Account.id).where(Account.team_id == team_id).order_by(Account.id)
        ).all()
        for kind in (ThemeKind.PAIN, ThemeKind.REQUEST):
            session.execute(
                insert(Theme),
                [
                    {
                        "team_id": team_id,
                        "kind": kind,
                        "name": f"{kind.value} theme {n}",
                        "size": 0,
                        "created_at": NOW,
                        "updated_at": NOW,
                    }
                    for n in range(THEMES)
                ],
            )
        themes = {
            kind: session.scalars(
                select(Theme.id).where(Theme.team_id == team_id, Theme.kind == kind).order_by(Theme.id)
            ).all()
            for kind in ThemeKind
        }

    def days() -> list[date]:
        # The window's interviews first (the same draws for every total), then the history.
        window_days = [
            PERIOD.end - timedelta(days=1 + rng.randrange(7 * (TREND_PERIODS + 1))) for _ in range(window)
        ]
        history = random.Random(seed + 1)
        old = [PERIOD.window_start - timedelta(days=1 + history.randrange(365 * 3)) for _ in range(older)]
        return window_days + old

    def zipf(items: list[int], r: random.Random) -> int:
        return items[min(len(items) - 1, int(r.paretovariate(1.1)) - 1)]

    all_days = days()
    for start in range(0, len(all_days), BATCH):
        chunk = all_days[start : start + BATCH]
        # One generator per interview, by its place: the window's interviews come out the same, with the
        # same lines and follow-ups, whatever the history after them.
        draws = [random.Random(seed * 1_000_003 + start + i) for i in range(len(chunk))]
        with db.transaction() as session:
            first = session.scalar(select(func.coalesce(func.max(Interview.id), 0))) or 0
            rows = [
                {
                    "id": first + 1 + i,
                    "team_id": team_id,
                    "account_id": zipf(accounts, r),
                    "kind": r.choice(list(InterviewKind)),
                    "held_on": day,
                    "logged_by": f"U{r.randrange(12):04d}",
                    "logged_at": NOW,
                    "recording_permission": False,
                    "thank_you_sent": r.random() < 0.3,
                }
                for i, (day, r) in enumerate(zip(chunk, draws, strict=True))
            ]
            session.execute(insert(Interview), rows)
            pains, requests, quotes, follow_ups = [], [], [], []
            for row, r in zip(rows, draws, strict=True):
                for position in range(2):
                    pains.append(
                        {
                            "team_id": team_id,
                            "interview_id": row["id"],
                            "account_id": row["account_id"],
                            "position": position,
                            "text": f"pain {row['id']}.{position}",
                            "theme_id": zipf(themes[ThemeKind.PAIN], r) if r.random() < 0.9 else None,
                        }
                    )
                requests.append(
                    {
                        "team_id": team_id,
                        "interview_id": row["id"],
                        "account_id": row["account_id"],
                        "position": 0,
                        "text": f"request {row['id']}",
                        "theme_id": zipf(themes[ThemeKind.REQUEST], r),
                    }
                )
                quotes.append(
                    {
                        "team_id": team_id,
                        "interview_id": row["id"],
                        "position": 0,
                        "text": f"said {row['id']}",
                    }
                )
                held = datetime.combine(row["held_on"], datetime.min.time(), tzinfo=UTC)
                old = row["held_on"] < PERIOD.window_start
                for kind in (FollowUpKind.THANK_YOU, FollowUpKind.SUMMARY):
                    done = old or r.random() < 0.7
                    follow_ups.append(
                        {
                            "team_id": team_id,
                            "interview_id": row["id"],
                            "owner_id": row["logged_by"],
                            "kind": kind,
                            "description": kind.value,
                            "due_at": held + timedelta(days=1),
                            "state": FollowUpState.DONE if done else FollowUpState.OPEN,
                            "closed_at": held + timedelta(hours=r.randrange(1, 72)) if done else None,
                            "created_at": held,
                        }
                    )
            session.execute(insert(Pain), pains)
            session.execute(insert(CustomerRequest), requests)
            session.execute(insert(Quote), quotes)
            session.execute(insert(FollowUp), follow_ups)
    # What the bot keeps as it goes: each theme's size and accounts, each account's latest interview.
    with db.transaction() as session:
        for kind, model in ((ThemeKind.PAIN, Pain), (ThemeKind.REQUEST, CustomerRequest)):
            session.execute(
                update(Theme)
                .where(Theme.team_id == team_id, Theme.kind == kind)
                .values(
                    size=select(func.count()).where(model.theme_id == Theme.id).scalar_subquery(),
                    accounts=select(func.count(func.distinct(model.account_id)))
                    .where(model.theme_id == Theme.id)
                    .scalar_subquery(),
                )
            )
        session.execute(
            update(Account)
            .where(Account.team_id == team_id)
            .values(
                last_held_on=select(func.max(Interview.held_on))
                .where(Interview.account_id == Account.id)
                .scalar_subquery()
            )
        )
    if db.backend == "postgresql":
        with db.engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("ANALYZE"))


def time_build(db: Database, team_id: str, rank_by: RankBy = RankBy.ACCOUNTS) -> float:
    started = time.perf_counter()
    with db.read() as session:
        digest = build_digest(session=session, team_id=team_id, period=PERIOD, now=NOW, rank_by=rank_by)
    elapsed = time.perf_counter() - started
    assert digest.heard.interviews > 0
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--small", type=int, default=1000)
    parser.add_argument("--large", type=int, default=100_000)
    parser.add_argument("--per-week", type=int, default=60, help="interviews a week in the last nine weeks")
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--postgres", action="store_true", help="on TEST_POSTGRES_URL instead of SQLite")
    parser.add_argument("--database", help="a database seeded by an earlier run (kept, not seeded again)")
    args = parser.parse_args()

    if args.database:
        url = args.database
    elif args.postgres:
        admin_url = os.environ.get("TEST_POSTGRES_URL")
        if not admin_url:
            print("--postgres needs TEST_POSTGRES_URL", file=sys.stderr)
            return 2
        name = f"ib_bench_{uuid.uuid4().hex[:8]}"
        admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        from sqlalchemy.engine import make_url

        url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    else:
        url = f"sqlite:///{Path(tempfile.mkdtemp()) / 'digest.db'}"
        print(f"database: {url} (give it as --database to run again without seeding)", file=sys.stderr)
    db = Database(url)
    try:
        upgrade(db)
        for team, total in (("TSMALL", args.small), ("TLARGE", args.large)):
            if args.database:
                continue
            started = time.perf_counter()
            seed(db, team, total=total, per_week=args.per_week)
            print(
                f"seeded {team}: {total} interviews in {time.perf_counter() - started:.1f} s", file=sys.stderr
            )
        for team in ("TSMALL", "TLARGE"):  # warm caches and plans
            time_build(db, team)
        time_build(db, "TLARGE", RankBy.ARR)
        small, large, by_arr = [], [], []
        for _ in range(args.runs):
            small.append(time_build(db, "TSMALL"))
            large.append(time_build(db, "TLARGE"))
            by_arr.append(time_build(db, "TLARGE", RankBy.ARR))
        ratios = [b / a for a, b in zip(small, large, strict=True)]
        arr_ratio = statistics.median(b / a for a, b in zip(large, by_arr, strict=True))
        with db.read() as session:
            digest = build_digest(session=session, team_id="TLARGE", period=PERIOD, now=NOW)
        started = time.perf_counter()
        digest_message(digest, str)
        digest_replies(digest)
        blocks_ms = (time.perf_counter() - started) * 1000
        started = time.perf_counter()
        chart_png(digest)
        chart_ms = (time.perf_counter() - started) * 1000
        p50_small, p50_large = statistics.median(small) * 1000, statistics.median(large) * 1000
        ratio = statistics.median(ratios)
        print(f"backend: {db.backend}; {args.per_week} interviews a week; {args.runs} runs each, interleaved")
        for total, times, p50 in ((args.small, small, p50_small), (args.large, large, p50_large)):
            spread = f"min {min(times) * 1000:.1f}, max {max(times) * 1000:.1f}"
            print(f"{total:>7} interviews in all: build p50 {p50:7.1f} ms ({spread})")
        verdict = "PASS" if ratio <= 1.2 else "FAIL"
        print(f"ratio large/small, median of pairs: {ratio:.2f}  (target ≤ 1.2: {verdict})")
        print(f"large ≤ 2 s: {'PASS' if p50_large <= 2000 else 'FAIL'}")
        arr_verdict = "PASS" if arr_ratio <= 1.2 else "FAIL"
        print(
            f"{args.large:>7} interviews ranked by ARR: build p50 {statistics.median(by_arr) * 1000:7.1f} ms"
        )
        print(f"ratio by ARR/by accounts, median of pairs: {arr_ratio:.2f}  (target ≤ 1.2: {arr_verdict})")
        print(f"drawing it (once, no database): blocks {blocks_ms:.1f} ms, chart {chart_ms:.0f} ms")
    finally:
        db.dispose()
        if args.postgres and not args.database:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    return 0


if __name__ == "__main__":
    sys.exit(main())
