"""Each open study over a period (the digest's): the interviews it gained, how far it is from its target
and its end date, which points moved (their tallies then and now), and which still lack evidence.

Read for all open studies at once, through the studies' own indexes (their points, interviews and
answers: three queries whatever their number), so a digest costs what the studies hold.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from bot.studies.sheet import Point, sheet_of, study_parts
from bot.studies.store import live_points
from storage.models import Study, StudyState


@dataclass(frozen=True)
class PointMove:
    number: int  # 1-based, in the study's order
    before: Point  # the tally at the period's start
    after: Point  # and at its end


@dataclass(frozen=True)
class StudyInPeriod:
    study_id: int
    name: str
    interviews_in_period: int
    interviews: int  # all held before the period's end
    target: int | None
    ends_on: date | None
    days_left: int | None  # from `today`; negative once the end date has passed
    moved: tuple[PointMove, ...]
    unspoken: tuple[tuple[int, Point], ...]  # (number, point): no account has spoken to it
    thin: tuple[tuple[int, Point], ...]  # spoken to, by too few accounts


def tally_of(point: Point) -> tuple[int, int, int]:
    """What moves a point: accounts for, against and mixed (a new account that left it aside does not)."""
    return point.supports, point.contradicts, point.mixed


def studies_in_period(
    *, session: Session, team_id: str, start: date, end: date, today: date
) -> list[StudyInPeriod]:
    """The workspace's open studies over the days from `start` to `end` (excluded), by name."""
    studies = list(
        session.scalars(
            select(Study)
            .where(Study.team_id == team_id, Study.state == StudyState.OPEN)
            .options(selectinload(Study.points))
            .order_by(Study.name_key)
        )
    )
    interviews, answers = study_parts(
        session=session, team_id=team_id, study_ids=[s.id for s in studies], until=end
    )
    out = []
    for study in studies:
        points = [(p.id, p.text) for p in live_points(study)]
        held = interviews[study.id]
        earlier = [i for i in held if i[1] < start]

        then, now = (
            sheet_of(
                study_id=study.id,
                name=study.name,
                goal=study.goal,
                closed=False,
                points=points,
                interviews=rows,
                answers=answers[study.id],
            )
            for rows in (earlier, held)
        )
        numbered = list(enumerate(now.points, 1))
        out.append(
            StudyInPeriod(
                study_id=study.id,
                name=study.name,
                interviews_in_period=len(held) - len(earlier),
                interviews=len(held),
                target=study.target_interviews,
                ends_on=study.ends_on,
                days_left=None if study.ends_on is None else (study.ends_on - today).days,
                moved=tuple(
                    PointMove(n, before, after)
                    for (n, after), before in zip(numbered, then.points, strict=True)
                    if tally_of(before) != tally_of(after)
                ),
                unspoken=tuple((n, p) for n, p in numbered if p.spoken == 0),
                thin=tuple((n, p) for n, p in numbered if p.spoken > 0 and p.thin),
            )
        )
    return out
