"""The digest's subscriptions modal: subscribe a channel (day, time, timezone, what a quiet week posts, how
its themes rank), and the channels already subscribed, each with Post now, Edit and Unsubscribe."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import time
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
    StaticSelectElement,
    TimePickerElement,
)
from slack_sdk.models.views import View

from bot.digest.subscriptions import DEFAULT_TIME, DEFAULT_WEEKDAY, WEEKDAYS, parse_time
from bot.text import escape_mrkdwn
from handlers.views.common import (
    as_object,
    channel_mention,
    context,
    id_number,
    modal,
    mrkdwn,
    plain,
    section,
)
from storage.models import QuietWeek, RankBy

MODAL_MAX_SUBSCRIPTIONS = 40  # two blocks each, beside the form: within a modal's 100 blocks


class DigestModal(StrEnum):
    CALLBACK_ID = "digest_subscriptions"
    CHANNEL = "digest_channel"
    WEEKDAY = "digest_weekday"
    TIME = "digest_time"
    TIMEZONE = "digest_timezone"
    QUIET = "digest_quiet"
    RANK = "digest_rank"
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
    rank_by: RankBy = RankBy.ACCOUNTS


@dataclass(frozen=True)
class SubscriptionForm:
    """What the form shows: a new subscription's defaults, or the one being edited."""

    timezone: str
    weekday: int = DEFAULT_WEEKDAY
    at: time = DEFAULT_TIME
    quiet: QuietWeek = QuietWeek.NOTE
    channel_id: str | None = None
    editing: int | None = None
    rank_by: RankBy = RankBy.ACCOUNTS


QUIET_LABELS = {QuietWeek.NOTE: "Post one short line", QuietWeek.NOTHING: "Post nothing"}
RANK_LABELS = {RankBy.ACCOUNTS: "Distinct accounts", RankBy.ARR: "ARR (the accounts' revenue summed)"}


def _option(value: str, label: str) -> Option:
    return Option(value=value, text=plain(label, 75))


def subscriptions_modal(form: SubscriptionForm, subscriptions: list[SubscriptionRow]) -> View:
    weekdays = [_option(str(n), day.capitalize()) for n, day in enumerate(WEEKDAYS)]
    quiet = [_option(q.value, label) for q, label in QUIET_LABELS.items()]
    ranks = [_option(r.value, label) for r, label in RANK_LABELS.items()]
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
        InputBlock(
            block_id=DigestModal.RANK,
            label=plain("Rank themes by"),
            hint=plain(
                "By ARR, a pain a few large customers share ranks above one many small ones share.", 2000
            ),
            element=RadioButtonsElement(
                action_id=DigestModal.VALUE,
                options=ranks,
                initial_option=ranks[list(RANK_LABELS).index(form.rank_by)],
            ),
        ),
    ]
    if subscriptions:
        blocks += [DividerBlock(), section("*Subscribed channels*")]
    for row in subscriptions[:MODAL_MAX_SUBSCRIPTIONS]:
        paused = (
            f"\n:double_vertical_bar: Paused: {escape_mrkdwn(row.paused_reason)}" if row.paused_reason else ""
        )
        # By accounts goes without saying (the digest says so too); ARR is said.
        ranked = " · ranked by ARR" if row.rank_by is RankBy.ARR else ""
        schedule = f"{escape_mrkdwn(row.schedule)}{ranked}{paused}"
        blocks.append(section(f"{channel_mention(row.channel_id)} · {schedule}"))
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
    rank_by: RankBy = RankBy.ACCOUNTS


def parse_subscription(values: dict[str, Any]) -> SubmittedSubscription:
    """The form's values as Slack sends them (anything missing or forged reads as not given)."""

    def field(block: str) -> dict[str, Any]:
        value = as_object(values.get(block)).get(DigestModal.VALUE)
        return value if isinstance(value, dict) else {}

    weekday = as_object(field(DigestModal.WEEKDAY).get("selected_option")).get("value")
    quiet = as_object(field(DigestModal.QUIET).get("selected_option")).get("value")
    rank = as_object(field(DigestModal.RANK).get("selected_option")).get("value")
    channel = field(DigestModal.CHANNEL).get("selected_conversation")
    return SubmittedSubscription(
        channel_id=channel if isinstance(channel, str) and channel else None,
        weekday=number if (number := id_number(weekday)) is not None and number < 7 else None,
        at=parse_time(str(field(DigestModal.TIME).get("selected_time") or "")),
        timezone=str(field(DigestModal.TIMEZONE).get("value") or ""),
        quiet=QuietWeek(quiet)
        if isinstance(quiet, str) and quiet in {q.value for q in QuietWeek}
        else QuietWeek.NOTE,
        rank_by=RankBy(rank)
        if isinstance(rank, str) and rank in {r.value for r in RankBy}
        else RankBy.ACCOUNTS,
    )
