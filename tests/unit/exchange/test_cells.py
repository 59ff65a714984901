"""Cells that could run as a formula are defused (and restored exactly); headers found and mapped."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.exchange.cells import HEADERS, HeaderError, defuse, locate_columns, parse_map, restore
from handlers.exchange import parse_export_text


@pytest.mark.parametrize("cell", ["=1+1", "+44 20", "-3", "@SUM(A1)", "\tx", "\rx", "'=x", "''"])
def test_what_a_spreadsheet_would_run_starts_with_a_quote(cell: str) -> None:
    assert defuse(cell) == "'" + cell


@pytest.mark.parametrize("cell", ["", "Acme", "'tis", "'", "a=b", " =x", "x\n=y"])
def test_plain_text_is_left_as_it_is(cell: str) -> None:
    assert defuse(cell) == cell


@given(st.text())
def test_restore_gives_back_exactly_what_was_defused(cell: str) -> None:
    assert restore(defuse(cell)) == cell
    assert not defuse(cell).startswith(("=", "+", "-", "@", "\t", "\r"))


def test_headers_are_found_in_any_case_with_the_export_names_or_the_keys() -> None:
    positions = locate_columns(["\ufeffAccount", "DATE", "What They Said", "closing_answer"])
    assert positions == {"account": 0, "date": 1, "quotes": 2, "closing_answer": 3}
    assert locate_columns(list(HEADERS))["request_themes"] == len(HEADERS) - 1


def test_map_names_the_files_own_headers() -> None:
    mapping = parse_map(["pains=Pain points", "account = Customer"])
    assert mapping == {"pains": "Pain points", "account": "Customer"}
    assert locate_columns(["Customer", "date", "Pain points"], mapping) == {
        "account": 0,
        "date": 1,
        "pains": 2,
    }


@pytest.mark.parametrize(
    ("pairs", "header", "says"),
    [
        (["nope=X"], ["account", "date"], "there is no column"),
        (["pains"], ["account", "date"], "column=Header"),
        (["pains=Pain points"], ["account", "date"], "the file has no such header"),
        ([], ["date", "pains"], "no account column"),
        ([], ["account"], "no date column"),
    ],
)
def test_a_bad_map_or_a_missing_column_says_what_to_do(
    pairs: list[str], header: list[str], says: str
) -> None:
    with pytest.raises(HeaderError, match=says):
        locate_columns(header, parse_map(pairs))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", (None, None)),
        ("Acme", ("Acme", None)),
        ("since 2026-03-01", (None, "2026-03-01")),
        ("Acme Corp since 2026-03-01", ("Acme Corp", "2026-03-01")),
        ("Sincerely Yours", ("Sincerely Yours", None)),
    ],
)
def test_the_export_command_reads_an_account_and_a_date(
    text: str, expected: tuple[str | None, str | None]
) -> None:
    assert parse_export_text(text) == expected
