"""The digest in Slack: a short channel message (what was heard, the top topics with their pains, what is
emerging), the rest in replies in its thread, the same as one ephemeral preview, and the subscriptions modal.

Everything people typed (theme names are drawn from their lines, quotes are theirs) is escaped: no quote
can ping anyone."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from enum import StrEnum

from slack_sdk.models.blocks import (
    Block,
    ButtonElement,
    DividerBlock,
    SectionBlock,
)

from bot.digest.content import Digest
from bot.digest.period import Period, long_day
from bot.digest.ranking import Ranked, ThemeInPeriod, TopicInPeriod, Trend
from bot.digest.terminal import (
    STATUS_CHANGES_TITLE,
    STILL_TELLING_TITLE,
    STUDY_POINT_MAX,
    THIN_LABEL,
    comparison_note,
    day,
    heard_summary,
    look_alikes_note,
    move_words,
    period_title,
    quiet_line,
    requests_ranked_by,
    single_account,
    status_change_words,
    still_telling_words,
    study_summary,
    theme_summary,
    thin_words,
    topics_ranked_by,
    weight_line,
)
from bot.studies.period import StudyInPeriod
from bot.studies.sheet import Point
from bot.text import counted, escape_mrkdwn, plural, truncate
from bot.themes.status import StatusChange, status_mark
from handlers.views.common import (
    MESSAGE_MAX_BLOCKS,
    SECTION_MAX_CHARS,
    context,
    fit_message,
    header,
    mrkdwn,
    plain,
    section,
)
from handlers.views.interview import InterviewAction

TOP_IN_CHANNEL = 5  # the channel message is a screen, not a scroll
LIST_MAX = 10  # per reply section; the rest is "and N more"
QUOTE_MAX = 280
TREND_MARKS = {
    Trend.NEW: "🆕",
    Trend.RISING: "↗",
    Trend.STEADY: "→",
    Trend.FALLING: "↘",
    Trend.BACK: "↩",
    Trend.NONE: "",  # nothing to compare with
}

# A Slack user id → mrkdwn that shows the person: their name, escaped, in a channel (a mention there
# would ping them every week); a mention where only the reader sees it (a preview pings nobody).
Names = Callable[[str], str]


class DigestMessage(StrEnum):
    METADATA_EVENT = "interview_bot_digest"


def _name(theme: ThemeInPeriod) -> str:
    return escape_mrkdwn(truncate(theme.name, 150, "…"))


def _named(theme: ThemeInPeriod) -> str:
    """The theme's name in bold, and where it stands when not open ('· 🚢 shipped')."""
    return f"*{_name(theme)}*{_mark(theme)}"


def _mark(theme: ThemeInPeriod) -> str:
    return escape_mrkdwn(status_mark(theme.status))


def _weight(theme: ThemeInPeriod | TopicInPeriod) -> list[str]:
    """Its accounts' ARR and segments (segments are typed by people: escaped), when the digest knows any."""
    line = weight_line(theme)
    return [escape_mrkdwn(line)] if line else []


def _quote(text: str, account: str, held_on: date) -> str:
    said = escape_mrkdwn(truncate(" ".join(text.split()), QUOTE_MAX, "…"))
    return f"> “{said}”\n> _{escape_mrkdwn(account)}, {day(held_on)}_"


def _theme_block(n: int, theme: ThemeInPeriod, period: Period) -> SectionBlock:
    lines = [
        f"*{n}. {_name(theme)}*{_mark(theme)}  {TREND_MARKS[theme.trend]}".rstrip(),
        escape_mrkdwn(theme_summary(theme, period)),
        *_weight(theme),
    ]
    lines += [_quote(s.text, s.account, s.held_on) for s in theme.words]
    accessory = None
    if theme.words:
        accessory = ButtonElement(
            text=plain("Open interview", 75),
            action_id=InterviewAction.OPEN,
            value=str(theme.words[0].interview_id),
        )
    return section("\n".join(lines), accessory=accessory)


PAINS_PER_TOPIC = 3  # under a topic in the channel; the rest are counted


def _topic_block(n: int, topic: TopicInPeriod, period: Period) -> SectionBlock:
    """A topic with its own distinct accounts and trend, and its pains under it with theirs and a quote
    each. A topic of one pain named as the pain is that pain's block."""
    if len(topic.pains) == 1 and topic.pains[0].name == topic.name:
        return _theme_block(n, topic.pains[0], period)
    lines = [
        f"*{n}. {escape_mrkdwn(truncate(topic.name, 150, '…'))}*  {TREND_MARKS[topic.trend]}".rstrip(),
        escape_mrkdwn(theme_summary(topic, period)),
        *_weight(topic),
    ]
    for pain in topic.pains[:PAINS_PER_TOPIC]:
        lines.append(f"• {_named(pain)}: {escape_mrkdwn(theme_summary(pain, period))}")
        lines += [f"   {line}" for line in _weight(pain)]
        lines += [_quote(s.text, s.account, s.held_on) for s in pain.words[:1]]
    if len(topic.pains) > PAINS_PER_TOPIC:
        lines.append(f"and {counted(len(topic.pains) - PAINS_PER_TOPIC, 'more pain')} in this topic")
    first = next((pain.words[0] for pain in topic.pains if pain.words), None)
    accessory = None
    if first is not None:
        accessory = ButtonElement(
            text=plain("Open interview", 75), action_id=InterviewAction.OPEN, value=str(first.interview_id)
        )
    return section(truncate("\n".join(lines), SECTION_MAX_CHARS), accessory=accessory)


def _more(total: int, shown: int, what: str) -> list[Block]:
    """'and 3 more topics', 'and 1 more topic', 'and 3 more' (`what`: the singular, or nothing)."""
    if total <= shown:
        return []
    return [context(f"and {total - shown} more" + (f" {plural(total - shown, what)}" if what else ""))]


def heard_line(digest: Digest, names: Names) -> str:
    heard = digest.heard
    kinds = ", ".join(f"{label} {n}" for label, n in heard.by_kind)
    people = ", ".join(f"{names(user)} {n}" for user, n in heard.by_person[:8])
    return f"*What was heard:* {heard_summary(digest)}\n{kinds} · logged by {people}"


def digest_message(digest: Digest, names: Names) -> tuple[str, list[Block]]:
    """The channel message: a screen long. Its notification text, and its blocks."""
    title = f"Customer digest, {period_title(digest)}"
    blocks: list[Block] = [
        header(title),
        SectionBlock(text=mrkdwn(heard_line(digest, names))),
    ]
    note = comparison_note(digest)
    if note:
        blocks.append(context(note))
    blocks.append(DividerBlock())
    topics = digest.pains.topics
    if topics:
        blocks.append(SectionBlock(text=mrkdwn(f"*Top topics*, {topics_ranked_by(digest.rank_by)}")))
        blocks += [_topic_block(n, t, digest.period) for n, t in enumerate(topics[:TOP_IN_CHANNEL], 1)]
        if len(topics) > TOP_IN_CHANNEL:
            more = len(topics) - TOP_IN_CHANNEL
            blocks.append(context(f"and {counted(more, 'more topic')} in the thread"))
    else:
        none = f"No pain was raised by more than one account {digest.period.this}."
        blocks.append(SectionBlock(text=mrkdwn(none)))
    if digest.emerging:
        lines = [f"• {_named(t)}: {escape_mrkdwn(t.emerging or '')}" for t in digest.emerging[:LIST_MAX]]
        blocks.append(
            SectionBlock(text=mrkdwn(truncate("*Emerging*\n" + "\n".join(lines), SECTION_MAX_CHARS)))
        )
    footer = "One-account pains, requests, follow-ups and the chart are in the thread."
    if digest.studies:
        footer = "One-account pains, requests, follow-ups, open studies and the chart are in the thread."
    if digest.look_alikes:
        footer += f" {look_alikes_note(digest.look_alikes)}: review them with `/interview themes`."
    blocks.append(context(footer))
    return title, fit_message(blocks)


def _ranked_blocks(title: str, ranked: Ranked, period: Period, *, single_title: str | None) -> list[Block]:
    blocks: list[Block] = []
    themes = ranked.recurring if single_title else [*ranked.recurring, *ranked.single]
    if themes:
        blocks.append(SectionBlock(text=mrkdwn(f"*{title}*")))
        blocks += [_theme_block(n, t, period) for n, t in enumerate(themes[:LIST_MAX], 1)]
        blocks += _more(len(themes), LIST_MAX, "")
    if single_title and ranked.single:
        lines = [
            f"• {_name(t)}{_mark(t)}: {counted(t.mentions, 'mention')}"
            + (f" ({escape_mrkdwn(single_account(t))})" if t.words else "")
            for t in ranked.single[:LIST_MAX]
        ]
        blocks.append(
            SectionBlock(text=mrkdwn(truncate(f"*{single_title}*\n" + "\n".join(lines), SECTION_MAX_CHARS)))
        )
        blocks += _more(len(ranked.single), LIST_MAX, "")
    if ranked.unthemed:
        blocks.append(context(f"{ranked.unthemed} more not in a theme yet."))
    return blocks


def digest_replies(digest: Digest) -> list[tuple[str, list[Block]]]:
    """What goes in the thread, one reply per part that has something in it."""
    replies: list[tuple[str, list[Block]]] = []
    rest = digest.pains.topics[TOP_IN_CHANNEL:]
    if rest:
        more = [SectionBlock(text=mrkdwn("*More topics*"))]
        more += [_topic_block(n, t, digest.period) for n, t in enumerate(rest[:LIST_MAX], TOP_IN_CHANNEL + 1)]
        replies.append(("More topics", fit_message([*more, *_more(len(rest), LIST_MAX, "topic")])))
    single = _ranked_blocks(
        "More pains",
        Ranked([], digest.pains.single, 0),
        digest.period,
        single_title="One account so far (not ranked: one customer is not a trend)",
    )
    if single:
        replies.append(("Pains one account raised", fit_message(single)))
    requests = _ranked_blocks(
        "Requested solutions (what customers asked for, not their pains)"
        + requests_ranked_by(digest.rank_by),
        digest.requests,
        digest.period,
        single_title=None,
    )
    if requests:
        replies.append(("Requested solutions", fit_message(requests)))
    if digest.studies:
        replies.append(("Open studies", study_blocks(digest.studies, digest.period)))
    if digest.status_changes or digest.telling:
        replies.append((STATUS_CHANGES_TITLE, status_change_blocks(digest.status_changes, digest.telling)))
    health = digest.follow_ups
    lines = [f"*Follow-ups, the whole team:* {health.open} open, {health.overdue} overdue"]
    if health.on_time_share is not None:
        lines.append(
            f"Thank-you sent within a day of the call: {health.thank_yous_on_time} of {health.thank_yous} "
            f"({health.on_time_share:.0%})"
        )
    if digest.gone_quiet_total:
        quiet = [
            f"• {escape_mrkdwn(name)}: last talked to {long_day(last)}" for name, last in digest.gone_quiet
        ]
        lines += ["", f"*Not talked to in 90 days:* {counted(digest.gone_quiet_total, 'account')}", *quiet]
        if digest.gone_quiet_total > len(digest.gone_quiet):
            lines.append(f"and {digest.gone_quiet_total - len(digest.gone_quiet)} more")
    replies.append(
        (
            "Follow-ups and coverage",
            [SectionBlock(text=mrkdwn(truncate("\n".join(lines), SECTION_MAX_CHARS)))],
        )
    )
    return replies


def status_change_blocks(
    changes: Sequence[StatusChange], telling: Sequence[StatusChange] = ()
) -> list[Block]:
    """'Shipped: *CSV exports are slow* — raised by 7 accounts · told 5 of 7', one line a theme, with its
    link; then the themes shipped before whose customers are still being told."""
    lines = [f"*{STATUS_CHANGES_TITLE}*"] if changes else []
    for change in changes[:LIST_MAX]:
        head, tail = status_change_words(change)
        line = f"• {head}: *{escape_mrkdwn(truncate(change.name, 150, '…'))}* — {tail}"
        if change.link:
            # Inside <url|label> a raw |, < or > would end the link early; the link was checked to be http(s).
            safe = escape_mrkdwn(change.link).replace("|", "%7C")
            line += f" · <{safe}|{escape_mrkdwn(truncate(change.note or 'link', 80, '…'))}>"
        elif change.note:
            line += f" · _{escape_mrkdwn(truncate(change.note, 200, '…'))}_"
        lines.append(line)
    if telling:
        lines.append(f"*{STILL_TELLING_TITLE}*")
        lines += [
            f"• *{escape_mrkdwn(truncate(t.name, 150, '…'))}* — {still_telling_words(t)}" for t in telling
        ]
    blocks: list[Block] = [section(truncate("\n".join(lines), SECTION_MAX_CHARS))]
    return blocks + _more(len(changes), LIST_MAX, "")


def _point(number: int, point: Point) -> str:
    """A point named in mrkdwn, cut once escaped: a point of `&`s takes no more room than any other."""
    return f"{number}. {truncate(escape_mrkdwn(' '.join(point.text.split())), STUDY_POINT_MAX, '…')}"


def _study_block(study: StudyInPeriod, period: Period) -> SectionBlock:
    """One open study: its interviews against its target and end date, the points that moved in the
    period, and those still without evidence or thin."""
    lines = [f"*{escape_mrkdwn(study.name)}*: {study_summary(study, period)}"]
    if study.moved:
        lines.append(f"_Moved {period.this}:_")
        lines += [f"• {_point(m.number, m.after)}: {escape_mrkdwn(move_words(m))}" for m in study.moved]
    if study.unspoken:
        lines.append("_Still without evidence:_ " + "; ".join(_point(n, p) for n, p in study.unspoken))
    if study.thin:
        thin = "; ".join(f"{_point(n, p)} ({thin_words(p)})" for n, p in study.thin)
        lines.append(f"_{THIN_LABEL}:_ {thin}")
    return section("\n".join(lines))


def study_blocks(studies: list[StudyInPeriod], period: Period) -> list[Block]:
    """The open studies' progress, for the thread: one section each (cut to a section's length)."""
    blocks: list[Block] = [SectionBlock(text=mrkdwn("*Open studies*"))]
    blocks += [_study_block(study, period) for study in studies[:LIST_MAX]]
    blocks += _more(len(studies), LIST_MAX, "study")
    return fit_message(blocks)


def quiet_note(digest: Digest) -> str:
    return f"{quiet_line(digest)} ({period_title(digest)}). `/interview log` after your next call."


def chart_missing_note() -> str:
    return "The chart could not be drawn this time; everything else is above."


def preview_message(digest: Digest, names: Names) -> tuple[str, list[Block]]:
    """The digest as it would be posted, message and thread together, for one person."""
    if digest.quiet:
        text = quiet_note(digest)
        return text, [SectionBlock(text=mrkdwn(text))]
    title, blocks = digest_message(digest, names)
    for _, reply in digest_replies(digest):
        blocks = [*blocks, DividerBlock(), *reply]
    blocks.insert(
        1, context("Preview: only you can see this. The channel gets the first part, the rest in its thread.")
    )
    return title, fit_message(blocks, MESSAGE_MAX_BLOCKS)
