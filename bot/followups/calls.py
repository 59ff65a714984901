"""Scheduled calls: a prep DM to each participant before, a "how did it go?" to the organiser after."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from bot.accounts.names import get_or_create_account, normalize_account_name
from bot.errors import InvalidInput
from bot.text import clean_text
from storage.models import FollowUp, FollowUpKind, ScheduledCall

DEBRIEF_AFTER = timedelta(minutes=5)
LONGEST_CALL = timedelta(hours=12)
FURTHEST_AHEAD = timedelta(days=366)
GOAL_MAX = 1000


@dataclass
class CallDraft:
    account: str | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    goal: str | None = None
    participants: list[str] = field(default_factory=list)


def validate_call(draft: CallDraft, *, now: datetime) -> None:
    errors: dict[str, str] = {}
    if not (draft.account or "").strip() or not normalize_account_name(draft.account or ""):
        errors["account"] = "Pick the account, or type a new one."
    if draft.starts_at is None:
        errors["starts_at"] = "Pick when the call starts."
    elif draft.starts_at <= now:
        errors["starts_at"] = "That time has passed: log a call that happened with /interview log."
    elif draft.starts_at > now + FURTHEST_AHEAD:
        errors["starts_at"] = "That is more than a year ahead: check the year."
    if draft.ends_at is None:
        errors["ends_at"] = "Pick when the call ends."
    elif (
        draft.starts_at is not None and not draft.starts_at < draft.ends_at <= draft.starts_at + LONGEST_CALL
    ):
        errors["ends_at"] = "The call must end after it starts, within 12 hours."
    if draft.goal and len(draft.goal) > GOAL_MAX:
        errors["goal"] = f"Keep the goal under {GOAL_MAX} characters."
    if errors:
        raise InvalidInput(errors)


@dataclass(frozen=True)
class ScheduledNow:
    call: ScheduledCall
    created: bool
    prep_at: datetime | None = None  # when the prep reminders go out (None for a call stored before)


def schedule_call(
    *,
    session: Session,
    team_id: str,
    user_id: str,
    draft: CallDraft,
    now: datetime,
    prep_before: timedelta,
    source_view_id: str | None = None,
) -> ScheduledNow:
    """Store the call, and the prep and debrief it owes. The caller commits. A view already stored (Slack
    or a double click sent it twice) is returned as it is, with created False."""
    validate_call(draft, now=now)
    assert draft.account and draft.starts_at and draft.ends_at
    if source_view_id:
        existing = session.scalar(
            select(ScheduledCall).where(
                ScheduledCall.team_id == team_id, ScheduledCall.source_view_id == source_view_id
            )
        )
        if existing is not None:
            return ScheduledNow(existing, created=False)
    people = list(dict.fromkeys([user_id, *draft.participants]))
    call = ScheduledCall(
        team_id=team_id,
        account=get_or_create_account(session=session, team_id=team_id, name=draft.account),
        starts_at=draft.starts_at,
        ends_at=draft.ends_at,
        goal=clean_text(draft.goal or "") or None,
        participants=people,
        created_by=user_id,
        created_at=now,
        source_view_id=source_view_id,
    )
    session.add(call)
    session.flush()
    prep_at = max(now, draft.starts_at - prep_before)
    name = call.account.name
    for person in people:
        session.add(
            FollowUp(
                team_id=team_id,
                owner_id=person,
                kind=FollowUpKind.PREP,
                description=f"Prepare the call with {name}",
                due_at=draft.starts_at,
                remind_at=prep_at,
                reminders_sent=0,
                scheduled_call_id=call.id,
            )
        )
    debrief_at = draft.ends_at + DEBRIEF_AFTER
    session.add(
        FollowUp(
            team_id=team_id,
            owner_id=user_id,
            kind=FollowUpKind.DEBRIEF,
            description=f"How did the call with {name} go?",
            due_at=debrief_at,
            remind_at=debrief_at,
            reminders_sent=0,
            scheduled_call_id=call.id,
        )
    )
    session.flush()
    return ScheduledNow(call, created=True, prep_at=prep_at)


def get_call(*, session: Session, team_id: str, call_id: int) -> ScheduledCall | None:
    return session.scalar(
        select(ScheduledCall)
        .where(ScheduledCall.team_id == team_id, ScheduledCall.id == call_id)
        .options(selectinload(ScheduledCall.account))
    )
