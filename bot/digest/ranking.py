"""Themes of one kind raised in a period, ranked by how many distinct accounts raised them, each with its
trend over the periods before, whether it is emerging, and the customers' own words."""

from __future__ import annotations

import enum
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.digest.period import TREND_PERIODS, HeldInterview, Period, periods_before
from bot.digest.weight import AccountWeights, Weight
from bot.themes.quotes import QuoteFit
from storage.models import (
    CustomerRequest,
    Interview,
    Pain,
    Quote,
    RankBy,
    Theme,
    ThemeKind,
    ThemeStatus,
    Topic,
)

EMERGING_FLOOR = 3  # accounts in the period, at least: one noisy week of a small theme is not a signal
WORDS_PER_THEME = 2
LINE_MODELS: dict[ThemeKind, type[Pain] | type[CustomerRequest]] = {
    ThemeKind.PAIN: Pain,
    ThemeKind.REQUEST: CustomerRequest,
}


class Trend(enum.StrEnum):
    NEW = "new"
    RISING = "rising"
    STEADY = "steady"
    FALLING = "falling"
    BACK = "back"  # raised again after a quiet spell
    NONE = "none"  # no earlier period holds an interview (a first digest): nothing to compare with


@dataclass(frozen=True)
class Said:
    """A customer's own words: a pain as they put it, or a quote from the same interview."""

    text: str
    account: str
    held_on: date
    interview_id: int
    source: tuple[str, int]  # ("pain" | "request" | "quote", row id): what the next digest does not repeat


@dataclass(frozen=True)
class ThemeInPeriod:
    theme_id: int
    name: str
    kind: ThemeKind
    accounts: int  # distinct accounts that raised it in the period
    mentions: int  # lines in the period
    last_seen: date
    accounts_ever: int
    # Distinct accounts in each earlier period, oldest first, from the oldest that holds an interview of the
    # workspace: () when none does, and the digest compares with nothing.
    history: tuple[int, ...]
    trend: Trend
    words: tuple[Said, ...] = ()
    emerging: str | None = None  # why it counts as emerging, in a few words
    topic: str | None = None  # the name of its topic, when it is in one
    status: ThemeStatus = ThemeStatus.OPEN  # where it stands with the product team
    weight: Weight | None = None  # its period's accounts' ARR and segments, when the digest read them

    @property
    def baseline(self) -> float:
        return sum(self.history) / len(self.history) if self.history else 0.0


@dataclass(frozen=True)
class TopicInPeriod:
    """A topic's recurring themes raised in the period, counted together: an account that raised two of
    its pains counts once. A theme not in a topic yet stands as a topic of its own (`topic_id` None)."""

    topic_id: int | None
    name: str
    kind: ThemeKind
    accounts: int
    mentions: int
    last_seen: date
    accounts_ever: int
    history: tuple[int, ...]
    trend: Trend
    pains: tuple[ThemeInPeriod, ...]  # ranked
    weight: Weight | None = None


@dataclass(frozen=True)
class Ranked:
    """Themes of one kind raised in the period: those more than one account ever raised, ranked, and
    grouped into their topics, ranked the same way; those only one account raised, apart; and how many
    lines are in no theme yet."""

    recurring: list[ThemeInPeriod]
    single: list[ThemeInPeriod]
    unthemed: int
    topics: list[TopicInPeriod] = field(default_factory=list)


def rank_key(theme: ThemeInPeriod, by: RankBy = RankBy.ACCOUNTS) -> tuple[int, ...]:
    """How themes rank: most distinct accounts, then most lines, then the latest raised; by ARR, the most
    ARR summed first (an account of unknown ARR adds nothing), then the same."""
    key = (-theme.accounts, -theme.mentions, -theme.last_seen.toordinal(), theme.theme_id)
    return (-_arr(theme.weight), *key) if by is RankBy.ARR else key


def topic_rank_key(topic: TopicInPeriod, by: RankBy = RankBy.ACCOUNTS) -> tuple[int, ...]:
    """Topics rank as themes do, by their own distinct accounts (or ARR)."""
    key = (-topic.accounts, -topic.mentions, -topic.last_seen.toordinal(), topic.pains[0].theme_id)
    return (-_arr(topic.weight), *key) if by is RankBy.ARR else key


def _arr(weight: Weight | None) -> int:
    return weight.arr if weight is not None else 0


def trend_of(accounts: int, history: Sequence[int], accounts_ever: int) -> Trend:
    if not history:  # no earlier period to compare with: neither new nor anything else
        return Trend.NONE
    baseline = sum(history) / len(history)
    if not any(history):
        # Nothing in the eight periods before: new, unless other accounts raised it longer ago.
        return Trend.NEW if accounts_ever <= accounts else Trend.BACK
    if not any(history[-2:]):
        return Trend.BACK
    if accounts >= baseline + 1 and accounts >= 1.5 * baseline:
        return Trend.RISING
    if accounts < 0.5 * baseline:
        return Trend.FALLING
    return Trend.STEADY


def emerging_reason(accounts: int, history: Sequence[int], period: Period) -> str | None:
    """Clearly above its own trailing baseline, and at least EMERGING_FLOOR accounts. Never against an empty
    history: with no earlier period to compare with, everything would look emerging."""
    if not history:
        return None
    baseline = sum(history) / len(history)
    if accounts < EMERGING_FLOOR or accounts < 2 * baseline or accounts - baseline < 2:
        return None
    before = f"{baseline:.1f}".rstrip("0").rstrip(".")
    return f"{accounts} accounts {period.this}, {before} {period.per} before"


def rank_themes(
    *,
    session: Session,
    team_id: str,
    kind: ThemeKind,
    period: Period,
    interviews: list[HeldInterview],
    account_names: dict[int, str],
    skip: set[tuple[str, int]],
    quote_fit: QuoteFit | None = None,
    weights: AccountWeights | None = None,
    rank_by: RankBy = RankBy.ACCOUNTS,
) -> Ranked:
    """`interviews`: those held in the period and the TREND_PERIODS before it. A quote from the same
    call stands in for a line quoted last time only when `quote_fit` finds it about the theme. With
    `weights` (the period's accounts' ARR and segments), each theme and topic carries its weight."""
    model = LINE_MODELS[kind]
    by_id = {i.id: i for i in interviews}
    lines = session.execute(
        select(model.id, model.theme_id, model.interview_id, model.text)
        .join(Interview, Interview.id == model.interview_id)
        .where(
            Interview.team_id == team_id,
            Interview.held_on >= period.window_start,
            Interview.held_on < period.end,
        )
    ).all()
    # theme -> period index -> accounts; and the period's own lines per theme.
    accounts: dict[int, list[set[int]]] = defaultdict(lambda: [set() for _ in range(TREND_PERIODS + 1)])
    current: dict[int, list[tuple[int, int, str]]] = defaultdict(list)
    unthemed = 0
    for line_id, theme_id, interview_id, text in lines:
        interview = by_id.get(interview_id)
        if interview is None:  # logged since the interviews were read
            continue
        index = period.index_of(interview.held_on)
        if theme_id is None:
            unthemed += index == 0
            continue
        accounts[theme_id][index].add(interview.account_id)
        if index == 0:
            current[theme_id].append((line_id, interview_id, text))
    if not current:
        return Ranked([], [], unthemed)
    before = periods_before(period, interviews)
    themes = {
        t.id: t for t in session.scalars(select(Theme).where(Theme.team_id == team_id, Theme.id.in_(current)))
    }
    quotes = _quotes(session, team_id, {iid for rows in current.values() for _, iid, _ in rows})
    topic_ids = {t.topic_id for t in themes.values() if t.topic_id is not None}
    kept = select(Topic.id, Topic.name, Topic.accounts).where(
        Topic.team_id == team_id, Topic.id.in_(topic_ids)
    )
    topics = {topic_id: (name, ever) for topic_id, name, ever in session.execute(kept)}
    topic_names = {topic_id: name for topic_id, (name, _) in topics.items()}
    entries = []
    for theme_id, rows in current.items():
        theme = themes.get(theme_id)
        if theme is None:
            continue
        now_accounts = len(accounts[theme_id][0])
        history = tuple(len(a) for a in reversed(accounts[theme_id][1 : before + 1]))
        accounts_ever = max(theme.accounts, now_accounts)
        entries.append(
            ThemeInPeriod(
                theme_id=theme_id,
                name=theme.name,
                kind=kind,
                accounts=now_accounts,
                mentions=len(rows),
                last_seen=max(by_id[iid].held_on for _, iid, _ in rows),
                accounts_ever=accounts_ever,
                history=history,
                trend=trend_of(now_accounts, history, accounts_ever),
                words=_words(kind, rows, by_id, _on_theme(quotes, theme, quote_fit), account_names, skip),
                emerging=emerging_reason(now_accounts, history, period) if kind is ThemeKind.PAIN else None,
                topic=topic_names.get(theme.topic_id) if theme.topic_id is not None else None,
                status=theme.status,
                weight=weights.of(accounts[theme_id][0]) if weights is not None else None,
            )
        )
    entries.sort(key=lambda t: rank_key(t, rank_by))
    recurring = [t for t in entries if t.accounts_ever > 1]
    return Ranked(
        recurring=recurring,
        single=[t for t in entries if t.accounts_ever <= 1],
        unthemed=unthemed,
        topics=sorted(
            _topics(
                kind, recurring, _topic_members(session, team_id, accounts), accounts, topics, before, weights
            ),
            key=lambda t: topic_rank_key(t, rank_by),
        ),
    )


def _topic_members(
    session: Session, team_id: str, accounts: dict[int, list[set[int]]]
) -> dict[int, set[int]]:
    """Each topic's themes raised in the window that more than one account ever raised: a topic's trend
    counts them all, not only those raised in this period (a topic raised by four accounts a week before
    is not "back" because another of its pains came up this week)."""
    members: dict[int, set[int]] = defaultdict(set)
    if accounts:
        for theme_id, topic_id in session.execute(
            select(Theme.id, Theme.topic_id).where(
                Theme.team_id == team_id,
                Theme.id.in_(accounts),
                Theme.topic_id.is_not(None),
                Theme.accounts > 1,
            )
        ):
            members[topic_id].add(theme_id)
    return members


def _topics(
    kind: ThemeKind,
    recurring: list[ThemeInPeriod],
    topic_themes: dict[int, set[int]],
    accounts: dict[int, list[set[int]]],
    topics: dict[int, tuple[str, int]],
    before: int,
    weights: AccountWeights | None,
) -> list[TopicInPeriod]:
    """The recurring themes grouped by topic (`topics`: each one's name and kept count of accounts ever),
    each topic counted by the distinct accounts of its themes over this period and the `before` ones."""
    topic_of = {theme_id: topic_id for topic_id, ids in topic_themes.items() for theme_id in ids}
    members: dict[int | tuple[str, int], list[ThemeInPeriod]] = defaultdict(list)
    for theme in recurring:  # ranked: each topic's pains stay in rank order
        topic_id = topic_of.get(theme.theme_id)
        known = topic_id is not None and topic_id in topics
        members[topic_id if known else ("theme", theme.theme_id)].append(theme)
    out = []
    for key, pains in members.items():
        counted = {t.theme_id for t in pains} | (topic_themes[key] if isinstance(key, int) else set())
        periods = [set().union(*(accounts[t][i] for t in counted)) for i in range(before + 1)]
        now_accounts, history = len(periods[0]), tuple(len(a) for a in reversed(periods[1:]))
        name, ever = topics[key] if isinstance(key, int) else (pains[0].name, pains[0].accounts_ever)
        accounts_ever = max(ever, now_accounts)
        out.append(
            TopicInPeriod(
                topic_id=key if isinstance(key, int) else None,
                name=name,
                kind=kind,
                accounts=now_accounts,
                mentions=sum(t.mentions for t in pains),
                last_seen=max(t.last_seen for t in pains),
                accounts_ever=accounts_ever,
                history=history,
                trend=trend_of(now_accounts, history, accounts_ever),
                pains=tuple(pains),
                weight=weights.of(periods[0]) if weights is not None else None,
            )
        )
    return out


def _quotes(session: Session, team_id: str, interview_ids: set[int]) -> dict[int, list[tuple[int, str]]]:
    out: dict[int, list[tuple[int, str]]] = defaultdict(list)
    if interview_ids:
        for quote_id, interview_id, text in session.execute(
            select(Quote.id, Quote.interview_id, Quote.text)
            .where(Quote.team_id == team_id, Quote.interview_id.in_(interview_ids))
            .order_by(Quote.interview_id, Quote.position)
        ):
            out[interview_id].append((quote_id, text))
    return out


def _on_theme(
    quotes: dict[int, list[tuple[int, str]]], theme: Theme, quote_fit: QuoteFit | None
) -> Callable[[int], list[tuple[int, str]]]:
    """An interview's quotes that are about `theme`, asked only for a call whose line cannot be quoted."""

    def about(interview_id: int) -> list[tuple[int, str]]:
        said = quotes.get(interview_id, [])
        if quote_fit is None or theme.kind is not ThemeKind.PAIN or not said:
            return []
        fits = quote_fit.about(
            centroid=theme.centroid, embedded_with=theme.embedded_with, texts=[text for _, text in said]
        )
        return [quote for quote, fit in zip(said, fits, strict=True) if fit]

    return about


def _words(
    kind: ThemeKind,
    rows: list[tuple[int, int, str]],
    by_id: dict[int, HeldInterview],
    quotes_about: Callable[[int], list[tuple[int, str]]],
    account_names: dict[int, str],
    skip: set[tuple[str, int]],
) -> tuple[Said, ...]:
    """Up to WORDS_PER_THEME of the customers' own words, from different accounts where there are several,
    latest first; nothing the previous digest quoted comes back."""
    chosen: list[Said] = []
    accounts_used: set[int] = set()
    latest_first = sorted(rows, key=lambda r: (by_id[r[1]].held_on, r[0]), reverse=True)
    for allow_same_account in (False, True):
        for line_id, interview_id, text in latest_first:
            interview = by_id[interview_id]
            if len(chosen) == WORDS_PER_THEME:
                return tuple(chosen)
            if interview.account_id in accounts_used and not allow_same_account:
                continue
            # The line itself says the theme best; a quote from the same call stands in when the line
            # was quoted last time and the quote is about the theme (pains only: a request is the
            # customer's words already).
            candidates = [(kind.value, line_id, text)]
            if (kind.value, line_id) in skip:
                candidates += [("quote", qid, qtext) for qid, qtext in quotes_about(interview_id)]
            for source, row_id, said in candidates:
                if (source, row_id) in skip or any(c.source == (source, row_id) for c in chosen):
                    continue
                chosen.append(
                    Said(
                        said,
                        account_names.get(interview.account_id, "?"),
                        interview.held_on,
                        interview_id,
                        (source, row_id),
                    )
                )
                accounts_used.add(interview.account_id)
                break
    return tuple(chosen)
