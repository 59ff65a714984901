"""Reading a sheet strictly. The csv module, left lenient, reads a quote that is never closed as one cell
holding the rest of the file, and text after a closing quote as more of the cell: rows lost without a
word, their text stored as one pain. Read strictly, the file stops at the line where the cell that went
wrong opened; the rows before it are read (importing twice is a no-op, so after the fix the whole file
can be imported again), nothing from that line on is.

A file that is not UTF-8 text is refused before any row is read: a sheet saved in another encoding is
wrong throughout, not from one line on.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from typing import BinaryIO

from bot.exchange.cells import HeaderError, header_warnings, locate_columns, named_width
from bot.exchange.imports import Rejected, Row, check_record

# Far above any cell a row may have (the rows' own check names the column): a cell this long is a quote
# that never closed, and reading stops there rather than holding the file in memory.
READER_LIMIT = 1 << 24
SAVE_AS = "save the sheet as “CSV UTF-8”"


class NotText(ValueError):
    """The file is not UTF-8 text; str(self) says where."""


@dataclass(frozen=True)
class Stop:
    """The file cannot be read on from `line`: nothing from it on is imported. `fix` says what to do."""

    line: int
    reason: str
    fix: str


class _Lines:
    """The source's lines as the csv reader takes them: counted, the current record's kept (to find where
    a quoted cell that went wrong opened)."""

    def __init__(self, source: Iterable[str]) -> None:
        self._source = iter(source)
        self.read = 0
        self.record: list[str] = []

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        line = next(self._source)
        self.read += 1
        self.record.append(line)
        return line

    def next_record(self) -> int:
        """Forget the last record's lines; the line the next one starts on."""
        self.record.clear()
        return self.read + 1


@dataclass
class Sheet:
    """A file whose header was read: where each column is, what the import will leave out, and its rows
    (each a Row, a Rejected, or a last Stop), read as they are asked for."""

    columns: dict[str, int]
    warnings: list[str]
    rows: Iterator[Row | Rejected | Stop]
    _lines: _Lines

    @property
    def lines_read(self) -> int:
        return self._lines.read


def check_text(source: BinaryIO) -> int:
    """How many lines the file has; raises NotText naming the first line that is not UTF-8."""
    if source.read(2) in (b"\xff\xfe", b"\xfe\xff"):
        raise NotText(f"it is UTF-16 text, not UTF-8: {SAVE_AS}")
    source.seek(0)
    count = 0
    for count, line in enumerate(source, 1):
        try:
            line.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise NotText(
                f"line {count} is not UTF-8 text (byte 0x{line[exc.start]:02x}): the sheet was saved in "
                f"another encoding; {SAVE_AS}"
            ) from None
    return count


def _went_wrong(lines: list[str], first: int) -> tuple[int, str] | None:
    """Where the record's quoted cell that went wrong opened, and how: "open" (never closed) or "after"
    (text after its closing quote), as the csv module's excel dialect reads a record; None if neither."""
    opened, inside, at_start, closed = 0, False, True, False
    for number, line in enumerate(lines, first):
        at = 0
        while at < len(line):
            char = line[at]
            if inside:
                if char == '"' and line.startswith('"', at + 1):
                    at += 1  # a doubled quote: one quote in the cell
                elif char == '"':
                    inside, closed = False, True
            elif closed:  # only a comma or the line's end may follow a closing quote
                if char not in ",\r\n":
                    return opened, "after"
                at_start, closed = True, False
            elif char == '"' and at_start:
                inside, opened = True, number
            else:
                at_start = char in ",\r\n"
            at += 1
    return (opened, "open") if inside else None


def _stop(lines: list[str], first: int, exc: csv.Error) -> Stop:
    wrong = _went_wrong(lines, first)
    too_long = "field limit" in str(exc)
    if wrong and wrong[1] == "open":
        runs_on = f"runs on for more than {READER_LIMIT:,} characters" if too_long else "is never closed"
        return Stop(
            wrong[0], f"a quoted cell opens here and {runs_on}", "close the quote, or take out the stray one"
        )
    if wrong:
        return Stop(
            wrong[0],
            "a quoted cell opens here and has text after its closing quote",
            'write a quote inside a quoted cell as two ("")',
        )
    last = first + max(len(lines) - 1, 0)
    if too_long:
        return Stop(last, f"a cell here is longer than {READER_LIMIT:,} characters", "split the cell")
    return Stop(last, f"the line cannot be read as CSV ({exc})", "fix the line")


def open_sheet(source: Iterable[str], *, mapping: Mapping[str, str] | None = None, today: date) -> Sheet:
    """Read the header (raises HeaderError if it cannot name the columns the import needs); the rows are
    read as `rows` is iterated."""
    csv.field_size_limit(READER_LIMIT)
    lines = _Lines(source)
    reader = csv.reader(lines, strict=True)
    header: list[str] = []
    while not any(cell.strip() for cell in header):  # blank lines above the header are no header
        first = lines.next_record()
        try:
            record = next(reader, None)
        except csv.Error as exc:
            stop = _stop(lines.record, first, exc)
            raise HeaderError(f"line {stop.line}: {stop.reason}; {stop.fix}") from None
        if record is None:
            raise HeaderError(
                "the file is empty: its first line should name the columns, like account,date,pains"
            )
        header = record
    if any("\0" in cell for cell in header):
        raise HeaderError(f"the first line holds NUL characters, so the file is not UTF-8 text; {SAVE_AS}")
    columns = locate_columns(header, mapping)
    rows = _rows(reader, lines, columns, width=named_width(header), today=today)
    return Sheet(columns, header_warnings(header, columns), rows, lines)


def _rows(
    reader: Iterator[list[str]], lines: _Lines, columns: Mapping[str, int], *, width: int, today: date
) -> Iterator[Row | Rejected | Stop]:
    while True:
        line = lines.next_record()
        try:
            record = next(reader, None)
        except csv.Error as exc:
            yield _stop(lines.record, line, exc)
            return
        if record is None:
            return
        if not any(cell.strip() for cell in record):
            continue  # a blank line between rows
        beyond = next((at for at in range(width, len(record)) if record[at].strip()), None)
        if beyond is not None:
            # Most often a comma outside quotes: the cells after it moved one column on.
            yield Rejected(
                line,
                f"the row has text in column {beyond + 1}, but the header names {width} columns: put a cell "
                "that holds a comma in quotes",
            )
            continue
        try:
            yield check_record(record, columns, line=line, today=today)
        except ValueError as exc:
            yield Rejected(line, str(exc))
