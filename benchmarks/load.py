"""Load benchmark: signed `/interview log` requests against the real bot, beside a bare Bolt app.

Ours is the bot as `interview-bot run` builds it in HTTP mode (the front door, the dispatcher, build_app's
Bolt app). Bare is Bolt as its documentation sets it up (App with its default middleware, which checks
the signature, and Bolt's WSGI adapter), whose only listener opens a modal of the same size (our log
modal, built once) and acks. Both sit behind handlers.requests.server's waitress settings (the same
thread counts) and talk to the same fake Slack Web API. At each concurrency level both get the same number of
requests, in alternating rounds so machine noise hits both alike; we report time to HTTP response,
p50/p99/max, CPU per request, and the ratios ours/bare against the targets (CPU and p99 each ≤ 1.1;
ours p99 < 150 ms = 1/20 of Slack's 3 s).

Five processes, one per part, as in production (where Slack and its clients are elsewhere): this one
only directs; each app serves from a process of its own, so the CPU counted for an app is its own
process's (its request threads, its work after the ack, its server loop: read once it has settled after
each round), never the other app's leftovers; a child runs the fake Slack; another sends the requests
from N threads, each request on its own connection, timed with perf_counter.

Run from the repository root:  python -m benchmarks.load [--requests 500] [--levels 1,10,50] [--json]
It is a measurement: the exit status is 0 even when a target is missed.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import functools
import http.client
import io
import json
import logging
import math
import multiprocessing
import os
import pstats
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
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient
from slack_sdk.signature import SignatureVerifier

from bot.app import build_app
from bot.config import load_config
from bot.logs import configure_logging
from handlers.commands import COMMAND
from handlers.requests.server import EVENTS_PATH, WebApp, make_http_server, run_until_closed
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
SETTLE_STEP = 0.05  # seconds between two looks at an app process's CPU after a round
IDLE_SHARE = 0.05  # settled: it used less than this share of a core meanwhile
SETTLE_TIMEOUT = 5.0

TARGET_RATIO = 1.1  # ours/bare, for the CPU per request and for p99
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
# The two apps under test, each in a process of its own: its CPU is its own (its request threads, its
# after-ack work, its server's loop), never the other app's leftovers.
# --------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class AppSpec:
    which: str  # "ours" or "bare"
    api_url: str
    db_path: str
    profile: bool = False  # every request, and the work after it, under cProfile (benchmarks.ack_profile)


class ThreadProfiles:
    """cProfile in every thread that serves a request or runs work after one (cProfile sees one thread
    at a time), by CPU time (time.thread_time: waiting for Slack does not count), merged on demand."""

    def __init__(self) -> None:
        self._local = threading.local()
        self._all: list[cProfile.Profile] = []
        self._lock = threading.Lock()
        self.on = False  # off while warming up

    def run(self, work: Callable[..., Any], *args: Any) -> Any:
        if not self.on:
            return work(*args)
        profile = getattr(self._local, "profile", None)
        if profile is None:
            profile = self._local.profile = cProfile.Profile(time.thread_time)
            with self._lock:
                self._all.append(profile)
        profile.enable()
        try:
            return work(*args)
        finally:
            profile.disable()

    def report(self, top: int) -> str:
        out = io.StringIO()
        with self._lock:
            profiles = list(self._all)
        if not profiles:
            return "(nothing profiled)"
        stats = pstats.Stats(profiles[0], stream=out)
        for profile in profiles[1:]:
            stats.add(profile)
        for order in ("tottime", "cumulative"):
            stats.sort_stats(order).print_stats(top)
        return out.getvalue()


@dataclass
class Target:
    name: str
    port: int
    child: Child

    def cpu(self) -> float:
        """CPU seconds the app's process has used so far, read once it has settled (work after the ack
        done): a round's CPU is all the work its requests caused."""
        seconds: float = self.child.ask("cpu")
        return seconds


def same_size_modal() -> dict[str, Any]:
    """Our log modal as the bot sends it once the user's zone is known, built once, as a plain dict."""
    return log_modal(
        today=date.today(),
        user_id=USERS[0],
        metadata=LogModalMetadata(channel_id=CHANNEL_ID, tz=DEFAULT_TZ),
        prefill=LogModalPrefill(),
    )


def ours_app(
    spec: AppSpec, profiles: ThreadProfiles | None = None
) -> tuple[Any, Callable[[list[str]], bool], Callable[[], None]]:
    """The real bot, built and logging exactly as `interview-bot run` builds it in HTTP mode (with
    LOG_LEVEL=WARNING): WebApp (the front door, the dispatcher) around build_app's Bolt app."""
    configure_logging(level=logging.WARNING, fmt="plain")
    config = load_config(
        {
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": spec.api_url,
            "DATABASE_URL": f"sqlite:///{spec.db_path}",
            "BOT_MODE": "http",
        }
    )
    db = Database(config.database_url)
    upgrade(db)
    app, deps = build_app(config=config, db=db)
    if profiles is not None:  # the work after the ack too, in whichever thread runs it
        after_ack = deps.after_ack
        # Deps is frozen for the bot's code; the profiler wraps the process's after-ack work all the same.
        object.__setattr__(deps, "after_ack", lambda work: after_ack(functools.partial(profiles.run, work)))

    def zones_known(users: list[str]) -> bool:
        return all(deps.timezones.cached(TEAM_ID, u) is not None for u in users)

    def close() -> None:
        deps.close()
        db.dispose()

    return WebApp(app, db, signing_secret=SIGNING_SECRET), zones_known, close


def bare_app(
    spec: AppSpec, profiles: ThreadProfiles | None = None
) -> tuple[Any, Callable[[list[str]], bool], Callable[[], None]]:
    """Bolt with nothing of ours, as its documentation sets it up: App with its default middleware (it
    checks the signature itself), Bolt's own WSGI adapter, one listener that opens a prebuilt modal of
    the same size and acks. Same ack mode as ours (process_before_response=True: the listener runs on
    the request thread), so a difference is our code, not configuration."""
    logging.basicConfig(level=logging.WARNING)
    view = same_size_modal()
    app = App(
        client=WebClient(token=BOT_TOKEN, base_url=spec.api_url),
        signing_secret=SIGNING_SECRET,
        process_before_response=True,
    )

    @app.command(COMMAND)
    def open_modal(ack: Ack, command: dict[str, Any], client: WebClient) -> None:
        client.views_open(trigger_id=command["trigger_id"], view=view)
        ack()

    return SlackRequestHandler(app, path=EVENTS_PATH), lambda users: True, lambda: None


def settled_cpu() -> float:
    """This process's CPU seconds, once it has stopped working (at most SETTLE_TIMEOUT seconds)."""
    deadline = time.monotonic() + SETTLE_TIMEOUT
    before = time.process_time()
    while True:
        time.sleep(SETTLE_STEP)
        now = time.process_time()
        if now - before < SETTLE_STEP * IDLE_SHARE or time.monotonic() > deadline:
            return now
        before = now


def app_main(conn: Connection, spec: AppSpec) -> None:
    profiles = ThreadProfiles() if spec.profile else None
    wsgi, zones_known, close = (ours_app if spec.which == "ours" else bare_app)(spec, profiles)
    if profiles is not None:
        served = wsgi

        def wsgi(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
            return profiles.run(served, environ, start_response)

    # Requests queueing for waitress's threads is what a concurrency level beyond them means.
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)
    # Both behind handlers.requests.server's waitress settings (threads, timeouts); the bare app through
    # Bolt's adapter.
    server = make_http_server(wsgi, host=HOST, port=0)
    thread = threading.Thread(target=run_until_closed, args=(server,), name="server", daemon=True)
    thread.start()

    def handle(message: Any) -> Any:
        if message == "cpu":
            return settled_cpu()
        if isinstance(message, tuple) and message[0] == "zones":
            return zones_known(message[1])
        if isinstance(message, tuple) and message[0] == "profiling" and profiles is not None:
            settled_cpu()  # the work after the last ack done
            profiles.on = message[1]
            return None
        if isinstance(message, tuple) and message[0] == "profile" and profiles is not None:
            return profiles.report(message[1])
        raise ValueError(f"unknown message {message!r}")

    try:
        _serve_child(conn, int(server.effective_port), handle)
    finally:
        server.close()
        thread.join(timeout=5)
        close()


def start_app(spec: AppSpec, cpus: set[int] | None) -> Target:
    child = Child(functools.partial(app_main, spec=spec), spec.which, cpus)
    return Target(name=spec.which, port=int(child.hello), child=child)


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
    cpu_ratio: float
    ratio_ok: bool  # both ratios within TARGET_RATIO
    p99_ok: bool


class Bench:
    def __init__(self, *, fake: Child, loader: Child, ours: Target, bare: Target) -> None:
        self.fake = fake
        self.loader = loader
        self.ours = ours
        self.bare = bare

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
        cpu_began = target.cpu()
        result: JobResult = self.loader.ask(job)
        result.bot_cpu = target.cpu() - cpu_began
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
        while not self.ours.child.ask(("zones", USERS)):
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
        cpu_ratio = round(ours.bot_cpu_ms / bare.bot_cpu_ms, 3)
        return LevelResult(
            concurrency=concurrency,
            ours=ours,
            bare=bare,
            p99_ratio=ratio,
            cpu_ratio=cpu_ratio,
            ratio_ok=max(ratio, cpu_ratio) <= TARGET_RATIO,
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
    print(f"targets: CPU and p99 ours/bare <= {TARGET_RATIO} each, ours p99 < {TARGET_P99_MS:.0f} ms\n")
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
            f"{'':>5}  ours/bare: CPU {level.cpu_ratio:.2f}, p99 {level.p99_ratio:.2f}: "
            f"{_verdict(level.ratio_ok)}"
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


def run(requests: int, levels: Sequence[int], pin: bool) -> list[LevelResult]:
    # Pinned: the apps get a core of their own, and the fake Slack and the load generator share the
    # other, as slack.com and Slack's clients do not run on the bot's machine.
    apps_cpus, others_cpus = ({0}, {1}) if pin else (None, None)
    with contextlib.ExitStack() as stack:
        fake = Child(fake_slack_main, "fake-slack", others_cpus)
        stack.callback(fake.stop)
        loader = Child(load_main, "load-generator", others_cpus)
        stack.callback(loader.stop)
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="interview-bot-bench-")))
        api_url: str = fake.hello
        ours = start_app(AppSpec("ours", api_url, str(tmp / "bot.db")), apps_cpus)
        stack.callback(ours.child.stop)
        bare = start_app(AppSpec("bare", api_url, ""), apps_cpus)
        stack.callback(bare.child.stop)

        bench = Bench(fake=fake, loader=loader, ours=ours, bare=bare)
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
        results = run(args.requests, args.levels, pin=args.pin)
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
            "targets": {"ratio_max": TARGET_RATIO, "ours_p99_ms_below": TARGET_P99_MS},
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
