"""The workspace's week at a glance, for a person's App Home: interviews held, distinct accounts, and the
top pains ranked as the digest ranks them (by distinct accounts)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from bot.digest.period import Period, interviews_in_window
from bot.digest.ranking import ThemeInPeriod, rank_key, rank_themes
from storage.models import ThemeKind

TOP_PAINS = 3


@dataclass(frozen=True)
class WeekFigures:
    period: Period
    interviews: int
    accounts: int
    top_pains: list[ThemeInPeriod]


def week_figures(*, session: Session, team_id: str, period: Period, top: int = TOP_PAINS) -> WeekFigures:
    """What the digest would say of `period` in three figures. Pains only one account ever raised rank
    too (the digest lists them apart), by the same order: distinct accounts in the period first."""
    interviews = interviews_in_window(session, team_id, period)
    in_period = [i for i in interviews if period.index_of(i.held_on) == 0]
    pains = rank_themes(
        session=session,
        team_id=team_id,
        kind=ThemeKind.PAIN,
        period=period,
        interviews=interviews,
        account_names={i.account_id: i.account for i in interviews},
        skip=set(),
    )
    return WeekFigures(
        period=period,
        interviews=len(in_period),
        accounts=len({i.account_id for i in in_period}),
        top_pains=sorted([*pains.recurring, *pains.single], key=rank_key)[:top],
    )
