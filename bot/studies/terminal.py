"""A study's sheet as plain text, for a terminal (`interview-bot study sheet`): the goal, each point with its
tally, its flags and its newest evidence, then the accounts × points matrix as a table of ✓ ✗ ~, split
into blocks of columns when the terminal is too narrow for all of them.

What people typed is shown on one line each, with control characters dropped: nothing stored can move
the cursor or forge a line."""

from __future__ import annotations

import textwrap
from collections.abc import Iterator

from bot.studies.matrix import cut_middle
from bot.studies.outputs import flags
from bot.studies.sheet import MARKS, Row, Said, Sheet
from bot.text import clean_text, counted

EVIDENCE_SHOWN = 5  # a point's newest answers listed under it; the CSV and the Slack view have the rest
NAME_MAX = 24  # an account's name in the matrix, cut with an ellipsis past this
NARROWEST = 40  # a terminal narrower than this is treated as this wide
CELL = 4  # a point's column: "  P1", "   ✓"
CALLS = 6  # the interviews column: " calls"
MARKS_KEY = "✓ supports, ✗ contradicts, ~ mixed, blank: not discussed"


def sheet_text(sheet: Sheet, *, width: int = 100) -> str:
    """The sheet for a terminal `width` characters wide, ending with a newline."""
    width = max(width, NARROWEST)
    state = "closed: the sheet as it was when it closed" if sheet.closed else "open"
    out = [
        *_wrapped(f"Study “{_one_line(sheet.name)}” ({state})", width),
        *_wrapped(
            f"{counted(sheet.interviews, 'interview')} with {counted(len(sheet.rows), 'account')}, "
            f"{counted(len(sheet.points), 'validation point')}",
            width,
        ),
        *_wrapped(f"Goal: {_one_line(sheet.goal)}", width, indent="      "),
    ]
    for n, point in enumerate(sheet.points, 1):
        label = f"P{n}"
        indent = " " * (len(label) + 2)
        out += ["", *_wrapped(f"{label}  {_one_line(point.text)}", width, indent=indent)]
        out += _wrapped(point.tally(), width, first=indent, indent=indent)
        out += [line for flag in flags(point) for line in _wrapped(f"! {flag}", width, first=indent)]
        for said in point.evidence[:EVIDENCE_SHOWN]:
            out += _wrapped(_said(said), width, first=indent, indent=indent + "  ")
        if len(point.evidence) > EVIDENCE_SHOWN:
            out.append(
                f"{indent}and {len(point.evidence) - EVIDENCE_SHOWN} more (the CSV has each account's)"
            )
    out.append("")
    if not sheet.rows:
        out.append(
            "No interviews in this study yet: log a call into it (/interview log) and answer its points."
        )
    else:
        out += _wrapped(f"Accounts × points ({MARKS_KEY}):", width)
        out += list(_matrix(sheet.rows, len(sheet.points), width))
    return "\n".join(out) + "\n"


def _said(said: Said) -> str:
    """ "✗ Acme, 2026-11-16: they automated it with Zapier since"; an interview that did not discuss the
    point but left words says so."""
    mark = MARKS[said.answer] or "·"
    words = f": {_one_line(said.evidence)}" if said.evidence else ""
    return f"{mark} {_one_line(said.account)}, {said.held_on.isoformat()}{words}"


def _matrix(rows: tuple[Row, ...], points: int, width: int) -> Iterator[str]:
    """The table, in as many blocks of point columns as the width needs, each with the accounts' names."""
    longest = max(len("account"), *(len(_name(r.account, NAME_MAX)) for r in rows))
    name_width = min(longest, width - CALLS - CELL)
    per_block = max(1, (width - name_width - CALLS) // CELL)
    for start in range(0, points, per_block):
        columns = range(start, min(points, start + per_block))
        if start:
            yield ""
        header = "".join(f"{f'P{j + 1}':>{CELL}}" for j in columns)
        yield f"{'account':<{name_width}}{'calls':>{CALLS}}{header}".rstrip()
        for row in rows:
            cells = "".join(
                f"{MARKS[c.answer] if c else '':>{CELL}}" for c in (row.cells[j] for j in columns)
            )
            yield f"{_name(row.account, name_width):<{name_width}}{row.interviews:>{CALLS}}{cells}".rstrip()


def _name(account: str, limit: int) -> str:
    return cut_middle(_one_line(account), limit)


def _one_line(text: str) -> str:
    return clean_text(" ".join(text.split()))


def _wrapped(text: str, width: int, *, first: str = "", indent: str = "") -> list[str]:
    return textwrap.wrap(text, width, initial_indent=first, subsequent_indent=indent) or [first.rstrip()]
