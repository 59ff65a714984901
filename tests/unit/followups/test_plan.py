"""Promised follow-ups, as people type them: the text and the date apart."""

from __future__ import annotations

import time
from datetime import date

import pytest

from bot.followups.plan import PromiseDateError, parse_promise

CALL = date(2026, 11, 23)


@pytest.mark.parametrize(
    ("line", "text", "due"),
    [
        ("Send the pricing sheet by 2026-12-01", "Send the pricing sheet", date(2026, 12, 1)),
        ("Send the pricing sheet — 2026-12-01.", "Send the pricing sheet", date(2026, 12, 1)),
        ("Intro to our CTO: due 2026-11-30", "Intro to our CTO", date(2026, 11, 30)),
        ("Share the roadmap tomorrow", "Share the roadmap", date(2026, 11, 24)),
        ("Demo the API in 5 days", "Demo the API", date(2026, 11, 28)),
        ("Check back in 2 weeks", "Check back", date(2026, 12, 7)),
        ("Answer their SSO question", "Answer their SSO question", None),
        ("Ship v2 of 2026-style reports", "Ship v2 of 2026-style reports", None),
    ],
)
def test_promises_split_into_text_and_date(line: str, text: str, due: date | None) -> None:
    promise = parse_promise(line, held_on=CALL)
    assert (promise.text, promise.due_on) == (text, due)


@pytest.mark.parametrize("line", ["tomorrow", "by 2026-12-01", "— in 3 days"])
def test_a_date_alone_promises_nothing(line: str) -> None:
    assert parse_promise(line, held_on=CALL).text == ""


@pytest.mark.parametrize(
    "line", ["Send notes " + "- " * 20 + "ok", ", " * 22, "x" + " - " * 16 + "!", " - " * 600]
)
def test_pathological_lines_parse_at_once(line: str) -> None:
    started = time.perf_counter()
    promise = parse_promise(line, held_on=CALL)
    assert time.perf_counter() - started < 0.05
    assert promise.due_on is None


def test_an_impossible_date_is_an_error() -> None:
    with pytest.raises(PromiseDateError):
        parse_promise("Send it by 2026-02-30", held_on=CALL)
