"""What a person reads when a message meant for them could not be delivered: the DM that says a share
could not be posted, and the notices on App Home and after their next command."""

from __future__ import annotations

from collections.abc import Sequence

from slack_sdk.models.blocks import Block, SectionBlock

from bot.text import escape_mrkdwn, truncate
from handlers.views.common import SECTION_MAX_CHARS, channel_mention, context, mrkdwn
from storage.models import OutboxKind, OutboxMessage

# Slack's words, as a person reads them.
REASONS = {
    "account_inactive": "your Slack account is deactivated",
    "cannot_dm_bot": "that's a bot",
    "channel_not_found": "the channel is gone, or private and I'm not in it",
    "is_archived": "the channel is archived",
    "missing_scope": "the app lacks a permission (reinstall it from the manifest)",
    "not_in_channel": "I'm not in that channel",
    "restricted_action": "the workspace doesn't let me post there",
    "user_not_found": "Slack doesn't know that person",
}
NOTICES_SHOWN = 5
# Messages posted into a channel someone chose (not a DM): one that cannot be posted is told by DM.
CHANNEL_POSTS = (OutboxKind.INTERVIEW_SHARED, OutboxKind.STUDY_SUMMARY)


def reason(error: str) -> str:
    return REASONS.get(error, f"Slack said `{error}`" if error.isidentifier() else escape_mrkdwn(error))


def share_failed_text(channel: str, error: str) -> str:
    """The DM that says an interview is saved but its share could not be posted, and what to do."""
    where = channel_mention(channel)
    if error in ("not_in_channel", "channel_not_found", "missing_scope"):
        return (
            f"Your interview is saved, but I couldn't post it in {where}: it's private and I'm not in it. "
            "Type `/invite @Interview Bot` in that channel, then pick it again next time."
        )
    if error == "is_archived":
        return f"Your interview is saved, but {where} is archived, so I couldn't post it there."
    return f"Your interview is saved, but I couldn't post it in {where} ({reason(error)})."


def post_failed_text(channel: str, error: str, about: str) -> str:
    """The DM that says a post of the person's into a channel, not an interview (a closed study's summary,
    `about`), could not be posted, and what to do."""
    where, what = channel_mention(channel), escape_mrkdwn(about)
    if error in ("not_in_channel", "channel_not_found", "missing_scope"):
        return (
            f"I couldn't post {what} in {where}: it's private and I'm not in it. "
            "Type `/invite @Interview Bot` in that channel for next time."
        )
    if error == "is_archived":
        return f"I couldn't post {what} in {where}: the channel is archived."
    return f"I couldn't post {what} in {where} ({reason(error)})."


def failure_notice(message: OutboxMessage) -> str:
    """One line: what could not be delivered, where, and why."""
    why, about = reason(message.error or "unknown"), escape_mrkdwn(message.about)
    if message.kind in CHANNEL_POSTS:
        return f"I couldn't post {about} in {channel_mention(message.channel_id)}: {why}."
    return f"I couldn't DM you {about}: {why}."


def undelivered_blocks(messages: Sequence[OutboxMessage]) -> list[Block]:
    """Failed messages as a short list, for App Home and an ephemeral answer; nothing when there are none."""
    if not messages:
        return []
    lines = "\n".join(f"• {failure_notice(m)}" for m in messages[:NOTICES_SHOWN])
    # Five notices of escaped names (a name of & is five times as long) may pass a section's length.
    text = truncate(f":warning: *Not delivered*\n{lines}", SECTION_MAX_CHARS)
    blocks: list[Block] = [SectionBlock(text=mrkdwn(text))]
    if len(messages) > NOTICES_SHOWN:
        blocks.append(context(f"and {len(messages) - NOTICES_SHOWN} more"))
    return blocks


def undelivered_text(messages: Sequence[OutboxMessage]) -> str:
    return (
        failure_notice(messages[0]) if len(messages) == 1 else f"{len(messages)} messages were not delivered"
    )
