"""A submission at the log modal's own limits: how long Slack waits for the bot's answer.

Every text field of the log modal filled to its max_length (the modal's own limits, FIELD_MAX) with short
lines, as someone pasting a long call's notes would, submitted as Slack submits it (signed, form-encoded)
to the real bot behind its HTTP server; and an edit of such an interview that changes 1,000 of its lines.
Each submission is timed to the full HTTP response (what Slack waits for, 3 s at most), then to the
confirmation DM (edits: its redraw), which comes after the answer.

Two processes: this one runs the bot (built as `interview-bot run` builds it in HTTP mode) and sends the
requests; a child runs the fake Slack Web API. SQLite in a temporary folder by default; `--postgres` uses
a scratch database on the server of TEST_POSTGRES_URL (or `--postgres-url`), dropped at the end.

Run from the repository root:
    python -m benchmarks.big_submission [--runs 5] [--postgres] [--line-chars 7] [--profile] [--json]
`--profile` runs the submissions once more under cProfile (the server thread only) and prints where the
time goes. A measurement: the exit status is 0 even when a target is missed, 1 when the run is not valid.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import http.client
import io
import json
import logging
import os
import pstats
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from slack_sdk.signature import SignatureVerifier
from sqlalchemy import func, select

from benchmarks.load import BOT_TOKEN, SIGNING_SECRET, BenchmarkError, Child, _serve_child
from benchmarks.scratch import scratch_database
from bot.app import build_app
from bot.capture.interviews import FIELD_MAX
from bot.config import load_config
from bot.themes.semantic import load_embedder
from bot.themes.upkeep.job import UpkeepJob
from bot.themes.upkeep.work import UpkeepSchedule
from handlers.deps import Deps
from handlers.requests.server import EVENTS_PATH, WebApp, make_http_server, run_until_closed
from handlers.views.log_modal import TEXT_FIELDS, LogModalMetadata, LogModalPrefill, log_modal
from storage.db import Database
from storage.migrate import upgrade
from storage.models import CustomerRequest, FollowUp, Interview, Pain, Quote
from tests.support.fake_slack import DEFAULT_TZ, FakeSlack
from tests.support.forms import log_form
from tests.support.slack_requests import APP_ID, TEAM_ID, USER_ID

HOST = "127.0.0.1"
DEFAULT_RUNS = 5
DEFAULT_LINE_CHARS = 7  # "pain 12": short lines, so a field at its limit holds hundreds of them
CHANGED_LINES = 1000  # what the edit changes, spread over pains, requests and quotes
SLACK_WAITS = 3.0  # seconds Slack waits for the HTTP response
TARGET_ACK = SLACK_WAITS / 3  # "well within": a third of it, leaving room for the network and a busy host
DM_TIMEOUT = 120.0
ANSWER_TIMEOUT = 120.0
PROFILE_TOP = 25


# --------------------------------------------------------------------------------------------------
# The fake Slack, in a child process
# --------------------------------------------------------------------------------------------------
def fake_slack_main(conn: Connection) -> None:
    logging.basicConfig(level=logging.WARNING)
    with FakeSlack(token=BOT_TOKEN) as fake:
        fake.add_users(USER_ID)

        def handle(message: Any) -> Any:
            kind, *rest = message
            if kind == "count":  # accepted calls of a method so far
                return len(fake.calls(rest[0]))
            if kind == "refused":
                return [(c.method, c.status, str(c.response)[:300]) for c in fake.rejected()]
            raise ValueError(f"unknown message {message!r}")

        _serve_child(conn, fake.url, handle)


class Slack:
    """The fake Slack in its child process, asked over a pipe."""

    def __init__(self) -> None:
        self.child = Child(fake_slack_main, "fake-slack")
        self.url: str = self.child.hello

    def count(self, method: str) -> int:
        n: int = self.child.ask(("count", method))
        return n

    def wait_for(self, method: str, count: int, timeout: float = DM_TIMEOUT) -> None:
        deadline = time.monotonic() + timeout
        while self.count(method) < count:
            if time.monotonic() > deadline:
                refused = self.child.ask(("refused",))
                raise BenchmarkError(f"no {method} #{count} within {timeout:.0f} s; refused: {refused[:3]}")
            time.sleep(0.005)


# --------------------------------------------------------------------------------------------------
# The form at its limits
# --------------------------------------------------------------------------------------------------
def short_lines(limit: int, prefix: str, line_chars: int, *, start: int = 0) -> str:
    """`limit` characters exactly: numbered lines of about `line_chars` characters ("pain 12"), the last
    one padded so the field is full to its last character."""
    lines: list[str] = []
    used, n = 0, start
    while True:
        number = str(n)
        line = (prefix[: max(1, line_chars - len(number) - 1)] + " " + number).ljust(line_chars, ".")
        cost = len(line) + (1 if lines else 0)
        if used + cost > limit:
            break
        lines.append(line)
        used += cost
        n += 1
    if used < limit and lines:
        lines[-1] += "." * (limit - used)
    return "\n".join(lines)


def texts_at_limits(line_chars: int, *, start: int = 0, prefix: str = "") -> dict[str, str]:
    """Every text field of the log modal at its max_length: the multiline ones as short lines, the
    one-line ones as one line (Slack sends no newline in a one-line input)."""
    texts: dict[str, str] = {}
    for field in TEXT_FIELDS:
        name, limit = field.value, FIELD_MAX[field.value]
        if name == "recording_url":
            texts[name] = ("https://recordings.example.com/" + "a" * limit)[:limit]
        elif name in ("contact_name", "contact_role"):
            texts[name] = ("Dana " * limit)[:limit].strip().ljust(limit, "a")
        elif name == "promises":  # each line a promise, due in 3 days (no date)
            texts[name] = short_lines(limit, prefix + "send", max(line_chars, 8), start=start)
        else:
            texts[name] = short_lines(limit, prefix + name, line_chars, start=start)
    return texts


def changed_texts(base: dict[str, str], changed: int) -> dict[str, str]:
    """`base` with its first `changed` pains, requests and quotes (a third each) said otherwise."""
    out = dict(base)
    for i, name in enumerate(("pains", "requests", "quotes")):
        per_field = changed // 3 + (1 if i < changed % 3 else 0)
        lines = base[name].split("\n")
        if len(lines) < per_field:
            raise BenchmarkError(
                f"{name} has {len(lines)} lines: use shorter --line-chars to change {changed}"
            )
        out[name] = "\n".join(["~" + line[1:] for line in lines[:per_field]] + lines[per_field:])
    return out


def line_counts(texts: dict[str, str]) -> dict[str, int]:
    return {name: len([x for x in texts[name].split("\n") if x.strip()]) for name in ("pains", "requests")}


# --------------------------------------------------------------------------------------------------
# The bot, in this process
# --------------------------------------------------------------------------------------------------
@dataclass
class Bot:
    deps: Deps
    db: Database
    port: int = 0
    profile: cProfile.Profile | None = None  # set: the server thread runs each request under it


@contextlib.contextmanager
def running_bot(api_url: str, db: Database) -> Iterator[Bot]:
    config = load_config(
        {
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": api_url,
            "DATABASE_URL": db.url,
            "BOT_MODE": "http",
        }
    )
    app, deps = build_app(config=config, db=db)
    web = WebApp(app, db, signing_secret=SIGNING_SECRET)
    bot = Bot(deps=deps, db=db)

    def served(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        profile = bot.profile
        if profile is None:
            return web(environ, start_response)
        profile.enable()
        try:
            return web(environ, start_response)
        finally:
            profile.disable()

    server = make_http_server(served, host=HOST, port=0)  # type: ignore[arg-type]
    thread = threading.Thread(target=run_until_closed, args=(server,), name="bot-server", daemon=True)
    thread.start()
    bot.port = int(server.effective_port)
    try:
        yield bot
    finally:
        server.close()
        thread.join(timeout=5)
        deps.close()


@contextlib.contextmanager
def database(postgres_url: str | None) -> Iterator[Database]:
    if postgres_url:
        with scratch_database(postgres_url, "big_submission") as db:
            yield db
        return
    with tempfile.TemporaryDirectory(prefix="interview-bot-big-") as tmp:
        db = Database(f"sqlite:///{Path(tmp) / 'bot.db'}")
        upgrade(db)
        try:
            yield db
        finally:
            db.dispose()


# --------------------------------------------------------------------------------------------------
# Submitting
# --------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Timed:
    ack_s: float  # to the full HTTP response: what Slack waits for
    followed_s: float  # to the DM (or, for an edit, its redraw): the work after the answer


def _view(interview_id: int | None, view_id: str) -> dict[str, Any]:
    view = log_modal(
        today=date.today(),
        user_id=USER_ID,
        metadata=LogModalMetadata(tz=DEFAULT_TZ, interview_id=interview_id),
        prefill=LogModalPrefill(),
        editing=interview_id is not None,
    )
    return {**view, "id": view_id}


def _values(texts: dict[str, str]) -> dict[str, Any]:
    # The call's date in the person's zone: the form refuses a date in the future.
    today = datetime.now(ZoneInfo(DEFAULT_TZ)).date().isoformat()
    return log_form(account="Acme", held_on=today, share_channel=None, **texts)


def _submit(bot: Bot, view: dict[str, Any], texts: dict[str, str]) -> float:
    """Submit the view as Slack does (signed, form-encoded); seconds to the full HTTP response. Waits
    past Slack's 3 s (up to ANSWER_TIMEOUT), so that a slow answer is measured, not only failed."""
    payload = {
        "type": "view_submission",
        "team": {"id": TEAM_ID, "domain": "acme-corp"},
        "user": {"id": USER_ID, "team_id": TEAM_ID, "name": "pat"},
        "api_app_id": APP_ID,
        "trigger_id": f"trigger-{view['id']}",
        "view": {**view, "team_id": TEAM_ID, "state": {"values": _values(texts)}},
    }
    body = urlencode({"payload": json.dumps(payload)}).encode()
    ts = str(int(time.time()))
    signature = SignatureVerifier(SIGNING_SECRET).generate_signature(timestamp=ts, body=body)
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": signature,
    }
    conn = http.client.HTTPConnection(HOST, bot.port, timeout=ANSWER_TIMEOUT)
    began = time.perf_counter()
    try:
        conn.request("POST", EVENTS_PATH, body=body, headers=headers)
        response = conn.getresponse()
        data = response.read()
        elapsed = time.perf_counter() - began
    except OSError as exc:
        raise BenchmarkError(f"no answer to a submission: {type(exc).__name__}: {exc}") from exc
    finally:
        conn.close()
    if response.status != 200 or data:
        raise BenchmarkError(f"the submission was not taken: HTTP {response.status} {data[:300]!r}")
    return elapsed


def log_once(bot: Bot, slack: Slack, texts: dict[str, str], view_id: str) -> tuple[Timed, int]:
    """Log a new interview at the limits; (its times, its id)."""
    dms = slack.count("chat.postMessage")
    ack = _submit(bot, _view(None, view_id), texts)
    began = time.perf_counter()
    slack.wait_for("chat.postMessage", dms + 1)
    followed = time.perf_counter() - began + ack
    with bot.db.read() as session:
        interview = session.scalars(select(Interview).where(Interview.source_view_id == view_id)).one()
        stored = {
            "pains": session.scalar(select(func.count(Pain.id)).where(Pain.interview_id == interview.id)),
            "requests": session.scalar(
                select(func.count(CustomerRequest.id)).where(CustomerRequest.interview_id == interview.id)
            ),
        }
        promises = session.scalar(
            select(func.count(FollowUp.id)).where(FollowUp.interview_id == interview.id)
        )
        interview_id = interview.id
    if stored != line_counts(texts) or not promises:
        raise BenchmarkError(f"stored {stored} and {promises} follow-ups, expected {line_counts(texts)}")
    return Timed(ack, followed), interview_id


def edit_once(bot: Bot, slack: Slack, interview_id: int, texts: dict[str, str], view_id: str) -> Timed:
    """Submit an edit of the interview with `texts`; its times (the redraw of the DM after)."""
    updates = slack.count("chat.update")
    ack = _submit(bot, _view(interview_id, view_id), texts)
    began = time.perf_counter()
    slack.wait_for("chat.update", updates + 1)
    followed = time.perf_counter() - began + ack
    with bot.db.read() as session:
        quotes = list(
            session.scalars(
                select(Quote.text).where(Quote.interview_id == interview_id).order_by(Quote.position)
            )
        )
    if quotes != [x for x in texts["quotes"].split("\n") if x]:
        raise BenchmarkError("the edit's quotes were not stored as submitted")
    return Timed(ack, followed)


@dataclass(frozen=True)
class Summary:
    what: str
    lines: dict[str, int]
    runs: int
    ack_ms: list[float]
    median_ack_ms: float
    max_ack_ms: float
    median_followed_ms: float
    within_target: bool


def summarize(what: str, lines: dict[str, int], timed: list[Timed]) -> Summary:
    acks = [round(t.ack_s * 1000, 1) for t in timed]
    return Summary(
        what=what,
        lines=lines,
        runs=len(timed),
        ack_ms=acks,
        median_ack_ms=round(statistics.median(acks), 1),
        max_ack_ms=max(acks),
        median_followed_ms=round(statistics.median(t.followed_s for t in timed) * 1000, 1),
        within_target=max(acks) <= TARGET_ACK * 1000,
    )


def upkeep_job(db: Database, method: str) -> UpkeepJob:
    """The themes job as `interview-bot run` schedules it (here ticked by hand, untimed)."""
    return UpkeepJob(
        db=db,
        embedder=load_embedder(method),
        replica="benchmark",
        schedule=UpkeepSchedule(regroup_every=timedelta(hours=1), rebuild_every=timedelta(days=7)),
    )


def placed(db: Database) -> int:
    """Pains and requests in a theme."""
    with db.read() as session:
        return sum(
            int(session.scalar(select(func.count(m.id)).where(m.theme_id.is_not(None))) or 0)
            for m in (Pain, CustomerRequest)
        )


def run(
    *, runs: int, line_chars: int, postgres_url: str | None, profile: bool, themes: str
) -> tuple[list[Summary], str]:
    texts = texts_at_limits(line_chars)
    edited = changed_texts(texts, CHANGED_LINES)
    logged: list[Timed] = []
    edits: list[Timed] = []
    report = ""
    slack = Slack()
    try:
        with database(postgres_url) as db, running_bot(slack.url, db) as bot:
            # Warm-up: imports, connection pools, the first interview of the workspace and account.
            log_once(bot, slack, texts_at_limits(40), "VWARM")
            upkeep = upkeep_job(db, themes) if themes != "none" else None
            for n in range(runs):
                timed, interview_id = log_once(bot, slack, texts, f"VLOG{n:03d}")
                logged.append(timed)
                if upkeep is not None:  # its lines in themes, as in a live workspace, before the edit
                    upkeep.tick()
                    if not placed(db):
                        raise BenchmarkError("the theme upkeep placed no line")
                # Each edit takes a freshly logged interview, so each changes CHANGED_LINES lines.
                edits.append(edit_once(bot, slack, interview_id, edited, f"VEDIT{n:03d}"))
            if profile:
                report = profiled(bot, slack, texts, edited, upkeep)
    finally:
        slack.child.stop()
    summaries = [
        summarize("log: every field at its limit", line_counts(texts), logged),
        summarize(f"edit: {CHANGED_LINES} lines changed", line_counts(edited), edits),
    ]
    return summaries, report


def profiled(
    bot: Bot, slack: Slack, texts: dict[str, str], edited: dict[str, str], upkeep: UpkeepJob | None
) -> str:
    """One submission and one edit under cProfile (the server thread's work until the answer)."""
    out = io.StringIO()
    for what in ("log", "edit"):
        bot.profile = cProfile.Profile()
        try:
            if what == "log":
                _, interview_id = log_once(bot, slack, texts, "VPROFILE")
            else:
                edit_once(bot, slack, interview_id, edited, "VPROFILE-EDIT")
        finally:
            profile, bot.profile = bot.profile, None
        if what == "log" and upkeep is not None:  # as the timed edits: its lines in themes first
            upkeep.tick()
        for order in ("cumulative", "tottime"):
            out.write(f"\n=== {what}: top by {order} ===\n")
            stats = pstats.Stats(profile, stream=out)
            stats.sort_stats(order).print_stats(PROFILE_TOP)
    return out.getvalue()


# --------------------------------------------------------------------------------------------------
# Output
# --------------------------------------------------------------------------------------------------
def print_table(summaries: list[Summary], *, backend: str, load_before: float, line_chars: int) -> None:
    print(
        f"interview-bot big submission: the log modal at its limits, {backend}, lines of ~{line_chars} chars"
    )
    print(f"{os.cpu_count()} CPUs, 1-minute load average before the run: {load_before:.2f}")
    print(f"target: every ack within {TARGET_ACK:.1f} s (Slack waits {SLACK_WAITS:.0f} s)\n")
    for s in summaries:
        lines = ", ".join(f"{n} {name}" for name, n in s.lines.items())
        print(f"{s.what} ({lines})")
        print(f"  ack ms, each run: {', '.join(f'{a:.0f}' for a in s.ack_ms)}")
        print(
            f"  median {s.median_ack_ms:.0f} ms, max {s.max_ack_ms:.0f} ms: "
            f"{'PASS' if s.within_target else 'FAIL'};"
            f" the DM {'redrawn' if s.what.startswith('edit') else 'sent'} after a median"
            f" {s.median_followed_ms:.0f} ms"
        )


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.big_submission", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--runs", type=int, default=DEFAULT_RUNS, help="submissions of each kind (default 5)")
    parser.add_argument(
        "--line-chars", type=int, default=DEFAULT_LINE_CHARS, help="characters per line (default 7)"
    )
    parser.add_argument("--postgres", action="store_true", help="PostgreSQL at TEST_POSTGRES_URL's server")
    parser.add_argument("--postgres-url", default=None, help="PostgreSQL server URL (implies --postgres)")
    parser.add_argument("--profile", action="store_true", help="also print cProfile's top entries")
    parser.add_argument(
        "--themes",
        choices=("lexical", "semantic", "none"),
        default="lexical",
        help="place each logged interview's lines in themes before editing it (default lexical: quick)",
    )
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args(argv)
    if args.runs < 1 or args.line_chars < 4:
        parser.error("--runs must be at least 1 and --line-chars at least 4")
    if args.postgres and not args.postgres_url:
        args.postgres_url = os.environ.get("TEST_POSTGRES_URL")
        if not args.postgres_url:
            parser.error("--postgres needs TEST_POSTGRES_URL or --postgres-url")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    load_before = os.getloadavg()[0]
    try:
        summaries, report = run(
            runs=args.runs,
            line_chars=args.line_chars,
            postgres_url=args.postgres_url,
            profile=args.profile,
            themes=args.themes,
        )
    except BenchmarkError as exc:
        print(f"benchmark aborted: {exc}", file=sys.stderr)
        return 1
    backend = "PostgreSQL" if args.postgres_url else "SQLite"
    if args.json:
        document = {
            "backend": backend,
            "line_chars": args.line_chars,
            "load_average_before": round(load_before, 2),
            "target_ack_ms": TARGET_ACK * 1000,
            "results": [asdict(s) for s in summaries],
        }
        print(json.dumps(document, indent=2))
    else:
        print_table(summaries, backend=backend, load_before=load_before, line_chars=args.line_chars)
    if report:
        print(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
