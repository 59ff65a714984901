"""Several scheduler processes over one PostgreSQL database: every follow-up is reminded once and only
once, even when one of them is killed in the middle of a sweep."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, insert, select

from storage.db import Database
from storage.models import DeliveryState, FollowUp, FollowUpKind, FollowUpState, Person, ReminderDelivery
from tests.conftest import POSTGRES_URL
from tests.support.clock import real_now
from tests.support.fake_slack import FakeSlack

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not POSTGRES_URL, reason="TEST_POSTGRES_URL not set"),
    pytest.mark.real_clock,  # the replicas are processes of their own
]

ITEMS = 2000
REPLICAS = 3
LEASE_SECONDS = 3


def seed(db: Database, count: int) -> None:
    now = real_now()  # due five minutes ago for the replicas, which run on the machine's real time
    with db.transaction() as session:
        session.execute(
            insert(Person),
            [
                {"team_id": "T0001", "user_id": f"U{n:06d}", "tz": "UTC", "tz_fetched_at": now}
                for n in range(count)
            ],
        )
        session.execute(
            insert(FollowUp),
            [
                {
                    "team_id": "T0001",
                    "owner_id": f"U{n:06d}",
                    "kind": FollowUpKind.PROMISE,
                    "description": f"Promise {n}",
                    "due_at": now - timedelta(minutes=5),
                    "remind_at": now - timedelta(minutes=5),
                    "state": FollowUpState.OPEN,
                    "reminders_sent": 0,
                    "created_at": now,
                }
                for n in range(count)
            ],
        )


def start(db: Database, fake: FakeSlack, stop_file: Path) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.support.reminder_worker",
            db.url,
            fake.url,
            str(stop_file),
            str(LEASE_SECONDS),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])},
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
    return proc


def reminded_ids(fake: FakeSlack) -> Counter[str]:
    seen: Counter[str] = Counter()
    for call in fake.calls("chat.postMessage"):
        if isinstance(call.response, dict) and call.response.get("ok"):
            for block in call.args.get("blocks") or []:
                if str(block.get("block_id", "")).startswith("fu:"):
                    seen[block["block_id"]] += 1
    return seen


def kill_holding_claims(db: Database, victim: subprocess.Popen[str], deadline: float) -> list[int]:
    """SIGKILL the victim at a moment it holds claimed deliveries; return their ids.

    Frozen with SIGSTOP first, so what it holds cannot change between the look and the kill; a
    replica between two ticks holds nothing, so it is let go and looked at again.
    """
    while True:
        assert time.monotonic() < deadline, "the victim never held a claim"
        victim.send_signal(signal.SIGSTOP)
        with db.read() as session:
            held = list(
                session.scalars(
                    select(ReminderDelivery.id).where(
                        ReminderDelivery.state == DeliveryState.PENDING,
                        ReminderDelivery.lease_owner.like(f"%-{victim.pid}-%"),
                    )
                )
            )
        if held:
            victim.send_signal(signal.SIGKILL)
            victim.wait()
            return held
        victim.send_signal(signal.SIGCONT)
        time.sleep(0.01)


def test_three_replicas_one_killed_mid_sweep_send_each_reminder_once(
    postgres_database: Database, tmp_path: Path
) -> None:
    seed(postgres_database, ITEMS)
    stop_file = tmp_path / "stop"
    with FakeSlack() as fake:
        fake.add_users(*(f"U{n:06d}" for n in range(ITEMS)))  # the owners: people of the workspace
        workers = [start(postgres_database, fake, stop_file) for _ in range(REPLICAS)]
        try:
            victim = workers[0]
            deadline = time.monotonic() + 60
            while len(reminded_ids(fake)) < ITEMS // 5:  # let the sweep get going
                assert time.monotonic() < deadline, "no progress"
                time.sleep(0.05)
            held = kill_holding_claims(postgres_database, victim, deadline)

            deadline = time.monotonic() + 120
            while True:
                with postgres_database.read() as session:
                    left = session.scalar(
                        select(func.count()).select_from(FollowUp).where(FollowUp.remind_at.is_not(None))
                    )
                if left == 0:
                    break
                assert time.monotonic() < deadline, f"{left} follow-ups never reminded"
                time.sleep(0.2)
        finally:
            stop_file.touch()
            for proc in workers:
                try:
                    proc.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    proc.kill()
        seen = reminded_ids(fake)
    assert len(seen) == ITEMS, f"{ITEMS - len(seen)} never sent"
    twice = {k: v for k, v in seen.items() if v > 1}
    assert twice == {}, f"sent more than once: {list(twice)[:10]}"
    with postgres_database.read() as session:
        assert session.scalar(select(func.sum(FollowUp.reminders_sent))) == ITEMS
        # What the killed replica held when it died was sent by the others, after its lease ran out.
        rows = session.execute(
            select(ReminderDelivery.state, ReminderDelivery.lease_owner).where(ReminderDelivery.id.in_(held))
        ).all()
        assert len(rows) == len(held)
        assert all(state == DeliveryState.SENT for state, _ in rows)
        assert not any(f"-{victim.pid}-" in owner for _, owner in rows)
