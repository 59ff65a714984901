"""What a person's App Home reads: what they have on their plate (their open follow-ups, overdue first,
and their upcoming calls), and the workspace's week at a glance (interviews held, distinct accounts, the
top pains ranked as the digest ranks them, each with its accounts' ARR and segments)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from bot.digest.period import Period, interviews_in_window
from bot.digest.ranking import ThemeInPeriod, rank_key, rank_themes
from bot.digest.weight import account_weights
from bot.reminders.deliveries import RENDERING
from storage.models import OWED, FollowUp, FollowUpKind, ScheduledCall, ThemeKind

# Prep notes and debriefs are tied to a call's time and said once: the Home shows the call instead.
_ON_THE_CLOCK = [kind for kind in FollowUpKind if kind.on_the_clock]


@dataclass(frozen=True)
class Owed:
    items: list[FollowUp]  # the first `limit`, soonest due first (so overdue first)
    total: int
    overdue: int


def open_follow_ups(*, session: Session, team_id: str, user_id: str, now: datetime, limit: int) -> Owed:
    """This person's open and snoozed follow-ups, soonest due first, with what drawing them reads; and
    how many there are, and how many are overdue."""
    mine = (
        FollowUp.team_id == team_id,
        FollowUp.owner_id == user_id,
        FollowUp.state.in_(OWED),
        FollowUp.kind.not_in(_ON_THE_CLOCK),
    )
    items = session.scalars(
        select(FollowUp).where(*mine).options(*RENDERING).order_by(FollowUp.due_at, FollowUp.id).limit(limit)
    ).all()
    total, overdue = session.execute(
        select(func.count(), func.count().filter(FollowUp.due_at <= now)).select_from(FollowUp).where(*mine)
    ).one()
    return Owed(list(items), int(total), int(overdue))


@dataclass(frozen=True)
class Upcoming:
    calls: list[ScheduledCall]
    total: int


def upcoming_calls(*, session: Session, team_id: str, user_id: str, now: datetime, limit: int) -> Upcoming:
    """Calls this person organises or joins that have not ended, soonest first. Everyone on a call owes
    its prep note, so the calls are found through the person's own prep follow-ups (an index on the
    owner), not by reading every call's participant list."""
    mine = select(FollowUp.scheduled_call_id).where(
        FollowUp.team_id == team_id,
        FollowUp.owner_id == user_id,
        FollowUp.kind == FollowUpKind.PREP,
        FollowUp.scheduled_call_id.is_not(None),
    )
    where = (
        ScheduledCall.team_id == team_id,
        ScheduledCall.id.in_(mine),
        ScheduledCall.ends_at > now,
    )
    calls = session.scalars(
        select(ScheduledCall)
        .where(*where)
        .options(selectinload(ScheduledCall.account))
        .order_by(ScheduledCall.starts_at, ScheduledCall.id)
        .limit(limit)
    ).all()
    counted = select(func.count()).select_from(ScheduledCall).where(*where)
    total = len(calls) if len(calls) < limit else session.scalar(counted)
    return Upcoming(list(calls), int(total or 0))


TOP_PAINS = 3


@dataclass(frozen=True)
class WeekFigures:
    period: Period
    interviews: int
    accounts: int
    top_pains: list[ThemeInPeriod]


def week_figures(*, session: Session, team_id: str, period: Period, top: int = TOP_PAINS) -> WeekFigures:
    """What the digest would say of `period` in three figures. Pains only one account ever raised rank
    too (the digest lists them apart), by the same order: distinct accounts in the period first. Each
    carries its weight as the digest's does: one more query, for the period's accounts."""
    interviews = interviews_in_window(session, team_id, period)
    in_period = [i for i in interviews if period.index_of(i.held_on) == 0]
    accounts = {i.account_id for i in in_period}
    pains = rank_themes(
        session=session,
        team_id=team_id,
        kind=ThemeKind.PAIN,
        period=period,
        interviews=interviews,
        account_names={i.account_id: i.account for i in interviews},
        skip=set(),
        weights=account_weights(session=session, team_id=team_id, account_ids=accounts),
    )
    return WeekFigures(
        period=period,
        interviews=len(in_period),
        accounts=len(accounts),
        top_pains=sorted([*pains.recurring, *pains.single], key=rank_key)[:top],
    )
