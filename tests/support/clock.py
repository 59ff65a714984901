"""Time in tests: the real time that other processes see (time-machine moves this process's clock only)."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import time_machine


def real_time() -> float:
    """The machine's time in seconds, as a subprocess or PostgreSQL sees it, however the clock was moved."""
    hatch = time_machine.escape_hatch
    return hatch.time.time() if hatch.is_travelling() else time.time()


def real_now() -> datetime:
    """The machine's time as an aware UTC datetime (see real_time)."""
    return datetime.fromtimestamp(real_time(), UTC)
