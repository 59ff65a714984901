"""Log lines a client cannot inflate or forge: arguments, messages and tracebacks are bounded; JSON lines
name the request being handled."""

from __future__ import annotations

import io
import json
import logging
import sys

import pytest
from slack_sdk import WebClient

from bot.logs import (
    CLIENT_MAX,
    LINE_MAX,
    MESSAGE_MAX,
    OBJECT_MAX,
    TRACEBACK_LINES,
    JsonFormatter,
    PlainFormatter,
    RequestLog,
    clip,
    configure_logging,
    make_handler,
    request_log,
)
from handlers.errors import message_for
from tests.conftest import BOT_TOKEN
from tests.support.fake_slack import FakeSlack

HUGE = "x" * 100_000


def record(msg: object, *args: object, exc: BaseException | None = None) -> logging.LogRecord:
    exc_info = (type(exc), exc, exc.__traceback__) if exc else None
    return logging.LogRecord("slack_bolt.App", logging.WARNING, __file__, 1, msg, args or None, exc_info)


def raised(error: BaseException) -> BaseException:
    try:
        raise error
    except BaseException as caught:
        return caught


def test_clip_keeps_short_strings_and_says_how_long_a_cut_one_was() -> None:
    assert clip("U0001") == "U0001"
    cut = clip(HUGE)
    assert cut == "x" * CLIENT_MAX + "… (100000 chars)"
    assert clip(cut) == cut  # clipped once: its length is not lost to a second cut


def test_clip_escapes_newlines_and_what_utf8_cannot_carry() -> None:
    assert clip("ok\r\n2026-01-01 ERROR forged line") == "ok\\r\\n2026-01-01 ERROR forged line"
    assert clip("a\ud800b") == "a\\ud800b"  # a lone surrogate would make the log stream raise
    clip("a\ud800b").encode("utf-8")


def test_a_huge_string_argument_is_cut_with_its_length() -> None:
    line = PlainFormatter().format(record("no listener for %s (callback_id=%s)", "shortcut", HUGE))
    assert "no listener for shortcut (callback_id=" + "x" * CLIENT_MAX + "… (100000 chars))" in line
    assert len(line) < 400


def test_any_other_argument_and_the_whole_message_are_bounded() -> None:
    line = PlainFormatter().format(record("body: %s; repr %r", {"text": HUGE}, [HUGE]))
    assert len(line) < 2 * OBJECT_MAX + 100
    assert "(100012 chars)" in line and "(100004 chars)" in line  # str() of the dict, repr() of the list
    # A message that embeds what a client sent (an f-string, as some libraries log) is cut as a whole.
    line = PlainFormatter().format(record(f"Unhandled request ({HUGE})"))
    assert len(line) < MESSAGE_MAX + 100 and "(100020 chars)" in line


def test_numbers_keep_their_formats_and_a_mapping_of_arguments_works() -> None:
    formatter = PlainFormatter()
    assert formatter.format(record("%d in %.1f ms", 3, 2.25)).endswith("3 in 2.2 ms")
    mapping = logging.LogRecord("x", logging.INFO, __file__, 1, "%(who)s", ({"who": HUGE},), None)
    assert formatter.format(mapping).endswith("… (100000 chars)")
    # A format the arguments do not fit is logged as logging would, still bounded.
    assert "oops" in formatter.format(record("%d oops", "not a number"))


def test_a_traceback_keeps_its_frames_but_not_the_clients_bytes() -> None:
    error = raised(ValueError(f"invalid literal for int(): {HUGE!r}\n" + "line\n" * 10_000))
    text = PlainFormatter().format(record("unexpected error %s", "ab12cd34", exc=error))
    lines = text.splitlines()
    assert "Traceback (most recent call last):" in text and "in raised" in text
    assert max(len(line) for line in lines) <= LINE_MAX + 30
    assert len(lines) <= TRACEBACK_LINES + 2
    assert "more lines" in text


def test_a_traceback_another_handler_formatted_first_is_still_bounded() -> None:
    logged = record("unexpected error", exc=raised(KeyError(HUGE)))
    assert len(logging.Formatter().format(logged)) > 100_000  # caches the full text on the record
    assert len(PlainFormatter().format(logged)) < 5_000


def test_the_plain_format_is_the_one_operators_know() -> None:
    line = PlainFormatter().format(record("refused requests: %s", "3 unsigned"))
    _date, _time, level, name, *rest = line.split(" ")
    assert (level, name, " ".join(rest)) == ("WARNING", "slack_bolt.App:", "refused requests: 3 unsigned")


def test_json_lines_name_the_request_and_its_error_id(caplog: pytest.LogCaptureFixture) -> None:
    stream = io.StringIO()
    handler = make_handler("json", stream)
    logger = logging.getLogger("bot.test_logs")
    logger.addHandler(handler)
    try:
        entry = RequestLog(kind="block_actions", team="T1", user="U1", id_name="action_id", id=HUGE)
        with request_log(entry):
            message_for(RuntimeError("bug"))  # logs the error with an id, and ties the id to the request
            logger.warning("clicked %s", HUGE)
        logger.warning("outside any request")
    finally:
        logger.removeHandler(handler)
    lines = [line for line in stream.getvalue().splitlines() if line.startswith("{")]
    clicked, outside = json.loads(lines[-2]), json.loads(lines[-1])
    assert set(clicked) == {
        "time",
        "level",
        "logger",
        "message",
        "kind",
        "team",
        "user",
        "action_id",
        "error_id",
        "duration_ms",
    }
    assert clicked["kind"] == "block_actions" and clicked["team"] == "T1" and clicked["user"] == "U1"
    assert clicked["action_id"].endswith("… (100000 chars)") and clicked["message"].endswith("chars)")
    assert len(clicked["error_id"]) == 8 and isinstance(clicked["duration_ms"], int)
    assert clicked["time"].endswith("+00:00") and clicked["level"] == "WARNING"
    assert set(outside) == {"time", "level", "logger", "message"}
    assert all(len(line) < 2_000 for line in lines)


def test_a_json_line_carries_its_bounded_traceback() -> None:
    error = raised(KeyError(HUGE))
    line = JsonFormatter().format(record("unexpected error", exc=error))
    entry = json.loads(line)
    assert "Traceback" in entry["exception"] and "… (" in entry["exception"]
    assert "\n" not in line and len(line) < 5_000


def test_a_line_always_encodes(capsys: pytest.CaptureFixture[str]) -> None:
    handler = make_handler("plain", sys.stderr)
    handler.handle(record("value %s", "\ud800"))
    assert "--- Logging error ---" not in capsys.readouterr().err


def test_slack_sdk_builds_no_debug_line_of_each_request_once_logging_is_configured(
    monkeypatch: pytest.MonkeyPatch, fake_slack: FakeSlack
) -> None:
    class Counted(str):
        """Text that counts how often it is drawn into a log line (json.dumps does not draw it so)."""

        drawn = 0

        def __repr__(self) -> str:
            type(self).drawn += 1
            return str.__repr__(self)

    monkeypatch.setattr(logging.getLogger("slack_sdk.web.base_client"), "level", logging.NOTSET)
    monkeypatch.setattr(logging, "basicConfig", lambda **kwargs: None)  # the test run's handlers stay
    fake_slack.add_users("U0001")
    client = WebClient(token=BOT_TOKEN, base_url=fake_slack.url)
    client.chat_postMessage(channel="U0001", text=Counted("Saved your interview"))
    assert Counted.drawn == 1  # slack_sdk as it comes: a debug line built, then dropped at INFO
    configure_logging(level=logging.INFO, fmt="plain")
    client.chat_postMessage(channel="U0001", text=Counted("Saved your interview"))
    assert Counted.drawn == 1
    assert len(fake_slack.calls("chat.postMessage")) == 2
