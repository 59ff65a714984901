"""Digests built by hand, without storage: what the wording and the chart are tested on."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from bot.digest.content import Digest, FollowUpHealth, Heard
from bot.digest.period import Period
from bot.digest.ranking import Ranked, Said, ThemeInPeriod, TopicInPeriod, trend_of
from storage.models import ThemeKind


def pain(
    n: int, name: str, accounts: int, history: Sequence[int] = (), *, ever: int | None = None
) -> ThemeInPeriod:
    """A recurring pain raised by `accounts` accounts in the period, `history` in the periods before."""
    ever = ever if ever is not None else max(accounts + sum(history), 2)
    return ThemeInPeriod(
        theme_id=n,
        name=name,
        kind=ThemeKind.PAIN,
        accounts=accounts,
        mentions=accounts,
        last_seen=date(2026, 12, 1),
        accounts_ever=ever,
        history=tuple(history),
        trend=trend_of(accounts, tuple(history), ever),
        words=(Said(f"{name}, as Acme said it", "Acme", date(2026, 12, 1), 100 + n, ("pain", n)),),
    )


def as_topic(theme: ThemeInPeriod) -> TopicInPeriod:
    """A theme in no topic stands as a topic of its own, as the ranking groups it."""
    return TopicInPeriod(
        topic_id=None,
        name=theme.name,
        kind=theme.kind,
        accounts=theme.accounts,
        mentions=theme.mentions,
        last_seen=theme.last_seen,
        accounts_ever=theme.accounts_ever,
        history=theme.history,
        trend=theme.trend,
        pains=(theme,),
    )


def digest(
    period: Period,
    pains: Sequence[ThemeInPeriod] = (),
    *,
    interviews: int = 12,
    accounts: int = 6,
    first: bool | None = None,
) -> Digest:
    """A digest of `period` whose pains are `pains`, ranked as given; the periods it compares with are
    those of the pains' history (none when they have none)."""
    compared = len(pains[0].history) if pains else 0
    recurring = list(pains)
    return Digest(
        team_id="T1",
        period=period,
        heard=Heard(interviews, [("Discovery interview", interviews)] if interviews else [], [], accounts, 0),
        pains=Ranked(recurring, [], 0, [as_topic(t) for t in recurring]),
        requests=Ranked([], [], 0),
        emerging=[t for t in recurring if t.emerging],
        follow_ups=FollowUpHealth(open=0, overdue=0, thank_yous=0, thank_yous_on_time=0),
        gone_quiet=[],
        gone_quiet_total=0,
        chart=recurring[:5],
        compared=compared,
        first=compared == 0 if first is None else first,
    )
