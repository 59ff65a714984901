"""What a digest says about one period: what was heard, which pains many accounts share (and how that
changes period to period), the customers' own words, follow-up health and accounts gone quiet.

Every query is bounded by the period and the eight before it (or reads a kept count: a theme's accounts,
an account's latest interview), so building a digest costs what the period holds, not the history.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from bot.digest.period import TREND_PERIODS, HeldInterview, Period, interviews_in_window, periods_before
from bot.digest.ranking import Ranked, ThemeInPeriod, rank_themes
from bot.digest.weight import account_weights
from bot.loop.tells import still_telling, told_counts
from bot.studies.period import StudyInPeriod, studies_in_period
from bot.themes.lookalikes import count_look_alikes
from bot.themes.quotes import QuoteFit
from bot.themes.status import StatusChange, status_changes
from storage.models import (
    Account,
    FollowUp,
    FollowUpKind,
    FollowUpState,
    Interview,
    RankBy,
    Theme,
    ThemeKind,
    ThemeStatus,
)

QUIET_AFTER = timedelta(days=90)  # coverage: accounts not talked to for this long
OPEN_STATES = (FollowUpState.OPEN, FollowUpState.SNOOZED)


@dataclass(frozen=True)
class Heard:
    interviews: int
    by_kind: list[tuple[str, int]]
    by_person: list[tuple[str, int]]  # Slack user ids, most first
    accounts: int
    new_accounts: int


@dataclass(frozen=True)
class FollowUpHealth:
    open: int
    overdue: int
    thank_yous: int  # interviews of the period that owed a thank-you
    thank_yous_on_time: int  # of which it was sent within a day of the call

    @property
    def on_time_share(self) -> float | None:
        return self.thank_yous_on_time / self.thank_yous if self.thank_yous else None


@dataclass(frozen=True)
class Digest:
    team_id: str
    period: Period
    heard: Heard
    pains: Ranked
    requests: Ranked
    emerging: list[ThemeInPeriod]
    follow_ups: FollowUpHealth
    gone_quiet: list[tuple[str, date]]  # accounts, the longest quiet last
    gone_quiet_total: int
    look_alikes: int = 0
    chart: list[ThemeInPeriod] = field(default_factory=list)  # the themes drawn, with their history
    # The earlier periods its trends compare with (0: none holds an interview, so no theme is new or
    # emerging), and whether no interview at all was held before this period (a first digest).
    compared: int = TREND_PERIODS
    first: bool = False
    studies: list[StudyInPeriod] = field(default_factory=list)  # the open ones, in the thread
    status_changes: list[StatusChange] = field(default_factory=list)  # themes whose status moved in it
    # Themes shipped before the period whose people still have customers to tell ("told 3 of 7").
    telling: list[StatusChange] = field(default_factory=list)
    rank_by: RankBy = RankBy.ACCOUNTS

    @property
    def quiet(self) -> bool:
        return self.heard.interviews == 0

    def quoted(self) -> list[tuple[str, int]]:
        """Every line this digest quotes, for the next one to leave out."""
        themes = [*self.pains.recurring, *self.pains.single, *self.requests.recurring, *self.requests.single]
        return sorted({said.source for theme in themes for said in theme.words})


def build_digest(
    *,
    session: Session,
    team_id: str,
    period: Period,
    now: datetime,
    already_quoted: Iterable[Sequence[object]] = (),
    quote_fit: QuoteFit | None = None,
    rank_by: RankBy = RankBy.ACCOUNTS,
) -> Digest:
    """The digest of `period` for a workspace. `already_quoted`: lines the previous digest quoted; a
    quote from the same call stands in for one only when `quote_fit` finds it about the theme. `rank_by`:
    themes and topics ranked by distinct accounts or by their accounts' ARR summed."""
    interviews = interviews_in_window(session, team_id, period)
    in_period = [i for i in interviews if period.index_of(i.held_on) == 0]
    account_names = {i.account_id: i.account for i in interviews}
    skip = {(str(kind), int(str(row_id))) for kind, row_id in already_quoted}
    # The period's accounts only: a theme's weight counts those that raised it in the period.
    weights = account_weights(session=session, team_id=team_id, account_ids={i.account_id for i in in_period})
    pains, requests = (
        rank_themes(
            session=session,
            team_id=team_id,
            kind=kind,
            period=period,
            interviews=interviews,
            account_names=account_names,
            skip=skip,
            quote_fit=quote_fit,
            weights=weights,
            rank_by=rank_by,
        )
        for kind in (ThemeKind.PAIN, ThemeKind.REQUEST)
    )
    gone_quiet, gone_quiet_total = _gone_quiet(session, team_id, period)
    compared = periods_before(period, interviews)
    emerging = sorted(
        (t for t in pains.recurring if t.emerging), key=lambda t: (-(t.accounts - t.baseline), t.name)
    )
    changes, telling = _status_changes(session, team_id, period)
    return Digest(
        team_id=team_id,
        period=period,
        heard=_heard(session, team_id, period, in_period),
        pains=pains,
        requests=requests,
        emerging=emerging,
        follow_ups=_follow_up_health(session, team_id, period, in_period, now),
        gone_quiet=gone_quiet,
        gone_quiet_total=gone_quiet_total,
        # Split pains count each half's accounts apart: say how many pairs wait for a person to merge.
        look_alikes=count_look_alikes(session=session, team_id=team_id, kind=ThemeKind.PAIN),
        chart=pains.recurring[:5],
        compared=compared,
        rank_by=rank_by,
        first=compared == 0 and not _held_before(session, team_id, period.window_start),
        studies=studies_in_period(
            session=session, team_id=team_id, start=period.start, end=period.end, today=now.date()
        ),
        status_changes=changes,
        telling=telling,
    )


def _status_changes(
    session: Session, team_id: str, period: Period
) -> tuple[list[StatusChange], list[StatusChange]]:
    """The themes whose status moved in the period (the days taken in UTC: a change at the edge of a day
    may fall in the next digest), each shipped one with its count of accounts told; and the themes
    shipped before whose customers are still being told."""
    changes = status_changes(
        session=session,
        team_id=team_id,
        start=datetime.combine(period.start, time(0), tzinfo=UTC),
        end=datetime.combine(period.end, time(0), tzinfo=UTC),
    )
    telling = still_telling(session=session, team_id=team_id, besides=[c.theme_id for c in changes])
    shipped = [c.theme_id for c in changes if c.status == ThemeStatus.SHIPPED] + telling
    told = told_counts(session=session, team_id=team_id, theme_ids=shipped)
    themes = {t.id: t for t in session.scalars(select(Theme).where(Theme.id.in_(telling)))} if telling else {}
    return (
        [
            replace(c, told=(told[c.theme_id].told, told[c.theme_id].of)) if c.theme_id in told else c
            for c in changes
        ],
        [
            StatusChange(
                t.id,
                t.kind,
                t.name,
                t.status,
                t.accounts,
                t.status_note,
                t.status_link,
                (told[t.id].told, told[t.id].of) if t.id in told else None,
            )
            for theme_id in telling
            if (t := themes.get(theme_id)) is not None
        ],
    )


def _held_before(session: Session, team_id: str, day: date) -> bool:
    """Whether the workspace held any interview before `day`: one index seek."""
    earlier = select(Interview.id).where(Interview.team_id == team_id, Interview.held_on < day).limit(1)
    return session.scalar(earlier) is not None


def _heard(session: Session, team_id: str, period: Period, in_period: list[HeldInterview]) -> Heard:
    accounts = {i.account_id for i in in_period}
    seen_before = set()
    if accounts:
        # An account is new when it has no interview before the period: one index seek per account (an
        # EXISTS stops at the first; a DISTINCT would read all of an old account's interviews).
        earlier = (
            select(Interview.id)
            .where(
                Interview.team_id == team_id,
                Interview.account_id == Account.id,
                Interview.held_on < period.start,
            )
            .exists()
        )
        # The ids are this workspace's (from its interviews) and the EXISTS is scoped to it: no condition on
        # accounts.team_id, or the planner walks every account of the team instead of these.
        seen_before = set(session.scalars(select(Account.id).where(Account.id.in_(accounts), earlier)))
    return Heard(
        interviews=len(in_period),
        by_kind=Counter(i.kind for i in in_period).most_common(),
        by_person=Counter(i.logged_by for i in in_period).most_common(),
        accounts=len(accounts),
        new_accounts=len(accounts - seen_before),
    )


def _follow_up_health(
    session: Session, team_id: str, period: Period, in_period: list[HeldInterview], now: datetime
) -> FollowUpHealth:
    open_count, overdue = session.execute(
        select(func.count(), func.count().filter(FollowUp.due_at < now)).where(
            FollowUp.team_id == team_id, FollowUp.state.in_(OPEN_STATES)
        )
    ).one()
    owed = on_time = 0
    if in_period:
        held = {i.id: i.held_on for i in in_period}
        sent_at_logging = {i.id for i in in_period if i.thank_you_sent}
        # Driven by the period's dates, like every read of the digest: the team's follow-ups are not walked.
        rows = session.execute(
            select(FollowUp.interview_id, FollowUp.state, FollowUp.closed_at)
            .join(Interview, Interview.id == FollowUp.interview_id)
            .where(
                Interview.team_id == team_id,
                Interview.held_on >= period.start,
                Interview.held_on < period.end,
                FollowUp.kind == FollowUpKind.THANK_YOU,
            )
        ).all()
        # A thank-you owed and then ticked as sent on an edit was closed by it: counted by its follow-up.
        sent_at_logging -= {row[0] for row in rows}
        # One imported as done or skipped has no time of closing (bot.exchange.imports): when it was sent is
        # unknown, so it counts neither as on time nor as late.
        thank_yous = [
            (interview_id, state, closed_at)
            for interview_id, state, closed_at in rows
            if not (closed_at is None and state in (FollowUpState.DONE, FollowUpState.SKIPPED))
        ]
        owed = len(sent_at_logging) + len(thank_yous)
        on_time = len(sent_at_logging) + sum(
            1
            for interview_id, state, closed_at in thank_yous
            if state is FollowUpState.DONE
            and closed_at is not None
            and _within_a_day(held[interview_id], closed_at)
        )
    return FollowUpHealth(
        open=int(open_count), overdue=int(overdue), thank_yous=owed, thank_yous_on_time=on_time
    )


def _within_a_day(held_on: date, done_at: datetime) -> bool:
    """Done by the end of the day after the call (the call's date has no hour; UTC is close enough)."""
    return done_at < datetime.combine(held_on + timedelta(days=2), time(0), tzinfo=UTC)


def _gone_quiet(
    session: Session, team_id: str, period: Period, limit: int = 10
) -> tuple[list[tuple[str, date]], int]:
    cutoff = period.end - QUIET_AFTER
    quiet = and_(Account.team_id == team_id, Account.last_held_on < cutoff)
    rows = session.execute(
        select(Account.name, Account.last_held_on)
        .where(quiet)
        .order_by(Account.last_held_on.desc())
        .limit(limit)
    ).all()
    total = int(session.scalar(select(func.count()).select_from(Account).where(quiet)) or 0)
    return [(name, held) for name, held in rows], total
