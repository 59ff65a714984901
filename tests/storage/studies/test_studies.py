"""Studies over real storage (SQLite and PostgreSQL): made, named once per workspace, interviews logged
into one with answers, the sheet built from them, closed (frozen) and reopened; nothing crosses
workspaces."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.capture.interviews import InterviewDraft, log_interview
from bot.errors import InvalidInput
from bot.studies.answers import PointReply, remembered_study, set_study, study_of
from bot.studies.sheet import build_sheet
from bot.studies.store import (
    StudyClosed,
    StudyForm,
    StudyNotFound,
    close_study,
    create_study,
    find_study,
    list_studies,
    reopen_study,
    update_study,
)
from storage.db import Database
from storage.models import Answer, Interview, PointAnswer, StudyState

NOW = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)
FORM = StudyForm(
    name="CRM sync",
    goal="Is two-way CRM sync worth building this quarter?",
    points="Teams re-key deals by hand\nThey would pay for two-way sync\nAdmins can set it up alone",
    target_interviews=8,
    ends_on=date(2026, 12, 18),
)


def log(db: Database, account: str, held_on: date, team_id: str = "T1") -> int:
    with db.transaction() as session:
        interview = log_interview(
            session=session,
            team_id=team_id,
            user_id="U1",
            draft=InterviewDraft(account=account, kind="discovery", held_on=held_on, pains="sync is manual"),
            now=NOW,
            tz=ZoneInfo("UTC"),
            thank_you_after=timedelta(hours=24),
            summary_after=timedelta(hours=48),
        )
        return interview.interview.id


def new_study(db: Database, team_id: str = "T1", form: StudyForm = FORM) -> tuple[int, list[int]]:
    with db.transaction() as session:
        study = create_study(session=session, team_id=team_id, by="U1", form=form, now=NOW)
        return study.id, [p.id for p in study.points]


def answer(
    db: Database, interview_id: int, study_id: int | None, replies: list[PointReply], by: str = "U1"
) -> bool:
    with db.transaction() as session:
        return set_study(
            session=session,
            team_id="T1",
            interview_id=interview_id,
            study_id=study_id,
            replies=replies,
            by=by,
            now=NOW,
        )


def test_a_name_is_the_workspaces_once_whatever_the_case(database: Database) -> None:
    new_study(database)
    with pytest.raises(InvalidInput) as refused, database.transaction() as session:
        create_study(
            session=session, team_id="T1", by="U2", form=StudyForm("crm  SYNC", "x", "a point"), now=NOW
        )
    assert "already" in refused.value.fields["name"]
    new_study(database, team_id="T2")  # another workspace may use it
    with database.read() as session:
        found = find_study(session=session, team_id="T1", name=" Crm Sync ")
        assert found is not None and next(p.text for p in found.points) == "Teams re-key deals by hand"


def test_a_form_that_is_wrong_says_which_field(database: Database) -> None:
    too_many = "\n".join(f"point {n}" for n in range(13))
    with pytest.raises(InvalidInput) as refused, database.transaction() as session:
        create_study(
            session=session,
            team_id="T1",
            by="U1",
            form=StudyForm("", "", too_many, ends_on=date(2026, 1, 1)),
            now=NOW,
        )
    assert set(refused.value.fields) == {"name", "goal", "points", "ends_on"}


def test_answers_build_the_sheet_and_the_later_call_of_an_account_wins(database: Database) -> None:
    study_id, (p1, p2, p3) = new_study(database)
    first = log(database, "Acme", date(2026, 11, 2))
    later = log(database, "Acme", date(2026, 11, 16))
    other = log(database, "Globex", date(2026, 11, 10))
    assert answer(database, first, study_id, [PointReply(p1, Answer.SUPPORTS, "we re-key every deal")])
    assert answer(database, later, study_id, [PointReply(p1, Answer.CONTRADICTS, "they use Zapier now")])
    assert answer(
        database, other, study_id, [PointReply(p2, Answer.MIXED), PointReply(p3, Answer.NOT_DISCUSSED)]
    )
    with database.read() as session:
        sheet = build_sheet(session=session, team_id="T1", study_id=study_id)
        assert [(r.account, r.interviews) for r in sheet.rows] == [("Acme", 2), ("Globex", 1)]
        acme = sheet.rows[0].cells[0]
        assert acme is not None and (acme.answer, acme.evidence) == (
            Answer.CONTRADICTS,
            "they use Zapier now",
        )
        assert [s.interview_id for s in sheet.points[0].evidence] == [later, first]  # both kept
        assert (sheet.points[1].mixed, sheet.points[2].not_discussed) == (1, 2)
        assert [
            (p.study_id, p.interviews, p.accounts) for p in list_studies(session=session, team_id="T1")
        ] == [(study_id, 3, 2)]
        # A "not discussed" with no words is no answer at all.
        assert (
            session.scalars(select(PointAnswer).where(PointAnswer.interview_id == other)).all()[0].point_id
            == p2
        )


def test_the_same_answers_again_change_nothing_and_the_study_is_remembered(database: Database) -> None:
    study_id, (p1, _, _) = new_study(database)
    call = log(database, "Acme", date(2026, 11, 2))
    replies = [PointReply(p1, Answer.SUPPORTS, "yes")]
    assert answer(database, call, study_id, replies, by="U7")
    assert not answer(database, call, study_id, replies, by="U7")
    with database.read() as session:
        assert remembered_study(session=session, team_id="T1", user_id="U7") == study_id
        assert remembered_study(session=session, team_id="T2", user_id="U7") is None
    assert answer(database, call, None, [])  # out of the study: its answers go with it
    with database.read() as session:
        assert study_of(session=session, team_id="T1", interview_id=call) is None


def test_a_closed_study_keeps_its_sheet_frozen_until_reopened(database: Database) -> None:
    study_id, (p1, _, _) = new_study(database)
    call = log(database, "Acme", date(2026, 11, 2))
    answer(database, call, study_id, [PointReply(p1, Answer.SUPPORTS)])
    with database.transaction() as session:
        frozen = build_sheet(session=session, team_id="T1", study_id=study_id).as_json()
        close_study(
            session=session,
            team_id="T1",
            study_id=study_id,
            by="U1",
            conclusion="Build it.",
            now=NOW,
            frozen=frozen,
        )
    with pytest.raises(StudyClosed):
        answer(database, call, study_id, [PointReply(p1, Answer.CONTRADICTS)])
    late = log(database, "Globex", date(2026, 11, 21))
    with pytest.raises(StudyClosed):
        answer(database, late, study_id, [PointReply(p1, Answer.CONTRADICTS)])
    with database.transaction() as session:
        # The interview deleted after the close: the frozen sheet still has it.
        session.delete(session.get(Interview, call))
    with database.read() as session:
        sheet = build_sheet(session=session, team_id="T1", study_id=study_id)
        assert sheet.closed and [r.account for r in sheet.rows] == ["Acme"]
    with database.transaction() as session:
        assert (
            reopen_study(session=session, team_id="T1", study_id=study_id, now=NOW).state is StudyState.OPEN
        )
    with database.read() as session:
        assert build_sheet(session=session, team_id="T1", study_id=study_id).rows == ()


def test_an_edit_keeps_the_answers_of_points_it_keeps_and_retires_the_others(database: Database) -> None:
    study_id, (p1, p2, _) = new_study(database)
    call = log(database, "Acme", date(2026, 11, 2))
    answer(database, call, study_id, [PointReply(p1, Answer.SUPPORTS), PointReply(p2, Answer.CONTRADICTS)])
    edited = StudyForm(FORM.name, FORM.goal, "They would pay for two-way sync\nA new question")
    with database.transaction() as session:
        study = update_study(session=session, team_id="T1", study_id=study_id, form=edited, now=NOW)
        assert [p.text for p in study.points if p.retired_at is None] == [
            "They would pay for two-way sync",
            "A new question",
        ]
    with database.read() as session:
        sheet = build_sheet(session=session, team_id="T1", study_id=study_id)
        assert next(p.point_id for p in sheet.points) == p2 and sheet.points[0].contradicts == 1


def test_another_workspace_never_reaches_a_study(database: Database) -> None:
    study_id, (_p1, _, _) = new_study(database)
    theirs = log(database, "Acme", date(2026, 11, 2), team_id="T2")
    with pytest.raises(StudyNotFound), database.read() as session:
        build_sheet(session=session, team_id="T2", study_id=study_id)
    with pytest.raises(StudyNotFound), database.transaction() as session:
        set_study(
            session=session,
            team_id="T2",
            interview_id=theirs,
            study_id=study_id,
            replies=[],
            by="U1",
            now=NOW,
        )
    with database.read() as session:
        assert list_studies(session=session, team_id="T2") == []


def test_two_people_naming_a_study_alike_at_once_make_one(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    # As if both had read "no such study" before either wrote: the unique key refuses the second alone.
    from bot.studies import store

    new_study(database)
    monkeypatch.setattr(store, "_named", lambda *_: None)
    with pytest.raises(InvalidInput) as refused, database.transaction() as session:
        create_study(
            session=session, team_id="T1", by="U2", form=StudyForm("CRM Sync", "x", "a point"), now=NOW
        )
    assert "already" in refused.value.fields["name"]
    with database.read() as session:
        assert len(list_studies(session=session, team_id="T1")) == 1
