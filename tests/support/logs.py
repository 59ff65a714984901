"""What the bot logs, rendered as `interview-bot run` writes it, captured for a test to read."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from contextlib import contextmanager

from bot.logs import make_handler


@contextmanager
def captured_log(level: int = logging.INFO) -> Iterator[io.StringIO]:
    """Every line logged at `level` or above while inside, in the plain format, in the stream yielded."""
    stream = io.StringIO()
    handler = make_handler("plain", stream)
    root = logging.getLogger()
    was = root.level
    root.addHandler(handler)
    root.setLevel(level)
    try:
        yield stream
    finally:
        root.removeHandler(handler)
        root.setLevel(was)
