"""An interview in a study: which study, and its answer to each validation point, set when it is logged or
edited (or later, from the interview). The caller records the change in the interview's history."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bot.errors import InterviewGone, InvalidInput
from bot.studies.store import StudyClosed, get_study, live_points
from storage.models import (
    Answer,
    Interview,
    Person,
    PointAnswer,
    Study,
    StudyInterview,
    StudyState,
    ValidationPoint,
)

EVIDENCE_LENGTH = 500


@dataclass(frozen=True)
class PointReply:
    point_id: int
    answer: Answer
    evidence: str | None = None


@dataclass(frozen=True)
class InterviewStudy:
    """The study an interview is in and its answers, by point id (a point not answered: not discussed)."""

    study_id: int
    study_name: str
    answers: dict[int, tuple[Answer, str | None]]


def study_of(*, session: Session, team_id: str, interview_id: int) -> InterviewStudy | None:
    link = session.scalar(
        select(StudyInterview).where(
            StudyInterview.team_id == team_id, StudyInterview.interview_id == interview_id
        )
    )
    if link is None:
        return None
    study = get_study(session=session, team_id=team_id, study_id=link.study_id)
    rows = session.execute(
        select(PointAnswer.point_id, PointAnswer.answer, PointAnswer.evidence)
        .join(ValidationPoint, ValidationPoint.id == PointAnswer.point_id)
        .where(PointAnswer.interview_id == interview_id, ValidationPoint.study_id == study.id)
    )
    return InterviewStudy(study.id, study.name, {p: (a, e) for p, a, e in rows})


def set_study(
    *,
    session: Session,
    team_id: str,
    interview_id: int,
    study_id: int | None,
    replies: Sequence[PointReply],
    by: str,
    now: datetime,
    remember: bool = True,
) -> bool:
    """Put the interview in `study_id` (None: in no study) with these answers; whether anything changed.
    An open study only: a closed one's sheet is frozen (StudyClosed), unless nothing would change.
    `remember`: the study is offered first to `by` next time (not for an import: nobody picked it)."""
    interview = session.get(Interview, interview_id)
    if interview is None or interview.team_id != team_id:
        raise InterviewGone()
    before = study_of(session=session, team_id=team_id, interview_id=interview_id)
    wanted = _wanted(replies)
    if before is not None and before.study_id == study_id and before.answers == wanted:
        return False
    if before is None and study_id is None:
        return False
    if before is not None:
        old = get_study(session=session, team_id=team_id, study_id=before.study_id)
        if old.state is StudyState.CLOSED:
            raise StudyClosed(old.name)
    if study_id is not None:
        study = get_study(session=session, team_id=team_id, study_id=study_id)
        if study.state is StudyState.CLOSED:
            raise StudyClosed(study.name)
        points = {p.id for p in live_points(study)}
        if not set(wanted) <= points:
            raise InvalidInput(
                {"answers": "Those validation points are not the study's any more: open the form again."}
            )
    session.execute(delete(PointAnswer).where(PointAnswer.interview_id == interview_id))
    session.execute(delete(StudyInterview).where(StudyInterview.interview_id == interview_id))
    if study_id is not None:
        session.add(
            StudyInterview(
                team_id=team_id, study_id=study_id, interview_id=interview_id, added_by=by, added_at=now
            )
        )
        session.add_all(
            PointAnswer(team_id=team_id, interview_id=interview_id, point_id=p, answer=a, evidence=e)
            for p, (a, e) in wanted.items()
        )
        if remember:
            remember_study(session=session, team_id=team_id, user_id=by, study_id=study_id)
    session.flush()
    return True


def _wanted(replies: Sequence[PointReply]) -> dict[int, tuple[Answer, str | None]]:
    """The answers worth a row: said something, or left evidence (a "not discussed" with no words is the
    same as no answer)."""
    out: dict[int, tuple[Answer, str | None]] = {}
    for reply in replies:
        evidence = " ".join((reply.evidence or "").split())[:EVIDENCE_LENGTH] or None
        if reply.answer is Answer.NOT_DISCUSSED and evidence is None:
            continue
        out[reply.point_id] = (reply.answer, evidence)
    return out


def remember_study(*, session: Session, team_id: str, user_id: str, study_id: int) -> None:
    """The study this person logs into is offered first the next time (while it is open)."""
    person = session.scalar(select(Person).where(Person.team_id == team_id, Person.user_id == user_id))
    if person is None:
        person = Person(team_id=team_id, user_id=user_id)
        session.add(person)
    person.last_study_id = study_id


def remembered_study(*, session: Session, team_id: str, user_id: str) -> int | None:
    """The open study this person last logged into, if any."""
    return session.scalar(
        select(Study.id)
        .join(Person, Person.last_study_id == Study.id)
        .where(Person.team_id == team_id, Person.user_id == user_id, Study.state == StudyState.OPEN)
    )
