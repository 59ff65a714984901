"""Removing things for good: the confirmations that say what will go (an interview's Delete, `/interview
forget ACCOUNT`), and what was removed, said afterwards to the person alone."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from slack_sdk.models.blocks import Block, SectionBlock
from slack_sdk.models.views import View

from bot.capture.removal import Removed
from bot.text import escape_mrkdwn, truncate
from handlers.views.common import SECTION_MAX_CHARS, context, id_number, json_object, modal, mrkdwn

FORGET_USAGE = (
    "`/interview forget ACCOUNT` removes everything about one account (its interviews, pains, quotes, "
    "follow-ups and scheduled calls). Only workspace admins and owners can; you'll be asked to confirm."
)
THEMES_NAMED = 10  # themes named in a confirmation; the rest are counted


class RemovalModal(StrEnum):
    DELETE = "interview_delete_confirm"
    FORGET = "account_forget_confirm"
    DONE = "removal_done"


@dataclass(frozen=True)
class RemovalMetadata:
    """What a confirmation is about, carried in its private_metadata (and checked again on submit)."""

    interview_id: int | None = None
    account_id: int | None = None

    def dumps(self) -> str:
        data = {"interview_id": self.interview_id, "account_id": self.account_id}
        return json.dumps({k: v for k, v in data.items() if v is not None}, separators=(",", ":"))

    @classmethod
    def loads(cls, raw: str | None) -> RemovalMetadata:
        data = json_object(raw)
        return cls(id_number(data.get("interview_id")), id_number(data.get("account_id")))


def _n(count: int, one: str, many: str | None = None) -> str:
    return f"{count} {one if count == 1 else (many or one + 's')}"


def removal_counts(removed: Removed) -> str:
    """ "2 interviews, 5 pains, 1 quote, 4 follow-ups (3 open), 3 pending reminders", as far as it goes."""
    parts = []
    if removed.interviews != 1 or removed.accounts:
        parts.append(_n(removed.interviews, "interview"))
    parts += [_n(removed.pains, "pain"), _n(removed.requests, "request"), _n(removed.quotes, "quote")]
    parts.append(f"{_n(removed.follow_ups, 'follow-up')} ({removed.open_follow_ups} open)")
    parts.append(_n(removed.reminders, "pending reminder"))
    if removed.scheduled_calls:
        parts.append(_n(removed.scheduled_calls, "scheduled call"))
    return ", ".join(parts)


def _themes_line(removed: Removed, *, will: bool) -> str | None:
    if not removed.themes_gone:
        return None
    names = [f"*{escape_mrkdwn(n)}*" for n in removed.themes_gone[:THEMES_NAMED]]
    more = len(removed.themes_gone) - THEMES_NAMED
    listed = ", ".join(names) + (f" and {more} more" if more > 0 else "")
    verb = "will disappear, left with no line" if will else "disappeared, left with no line"
    return f"{_n(len(removed.themes_gone), 'theme')} {verb}: {listed}."


def _sections(lines: list[str | None]) -> list[Block]:
    return [SectionBlock(text=mrkdwn(truncate(line, SECTION_MAX_CHARS))) for line in lines if line]


def confirm_delete_modal(
    *, interview_id: int, account: str, kind: str, held_on: date, removed: Removed
) -> View:
    what = f"the {kind.lower()} with *{escape_mrkdwn(account)}* on {held_on:%a %d %b %Y}"
    blocks = _sections(
        [
            f"Delete {what}? This removes it with {removal_counts(removed)}.",
            _themes_line(removed, will=True),
            "Themes it shared keep their other lines. This cannot be undone.",
        ]
    )
    return modal(
        callback_id=RemovalModal.DELETE,
        title="Delete interview",
        blocks=blocks,
        submit="Delete",
        close="Keep it",
        private_metadata=RemovalMetadata(interview_id=interview_id).dumps(),
    )


def confirm_forget_modal(*, account_id: int, account: str, removed: Removed) -> View:
    name = f"*{escape_mrkdwn(account)}*"
    blocks = _sections(
        [
            f"Forget {name}? Everything about it goes: {removal_counts(removed)}, and the account itself.",
            _themes_line(removed, will=True),
            "Search, themes and the digest will no longer show it. This cannot be undone.",
        ]
    )
    return modal(
        callback_id=RemovalModal.FORGET,
        title="Forget account",
        blocks=blocks,
        submit="Forget it",
        close="Cancel",
        private_metadata=RemovalMetadata(account_id=account_id).dumps(),
    )


def removed_modal(*, what: str, removed: Removed) -> View:
    """What was removed, shown in place of the confirmation: to the person who confirmed, alone."""
    blocks = _sections([f"{what}, with {removal_counts(removed)}.", _themes_line(removed, will=False)])
    return modal(callback_id=RemovalModal.DONE, title="Done", blocks=blocks, submit=None, close="Close")


def deleted_modal(*, account: str, removed: Removed) -> View:
    return removed_modal(what=f"Deleted the interview with *{escape_mrkdwn(account)}*", removed=removed)


def forgotten_modal(*, account: str, removed: Removed) -> View:
    return removed_modal(what=f"Forgot *{escape_mrkdwn(account)}*", removed=removed)


DELETED_TEXT = "This interview was deleted."


def deleted_message() -> list[Block]:
    """What the interview's confirmation DM and channel share become once it is deleted."""
    return [context(DELETED_TEXT)]


def gone_modal() -> View:
    """The interview modal a deletion was confirmed on top of, once the interview is gone."""
    return modal(
        callback_id=RemovalModal.DONE,
        title="Interview",
        blocks=deleted_message(),
        submit=None,
        close="Close",
    )


def working_modal(text: str) -> View:
    """In place of a submitted confirmation while the removal runs (after the ack)."""
    return modal(
        callback_id=RemovalModal.DONE, title="Working", blocks=[context(text)], submit=None, close="Close"
    )


def failed_modal(message: str) -> View:
    """In place of the "…ing" modal when the removal did nothing: why, in the bot's short words."""
    return modal(
        callback_id=RemovalModal.DONE,
        title="Nothing removed",
        blocks=_sections([message]),
        submit=None,
        close="Close",
    )
