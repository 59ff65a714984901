"""A study's sheet: one row per account, one column per validation point, each cell the account's latest
answer (an interview that did not discuss the point leaves an earlier answer standing); per point, the
tally of accounts, whether they disagree, and whether the evidence is still thin. A closed study's sheet
is the one frozen when it closed.

Reads follow the study, never the workspace: its interviews through its links' index, their answers
through its points' index, accounts and interviews by their keys, so a sheet costs what the study holds
however many other interviews there are (benchmarks/study_sheet.py).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.studies.store import get_study, live_points
from storage.models import (
    Account,
    Answer,
    Interview,
    PointAnswer,
    Study,
    StudyInterview,
    StudyState,
    ValidationPoint,
)

# A point fewer accounts than this have spoken to has too little evidence to conclude from.
THIN_BELOW = 3
MARKS = {Answer.SUPPORTS: "✓", Answer.CONTRADICTS: "✗", Answer.MIXED: "~", Answer.NOT_DISCUSSED: ""}
SPOKEN = (Answer.SUPPORTS, Answer.CONTRADICTS, Answer.MIXED)


@dataclass(frozen=True)
class Said:
    """One interview's answer to one point, with its words: the sheet's cells and each point's evidence."""

    account: str
    held_on: date
    interview_id: int
    answer: Answer
    evidence: str | None


@dataclass(frozen=True)
class Point:
    point_id: int
    text: str
    supports: int  # accounts whose latest answer supports it
    contradicts: int
    mixed: int
    not_discussed: int
    evidence: tuple[Said, ...]  # every interview's answer with words or a stand, newest first

    @property
    def spoken(self) -> int:
        return self.supports + self.contradicts + self.mixed

    @property
    def disagree(self) -> bool:
        return self.supports > 0 and self.contradicts > 0

    @property
    def thin(self) -> bool:
        return self.spoken < THIN_BELOW

    def tally(self) -> str:
        """ "supported by 5 of 8 accounts, contradicted by 2, mixed 0, not discussed by 1"."""
        total = self.spoken + self.not_discussed
        noun = "account" if total == 1 else "accounts"
        parts = [f"supported by {self.supports} of {total} {noun}", f"contradicted by {self.contradicts}"]
        if self.mixed:
            parts.append(f"mixed for {self.mixed}")
        parts.append(f"not discussed by {self.not_discussed}")
        return ", ".join(parts)


@dataclass(frozen=True)
class Row:
    account: str
    interviews: int
    cells: tuple[Said | None, ...]  # one per point, in the points' order: the latest spoken answer


@dataclass(frozen=True)
class Sheet:
    study_id: int
    name: str
    goal: str
    closed: bool
    interviews: int
    points: tuple[Point, ...]
    rows: tuple[Row, ...]  # accounts by name

    def as_json(self) -> dict[str, Any]:
        """What a closed study keeps (Study.frozen_sheet)."""
        return _jsonable(asdict(self))

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Sheet:
        def said(d: dict[str, Any] | None) -> Said | None:
            if d is None:
                return None
            return Said(
                d["account"],
                date.fromisoformat(d["held_on"]),
                d["interview_id"],
                Answer(d["answer"]),
                d["evidence"],
            )

        points = tuple(
            Point(**{**p, "evidence": tuple(said(s) for s in p["evidence"])})  # type: ignore[misc]
            for p in data["points"]
        )
        rows = tuple(
            Row(r["account"], r["interviews"], tuple(said(c) for c in r["cells"])) for r in data["rows"]
        )
        return cls(data["study_id"], data["name"], data["goal"], True, data["interviews"], points, rows)


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Answer):
        return value.value
    return value


def build_sheet(*, session: Session, team_id: str, study_id: int, until: date | None = None) -> Sheet:
    """The study's sheet as it stands (a closed study: as it was when it closed). `until`: from the
    interviews held before that day only (the sheet as it stood then; a closed study asked for a day before
    it closed is built from its interviews as they are now, held before that day)."""
    study = get_study(session=session, team_id=team_id, study_id=study_id)
    closed = study.state is StudyState.CLOSED
    if closed and study.frozen_sheet and (until is None or _closed_by(study, until)):
        return Sheet.from_json(study.frozen_sheet)
    interviews, answers = study_parts(session=session, team_id=team_id, study_ids=[study.id], until=until)
    return sheet_of(
        study_id=study.id,
        name=study.name,
        goal=study.goal,
        closed=closed,
        points=[(p.id, p.text) for p in live_points(study)],
        interviews=interviews[study.id],
        answers=answers[study.id],
    )


def _closed_by(study: Study, until: date) -> bool:
    return study.closed_at is not None and study.closed_at.date() < until


StudyInterviews = dict[int, list[tuple[int, date, str]]]
StudyAnswers = dict[int, list[tuple[int, int, Answer, str | None]]]
# Ids per IN list: far below every backend's limit on a statement's parameters.
CHUNK = 900


def _chunks(ids: Sequence[int]) -> Iterator[Sequence[int]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


def study_parts(
    *, session: Session, team_id: str, study_ids: Sequence[int], until: date | None = None
) -> tuple[StudyInterviews, StudyAnswers]:
    """What `sheet_of` needs, for several studies, by study id: their interviews (held before `until`,
    if given) and those interviews' answers to the studies' own points.

    Each read goes by an index of the studies' own (their links, their points) or by primary keys: a join
    would let PostgreSQL hash whole tables, and a team_id filter beside a list of ids would let SQLite walk
    the workspace's rows by their team index instead; either way the cost would grow with the workspace.
    The workspace is checked on each row read instead."""
    interviews: StudyInterviews = {s: [] for s in study_ids}
    answers: StudyAnswers = {s: [] for s in study_ids}
    if not study_ids:
        return interviews, answers
    study_of = {
        interview_id: study_id
        for study_id, interview_id in session.execute(
            select(StudyInterview.study_id, StudyInterview.interview_id).where(
                StudyInterview.study_id.in_(study_ids), StudyInterview.team_id == team_id
            )
        )
    }
    held = [
        (interview_id, held_on, account_id)
        for ids in _chunks(sorted(study_of))
        for interview_id, held_on, account_id, team in session.execute(
            select(Interview.id, Interview.held_on, Interview.account_id, Interview.team_id).where(
                Interview.id.in_(ids)
            )
        )
        if team == team_id and (until is None or held_on < until)
    ]
    names = {
        account_id: name
        for ids in _chunks(sorted({account for _, _, account in held}))
        for account_id, name, team in session.execute(
            select(Account.id, Account.name, Account.team_id).where(Account.id.in_(ids))
        )
        if team == team_id
    }
    kept: set[int] = set()
    for interview_id, held_on, account_id in held:
        if account_id in names:
            interviews[study_of[interview_id]].append((interview_id, held_on, names[account_id]))
            kept.add(interview_id)
    point_study = dict(
        session.execute(
            select(ValidationPoint.id, ValidationPoint.study_id).where(
                ValidationPoint.study_id.in_(study_ids)
            )
        ).all()
    )
    for ids in _chunks(sorted(point_study)):
        for interview_id, point_id, answer, evidence in session.execute(
            select(
                PointAnswer.interview_id, PointAnswer.point_id, PointAnswer.answer, PointAnswer.evidence
            ).where(PointAnswer.point_id.in_(ids), PointAnswer.team_id == team_id)
        ):
            # An answer counts for the study its interview is in, to that study's own points.
            if interview_id in kept and study_of[interview_id] == point_study[point_id]:
                answers[point_study[point_id]].append((interview_id, point_id, answer, evidence))
    return interviews, answers


def sheet_of(
    *,
    study_id: int,
    name: str,
    goal: str,
    closed: bool,
    points: list[tuple[int, str]],
    interviews: list[tuple[int, date, str]],
    answers: list[tuple[int, int, Answer, str | None]],
) -> Sheet:
    """The sheet from its parts (no database): `interviews` (id, held on, account), `answers` (interview
    id, point id, answer, evidence)."""
    held = {i: (held_on, account) for i, held_on, account in interviews}
    per_account = Counter(account for _, account in held.values())
    by_point: dict[int, list[Said]] = {p: [] for p, _ in points}
    keyed = sorted(
        ((held[i][0], i, p, a, e) for i, p, a, e in answers if i in held and p in by_point),
        key=lambda t: (t[0], t[1]),
        reverse=True,
    )
    for held_on, i, p, a, e in keyed:
        by_point[p].append(Said(held[i][1], held_on, i, a, e))
    accounts = sorted(per_account, key=str.casefold)
    latest: dict[tuple[str, int], Said] = {}
    for p, said_list in by_point.items():
        for said in said_list:  # newest first: the first spoken answer of an account stands
            if said.answer in SPOKEN:
                latest.setdefault((said.account, p), said)
    tallied = []
    for p, text in points:
        counts = Counter(latest[(a, p)].answer for a in accounts if (a, p) in latest)
        tallied.append(
            Point(
                point_id=p,
                text=text,
                supports=counts[Answer.SUPPORTS],
                contradicts=counts[Answer.CONTRADICTS],
                mixed=counts[Answer.MIXED],
                not_discussed=len(accounts) - sum(counts.values()),
                evidence=tuple(by_point[p]),
            )
        )
    rows = tuple(
        Row(account, per_account[account], tuple(latest.get((account, p)) for p, _ in points))
        for account in accounts
    )
    return Sheet(study_id, name, goal, closed, len(held), tuple(tallied), rows)
