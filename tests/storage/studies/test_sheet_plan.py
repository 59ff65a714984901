"""A sheet reads the study, not the workspace: every query of `build_sheet` reaches the study's interviews
and answers through the study's own indexes, never by walking the workspace's interviews (its cost stays
flat however many other interviews there are: benchmarks/study_sheet.py measures it). Read from SQLite's
query plans, which do not depend on how much data there is (no statistics are gathered)."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import event, insert

from bot.studies.answers import PointReply
from bot.studies.sheet import build_sheet
from storage.db import Database
from storage.models import Account, Answer, Interview, InterviewKind, PointAnswer, StudyInterview
from tests.storage.studies.test_studies import NOW, answer, log, new_study

# A plan step that reads one of these tables in full, or the interviews by anything but their id (their
# other indexes all start with the workspace: all of its interviews).
WIDE = re.compile(
    r"SCAN (interviews|study_interviews|point_answers)\b|SEARCH interviews USING (?!INTEGER PRIMARY KEY)"
)


def many_calls(db: Database, study_id: int, point_id: int, *, count: int, others: int) -> None:
    """`count` interviews in the study (each answering `point_id`) and `others` beside it, written in bulk."""
    with db.transaction() as session:
        account = session.scalar(
            insert(Account).returning(Account.id),
            {"team_id": "T1", "name": "Bulk", "normalized_name": "bulk", "created_at": NOW},
        )
        ids = session.scalars(
            insert(Interview).returning(Interview.id),
            [
                {
                    "team_id": "T1", "account_id": account, "kind": InterviewKind.DISCOVERY,
                    "held_on": date(2026, 1, 1) + timedelta(days=n % 300),
                    "logged_by": "U1", "logged_at": NOW,
                    "recording_permission": False, "thank_you_sent": True,
                }
                for n in range(count + others)
            ],
        ).all()  # fmt: skip
        session.execute(
            insert(StudyInterview),
            [
                {"team_id": "T1", "study_id": study_id, "interview_id": i, "added_by": "U1", "added_at": NOW}
                for i in ids[:count]
            ],
        )
        session.execute(
            insert(PointAnswer),
            [
                {"team_id": "T1", "interview_id": i, "point_id": point_id, "answer": Answer.SUPPORTS}
                for i in ids[:count]
            ],
        )


@pytest.mark.parametrize("backend", ["sqlite"])
def test_the_sheets_queries_follow_the_study_not_the_workspace(database: Database) -> None:
    study_id, (p1, _, _) = new_study(database)
    call = log(database, "Acme", date(2026, 11, 2))
    answer(database, call, study_id, [PointReply(p1, Answer.SUPPORTS, "yes")])
    # SQLite weighs a long list of ids against the workspace's index on its own: a study of hundreds.
    many_calls(database, study_id, p1, count=400, others=600)
    engine = database.engines[-1]  # the one reads go through
    statements: list[tuple[str, tuple]] = []  # type: ignore[type-arg]

    def record(conn, cursor, statement, parameters, context, executemany) -> None:  # type: ignore[no-untyped-def]
        statements.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", record)
    try:
        with database.read() as session:
            sheet = build_sheet(session=session, team_id="T1", study_id=study_id)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert sheet.interviews == 401
    selects = [(s, p) for s, p in statements if s.lstrip().startswith("SELECT")]
    assert any("interviews" in s for s, _ in selects)
    with engine.connect() as conn:
        for statement, parameters in selects:
            plan = [row[-1] for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)]
            assert not [step for step in plan if WIDE.match(step)], (statement, plan)


def test_a_study_read_in_several_rounds_is_the_same_sheet(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    study_id, (p1, p2, _) = new_study(database)
    for n, account in enumerate(["Acme", "Globex", "Acme", "Initech", "Hooli"]):
        call = log(database, account, date(2026, 11, 2 + n))
        answer(
            database,
            call,
            study_id,
            [PointReply(p1, Answer.SUPPORTS, f"call {n}"), PointReply(p2, Answer.MIXED)],
        )
    with database.read() as session:
        whole = build_sheet(session=session, team_id="T1", study_id=study_id)
    monkeypatch.setattr("bot.studies.sheet.CHUNK", 2)  # five interviews, four accounts: three rounds each
    with database.read() as session:
        assert build_sheet(session=session, team_id="T1", study_id=study_id) == whole
    assert whole.interviews == 5 and [r.account for r in whole.rows] == ["Acme", "Globex", "Hooli", "Initech"]
