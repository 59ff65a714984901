"""Work after the ack: a check every request makes is made once for a burst of requests, and at once
when requests are few."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest

import handlers.deps
from handlers.deps import Deps
from tests.support.after_ack import after_ack_done


@pytest.fixture
def deps() -> Iterator[Deps]:
    # Only the after-ack pool is used here: the rest of what the composition root hands over stays out.
    nothing: Any = None
    made = Deps(
        config=nothing,
        db=nothing,
        client=nothing,
        team_id="T0001",
        timezones=nothing,
        roles=nothing,
        home=nothing,
        outbox=nothing,
        digest=nothing,
    )
    yield made
    made.after_ack_pool.shutdown(wait=True)


@pytest.fixture
def gate(monkeypatch: pytest.MonkeyPatch) -> threading.Event:
    """A run that must wait for its window waits for the test to open the gate instead: what gathers
    meanwhile is up to the test, not to the machine's speed."""
    opened = threading.Event()
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        assert opened.wait(10)

    monkeypatch.setattr(handlers.deps, "time", SimpleNamespace(sleep=sleep, monotonic=time.monotonic))
    monkeypatch.setattr(handlers.deps, "TOGETHER_WINDOW", 60.0)
    return opened


def test_a_request_alone_is_handled_at_once(deps: Deps, gate: threading.Event) -> None:
    runs: list[dict[Any, Any]] = []
    deps.after_ack_together("undelivered", "pat", 1, runs.append)
    after_ack_done(deps)  # the gate stays shut: no run waited for it
    assert runs == [{"pat": 1}]


def test_a_burst_after_a_run_is_handled_in_one_run_with_each_ones_latest(
    deps: Deps, gate: threading.Event
) -> None:
    runs: list[dict[Any, Any]] = []
    deps.after_ack_together("undelivered", "kim", 0, runs.append)
    after_ack_done(deps)
    for key, item in (("pat", 1), ("sam", 2), ("pat", 3)):  # within the window of the first run
        deps.after_ack_together("undelivered", key, item, runs.append)
    gate.set()
    after_ack_done(deps)
    assert runs == [{"kim": 0}, {"pat": 3, "sam": 2}]


def test_batches_keep_apart(deps: Deps, gate: threading.Event) -> None:
    runs: list[tuple[str, dict[Any, Any]]] = []
    deps.after_ack_together("undelivered", "pat", 1, lambda taken: runs.append(("undelivered", taken)))
    deps.after_ack_together("other", "pat", 2, lambda taken: runs.append(("other", taken)))
    after_ack_done(deps)
    assert sorted(runs, key=str) == [("other", {"pat": 2}), ("undelivered", {"pat": 1})]
