"""Work after the ack: a check every request makes is made once for a burst of requests."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest

import bot.deps
from bot.deps import Deps
from tests.support.after_ack import after_ack_done


@pytest.fixture
def deps() -> Iterator[Deps]:
    made = Deps(settings=None, db=None, timezones=None, client=None)  # type: ignore[arg-type]
    yield made
    made.after_ack_pool.shutdown(wait=True)


@pytest.fixture
def gate(monkeypatch: pytest.MonkeyPatch) -> threading.Event:
    """A run waits for the test to open the gate instead of TOGETHER_WINDOW: what gathers meanwhile is
    up to the test, not to the machine's speed."""
    opened = threading.Event()
    monkeypatch.setattr(bot.deps, "time", SimpleNamespace(sleep=lambda seconds: opened.wait(10)))
    return opened


def test_requests_handed_over_together_are_handled_in_one_run_with_each_ones_latest(
    deps: Deps, gate: threading.Event
) -> None:
    runs: list[dict[Any, Any]] = []
    for key, item in (("pat", 1), ("sam", 2), ("pat", 3)):
        deps.after_ack_together("undelivered", key, item, runs.append)
    gate.set()
    after_ack_done(deps)
    assert runs == [{"pat": 3, "sam": 2}]


def test_what_comes_once_a_run_has_started_goes_to_the_next_run_and_batches_stay_apart(
    deps: Deps, gate: threading.Event
) -> None:
    runs: list[tuple[str, dict[Any, Any]]] = []
    deps.after_ack_together("undelivered", "pat", 1, lambda taken: runs.append(("undelivered", taken)))
    deps.after_ack_together("other", "pat", 2, lambda taken: runs.append(("other", taken)))
    gate.set()
    after_ack_done(deps)
    deps.after_ack_together("undelivered", "sam", 3, lambda taken: runs.append(("undelivered", taken)))
    after_ack_done(deps)
    assert sorted(runs, key=str) == [
        ("other", {"pat": 2}),
        ("undelivered", {"pat": 1}),
        ("undelivered", {"sam": 3}),
    ]
