"""The sheet in a terminal: the goal, each point with its tally, its flags and its newest evidence, then the
accounts × points table of marks, split into blocks of columns when the terminal is narrow; nothing typed
can break a line."""

from __future__ import annotations

from dataclasses import replace

from bot.studies.terminal import EVIDENCE_SHOWN, sheet_text
from tests.support.sheets import big_sheet, empty_sheet, small_sheet


def test_the_goal_each_points_tally_and_flags_then_the_matrix() -> None:
    text = sheet_text(small_sheet(), width=100)
    lines = text.splitlines()
    assert lines[:3] == [
        "Study “CRM sync” (open)",
        "6 interviews with 5 accounts, 3 validation points",
        "Goal: Is two-way sync worth building?",
    ]
    p1 = lines.index("P1  Teams re-key deals by hand")
    assert lines[p1 + 1 : p1 + 8] == [
        "    supported by 2 of 5 accounts, contradicted by 1, mixed for 1, not discussed by 1",
        "    ! accounts disagree",
        "    ✓ Hooli, 2026-11-17",
        "    ✗ Acme, 2026-11-16: they automated it with Zapier since",
        "    ~ Initech, 2026-11-10",
        "    ✓ Globex, 2026-11-09: two people copy deals daily",
        "    ✓ Acme, 2026-11-02: we re-key every deal",
    ]
    p2 = lines.index("P2  They would pay for two-way sync")
    assert lines[p2 + 2 : p2 + 4] == [
        "    ! accounts disagree",
        "    ! thin evidence (fewer than 3 accounts)",
    ]
    table = lines[
        lines.index("Accounts × points (✓ supports, ✗ contradicts, ~ mixed, blank: not discussed):") + 1 :
    ]
    assert table == [
        "account  calls  P1  P2  P3",
        "Acme         2   ✗   ✓",
        "Globex       1   ✓",
        "Hooli        1   ✓       ✗",
        "Initech      1   ~",
        "Umbrella     1       ✗",
    ]
    assert text.endswith("\n")


def test_only_the_newest_evidence_is_listed_and_the_rest_counted() -> None:
    sheet = big_sheet(20, 2)
    text = sheet_text(sheet, width=100)
    more = len(sheet.points[0].evidence) - EVIDENCE_SHOWN
    assert more > 0 and f"    and {more} more (the CSV has each account's)" in text.splitlines()


def test_a_narrow_terminal_gets_the_columns_in_blocks_each_with_the_names() -> None:
    sheet = big_sheet(20, 12)
    lines = sheet_text(sheet, width=60).splitlines()
    headers = [line for line in lines if line.startswith("account ")]
    assert headers == [
        "account                  calls  P1  P2  P3  P4  P5  P6  P7",
        "account                  calls  P8  P9 P10 P11 P12",
    ]
    assert all(len(line) <= 60 for line in lines)
    start = lines.index(headers[1])
    assert [line.split("  ")[0] for line in lines[start + 1 : start + 21]] == [
        line.split("  ")[0] for line in lines[lines.index(headers[0]) + 1 : lines.index(headers[0]) + 21]
    ]
    wide = sheet_text(sheet, width=200).splitlines()
    assert [line for line in wide if line.startswith("account ")] == [
        "account                  calls  P1  P2  P3  P4  P5  P6  P7  P8  P9 P10 P11 P12"
    ]


def test_what_was_typed_stays_on_its_line() -> None:
    sheet = small_sheet()
    rows = (replace(sheet.rows[0], account="Acme\x1b[2J\nInc"), *sheet.rows[1:])
    text = sheet_text(replace(sheet, name="CRM\rsync", goal="Goal\x07 here", rows=rows), width=100)
    assert "\x1b" not in text and "\r" not in text and "\x07" not in text
    assert "Study “CRM sync” (open)" in text and "Goal: Goal here" in text
    assert "Acme[2J Inc     2   ✗   ✓" in text.splitlines()


def test_short_names_leave_room_for_the_header() -> None:
    lines = sheet_text(big_sheet(2, 1, names=["Ax", "Bo"])).splitlines()
    assert lines[-3:] == ["account calls  P1", "Ax          1   ✓", "Bo          2   ✓"]


def test_a_study_with_no_interview_says_so() -> None:
    text = sheet_text(empty_sheet(), width=100)
    assert "0 interviews with 0 accounts, 3 validation points" in text
    assert text.splitlines()[-1] == (
        "No interviews in this study yet: log a call into it (/interview log) and answer its points."
    )
