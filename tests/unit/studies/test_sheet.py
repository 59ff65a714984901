"""The sheet from its parts: each account's latest spoken answer per point, the tallies, disagreement and
thin evidence, and a frozen sheet read back as it was."""

from __future__ import annotations

from bot.studies.sheet import Sheet, sheet_of
from storage.models import Answer
from tests.support.sheets import ANSWERS, INTERVIEWS, POINTS

S, C, M = Answer.SUPPORTS, Answer.CONTRADICTS, Answer.MIXED

# The hand-made sheet the outputs are tested on too (tests.support.sheets).


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
