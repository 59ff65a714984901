"""The study where it is used: the interview guide in a scheduled call's prep DM (the goal, the live
validation points as questions to cover, which are still thin), and the summary of a call logged into a
study, drafted around the goal and the points the call touched."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from sqlalchemy.orm import Session

from bot.studies.answers import study_of
from bot.studies.sheet import SPOKEN, build_sheet
from bot.studies.store import StudyNotFound, get_study, live_points
from storage.models import Answer, ScheduledCall, Study, StudyState

GUIDE_POINT_MAX = 170  # a point's words in the prep DM: twelve fit one Slack section with their flags
DRAFT_POINT_MAX = 80  # a point's words in a summary draft: the draft is the call's, not the study's
DRAFT_EVIDENCE_MAX = 240


def study_for_call(session: Session, team_id: str, call: ScheduledCall) -> Study | None:
    """The study a scheduled call is part of: the one it was scheduled into, while it is open. A call
    scheduled before studies existed has none: nothing is guessed for it."""
    if call.study_id is None:
        return None
    try:
        study = get_study(session=session, team_id=team_id, study_id=call.study_id)
    except StudyNotFound:
        return None
    return study if study.state is StudyState.OPEN else None


@dataclass(frozen=True)
class GuidePoint:
    number: int  # 1-based, in the study's order: "point 3"
    text: str
    spoken: int | None  # accounts that have spoken to it (None: not shown to this reader)
    thin: bool


@dataclass(frozen=True)
class StudyGuide:
    """A study's goal and its live points, with how much evidence each has so far."""

    study_id: int
    name: str
    goal: str
    points: tuple[GuidePoint, ...]

    def without_counts(self) -> StudyGuide:
        """For a reader who may not see the team's sheet (a guest): the goal and the questions only."""
        return replace(self, points=tuple(replace(p, spoken=None, thin=False) for p in self.points))


def study_guide(*, session: Session, team_id: str, study: Study) -> StudyGuide:
    sheet = build_sheet(session=session, team_id=team_id, study_id=study.id)
    return StudyGuide(
        study_id=study.id,
        name=study.name,
        goal=study.goal,
        points=tuple(
            GuidePoint(n, point.text, point.spoken, point.thin) for n, point in enumerate(sheet.points, 1)
        ),
    )


def call_guides(*, session: Session, team_id: str, calls: Iterable[ScheduledCall]) -> dict[int, StudyGuide]:
    """The guide of each call that is part of a study, by call id; each study's sheet is read once."""
    guides: dict[int, StudyGuide] = {}
    by_study: dict[int, StudyGuide] = {}
    for call in calls:
        study = study_for_call(session, team_id, call)
        if study is None:
            continue
        if study.id not in by_study:
            by_study[study.id] = study_guide(session=session, team_id=team_id, study=study)
        guides[call.id] = by_study[study.id]
    return guides


@dataclass(frozen=True)
class Touched:
    number: int
    text: str
    answer: Answer
    evidence: str | None


@dataclass(frozen=True)
class StudyRecap:
    """What one interview said to its study's points: the summary's frame."""

    name: str
    goal: str
    touched: tuple[Touched, ...]  # spoken to, in the study's order
    not_discussed: tuple[tuple[int, str], ...]  # (number, text)


def interview_recap(*, session: Session, team_id: str, interview_id: int) -> StudyRecap | None:
    """The interview's study and its answers, or None when it is in no study."""
    linked = study_of(session=session, team_id=team_id, interview_id=interview_id)
    if linked is None:
        return None
    study = get_study(session=session, team_id=team_id, study_id=linked.study_id)
    touched, untouched = [], []
    for number, point in enumerate(live_points(study), 1):
        answer, evidence = linked.answers.get(point.id, (Answer.NOT_DISCUSSED, None))
        if answer in SPOKEN:
            touched.append(Touched(number, point.text, answer, evidence))
        else:
            untouched.append((number, point.text))
    return StudyRecap(study.name, study.goal, tuple(touched), tuple(untouched))


def interview_recaps(
    *, session: Session, team_id: str, interview_ids: Iterable[int]
) -> dict[int, StudyRecap]:
    """The recap of each of these interviews that is in a study (a reminder lists a few at most)."""
    recaps = {}
    for interview_id in dict.fromkeys(interview_ids):
        recap = interview_recap(session=session, team_id=team_id, interview_id=interview_id)
        if recap is not None:
            recaps[interview_id] = recap
    return recaps


def _cut(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def summary_draft(recap: StudyRecap, *, limit: int) -> str:
    """The summary drafted around the study: its goal, what the call said to each point it touched (in the
    customer's words where noted), the points it left aside, and a line for what we learned. Plain text,
    as typed (the caller escapes it for mrkdwn), at most `limit` characters, cut with a visible mark."""
    lines = [f"Goal: {_cut(recap.goal, 600)}"]
    if recap.touched:
        lines.append("Points this call touched:")
        for point in recap.touched:
            said = f": “{_cut(point.evidence, DRAFT_EVIDENCE_MAX)}”" if point.evidence else ""
            lines.append(f"P{point.number} {_cut(point.text, DRAFT_POINT_MAX)} ({point.answer.value}){said}")
    else:
        lines.append("Points this call touched: none was marked.")
    if recap.not_discussed:
        aside = "; ".join(f"P{n} {_cut(text, DRAFT_POINT_MAX)}" for n, text in recap.not_discussed)
        lines.append(f"Not discussed: {aside}")
    lines.append("What we learned:")
    text = "\n".join(lines)
    if len(text) <= limit:
        return text
    mark = "\n… (cut: the points' words are in the interview)"
    return text[: max(0, limit - len(mark))].rstrip() + mark
