"""An account's history: its last conversations, the pains it raised most, and what is still owed to it."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, selectinload

from storage.models import Account, FollowUp, FollowUpState, Interview

CHUNK = 500  # IN lists are cut to this size: an account may have thousands of interviews


@dataclass(frozen=True)
class AccountHistory:
    """What a participant should know before talking to an account again."""

    last_interviews: list[tuple[datetime | object, str, list[str]]]
    recurring_pains: list[tuple[str, int]]
    open_follow_ups: list[str]


def account_history(*, session: Session, team_id: str, account_id: int) -> AccountHistory:
    interviews = list(
        session.scalars(
            select(Interview)
            .where(Interview.team_id == team_id, Interview.account_id == account_id)
            .options(selectinload(Interview.pains))
            .order_by(Interview.held_on.desc(), Interview.id.desc())
            .limit(20)
        )
    )
    counts: Counter[str] = Counter()
    spelling: dict[str, str] = {}
    for interview in interviews:
        for pain in interview.pains:
            key = " ".join(pain.text.casefold().split())
            counts[key] += 1
            spelling.setdefault(key, pain.text)
    open_items = session.scalars(
        select(FollowUp.description)
        .join(Interview, FollowUp.interview_id == Interview.id)
        .where(
            FollowUp.team_id == team_id,
            Interview.account_id == account_id,
            FollowUp.state.in_((FollowUpState.OPEN, FollowUpState.SNOOZED)),
        )
        .order_by(FollowUp.due_at)
        .limit(5)
    ).all()
    return AccountHistory(
        last_interviews=[(i.held_on, i.kind.label, [p.text for p in i.pains[:2]]) for i in interviews[:3]],
        recurring_pains=[(spelling[k], n) for k, n in counts.most_common(5)],
        open_follow_ups=list(open_items),
    )


def recount_last_held_on(*, session: Session, team_id: str, account_ids: Iterable[int]) -> None:
    """Each account's latest conversation again, from its interviews (after some moved or went)."""
    latest = (
        select(func.max(Interview.held_on))
        .where(Interview.team_id == team_id, Interview.account_id == Account.id)
        .scalar_subquery()
    )
    ids = sorted(set(account_ids))
    for start in range(0, len(ids), CHUNK):
        session.execute(
            update(Account)
            .where(Account.team_id == team_id, Account.id.in_(ids[start : start + CHUNK]))
            .values(last_held_on=latest)
            .execution_options(synchronize_session=False)
        )
