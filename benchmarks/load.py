"""Load benchmark: signed `/interview log` requests against the real bot, beside a bare Bolt app.

Both apps sit behind the same waitress server (bot.server) with the same thread counts and talk to the
same fake Slack Web API; the bare app's only listener opens a modal of the same size (our log modal,
built once) and acks. At each concurrency level both apps get the same number of requests, in
alternating rounds so machine noise hits both alike; we report time to HTTP response, p50/p99/max,
and the p99 ratio ours/bare against the targets (ratio ≤ 1.3, ours p99 < 150 ms = 1/20 of Slack's 3 s).

Three processes, so that only the apps share a GIL (as in production, where Slack is elsewhere):
this one runs both apps (only one is under load at a time); a child runs the fake Slack; another child
sends the requests from N threads, each request on its own connection, timed with perf_counter.

Run from the repository root:  python -m benchmarks.load [--requests 500] [--levels 1,10,50] [--json]
It is a measurement: the exit status is 0 even when a target is missed.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import logging
import math
import multiprocessing
import os
import sys
import tempfile
import threading
import time
import traceback
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.signature import SignatureVerifier

from bot.app import build_app
from bot.deps import Deps
from bot.server import EVENTS_PATH, WebApp, make_http_server, run_until_closed
from bot.settings import load_settings
from handlers.commands import COMMAND
from handlers.views.log_modal import LogModalMetadata, LogModalPrefill, log_modal
from storage.db import Database
from storage.migrate import upgrade
from tests.support.fake_slack import DEFAULT_TZ, RESPONSE_URL_METHOD, FakeSlack
from tests.support.slack_requests import APP_ID, CHANNEL_ID, TEAM_ID

HOST = "127.0.0.1"
BOT_TOKEN = "xoxb-test"  # what FakeSlack accepts by default
SIGNING_SECRET = "benchmark-signing-secret"

LEVELS = (1, 10, 50)
DEFAULT_REQUESTS = 500  # per level and per app
MAX_ROUNDS = 10  # per level and app: finer interleaving, but each round must dwarf its ramp-up
USERS = [f"U{n:04d}" for n in range(1, 21)]  # a small pool, each warmed so its zone is cached
WARMUP_REQUESTS = 50
TZ_WARMUP_TIMEOUT = 10.0
CHILD_TIMEOUT = 300.0

TARGET_RATIO = 1.3
TARGET_P99_MS = 3000 / 20  # 1/20 of the time Slack waits for the HTTP response


class BenchmarkError(Exception):
    """The run is not a valid measurement (a failed request, a missing views.open); say why and stop."""


# --------------------------------------------------------------------------------------------------
# Child processes: a request/answer loop over a pipe. The message None means stop.
# --------------------------------------------------------------------------------------------------
class Child:
    def __init__(self, target: Callable[[Connection], None], name: str, cpus: set[int] | None = None) -> None:
        # spawn, not fork: this process runs server threads, and a forked copy of their locks can hang.
        ctx = multiprocessing.get_context("spawn")
        self.name = name
        self._conn, theirs = ctx.Pipe()
        self._process = ctx.Process(target=target, args=(theirs,), name=name, daemon=True)
        self._process.start()
        if cpus is not None and self._process.pid is not None:
            os.sched_setaffinity(self._process.pid, cpus)
        theirs.close()
        self.hello = self._receive()

    def _receive(self) -> Any:
        if not self._conn.poll(CHILD_TIMEOUT):
            raise BenchmarkError(f"{self.name} did not answer within {CHILD_TIMEOUT:.0f} s")
        status, value = self._conn.recv()
        if status != "ok":
            raise BenchmarkError(f"{self.name} failed:\n{value}")
        return value

    def ask(self, message: Any) -> Any:
        self._conn.send(message)
        return self._receive()

    def stop(self) -> None:
        with contextlib.suppress(Exception):
            self.ask(None)
        self._process.join(timeout=5)
        if self._process.is_alive():
            self._process.terminate()


def _serve_child(conn: Connection, hello: Any, handle: Callable[[Any], Any]) -> None:
    conn.send(("ok", hello))
    while True:
        message = conn.recv()
        if message is None:
            conn.send(("ok", None))
            return
        try:
            conn.send(("ok", handle(message)))
        except Exception:
            conn.send(("error", traceback.format_exc()))


@dataclass(frozen=True)
class SlackCalls:
    """What the fake Slack saw since the last drain."""

    opened: list[str]  # trigger_id of every views.open that Slack would have accepted
    rejected_opens: int
    others: dict[str, int]  # any other method, by name
    fake_errors: int
    cpu: float  # CPU seconds the fake used since the last drain


def fake_slack_main(conn: Connection) -> None:
    logging.basicConfig(level=logging.WARNING)
    with FakeSlack(token=BOT_TOKEN) as fake:
        fake.add_users(*USERS)
        cpu_mark = time.process_time()

        def drain(message: Any) -> SlackCalls | None:
            if isinstance(message, tuple) and message[0] == "triggers":
                # Signed ahead in the load process, so the fake cannot see them issued: taken once each.
                fake.accept_trigger_ids(message[1])
                return None
            nonlocal cpu_mark
            cpu_now = time.process_time()
            cpu, cpu_mark = cpu_now - cpu_mark, cpu_now
            calls = fake.calls(include_rejected=True)
            errors = len(fake.server_errors)
            fake.server_errors.clear()
            fake.reset()  # also forgets the opened views, so memory stays flat over the run
            opens = [c for c in calls if c.method == "views.open"]
            ok = [c for c in opens if isinstance(c.response, dict) and c.response.get("ok") is True]
            return SlackCalls(
                opened=[str(c.args.get("trigger_id")) for c in ok],
                rejected_opens=len(opens) - len(ok),
                others=dict(Counter(c.method for c in calls if c.method != "views.open")),
                fake_errors=errors,
                cpu=cpu,
            )

        _serve_child(conn, fake.url, drain)


@dataclass(frozen=True)
class Job:
    port: int
    concurrency: int
    trigger_ids: list[str]
    users: list[str]
    response_url: str  # on the fake Slack: the bot refuses one that is not on the Slack it talks to
    text: str = "log"


@dataclass
class JobResult:
    latencies: list[float] = field(default_factory=list)  # seconds, one per successful request
    failures: list[str] = field(default_factory=list)
    wall: float = 0.0
    cpu: float = 0.0  # CPU seconds of the load generator while sending
    bot_cpu: float = 0.0  # CPU seconds of the apps' process meanwhile (filled in there)
    fake_cpu: float = 0.0  # and of the fake Slack


def _signed_request(job: Job, index: int, signer: SignatureVerifier) -> tuple[bytes, dict[str, str]]:
    """A slash command exactly as Slack posts it: form-encoded, signed with the signing secret."""
    body = urlencode(
        {
            "token": "legacy-verification-token",
            "team_id": TEAM_ID,
            "team_domain": "acme-corp",
            "channel_id": CHANNEL_ID,
            "channel_name": "general",
            "user_id": job.users[index % len(job.users)],
            "user_name": "pat",
            "command": COMMAND,
            "text": job.text,
            "api_app_id": APP_ID,
            "response_url": job.response_url,
            "trigger_id": job.trigger_ids[index],
        }
    )
    ts = str(int(time.time()))
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": signer.generate_signature(timestamp=ts, body=body),
    }
    return body.encode(), headers


def run_job(job: Job) -> JobResult:
    # Signed up front (a run is far shorter than the 5-minute timestamp window): only HTTP is timed.
    signer = SignatureVerifier(SIGNING_SECRET)
    pending = [(*_signed_request(job, i, signer), job.trigger_ids[i]) for i in range(len(job.trigger_ids))]
    pending.reverse()  # pop() from the end sends them in order
    result = JobResult()
    lock = threading.Lock()
    start = threading.Barrier(job.concurrency + 1)

    def worker() -> None:
        start.wait()
        while True:
            with lock:
                if not pending:
                    return
                body, headers, trigger_id = pending.pop()
            conn = http.client.HTTPConnection(HOST, job.port, timeout=30)
            began = time.perf_counter()
            try:
                conn.request("POST", EVENTS_PATH, body=body, headers=headers)
                response = conn.getresponse()
                data = response.read()
                elapsed = time.perf_counter() - began
            except OSError as exc:
                result.failures.append(f"{trigger_id}: {type(exc).__name__}: {exc}")
                continue
            finally:
                conn.close()
            # A bare ack() is an empty 200; our error handler answers 200 with a message instead.
            if response.status != 200 or data:
                result.failures.append(f"{trigger_id}: HTTP {response.status} {data[:300]!r}")
            else:
                result.latencies.append(elapsed)

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(job.concurrency)]
    for thread in threads:
        thread.start()
    start.wait()
    began, cpu_began = time.perf_counter(), time.process_time()
    for thread in threads:
        thread.join()
    result.wall = time.perf_counter() - began
    result.cpu = time.process_time() - cpu_began
    return result


def load_main(conn: Connection) -> None:
    _serve_child(conn, os.getpid(), run_job)


# --------------------------------------------------------------------------------------------------
# The two apps under test, in this process.
# --------------------------------------------------------------------------------------------------
@dataclass
class Target:
    name: str
    port: int
    stop: Callable[[], None]


def serve(name: str, app: App, db: Database, on_stop: Callable[[], None] = lambda: None) -> Target:
    """The app behind bot.server's waitress server on a free port, in a thread."""
    server = make_http_server(WebApp(app, db, signing_secret=SIGNING_SECRET), host=HOST, port=0)
    thread = threading.Thread(target=run_until_closed, args=(server,), name=f"{name}-server", daemon=True)
    thread.start()

    def stop() -> None:
        server.close()
        thread.join(timeout=5)
        on_stop()

    return Target(name=name, port=int(server.effective_port), stop=stop)


def start_ours(api_url: str, db_path: Path) -> tuple[Target, Deps, Database]:
    """The real bot, built exactly as `interview-bot run` builds it in HTTP mode."""
    settings = load_settings(
        {
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": api_url,
            "DATABASE_URL": f"sqlite:///{db_path}",
            "BOT_MODE": "http",
        }
    )
    db = Database(settings.database_url)
    upgrade(db)
    app, deps = build_app(settings=settings, db=db)
    return serve("ours", app, db, on_stop=deps.close), deps, db


def same_size_modal() -> dict[str, Any]:
    """Our log modal as the bot sends it once the user's zone is known, built once, as a plain dict."""
    return log_modal(
        today=date.today(),
        user_id=USERS[0],
        metadata=LogModalMetadata(channel_id=CHANNEL_ID, tz=DEFAULT_TZ),
        prefill=LogModalPrefill(),
    )


def start_bare(api_url: str, view: dict[str, Any], db: Database) -> Target:
    """Bolt with nothing of ours: one listener that opens a prebuilt modal and acks.

    Same ack mode as ours (process_before_response=True: the listener runs on the request thread), so a
    difference is our code, not configuration. `db` only backs WebApp's /healthz, never called here.
    """
    app = App(
        client=WebClient(token=BOT_TOKEN, base_url=api_url),
        signing_secret=SIGNING_SECRET,
        process_before_response=True,
    )

    @app.command(COMMAND)
    def open_modal(ack: Ack, command: dict[str, Any], client: WebClient) -> None:
        client.views_open(trigger_id=command["trigger_id"], view=view)
        ack()

    return serve("bare", app, db)


# --------------------------------------------------------------------------------------------------
# Measuring
# --------------------------------------------------------------------------------------------------
def percentile(sorted_values: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile: a value that was actually measured."""
    rank = max(1, math.ceil(pct / 100 * len(sorted_values)))
    return sorted_values[rank - 1]


@dataclass(frozen=True)
class Stats:
    n: int
    p50_ms: float
    p99_ms: float
    max_ms: float
    req_per_s: float
    # CPU per request, by process: where a saturated 2-core machine spends its time.
    bot_cpu_ms: float
    fake_slack_cpu_ms: float
    load_cpu_ms: float

    @classmethod
    def of(cls, rounds: list[JobResult]) -> Stats:
        values = sorted(v for r in rounds for v in r.latencies)
        n = len(values)

        def per_request(seconds: float) -> float:
            return round(seconds / n * 1000, 3)

        return cls(
            n=n,
            p50_ms=round(percentile(values, 50) * 1000, 2),
            p99_ms=round(percentile(values, 99) * 1000, 2),
            max_ms=round(values[-1] * 1000, 2),
            req_per_s=round(n / sum(r.wall for r in rounds), 1),
            bot_cpu_ms=per_request(sum(r.bot_cpu for r in rounds)),
            fake_slack_cpu_ms=per_request(sum(r.fake_cpu for r in rounds)),
            load_cpu_ms=per_request(sum(r.cpu for r in rounds)),
        )


@dataclass(frozen=True)
class LevelResult:
    concurrency: int
    ours: Stats
    bare: Stats
    p99_ratio: float
    ratio_ok: bool
    p99_ok: bool


class Bench:
    def __init__(self, *, fake: Child, loader: Child, ours: Target, bare: Target, deps: Deps) -> None:
        self.fake = fake
        self.loader = loader
        self.ours = ours
        self.bare = bare
        self.deps = deps

    def drain(self) -> SlackCalls:
        calls: SlackCalls = self.fake.ask("drain")
        return calls

    def round(self, target: Target, *, concurrency: int, n: int, tag: str, strict: bool = True) -> JobResult:
        """n requests at the given concurrency; checks each got an empty 200 and exactly one views.open."""
        triggers = [f"{target.name}-{tag}-{i:05d}" for i in range(n)]
        job = Job(
            port=target.port,
            concurrency=concurrency,
            trigger_ids=triggers,
            users=USERS,
            response_url=self.fake.hello + RESPONSE_URL_METHOD,
        )
        before = self.drain()  # also starts the fake's CPU count here
        self.fake.ask(("triggers", triggers))
        cpu_began = time.process_time()
        result: JobResult = self.loader.ask(job)
        result.bot_cpu = time.process_time() - cpu_began
        calls = self.drain()
        result.fake_cpu = calls.cpu
        where = f"{target.name}, {tag}"
        if strict and (before.opened or before.others):
            raise BenchmarkError(f"Slack calls between rounds ({where}): {before}")
        if result.failures:
            shown = "\n  ".join(result.failures[:5])
            raise BenchmarkError(f"{len(result.failures)} of {n} requests failed ({where}):\n  {shown}")
        if Counter(calls.opened) != Counter(triggers):
            missing = len(set(triggers) - set(calls.opened))
            raise BenchmarkError(
                f"expected one views.open per request ({where}): {n} requests, {len(calls.opened)} opened, "
                f"{missing} without a modal, {calls.rejected_opens} rejected by the fake Slack"
            )
        if calls.fake_errors:
            raise BenchmarkError(f"the fake Slack hit {calls.fake_errors} internal errors ({where})")
        if strict and calls.others:
            raise BenchmarkError(f"not the steady state ({where}): Slack also got {calls.others}")
        return result

    def warm_up(self) -> None:
        # Our first request per user looks the zone up (users.info, after the ack); steady state is after.
        self.round(self.ours, concurrency=1, n=len(USERS), tag="tz", strict=False)
        deadline = time.monotonic() + TZ_WARMUP_TIMEOUT
        while any(self.deps.timezones.cached(TEAM_ID, u) is None for u in USERS):
            if time.monotonic() > deadline:
                raise BenchmarkError("the users' time zones were not cached after the warm-up")
            time.sleep(0.05)
        time.sleep(0.5)  # a date correction (views.update) may still be on its way
        self.drain()
        for target in (self.ours, self.bare):
            self.round(target, concurrency=10, n=WARMUP_REQUESTS, tag="warm")

    def level(self, concurrency: int, requests: int) -> LevelResult:
        rounds = max(1, min(MAX_ROUNDS, requests // (5 * concurrency)))
        sizes = [requests // rounds + (1 if r < requests % rounds else 0) for r in range(rounds)]
        results: dict[str, list[JobResult]] = {"ours": [], "bare": []}
        for r, size in enumerate(sizes):
            # ours-bare, bare-ours, ...: neither always goes first (after the other's leftovers).
            order = (self.ours, self.bare) if r % 2 == 0 else (self.bare, self.ours)
            for target in order:
                tag = f"c{concurrency}r{r}"
                results[target.name].append(self.round(target, concurrency=concurrency, n=size, tag=tag))
        ours, bare = Stats.of(results["ours"]), Stats.of(results["bare"])
        ratio = round(ours.p99_ms / bare.p99_ms, 3)
        return LevelResult(
            concurrency=concurrency,
            ours=ours,
            bare=bare,
            p99_ratio=ratio,
            ratio_ok=ratio <= TARGET_RATIO,
            p99_ok=ours.p99_ms < TARGET_P99_MS,
        )


# --------------------------------------------------------------------------------------------------
# Output
# --------------------------------------------------------------------------------------------------
def _verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def print_table(
    results: list[LevelResult], *, requests: int, modal_bytes: int, seconds: float, load_before: float
) -> None:
    print(
        f"interview-bot load benchmark: signed `{COMMAND} log`, {requests} requests per level and app, "
        f"{os.cpu_count()} CPUs, modal {modal_bytes} bytes of JSON, {seconds:.0f} s"
    )
    # Other work on the machine shows in the absolute figures; the interleaved ratio resists it better.
    print(f"1-minute load average before the run: {load_before:.2f}")
    print(f"targets: p99 ours/bare <= {TARGET_RATIO}, ours p99 < {TARGET_P99_MS:.0f} ms\n")
    header = (
        f"{'level':>5}  {'app':<4}  {'n':>5}  {'p50 ms':>8}  {'p99 ms':>8}  {'max ms':>8}  {'req/s':>7}"
        f"  {'CPU ms/req: app':>15} {'fake':>5} {'load':>5}"
    )
    print(header)
    print("-" * len(header))
    for level in results:
        for name, stats in (("ours", level.ours), ("bare", level.bare)):
            print(
                f"{level.concurrency:>5}  {name:<4}  {stats.n:>5}  {stats.p50_ms:>8.1f}  "
                f"{stats.p99_ms:>8.1f}  {stats.max_ms:>8.1f}  {stats.req_per_s:>7.1f}  "
                f"{stats.bot_cpu_ms:>15.2f} {stats.fake_slack_cpu_ms:>5.2f} {stats.load_cpu_ms:>5.2f}"
            )
        print(
            f"{'':>5}  p99 ratio ours/bare {level.p99_ratio:.2f}: {_verdict(level.ratio_ok)}"
            f"   ours p99 {level.ours.p99_ms:.1f} ms < {TARGET_P99_MS:.0f} ms: {_verdict(level.p99_ok)}"
        )
    missed = [r for r in results if not (r.ratio_ok and r.p99_ok)]
    print()
    if missed:
        levels = ", ".join(str(r.concurrency) for r in missed)
        print(f"TARGETS MISSED at concurrency {levels} (a measurement: exit status is still 0)")
    else:
        print("All targets met.")


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.load", description=__doc__.split("\n")[0])
    parser.add_argument(
        "--requests", type=int, default=DEFAULT_REQUESTS, help="requests per level and app (default 500)"
    )
    parser.add_argument(
        "--levels",
        default=",".join(map(str, LEVELS)),
        help="comma-separated concurrency levels (default 1,10,50)",
    )
    parser.add_argument("--json", action="store_true", help="print the results as JSON instead of a table")
    parser.add_argument(
        "--pin",
        action="store_true",
        help="give the apps one core, the fake Slack and the load generator the other (needs 2+ cores)",
    )
    args = parser.parse_args(argv)
    try:
        args.levels = [int(x) for x in args.levels.split(",") if x.strip()]
    except ValueError:
        parser.error("--levels takes whole numbers separated by commas")
    if args.requests < 1 or not args.levels or min(args.levels) < 1:
        parser.error("--requests and every level must be at least 1")
    return args


def run(modal: dict[str, Any], requests: int, levels: Sequence[int], pin: bool) -> list[LevelResult]:
    # Pinned: the apps get a core of their own, and the fake Slack and the load generator share the
    # other, as slack.com and Slack's clients do not run on the bot's machine.
    apps_cpus, others_cpus = ({0}, {1}) if pin else (None, None)
    if apps_cpus is not None:
        os.sched_setaffinity(0, apps_cpus)
    with contextlib.ExitStack() as stack:
        fake = Child(fake_slack_main, "fake-slack", others_cpus)
        stack.callback(fake.stop)
        loader = Child(load_main, "load-generator", others_cpus)
        stack.callback(loader.stop)
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="interview-bot-bench-")))
        api_url: str = fake.hello
        ours, deps, db = start_ours(api_url, tmp / "bot.db")
        stack.callback(db.dispose)
        stack.callback(ours.stop)
        bare = start_bare(api_url, modal, db)
        stack.callback(bare.stop)
        logging.getLogger().setLevel(logging.WARNING)  # after Alembic, which may configure logging
        # Requests queueing for waitress's threads is what a concurrency level beyond them means.
        logging.getLogger("waitress.queue").setLevel(logging.ERROR)

        bench = Bench(fake=fake, loader=loader, ours=ours, bare=bare, deps=deps)
        bench.drain()  # auth.test from both apps' start-up
        bench.warm_up()
        return [bench.level(concurrency, requests) for concurrency in levels]


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    began = time.perf_counter()
    load_before = os.getloadavg()[0]
    modal = same_size_modal()
    try:
        results = run(modal, args.requests, args.levels, pin=args.pin)
    except BenchmarkError as exc:
        print(f"benchmark aborted: {exc}", file=sys.stderr)
        return 1
    seconds = time.perf_counter() - began
    modal_bytes = len(json.dumps(modal, separators=(",", ":")))
    if args.json:
        document = {
            "requests_per_level": args.requests,
            "cpus": os.cpu_count(),
            "modal_bytes": modal_bytes,
            "seconds": round(seconds, 1),
            "load_average_before": round(load_before, 2),
            "targets": {"p99_ratio_max": TARGET_RATIO, "ours_p99_ms_below": TARGET_P99_MS},
            "levels": [asdict(r) for r in results],
        }
        print(json.dumps(document, indent=2))
    else:
        print_table(
            results, requests=args.requests, modal_bytes=modal_bytes, seconds=seconds, load_before=load_before
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
