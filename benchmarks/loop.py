"""How long closing the loop takes on a large workspace: planning it when a theme ships (the claim, who is
asked, one follow-up per person with a row per line) and drawing one person's reminder from it.

The workspace is the digest benchmark's (100,000 interviews by default, two pains each, grouped with a
long tail: the largest theme holds tens of thousands of lines from most of its 2,000 accounts), with an
owner on three accounts in four (30 owners). Three themes are shipped in turn: the largest, one of a few
hundred lines and one of a few dozen. Each is planned, timed, and rolled back, `--runs` times.

    python -m benchmarks.loop [--interviews 100000] [--runs 5]
    TEST_POSTGRES_URL=postgresql+psycopg://… python -m benchmarks.loop --postgres
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from benchmarks.digest import NOW, seed
from benchmarks.scratch import scratch_database
from bot.loop.plan import plan_loop
from bot.loop.tells import tell_lists
from bot.themes.status import set_status
from handlers.views.reminders import reminder_message
from storage.db import Database
from storage.migrate import upgrade
from storage.models import (
    Account,
    CustomerTell,
    FollowUp,
    Pain,
    Theme,
    ThemeKind,
    ThemeStatus,
    ThemeStatusChange,
)

TEAM = "T0LOOP"


def _owners(db: Database) -> None:
    with db.transaction() as session:
        for owner in range(30):
            session.execute(
                update(Account)
                .where(Account.team_id == TEAM, Account.id % 4 != 0, Account.id % 30 == owner)
                .values(owner_id=f"U0OWNER{owner:02d}")
            )


def _themes(db: Database) -> list[tuple[int, int, int]]:
    """The largest pain theme, one of a few hundred lines, one of a few dozen: (id, lines, accounts)."""
    with db.read() as session:
        rows = session.execute(
            select(Pain.theme_id, func.count(), func.count(func.distinct(Pain.account_id)))
            .join(Theme, Theme.id == Pain.theme_id)
            .where(Theme.team_id == TEAM, Theme.kind == ThemeKind.PAIN)
            .group_by(Pain.theme_id)
            .order_by(func.count().desc())
        ).all()
    pick = [rows[0], next(r for r in rows if r[1] <= 400), next(r for r in rows if r[1] <= 40)]
    return [(int(a), int(b), int(c)) for a, b, c in pick]


def _plan_once(db: Database, theme_id: int) -> tuple[float, float, int, int]:
    """Ship the theme, plan its loop and draw the busiest person's reminder; all rolled back. Seconds to
    plan, seconds to draw, people asked, rows listed."""
    with db.engine.connect() as connection, Session(bind=connection) as session:
        connection.begin()
        set_status(
            session=session,
            team_id=TEAM,
            theme_id=theme_id,
            status=ThemeStatus.SHIPPED,
            note=None,
            link=None,
            by="U0PM",
            now=NOW,
        )
        session.flush()
        change_id = session.scalar(select(func.max(ThemeStatusChange.id)))
        started = time.perf_counter()
        plan = plan_loop(session=session, change_id=change_id, now=NOW)
        session.flush()
        planned = time.perf_counter() - started
        assert plan is not None
        rows = session.scalar(select(func.count()).select_from(CustomerTell)) or 0
        busiest = session.scalar(
            select(CustomerTell.follow_up_id)
            .group_by(CustomerTell.follow_up_id)
            .order_by(func.count().desc())
            .limit(1)
        )
        item = session.get(FollowUp, busiest)
        started = time.perf_counter()
        tells = tell_lists(session=session, team_id=TEAM, items=[item])
        reminder_message([item], ZoneInfo("UTC"), NOW, tells=tells)
        drawn = time.perf_counter() - started
        connection.rollback()
    return planned, drawn, len(plan.asked), rows


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--interviews", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--postgres", action="store_true", help="a scratch database on TEST_POSTGRES_URL's server"
    )
    args = parser.parse_args()
    if args.postgres:
        server_url = os.environ.get("TEST_POSTGRES_URL")
        if not server_url:
            print("--postgres needs TEST_POSTGRES_URL", file=sys.stderr)
            return 2
        with scratch_database(server_url, "loop") as db:
            return _measure(db, args)
    db = Database(f"sqlite:///{Path(tempfile.mkdtemp()) / 'loop.db'}")
    try:
        upgrade(db)
        return _measure(db, args)
    finally:
        db.dispose()


def _measure(db: Database, args: argparse.Namespace) -> int:
    print(f"seeding {args.interviews:,} interviews ({db.backend})…", file=sys.stderr)
    seed(db, TEAM, total=args.interviews, per_week=60)
    _owners(db)
    for theme_id, lines, accounts in _themes(db):
        runs = [_plan_once(db, theme_id) for _ in range(args.runs)]
        plan_ms = statistics.median(r[0] for r in runs) * 1000
        draw_ms = statistics.median(r[1] for r in runs) * 1000
        print(
            f"theme of {lines:,} lines from {accounts:,} accounts: {runs[0][2]} people asked, "
            f"{runs[0][3]:,} lines listed; plan {plan_ms:.0f} ms, busiest reminder drawn {draw_ms:.0f} ms "
            f"(median of {args.runs}, {db.backend})"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
