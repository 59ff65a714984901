"""Log lines nobody outside can inflate or forge: every record is rendered with each argument clipped
(a client's string keeps its first CLIENT_MAX characters and says how long it was), the whole message
clipped, newlines escaped, and tracebacks kept but bounded line by line. Plain text by default;
LOG_FORMAT=json writes one JSON object per line, with the request being handled (kind, workspace,
person, callback or action id, time taken so far, error id) for whoever ships logs to a collector.
"""

from __future__ import annotations

import copy
import json
import logging
import sys
import time
import traceback
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal, TextIO

from storage.db import DatabaseUnavailable

CLIENT_MAX = 200  # characters of one string argument (what a client sent usually arrives as one)
OBJECT_MAX = 500  # characters of any other argument (an exception's text may quote a client)
MESSAGE_MAX = 1000  # characters of a whole rendered message
LINE_MAX = 300  # characters of one line of a traceback
TRACEBACK_LINES = 120  # lines of one traceback: its start and its end are kept

PLAIN_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
LogFormat = Literal["plain", "json"]


class Clipped(str):
    """A string clip() made: logged as it is, not clipped again (which would lose its real length)."""


def clip(value: object, limit: int = CLIENT_MAX) -> Clipped:
    """`value` as one bounded line: newlines escaped, characters UTF-8 cannot carry escaped, and past
    `limit` cut with its full length said."""
    if isinstance(value, Clipped):
        return value
    text = value if isinstance(value, str) else str(value)
    size = len(text)
    if size > limit:
        text = text[:limit]
    text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    text = text.replace("\r", "\\r").replace("\n", "\\n")
    return Clipped(f"{text}… ({size} chars)" if size > limit else text)


class _Clipped:
    """An argument of any type, formatted (%s or %r) within OBJECT_MAX characters."""

    def __init__(self, value: object) -> None:
        self.value = value

    def __str__(self) -> str:
        return clip(str(self.value), OBJECT_MAX)

    def __repr__(self) -> str:
        return clip(repr(self.value), OBJECT_MAX)


def _bounded_arg(value: object) -> object:
    if isinstance(value, str):
        return clip(value)
    if value is None or isinstance(value, int | float):  # %d and %.1f still work; they are short
        return value
    return _Clipped(value)


def render(record: logging.LogRecord) -> str:
    """The record's message with every argument bounded, then the whole bounded, on one line (with room
    for the bounded arguments: a second cut would lose what the first said)."""
    msg = record.msg if isinstance(record.msg, str) else str(record.msg)
    args = record.args
    limit = MESSAGE_MAX + (OBJECT_MAX + 32) * (len(args) if args else 0)
    if args:
        try:
            if isinstance(args, Mapping):
                msg = msg % {k: _bounded_arg(v) for k, v in args.items()}
            else:
                msg = msg % tuple(_bounded_arg(a) for a in args)
        except (TypeError, ValueError, KeyError):  # a format the arguments do not fit: say both
            shown = args.values() if isinstance(args, Mapping) else args
            msg = f"{msg} (arguments: {', '.join(str(_bounded_arg(a)) for a in shown)})"
    return clip(msg, limit)


def bounded_traceback(exc_info: Any) -> str:
    """A traceback as Python prints it, each line within LINE_MAX and at most TRACEBACK_LINES lines: the
    frames are our code, but the exception's text may carry what a client sent."""
    lines = [clip(line, LINE_MAX) for line in "".join(traceback.format_exception(*exc_info)).splitlines()]
    if len(lines) > TRACEBACK_LINES:
        half = TRACEBACK_LINES // 2
        lines = [*lines[:half], f"… ({len(lines) - 2 * half} more lines)", *lines[-half:]]
    return "\n".join(lines)


def _bounded_copy(record: logging.LogRecord) -> logging.LogRecord:
    # A copy: other handlers (a test's, say) still see the record as it was logged.
    bounded = copy.copy(record)
    bounded.msg, bounded.args = render(record), None
    bounded.exc_text = None  # another formatter may have cached the unbounded text
    return bounded


class PlainFormatter(logging.Formatter):
    """The default format (time, level, logger, message), every part bounded."""

    def __init__(self, fmt: str = PLAIN_FORMAT) -> None:
        super().__init__(fmt)

    def format(self, record: logging.LogRecord) -> str:
        return super().format(_bounded_copy(record))

    def formatException(self, ei: Any) -> str:
        return bounded_traceback(ei)


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, the request being handled, the traceback."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": render(record),
        }
        current = _current.get()
        if current is not None:
            entry.update(current.fields())
        if record.exc_info:
            entry["exception"] = bounded_traceback(record.exc_info)
        return json.dumps(entry)


@dataclass
class RequestLog:
    """The request a thread is handling, as JSON lines name it; every value is clipped when written."""

    kind: str | None = None
    team: str | None = None
    user: str | None = None
    id_name: str | None = None  # callback_id, action_id, command or event
    id: str | None = None
    error_id: str | None = None
    started: float = field(default_factory=time.perf_counter)

    def elapsed_ms(self) -> int:
        return round((time.perf_counter() - self.started) * 1000)

    def fields(self) -> dict[str, Any]:
        found: dict[str, Any] = {
            "kind": self.kind,
            "team": self.team,
            "user": self.user,
            **({self.id_name: self.id} if self.id_name else {}),
            "error_id": self.error_id,
        }
        fields = {k: clip(v) for k, v in found.items() if v is not None}
        fields["duration_ms"] = self.elapsed_ms()
        return fields


_current: ContextVar[RequestLog | None] = ContextVar("request_log", default=None)


@contextmanager
def request_log(entry: RequestLog) -> Iterator[RequestLog]:
    """Lines logged in this block, on this thread, are about `entry`'s request."""
    token = _current.set(entry)
    try:
        yield entry
    finally:
        _current.reset(token)


def note_error(error_id: str) -> None:
    """Ties an unexpected error's id to the request being handled, for the lines that follow."""
    current = _current.get()
    if current is not None:
        current.error_id = error_id


def make_handler(fmt: LogFormat = "plain", stream: TextIO | None = None) -> logging.Handler:
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter() if fmt == "json" else PlainFormatter())
    return handler


# slack_sdk's Web API client builds a debug line of each request, its whole body, whenever the level set
# on its own logger (not the effective one) lets debug through; left unset (0), it builds and drops one
# per call (a fifth of the CPU of opening a modal).
SDK_LOGGERS = ("slack_sdk.web.base_client",)


# Libraries that say at INFO what only matters when looking into a problem: Alembic each step of every
# migration (and its plugins at each start), APScheduler each job of every tick. Their INFO lines show at
# DEBUG; a migration run is said in one line of our own (bot.cli.startup).
QUIET_LOGGERS = ("alembic", "apscheduler")

# The CLI's own lines (which database it opened, what it did): in a terminal, sentences, not log records.
CLI_LOGGER = "bot.cli"


class _TerminalHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """CLI_LOGGER's bare-message handler: it writes to the stderr of the moment, as print() does, so the
    CLI's lines and its other output go to the same place even when stderr is replaced (a test)."""

    @property  # type: ignore[override]
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, _value: TextIO) -> None:
        pass


def configure_logging(*, level: int, fmt: LogFormat, terminal: bool = False) -> None:
    """The process's logging, as `interview-bot` starts: every logger (Bolt's and slack_sdk's too)
    reaches the one bounded handler. `terminal`: a verb run by a person, whose own lines (CLI_LOGGER)
    read as plain sentences when the format is plain."""
    logging.basicConfig(level=level, handlers=[make_handler(fmt)])
    for name in SDK_LOGGERS:
        logging.getLogger(name).setLevel(level)
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(level if level <= logging.DEBUG else max(level, logging.WARNING))
    cli = logging.getLogger(CLI_LOGGER)
    cli.setLevel(level)
    for handler in [h for h in cli.handlers if isinstance(h, _TerminalHandler)]:
        cli.removeHandler(handler)
    cli.propagate = not (terminal and fmt == "plain")
    if not cli.propagate:
        handler = _TerminalHandler()
        handler.setFormatter(PlainFormatter("%(message)s"))
        cli.addHandler(handler)


# What happens to claimed work that failed: its claim lapses and a tick, here or elsewhere, takes it again.
RETRIED = "it will be retried after its lease"


@contextmanager
def failures_logged(logger: logging.Logger, work: str, *, then: str) -> Iterator[None]:
    """Background work (a tick, one delivery) that fails is retried later, so the failure is logged and
    swallowed: a database outage as one line, since it says all there is to say (and would otherwise
    print a traceback per reminder), anything else with its traceback. `then` says what happens next."""
    try:
        yield
    except DatabaseUnavailable as exc:
        logger.warning("%s skipped: the database is unreachable (%s); %s", work, exc, then)
    except Exception:
        logger.exception("%s failed; %s", work, then)
