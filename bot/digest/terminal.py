"""The digest as plain text, for a terminal: `interview-bot digest preview` needs no Slack at all.

Its wording is shared with the Slack digest (handlers/views/digest.py): periods named as they are, counts
in the number they take."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from bot.digest.content import Digest
from bot.digest.period import TREND_PERIODS, Period, long_day, short_day
from bot.digest.ranking import Ranked, ThemeInPeriod, TopicInPeriod, Trend
from bot.loop.tells import Told
from bot.studies.period import PointMove, StudyInPeriod
from bot.studies.sheet import THIN_BELOW, Point
from bot.text import counted, plural
from bot.themes.status import StatusChange, status_label, status_mark
from storage.models import RankBy

TREND_WORDS = {
    Trend.NEW: "new",
    Trend.RISING: "rising",
    Trend.STEADY: "steady",
    Trend.FALLING: "falling",
    Trend.BACK: "back after a quiet spell",
    Trend.NONE: "",  # nothing to compare with: no word rather than a wrong one
}
TOP = 10


def day(d: date) -> str:
    return short_day(d)


def period_title(digest: Digest) -> str:
    return digest.period.title


def theme_summary(theme: ThemeInPeriod | TopicInPeriod, period: Period) -> str:
    """'5 accounts this week, 7 mentions (7 ever) · rising'."""
    mentions = f", {counted(theme.mentions, 'mention')}" if theme.mentions != theme.accounts else ""
    trend = TREND_WORDS[theme.trend]
    return f"{counted(theme.accounts, 'account')} {period.this}{mentions} ({theme.accounts_ever} ever)" + (
        f" · {trend}" if trend else ""
    )


def ranked_by(rank_by: RankBy, raised: str = "raised their pains") -> str:
    """How a list is ranked, after its title: 'by the ARR of the accounts that raised their pains (each
    counted once)'. The one wording of the ranking, in Slack, the terminal and the chart's alt text."""
    measure = "the ARR of the accounts" if rank_by is RankBy.ARR else "the number of accounts"
    return f"by {measure} that {raised} (each counted once)"


def topics_ranked_by(rank_by: RankBy) -> str:
    """How the top topics are ranked, after their title."""
    return ranked_by(rank_by)


def requests_ranked_by(rank_by: RankBy) -> str:
    """After the requests' title, only when they are ranked by ARR: by accounts is what a reader expects."""
    return f", {ranked_by(rank_by, 'asked for them')}" if rank_by is RankBy.ARR else ""


def weight_line(theme: ThemeInPeriod | TopicInPeriod) -> str | None:
    """'5 accounts · $420k ARR · Enterprise 3, SMB 2'; None when the digest knows neither."""
    return theme.weight.words() if theme.weight is not None else None


def single_account(theme: ThemeInPeriod) -> str:
    """'Stark, $2M ARR': the one account that raised it, with its ARR when known, so a large customer's
    lone complaint stands out among the small ones."""
    account = theme.words[0].account if theme.words else "?"
    arr = theme.weight.arr_words() if theme.weight is not None else None
    return f"{account}, {arr}" if arr else account


def status_change_words(change: StatusChange) -> tuple[str, str]:
    """('Shipped', 'raised by 7 accounts · told 5 of 7'): the change's head and what follows the theme's
    name; how many accounts were told once its people were asked to tell them."""
    tail = f"raised by {counted(change.accounts, 'account')}"
    if change.told is not None:
        tail += f" · {Told(*change.told).words()}"
    return status_label(change.status), tail


STATUS_CHANGES_TITLE = "Status changes"
STILL_TELLING_TITLE = "Shipped before, customers still being told"


def still_telling_words(theme: StatusChange) -> str:
    """'told 3 of 7 accounts': how far a theme shipped before has got with telling its customers."""
    told, of = theme.told or (0, 0)
    return f"told {told} of {counted(of, 'account')}"


def history_label(period: Period, before: int) -> str:
    """'accounts in the 8 weeks before', 'accounts in the 2 periods of 366 days before (from 5 Dec 2023)'."""
    span = period.name if before == 1 else period.periods(before)
    since = "" if period.weekly else f" (from {long_day(period.earlier(before).start)})"
    return f"accounts in the {span} before{since}"


def comparison_note(digest: Digest) -> str | None:
    """Why no theme is new or emerging when there is nothing to compare with; None when there is."""
    if digest.compared:
        return None
    unmarked = "so no theme is marked new or emerging"
    if digest.first:
        return f"This is the first digest: no earlier periods to compare with, {unmarked}."
    before = digest.period.periods(TREND_PERIODS)
    return f"No interview in the {before} before: nothing to compare with, {unmarked}."


def heard_summary(digest: Digest) -> str:
    """'1 interview with 1 account (1 new)'."""
    heard = digest.heard
    new = f" ({heard.new_accounts} new)" if heard.new_accounts else ""
    return f"{counted(heard.interviews, 'interview')} with {counted(heard.accounts, 'account')}{new}"


def look_alikes_note(pairs: int) -> str:
    return f"{counted(pairs, 'pair')} of themes {plural(pairs, 'looks')} alike"


def quiet_line(digest: Digest) -> str:
    """'No interview was logged this week', 'No interview was logged in these 28 days'."""
    return f"No interview was logged {digest.period.this}"


STUDY_POINT_MAX = 120  # a point's words in the digest: it names the point, the sheet holds the rest
THIN_LABEL = f"Thin (fewer than {THIN_BELOW} accounts)"


def study_summary(study: StudyInPeriod, period: Period) -> str:
    """'2 interviews this week, 5 of 8 in all, 12 days left'."""
    parts = [f"{counted(study.interviews_in_period, 'interview')} {period.this}"]
    if study.target:
        parts.append(f"{study.interviews} of {study.target} in all")
    else:
        parts.append(f"{study.interviews} in all")
    left = study.days_left
    if left is not None:
        if left > 0:
            parts.append(f"{counted(left, 'day')} left")
        elif left == 0:
            parts.append("ends today")
        else:
            parts.append(f"ended {counted(-left, 'day')} ago, still open")
    return ", ".join(parts)


def point_name(number: int, point: Point) -> str:
    """'3. Admins can set it up alone', cut to a line."""
    text = " ".join(point.text.split())
    if len(text) > STUDY_POINT_MAX:
        text = text[: STUDY_POINT_MAX - 1].rstrip() + "…"
    return f"{number}. {text}"


def move_words(move: PointMove) -> str:
    """'supported by 2 → 3, contradicted by 0 → 1; now supported by 3 of 5 accounts, …'."""
    labels = ("supported by", "contradicted by", "mixed for")
    before, after = move.before, move.after
    pairs = zip(
        labels,
        (before.supports, before.contradicts, before.mixed),
        (after.supports, after.contradicts, after.mixed),
        strict=True,
    )
    changes = [f"{label} {was} → {now}" for label, was, now in pairs if was != now]
    return f"{', '.join(changes)}; now {after.tally()}"


def thin_words(point: Point) -> str:
    return f"{counted(point.spoken, 'account')} so far"


def digest_text(digest: Digest, *, person: Callable[[str], str] = str) -> str:
    out = [f"Customer digest, {period_title(digest)}", ""]
    period = digest.period
    heard = digest.heard
    if digest.quiet:
        out.append(quiet_line(digest) + ".")
        return "\n".join(out) + "\n"
    out.append(f"What was heard: {heard_summary(digest)}")
    out.append("  by kind: " + ", ".join(f"{label} {n}" for label, n in heard.by_kind))
    out.append("  logged by: " + ", ".join(f"{person(user)} {n}" for user, n in heard.by_person))
    note = comparison_note(digest)
    if note:
        out += ["", note]
    _topics(out, digest.pains.topics, period=period, rank_by=digest.rank_by)
    if digest.emerging:
        out += ["", "Emerging"]
        out += [f"  - {t.name}{status_mark(t.status)}: {t.emerging}" for t in digest.emerging]
    if digest.pains.single:
        out += ["", "One account so far"]
        for t in digest.pains.single[:TOP]:
            out.append(
                f"  - {t.name}{status_mark(t.status)}: {counted(t.mentions, 'mention')} ({single_account(t)})"
            )
        _more(out, len(digest.pains.single))
    requests = f"Requested solutions (requests, not pains){requests_ranked_by(digest.rank_by)}"
    _ranked(out, requests, digest.requests, pains=False, period=period)
    health = digest.follow_ups
    out += ["", f"Follow-ups: {health.open} open, {health.overdue} overdue"]
    if health.on_time_share is not None:
        out.append(
            f"  thank-you sent within a day of the call: {health.thank_yous_on_time} of {health.thank_yous} "
            f"({health.on_time_share:.0%})"
        )
    if digest.gone_quiet_total:
        out += ["", f"Not talked to in 90 days: {counted(digest.gone_quiet_total, 'account')}"]
        out += [f"  - {name} (last {long_day(last)})" for name, last in digest.gone_quiet]
        _more(out, digest.gone_quiet_total, shown=len(digest.gone_quiet))
    if digest.status_changes:
        out += ["", STATUS_CHANGES_TITLE]
        for change in digest.status_changes:
            head, tail = status_change_words(change)
            out.append(f"  - {head}: {change.name} — {tail}" + (f" ({change.link})" if change.link else ""))
    if digest.telling:
        out += ["", STILL_TELLING_TITLE]
        out += [f"  - {t.name} — {still_telling_words(t)}" for t in digest.telling]
    if digest.look_alikes:
        out += ["", f"{look_alikes_note(digest.look_alikes)}: review them with /interview themes"]
    _studies(out, digest.studies, period)
    return "\n".join(out) + "\n"


def _studies(out: list[str], studies: list[StudyInPeriod], period: Period) -> None:
    if not studies:
        return
    out += ["", "Open studies"]
    for study in studies:
        out.append(f"  - {study.name}: {study_summary(study, period)}")
        out += [
            f"      moved {period.this}: {point_name(m.number, m.after)}: {move_words(m)}"
            for m in study.moved
        ]
        if study.unspoken:
            out.append(
                "      still without evidence: " + "; ".join(point_name(n, p) for n, p in study.unspoken)
            )
        if study.thin:
            thin = "; ".join(f"{point_name(n, p)} ({thin_words(p)})" for n, p in study.thin)
            out.append(f"      {THIN_LABEL.lower()}: {thin}")


def _said(said_on: date, period: Period) -> str:
    """A quote's day: with its year when the period spans more than one."""
    return long_day(said_on) if period.start.year != period.last_day.year else day(said_on)


def _ranked(out: list[str], title: str, ranked: Ranked, *, pains: bool, period: Period) -> None:
    themes = ranked.recurring if pains else [*ranked.recurring, *ranked.single]
    if not themes and not ranked.unthemed:
        return
    out += ["", title]
    for n, theme in enumerate(themes[:TOP], 1):
        out.append(f" {n:>2}. {theme.name}{status_mark(theme.status)}: {theme_summary(theme, period)}")
        _weight(out, theme, "      ")
        if theme.history:
            counts = " ".join(str(a) for a in theme.history)
            out.append(f"      {history_label(period, len(theme.history))}: {counts}")
        for said in theme.words:
            out.append(f'      "{said.text}" ({said.account}, {_said(said.held_on, period)})')
    _more(out, len(themes))
    if ranked.unthemed:
        out.append(f"  and {ranked.unthemed} not in a theme yet")


def _topics(out: list[str], topics: list[TopicInPeriod], *, period: Period, rank_by: RankBy) -> None:
    if not topics:
        return
    out += ["", f"Top topics, {topics_ranked_by(rank_by)}"]
    for n, topic in enumerate(topics[:TOP], 1):
        out.append(f" {n:>2}. {topic.name}: {theme_summary(topic, period)}")
        _weight(out, topic, "      ")
        if topic.history:
            counts = " ".join(str(a) for a in topic.history)
            out.append(f"      {history_label(period, len(topic.history))}: {counts}")
        for pain in topic.pains:
            out.append(f"      - {pain.name}{status_mark(pain.status)}: {theme_summary(pain, period)}")
            _weight(out, pain, "          ")
            for said in pain.words:
                out.append(f'          "{said.text}" ({said.account}, {_said(said.held_on, period)})')
    _more(out, len(topics))


def _weight(out: list[str], theme: ThemeInPeriod | TopicInPeriod, indent: str) -> None:
    if line := weight_line(theme):
        out.append(indent + line)


def _more(out: list[str], total: int, shown: int = TOP) -> None:
    if total > shown:
        out.append(f"  and {total - shown} more")
