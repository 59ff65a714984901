"""The sheet from its parts: each account's latest spoken answer per point, the tallies, disagreement and
thin evidence, and a frozen sheet read back as it was."""

from __future__ import annotations

from datetime import date

from bot.studies.sheet import Sheet, sheet_of
from storage.models import Answer

S, C, M, N = Answer.SUPPORTS, Answer.CONTRADICTS, Answer.MIXED, Answer.NOT_DISCUSSED
POINTS = [
    (1, "Teams re-key deals by hand"),
    (2, "They would pay for two-way sync"),
    (3, "Admins set it up alone"),
]
# Acme twice: its later call contradicts point 1 (that answer wins) and does not discuss point 2 (the
# earlier answer stands).
INTERVIEWS = [
    (10, date(2026, 11, 2), "Acme"),
    (11, date(2026, 11, 9), "Globex"),
    (12, date(2026, 11, 10), "Initech"),
    (13, date(2026, 11, 16), "Acme"),
    (14, date(2026, 11, 17), "Hooli"),
    (15, date(2026, 11, 18), "Umbrella"),
]
ANSWERS = [
    (10, 1, S, "we re-key every deal"),
    (10, 2, S, "would pay for it"),
    (11, 1, S, "two people copy deals daily"),
    (12, 1, M, None),
    (13, 1, C, "they automated it with Zapier since"),
    (13, 2, N, None),
    (14, 1, S, None),
    (14, 3, C, "IT must approve every app"),
    (15, 2, C, "not a budget line this year"),
]


def sheet() -> Sheet:
    return sheet_of(
        study_id=7, name="CRM sync", goal="Is two-way sync worth building?", closed=False,
        points=POINTS, interviews=INTERVIEWS, answers=ANSWERS,
    )  # fmt: skip


def test_each_account_has_one_row_with_its_latest_spoken_answer() -> None:
    rows = {row.account: row for row in sheet().rows}
    assert list(rows) == ["Acme", "Globex", "Hooli", "Initech", "Umbrella"]
    acme = rows["Acme"]
    assert acme.interviews == 2
    first, second, third = acme.cells
    assert first is not None and (first.answer, first.interview_id) == (C, 13)  # the later call wins
    assert second is not None and (second.answer, second.interview_id) == (S, 10)  # not discussed later
    assert third is None


def test_tallies_count_accounts_not_interviews() -> None:
    one, two, three = sheet().points
    assert (one.supports, one.contradicts, one.mixed, one.not_discussed) == (2, 1, 1, 1)
    assert one.tally() == "supported by 2 of 5 accounts, contradicted by 1, mixed for 1, not discussed by 1"
    assert one.disagree and not one.thin
    assert (two.supports, two.contradicts, two.not_discussed) == (1, 1, 3)
    assert two.disagree and two.thin
    assert (three.contradicts, three.spoken) == (1, 1) and three.thin and not three.disagree
    # Both of Acme's answers to point 1 stay in its evidence, newest first.
    assert [s.interview_id for s in one.evidence] == [14, 13, 12, 11, 10]


def test_a_frozen_sheet_reads_back_as_it_was() -> None:
    live = sheet()
    frozen = Sheet.from_json(live.as_json())
    assert frozen.closed and frozen.points == live.points and frozen.rows == live.rows
    assert frozen.interviews == 6
