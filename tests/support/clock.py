"""Time in tests: the dates they type, where the `clock` fixture starts, and the real time that other
processes see (time-machine moves this process's clock only)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import time_machine

# Where the `clock` fixture starts: Tuesday 10:00 in New York, where the fake's users live.
NEW_YORK_TUESDAY_10AM = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)


def today(days: int = 0) -> str:
    """Today's UTC date, `days` on, as a datepicker sends it: the log modal's default before it knows
    the user's zone. For the fake's New York users it is their date or the next, which the bot accepts."""
    return (datetime.now(UTC).date() + timedelta(days=days)).isoformat()


def real_time() -> float:
    """The machine's time in seconds, as a subprocess or PostgreSQL sees it, however the clock was moved."""
    hatch = time_machine.escape_hatch
    return hatch.time.time() if hatch.is_travelling() else time.time()


def real_now() -> datetime:
    """The machine's time as an aware UTC datetime (see real_time)."""
    return datetime.fromtimestamp(real_time(), UTC)


@dataclass(frozen=True)
class ClockShare:
    """Which of the run's clock starts a test runs at (`index`), of how many (`of`).

    A property test that runs at each start (tests/conftest.py) takes its share of the examples, drawn
    from a seed of its own: the run tries as many different examples as one start alone would, each at
    one of the starts, instead of the same examples again at every start.
    """

    index: int = 0
    of: int = 1

    def examples(self, total: int) -> int:
        return -(-total // self.of)  # rounded up: never fewer in all than `total`

    @property
    def seed(self) -> int | None:
        """For hypothesis' @seed: None (the test's own derandomized seed) when the run has one start."""
        return self.index if self.of > 1 else None
