"""Studies: made, changed, found, listed with their progress, closed (the sheet frozen) and reopened.

Keyword-only services over a session; the caller owns the transaction. Every read is scoped by workspace:
another workspace's study id finds nothing (`StudyNotFound`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.errors import BotError, InvalidInput
from storage.models import Interview, Study, StudyInterview, StudyOwner, StudyState, ValidationPoint
from storage.models.studies import NAME_LENGTH, POINTS_MAX

GOAL_LENGTH = 600
POINT_LENGTH = 300


class StudyNotFound(BotError):
    def __init__(self) -> None:
        super().__init__("That study is gone, or is not this workspace's. /interview study lists them.")


class StudyClosed(BotError):
    def __init__(self, name: str) -> None:
        super().__init__(f"The study “{name}” is closed: its sheet is frozen. Its owners can reopen it.")


@dataclass(frozen=True)
class StudyForm:
    """What the study modal (or a test, or the CLI) hands in, as typed."""

    name: str
    goal: str
    points: str  # one per line
    owners: tuple[str, ...] = ()
    target_interviews: int | None = None
    target_accounts: str | None = None
    ends_on: date | None = None
    channel_id: str | None = None


def name_key(name: str) -> str:
    """How a study's name is matched: case and surrounding or repeated spaces ignored."""
    return " ".join(name.split()).casefold()


def _points(text: str) -> list[str]:
    return [" ".join(line.split()) for line in text.splitlines() if line.strip()]


def validate(form: StudyForm, *, today: date) -> None:
    """Raise InvalidInput naming each field that is wrong, in the modal's words."""
    problems: dict[str, str] = {}
    name = " ".join(form.name.split())
    if not name:
        problems["name"] = "Give the study a name."
    elif len(name) > NAME_LENGTH:
        problems["name"] = f"Keep the name under {NAME_LENGTH} characters."
    if not form.goal.strip():
        problems["goal"] = "Say in a sentence or two what the study is for."
    elif len(form.goal) > GOAL_LENGTH:
        problems["goal"] = f"Keep the goal under {GOAL_LENGTH} characters: a sentence or two."
    points = _points(form.points)
    if not points:
        problems["points"] = "Write at least one validation point, one per line."
    elif len(points) > POINTS_MAX:
        problems["points"] = (
            f"At most {POINTS_MAX} validation points ({len(points)} written): keep the ones that matter."
        )
    elif any(len(p) > POINT_LENGTH for p in points):
        problems["points"] = f"Keep each point under {POINT_LENGTH} characters."
    elif len({name_key(p) for p in points}) < len(points):
        problems["points"] = "Two points say the same: write each once."
    if form.target_interviews is not None and not 1 <= form.target_interviews <= 1000:
        problems["target_interviews"] = "A target between 1 and 1,000 interviews."
    if form.ends_on is not None and form.ends_on < today:
        problems["ends_on"] = "The end date has passed: pick a day from today on."
    if problems:
        raise InvalidInput(problems)


def create_study(*, session: Session, team_id: str, by: str, form: StudyForm, now: datetime) -> Study:
    """A new open study; its creator owns it with those the form names. A name the workspace has (any case)
    is refused."""
    validate(form, today=now.date())
    name = " ".join(form.name.split())
    if _named(session, team_id, name) is not None:
        raise InvalidInput({"name": f"The workspace has a study called “{name}” already: pick another name."})
    study = Study(
        team_id=team_id, name=name, name_key=name_key(name), created_by=by, created_at=now, updated_at=now
    )
    _apply(study, form, now=now)
    study.owners = [StudyOwner(team_id=team_id, user_id=u) for u in dict.fromkeys((by, *form.owners))]
    session.add(study)
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError:  # the same name, by someone else at the same moment
        raise InvalidInput(
            {"name": f"The workspace has a study called “{name}” already: pick another name."}
        ) from None
    return study


def update_study(*, session: Session, team_id: str, study_id: int, form: StudyForm, now: datetime) -> Study:
    """The study as the edit form says. A point kept (same words) keeps its answers; a point taken out that
    interviews answered is retired with them, not deleted."""
    study = get_study(session=session, team_id=team_id, study_id=study_id)
    validate(form, today=min(now.date(), study.ends_on or now.date()))
    name = " ".join(form.name.split())
    other = _named(session, team_id, name)
    if other is not None and other.id != study.id:
        raise InvalidInput({"name": f"The workspace has a study called “{name}” already: pick another name."})
    study.name, study.name_key = name, name_key(name)
    _apply(study, form, now=now)
    owners = list(dict.fromkeys((study.created_by, *form.owners)))
    study.owners = [o for o in study.owners if o.user_id in owners] + [
        StudyOwner(team_id=team_id, user_id=u) for u in owners if u not in {o.user_id for o in study.owners}
    ]
    session.flush()
    return study


def _apply(study: Study, form: StudyForm, *, now: datetime) -> None:
    study.goal = form.goal.strip()
    study.target_interviews = form.target_interviews
    study.target_accounts = (form.target_accounts or "").strip() or None
    study.ends_on, study.channel_id, study.updated_at = form.ends_on, form.channel_id, now
    wanted = _points(form.points)
    current = {name_key(p.text): p for p in live_points(study)}
    kept: list[ValidationPoint] = []
    for position, text in enumerate(wanted):
        point = current.pop(name_key(text), None)
        if point is None:
            point = ValidationPoint(team_id=study.team_id, text=text)
        point.position, point.text = position, text
        kept.append(point)
    for gone in current.values():  # retired, with their answers; after the live ones
        gone.retired_at, gone.position = now, len(wanted) + gone.position
    retired = [p for p in study.points if p.retired_at is not None]
    study.points = kept + retired


def _named(session: Session, team_id: str, name: str) -> Study | None:
    return session.scalar(select(Study).where(Study.team_id == team_id, Study.name_key == name_key(name)))


def get_study(*, session: Session, team_id: str, study_id: int, lock: bool = False) -> Study:
    """The workspace's study (StudyNotFound for another's). `lock`: read afresh and held until the
    transaction ends, so two closings of one study (a submission sent twice, two replicas) happen one after
    the other and the second sees the first's."""
    study = session.get(Study, study_id, with_for_update=lock or None, populate_existing=lock)
    if study is None or study.team_id != team_id:
        raise StudyNotFound()
    return study


def find_study(*, session: Session, team_id: str, name: str) -> Study | None:
    """The workspace's study of that name, whatever the case and spacing."""
    return _named(session, team_id, name)


def is_owner(study: Study, user_id: str) -> bool:
    return any(o.user_id == user_id for o in study.owners)


def live_points(study: Study) -> list[ValidationPoint]:
    return [p for p in study.points if p.retired_at is None]


@dataclass(frozen=True)
class StudyProgress:
    study_id: int
    name: str
    goal: str
    state: StudyState
    interviews: int
    accounts: int
    target_interviews: int | None
    ends_on: date | None
    owners: tuple[str, ...]
    conclusion: str | None

    def days_left(self, today: date) -> int | None:
        return None if self.ends_on is None else (self.ends_on - today).days


def list_studies(*, session: Session, team_id: str) -> list[StudyProgress]:
    """The workspace's studies, open ones first (ending soonest first), each with its interviews and
    distinct accounts so far."""
    counts = {
        study_id: (interviews, accounts)
        for study_id, interviews, accounts in session.execute(
            select(
                StudyInterview.study_id,
                func.count(StudyInterview.id),
                func.count(func.distinct(Interview.account_id)),
            )
            .join(Interview, Interview.id == StudyInterview.interview_id)
            .where(StudyInterview.team_id == team_id)
            .group_by(StudyInterview.study_id)
        )
    }
    studies = session.scalars(select(Study).where(Study.team_id == team_id)).all()
    out = [
        StudyProgress(
            study_id=s.id,
            name=s.name,
            goal=s.goal,
            state=s.state,
            interviews=counts.get(s.id, (0, 0))[0],
            accounts=counts.get(s.id, (0, 0))[1],
            target_interviews=s.target_interviews,
            ends_on=s.ends_on,
            owners=tuple(o.user_id for o in s.owners),
            conclusion=s.conclusion,
        )
        for s in studies
    ]
    return sorted(out, key=lambda p: (p.state is StudyState.CLOSED, p.ends_on or date.max, p.name.casefold()))


def open_studies(*, session: Session, team_id: str) -> list[Study]:
    """The studies an interview can be logged into now, by name."""
    return list(
        session.scalars(
            select(Study)
            .where(Study.team_id == team_id, Study.state == StudyState.OPEN)
            .order_by(Study.name_key)
        )
    )


def close_study(
    *, session: Session, team_id: str, study_id: int, by: str, conclusion: str, now: datetime, frozen: dict
) -> Study:
    """Closed with its conclusion and the sheet as it is now (`frozen`, from bot.studies.sheet). Closing a
    closed study changes nothing (a second click, a second replica): the caller sees it was closed."""
    study = get_study(session=session, team_id=team_id, study_id=study_id, lock=True)
    if not conclusion.strip():
        raise InvalidInput({"conclusion": "Write the conclusion in a paragraph: what the study found."})
    if study.state is StudyState.CLOSED:
        return study
    study.state, study.conclusion = StudyState.CLOSED, conclusion.strip()
    study.closed_by, study.closed_at, study.frozen_sheet, study.updated_at = by, now, frozen, now
    session.flush()
    return study


def reopen_study(*, session: Session, team_id: str, study_id: int, now: datetime) -> Study:
    """Open again: the sheet follows its interviews again; the conclusion is kept until it closes again."""
    study = get_study(session=session, team_id=team_id, study_id=study_id)
    study.state, study.frozen_sheet, study.closed_at, study.updated_at = StudyState.OPEN, None, None, now
    session.flush()
    return study
