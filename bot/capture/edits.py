"""Editing an interview: its author changes what was logged, in the log modal again.

What did not change keeps its place: an unchanged pain or request keeps its theme (and a hand placement),
an unchanged promise keeps its follow-up (its state, its snooze). What changed is done again as logging
does it: a new line waits for the theme engine, a new promise is planned, a removed one is closed. The
themes that lost or moved lines are marked, and counted again after the commit (bot.themes.recount).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields
from datetime import datetime, timedelta
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.accounts.history import recount_last_held_on
from bot.accounts.names import get_or_create_account
from bot.capture.interviews import (
    STORED_AS_TYPED,
    InterviewDraft,
    interview_parts,
    text_or_none,
    validate_draft,
)
from bot.config import WorkingHours
from bot.errors import InterviewGone, NotTheAuthor
from bot.followups.plan import DEFAULT_DUE_HOUR, PROMISE_MAX_AHEAD, Promise, local_moment, plan_follow_ups
from bot.followups.working_hours import next_working_moment
from bot.search.index import paused as paused_search
from bot.studies.answers import HISTORY_FIELDS, StudyPick, change_study
from bot.text import split_lines
from bot.themes.recount import mark_for_recount
from storage.models import (
    OWED,
    Account,
    CustomerRequest,
    FollowUp,
    FollowUpKind,
    FollowUpState,
    Interview,
    InterviewEdit,
    InterviewKind,
    Pain,
    Participant,
    Quote,
)

# The draft's fields in the form's order, then the study's: the order an edit lists what it changed.
FIELD_ORDER = (*(f.name for f in fields(InterviewDraft)), *HISTORY_FIELDS)

Row = TypeVar("Row", Pain, CustomerRequest, Quote)


@dataclass(frozen=True)
class Edited:
    interview: Interview
    changed: list[str]  # the draft's field names that changed, in the form's order; empty: none did
    follow_ups: list[FollowUp]  # what is still owed after the edit (what the confirmation lists)
    closed: list[FollowUp]  # promises the edit removed
    added: list[FollowUp]  # follow-ups the edit planned
    # Whose App Home shows it, before or after the edit: its author, who took part, who owns a follow-up.
    concerned: tuple[str, ...] = ()


def editable_interview(
    *, session: Session, team_id: str, interview_id: int, user_id: str, lock: bool = False
) -> Interview:
    """The interview, with everything an edit reads, if `user_id` logged it; raise otherwise."""
    stmt = (
        select(Interview)
        .where(Interview.team_id == team_id, Interview.id == interview_id)
        .options(*interview_parts(Interview.follow_ups, Interview.edits))
    )
    # Two edits of one interview at once (a double click) wait for each other on PostgreSQL.
    interview = session.scalar(stmt.with_for_update() if lock else stmt)
    if interview is None:
        raise InterviewGone()
    if interview.logged_by != user_id:
        raise NotTheAuthor()
    return interview


def promised(interview: Interview) -> list[FollowUp]:
    """The interview's promises as the author sees them: all but those closed by removing them (or
    skipped, which says the same)."""
    return [
        f for f in interview.follow_ups if f.kind == FollowUpKind.PROMISE and f.state != FollowUpState.SKIPPED
    ]


def promise_lines(interview: Interview, tz: ZoneInfo) -> str:
    """The promises as the author would type them again: "Send the deck by 2026-12-01", the date as due
    in `tz`. A date the form would refuse (a late call's promise came due when it was logged) is left off:
    a line without one keeps its follow-up as it is."""
    lines = []
    for item in promised(interview):
        due_on = item.due_at.astimezone(tz).date()
        fits = interview.held_on <= due_on <= interview.held_on + PROMISE_MAX_AHEAD
        lines.append(f"{item.description} by {due_on.isoformat()}" if fits else item.description)
    return "\n".join(lines)


def _match_lines(
    rows: Sequence[Row], texts: list[str], make: Callable[[int, str], Row]
) -> tuple[list[Row], list[Row]]:
    """The rows for `texts` in order: an existing row for each text it already had (so the line keeps its
    theme and whoever placed it), a new row for each other; and the rows no text matched."""
    free: dict[str, list[Row]] = {}
    for row in rows:
        free.setdefault(row.text, []).append(row)
    kept: list[Row] = []
    for position, text in enumerate(texts):
        pool = free.get(text)
        row = pool.pop(0) if pool else make(position, text)
        row.position = position
        kept.append(row)
    return kept, [row for pool in free.values() for row in pool]


def edit_interview(
    *,
    session: Session,
    team_id: str,
    interview_id: int,
    draft: InterviewDraft,
    by: str,
    now: datetime,
    tz: ZoneInfo,
    thank_you_after: timedelta,
    summary_after: timedelta,
    working_hours: WorkingHours | None = None,
    study: StudyPick | None = None,
) -> Edited:
    """Validate the draft as logging does and update the interview in place. The caller commits.

    Only its author (the person who logged it) may edit it. `tz` is the author's zone: the draft's dates
    are theirs. `study`: the study and answers the form shows (None: the form had no study field). The
    edit is recorded with the fields it changed, when it changed any.
    """
    promises = validate_draft(draft, today=now.astimezone(tz).date())
    interview = editable_interview(
        session=session, team_id=team_id, interview_id=interview_id, user_id=by, lock=True
    )
    with paused_search(session=session, team_id=team_id, interview_id=interview.id):
        return _edit(
            session,
            interview,
            draft,
            promises,
            by=by,
            now=now,
            tz=tz,
            thank_you_after=thank_you_after,
            summary_after=summary_after,
            working_hours=working_hours,
            study=study,
        )


def _edit(
    session: Session,
    interview: Interview,
    draft: InterviewDraft,
    promises: list[Promise],
    *,
    by: str,
    now: datetime,
    tz: ZoneInfo,
    thank_you_after: timedelta,
    summary_after: timedelta,
    working_hours: WorkingHours | None,
    study: StudyPick | None,
) -> Edited:
    team_id = interview.team_id
    assert draft.account and draft.kind and draft.held_on  # validated above
    changed: set[str] = set()
    concerned = _concerned(interview)

    def put(name: str, value: Any, attribute: str | None = None) -> None:
        if getattr(interview, attribute or name) != value:
            setattr(interview, attribute or name, value)
            changed.add(name)

    before = (interview.account_id, interview.held_on)
    account = get_or_create_account(session=session, team_id=team_id, name=draft.account)
    if account.id != interview.account_id:
        interview.account = account
        changed.add("account")
    put("kind", InterviewKind(draft.kind))
    put("held_on", draft.held_on)
    for name in STORED_AS_TYPED:
        put(name, text_or_none(getattr(draft, name)))
    put("recording_permission", draft.recording_permission)
    put("thank_you_sent", draft.thank_you_sent)
    put("share_channel", draft.share_channel, "share_channel_id")
    _participants(interview, draft.participants, changed)
    left, moved = _lines(interview, draft, account, changed)
    closed, added = _follow_ups(
        interview,
        promises,
        changed,
        now=now,
        tz=tz,
        thank_you_after=thank_you_after,
        summary_after=summary_after,
        working_hours=working_hours,
    )
    if study is not None:
        changed.update(
            change_study(
                session=session, team_id=team_id, interview_id=interview.id, pick=study, by=by, now=now
            )
        )
    ordered = [name for name in FIELD_ORDER if name in changed]
    if ordered:
        interview.edits.append(InterviewEdit(team_id=team_id, edited_by=by, edited_at=now, fields=ordered))
    session.flush()
    # Themes that lost a line, or whose lines moved to another account, count their members again: after
    # the commit (bot.themes.recount), since an edit at the form's limits touches hundreds of them.
    mark_for_recount(session=session, team_id=team_id, theme_ids=left, now=now, lines_left=True)
    mark_for_recount(session=session, team_id=team_id, theme_ids=moved - left, now=now, lines_left=False)
    if (interview.account_id, interview.held_on) != before:
        recount_last_held_on(session=session, team_id=team_id, account_ids={before[0], interview.account_id})
    owed = [f for f in interview.follow_ups if f.state in OWED]
    return Edited(interview, ordered, owed, closed, added, tuple(sorted(concerned | _concerned(interview))))


def edit_study(
    *, session: Session, team_id: str, interview_id: int, pick: StudyPick, by: str, now: datetime
) -> list[str]:
    """The study of an interview picked after the fact (from its own modal), by its author: recorded in
    its history as an edit is. The fields that changed (none: nothing recorded)."""
    interview = editable_interview(
        session=session, team_id=team_id, interview_id=interview_id, user_id=by, lock=True
    )
    changed = change_study(
        session=session, team_id=team_id, interview_id=interview.id, pick=pick, by=by, now=now
    )
    if changed:
        interview.edits.append(InterviewEdit(team_id=team_id, edited_by=by, edited_at=now, fields=changed))
        session.flush()
    return changed


def _concerned(interview: Interview) -> set[str]:
    return {
        interview.logged_by,
        *(p.user_id for p in interview.participants),
        *(f.owner_id for f in interview.follow_ups),
    }


def _participants(interview: Interview, chosen: list[str], changed: set[str]) -> None:
    wanted = list(dict.fromkeys([interview.logged_by, *chosen]))
    current = {p.user_id: p for p in interview.participants}
    if set(wanted) == set(current):
        return
    interview.participants = [
        current.get(u) or Participant(team_id=interview.team_id, user_id=u) for u in wanted
    ]
    changed.add("participants")


def _lines(
    interview: Interview, draft: InterviewDraft, account: Account, changed: set[str]
) -> tuple[set[int], set[int]]:
    """Pains, requests and quotes matched by text; returns the ids of the themes to count again: those a
    line left, and those whose lines moved to another account."""
    team_id, left, themes = interview.team_id, set(), set()
    moved = "account" in changed
    for name, model in (("pains", Pain), ("requests", CustomerRequest)):
        rows = getattr(interview, name)
        texts = split_lines(getattr(draft, name))
        kept, removed = _match_lines(
            rows,
            texts,
            lambda i, t, model=model: model(team_id=team_id, account_id=account.id, position=i, text=t),
        )
        if [r.text for r in rows] != texts:
            changed.add(name)
        left |= {r.theme_id for r in removed if r.theme_id is not None}
        if moved:  # a line carries its interview's account: the themes it is in count accounts
            for row in kept:
                row.account_id = account.id
            themes |= {r.theme_id for r in kept if r.theme_id is not None}
        setattr(interview, name, kept)  # the rows left out are deleted (delete-orphan)
    texts = split_lines(draft.quotes)
    if [q.text for q in interview.quotes] != texts:
        changed.add("quotes")
        interview.quotes, _ = _match_lines(
            interview.quotes, texts, lambda i, t: Quote(team_id=team_id, position=i, text=t)
        )
    return left, themes


def _follow_ups(
    interview: Interview,
    promises: list[Promise],
    changed: set[str],
    *,
    now: datetime,
    tz: ZoneInfo,
    thank_you_after: timedelta,
    summary_after: timedelta,
    working_hours: WorkingHours | None,
) -> tuple[list[FollowUp], list[FollowUp]]:
    """Promises matched by their text: an unchanged one is left as it is, one given another date is due
    then, a removed one is closed (no more reminders, and a reminder already being sent leaves it out),
    a new one is planned as logging plans it. Returns (closed, added)."""
    free: dict[str, list[FollowUp]] = {}
    for item in promised(interview):
        free.setdefault(item.description, []).append(item)
    new: list[Promise] = []
    for promise in promises:
        pool = free.get(promise.text)
        if not pool:
            new.append(promise)
            continue
        item = pool.pop(0)
        if promise.due_on and promise.due_on != item.due_at.astimezone(tz).date() and item.state in OWED:
            due_at = max(local_moment(promise.due_on, DEFAULT_DUE_HOUR, tz), now)
            item.due_at, item.state, item.reminders_sent = due_at, FollowUpState.OPEN, 0
            item.remind_at = next_working_moment(due_at, tz, working_hours)
            changed.add("promises")
    # A promise already kept stays kept: only one still owed is closed by removing its line.
    closed = [item for pool in free.values() for item in pool if item.state in OWED]
    for item in closed:
        item.state, item.closed_at, item.remind_at = FollowUpState.SKIPPED, item.closed_at or now, None
    if closed or new:
        changed.add("promises")
    # What the edit made true closes what was owed for it, as writing the summary later does.
    for item in interview.follow_ups:
        done = (item.kind == FollowUpKind.THANK_YOU and interview.thank_you_sent) or (
            item.kind == FollowUpKind.SUMMARY and interview.interpretation
        )
        if done and item.state in OWED:
            item.state, item.closed_at, item.remind_at = FollowUpState.DONE, now, None
    # A thank-you or a summary is owed again only when the edit says so (an imported call brought none).
    kinds = {f.kind for f in interview.follow_ups}
    wanted = {FollowUpKind.PROMISE}
    if "thank_you_sent" in changed:
        wanted.add(FollowUpKind.THANK_YOU)
    if "interpretation" in changed:
        wanted.add(FollowUpKind.SUMMARY)
    added = [
        f
        for f in plan_follow_ups(
            interview=interview,
            promises=new,
            now=now,
            tz=tz,
            thank_you_after=thank_you_after,
            summary_after=summary_after,
            working_hours=working_hours,
        )
        if f.kind in wanted and (f.kind == FollowUpKind.PROMISE or f.kind not in kinds)
    ]
    interview.follow_ups.extend(added)
    return closed, added
