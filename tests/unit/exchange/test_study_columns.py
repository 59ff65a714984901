"""The `study` and `study answers` columns read from a sheet: their form checked with the row, then the
answers matched to the study's live points, and each refusal saying what to fix."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.exchange.cells import COLUMN_KEYS, HEADERS, locate_columns, parse_map
from bot.exchange.imports import check_record
from bot.exchange.studies import FIX_UNKNOWN, answer_line, check_answer_lines, resolve
from bot.studies.answers import PointReply
from storage.models import Answer, Study, StudyState, ValidationPoint

TODAY = date(2026, 12, 2)
POSITIONS = locate_columns(list(HEADERS))


def record(**cells: str) -> list[str]:
    values = {"account": "Acme", "date": "2026-03-04", "pains": "Slow reports", **cells}
    return [values.get(key, "") for key in COLUMN_KEYS]


def a_study(*points: str, state: StudyState = StudyState.OPEN, retired: tuple[str, ...] = ()) -> Study:
    live = [ValidationPoint(id=n + 1, text=t, position=n) for n, t in enumerate(points)]
    gone = [
        ValidationPoint(
            id=100 + n, text=t, position=len(points) + n, retired_at=datetime(2026, 1, 1, tzinfo=UTC)
        )
        for n, t in enumerate(retired)
    ]
    return Study(id=7, name="Older phones", state=state, points=live + gone)


PHONES = a_study(
    "The app is too slow on older phones", "It got slow with the update", "Staff: fall back to paper"
)


def test_the_columns_are_the_exports_and_map_names_them() -> None:
    assert HEADERS[COLUMN_KEYS.index("study")] == "study"
    assert HEADERS[COLUMN_KEYS.index("study_answers")] == "study answers"
    mapping = parse_map(["study=Research", "study answers=Findings"])
    assert locate_columns(["account", "date", "Findings", "Research"], mapping) == {
        "account": 0,
        "date": 1,
        "study_answers": 2,
        "study": 3,
    }


def test_a_row_reads_its_study_and_answer_lines_spaces_tidied() -> None:
    row = check_record(
        record(study="  Older   phones ", study_answers="A point:  supports:  they said so\n\n B: mixed "),
        POSITIONS,
        line=2,
        today=TODAY,
    )
    assert row.study == "Older phones"
    assert row.answers == ["A point: supports: they said so", "B: mixed"]
    assert row.resolved is None  # which points are the study's is asked of the workspace


def test_a_row_without_a_study_keeps_the_key_it_had_before_studies_were_exported() -> None:
    # The key an import gave this row before the study columns existed: importing an old sheet again
    # finds its rows there.
    header = ["account", "date", "kind", "who", "pains", "follow-ups"]
    old = [
        "Acme",
        "2026-03-04",
        "demo",
        "U0001 U0002",
        "Slow reports\nNo SSO",
        "thank_you (done): Thank Dana",
    ]
    key = check_record(old, locate_columns(header), line=2, today=TODAY).key
    assert key == "import:64ebf28210f62286e2b06c33845722463899f2321b92107df7563a0b4"
    assert (
        check_record(
            [*old, "", ""], locate_columns([*header, "study", "study answers"]), line=2, today=TODAY
        ).key
        == key
    )


def test_the_key_follows_the_study_and_its_answers_not_their_case() -> None:
    plain = check_record(record(), POSITIONS, line=2, today=TODAY).key
    studied = check_record(
        record(study="Older phones", study_answers="A: supports"), POSITIONS, line=2, today=TODAY
    )
    again = check_record(
        record(study="OLDER phones", study_answers="a:  Supports"), POSITIONS, line=3, today=TODAY
    )
    other = check_record(
        record(study="Older phones", study_answers="A: mixed"), POSITIONS, line=2, today=TODAY
    )
    assert len({plain, studied.key, other.key}) == 3 and again.key == studied.key


@pytest.mark.parametrize(
    ("cells", "says"),
    [
        ({"study_answers": "A: supports"}, "study answers: name the study they answer in the study column"),
        (
            {"study": "S", "study_answers": "A supports"},
            "study answers: “A supports” is not like “point: supports",
        ),
        ({"study": "S", "study_answers": "A: agrees: yes"}, "is not like"),
        ({"study": "S", "study_answers": "A: supports but"}, "is not like"),
        ({"study": "S" * 5000}, "study: the cell has 5000 characters"),
    ],
)
def test_a_bad_study_cell_says_which_column_is_wrong(cells: dict[str, str], says: str) -> None:
    with pytest.raises(ValueError, match=says):
        check_record(record(**cells), POSITIONS, line=2, today=TODAY)


def test_answers_are_matched_to_the_studys_points_in_any_case_and_spacing() -> None:
    lines = check_answer_lines(
        "the app is too slow ON OLDER phones: supports: half a minute to open\n"
        "It got slow with the update: Not Discussed: they never said\n"
        "Staff: fall back to paper: contradicts: they wait: it is slow",  # the point itself has a colon
        study="Older phones",
    )
    resolved = resolve(PHONES, study="older phones", lines=lines)
    assert resolved.study_id == 7
    assert resolved.replies == (
        PointReply(1, Answer.SUPPORTS, "half a minute to open"),
        PointReply(2, Answer.NOT_DISCUSSED, "they never said"),
        PointReply(3, Answer.CONTRADICTS, "they wait: it is slow"),
    )
    assert resolve(PHONES, study="Older phones", lines=["It got slow with the update: mixed"]).replies == (
        PointReply(2, Answer.MIXED, None),
    )


def test_every_answer_written_reads_back_as_it_was() -> None:
    for answer in Answer:
        for evidence in (None, "“Half my staff”: their words", "=SUM(1)"):
            line = answer_line("Staff: fall back to paper", answer, evidence)
            (reply,) = resolve(
                PHONES, study="Older phones", lines=check_answer_lines(line, study="x")
            ).replies
            assert reply == PointReply(3, answer, evidence)


@pytest.mark.parametrize(
    ("study", "lines", "says"),
    [
        (None, [], f"study: the workspace has no study called “Older phones”; {FIX_UNKNOWN}"),
        (a_study("A", state=StudyState.CLOSED), [], "study: “Older phones” is closed"),
        (PHONES, ["Slow sync: supports"], "study answers: “Slow sync” is not a point of “Older phones”"),
        (
            a_study("A", retired=("Gone",)),
            ["Gone: supports"],
            "“Gone” is not a point of “Older phones”; write it as the study has it \\(A\\)",
        ),
        (a_study("A"), ["A: supports", "a: mixed"], "study answers: “A” is answered twice; keep one line"),
        (
            a_study("A"),
            [f"A: supports: {'x' * 501}"],
            "the evidence for “A” has 501 characters; keep it under 500",
        ),
    ],
)
def test_what_the_workspace_cannot_take_is_said_with_its_fix(
    study: Study | None, lines: list[str], says: str
) -> None:
    with pytest.raises(ValueError, match=says):
        resolve(study, study="Older phones", lines=lines)


def test_a_point_that_begins_another_point_takes_only_its_own_line() -> None:
    study = a_study("Slow", "Slow: on old phones")
    lines = ["Slow: on old phones: supports: half a minute", "slow: mixed: sometimes"]
    assert resolve(study, study="Older phones", lines=lines).replies == (
        PointReply(2, Answer.SUPPORTS, "half a minute"),
        PointReply(1, Answer.MIXED, "sometimes"),
    )


def test_control_characters_never_reach_a_line_said_in_the_terminal() -> None:
    row = check_record(
        record(study="Older\x1b[31m phones", study_answers="Slow\x07: supports: \x1b[2Jyes"),
        POSITIONS,
        line=2,
        today=TODAY,
    )
    assert row.study == "Older[31m phones" and row.answers == ["Slow: supports: [2Jyes"]
