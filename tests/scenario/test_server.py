"""The HTTP server of `interview-bot run`: it stops cleanly on a SIGTERM at any moment, start-up included
(an orchestrator's rolling restart does not wait for the bot to finish starting), and slow clients holding
connections open neither keep Slack's requests out nor stay past the request deadline."""

from __future__ import annotations

import contextlib
import logging
import os
import re
import resource
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

import bot.scheduler
from bot.app import build_app
from bot.cli.main import main
from bot.config import DRY_SLACK_SIGNING_SECRET
from handlers.requests.server import (
    GuardedServer,
    WebApp,
    make_http_server,
    room_for_connections,
    run_until_closed,
)
from handlers.web_api.stand_in import TEAM_ID
from storage.db import Database
from tests.conftest import BOT_TOKEN, SIGNING_SECRET, make_config
from tests.support.clock import real_time
from tests.support.fake_slack import FakeSlack
from tests.support.slack_requests import Response, SlackSender
from tests.support.slow_clients import SlowClients


class StoppedTooEarly(Exception):
    """The signal reached a handler that was there before the bot's: the bot had not installed its own."""


@pytest.fixture
def signals_restored() -> Iterator[None]:
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGINT)}

    def too_early(_signum: int, _frame: Any) -> None:
        raise StoppedTooEarly()

    signal.signal(signal.SIGTERM, too_early)
    yield
    for sig, handler in saved.items():
        signal.signal(sig, handler)


def test_a_sigterm_while_the_scheduler_starts_stops_the_bot_cleanly(
    fake_slack: FakeSlack, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, signals_restored: None
) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    for name in ("SLACK_APP_TOKEN", "WORKING_HOURS"):
        monkeypatch.delenv(name, raising=False)
    for name, value in {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": fake_slack.url,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'bot.db'}",
        "BOT_MODE": "http",
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "THEMES_METHOD": "lexical",
    }.items():
        monkeypatch.setenv(name, value)

    real_start = bot.scheduler.start_scheduler
    scheduler_stopped: list[bool] = []

    def start_then_get_a_sigterm(*args: Any, **kwargs: Any) -> Callable[[], None]:
        stop = real_start(*args, **kwargs)
        os.kill(os.getpid(), signal.SIGTERM)  # handled in this (the main) thread, right here

        def stop_and_note() -> None:
            stop()
            scheduler_stopped.append(True)

        return stop_and_note

    monkeypatch.setattr(bot.scheduler, "start_scheduler", start_then_get_a_sigterm)
    assert main(["run"]) == 0
    assert scheduler_stopped == [True]


DEADLINE = 2.0  # seconds: the request deadline set for these tests (the bot's own is REQUEST_DEADLINE)
SLOW = 150  # more than waitress's default connection limit (100), which let 101 take the bot off Slack


@pytest.fixture
def backend() -> str:
    return "sqlite"  # about the HTTP server; the database only answers /healthz


@contextlib.contextmanager
def serving(fake_slack: FakeSlack, database: Database, **options: Any) -> Iterator[GuardedServer]:
    """The bot behind the server `interview-bot run` makes, with the given deadline and timeouts."""
    app, deps = build_app(config=make_config(fake_slack, database.url), db=database, home_delay=None)
    web_app = WebApp(app, database, signing_secret=SIGNING_SECRET)
    server = make_http_server(web_app, host="127.0.0.1", port=0, **options)
    server.adj.asyncore_loop_timeout = 0.05  # notice close() quickly
    thread = threading.Thread(target=run_until_closed, args=(server,), daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.close()
        thread.join(timeout=5)
        deps.close()


@pytest.fixture
def server(fake_slack: FakeSlack, database: Database) -> Iterator[GuardedServer]:
    """A short request deadline and the idle timeout far off: a connection cut within the test was cut
    by the deadline."""
    with serving(fake_slack, database, request_deadline=DEADLINE, idle_timeout=60) as server:
        yield server


def test_slow_clients_leave_room_for_slack_and_are_cut_at_the_request_deadline(
    server: GuardedServer, fake_slack: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    port = int(server.effective_port)
    slack = SlackSender("127.0.0.1", port, SIGNING_SECRET, fake=fake_slack)
    # Each sends a header line five times a second: never silent long enough for an idle timeout.
    with SlowClients("127.0.0.1", port, count=SLOW, every=0.2) as slow, ThreadPoolExecutor(2) as pool:
        assert slow.held == SLOW
        started = time.monotonic()
        command = pool.submit(slack.command, "help")
        health = pool.submit(slack.get, "/healthz")
        answers: list[Response] = [command.result(timeout=10), health.result(timeout=10)]
        answered_within = time.monotonic() - started
        held_meanwhile = slow.held
        deadline = time.monotonic() + DEADLINE + 5
        while slow.held and time.monotonic() < deadline:
            time.sleep(0.05)
        lived = sorted(slow.lived)
    assert answers[0].status == 200 and "What /interview can do" in answers[0].json()["text"]
    assert answers[1].status == 200 and answers[1].json()["status"] == "ok"
    assert answered_within < 3.0  # Slack's timeout
    assert held_meanwhile == SLOW  # answered while every slow connection was still open
    # Every slow connection cut, none before the deadline, each by the maintenance pass after it.
    assert len(lived) == SLOW
    assert lived[0] >= DEADLINE and lived[-1] < DEADLINE + 3.0, (lived[0], lived[-1])
    # Counted in the log, a line a minute at most, not one per connection.
    cut_lines = [r.getMessage() for r in caplog.records if r.getMessage().startswith("closed connections")]
    assert cut_lines == ["closed connections: 1 too slow to send a request within 2 s"]


def test_a_connection_silent_in_the_middle_of_a_request_is_cut_at_the_idle_timeout(
    fake_slack: FakeSlack, database: Database, caplog: pytest.LogCaptureFixture
) -> None:
    with (
        serving(fake_slack, database, request_deadline=60, idle_timeout=1) as server,
        SlowClients("127.0.0.1", int(server.effective_port), count=20, every=3600) as slow,
    ):
        deadline = time.monotonic() + 6
        while slow.held and time.monotonic() < deadline:
            time.sleep(0.05)
        lived = sorted(slow.lived)
    assert len(lived) == 20 and lived[0] >= 1 and lived[-1] < 4, lived
    cut_lines = [r.getMessage() for r in caplog.records if r.getMessage().startswith("closed connections")]
    assert cut_lines == ["closed connections: 1 silent for 1 s in the middle of a request"]


@pytest.mark.parametrize(
    ("soft", "hard", "raised_to", "limit"),
    [
        (20_000, 20_000, None, 1000),  # room enough: left alone
        (1024, 1_048_576, 2256, 1000),  # a container's usual soft limit: raised, as far as needed
        (1024, 1024, None, 384),  # cannot be raised: fewer connections, and a warning saying why
    ],
)
def test_the_connection_limit_fits_the_open_files_allowed(
    soft: int,
    hard: int,
    raised_to: int | None,
    limit: int,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    set_to: list[tuple[int, int]] = []

    def setrlimit(_which: int, limits: tuple[int, int]) -> None:
        if limits[0] > hard:
            raise ValueError("not allowed to raise the maximum limit")
        set_to.append(limits)

    monkeypatch.setattr(resource, "getrlimit", lambda _which: (soft, hard))
    monkeypatch.setattr(resource, "setrlimit", setrlimit)
    assert room_for_connections(1000) == limit
    assert set_to == ([] if raised_to is None else [(raised_to, hard)])
    warned = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    if limit == 1000:
        assert warned == []
    else:
        (line,) = warned
        assert line.startswith(f"open files are limited to {soft}: the HTTP server holds at most {limit} ")


# `interview-bot run --dry-slack` and a start with no Slack to reach: each in a process of its own, on the
# machine's time, with none of the bot's settings.
BARE_ENV = {
    **{k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "BOT_", "DATABASE_", "HOST"))},
    "THEMES_METHOD": "lexical",
}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.real_clock
def test_a_dry_run_serves_health_and_commands_with_no_slack_and_logs_what_it_would_send(
    tmp_path: Path,
) -> None:
    port = _free_port()
    bot = subprocess.Popen(
        [sys.executable, "-m", "bot", "run", "--dry-slack"],
        cwd=tmp_path,
        env={**BARE_ENV, "PORT": str(port), "LOG_LEVEL": "INFO"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: list[str] = []
    threading.Thread(target=lambda: lines.extend(bot.stdout or ()), daemon=True).start()

    def logged(text: str) -> list[str]:
        deadline = time.monotonic() + 30
        while not (found := [line for line in list(lines) if text in line]):
            assert bot.poll() is None and time.monotonic() < deadline, "".join(lines)
            time.sleep(0.05)  # waiting on another process; no clock to move
        return found

    try:
        (started,) = logged("DRY RUN: nothing reaches Slack")
        stand_in = re.search(r"response_urls under (\S+) too", started)
        assert stand_in, started
        (how,) = logged("DRY RUN: send requests to")
        assert f"http://127.0.0.1:{port}/slack/events signed with the placeholder signing secret" in how
        assert TEAM_ID in how
        logged("HTTP mode: listening")
        slack = SlackSender("127.0.0.1", port, DRY_SLACK_SIGNING_SECRET, clock=real_time, team_id=TEAM_ID)
        assert slack.get("/healthz").status == 200
        answer_to = f"{stand_in.group(1)}response/1"
        helped = slack.command("help", response_url=answer_to)
        assert helped.status == 200 and helped.json()["text"] == "What /interview can do"
        assert slack.command("log Acme", response_url=answer_to).status == 200
        logged('handlers.web_api.stand_in: would open the modal "Log an interview"')
        bot.send_signal(signal.SIGTERM)
        assert bot.wait(timeout=15) == 0
    finally:
        if bot.poll() is None:
            bot.kill()
            bot.wait()
    assert list(tmp_path.iterdir()) == []  # its database was a throwaway one, gone with it


@pytest.mark.real_clock
def test_a_start_that_cannot_reach_slack_says_what_to_do_in_one_line(tmp_path: Path) -> None:
    settings = {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": f"http://127.0.0.1:{_free_port()}/api/",  # nothing listens there
        "DATABASE_URL": f"sqlite:///{tmp_path / 'bot.db'}",
        "LOG_LEVEL": "WARNING",
    }
    result = subprocess.run(
        [sys.executable, "-m", "bot", "run"],
        env={**BARE_ENV, **settings},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    (line,) = result.stderr.splitlines()
    assert line.startswith("interview-bot: cannot reach Slack at SLACK_API_URL=")
    assert line.endswith(
        "check this machine's network, and SLACK_API_URL if it is set; or try the bot "
        "without Slack: interview-bot run --dry-slack."
    )
