"""How `interview-bot run` stops: a SIGTERM is a clean stop at any moment, start-up included (an
orchestrator's rolling restart does not wait for the bot to finish starting)."""

from __future__ import annotations

import os
import signal
import socket
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import bot.scheduler
from bot.cli import main
from tests.conftest import BOT_TOKEN, SIGNING_SECRET
from tests.support.fake_slack import FakeSlack


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
