"""An interview's study picked in a form (SQLite and PostgreSQL): what changed, for its history; problems
told on the form's study field; a retired point's answer kept when the form answers the others again; a
call scheduled in a study remembered for its log."""

from __future__ import annotations

from datetime import date

import pytest

from bot.errors import InvalidInput
from bot.studies.answers import (
    STUDY_FIELD,
    PointReply,
    StudyPick,
    change_study,
    remember_open_study,
    remembered_study,
    study_of,
)
from bot.studies.store import StudyForm, close_study, update_study
from storage.db import Database
from storage.models import Answer
from tests.storage.studies.test_studies import FORM, NOW, answer, log, new_study


def change(db: Database, interview_id: int, pick: StudyPick) -> list[str]:
    with db.transaction() as session:
        return change_study(
            session=session, team_id="T1", interview_id=interview_id, pick=pick, by="U1", now=NOW
        )


def test_what_changed_is_named_for_the_history(database: Database) -> None:
    study_id, (p1, _, _) = new_study(database)
    onboarding = StudyForm("Onboarding", "Why do trials stall?", "a\nb\nc")
    other_id, (q1, _, _) = new_study(database, form=onboarding)
    call = log(database, "Acme", date(2026, 11, 2))
    assert change(database, call, StudyPick(study_id)) == ["study"]  # in it, nothing answered yet
    supports = StudyPick(study_id, (PointReply(p1, Answer.SUPPORTS),))
    assert change(database, call, supports) == ["study_answers"]
    assert change(database, call, supports) == []
    moved = StudyPick(other_id, (PointReply(q1, Answer.MIXED, "half"),))
    assert change(database, call, moved) == ["study", "study_answers"]
    assert change(database, call, StudyPick(None)) == ["study", "study_answers"]
    assert change(database, call, StudyPick(None)) == []
    with database.read() as session:
        assert study_of(session=session, team_id="T1", interview_id=call) is None


def test_problems_are_told_on_the_study_field(database: Database) -> None:
    study_id, (p1, _, _) = new_study(database)
    theirs, (t1, _, _) = new_study(database, team_id="T2")
    call = log(database, "Acme", date(2026, 11, 2))
    for pick in (
        StudyPick(theirs, (PointReply(t1, Answer.SUPPORTS),)),  # another workspace's study
        StudyPick(study_id, (PointReply(t1, Answer.NOT_DISCUSSED),)),  # a point not the study's
        StudyPick(10**9),  # no such study
    ):
        with pytest.raises(InvalidInput) as refused:
            change(database, call, pick)
        assert set(refused.value.fields) == {STUDY_FIELD}
    with database.transaction() as session:
        close_study(
            session=session, team_id="T1", study_id=study_id, by="U1", conclusion="Done.", now=NOW, frozen={}
        )
    with pytest.raises(InvalidInput) as refused:
        change(database, call, StudyPick(study_id, (PointReply(p1, Answer.SUPPORTS),)))
    assert "closed" in refused.value.fields[STUDY_FIELD]
    with pytest.raises(InvalidInput) as refused, database.transaction() as session:
        remember_open_study(session=session, team_id="T1", user_id="U1", study_id=study_id)
    assert "closed" in refused.value.fields[STUDY_FIELD]


def test_a_retired_points_answer_stays_when_the_others_are_answered_again(database: Database) -> None:
    study_id, (p1, p2, p3) = new_study(database)
    call = log(database, "Acme", date(2026, 11, 2))
    replies = [PointReply(p1, Answer.SUPPORTS, "we re-key"), PointReply(p2, Answer.MIXED)]
    answer(database, call, study_id, replies)
    kept_points = "\n".join(FORM.points.splitlines()[1:])  # the first point taken out: retired
    with database.transaction() as session:
        update_study(
            session=session,
            team_id="T1",
            study_id=study_id,
            form=StudyForm(FORM.name, FORM.goal, kept_points),
            now=NOW,
        )
    # The edit form shows the live points only, with the same answers: nothing changes.
    assert change(database, call, StudyPick(study_id, (PointReply(p2, Answer.MIXED),))) == []
    assert change(database, call, StudyPick(study_id, (PointReply(p3, Answer.CONTRADICTS),))) == [
        "study_answers"
    ]
    with database.read() as session:
        found = study_of(session=session, team_id="T1", interview_id=call)
        assert found is not None and found.answers == {
            p1: (Answer.SUPPORTS, "we re-key"),
            p3: (Answer.CONTRADICTS, None),
        }
    # The retired point cannot be answered from a form any more.
    with pytest.raises(InvalidInput):
        change(database, call, StudyPick(study_id, (PointReply(p1, Answer.CONTRADICTS),)))


def test_a_call_scheduled_in_an_open_study_is_remembered_for_its_log(database: Database) -> None:
    study_id, _ = new_study(database)
    theirs, _ = new_study(database, team_id="T2")
    with database.transaction() as session:
        remembered = remember_open_study(session=session, team_id="T1", user_id="U9", study_id=study_id)
        assert remembered.id == study_id
    with database.read() as session:
        assert remembered_study(session=session, team_id="T1", user_id="U9") == study_id
    with pytest.raises(InvalidInput), database.transaction() as session:
        remember_open_study(session=session, team_id="T1", user_id="U9", study_id=theirs)
