"""An interview in a study: which study, and its answer to each validation point, set when it is logged or
edited (or later, from the interview). The caller records the change in the interview's history
(`change_study` says what to record)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bot.errors import InterviewGone, InvalidInput
from bot.studies.store import StudyClosed, StudyNotFound, get_study, live_points
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
# The form field a study problem is told on (the log, edit, schedule and study modals all call it this).
STUDY_FIELD = "study"
# What an interview's history says changed: another study (or none), or its answers in the same one.
HISTORY_FIELDS = ("study", "study_answers")


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


@dataclass(frozen=True)
class StudyPick:
    """What a form says of the study: which one (None: no study) and the answer to each point shown."""

    study_id: int | None
    replies: tuple[PointReply, ...] = ()


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
    if before is not None and before.study_id == study_id:
        # A point retired since keeps this interview's answer: no form shows it to be answered again.
        live = {p.id for p in live_points(get_study(session=session, team_id=team_id, study_id=study_id))}
        wanted = {**{p: a for p, a in before.answers.items() if p not in live}, **wanted}
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
        # Every point a form answers is one the study asks now (a retired point's kept answer is not one).
        if not {r.point_id for r in replies} <= {p.id for p in live_points(study)}:
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


def change_study(
    *, session: Session, team_id: str, interview_id: int, pick: StudyPick, by: str, now: datetime
) -> list[str]:
    """`set_study` for a form: what is wrong (a study closed meanwhile, one not this workspace's, a point
    not the study's) is told on the form's study field, as InvalidInput. Which HISTORY_FIELDS changed."""
    before = study_of(session=session, team_id=team_id, interview_id=interview_id)
    try:
        changed = set_study(
            session=session,
            team_id=team_id,
            interview_id=interview_id,
            study_id=pick.study_id,
            replies=pick.replies,
            by=by,
            now=now,
        )
    except (StudyClosed, StudyNotFound, InvalidInput) as exc:
        raise InvalidInput({STUDY_FIELD: exc.user_message}) from None
    if not changed:
        return []
    after = study_of(session=session, team_id=team_id, interview_id=interview_id)
    moved = (before.study_id if before else None) != pick.study_id
    answered = (before.answers if before else {}) != (after.answers if after else {})
    return [name for name, yes in zip(HISTORY_FIELDS, (moved, answered), strict=True) if yes]


def remember_open_study(*, session: Session, team_id: str, user_id: str, study_id: int) -> Study:
    """A call scheduled in a study: the study offered first when it is logged. An open study of this
    workspace only, told on the form's study field otherwise."""
    try:
        study = get_study(session=session, team_id=team_id, study_id=study_id)
    except StudyNotFound as exc:
        raise InvalidInput({STUDY_FIELD: exc.user_message}) from None
    if study.state is StudyState.CLOSED:
        raise InvalidInput({STUDY_FIELD: StudyClosed(study.name).user_message})
    remember_study(session=session, team_id=team_id, user_id=user_id, study_id=study.id)
    return study
