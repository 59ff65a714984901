"""One record of a sheet as an interview to store: what it reads, what it refuses, and its key."""

from __future__ import annotations

import io
from datetime import date

import pytest

from bot.exchange.cells import COLUMN_KEYS, HEADERS, locate_columns
from bot.exchange.imports import Rejected, Row, check_record
from bot.exchange.reading import open_sheet
from storage.models import FollowUpKind, FollowUpState

TODAY = date(2026, 12, 2)
POSITIONS = locate_columns(list(HEADERS))


def record(**cells: str) -> list[str]:
    values = {"account": "Acme", "date": "2026-03-04", "pains": "Slow reports", **cells}
    return [values.get(key, "") for key in COLUMN_KEYS]


def test_a_row_reads_like_a_logged_interview() -> None:
    row = check_record(
        record(
            kind="Win/loss interview",
            who="U0001, U0002",
            contact="'=Dana",
            follow_ups="thank_you (done): Send Acme a thank-you\npromise (open): Send the deck",
        ),
        POSITIONS,
        line=2,
        today=TODAY,
    )
    assert row.draft.kind == "win_loss" and row.logged_by == "U0001" and row.draft.participants == ["U0002"]
    assert row.draft.contact_name == "=Dana"  # the export's defusing undone
    assert [(f.kind, f.state) for f in row.follow_ups] == [
        (FollowUpKind.THANK_YOU, FollowUpState.DONE),
        (FollowUpKind.PROMISE, FollowUpState.OPEN),
    ]


def test_the_key_follows_the_content() -> None:
    one = check_record(record(), POSITIONS, line=2, today=TODAY)
    same = check_record(record(), POSITIONS, line=9, today=TODAY)
    changed = check_record(record(pains="Slow reports, really"), POSITIONS, line=2, today=TODAY)
    assert one.key == same.key != changed.key
    assert one.key.startswith("import:") and len(one.key) <= 64


@pytest.mark.parametrize(
    ("cells", "says"),
    [
        ({"account": ""}, "account:"),
        ({"date": "2026-02-30"}, "not a real date"),
        ({"date": "March 4"}, "not a date like 2026-03-04"),
        ({"date": "2027-06-01"}, "in the future"),
        ({"kind": "chat"}, "kind:"),
        ({"who": "Maria"}, "not a Slack member id"),
        ({"pains": "", "notes": ""}, "at least one pain"),
        ({"goal": "g" * 5000}, "goal: the cell has 5000 characters"),
        ({"contact": "c" * 200}, "contact: keep this under 150"),
        ({"notes": "Call\x00went well"}, "notes: the cell holds a NUL character"),
    ],
)
def test_a_bad_row_says_which_column_is_wrong(cells: dict[str, str], says: str) -> None:
    with pytest.raises(ValueError, match=says):
        check_record(record(**cells), POSITIONS, line=2, today=TODAY)


def test_rows_carry_the_line_they_start_on_across_line_breaks_in_cells() -> None:
    sheet = ",".join(HEADERS) + '\nAcme,2026-03-04,,,,,,"one\ntwo\nthree"\n\n,2026-03-05,,,,,,x\n'
    rows = list(open_sheet(io.StringIO(sheet, newline=""), today=TODAY).rows)
    assert isinstance(rows[0], Row) and rows[0].line == 2
    assert isinstance(rows[1], Rejected) and rows[1].line == 6 and rows[1].reason.startswith("account")
