"""The App Home debouncer: a burst of changes for one person publishes once, after a quiet spell (never
later than max_wait after the first), people apart; a failure to publish is logged and the timer goes on.
Time is a fake monotonic clock the test moves; the timer thread itself is waited for, never slept for."""

from __future__ import annotations

import logging
import threading

import pytest

from handlers.senders.home import HomeRefresh
from storage.db import DatabaseUnavailable


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def held(delay: float = 1.0, max_wait: float = 5.0) -> tuple[HomeRefresh, list[tuple[str, str]], Clock]:
    """A debouncer whose timer thread is not started: the test calls publish_due() as the thread would."""
    published: list[tuple[str, str]] = []
    clock = Clock()
    refresh = HomeRefresh(lambda t, u: published.append((t, u)), delay=delay, max_wait=max_wait, clock=clock)
    refresh._thread = threading.Thread()  # as if running: changed() starts no real one
    return refresh, published, clock


def test_a_burst_publishes_once_after_the_quiet_delay() -> None:
    refresh, published, clock = held()
    refresh.changed(team_id="T1", user_id="U1")
    clock.now += 0.6
    refresh.changed(team_id="T1", user_id="U1")  # pushes the publish back
    refresh.changed(team_id="T1", user_id="U2")
    clock.now += 0.6  # 1.2 s after the first change, 0.6 s after the last
    assert refresh.publish_due() == 0
    clock.now += 0.5
    assert refresh.publish_due() == 2
    assert sorted(published) == [("T1", "U1"), ("T1", "U2")]
    assert refresh.publish_due() == 0 and refresh.pending() == []


def test_a_steady_stream_still_publishes_by_max_wait() -> None:
    refresh, published, clock = held(delay=1.0, max_wait=3.0)
    for _ in range(5):  # a change every 0.9 s: never a quiet second
        refresh.changed(team_id="T1", user_id="U1")
        clock.now += 0.9
        refresh.publish_due()
    assert published == [("T1", "U1")]  # at 3 s after the first, not 4.5


def test_the_same_user_id_in_two_workspaces_is_two_people() -> None:
    refresh, published, _ = held()
    refresh.changed(team_id="T1", user_id="U1")
    refresh.changed(team_id="T2", user_id="U1")
    assert refresh.flush() == 2 and sorted(published) == [("T1", "U1"), ("T2", "U1")]


def test_held_until_flush_starts_no_thread_and_close_drops_what_is_pending() -> None:
    published: list[tuple[str, str]] = []
    refresh = HomeRefresh(lambda t, u: published.append((t, u)), delay=None)
    refresh.changed(team_id="T1", user_id="U1")
    assert refresh._thread is None and refresh.pending() == [("T1", "U1")]
    refresh.close()
    refresh.changed(team_id="T1", user_id="U2")  # after close: ignored
    assert refresh.flush() == 0 and published == []


def test_the_timer_thread_publishes_and_survives_an_outage_and_a_bug(
    caplog: pytest.LogCaptureFixture,
) -> None:
    done = threading.Event()
    calls: list[str] = []

    def publish(team_id: str, user_id: str) -> None:
        calls.append(user_id)
        if user_id == "UDOWN":
            raise DatabaseUnavailable("connection refused")
        if user_id == "UBUG":
            raise RuntimeError("a bug")
        done.set()

    refresh = HomeRefresh(publish, delay=0.0)
    try:
        with caplog.at_level(logging.WARNING):
            refresh.changed(team_id="T1", user_id="UDOWN")
            refresh.changed(team_id="T1", user_id="UBUG")
            refresh.changed(team_id="T1", user_id="U1")
            assert done.wait(timeout=5)  # the thread went on to the next person
    finally:
        refresh.close()
    assert calls == ["UDOWN", "UBUG", "U1"]
    lines = [r.getMessage() for r in caplog.records if "UDOWN" in r.getMessage()]
    assert lines == ["App Home of UDOWN not republished: the database is unreachable (connection refused)"]
