"""The sheet as CSV and as alt text: the CSV read back with the csv module is the sheet (a row per account,
a column per point, each point's tally below, every cell that could run as a formula defused, with the
export's BOM); the alt text names each point's tally in words, the disagreements and the thin points,
within Slack's 1,000 characters however long the sheet."""

from __future__ import annotations

import csv
import io
from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.studies.outputs import ALT_TEXT_MAX, cell_text, matrix_alt_text, sheet_csv
from bot.studies.sheet import Point, sheet_of
from bot.text import restore
from tests.support.sheets import INTERVIEWS, POINTS, C, M, S, big_sheet, empty_sheet, small_sheet

DAY = INTERVIEWS[0][1]


def read_back(text: str) -> tuple[list[str], list[list[str]], dict[str, list[str]]]:
    """The header, the account rows and the tally rows (by their first cell) of a sheet's CSV."""
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline="")))
    blank = rows.index([])
    return rows[0], rows[1:blank], {r[0]: r[2:] for r in rows[blank + 1 :]}


def test_the_csv_read_back_is_the_matrix() -> None:
    sheet = small_sheet()
    header, matrix, _ = read_back(sheet_csv(sheet))
    assert header == ["account", "interviews", *(text for _, text in POINTS)]
    assert matrix == [
        [
            "Acme",
            "2",
            "✗ contradicts: they automated it with Zapier since",
            "✓ supports: would pay for it",
            "",
        ],
        ["Globex", "1", "✓ supports: two people copy deals daily", "", ""],
        ["Hooli", "1", "✓ supports", "", "✗ contradicts: IT must approve every app"],
        ["Initech", "1", "~ mixed", "", ""],
        ["Umbrella", "1", "", "✗ contradicts: not a budget line this year", ""],
    ]
    # The same, cell for cell, as the sheet the Slack view and the picture read.
    assert matrix == [
        [row.account, str(row.interviews), *(cell_text(c) for c in row.cells)] for row in sheet.rows
    ]


def test_the_tally_rows_follow_the_matrix_after_an_empty_row() -> None:
    sheet = small_sheet()
    _, _, tallies = read_back(sheet_csv(sheet))
    assert list(tallies) == [
        "supported by",
        "contradicted by",
        "mixed for",
        "not discussed by",
        "tally",
        "flags",
    ]
    assert tallies["supported by"] == ["2", "1", "0"]
    assert tallies["contradicted by"] == ["1", "1", "1"]
    assert tallies["mixed for"] == ["1", "0", "0"]
    assert tallies["not discussed by"] == ["1", "3", "4"]
    assert tallies["tally"] == [p.tally() for p in sheet.points]
    assert (
        tallies["tally"][0]
        == "supported by 2 of 5 accounts, contradicted by 1, mixed for 1, not discussed by 1"
    )
    assert tallies["flags"] == [
        "accounts disagree",
        "accounts disagree; thin evidence (fewer than 3 accounts)",
        "thin evidence (fewer than 3 accounts)",
    ]


def test_every_cell_that_could_run_as_a_formula_is_defused() -> None:
    sheet = sheet_of(
        study_id=1, name="x", goal="y", closed=False,
        points=[(1, "=HYPERLINK(\"http://evil\")"), (2, "+1 would pay")],
        interviews=[(10, DAY, "@SUM(A1)"), (11, DAY, "-Acme"), (12, DAY, "\tTab")],
        answers=[(10, 1, S, "=cmd|' /C calc'!A0"), (11, 2, C, "\rreturn"), (12, 1, M, "@me")],
    )  # fmt: skip
    text = sheet_csv(sheet)
    header, matrix, _ = read_back(text)
    cells = [*header, *(c for row in matrix for c in row)]
    assert not [c for c in cells if c.startswith(("=", "+", "-", "@", "\t", "\r"))]
    assert header[2:] == ['\'=HYPERLINK("http://evil")', "'+1 would pay"]
    assert [row[0] for row in matrix] == ["'\tTab", "'-Acme", "'@SUM(A1)"]
    # Evidence follows its mark, so it never starts a cell; it is kept as said.
    assert matrix[2][2] == "✓ supports: =cmd|' /C calc'!A0"
    # What the export defused, its reader restores: the names as typed.
    assert [restore(row[0]) for row in matrix] == ["\tTab", "-Acme", "@SUM(A1)"]


def test_a_study_with_no_interview_has_its_header_and_empty_tallies() -> None:
    header, matrix, tallies = read_back(sheet_csv(empty_sheet()))
    assert header == ["account", "interviews", *(text for _, text in POINTS)]
    assert matrix == [] and tallies["supported by"] == ["0", "0", "0"]


def test_the_alt_text_names_each_points_tally_and_the_points_to_look_at_again() -> None:
    alt = matrix_alt_text(small_sheet())
    assert alt.startswith(
        "Sheet of the study “CRM sync”: 6 interviews with 5 accounts (rows), 3 validation points (columns)."
    )
    assert (
        "P1 Teams re-key deals by hand: supported by 2 of 5 accounts, contradicted by 1, mixed for 1, "
        "not discussed by 1." in alt
    )
    assert (
        "P3 Admins set it up alone: supported by 0 of 5 accounts, contradicted by 1, not discussed by 4."
        in alt
    )
    assert "Accounts disagree on P1, P2." in alt
    assert "Too little evidence (fewer than 3 accounts) on P2, P3." in alt
    assert "(closed)" in matrix_alt_text(small_sheet(closed=True))
    assert matrix_alt_text(empty_sheet()) == (
        "The study “Pricing” has no interviews yet: its 3 validation points have no answers."
    )


def short_tally(point: Point) -> str:
    mixed = f", {point.mixed} mixed" if point.mixed else ""
    said = f"{point.supports} support, {point.contradicts} contradict{mixed}"
    return f"{said}, {point.not_discussed} not discussed"


def test_a_long_sheet_says_each_tally_shorter_rather_than_cutting_one_off() -> None:
    five = big_sheet(20, 5)  # room for every point's words and its tally in full
    alt = matrix_alt_text(five)
    assert all(f"P{n} {p.text}: {p.tally()}." in alt for n, p in enumerate(five.points, 1))
    eight = big_sheet(20, 8)  # the tallies shorter; the longest point's words cut, the others whole
    alt = matrix_alt_text(eight)
    assert len(alt) <= ALT_TEXT_MAX and "supported by" not in alt
    for n, point in enumerate(eight.points, 1):
        if n == 7:
            assert point.text not in alt and f"P7 {point.text[:60]}" in alt
        else:
            assert f"P{n} {point.text}: {short_tally(point)}." in alt
    twelve = big_sheet(20, 12)  # no room for the words: each tally still said, nothing cut
    alt = matrix_alt_text(twelve)
    assert len(alt) <= ALT_TEXT_MAX and not alt.endswith("…")
    assert all(f"P{n}: {short_tally(p)}." in alt for n, p in enumerate(twelve.points, 1))


@settings(max_examples=60, deadline=None)
@given(
    st.integers(min_value=1, max_value=12),
    st.integers(min_value=0, max_value=80),
    st.integers(min_value=1, max_value=300),
    st.integers(min_value=1, max_value=80),
)
def test_the_alt_text_always_fits_and_names_every_point(
    points: int, accounts: int, words: int, name: int
) -> None:
    sheet = big_sheet(accounts, points, names=[f"Account {a}" for a in range(accounts)] or None)
    texts = [(p.point_id, "w" * words + str(p.point_id)) for p in sheet.points]
    worded = tuple(replace(p, text=t) for p, (_, t) in zip(sheet.points, texts, strict=True))
    sheet = replace(sheet, name="S" * name, points=worded)
    alt = matrix_alt_text(sheet)
    assert len(alt) <= ALT_TEXT_MAX
    if accounts:
        assert all(f"P{n}" in alt for n in range(1, points + 1))
