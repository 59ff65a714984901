"""Closing Socket Mode never hangs the process: slack_sdk's close can wait forever on a session a
reconnect started while it closed; the runner waits a bounded time, ends that session, and goes on."""

from __future__ import annotations

import threading
import time
from types import SimpleNamespace

from handlers.requests.server import SocketModeRunner


class _Stuck:
    """A handler whose close waits, as slack_sdk's does, until the current session's state is ended."""

    def __init__(self) -> None:
        self.client = SimpleNamespace(current_session_state=SimpleNamespace(terminated=False))
        self.closed = threading.Event()

    def close(self) -> None:
        while not self.client.current_session_state.terminated:
            time.sleep(0.01)
        self.closed.set()


def test_a_close_stuck_on_a_fresh_session_ends_it_and_returns() -> None:
    runner = object.__new__(SocketModeRunner)
    runner.handler = _Stuck()
    runner._health = SimpleNamespace(close=lambda: None)
    runner.CLOSE_WITHIN = 0.2
    started = time.monotonic()
    runner.close()
    assert time.monotonic() - started < 2
    assert runner.handler.closed.is_set()
