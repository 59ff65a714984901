"""Three digest-posting processes over one PostgreSQL database, fifty subscriptions due at once, and one
whose time passed while the bot was down: each digest is posted once, the late one late, and none twice."""

from __future__ import annotations

import subprocess
import sys
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import insert, select

from storage.db import Database
from storage.models import DigestRun, DigestRunState, DigestSubscription, QuietWeek
from tests.conftest import POSTGRES_URL
from tests.support.clock import real_now
from tests.support.fake_slack import FakeSlack

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not POSTGRES_URL, reason="TEST_POSTGRES_URL not set"),
    pytest.mark.real_clock,  # the replicas are processes of their own
]

DUE_NOW = 50
REPLICAS = 3


def test_fifty_digests_due_at_once_and_a_late_one_are_each_posted_once(
    postgres_database: Database, tmp_path: Path
) -> None:
    pg = postgres_database
    now = real_now().replace(microsecond=0)  # the posting processes run on the real clock
    late = now - timedelta(days=2)  # its Monday passed while the bot was down; its week has not
    rows = [
        {
            "team_id": "T0001",
            "channel_id": f"C{n:05d}",
            "weekday": now.weekday(),
            "minute_of_day": now.hour * 60 + now.minute,
            "timezone": "UTC",
            "quiet": QuietWeek.NOTE,
            "created_by": "U0001",
            "created_at": now,
            "updated_at": now,
            "next_due_at": now - timedelta(minutes=1),
        }
        for n in range(DUE_NOW)
    ]
    rows.append({**rows[0], "channel_id": "CLATE", "weekday": late.weekday(), "next_due_at": late})
    with pg.transaction() as session:
        session.execute(insert(DigestSubscription), rows)

    stop = tmp_path / "stop"
    with FakeSlack(token="xoxb-test") as fake:
        fake.add_users("U0001")
        procs = [
            subprocess.Popen(
                [sys.executable, "-m", "tests.support.digest_worker", pg.url, fake.url, str(stop)],
                stdout=subprocess.PIPE,
                text=True,
            )
            for _ in range(REPLICAS)
        ]
        try:
            assert all(p.stdout is not None and p.stdout.readline().strip() == "ready" for p in procs)
            deadline = time.monotonic() + 90
            while time.monotonic() < deadline:
                with pg.read() as session:
                    states = Counter(session.scalars(select(DigestRun.state)))
                if states[DigestRunState.SENT] == DUE_NOW + 1:
                    break
                time.sleep(0.2)
            time.sleep(1)  # a duplicate, if any replica were to post one, would show by now
        finally:
            stop.touch()
            for proc in procs:
                proc.wait(timeout=30)
        posts = Counter(c.args["channel"] for c in fake.calls("chat.postMessage"))
    assert states == {DigestRunState.SENT: DUE_NOW + 1}
    assert sorted(posts) == sorted([r["channel_id"] for r in rows])
    assert set(posts.values()) == {1}, [c for c, n in posts.items() if n > 1]
    with pg.read() as session:
        (late_run,) = session.scalars(
            select(DigestRun).join(DigestSubscription).where(DigestSubscription.channel_id == "CLATE")
        ).all()
        assert late_run.period_end == late
