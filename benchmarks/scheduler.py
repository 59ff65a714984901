"""Scheduler benchmark, on PostgreSQL: what a tick costs, and how fast reminders go out under Slack's limits.

Part `tick`: two scratch databases, one with 10,000 open follow-ups and one with 1,000,000, each with
exactly 100 due now (100 owners); the rest are due later or have no reminder left, beside closed ones
and past deliveries. We time `ReminderSender.tick()` (claim, send to a fake Slack without limits,
record) and `claim_due` alone, median of several repetitions, interleaved between the two databases.
Target: tick(1,000,000) / tick(10,000) <= 1.5 (a tick costs what is due, not what is stored).

Part `delivery`: 10,000 due follow-ups sent through the fake Slack with `enforce_rate_limits=True`, by
one or more sender processes (replicas) that read the member list on start (users.list), as
`interview-bot run` does, then tick back to back, until every follow-up is recorded. The time is
compared with the least time the fake's limits allow for the same work (the model is printed); when no
limit binds at all, with the least time per-person users.info lookups would allow (the users.info floor).
Target: measured / allowed <= 1.1.

Run from the repository root, with TEST_POSTGRES_URL set (or --postgres-url), any database on the
server: scratch databases are created beside it and dropped afterwards.

    python -m benchmarks.scheduler [--part tick|delivery|both] [--json]

It is a measurement: the exit status is 0 even when a target is missed (1 when the run is invalid).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import math
import multiprocessing
import os
import re
import statistics
import sys
import time
import traceback
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from multiprocessing.connection import Connection
from typing import Any

from sqlalchemy import create_engine, event, text

from benchmarks.scratch import scratch_database
from bot.reminders.deliveries import LEASE, MAX_ITEMS_PER_DELIVERY, ReminderPolicy, claim_due
from handlers.senders.reminders import CLAIM_BATCH, SEND_WORKERS, ReminderSender, TickResult
from handlers.views.reminders import ITEM_BLOCK
from handlers.web_api.client import make_client
from handlers.web_api.directory import PAGE_SIZE as DIRECTORY_PAGE
from handlers.web_api.directory import Directory
from handlers.web_api.timezones import Timezones
from storage.db import Database
from tests.support.fake_slack import (
    METHOD_TIERS,
    POST_MESSAGE_BURST,
    POST_MESSAGE_PER_SECOND,
    TIER_PER_MINUTE,
    FakeSlack,
)

TEAM_ID = "T0001"
BOT_TOKEN = "xoxb-test"  # what FakeSlack accepts by default
POLICY = ReminderPolicy(working_hours=None, max_resends=0)  # one reminder each: a sent item leaves the index

# Part 1
TICK_SIZES = (10_000, 1_000_000)
DUE = 100
OWNERS = 1_000  # the same people in both databases: only the stored rows differ
CLOSED_SHARE = 4  # closed follow-ups beside the open ones: one per 4 open
HISTORY_SHARE = 10  # past (sent) deliveries: one per 10 open follow-ups
REPETITIONS = 7
TARGET_TICK_RATIO = 1.5

# Part 2
TARGET_DELIVERY_RATIO = 1.1
DELIVERY_ITEMS = 10_000
WINDOW_SECONDS = 60.0  # the fake's tiers count calls in any rolling 60 s
USERS_INFO_PER_WINDOW = TIER_PER_MINUTE[METHOD_TIERS["users.info"]]
USERS_LIST_PER_WINDOW = TIER_PER_MINUTE[METHOD_TIERS["users.list"]]
TICK_EVERY = 0.05  # back to back, like tests/support/reminder_worker.py; production ticks every 30 s
CHILD_TIMEOUT = 300.0
POLL_SECONDS = 0.1
TIMELINE_STEP = 10.0


class BenchmarkError(Exception):
    """The run is not a valid measurement; say why and stop."""


def say(message: str) -> None:
    """Progress, on stderr so that --json output stays clean."""
    print(message, file=sys.stderr, flush=True)


# --------------------------------------------------------------------------------------------------
# Scratch databases
# --------------------------------------------------------------------------------------------------
def server_version(server_url: str) -> str:
    engine = create_engine(server_url)
    try:
        with engine.connect() as conn:
            return str(conn.execute(text("SHOW server_version")).scalar()).split()[0]
    finally:
        engine.dispose()


def vacuum_analyze(db: Database) -> None:
    # A steady database has its statistics and visibility map (and the test server runs no autovacuum).
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))


# --------------------------------------------------------------------------------------------------
# Child processes: the fake Slack and the sender replicas, so that neither shares a GIL with the other.
# --------------------------------------------------------------------------------------------------
class Child:
    """A spawned process answering requests over a pipe; its first message is a hello."""

    def __init__(self, target: Callable[..., None], name: str, *args: Any) -> None:
        # spawn, not fork: this process holds connection pools and threads.
        ctx = multiprocessing.get_context("spawn")
        self.name = name
        self._conn, theirs = ctx.Pipe()
        self._process = ctx.Process(target=target, args=(theirs, *args), name=name, daemon=True)
        self._process.start()
        theirs.close()
        self.hello = self.receive()

    def receive(self, timeout: float = CHILD_TIMEOUT) -> Any:
        if not self._conn.poll(timeout):
            raise BenchmarkError(f"{self.name} did not answer within {timeout:.0f} s")
        try:
            status, value = self._conn.recv()
        except EOFError:
            raise BenchmarkError(f"{self.name} died") from None
        if status != "ok":
            raise BenchmarkError(f"{self.name} failed:\n{value}")
        return value

    def send(self, message: Any) -> None:
        self._conn.send(message)

    def ask(self, message: Any, timeout: float = CHILD_TIMEOUT) -> Any:
        self.send(message)
        return self.receive(timeout)

    def stop(self) -> None:
        with contextlib.suppress(Exception):
            self.ask(None, timeout=10)
        self._process.join(timeout=5)
        if self._process.is_alive():
            self._process.terminate()


def _guarded(conn: Connection, body: Callable[[], None]) -> None:
    try:
        body()
    except Exception:
        with contextlib.suppress(Exception):
            conn.send(("error", traceback.format_exc()))


@dataclass(frozen=True)
class SlackSummary:
    """What the fake Slack saw since its last reset."""

    statuses: dict[str, dict[str, int]]  # method -> HTTP status -> calls
    dms: int  # accepted chat.postMessage calls
    items_listed: int  # follow-ups listed in accepted DMs, counting repeats
    items_distinct: int
    # Monotonic times (CLOCK_MONOTONIC is shared by processes) of accepted DMs, and of 429s by method.
    dm_times: list[float]
    limited_times: dict[str, list[float]]
    fake_errors: int
    cpu_seconds: float  # the fake's own, since its last reset


def fake_slack_main(conn: Connection, enforce_rate_limits: bool, people: int = 0) -> None:
    logging.basicConfig(level=logging.WARNING)

    def serve() -> None:
        with FakeSlack(token=BOT_TOKEN, team_id=TEAM_ID, enforce_rate_limits=enforce_rate_limits) as fake:
            # The people the delivery part seeds ('U' and 6 digits): users of the workspace.
            fake.add_users(*(f"U{n:06d}" for n in range(people)))
            conn.send(("ok", fake.url))
            cpu_mark = time.process_time()
            while True:
                message = conn.recv()
                if message is None:
                    conn.send(("ok", None))
                    return
                if message == "reset":
                    fake.reset()
                    fake.server_errors.clear()
                    cpu_mark = time.process_time()
                    conn.send(("ok", None))
                elif message == "summary":
                    conn.send(("ok", summarize(fake, cpu_mark)))

    _guarded(conn, serve)


def summarize(fake: FakeSlack, cpu_mark: float) -> SlackSummary:
    calls = fake.calls(include_rejected=True)  # the 429s too
    statuses: dict[str, Counter[str]] = {}
    listed: Counter[str] = Counter()
    dm_times: list[float] = []
    limited: dict[str, list[float]] = {}
    for call in calls:
        statuses.setdefault(call.method, Counter())[str(call.status)] += 1
        ok = isinstance(call.response, dict) and call.response.get("ok") is True
        if call.status == 429:
            limited.setdefault(call.method, []).append(call.at)
        if call.method == "chat.postMessage" and ok:
            dm_times.append(call.at)
            for block in call.args.get("blocks") or []:
                block_id = str(block.get("block_id", ""))
                if block_id.startswith(ITEM_BLOCK):
                    listed[block_id] += 1
    return SlackSummary(
        statuses={method: dict(counts) for method, counts in statuses.items()},
        dms=len(dm_times),
        items_listed=sum(listed.values()),
        items_distinct=len(listed),
        dm_times=dm_times,
        limited_times=limited,
        fake_errors=len(fake.server_errors),
        cpu_seconds=time.process_time() - cpu_mark,
    )


def make_sender(
    db: Database, api_url: str, replica: str, timezones: Timezones | None = None
) -> ReminderSender:
    """A sender as `interview-bot run` builds one: the background client, with its retry handlers."""
    return ReminderSender(
        db=db,
        client=make_client(token=BOT_TOKEN, base_url=api_url),
        timezones=timezones or Timezones(db),
        policy=POLICY,
        replica=replica,
    )


class _CountingHandler(logging.Handler):
    """Counts warnings by where they come from, instead of printing thousands of them."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.counts: Counter[str] = Counter()

    def emit(self, record: logging.LogRecord) -> None:
        # The message template up to its first argument: "users.info failed for %s/%s: %s" -> its kind.
        template = str(record.msg)
        kind = template.split("%")[0].strip() + ("…" if "%" in template else "")
        self.counts[f'{record.name} "{kind}"'] += 1


def sender_main(conn: Connection, db_url: str, api_url: str, replica: str, tick_every: float) -> None:
    """A replica: ticks back to back between "go" and "stop", then reports its totals."""
    counting = _CountingHandler()
    logging.getLogger().addHandler(counting)
    logging.getLogger().setLevel(logging.WARNING)

    def serve() -> None:
        db = Database(db_url)
        timezones = Timezones(db)
        sender = make_sender(db, api_url, replica, timezones)
        directory = Directory(
            team_id=TEAM_ID,
            db=db,
            client=make_client(token=BOT_TOKEN, base_url=api_url),
            timezones=timezones,
            replica=replica,
        )
        conn.send(("ok", os.getpid()))
        if conn.recv() != "go":  # None: the parent gave up before the start
            conn.send(("ok", None))
            return
        total = TickResult()
        ticks = 0
        cpu_began = time.process_time()
        # As the scheduler starts: the member list first (unless another replica is reading it), then ticks.
        read = directory.refresh()
        while not conn.poll():
            result = sender.tick()
            ticks += 1
            for name in ("claimed", "sent", "deferred", "failed", "retrying", "found_in_slack", "skipped"):
                setattr(total, name, getattr(total, name) + getattr(result, name))
            time.sleep(tick_every)
        message = conn.recv()  # "stop", or None when the parent is bailing out
        sender.close()
        db.dispose()
        cpu = time.process_time() - cpu_began
        stats = {
            "ticks": ticks,
            "result": asdict(total),
            "warnings": dict(counting.counts),
            "cpu": cpu,
            "read_member_list": read is not None,
        }
        conn.send(("ok", stats))
        if message == "stop":
            conn.recv()  # None, from the parent's stop()
            conn.send(("ok", None))

    _guarded(conn, serve)


# --------------------------------------------------------------------------------------------------
# Part 1: the cost of a tick
# --------------------------------------------------------------------------------------------------
# Open follow-ups 1..:open. Every :step-th (the first :due of them) is due now, each for its own owner;
# of the rest, by id mod 10: 0-6 open and due in 1-31 days, 7 snoozed to then, 8-9 open but reminded
# enough (remind_at NULL, still overdue). Then :closed closed ones (done or skipped, remind_at NULL).
SEED_OPEN = """
INSERT INTO follow_ups (team_id, owner_id, kind, description, due_at, state, created_at,
                        remind_at, reminders_sent, last_reminded_at)
SELECT :team,
       'U' || lpad((CASE WHEN due THEN (g / :step - 1) * :spread ELSE g % :owners END)::text, 6, '0'),
       (ARRAY['promise', 'thank_you', 'summary'])[1 + g % 3],
       'Send the deck we promised, item ' || g,
       CASE WHEN due THEN due_now
            WHEN g % 10 < 7 THEN later
            ELSE CAST(:now AS timestamptz) - (1 + g % 90) * interval '1 day' END,
       CASE WHEN NOT due AND g % 10 = 7 THEN 'snoozed' ELSE 'open' END,
       CAST(:now AS timestamptz) - interval '120 days',
       CASE WHEN due THEN due_now WHEN g % 10 < 8 THEN later END,
       CASE WHEN due OR g % 10 < 7 THEN 0 WHEN g % 10 = 7 THEN 1 ELSE 4 END,
       CASE WHEN NOT due AND g % 10 >= 7 THEN CAST(:now AS timestamptz) - interval '3 days' END
FROM (
    SELECT g,
           g % :step = 0 AND g / :step <= :due AS due,
           CAST(:now AS timestamptz) - interval '10 minutes' + (g / :step) * interval '1 second' AS due_now,
           CAST(:now AS timestamptz) + interval '1 day'
               + (g::bigint * 7919 % 43200) * interval '1 minute' AS later
    FROM generate_series(1, :open) AS g
) AS rows
"""
SEED_CLOSED = """
INSERT INTO follow_ups (team_id, owner_id, kind, description, due_at, state, created_at, closed_at,
                        remind_at, reminders_sent, last_reminded_at)
SELECT :team, 'U' || lpad((g % :owners)::text, 6, '0'), 'promise', 'Closed item ' || g,
       CAST(:now AS timestamptz) - (10 + g % 300) * interval '1 day',
       CASE WHEN g % 5 = 0 THEN 'skipped' ELSE 'done' END,
       CAST(:now AS timestamptz) - (20 + g % 300) * interval '1 day',
       CAST(:now AS timestamptz) - (5 + g % 300) * interval '1 day',
       NULL, 1, CAST(:now AS timestamptz) - (6 + g % 300) * interval '1 day'
FROM generate_series(1, :closed) AS g
"""
SEED_HISTORY = """
INSERT INTO reminder_deliveries (team_id, owner_id, state, follow_up_ids, created_at, lease_owner,
                                 lease_until, attempts, channel_id, message_ts, sent_at)
SELECT :team, 'U' || lpad((g % :owners)::text, 6, '0'), 'sent', CAST('[]' AS json),
       CAST(:now AS timestamptz) - g * interval '1 minute', 'seed',
       CAST(:now AS timestamptz) - g * interval '1 minute' + interval '2 minutes', 0,
       'DU' || lpad((g % :owners)::text, 6, '0'), '1700000000.000100',
       CAST(:now AS timestamptz) - g * interval '1 minute'
FROM generate_series(1, :history) AS g
"""
# Everyone is known (timezone fresh, DM channel remembered): the steady state, no users.info.
SEED_PEOPLE = """
INSERT INTO people (team_id, user_id, tz, tz_fetched_at, dm_channel_id)
SELECT :team, 'U' || lpad(g::text, 6, '0'), 'America/New_York', CAST(:now AS timestamptz),
       'DU' || lpad(g::text, 6, '0')
FROM generate_series(0, :owners - 1) AS g
"""
# Back to before the tick: the 100 due again (their due_at is their original remind_at), no new deliveries.
RESET = """
UPDATE follow_ups SET remind_at = due_at, state = 'open', reminders_sent = 0, last_reminded_at = NULL,
                      closed_at = NULL
WHERE id = ANY(:ids)
"""


@dataclass
class TickDatabase:
    size: int
    db: Database
    due_ids: list[int]
    history_max: int
    seed_seconds: float
    sender: ReminderSender | None = None
    ticks: list[float] = field(default_factory=list)
    claims: list[float] = field(default_factory=list)

    def reset(self) -> None:
        with self.db.transaction() as session:
            session.execute(text("DELETE FROM reminder_deliveries WHERE id > :m"), {"m": self.history_max})
            session.execute(text(RESET), {"ids": self.due_ids})
        # Each sent reminder leaves a dead entry in the past range of ix_follow_ups_remind_at, which every
        # claim reads until a vacuum: without this, repetition n would read n times 100 of them.
        with self.db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM (INDEX_CLEANUP ON) follow_ups, reminder_deliveries"))


def seed_tick_database(db: Database, size: int, owners: int) -> TickDatabase:
    if size % DUE or owners < DUE:
        raise BenchmarkError(f"sizes must be multiples of {DUE}, and owners at least {DUE}")
    began = time.perf_counter()
    params = {
        "team": TEAM_ID,
        "now": datetime.now(UTC),
        "open": size,
        "step": size // DUE,
        "due": DUE,
        "owners": owners,
        "spread": owners // DUE,
        "closed": size // CLOSED_SHARE,
        "history": size // HISTORY_SHARE,
    }
    with db.transaction() as session:
        session.execute(text("SET LOCAL synchronous_commit = off"))  # a scratch database: speed over safety
        session.execute(text(SEED_PEOPLE), params)
        session.execute(text(SEED_OPEN), params)
        session.execute(text(SEED_CLOSED), params)
        session.execute(text(SEED_HISTORY), params)
    vacuum_analyze(db)
    with db.read() as session:
        due_ids = list(
            session.scalars(text("SELECT id FROM follow_ups WHERE remind_at <= now() ORDER BY id"))
        )
        history_max = session.scalar(text("SELECT coalesce(max(id), 0) FROM reminder_deliveries"))
        open_count = session.scalar(
            text("SELECT count(*) FROM follow_ups WHERE state IN ('open', 'snoozed')")
        )
        owners_due = session.scalar(
            text("SELECT count(DISTINCT owner_id) FROM follow_ups WHERE remind_at <= now()")
        )
    if len(due_ids) != DUE or owners_due != DUE or open_count != size:
        raise BenchmarkError(
            f"seeding went wrong: {open_count} open, {len(due_ids)} due, {owners_due} owners"
        )
    return TickDatabase(size, db, due_ids, int(history_max or 0), time.perf_counter() - began)


def timed_tick(target: TickDatabase) -> float:
    assert target.sender is not None
    began = time.perf_counter()
    result = target.sender.tick()
    elapsed = time.perf_counter() - began
    if result.claimed != DUE or result.sent != DUE:
        raise BenchmarkError(f"tick on {target.size:,}: expected {DUE} sent, got {result}")
    return elapsed


def claim_once(db: Database, replica: str) -> int:
    claimed = db.run(
        lambda session: claim_due(
            session=session, now=datetime.now(UTC), replica=replica, lease=LEASE, limit=CLAIM_BATCH
        )
    )
    return len(claimed)


def timed_claim(target: TickDatabase) -> float:
    began = time.perf_counter()
    claimed = claim_once(target.db, "bench-claim")
    elapsed = time.perf_counter() - began
    if claimed != DUE:
        raise BenchmarkError(f"claim on {target.size:,}: expected {DUE} claimed, got {claimed}")
    return elapsed


@dataclass(frozen=True)
class Explained:
    query: str
    scans: list[str]
    buffers: str  # the whole plan's
    execution_ms: float


# From a plan, only the scans (which index, how many rows), each as "<node> on <table>: rows=N loops=M".
_SCAN = re.compile(
    r"->\s+(?P<node>[^(]*Scan[^(]*?)\s+\(cost=[^)]*\)\s+\(actual time=\S+ (?P<rows>rows=\d+ loops=\d+)\)"
)


def explain_claim(target: TickDatabase) -> list[Explained]:
    """EXPLAIN (ANALYZE, BUFFERS) of the statements claim_due really sends (captured from the engine)."""
    captured: list[tuple[str, Any]] = []

    def capture(_conn: Any, _cursor: Any, statement: str, parameters: Any, _ctx: Any, _many: bool) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            captured.append((statement, parameters))

    target.reset()
    event.listen(target.db.engine, "before_cursor_execute", capture)
    try:
        claim_once(target.db, "bench-explain")
    finally:
        event.remove(target.db.engine, "before_cursor_execute", capture)
    target.reset()  # the captured statements now see the 100 due and no pending delivery again

    stale = next(c for c in captured if "FOR UPDATE" in c[0])
    owners = next(c for c in captured if "GROUP BY" in c[0])
    items = next(c for c in captured if "GROUP BY" not in c[0] and "owner_id =" in c[0])
    out = []
    for name, (statement, parameters) in (
        ("stale leases", stale),
        ("due owners", owners),
        ("one owner's items (x100)", items),
    ):
        with target.db.engine.connect() as conn:
            plan = list(conn.exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters).scalars())
            conn.rollback()
        lines = [f"{m['node']}: {m['rows']}" for m in map(_SCAN.search, plan) if m]
        buffers = next((p.strip() for p in plan if p.strip().startswith("Buffers:")), "Buffers: ?")
        execution = next(p for p in plan if p.startswith("Execution Time"))
        out.append(Explained(name, lines, buffers, float(execution.split(":")[1].split()[0])))
    return out


@dataclass(frozen=True)
class TickSize:
    open_follow_ups: int
    stored_follow_ups: int
    past_deliveries: int
    seed_seconds: float
    tick_ms: list[float]
    claim_ms: list[float]
    tick_p50_ms: float
    claim_p50_ms: float


@dataclass(frozen=True)
class TickReport:
    due: int
    owners: int
    repetitions: int
    sizes: list[TickSize]
    tick_ratio: float
    claim_ratio: float
    target: float
    ok: bool
    explain_size: int
    explain: list[Explained]


def run_tick_part(server_url: str, sizes: Sequence[int], owners: int, repetitions: int) -> TickReport:
    with contextlib.ExitStack() as stack:
        fake = Child(fake_slack_main, "fake-slack", False)
        stack.callback(fake.stop)
        targets = []
        for size in sizes:
            db = stack.enter_context(scratch_database(server_url, f"tick{size}"))
            say(f"seeding {size:,} open follow-ups ({DUE} due) ...")
            target = seed_tick_database(db, size, owners)
            say(f"  seeded in {target.seed_seconds:.1f} s (with VACUUM ANALYZE)")
            target.sender = make_sender(db, fake.hello, replica=f"bench-{size}")
            stack.callback(target.sender.close)
            targets.append(target)
        logging.getLogger().setLevel(logging.WARNING)  # after Alembic, which may configure logging

        say("warming up (connections, the timezone cache, the planner) ...")
        for target in targets:
            target.reset()
            timed_tick(target)
            target.reset()
            timed_claim(target)
        for rep in range(repetitions):
            say(f"repetition {rep + 1} of {repetitions}")
            # Alternate which size goes first, so that machine noise does not favour one.
            for target in targets if rep % 2 == 0 else reversed(targets):
                target.reset()
                target.ticks.append(timed_tick(target))
                target.reset()
                target.claims.append(timed_claim(target))
                fake.ask("reset")  # keep the fake's memory flat
        largest = targets[-1]
        explained = explain_claim(largest)
        for target in targets:
            target.reset()

    results = []
    for target in targets:
        results.append(
            TickSize(
                open_follow_ups=target.size,
                stored_follow_ups=target.size + target.size // CLOSED_SHARE,
                past_deliveries=target.size // HISTORY_SHARE,
                seed_seconds=round(target.seed_seconds, 1),
                tick_ms=[round(t * 1000, 1) for t in target.ticks],
                claim_ms=[round(t * 1000, 2) for t in target.claims],
                tick_p50_ms=round(statistics.median(target.ticks) * 1000, 1),
                claim_p50_ms=round(statistics.median(target.claims) * 1000, 2),
            )
        )
    tick_ratio = round(results[-1].tick_p50_ms / results[0].tick_p50_ms, 3)
    claim_ratio = round(results[-1].claim_p50_ms / results[0].claim_p50_ms, 3)
    return TickReport(
        due=DUE,
        owners=owners,
        repetitions=repetitions,
        sizes=results,
        tick_ratio=tick_ratio,
        claim_ratio=claim_ratio,
        target=TARGET_TICK_RATIO,
        ok=tick_ratio <= TARGET_TICK_RATIO,
        explain_size=largest.size,
        explain=explained,
    )


# --------------------------------------------------------------------------------------------------
# Part 2: delivery under rate limits
# --------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Scenario:
    name: str
    items: int
    people: int
    # Known people have a Person row with a fresh timezone and their DM channel: no users.info, and
    # every DM goes to the same channel id.
    known_people: bool
    about: str


SCENARIOS = {
    "users-info": Scenario(
        "users-info",
        DELIVERY_ITEMS,
        200,
        known_people=False,
        about="first reminders for people the bot has never looked up (a new install's backlog): "
        "their timezones come from the member list, read on start (users.list, tier 2)",
    ),
    "per-channel": Scenario(
        "per-channel",
        DELIVERY_ITEMS,
        10,
        known_people=True,
        about="a backlog for a few known people (after downtime): many DMs into each person's channel",
    ),
}


@dataclass(frozen=True)
class Model:
    """The least time the fake's limits allow for the scenario's work, if the bot did nothing else."""

    dms: int
    dms_per_person_max: int
    # The member list, read on start (users.list, tier 2): the pages, and when the last may be read.
    directory_pages: int
    directory_seconds: float
    users_info_calls: int  # people the member list does not give (none in these scenarios)
    post_seconds: float  # how long the busiest channel takes
    allowed_seconds: float
    binding: str
    formula: str
    # The same work if every person not known were looked up with users.info (tier 4) instead: the floor
    # of how the bot worked before it read the member list. When the limits allow everything at once
    # (allowed 0 s), the ratio is taken against it, as a budget, and says so.
    users_info_floor_seconds: float
    reference: str  # "allowed" or "users.info floor": what the ratio divides by
    reference_seconds: float


def _windows(calls: int, per_window: int) -> list[float]:
    """When each of `calls` calls of a tier may be made at the earliest: the k-th (from 0) waits for the
    k-per_window-th to leave the rolling window."""
    return [(k // per_window) * WINDOW_SECONDS for k in range(calls)]


def model(scenario: Scenario) -> Model:
    per_person = [
        scenario.items // scenario.people + (1 if p < scenario.items % scenario.people else 0)
        for p in range(scenario.people)
    ]
    dms = [math.ceil(n / MAX_ITEMS_PER_DELIVERY) for n in per_person]
    # The fake keys its bucket by the `channel` argument: a first DM addressed to the user id ("U…") and
    # the later ones to the DM channel it answered ("DU…") use two buckets.
    on_bucket = [m if scenario.known_people else m - 1 for m in dms]
    post = [max(0, b - POST_MESSAGE_BURST) / POST_MESSAGE_PER_SECOND for b in on_bucket]
    # The member list lists the people (in id order, as the fake does, so person p is on page
    # p // DIRECTORY_PAGE), then the bot user and Slackbot; pages follow each other (the cursor).
    listed = scenario.people + 2
    pages = _windows(math.ceil(listed / DIRECTORY_PAGE), USERS_LIST_PER_WINDOW)
    # A person not known waits for their page; a known one waits for nothing.
    ready = [0.0 if scenario.known_people else pages[p // DIRECTORY_PAGE] for p in range(scenario.people)]
    allowed = max(r + t for r, t in zip(ready, post, strict=True))
    # The other way: a users.info each for people not known, those with the most DMs first.
    lookups = 0 if scenario.known_people else scenario.people
    info = _windows(lookups, USERS_INFO_PER_WINDOW) + [0.0] * (scenario.people - lookups)
    by_dms = sorted(post, reverse=True)
    info_floor = max(i + t for i, t in zip(info, by_dms, strict=True))
    if allowed == 0:
        binding = "none (everything fits in the limits' bursts)"
    elif max(ready) >= max(post):
        binding = f"users.list (tier 2: {USERS_LIST_PER_WINDOW} pages per rolling {WINDOW_SECONDS:.0f} s)"
    else:
        binding = (
            f"chat.postMessage per channel (burst {POST_MESSAGE_BURST}, then {POST_MESSAGE_PER_SECOND:g}/s)"
        )
    formula = (
        f"T = max over people of [ floor(j/{USERS_LIST_PER_WINDOW})·{WINDOW_SECONDS:.0f} s  +  "
        f"max(0, m − {POST_MESSAGE_BURST})·{1 / POST_MESSAGE_PER_SECOND:g} s ], "
        f"j = the users.list page that lists the person ({DIRECTORY_PAGE} a page, read on start; "
        f"0 for known people), m = their DMs into one channel, DMs = ceil(items/{MAX_ITEMS_PER_DELIVERY})"
    )
    reference = "allowed" if allowed > 0 else "users.info floor"
    return Model(
        dms=sum(dms),
        dms_per_person_max=max(dms),
        directory_pages=len(pages),
        directory_seconds=pages[-1],
        users_info_calls=0,
        post_seconds=max(post),
        allowed_seconds=allowed,
        binding=binding,
        formula=formula,
        users_info_floor_seconds=info_floor,
        reference=reference,
        reference_seconds=allowed if allowed > 0 else info_floor,
    )


SEED_DUE_FOR_PEOPLE = """
INSERT INTO follow_ups (team_id, owner_id, kind, description, due_at, state, created_at,
                        remind_at, reminders_sent)
SELECT :team, 'U' || lpad(((g - 1) % :people)::text, 6, '0'),
       (ARRAY['promise', 'thank_you', 'summary'])[1 + g % 3],
       'Send the deck we promised, item ' || g,
       CAST(:now AS timestamptz) - interval '1 day' + g * interval '1 millisecond',
       'open', CAST(:now AS timestamptz) - interval '3 days',
       CAST(:now AS timestamptz) - interval '1 day' + g * interval '1 millisecond', 0
FROM generate_series(1, :items) AS g
"""


def seed_delivery(db: Database, scenario: Scenario) -> None:
    params = {"team": TEAM_ID, "now": datetime.now(UTC), "items": scenario.items, "people": scenario.people}
    with db.transaction() as session:
        session.execute(
            text("TRUNCATE follow_ups, reminder_deliveries, people, directory_reads RESTART IDENTITY CASCADE")
        )
        session.execute(text(SEED_DUE_FOR_PEOPLE), params)
        if scenario.known_people:
            session.execute(text(SEED_PEOPLE), {**params, "owners": scenario.people})
    vacuum_analyze(db)


@dataclass(frozen=True)
class DeliveryReport:
    scenario: str
    about: str
    items: int
    people: int
    replicas: int
    workers_per_replica: int
    model: Model
    finished: bool
    measured_seconds: float
    last_dm_seconds: float | None  # when the fake accepted the last DM, from the start
    # What happened when, in TIMELINE_STEP-second slices from the start: DMs accepted, 429s by method.
    dms_timeline: list[int]
    limited_timeline: dict[str, list[int]]
    ratio: float | None
    target: float
    ok: bool
    reminded_once: int
    reminded_twice: int
    dms_sent: int
    slack: dict[str, dict[str, int]]  # method -> HTTP status -> calls
    ticks: int
    results: dict[str, int]  # the replicas' TickResult totals
    warnings: dict[str, int]
    people_without_tz: int  # looked up in vain (users.info gave up): their DMs were drawn in UTC
    member_list_reads: int  # replicas that read the member list on start (one, or none: it was fresh)
    replicas_cpu_seconds: float
    fake_cpu_seconds: float


def remaining(db: Database) -> tuple[int, int]:
    with db.read() as session:
        left = session.scalar(text("SELECT count(*) FROM follow_ups WHERE remind_at IS NOT NULL"))
        pending = session.scalar(text("SELECT count(*) FROM reminder_deliveries WHERE state = 'pending'"))
    return int(left or 0), int(pending or 0)


def run_scenario(db: Database, scenario: Scenario, replicas: int, tick_every: float) -> DeliveryReport:
    plan = model(scenario)
    say(
        f"scenario {scenario.name}: {scenario.items:,} due for {scenario.people} people, "
        f"{replicas} replica(s); limits allow {plan.allowed_seconds:.0f} s"
        + (f", users.info floor {plan.users_info_floor_seconds:.0f} s" if plan.reference != "allowed" else "")
    )
    seed_delivery(db, scenario)
    # Long enough for the retry handler's worst case, yet bounded: a stuck run is reported, not awaited.
    deadline_seconds = max(3 * plan.allowed_seconds, plan.allowed_seconds + 180.0)
    with contextlib.ExitStack() as stack:
        fake = Child(fake_slack_main, "fake-slack", True, scenario.people)
        stack.callback(fake.stop)
        senders = [
            Child(sender_main, f"replica-{n}", db.url, fake.hello, f"bench-replica-{n}", tick_every)
            for n in range(replicas)
        ]
        for sender in senders:
            stack.callback(sender.stop)
        began = time.monotonic()
        for sender in senders:
            sender.send("go")
        while True:
            left, pending = remaining(db)
            elapsed = time.monotonic() - began
            if (left == 0 and pending == 0) or elapsed > deadline_seconds:
                break
            time.sleep(POLL_SECONDS)
        finished = left == 0 and pending == 0
        say(f"  {'done' if finished else 'NOT done'} after {elapsed:.1f} s; stopping the replicas ...")
        # A replica sees "stop" once its tick returns (one may be sleeping out a Retry-After).
        stats = [sender.ask("stop", timeout=CHILD_TIMEOUT) for sender in senders]
        summary: SlackSummary = fake.ask("summary")
    with db.read() as session:
        no_tz = session.scalar(text("SELECT count(*) FROM people WHERE tz IS NULL"))
        reminded = session.scalar(text("SELECT coalesce(sum(reminders_sent), 0) FROM follow_ups"))
    if summary.fake_errors:
        raise BenchmarkError(f"the fake Slack hit {summary.fake_errors} internal errors")
    totals: Counter[str] = Counter()
    warnings: Counter[str] = Counter()
    for stat in stats:
        totals.update({k: v for k, v in stat["result"].items() if isinstance(v, int)})
        warnings.update(stat["warnings"])
    if finished and (summary.items_distinct != scenario.items or reminded != scenario.items):
        raise BenchmarkError(
            f"{scenario.items} due, but {summary.items_distinct} listed in DMs and {reminded} recorded"
        )
    ratio = round(elapsed / plan.reference_seconds, 3) if finished and plan.reference_seconds else None
    last_dm = round(max(summary.dm_times) - began, 2) if summary.dm_times else None
    slices = max(1, math.ceil(elapsed / TIMELINE_STEP))

    def timeline(times: list[float]) -> list[int]:
        counts = Counter(min(slices - 1, int((t - began) // TIMELINE_STEP)) for t in times)
        return [counts.get(i, 0) for i in range(slices)]

    return DeliveryReport(
        scenario=scenario.name,
        about=scenario.about,
        items=scenario.items,
        people=scenario.people,
        replicas=replicas,
        workers_per_replica=SEND_WORKERS,
        model=plan,
        finished=finished,
        measured_seconds=round(elapsed, 2),
        last_dm_seconds=last_dm,
        dms_timeline=timeline(summary.dm_times),
        limited_timeline={method: timeline(times) for method, times in summary.limited_times.items()},
        ratio=ratio,
        target=TARGET_DELIVERY_RATIO,
        # A follow-up in two DMs breaks "each reminder once": no time makes up for that.
        ok=ratio is not None
        and ratio <= TARGET_DELIVERY_RATIO
        and summary.items_listed == summary.items_distinct,
        reminded_once=summary.items_distinct,
        reminded_twice=summary.items_listed - summary.items_distinct,
        dms_sent=summary.dms,
        slack=summary.statuses,
        ticks=sum(int(s["ticks"]) for s in stats),
        results=dict(totals),
        warnings=dict(warnings),
        people_without_tz=int(no_tz or 0),
        member_list_reads=sum(1 for s in stats if s["read_member_list"]),
        replicas_cpu_seconds=round(sum(float(s["cpu"]) for s in stats), 1),
        fake_cpu_seconds=round(summary.cpu_seconds, 1),
    )


def run_delivery_part(
    server_url: str, scenarios: Sequence[Scenario], replicas: int, tick_every: float
) -> list[DeliveryReport]:
    with scratch_database(server_url, "delivery") as db:
        logging.getLogger().setLevel(logging.WARNING)
        return [run_scenario(db, scenario, replicas, tick_every) for scenario in scenarios]


# --------------------------------------------------------------------------------------------------
# Output
# --------------------------------------------------------------------------------------------------
def _verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def print_tick(report: TickReport) -> None:
    print(
        f"Part 1: one tick (claim_due + send to a fake Slack without limits + record_sent), "
        f"{report.due} due for {report.due} owners among {report.owners:,} people; "
        f"median of {report.repetitions}, sizes interleaved"
    )
    header = (
        f"{'open follow-ups':>15}  {'stored':>9}  {'past DMs':>8}  {'seed s':>6}  "
        f"{'tick p50 ms':>11}  {'min':>6}  {'max':>6}  {'claim p50 ms':>12}  {'min':>6}  {'max':>6}"
    )
    print(header)
    print("-" * len(header))
    for size in report.sizes:
        print(
            f"{size.open_follow_ups:>15,}  {size.stored_follow_ups:>9,}  {size.past_deliveries:>8,}  "
            f"{size.seed_seconds:>6.1f}  {size.tick_p50_ms:>11.1f}  {min(size.tick_ms):>6.1f}  "
            f"{max(size.tick_ms):>6.1f}  {size.claim_p50_ms:>12.2f}  {min(size.claim_ms):>6.2f}  "
            f"{max(size.claim_ms):>6.2f}"
        )
    print(
        f"tick ratio {report.sizes[-1].open_follow_ups:,}/{report.sizes[0].open_follow_ups:,}: "
        f"{report.tick_ratio:.2f} (target <= {report.target}): {_verdict(report.ok)}"
        f"   claim alone: {report.claim_ratio:.2f}"
    )
    print(f"EXPLAIN (ANALYZE, BUFFERS) of claim_due's queries on the {report.explain_size:,} database:")
    for explained in report.explain:
        print(f"  {explained.query}: {explained.execution_ms:.3f} ms, {explained.buffers}")
        for scan in explained.scans:
            print(f"    {scan}")


def print_delivery(reports: list[DeliveryReport]) -> None:
    print(
        f"Part 2: delivery through the fake Slack enforcing its limits; replicas tick back to back, "
        f"{reports[0].workers_per_replica} send threads each, slack_sdk's RateLimitErrorRetryHandler "
        f"(3 retries, sleeps Retry-After + 0..1 s)"
    )
    print(f"model: {reports[0].model.formula}")
    print(
        "  the fake has no workspace-wide chat.postMessage limit (Slack has one), so people are served in "
        "parallel; only the limits below can bind"
    )
    for r in reports:
        m = r.model
        print()
        print(f"[{r.scenario}] {r.items:,} due for {r.people} people, {r.replicas} replica(s): {r.about}")
        print(
            f"  work: {m.dms} DMs (up to {m.dms_per_person_max} per person, {MAX_ITEMS_PER_DELIVERY} items "
            f"each), {m.directory_pages} users.list pages, {m.users_info_calls} users.info calls"
        )
        print(
            f"  allowed: last users.list page at {m.directory_seconds:.0f} s, busiest channel "
            f"{m.post_seconds:.0f} s -> {m.allowed_seconds:.0f} s; binding limit: {m.binding}"
        )
        if m.reference != "allowed":
            print(
                f"  no limit binds, so the ratio is taken against the users.info floor instead: "
                f"{m.users_info_floor_seconds:.0f} s, the least time if each person were looked up "
                f"with users.info (tier 4, {USERS_INFO_PER_WINDOW} per rolling {WINDOW_SECONDS:.0f} s)"
            )
        done = "all recorded" if r.finished else "NOT all recorded (stopped at the deadline)"
        last = f", last DM accepted at {r.last_dm_seconds:.1f} s" if r.last_dm_seconds is not None else ""
        print(f"  measured: {r.measured_seconds:.1f} s to {done}{last}; ticks {r.ticks}")
        ratio = f"{r.ratio:.2f}" if r.ratio is not None else "n/a"
        print(f"  measured/{m.reference} {ratio} (target <= {r.target}): {_verdict(r.ok)}")
        print(
            f"  per {TIMELINE_STEP:.0f} s from the start, DMs accepted: {' '.join(map(str, r.dms_timeline))}"
        )
        for method, counts in sorted(r.limited_timeline.items()):
            print(f"  {'':>{len(str(TIMELINE_STEP)) + 7}}{method} 429s: {' '.join(map(str, counts))}")
        print(f"  CPU: replicas {r.replicas_cpu_seconds:.1f} s, fake Slack {r.fake_cpu_seconds:.1f} s")
        calls = "; ".join(
            f"{method} " + ", ".join(f"{status}: {n}" for status, n in sorted(statuses.items()))
            for method, statuses in sorted(r.slack.items())
        )
        print(f"  Slack calls by HTTP status: {calls}")
        results = ", ".join(f"{k} {v}" for k, v in r.results.items() if v)
        print(
            f"  reminded once: {r.reminded_once:,}, twice: {r.reminded_twice}; DMs {r.dms_sent}; "
            f"ticks' totals: {results}"
        )
        if r.warnings:
            print("  warnings: " + "; ".join(f"{k} x{v}" for k, v in r.warnings.items()))
        print(f"  replicas that read the member list: {r.member_list_reads}")
        if r.people_without_tz:
            print(f"  people whose users.info gave up (DM drawn in UTC): {r.people_without_tz}")
        if r.reminded_twice:
            print(
                f"  DUPLICATES: {r.reminded_twice} follow-ups listed in two DMs. A claim outlived its "
                f"lease ({LEASE.total_seconds():.0f} s) while its send thread slept out Retry-After; another "
                "replica took it over, found nothing in Slack and sent it, then the first thread sent it too"
            )


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.scheduler", description=(__doc__ or "").split("\n")[0]
    )
    parser.add_argument("--part", choices=("tick", "delivery", "both"), default="both")
    parser.add_argument("--json", action="store_true", help="print the results as JSON instead of a table")
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("TEST_POSTGRES_URL", "").strip(),
        help="any database on the server to use (default: $TEST_POSTGRES_URL)",
    )
    tick = parser.add_argument_group("part tick")
    tick.add_argument(
        "--repetitions", type=int, default=REPETITIONS, help=f"per size (default {REPETITIONS})"
    )
    tick.add_argument(
        "--sizes",
        default=",".join(map(str, TICK_SIZES)),
        help="open follow-ups in each database, smallest first (default 10000,1000000)",
    )
    tick.add_argument("--owners", type=int, default=OWNERS, help=f"people owning them (default {OWNERS})")
    delivery = parser.add_argument_group("part delivery")
    delivery.add_argument("--scenario", choices=(*SCENARIOS, "both"), default="both")
    delivery.add_argument("--items", type=int, help=f"due follow-ups (default {DELIVERY_ITEMS})")
    delivery.add_argument(
        "--people", type=int, help="their owners (default: 200 for users-info, 10 for per-channel)"
    )
    delivery.add_argument("--replicas", type=int, default=1, help="sender processes (default 1)")
    delivery.add_argument(
        "--tick-every", type=float, default=TICK_EVERY, help=f"pause between ticks, s (default {TICK_EVERY})"
    )
    args = parser.parse_args(argv)
    if not args.postgres_url:
        parser.error("set TEST_POSTGRES_URL or pass --postgres-url (a PostgreSQL URL)")
    try:
        args.sizes = [int(x) for x in args.sizes.split(",") if x.strip()]
    except ValueError:
        parser.error("--sizes takes whole numbers separated by commas")
    if len(args.sizes) != 2 or min(args.sizes) < DUE or args.repetitions < 1 or args.replicas < 1:
        parser.error("two --sizes of at least 100, and --repetitions and --replicas of at least 1")
    chosen = list(SCENARIOS) if args.scenario == "both" else [args.scenario]
    args.scenarios = [
        Scenario(
            s.name,
            args.items or s.items,
            args.people or s.people,
            known_people=s.known_people,
            about=s.about,
        )
        for s in (SCENARIOS[name] for name in chosen)
    ]
    if any(s.people < 1 or s.items < s.people for s in args.scenarios):
        parser.error("--items must be at least --people, and --people at least 1")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    began = time.perf_counter()
    document: dict[str, Any] = {
        "cpus": os.cpu_count(),
        "postgres": server_version(args.postgres_url),
        "load_average_before": round(os.getloadavg()[0], 2),
    }
    if not args.json:
        print(
            f"interview-bot scheduler benchmark: {document['cpus']} CPUs, PostgreSQL "
            f"{document['postgres']}, 1-minute load average before the run {document['load_average_before']}"
        )
        print()
    try:
        if args.part in ("tick", "both"):
            tick = run_tick_part(args.postgres_url, args.sizes, args.owners, args.repetitions)
            document["tick"] = asdict(tick)
            if not args.json:
                print_tick(tick)
                print()
        if args.part in ("delivery", "both"):
            deliveries = run_delivery_part(args.postgres_url, args.scenarios, args.replicas, args.tick_every)
            document["delivery"] = [asdict(d) for d in deliveries]
            if not args.json:
                print_delivery(deliveries)
                print()
    except BenchmarkError as exc:
        print(f"benchmark aborted: {exc}", file=sys.stderr)
        return 1
    document["seconds"] = round(time.perf_counter() - began, 1)
    if args.json:
        print(json.dumps(document, indent=2))
    else:
        results = [document["tick"]["ok"]] if "tick" in document else []
        results += [d["ok"] for d in document.get("delivery", [])]
        verdict = (
            "All targets met." if all(results) else "TARGETS MISSED (a measurement: exit status is still 0)"
        )
        print(f"{verdict} {document['seconds']:.0f} s in all.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
