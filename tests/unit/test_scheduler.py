"""The scheduler's wiring: the member list is read before the first reminders, then by its own job."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any, cast

import pytest

from bot.scheduler import start_scheduler
from handlers.senders.reminders import ReminderSender, TickResult
from handlers.web_api.directory import Directory


class Recorder:
    """Stands in for the sender and the directory: records what the scheduler called, in order."""

    def __init__(self) -> None:
        self.calls: list[str] = []
        self.ticked = threading.Event()

    def tick(self) -> TickResult:
        self.calls.append("reminders")
        self.ticked.set()
        return TickResult()

    def refresh(self) -> Any:
        self.calls.append("member list")
        return None

    def close(self) -> None:
        pass


def test_the_member_list_is_read_before_the_first_reminders() -> None:
    recorder = Recorder()
    stop = start_scheduler(
        cast(ReminderSender, recorder), every=timedelta(hours=1), directory=cast(Directory, recorder)
    )
    try:
        assert recorder.ticked.wait(10)
    finally:
        stop()
    # The member list's own job waits a tick: on start it is the reminders' first tick that reads it.
    assert recorder.calls == ["member list", "reminders"]


def test_the_owner_summaries_run_on_the_tick_and_a_failure_is_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    recorder, ran = Recorder(), threading.Event()

    def summaries() -> int:
        ran.set()
        raise RuntimeError("the database said no")

    stop = start_scheduler(cast(ReminderSender, recorder), every=timedelta(hours=1), summaries=summaries)
    try:
        assert ran.wait(10) and recorder.ticked.wait(10)
    finally:
        stop()
    assert "owner summaries tick failed; the next tick tries again" in caplog.text
    assert "the database said no" in caplog.text
