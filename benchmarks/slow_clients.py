"""Slow-client benchmark: signed `/interview help` commands answered while 500 slow connections are held.

Each slow connection starts a request to /slack/events and sends one header line every 8 s, never
finishing it; when the server cuts one, another is opened at once, as an attacker would. Once they are
all open and the attack has run a while, 50 signed `/interview help` commands arrive, four a second, each
on its own connection, and each is timed to its full answer; one not answered within 5 s counts as
unanswered (Slack gives up after 3 s). Target: **p99 ≤ 1 s**, every command answered.

`--before` serves the bot as it was served before the request deadline (waitress's defaults: at most 100
connections, only silent ones closed, after 30 s, select()), to show what the attack did then.

Four processes, so that only the bot is in the bot's: this one runs the bot (as `interview-bot run` builds
it in HTTP mode); children run the fake Slack Web API, the slow clients, and the commands.

Run from the repository root:  python -m benchmarks.slow_clients [--slow 500] [--commands 50] [--before]
It is a measurement: the exit status is 0 even when the target is missed.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import logging
import os
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from slack_sdk.signature import SignatureVerifier
from waitress import create_server

from benchmarks.load import (
    BOT_TOKEN,
    HOST,
    SIGNING_SECRET,
    BenchmarkError,
    Child,
    _serve_child,
    fake_slack_main,
    percentile,
)
from bot.app import build_app
from bot.config import load_config
from handlers.requests.server import EVENTS_PATH, WebApp, make_http_server, run_until_closed
from handlers.requests.signature import MAX_BODY
from storage.db import Database
from storage.migrate import upgrade
from tests.support.fake_slack import RESPONSE_URL_METHOD
from tests.support.slack_requests import CHANNEL_ID, TEAM_ID, USER_ID
from tests.support.slow_clients import SlowClients

SLOW = 500
EVERY = 8.0  # seconds between two header lines of a slow connection
COMMANDS = 50
COMMANDS_PER_SECOND = 4
ANSWER_TIMEOUT = 5.0  # seconds; Slack itself waits 3
SETTLE = 12.0  # seconds of attack before the first command: past the first round of cuts and reconnects
TARGET_P99_S = 1.0


# --------------------------------------------------------------------------------------------------
# Children
# --------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Attack:
    port: int
    count: int
    every: float


def slow_clients_main(conn: Connection) -> None:
    """Holds the slow connections; answers "status" with (held, cut so far, refused), None stops."""
    clients: SlowClients | None = None

    def handle(message: Any) -> Any:
        nonlocal clients
        if isinstance(message, Attack):
            attack = message
            clients = SlowClients(HOST, attack.port, count=attack.count, every=attack.every, reconnect=True)
            clients.start()
            return clients.held
        assert clients is not None
        status = clients.held, len(clients.lived), clients.refused
        if message == "stop":
            clients.stop()
        return status

    _serve_child(conn, os.getpid(), handle)


@dataclass(frozen=True)
class Commands:
    port: int
    count: int
    per_second: float
    response_url: str  # on the fake Slack: the bot refuses one that is not on the Slack it talks to


def _command(port: int, index: int, signer: SignatureVerifier, response_url: str) -> float | str:
    """One signed `/interview help`: seconds to its answer, or why there was none."""
    from urllib.parse import urlencode

    body = urlencode(
        {
            "team_id": TEAM_ID,
            "user_id": USER_ID,
            "channel_id": CHANNEL_ID,
            "command": "/interview",
            "text": "help",
            "response_url": response_url,
            "trigger_id": f"slow-bench-{index}",
        }
    )
    stamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": signer.generate_signature(timestamp=stamp, body=body),
    }
    began = time.perf_counter()
    conn = http.client.HTTPConnection(HOST, port, timeout=ANSWER_TIMEOUT)
    try:
        conn.request("POST", EVENTS_PATH, body=body.encode(), headers=headers)
        response = conn.getresponse()
        data = response.read()
    except OSError as exc:
        return f"{type(exc).__name__}"
    finally:
        conn.close()
    elapsed = time.perf_counter() - began
    if response.status != 200 or b"What /interview can do" not in data:
        return f"HTTP {response.status}"
    return elapsed


def commands_main(conn: Connection) -> None:
    """Sends the commands at a steady rate (each on its own thread: a slow answer delays no other)."""

    def handle(job: Commands) -> list[float | str]:
        signer = SignatureVerifier(SIGNING_SECRET)
        results: list[float | str] = ["not sent"] * job.count
        threads = []
        start = time.monotonic()
        for i in range(job.count):
            time.sleep(max(0.0, start + i / job.per_second - time.monotonic()))

            def one(i: int = i) -> None:
                results[i] = _command(job.port, i, signer, job.response_url)

            thread = threading.Thread(target=one, daemon=True)
            thread.start()
            threads.append(thread)
        for thread in threads:
            thread.join(ANSWER_TIMEOUT + 5)
        return results

    _serve_child(conn, os.getpid(), handle)


# --------------------------------------------------------------------------------------------------
# The bot, in this process
# --------------------------------------------------------------------------------------------------
def serve_bot(api_url: str, db_path: Path, *, before: bool) -> tuple[int, Any]:
    """The bot as `interview-bot run` builds it in HTTP mode; `before`: behind the server it had before."""
    config = load_config(
        {
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": api_url,
            "DATABASE_URL": f"sqlite:///{db_path}",
            "BOT_MODE": "http",
        }
    )
    db = Database(config.database_url)
    upgrade(db)
    app, deps = build_app(config=config, db=db)
    web_app = WebApp(app, db, signing_secret=SIGNING_SECRET)
    if before:
        server = create_server(
            web_app,
            host=HOST,
            port=0,
            threads=16,
            ident="interview-bot",
            channel_timeout=30,
            clear_untrusted_proxy_headers=True,
            max_request_body_size=2 * MAX_BODY,
        )
    else:
        server = make_http_server(web_app, host=HOST, port=0)
    thread = threading.Thread(target=run_until_closed, args=(server,), name="bot-server", daemon=True)
    thread.start()

    def stop() -> None:
        server.close()
        thread.join(timeout=5)
        deps.close()
        db.dispose()

    return int(server.effective_port), stop


# --------------------------------------------------------------------------------------------------
# Measuring
# --------------------------------------------------------------------------------------------------
def run(args: argparse.Namespace) -> int:
    logging.basicConfig(level=logging.WARNING)
    load_before = os.getloadavg()[0]
    with contextlib.ExitStack() as stack:
        fake = Child(fake_slack_main, "fake-slack")
        stack.callback(fake.stop)
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="interview-bot-slow-")))
        port, stop_bot = serve_bot(fake.hello, tmp / "bot.db", before=args.before)
        stack.callback(stop_bot)
        logging.getLogger().setLevel(logging.WARNING)  # after Alembic, which may configure logging
        # Commands queueing for a thread once the attack ends (--before) is not what is measured.
        logging.getLogger("waitress.queue").setLevel(logging.ERROR)
        slow = Child(slow_clients_main, "slow-clients")
        stack.callback(slow.stop)
        sender = Child(commands_main, "commands")
        stack.callback(sender.stop)

        cpu_began = time.process_time()
        opened = slow.ask(Attack(port=port, count=args.slow, every=args.every))
        if opened < args.slow:
            raise BenchmarkError(f"only {opened} of {args.slow} slow connections could be opened")
        time.sleep(args.settle)
        held_before, cut_before, _ = slow.ask("status")
        began = time.perf_counter()
        commands = Commands(
            port=port,
            count=args.commands,
            per_second=COMMANDS_PER_SECOND,
            response_url=fake.hello + RESPONSE_URL_METHOD,
        )
        results = sender.ask(commands)
        took = time.perf_counter() - began
        held_after, cut_after, refused = slow.ask("stop")
        bot_cpu = time.process_time() - cpu_began

    answered = sorted(r for r in results if isinstance(r, float))
    unanswered = [r for r in results if not isinstance(r, float)]
    before = "before (waitress defaults: 100 connections, 30 s idle, select)"
    server = before if args.before else "handlers.requests.server"
    print(
        f"interview-bot slow-client benchmark ({server}): {args.slow} slow connections, one header line "
        f"every {args.every:g} s, reconnecting when cut; {args.commands} signed `/interview help`, "
        f"{COMMANDS_PER_SECOND} a second, after {args.settle:g} s of attack; {os.cpu_count()} CPUs"
    )
    print(f"1-minute load average before the run: {load_before:.2f}")
    print(
        f"slow connections open (clients' side) when the commands began / ended: {held_before} / "
        f"{held_after}; cut by the server so far: {cut_before} / {cut_after}; connects refused: {refused}"
    )
    print(f"bot process CPU over the attack: {bot_cpu:.1f} s in {args.settle + took:.1f} s")
    print(f"answered: {len(answered)} of {args.commands} within {ANSWER_TIMEOUT:g} s", end="")
    if unanswered:
        print(f" (unanswered: {', '.join(sorted(set(unanswered)))})", end="")
    print()
    if answered:
        # Unanswered commands count as slower than any answer: the percentiles are over all commands.
        ranked = answered + [float("inf")] * len(unanswered)
        p50, p99 = percentile(ranked, 50), percentile(ranked, 99)

        def shown(seconds: float) -> str:
            return "no answer" if seconds == float("inf") else f"{seconds * 1000:.0f} ms"

        print(f"answer time: p50 {shown(p50)}, p99 {shown(p99)}, max {shown(ranked[-1])}")
        ok = p99 <= TARGET_P99_S
    else:
        print("answer time: no command was answered")
        ok = False
    print(f"target p99 <= {TARGET_P99_S:g} s, every command answered: {'PASS' if ok else 'FAIL'}")
    return 0


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.slow_clients", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--slow", type=int, default=SLOW, help=f"slow connections held (default {SLOW})")
    parser.add_argument("--every", type=float, default=EVERY, help="seconds between their header lines")
    parser.add_argument("--commands", type=int, default=COMMANDS, help=f"commands sent (default {COMMANDS})")
    parser.add_argument("--settle", type=float, default=SETTLE, help="seconds of attack before the commands")
    parser.add_argument("--before", action="store_true", help="serve the bot as before the request deadline")
    args = parser.parse_args(argv)
    if args.slow < 1 or args.commands < 1 or args.every <= 0 or args.settle < 0:
        parser.error("--slow, --commands and --every must be positive")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        return run(args)
    except BenchmarkError as exc:
        print(f"benchmark aborted: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
