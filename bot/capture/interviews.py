"""Interviews: validate what was captured, store it in one go, list it back."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session, selectinload

from bot.accounts.names import ACCOUNT_NAME_MAX, get_or_create_account, normalize_account_name
from bot.config import WorkingHours
from bot.errors import InvalidInput
from bot.followups.plan import PROMISE_MAX_AHEAD, Promise, PromiseDateError, parse_promise, plan_follow_ups
from bot.search.index import resume as resume_search
from bot.text import clean_text, split_lines
from storage.models import (
    Account,
    CustomerRequest,
    FollowUp,
    FollowUpState,
    Interview,
    InterviewKind,
    Pain,
    Participant,
    Quote,
)

# Longest text each field takes; the modal sets the same max_length so Slack stops people first.
FIELD_MAX = {
    "account": ACCOUNT_NAME_MAX,
    "contact_name": 150,
    "contact_role": 150,
    "goal": 1000,
    "pains": 3000,
    "requests": 3000,
    "quotes": 3000,
    "interpretation": 3000,
    "closing_answer": 3000,
    "notes": 3000,
    "recording_url": 1000,
    "promises": 2000,
}
OLDEST_CALL = timedelta(days=3650)


@dataclass
class InterviewDraft:
    """What the log modal captured, before it is checked. Field names are the form's field names."""

    account: str | None = None
    kind: str | None = None
    held_on: date | None = None
    participants: list[str] = field(default_factory=list)
    contact_name: str | None = None
    contact_role: str | None = None
    goal: str | None = None
    pains: str | None = None
    requests: str | None = None
    quotes: str | None = None
    interpretation: str | None = None
    closing_answer: str | None = None
    notes: str | None = None
    recording_url: str | None = None
    recording_permission: bool = False
    thank_you_sent: bool = False
    promises: str | None = None
    share_channel: str | None = None


@dataclass(frozen=True)
class LoggedInterview:
    interview: Interview
    follow_ups: list[FollowUp]
    created: bool  # False when this submission had already been stored


def _valid_url(raw: str) -> bool:
    try:
        parts = urlsplit(raw)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname) and " " not in raw


def validate_draft(draft: InterviewDraft, *, today: date) -> list[Promise]:
    """Check a draft against what a useful interview needs; raise InvalidInput naming each bad field.

    `today` is the logger's local date. Returns the parsed promises.
    """
    errors: dict[str, str] = {}
    for name, limit in FIELD_MAX.items():
        value = getattr(draft, name)
        if isinstance(value, str) and len(value) > limit:
            errors[name] = f"Keep this under {limit} characters (it has {len(value)})."

    account = (draft.account or "").strip()
    if not account:
        errors["account"] = "Pick the account, or type a new one."
    elif not normalize_account_name(account):
        errors["account"] = "An account name needs at least one letter or digit."

    if draft.kind not in {k.value for k in InterviewKind}:
        errors["kind"] = "Pick the kind of conversation."

    if draft.held_on is None:
        errors["held_on"] = "Pick the date of the call."
    elif draft.held_on > today + timedelta(days=1):
        errors["held_on"] = "That date is in the future: log a call once it has happened."
    elif draft.held_on < today - OLDEST_CALL:
        errors["held_on"] = "That date is more than ten years ago: check the year."

    if not split_lines(draft.pains) and not (draft.notes or "").strip():
        errors["pains"] = "Write at least one pain (one per line), or some notes below."

    if draft.recording_url and not _valid_url(draft.recording_url.strip()):
        errors["recording_url"] = "That is not a web link: paste a full address starting with https://"

    promises: list[Promise] = []
    if draft.held_on is not None:
        for line in split_lines(draft.promises):
            try:
                promise = parse_promise(line, held_on=draft.held_on)
            except PromiseDateError as exc:
                errors.setdefault("promises", f"{exc}: write dates as 2026-12-01.")
                continue
            if not promise.text:
                errors.setdefault("promises", f"“{line}” says when but not what was promised.")
            elif promise.due_on and promise.due_on < draft.held_on:
                errors.setdefault("promises", f"“{line}” is due before the call took place.")
            elif promise.due_on and promise.due_on > draft.held_on + PROMISE_MAX_AHEAD:
                errors.setdefault("promises", f"“{line}” is due more than a year after the call.")
            else:
                promises.append(promise)

    if errors:
        raise InvalidInput(errors)
    return promises


# Free text stored as typed (trimmed); pains, requests, quotes and promises are split into lines instead.
STORED_AS_TYPED = (
    "contact_name",
    "contact_role",
    "goal",
    "interpretation",
    "closing_answer",
    "notes",
    "recording_url",
)


def text_or_none(value: str | None) -> str | None:
    return clean_text(value or "") or None


def log_interview(
    *,
    session: Session,
    team_id: str,
    user_id: str,
    draft: InterviewDraft,
    now: datetime,
    tz: ZoneInfo,
    thank_you_after: timedelta,
    summary_after: timedelta,
    working_hours: WorkingHours | None = None,
    source_view_id: str | None = None,
    plan: bool = True,
) -> LoggedInterview:
    """Validate and store an interview with its account, lines and follow-ups. The caller commits.

    A view already stored (Slack or a double click sent it twice) is returned as it is, not stored again.
    `plan=False` stores it with no follow-ups planned (an import of calls long past brings its own).
    """
    # Checked before the first query, so no database lock is held while a long draft is parsed.
    promises = validate_draft(draft, today=now.astimezone(tz).date())
    if source_view_id:
        existing = session.scalar(
            select(Interview).where(Interview.team_id == team_id, Interview.source_view_id == source_view_id)
        )
        if existing is not None:
            return LoggedInterview(existing, list(existing.follow_ups), created=False)

    assert draft.account and draft.kind and draft.held_on  # validated above
    account = get_or_create_account(session=session, team_id=team_id, name=draft.account)
    interview = Interview(
        team_id=team_id,
        account=account,
        kind=InterviewKind(draft.kind),
        held_on=draft.held_on,
        logged_by=user_id,
        logged_at=now,
        **{name: text_or_none(getattr(draft, name)) for name in STORED_AS_TYPED},
        recording_permission=draft.recording_permission,
        thank_you_sent=draft.thank_you_sent,
        share_channel_id=draft.share_channel,
        source_view_id=source_view_id,
        search_paused=True,  # its lines go in first, then its search row is written once
    )
    interview.participants = [
        Participant(team_id=team_id, user_id=u) for u in dict.fromkeys([user_id, *draft.participants])
    ]
    interview.pains = [
        Pain(team_id=team_id, account_id=account.id, position=i, text=t)
        for i, t in enumerate(split_lines(draft.pains))
    ]
    interview.requests = [
        CustomerRequest(team_id=team_id, account_id=account.id, position=i, text=t)
        for i, t in enumerate(split_lines(draft.requests))
    ]
    interview.quotes = [
        Quote(team_id=team_id, position=i, text=t) for i, t in enumerate(split_lines(draft.quotes))
    ]
    follow_ups = (
        plan_follow_ups(
            interview=interview,
            promises=promises,
            now=now,
            tz=tz,
            thank_you_after=thank_you_after,
            summary_after=summary_after,
            working_hours=working_hours,
        )
        if plan
        else []
    )
    interview.follow_ups = follow_ups
    session.add(interview)
    session.flush()
    resume_search(session=session, team_id=team_id, interview_ids=[interview.id])
    # One statement, so two calls with the same account logged at once keep the later date.
    session.execute(
        update(Account)
        .where(
            Account.id == account.id,
            or_(Account.last_held_on.is_(None), Account.last_held_on < draft.held_on),
        )
        .values(last_held_on=draft.held_on)
        .execution_options(synchronize_session=False)
    )
    return LoggedInterview(interview, follow_ups, created=True)


def interview_parts(*more: Any) -> tuple[Any, ...]:
    """Loader options for what showing, editing or exporting an interview reads (its account, people
    and lines), in one query each, and `more` relationships besides."""
    shown = (Interview.account, Interview.participants, Interview.pains, Interview.requests, Interview.quotes)
    return tuple(selectinload(relation) for relation in (*shown, *more))


def get_interview(*, session: Session, team_id: str, interview_id: int) -> Interview | None:
    """One interview with what showing it reads; None when it is not this workspace's (or is gone)."""
    return session.scalar(
        select(Interview)
        .where(Interview.team_id == team_id, Interview.id == interview_id)
        .options(*interview_parts(Interview.edits))
    )


def recent_interviews(*, session: Session, team_id: str, user_id: str, limit: int = 10) -> list[Interview]:
    """The interviews this person logged or took part in, newest call first."""
    took_part = select(Participant.interview_id).where(
        Participant.team_id == team_id, Participant.user_id == user_id
    )
    stmt = (
        select(Interview)
        .where(Interview.team_id == team_id, Interview.id.in_(took_part))
        .options(selectinload(Interview.account), selectinload(Interview.pains))
        .order_by(Interview.held_on.desc(), Interview.id.desc())
        .limit(limit)
    )
    return list(session.scalars(stmt))


def write_summary(
    *, session: Session, team_id: str, user_id: str, follow_up_id: int, summary: str, now: datetime
) -> Interview | None:
    """Store the summary as the interview's interpretation, and close the summary follow-up."""
    item = session.scalar(select(FollowUp).where(FollowUp.team_id == team_id, FollowUp.id == follow_up_id))
    if item is None or item.owner_id != user_id or item.interview is None:
        return None
    item.interview.interpretation = clean_text(summary)[: FIELD_MAX["interpretation"]]
    if item.state in (FollowUpState.OPEN, FollowUpState.SNOOZED):
        item.state, item.closed_at, item.remind_at = FollowUpState.DONE, now, None
    return item.interview
