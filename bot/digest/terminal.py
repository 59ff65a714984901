"""The digest as plain text, for a terminal: `interview-bot digest preview` needs no Slack at all."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from bot.digest.content import Digest
from bot.digest.ranking import Ranked, ThemeInPeriod, TopicInPeriod, Trend

TREND_WORDS = {
    Trend.NEW: "new",
    Trend.RISING: "rising",
    Trend.STEADY: "steady",
    Trend.FALLING: "falling",
    Trend.BACK: "back after a quiet spell",
}
TOP = 10


def day(d: date) -> str:
    return f"{d.day} {d:%b}"


def period_title(digest: Digest) -> str:
    last = digest.period.end.toordinal() - 1
    return f"{day(digest.period.start)} – {day(date.fromordinal(last))} {date.fromordinal(last).year}"


def theme_summary(theme: ThemeInPeriod | TopicInPeriod, period: str = "week") -> str:
    """'5 accounts this week (7 ever) · rising' and, with a history, the weeks before."""
    plural = "account" if theme.accounts == 1 else "accounts"
    mentions = f", {theme.mentions} mentions" if theme.mentions != theme.accounts else ""
    trend = TREND_WORDS[theme.trend]
    return f"{theme.accounts} {plural} this {period}{mentions} ({theme.accounts_ever} ever) · {trend}"


def digest_text(digest: Digest, *, person: Callable[[str], str] = str) -> str:
    out = [f"Customer digest, {period_title(digest)}", ""]
    name = digest.period.name
    heard = digest.heard
    if digest.quiet:
        out.append(f"No interview was logged this {digest.period.name}.")
        return "\n".join(out) + "\n"
    accounts = f"{heard.accounts} accounts ({heard.new_accounts} new)"
    out.append(f"What was heard: {heard.interviews} interviews with {accounts}")
    out.append("  by kind: " + ", ".join(f"{label} {n}" for label, n in heard.by_kind))
    out.append("  logged by: " + ", ".join(f"{person(user)} {n}" for user, n in heard.by_person))
    _topics(out, digest.pains.topics, period=name)
    if digest.emerging:
        out += ["", "Emerging"]
        out += [f"  - {t.name}: {t.emerging}" for t in digest.emerging]
    if digest.pains.single:
        out += ["", "One account so far"]
        out += [
            f"  - {t.name}: {t.mentions} mentions ({t.words[0].account if t.words else '?'})"
            for t in digest.pains.single[:TOP]
        ]
        _more(out, len(digest.pains.single))
    _ranked(out, "Requested solutions (requests, not pains)", digest.requests, pains=False, period=name)
    health = digest.follow_ups
    out += ["", f"Follow-ups: {health.open} open, {health.overdue} overdue"]
    if health.on_time_share is not None:
        out.append(
            f"  thank-you sent within a day of the call: {health.thank_yous_on_time} of {health.thank_yous} "
            f"({health.on_time_share:.0%})"
        )
    if digest.gone_quiet_total:
        out += ["", f"Not talked to in 90 days: {digest.gone_quiet_total} accounts"]
        out += [f"  - {name} (last {day(last)})" for name, last in digest.gone_quiet]
        _more(out, digest.gone_quiet_total, shown=len(digest.gone_quiet))
    if digest.look_alikes:
        out += ["", f"{digest.look_alikes} pairs of themes look alike: review them with /interview themes"]
    return "\n".join(out) + "\n"


def _ranked(out: list[str], title: str, ranked: Ranked, *, pains: bool, period: str) -> None:
    themes = ranked.recurring if pains else [*ranked.recurring, *ranked.single]
    if not themes and not ranked.unthemed:
        return
    out += ["", title]
    for n, theme in enumerate(themes[:TOP], 1):
        out.append(f" {n:>2}. {theme.name}: {theme_summary(theme, period)}")
        if theme.history:
            weeks = " ".join(str(a) for a in theme.history)
            out.append(f"      accounts in the weeks before: {weeks}")
        for said in theme.words:
            out.append(f'      "{said.text}" ({said.account}, {day(said.held_on)})')
    _more(out, len(themes))
    if ranked.unthemed:
        out.append(f"  and {ranked.unthemed} not in a theme yet")


def _topics(out: list[str], topics: list[TopicInPeriod], *, period: str) -> None:
    if not topics:
        return
    out += ["", "Top topics, by the number of accounts that raised their pains (each counted once)"]
    for n, topic in enumerate(topics[:TOP], 1):
        out.append(f" {n:>2}. {topic.name}: {theme_summary(topic, period)}")
        if topic.history:
            out.append(f"      accounts in the {period}s before: {' '.join(str(a) for a in topic.history)}")
        for pain in topic.pains:
            out.append(f"      - {pain.name}: {theme_summary(pain, period)}")
            for said in pain.words:
                out.append(f'          "{said.text}" ({said.account}, {day(said.held_on)})')
    _more(out, len(topics))


def _more(out: list[str], total: int, shown: int = TOP) -> None:
    if total > shown:
        out.append(f"  and {total - shown} more")
