"""Removing interviews with everything hanging off them: the one path both Delete and
`/interview forget ACCOUNT` take.

An interview goes with its pains, requests, quotes, participants and follow-ups; a reminder DM still
waiting to go out stops listing those follow-ups (and goes when it lists nothing else); the outbox
forgets the messages about it (no "saved" DM after a delete); the search index follows by its own
triggers. Themes that lost lines are recomputed by the engine's own `refresh` (size, accounts,
centroid), and one left empty disappears. `preview_*` counts what would go without changing anything,
with the same code, so the confirmation says what the removal then does.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from bot.accounts.history import recount_last_held_on
from bot.outbox.queue import Posted, posted_about
from bot.reminders.deliveries import SentReminder, reminders_listing
from bot.search.index import pause as pause_search
from bot.themes.store import LINE_MODELS, recount_themes
from storage.models import (
    OWED,
    Account,
    CustomerTell,
    DeliveryState,
    FollowUp,
    Interview,
    InterviewEdit,
    OutboxMessage,
    Pain,
    Participant,
    Quote,
    ReminderDelivery,
    ScheduledCall,
    Theme,
)

# IN lists are cut to this size: an account may have thousands of interviews.
CHUNK = 500


@dataclass(frozen=True)
class Removed:
    """What a removal took away (or, from a preview, would take)."""

    interviews: int = 0
    pains: int = 0
    requests: int = 0
    quotes: int = 0
    follow_ups: int = 0
    open_follow_ups: int = 0  # of those, still open or snoozed
    reminders: int = 0  # follow-ups with a reminder still to come
    deliveries: int = 0  # reminder DMs waiting to go out that listed them
    memberships: int = 0  # pains and requests that were in a theme
    themes_gone: tuple[str, ...] = ()  # themes left with no line, which disappear
    themes_shrunk: int = 0  # themes that keep other lines, recomputed
    outbox: int = 0  # messages about the interviews, sent or not
    scheduled_calls: int = 0
    accounts: int = 0
    account_name: str | None = None  # the account forgotten
    # Whose App Home showed something that goes: who logged or took part in an interview, owns one of
    # its follow-ups, or organises or joins a scheduled call that goes.
    concerned: tuple[str, ...] = ()
    # Where the sent messages about them are in Slack, for the caller to replace after commit.
    posted: tuple[Posted, ...] = ()
    # Sent reminder DMs that listed a follow-up that goes (whose, where, what they list now), for the
    # caller to draw again after commit without it.
    reminders_sent: tuple[tuple[str, SentReminder], ...] = ()


def _chunks(ids: Sequence[int]) -> Iterator[list[int]]:
    for start in range(0, len(ids), CHUNK):
        yield list(ids[start : start + CHUNK])


def _ids(session: Session, column: Any, *where_in: tuple[Any, Sequence[int]], team: Any) -> list[int]:
    """Ids of `column`'s rows in the workspace whose `where_in` column holds one of the given ids."""
    found: set[int] = set()
    for key, values in where_in:
        for part in _chunks(values):
            found.update(session.scalars(select(column).where(team, key.in_(part))))
    return sorted(found)


def _count(session: Session, model: Any, key: Any, ids: Sequence[int], *where: Any) -> int:
    return sum(
        int(session.scalar(select(func.count()).select_from(model).where(key.in_(part), *where)) or 0)
        for part in _chunks(ids)
    )


@dataclass(frozen=True)
class _Plan:
    team_id: str
    interview_ids: list[int]
    follow_up_ids: list[int]
    call_ids: list[int]
    # Per line model: theme id -> how many of its lines go.
    leaving: dict[Any, dict[int, int]]
    # Closing-the-loop follow-ups that list a line that goes and keep others: their DMs are drawn again.
    shrunk_tells: list[int]


def _plan(
    session: Session, team_id: str, interview_ids: Iterable[int], call_ids: Sequence[int] = ()
) -> _Plan:
    wanted = sorted({int(i) for i in interview_ids})
    interviews = _ids(session, Interview.id, (Interview.id, wanted), team=Interview.team_id == team_id)
    follow_ups = _ids(
        session,
        FollowUp.id,
        (FollowUp.interview_id, interviews),
        (FollowUp.scheduled_call_id, call_ids),
        team=FollowUp.team_id == team_id,
    )
    leaving: dict[Any, dict[int, int]] = {}
    for model in LINE_MODELS.values():
        counts: dict[int, int] = {}
        for part in _chunks(interviews):
            for theme_id, n in session.execute(
                select(model.theme_id, func.count(model.id))
                .where(model.team_id == team_id, model.interview_id.in_(part), model.theme_id.is_not(None))
                .group_by(model.theme_id)
            ):
                counts[theme_id] = counts.get(theme_id, 0) + int(n)
        leaving[model] = counts
    emptied, shrunk = _tells_touched(session, team_id, interviews)
    follow_ups = sorted({*follow_ups, *emptied})
    return _Plan(team_id, interviews, follow_ups, list(call_ids), leaving, shrunk)


def _tells_touched(session: Session, team_id: str, interviews: Sequence[int]) -> tuple[list[int], list[int]]:
    """Closing-the-loop follow-ups listing a line of these interviews: those left listing nothing (they go
    with the interviews), and those that keep other lines."""
    going: dict[int, int] = {}
    for model in LINE_MODELS.values():
        column = CustomerTell.pain_id if model is Pain else CustomerTell.request_id
        for part in _chunks(interviews):
            for follow_up_id, n in session.execute(
                select(CustomerTell.follow_up_id, func.count())
                .join(model, model.id == column)
                .where(CustomerTell.team_id == team_id, model.interview_id.in_(part))
                .group_by(CustomerTell.follow_up_id)
            ):
                going[follow_up_id] = going.get(follow_up_id, 0) + int(n)
    listed: dict[int, int] = {}
    for part in _chunks(sorted(going)):
        listed.update(
            session.execute(
                select(CustomerTell.follow_up_id, func.count())
                .where(CustomerTell.follow_up_id.in_(part))
                .group_by(CustomerTell.follow_up_id)
            ).all()
        )
    emptied = sorted(f for f, n in going.items() if listed.get(f, 0) <= n)
    return emptied, sorted(set(going) - set(emptied))


def _deliveries(session: Session, plan: _Plan, *, lock: bool) -> list[ReminderDelivery]:
    """Reminder DMs waiting to go out (one at most per person) that list a follow-up that goes."""
    if not plan.follow_up_ids:
        return []
    stmt = select(ReminderDelivery).where(
        ReminderDelivery.team_id == plan.team_id, ReminderDelivery.state == DeliveryState.PENDING
    )
    going = set(plan.follow_up_ids)
    rows = session.scalars(stmt.with_for_update() if lock else stmt).all()
    return [d for d in rows if going.intersection(d.follow_up_ids or [])]


def _tally(session: Session, plan: _Plan) -> Removed:
    """What removing the plan takes away, read before anything changes."""
    team_id, ids, fus = plan.team_id, plan.interview_ids, plan.follow_up_ids
    gone: list[str] = []
    shrunk = 0
    for model, leaving in plan.leaving.items():
        theme_ids = sorted(leaving)
        sizes: dict[int, int] = {}
        for part in _chunks(theme_ids):
            rows = session.execute(
                select(model.theme_id, func.count(model.id))
                .where(model.team_id == team_id, model.theme_id.in_(part))
                .group_by(model.theme_id)
            )
            sizes.update({theme_id: int(n) for theme_id, n in rows})
        empty = [t for t in theme_ids if sizes.get(t, 0) <= leaving[t]]
        shrunk += len(theme_ids) - len(empty)
        for part in _chunks(empty):
            gone += session.scalars(
                select(Theme.name).where(Theme.team_id == team_id, Theme.id.in_(part)).order_by(Theme.id)
            )
    concerned = _concerned(session, plan)
    line_models = list(LINE_MODELS.values())
    pains, requests = (_count(session, m, m.interview_id, ids, m.team_id == team_id) for m in line_models)
    return Removed(
        interviews=len(ids),
        pains=pains,
        requests=requests,
        quotes=_count(session, Quote, Quote.interview_id, ids, Quote.team_id == team_id),
        follow_ups=len(fus),
        open_follow_ups=_count(session, FollowUp, FollowUp.id, fus, FollowUp.state.in_(OWED)),
        reminders=_count(session, FollowUp, FollowUp.id, fus, FollowUp.remind_at.is_not(None)),
        deliveries=len(_deliveries(session, plan, lock=False)),
        memberships=sum(sum(leaving.values()) for leaving in plan.leaving.values()),
        themes_gone=tuple(gone),
        themes_shrunk=shrunk,
        outbox=_count(
            session, OutboxMessage, OutboxMessage.interview_id, ids, OutboxMessage.team_id == team_id
        ),
        scheduled_calls=len(plan.call_ids),
        concerned=concerned,
    )


def _concerned(session: Session, plan: _Plan) -> tuple[str, ...]:
    team_id, people = plan.team_id, set()
    for column, key, ids in (
        (Interview.logged_by, Interview.id, plan.interview_ids),
        (Participant.user_id, Participant.interview_id, plan.interview_ids),
        (FollowUp.owner_id, FollowUp.id, plan.follow_up_ids),
        (ScheduledCall.created_by, ScheduledCall.id, plan.call_ids),
    ):
        model = column.class_
        for part in _chunks(ids):
            people.update(session.scalars(select(column).where(model.team_id == team_id, key.in_(part))))
    for part in _chunks(plan.call_ids):
        for joined in session.scalars(
            select(ScheduledCall.participants).where(
                ScheduledCall.team_id == team_id, ScheduledCall.id.in_(part)
            )
        ):
            people.update(u for u in joined or [] if isinstance(u, str))
    return tuple(sorted(people))


def _posted(session: Session, plan: _Plan) -> tuple[Posted, ...]:
    return tuple(
        posted
        for part in _chunks(plan.interview_ids)
        for posted in posted_about(session=session, team_id=plan.team_id, interview_ids=part)
    )


def _reminders_sent(session: Session, plan: _Plan) -> tuple[tuple[str, SentReminder], ...]:
    going = set(plan.follow_up_ids)
    listing = [*plan.follow_up_ids, *plan.shrunk_tells]
    owners = {
        owner
        for part in _chunks(listing)
        for owner in session.scalars(
            select(FollowUp.owner_id).where(FollowUp.team_id == plan.team_id, FollowUp.id.in_(part))
        )
    }
    return tuple(
        (owner, replace(sent, follow_up_ids=[i for i in sent.follow_up_ids if i not in going]))
        for owner in sorted(owners)
        for sent in reminders_listing(
            session=session, team_id=plan.team_id, user_id=owner, follow_up_ids=set(listing)
        )
    )


def _remove(session: Session, plan: _Plan, now: datetime) -> Removed:
    """Read what goes and where it was shown in Slack, then remove it. The reminder DMs waiting to go
    out that list its follow-ups are locked first (the outbox's messages too, in `posted_about`): a
    sender recording one as sent meanwhile is waited for, and its DM is then among those redrawn; or it
    waits for the removal, and then draws its DM again without what went."""
    pending = _deliveries(session, plan, lock=True)
    found = {"posted": _posted(session, plan), "reminders_sent": _reminders_sent(session, plan)}
    removed = replace(_tally(session, plan), **found)
    _apply(session, plan, now, pending)
    return removed


def _apply(session: Session, plan: _Plan, now: datetime, pending: list[ReminderDelivery]) -> None:
    team_id, ids = plan.team_id, plan.interview_ids
    going = set(plan.follow_up_ids)
    for delivery in pending:
        rest = [i for i in delivery.follow_up_ids if i not in going]
        if rest:
            delivery.follow_up_ids = rest
        else:
            session.delete(delivery)  # nothing left for it to say: it never goes out
    session.flush()
    for part in _chunks(ids):
        session.execute(
            delete(OutboxMessage).where(
                OutboxMessage.team_id == team_id, OutboxMessage.interview_id.in_(part)
            )
        )
    for part in _chunks(plan.follow_up_ids):
        session.execute(delete(FollowUp).where(FollowUp.team_id == team_id, FollowUp.id.in_(part)))
    for part in _chunks(plan.call_ids):
        session.execute(
            delete(ScheduledCall).where(ScheduledCall.team_id == team_id, ScheduledCall.id.in_(part))
        )
    accounts: set[int] = set()
    # Children first, explicitly, so nothing rests on a database's cascade; the search index's triggers
    # drop each interview's row (paused first: each line gone would rewrite it).
    for part in _chunks(ids):
        pause_search(session=session, team_id=team_id, interview_ids=part)
        accounts.update(
            session.scalars(
                select(Interview.account_id).where(Interview.team_id == team_id, Interview.id.in_(part))
            )
        )
        for model in LINE_MODELS.values():
            column = CustomerTell.pain_id if model is Pain else CustomerTell.request_id
            lines = select(model.id).where(model.team_id == team_id, model.interview_id.in_(part))
            session.execute(delete(CustomerTell).where(column.in_(lines)))
        for model in (Quote, *LINE_MODELS.values(), Participant, InterviewEdit):
            session.execute(delete(model).where(model.team_id == team_id, model.interview_id.in_(part)))
        session.execute(delete(Interview).where(Interview.team_id == team_id, Interview.id.in_(part)))
    session.flush()
    left = {theme_id for leaving in plan.leaving.values() for theme_id in leaving}
    recount_themes(session=session, team_id=team_id, theme_ids=left, now=now, lines_left=True)
    recount_last_held_on(session=session, team_id=team_id, account_ids=accounts)
    session.flush()


def preview_removal(*, session: Session, team_id: str, interview_ids: Iterable[int]) -> Removed:
    """What removing these interviews would take away; changes nothing."""
    return _tally(session, _plan(session, team_id, interview_ids))


def remove_interviews(
    *, session: Session, team_id: str, interview_ids: Iterable[int], now: datetime | None = None
) -> Removed:
    """Remove these interviews (those of this workspace; others' ids are ignored) with everything
    hanging off them. The caller commits."""
    return _remove(session, _plan(session, team_id, interview_ids), now or datetime.now(UTC))


def _account_plan(session: Session, team_id: str, account_id: int) -> _Plan:
    interviews = session.scalars(
        select(Interview.id).where(Interview.team_id == team_id, Interview.account_id == account_id)
    )
    calls = list(
        session.scalars(
            select(ScheduledCall.id).where(
                ScheduledCall.team_id == team_id, ScheduledCall.account_id == account_id
            )
        )
    )
    return _plan(session, team_id, interviews, calls)


def preview_forget(*, session: Session, team_id: str, account_id: int) -> Removed:
    """What forgetting the account would take away: all its interviews, its scheduled calls, itself."""
    account = session.scalar(select(Account).where(Account.team_id == team_id, Account.id == account_id))
    name = account.name if account is not None else None
    return replace(
        _tally(session, _account_plan(session, team_id, account_id)), accounts=1, account_name=name
    )


def forget_account(
    *, session: Session, team_id: str, account_id: int, now: datetime | None = None
) -> Removed | None:
    """Remove everything about one account: its interviews (as `remove_interviews` does), its scheduled
    calls with their prep and debrief reminders, and the account itself; None when the workspace has
    no such account (forgotten already). The caller commits."""
    account = session.scalar(select(Account).where(Account.team_id == team_id, Account.id == account_id))
    if account is None:
        return None
    name = account.name
    removed = _remove(session, _account_plan(session, team_id, account_id), now or datetime.now(UTC))
    session.execute(delete(Account).where(Account.team_id == team_id, Account.id == account_id))
    return replace(removed, accounts=1, account_name=name)
