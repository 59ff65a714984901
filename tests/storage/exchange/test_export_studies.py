"""The export's study columns over real storage (SQLite and PostgreSQL): each interview's study and its
answers in the study's order, live points only, nothing of another workspace, and read a batch at a
time: the statements an export sends grow with its batches, never with its rows."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event

from bot.capture.interviews import InterviewDraft, log_interview
from bot.exchange import export
from bot.exchange.cells import COLUMN_KEYS
from bot.exchange.export import export_rows
from bot.studies.answers import PointReply, set_study
from bot.studies.store import StudyForm, create_study, update_study
from storage.db import Database
from storage.models import Answer

NOW = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)
POINTS = "=Teams re-key deals by hand\nThey would pay for two-way sync\nAdmins can set it up alone"
FORM = StudyForm(name="@CRM sync", goal="Is two-way sync worth building?", points=POINTS)


def log(db: Database, account: str, day: int, team_id: str = "T1") -> int:
    with db.transaction() as session:
        logged = log_interview(
            session=session,
            team_id=team_id,
            user_id="U1",
            draft=InterviewDraft(
                account=account, kind="discovery", held_on=date(2026, 11, day), pains="Sync"
            ),
            now=NOW,
            tz=ZoneInfo("UTC"),
            thank_you_after=timedelta(hours=24),
            summary_after=timedelta(hours=48),
        )
        return logged.interview.id


def answer(
    db: Database, interview_id: int, study_id: int, replies: list[PointReply], team_id: str = "T1"
) -> None:
    with db.transaction() as session:
        set_study(
            session=session,
            team_id=team_id,
            interview_id=interview_id,
            study_id=study_id,
            replies=replies,
            by="U1",
            now=NOW,
        )


def exported(db: Database, team_id: str = "T1", since: date | None = None) -> list[dict[str, str]]:
    with db.read() as session:
        rows = export_rows(session=session, team_id=team_id, since=since)
        return [dict(zip(COLUMN_KEYS, row, strict=True)) for row in rows]


def test_each_interview_has_its_study_and_its_answers_in_the_studys_order(database: Database) -> None:
    with database.transaction() as session:
        study = create_study(session=session, team_id="T1", by="U1", form=FORM, now=NOW)
        study_id, points = study.id, [p.id for p in study.points]
    acme, globex, initech = log(database, "Acme", 2), log(database, "Globex", 3), log(database, "Initech", 4)
    # Answered out of order: the column follows the study's order.
    answer(
        database,
        acme,
        study_id,
        [
            PointReply(points[2], Answer.CONTRADICTS, "IT must do it"),
            PointReply(points[0], Answer.SUPPORTS, "-we type every deal twice"),
            PointReply(points[1], Answer.NOT_DISCUSSED, "Ran out of time"),
        ],
    )
    answer(database, globex, study_id, [])  # in the study, no answer yet
    rows = {row["account"]: row for row in exported(database)}
    # The study's name and the cell's first point are defused: both start as a formula would.
    assert rows["Acme"]["study"] == "'@CRM sync"
    assert rows["Acme"]["study_answers"].split("\n") == [
        "'=Teams re-key deals by hand: supports: -we type every deal twice",
        "They would pay for two-way sync: not discussed: Ran out of time",
        "Admins can set it up alone: contradicts: IT must do it",
    ]
    assert (rows["Globex"]["study"], rows["Globex"]["study_answers"]) == ("'@CRM sync", "")
    assert (rows["Initech"]["study"], rows["Initech"]["study_answers"]) == ("", "")
    assert initech
    # A point taken out of the study is retired with its answers: no longer the study's, not exported.
    with database.transaction() as session:
        update_study(
            session=session,
            team_id="T1",
            study_id=study_id,
            form=StudyForm(name=FORM.name, goal=FORM.goal, points=POINTS.split("\n", 1)[1]),
            now=NOW,
        )
    assert exported(database)[0]["study_answers"].split("\n") == [
        "They would pay for two-way sync: not discussed: Ran out of time",
        "Admins can set it up alone: contradicts: IT must do it",
    ]


def test_another_workspaces_study_is_never_in_the_export(database: Database) -> None:
    with database.transaction() as session:
        theirs = create_study(session=session, team_id="T2", by="U1", form=FORM, now=NOW)
        study_id, point = theirs.id, theirs.points[0].id
    answer(
        database, log(database, "Acme", 2, team_id="T2"), study_id, [PointReply(point, Answer.MIXED)], "T2"
    )
    log(database, "Acme", 2)
    (mine,) = exported(database)
    assert (mine["study"], mine["study_answers"]) == ("", "")
    (theirs_row,) = exported(database, "T2")
    assert theirs_row["study_answers"] == "'=Teams re-key deals by hand: mixed"


def test_the_study_columns_are_read_per_batch_never_per_row(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    with database.transaction() as session:
        study = create_study(session=session, team_id="T1", by="U1", form=FORM, now=NOW)
        study_id, point = study.id, study.points[0].id
    for n in range(12):
        answer(database, log(database, f"Account {n}", 1 + n), study_id, [PointReply(point, Answer.SUPPORTS)])

    def statements(since: date) -> int:
        sent = []
        listen = lambda *args: sent.append(args[2])  # noqa: E731
        event.listen(database.engine, "before_cursor_execute", listen)
        try:
            assert all(row["study"] for row in exported(database, since=since))
        finally:
            event.remove(database.engine, "before_cursor_execute", listen)
        return len(sent)

    # Twelve rows in one batch send what four do: nothing is read row by row.
    assert statements(date(2026, 11, 1)) == statements(date(2026, 11, 9))
    # Still streamed, a batch at a time, its study columns with it.
    monkeypatch.setattr(export, "BATCH", 4)
    asked: list[int] = []
    real = export.study_cells
    monkeypatch.setattr(
        export, "study_cells", lambda **kw: asked.append(len(kw["interview_ids"])) or real(**kw)
    )
    assert len(exported(database)) == 12 and asked == [4, 4, 4]
