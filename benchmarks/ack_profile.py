"""Where the CPU of a signed `/interview log` goes: the app (ours or the bare Bolt app of benchmarks.load)
served as in the load benchmark, in a process of its own, every request and the work after its ack under
cProfile by CPU time, in whichever thread runs it; printed by own time, then by cumulative time.

Run from the repository root:
    python -m benchmarks.ack_profile [--app ours|bare] [--requests 2000] [--concurrency 50] [--top 15]
cProfile slows the code it watches (several times over): the shares are what to read, not the times.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from benchmarks.load import (
    TZ_WARMUP_TIMEOUT,
    USERS,
    AppSpec,
    Bench,
    BenchmarkError,
    Child,
    fake_slack_main,
    load_main,
    start_app,
)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.ack_profile", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--app", choices=("ours", "bare"), default="ours")
    parser.add_argument("--requests", type=int, default=2000, help="requests profiled (default 2000)")
    parser.add_argument("--concurrency", type=int, default=50, help="requests in flight (default 50)")
    parser.add_argument("--top", type=int, default=15, help="entries printed per order (default 15)")
    args = parser.parse_args(argv)
    if min(args.requests, args.concurrency, args.top) < 1:
        parser.error("--requests, --concurrency and --top must be at least 1")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    fake = Child(fake_slack_main, "fake-slack")
    loader = Child(load_main, "load-generator")
    try:
        with tempfile.TemporaryDirectory(prefix="interview-bot-profile-") as tmp:
            app = start_app(AppSpec(args.app, fake.hello, str(Path(tmp) / "bot.db"), profile=True), None)
            try:
                bench = Bench(fake=fake, loader=loader, ours=app, bare=app)
                bench.drain()
                # The steady state, as in the load benchmark: every user's zone known, the code warm.
                bench.round(app, concurrency=1, n=len(USERS), tag="tz", strict=False)
                deadline = time.monotonic() + TZ_WARMUP_TIMEOUT
                while not app.child.ask(("zones", USERS)):
                    if time.monotonic() > deadline:
                        raise BenchmarkError("the users' time zones were not cached after the warm-up")
                    time.sleep(0.05)
                time.sleep(0.5)
                bench.drain()
                bench.round(app, concurrency=10, n=100, tag="warm")
                app.child.ask(("profiling", True))
                cpu_began = app.cpu()
                bench.round(app, concurrency=args.concurrency, n=args.requests, tag="profiled")
                cpu = app.cpu() - cpu_began
                app.child.ask(("profiling", False))
                report = app.child.ask(("profile", args.top))
            finally:
                app.child.stop()
    except BenchmarkError as exc:
        print(f"profile aborted: {exc}", file=sys.stderr)
        return 1
    finally:
        fake.stop()
        loader.stop()
    print(
        f"{args.app}: {args.requests} signed `/interview log` at concurrency {args.concurrency}, "
        f"{cpu / args.requests * 1000:.2f} ms of CPU per request under cProfile; "
        f"1-minute load average {os.getloadavg()[0]:.2f}"
    )
    print(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
