"""What logging or editing an interview tells people: the confirmation DM to its author and the post in
the channel it is shared to. Decided here, in the write's own transaction (recorded in the outbox, so a
restart after the commit still sends them); drawn by the Slack side's `InterviewDrawing`; sent after the
commit by the outbox's sender."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from bot.capture.edits import Edited
from bot.capture.interviews import LoggedInterview
from bot.outbox.queue import Posted, enqueue, redraw
from bot.text import fallback_text
from storage.models import FollowUp, Interview, OutboxKind

# What a share becomes once its author moves the interview to another channel or stops sharing it: none
# of its words stay, and nobody reading the channel is told it was deleted when it was not.
UNSHARED_TEXT = "This interview is no longer shared in this channel."

Blocks = list[dict[str, Any]]


class InterviewDrawing(Protocol):
    """How the messages about an interview look (Block Kit as dicts)."""

    def saved(self, interview: Interview, follow_ups: Sequence[FollowUp], tz: ZoneInfo) -> Blocks: ...

    def shared(self, interview: Interview) -> Blocks: ...

    def unshared(self) -> Blocks: ...


def record_logged(
    *, session: Session, logged: LoggedInterview, drawing: InterviewDrawing, tz: ZoneInfo, now: datetime
) -> list[int]:
    """A newly logged interview's messages, recorded to go out after commit: the confirmation DM to its
    author, then the share when a channel was picked. Their outbox ids, in sending order; none when this
    submission had been stored (and announced) already."""
    if not logged.created:
        return []
    interview = logged.interview
    saved = _record(
        session, interview, now, OutboxKind.INTERVIEW_SAVED, drawing.saved(interview, logged.follow_ups, tz)
    )
    share = record_share(session=session, interview=interview, drawing=drawing, now=now)
    return [saved] + ([share] if share is not None else [])


def record_share(
    *, session: Session, interview: Interview, drawing: InterviewDrawing, now: datetime
) -> int | None:
    """The interview's share into its channel, when it has one, recorded to go out after commit (on
    logging, or when an edit picks another channel); its outbox id. chat:write.public lets the bot post
    in any public channel; a private one needs an invite."""
    if interview.share_channel_id is None:
        return None
    return _record(session, interview, now, OutboxKind.INTERVIEW_SHARED, drawing.shared(interview))


def record_edited(
    *, session: Session, edited: Edited, drawing: InterviewDrawing, tz: ZoneInfo, now: datetime
) -> list[int]:
    """What an edit changes in Slack, recorded in the edit's transaction (a restart right after the commit
    still has it done by the outbox's next tick): the confirmation DM redrawn; the share redrawn in place,
    or, when the edit moved the interview to another channel or stopped sharing it, the old post withdrawn
    and a new one for the new channel. The outbox ids to send or redraw after commit."""
    if not edited.changed:
        return []
    interview = edited.interview
    about = {"session": session, "team_id": interview.team_id, "interview_id": interview.id, "now": now}
    redrawn = [(OutboxKind.INTERVIEW_SAVED, drawing.saved(interview, edited.follow_ups, tz))]
    behind: list[Posted | None] = []
    sends: list[int] = []
    if "share_channel" in edited.changed:
        unshared = {"text": UNSHARED_TEXT, "blocks": drawing.unshared()}
        behind.append(redraw(**about, kind=OutboxKind.INTERVIEW_SHARED, **unshared, withdrawn=True))
        share = record_share(session=session, interview=interview, drawing=drawing, now=now)
        sends += [share] if share is not None else []
    else:
        redrawn.append((OutboxKind.INTERVIEW_SHARED, drawing.shared(interview)))
    for kind, blocks in redrawn:
        behind.append(redraw(**about, kind=kind, text=_text(interview, kind), blocks=blocks))
    return sends + [p.message_id for p in behind if p is not None and p.message_id is not None]


def _text(interview: Interview, kind: OutboxKind) -> str:
    """The notification text of a message about the interview."""
    account = interview.account.name
    words = (
        f"Saved your interview with {account}."
        if kind == OutboxKind.INTERVIEW_SAVED
        else f"Interview with {account}"
    )
    return fallback_text(words)


def _record(session: Session, interview: Interview, now: datetime, kind: OutboxKind, blocks: Blocks) -> int:
    account = interview.account.name
    saved = kind == OutboxKind.INTERVIEW_SAVED
    return enqueue(
        session=session,
        team_id=interview.team_id,
        user_id=interview.logged_by,
        kind=kind,
        # The confirmation goes to its author's DM, the share to its channel.
        channel_id=interview.logged_by if saved else interview.share_channel_id or "",
        text=_text(interview, kind),
        blocks=blocks,
        about=f"the confirmation of your interview with {account}"
        if saved
        else f"your interview with {account}",
        interview_id=interview.id,
        now=now,
    )
