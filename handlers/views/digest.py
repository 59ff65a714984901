"""The digest in Slack: a short channel message (what was heard, the top topics with their pains, what is
emerging), the rest in replies in its thread, the same as one ephemeral preview, and the subscriptions modal.

Everything people typed (theme names are drawn from their lines, quotes are theirs) is escaped: no quote
can ping anyone."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, time
from enum import StrEnum
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ConfirmObject,
    ConversationFilter,
    ConversationSelectElement,
    DividerBlock,
    InputBlock,
    Option,
    PlainTextInputElement,
    RadioButtonsElement,
    SectionBlock,
    StaticSelectElement,
    TimePickerElement,
)
from slack_sdk.models.views import View

from bot.digest.content import Digest
from bot.digest.ranking import Ranked, ThemeInPeriod, TopicInPeriod, Trend
from bot.digest.subscriptions import DEFAULT_TIME, DEFAULT_WEEKDAY, WEEKDAYS, parse_time
from bot.digest.terminal import day, period_title, theme_summary
from bot.text import escape_mrkdwn, truncate
from handlers.views.common import (
    MESSAGE_MAX_BLOCKS,
    SECTION_MAX_CHARS,
    as_object,
    channel_mention,
    context,
    fit_message,
    header,
    id_number,
    modal,
    mrkdwn,
    plain,
    section,
)
from handlers.views.interview import InterviewAction
from storage.models import QuietWeek

TOP_IN_CHANNEL = 5  # the channel message is a screen, not a scroll
LIST_MAX = 10  # per reply section; the rest is "and N more"
QUOTE_MAX = 280
MODAL_MAX_SUBSCRIPTIONS = 40  # two blocks each, beside the form: within a modal's 100 blocks
TREND_MARKS = {Trend.NEW: "🆕", Trend.RISING: "↗", Trend.STEADY: "→", Trend.FALLING: "↘", Trend.BACK: "↩"}

# A Slack user id → mrkdwn that shows the person: their name, escaped, in a channel (a mention there
# would ping them every week); a mention where only the reader sees it (a preview pings nobody).
Names = Callable[[str], str]


class DigestMessage(StrEnum):
    METADATA_EVENT = "interview_bot_digest"


def _name(theme: ThemeInPeriod) -> str:
    return escape_mrkdwn(truncate(theme.name, 150, "…"))


def _quote(text: str, account: str, held_on: date) -> str:
    said = escape_mrkdwn(truncate(" ".join(text.split()), QUOTE_MAX, "…"))
    return f"> “{said}”\n> _{escape_mrkdwn(account)}, {day(held_on)}_"


def _theme_block(n: int, theme: ThemeInPeriod) -> SectionBlock:
    lines = [f"*{n}. {_name(theme)}*  {TREND_MARKS[theme.trend]}", escape_mrkdwn(theme_summary(theme))]
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


def _topic_block(n: int, topic: TopicInPeriod) -> SectionBlock:
    """A topic with its own distinct accounts and trend, and its pains under it with theirs and a quote
    each. A topic of one pain named as the pain is that pain's block."""
    if len(topic.pains) == 1 and topic.pains[0].name == topic.name:
        return _theme_block(n, topic.pains[0])
    lines = [
        f"*{n}. {escape_mrkdwn(truncate(topic.name, 150, '…'))}*  {TREND_MARKS[topic.trend]}",
        escape_mrkdwn(theme_summary(topic)),
    ]
    for pain in topic.pains[:PAINS_PER_TOPIC]:
        lines.append(f"• *{_name(pain)}*: {escape_mrkdwn(theme_summary(pain))}")
        lines += [_quote(s.text, s.account, s.held_on) for s in pain.words[:1]]
    if len(topic.pains) > PAINS_PER_TOPIC:
        lines.append(f"and {len(topic.pains) - PAINS_PER_TOPIC} more pains in this topic")
    first = next((pain.words[0] for pain in topic.pains if pain.words), None)
    accessory = None
    if first is not None:
        accessory = ButtonElement(
            text=plain("Open interview", 75), action_id=InterviewAction.OPEN, value=str(first.interview_id)
        )
    return section(truncate("\n".join(lines), SECTION_MAX_CHARS), accessory=accessory)


def _more(total: int, shown: int, what: str) -> list[Block]:
    return [context(f"and {total - shown} more {what}")] if total > shown else []


def heard_line(digest: Digest, names: Names) -> str:
    heard = digest.heard
    kinds = ", ".join(f"{label} {n}" for label, n in heard.by_kind)
    people = ", ".join(f"{names(user)} {n}" for user, n in heard.by_person[:8])
    new = f" ({heard.new_accounts} new)" if heard.new_accounts else ""
    return (
        f"*What was heard:* {heard.interviews} interviews with {heard.accounts} accounts{new}\n"
        f"{kinds} · logged by {people}"
    )


def digest_message(digest: Digest, names: Names) -> tuple[str, list[Block]]:
    """The channel message: a screen long. Its notification text, and its blocks."""
    title = f"Customer digest, {period_title(digest)}"
    blocks: list[Block] = [
        header(title),
        SectionBlock(text=mrkdwn(heard_line(digest, names))),
        DividerBlock(),
    ]
    topics = digest.pains.topics
    if topics:
        blocks.append(
            SectionBlock(
                text=mrkdwn("*Top topics*, by how many accounts raised their pains (each counted once)")
            )
        )
        blocks += [_topic_block(n, t) for n, t in enumerate(topics[:TOP_IN_CHANNEL], 1)]
        if len(topics) > TOP_IN_CHANNEL:
            blocks.append(context(f"and {len(topics) - TOP_IN_CHANNEL} more topics in the thread"))
    else:
        blocks.append(SectionBlock(text=mrkdwn("No pain was raised by more than one account this week.")))
    if digest.emerging:
        lines = [f"• *{_name(t)}*: {escape_mrkdwn(t.emerging or '')}" for t in digest.emerging[:LIST_MAX]]
        blocks.append(
            SectionBlock(text=mrkdwn(truncate("*Emerging*\n" + "\n".join(lines), SECTION_MAX_CHARS)))
        )
    footer = "One-account pains, requests, follow-ups and the chart are in the thread."
    if digest.look_alikes:
        footer += f" {digest.look_alikes} pairs of themes look alike: review them with `/interview themes`."
    blocks.append(context(footer))
    return title, fit_message(blocks)


def _ranked_blocks(title: str, ranked: Ranked, *, single_title: str | None) -> list[Block]:
    blocks: list[Block] = []
    themes = ranked.recurring if single_title else [*ranked.recurring, *ranked.single]
    if themes:
        blocks.append(SectionBlock(text=mrkdwn(f"*{title}*")))
        blocks += [_theme_block(n, t) for n, t in enumerate(themes[:LIST_MAX], 1)]
        blocks += _more(len(themes), LIST_MAX, "")
    if single_title and ranked.single:
        lines = [
            f"• {_name(t)}: {t.mentions} {'mention' if t.mentions == 1 else 'mentions'}"
            + (f" ({escape_mrkdwn(t.words[0].account)})" if t.words else "")
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
        more += [_topic_block(n, t) for n, t in enumerate(rest[:LIST_MAX], TOP_IN_CHANNEL + 1)]
        replies.append(("More topics", fit_message([*more, *_more(len(rest), LIST_MAX, "topics")])))
    single = _ranked_blocks(
        "More pains",
        Ranked([], digest.pains.single, 0),
        single_title="One account so far (not ranked: one customer is not a trend)",
    )
    if single:
        replies.append(("Pains one account raised", fit_message(single)))
    requests = _ranked_blocks(
        "Requested solutions (what customers asked for, not their pains)", digest.requests, single_title=None
    )
    if requests:
        replies.append(("Requested solutions", fit_message(requests)))
    health = digest.follow_ups
    lines = [f"*Follow-ups, the whole team:* {health.open} open, {health.overdue} overdue"]
    if health.on_time_share is not None:
        lines.append(
            f"Thank-you sent within a day of the call: {health.thank_yous_on_time} of {health.thank_yous} "
            f"({health.on_time_share:.0%})"
        )
    if digest.gone_quiet_total:
        quiet = [f"• {escape_mrkdwn(name)}: last talked to {day(last)}" for name, last in digest.gone_quiet]
        lines += ["", f"*Not talked to in 90 days:* {digest.gone_quiet_total} accounts", *quiet]
        if digest.gone_quiet_total > len(digest.gone_quiet):
            lines.append(f"and {digest.gone_quiet_total - len(digest.gone_quiet)} more")
    replies.append(
        (
            "Follow-ups and coverage",
            [SectionBlock(text=mrkdwn(truncate("\n".join(lines), SECTION_MAX_CHARS)))],
        )
    )
    return replies


def quiet_note(digest: Digest) -> str:
    return f"No interview was logged {period_title(digest)}. `/interview log` after your next call."


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


class DigestModal(StrEnum):
    CALLBACK_ID = "digest_subscriptions"
    CHANNEL = "digest_channel"
    WEEKDAY = "digest_weekday"
    TIME = "digest_time"
    TIMEZONE = "digest_timezone"
    QUIET = "digest_quiet"
    VALUE = "value"
    POST_NOW = "digest_post_now"
    EDIT = "digest_edit"
    UNSUBSCRIBE = "digest_unsubscribe"


@dataclass(frozen=True)
class SubscriptionRow:
    """One subscription as the modal lists it."""

    id: int
    channel_id: str
    schedule: str  # "Mondays at 09:00 (Europe/Paris)"
    paused_reason: str | None


@dataclass(frozen=True)
class SubscriptionForm:
    """What the form shows: a new subscription's defaults, or the one being edited."""

    timezone: str
    weekday: int = DEFAULT_WEEKDAY
    at: time = DEFAULT_TIME
    quiet: QuietWeek = QuietWeek.NOTE
    channel_id: str | None = None
    editing: int | None = None


QUIET_LABELS = {QuietWeek.NOTE: "Post one short line", QuietWeek.NOTHING: "Post nothing"}


def _option(value: str, label: str) -> Option:
    return Option(value=value, text=plain(label, 75))


def subscriptions_modal(form: SubscriptionForm, subscriptions: list[SubscriptionRow]) -> View:
    weekdays = [_option(str(n), day.capitalize()) for n, day in enumerate(WEEKDAYS)]
    quiet = [_option(q.value, label) for q, label in QUIET_LABELS.items()]
    blocks: list[Block] = [
        context(
            "Each week the digest posts the pains many customers share to a channel; the rest in its thread."
        ),
        InputBlock(
            block_id=DigestModal.CHANNEL,
            label=plain("Channel"),
            element=ConversationSelectElement(
                action_id=DigestModal.VALUE,
                initial_conversation=form.channel_id,
                filter=ConversationFilter(include=["public", "private"], exclude_bot_users=True),
            ),
        ),
        InputBlock(
            block_id=DigestModal.WEEKDAY,
            label=plain("Day"),
            element=StaticSelectElement(
                action_id=DigestModal.VALUE, options=weekdays, initial_option=weekdays[form.weekday]
            ),
        ),
        InputBlock(
            block_id=DigestModal.TIME,
            label=plain("Time"),
            element=TimePickerElement(action_id=DigestModal.VALUE, initial_time=f"{form.at:%H:%M}"),
        ),
        InputBlock(
            block_id=DigestModal.TIMEZONE,
            label=plain("Timezone"),
            hint=plain("An IANA name, like Europe/Paris or America/New_York.", 2000),
            element=PlainTextInputElement(
                action_id=DigestModal.VALUE, initial_value=form.timezone, max_length=64
            ),
        ),
        InputBlock(
            block_id=DigestModal.QUIET,
            label=plain("A week with no interview"),
            element=RadioButtonsElement(
                action_id=DigestModal.VALUE,
                options=quiet,
                initial_option=quiet[list(QUIET_LABELS).index(form.quiet)],
            ),
        ),
    ]
    if subscriptions:
        blocks += [DividerBlock(), section("*Subscribed channels*")]
    for row in subscriptions[:MODAL_MAX_SUBSCRIPTIONS]:
        paused = (
            f"\n:double_vertical_bar: Paused: {escape_mrkdwn(row.paused_reason)}" if row.paused_reason else ""
        )
        blocks.append(section(f"{channel_mention(row.channel_id)} · {escape_mrkdwn(row.schedule)}{paused}"))
        blocks.append(
            ActionsBlock(
                block_id=f"subscription_{row.id}",
                elements=[
                    ButtonElement(
                        text=plain("Post now", 75), action_id=DigestModal.POST_NOW, value=str(row.id)
                    ),
                    ButtonElement(text=plain("Edit", 75), action_id=DigestModal.EDIT, value=str(row.id)),
                    ButtonElement(
                        text=plain("Unsubscribe", 75),
                        action_id=DigestModal.UNSUBSCRIBE,
                        value=str(row.id),
                        style="danger",
                        confirm=ConfirmObject(
                            title=plain("Unsubscribe?", 100),
                            text=mrkdwn(f"{channel_mention(row.channel_id)} will get no more digests."),
                            confirm=plain("Unsubscribe", 30),
                            deny=plain("Keep it", 30),
                        ),
                    ),
                ],
            )
        )
    if len(subscriptions) > MODAL_MAX_SUBSCRIPTIONS:
        blocks.append(context(f"and {len(subscriptions) - MODAL_MAX_SUBSCRIPTIONS} more"))
    return modal(
        callback_id=DigestModal.CALLBACK_ID,
        title="Weekly digest",
        blocks=blocks,
        submit="Save" if form.editing else "Subscribe",
        close="Close",
        private_metadata=json.dumps({"editing": form.editing}) if form.editing else None,
    )


@dataclass(frozen=True)
class SubmittedSubscription:
    channel_id: str | None
    weekday: int | None
    at: time | None
    timezone: str
    quiet: QuietWeek


def parse_subscription(values: dict[str, Any]) -> SubmittedSubscription:
    """The form's values as Slack sends them (anything missing or forged reads as not given)."""

    def field(block: str) -> dict[str, Any]:
        value = as_object(values.get(block)).get(DigestModal.VALUE)
        return value if isinstance(value, dict) else {}

    weekday = as_object(field(DigestModal.WEEKDAY).get("selected_option")).get("value")
    quiet = as_object(field(DigestModal.QUIET).get("selected_option")).get("value")
    channel = field(DigestModal.CHANNEL).get("selected_conversation")
    return SubmittedSubscription(
        channel_id=channel if isinstance(channel, str) and channel else None,
        weekday=number if (number := id_number(weekday)) is not None and number < 7 else None,
        at=parse_time(str(field(DigestModal.TIME).get("selected_time") or "")),
        timezone=str(field(DigestModal.TIMEZONE).get("value") or ""),
        quiet=QuietWeek(quiet)
        if isinstance(quiet, str) and quiet in {q.value for q in QuietWeek}
        else QuietWeek.NOTE,
    )
