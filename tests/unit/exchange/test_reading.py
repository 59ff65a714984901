"""A sheet read strictly: a quote that goes wrong stops the file at the line where its cell opened (the
rows before it read, none after), a file that is not text is refused whole, and the header says what the
import will leave out."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest

from bot.exchange.cells import HeaderError, header_warnings, locate_columns
from bot.exchange.imports import Rejected, Row
from bot.exchange.reading import NotText, Stop, check_text, open_sheet

TODAY = date(2026, 12, 2)
HEADER = "account,date,pains\n"


def read(text: str) -> list[Row | Rejected | Stop]:
    return list(open_sheet(io.StringIO(text, newline=""), today=TODAY).rows)


def accounts(items: list[Row | Rejected | Stop]) -> list[str | None]:
    return [item.draft.account for item in items if isinstance(item, Row)]


def test_an_unclosed_quote_stops_at_its_line_and_nothing_after_is_read() -> None:
    items = read(
        HEADER
        + "Acme,2026-01-05,Slow reports\n"  # line 2
        + 'Globex,2026-01-06,"never closed\n'  # line 3
        + "Initech,2026-01-07,Billing\n"
        + "Hooli,2026-01-08,Exports\n"
    )
    assert accounts(items) == ["Acme"]
    assert items[-1] == Stop(
        3, "a quoted cell opens here and is never closed", "close the quote, or take out the stray one"
    )


def test_the_stop_names_the_line_the_quote_opened_on_not_where_its_row_starts() -> None:
    items = read(
        HEADER
        + 'Acme,2026-01-05,"Slow reports\n'  # line 2: a good quoted cell over two lines
        + 'Exports fail"\n'
        + 'Globex,"2026-01-06\n'  # line 4: the row starts here with a good two-line cell...
        + '",Fine,"never closed\n'  # line 5: ...and the quote that never closes opens here
        + "Initech,2026-01-07,Billing\n"
    )
    assert accounts(items) == ["Acme"]
    assert isinstance(items[-1], Stop) and items[-1].line == 5


def test_doubled_quotes_in_a_cell_never_closed_do_not_close_it() -> None:
    (stop,) = read(HEADER + 'Acme,2026-01-05,"He said ""slow"" and went\nGlobex,2026-01-06,Billing\n')
    assert stop == Stop(
        2, "a quoted cell opens here and is never closed", "close the quote, or take out the stray one"
    )


def test_text_after_a_closing_quote_stops_at_the_cells_line() -> None:
    items = read(HEADER + 'Acme,2026-01-05,"Slow" reports\nGlobex,2026-01-06,Billing\n')
    assert accounts(items) == []
    assert isinstance(items[-1], Stop) and items[-1].line == 2
    assert "text after its closing quote" in items[-1].reason and '("")' in items[-1].fix


def test_a_cell_past_the_readers_limit_stops_where_its_quote_opened(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("bot.exchange.reading.READER_LIMIT", 50)
    limit = csv.field_size_limit()
    try:
        items = read(HEADER + "Acme,2026-01-05,Fine\n" + 'Globex,2026-01-06,"' + "x\n" * 100)
    finally:
        csv.field_size_limit(limit)  # the csv module's limit is the process's
    assert accounts(items) == ["Acme"]
    assert isinstance(items[-1], Stop) and items[-1].line == 3
    assert "runs on for more than 50 characters" in items[-1].reason


def test_quotes_written_as_csv_writes_them_read_on() -> None:
    items = read(HEADER + 'Acme,2026-01-05,"He said ""slow"", twice"\nGlobex,2026-01-06,a "quoted" word\n')
    assert accounts(items) == ["Acme", "Globex"]
    assert [i.draft.pains for i in items if isinstance(i, Row)] == [
        'He said "slow", twice',
        'a "quoted" word',
    ]


def test_a_row_with_text_past_the_header_is_rejected_and_empty_cells_there_are_not() -> None:
    items = read(HEADER + "Acme,2026-01-05,Slow reports, really slow\nGlobex,2026-01-06,Billing,,\n")
    assert isinstance(items[0], Rejected) and items[0].line == 2
    assert "text in column 4, but the header names 3 columns" in items[0].reason
    assert accounts(items) == ["Globex"]


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("", "the file is empty"),
        ("\n\n", "the file is empty"),
        ('account,"date,pains\nAcme,2026-01-05,x\n', "line 1: a quoted cell opens here and is never closed"),
        ("a\x00c\x00c\x00o\x00u\x00n\x00t\x00,date\n", "NUL characters"),
    ],
)
def test_a_file_with_no_readable_header_is_refused(text: str, says: str) -> None:
    with pytest.raises(HeaderError, match=says):
        open_sheet(io.StringIO(text, newline=""), today=TODAY)


def test_blank_lines_above_the_header_keep_the_line_numbers() -> None:
    items = read("\n" + HEADER + ",2026-01-05,x\n")
    assert isinstance(items[0], Rejected) and items[0].line == 3


def test_a_header_alone_has_no_rows() -> None:
    assert read(HEADER) == []


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (HEADER.encode() + b"Caf\xe9,2026-01-05,x\n", r"line 2 is not UTF-8 text \(byte 0xe9\)"),
        ((HEADER + "Café,2026-01-05,x\n").encode("utf-16"), "UTF-16"),
    ],
)
def test_a_file_that_is_not_utf8_is_refused_naming_the_line(data: bytes, says: str) -> None:
    with pytest.raises(NotText, match=says):
        check_text(io.BytesIO(data))


def test_utf8_with_a_bom_is_text() -> None:
    assert check_text(io.BytesIO(("\ufeff" + HEADER + "Café,2026-01-05,x\n").encode())) == 2


def warnings_for(*header: str) -> list[str]:
    return header_warnings(list(header), locate_columns(list(header)))


def test_a_column_the_import_does_not_know_is_named_with_the_map_that_reads_it() -> None:
    assert warnings_for("account", "date", "Pain points") == [
        "column 3 'Pain points' is not one the import knows: it is left out "
        "(to read it as pains: --map pains='Pain points')",
        "the sheet has NO PAINS COLUMN: its interviews come in without pains, so none of them reach themes "
        "or the digest (if a column holds them: --map pains='Pain points')",
    ]


def test_a_column_like_none_says_what_map_could_read_it_as() -> None:
    (warning,) = warnings_for("account", "date", "pains", "Owner\n")
    assert warning.startswith(
        "column 4 'Owner\\n' is not one the import knows: it is left out (--map COLUMN="
    )
    assert "reads it as one of kind, who," in warning and "themes" not in warning


def test_no_pains_column_is_said_even_when_every_column_is_known() -> None:
    (warning,) = warnings_for("account", "date", "notes")
    assert "NO PAINS COLUMN" in warning and '--map pains="Its header"' in warning


def test_a_second_column_with_a_known_header_and_an_unnamed_one_are_left_out_with_a_word() -> None:
    assert warnings_for("account", "date", "pains", "", "Pains", "") == [
        "column 4 has no header: what is under it is left out",
        "column 5 'Pains' has the same header as column 3: it is left out",
    ]


def test_the_exports_own_columns_warn_of_nothing() -> None:
    from bot.exchange.cells import HEADERS

    assert warnings_for(*HEADERS) == []
