"""An account's timeline, for `/interview list ACCOUNT`: its interviews newest first, the themes it raised
and how many other accounts share each, what is still owed to it, and who talked to it and when."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from bot.accounts.names import find_account
from storage.models import (
    Account,
    FollowUp,
    FollowUpState,
    Interview,
    Pain,
    Participant,
    Theme,
    ThemeKind,
)

TIMELINE_INTERVIEWS = 15


@dataclass(frozen=True)
class SharedTheme:
    """A theme the account raised: how often it did, and how many other accounts raised it too."""

    theme_id: int
    name: str
    mentions: int
    other_accounts: int


@dataclass(frozen=True)
class OwedFollowUp:
    description: str
    owner_id: str
    due_at: datetime
    state: FollowUpState


@dataclass(frozen=True)
class Contact:
    """One of our people who talked to the account: how many times, and when last."""

    user_id: str
    interviews: int
    last_held_on: date


@dataclass(frozen=True)
class AccountTimeline:
    account: Account
    interviews: list[Interview]  # newest first, at most TIMELINE_INTERVIEWS
    total_interviews: int
    themes: list[SharedTheme]
    owed: list[OwedFollowUp]
    contacts: list[Contact]


def account_timeline(
    *, session: Session, team_id: str, name: str, limit: int = TIMELINE_INTERVIEWS
) -> AccountTimeline | None:
    """The timeline of the account called `name` (any spelling of it), or None when there is none."""
    account = find_account(session=session, team_id=team_id, name=name)
    if account is None:
        return None
    of_account = (Interview.team_id == team_id, Interview.account_id == account.id)
    interviews = list(
        session.scalars(
            select(Interview)
            .where(*of_account)
            .options(selectinload(Interview.pains), selectinload(Interview.participants))
            .order_by(Interview.held_on.desc(), Interview.id.desc())
            .limit(limit)
        )
    )
    total = session.scalar(select(func.count()).select_from(Interview).where(*of_account)) or 0
    return AccountTimeline(
        account=account,
        interviews=interviews,
        total_interviews=total,
        themes=_themes(session, team_id, account.id),
        owed=_owed(session, team_id, account.id),
        contacts=_contacts(session, team_id, account.id),
    )


def _themes(session: Session, team_id: str, account_id: int, limit: int = 8) -> list[SharedTheme]:
    """The pain themes the account raised, those most shared with other accounts first."""
    rows = session.execute(
        select(Theme.id, Theme.name, Theme.accounts, func.count(Pain.id))
        .join(Pain, Pain.theme_id == Theme.id)
        .where(
            Pain.team_id == team_id,
            Pain.account_id == account_id,
            Theme.team_id == team_id,
            Theme.kind == ThemeKind.PAIN,
        )
        .group_by(Theme.id, Theme.name, Theme.accounts)
        .order_by(Theme.accounts.desc(), func.count(Pain.id).desc(), Theme.id)
        .limit(limit)
    ).all()
    # The theme's count of accounts includes this one.
    return [SharedTheme(tid, name, int(n), max(0, int(accounts) - 1)) for tid, name, accounts, n in rows]


def _owed(session: Session, team_id: str, account_id: int, limit: int = 10) -> list[OwedFollowUp]:
    rows = session.execute(
        select(FollowUp.description, FollowUp.owner_id, FollowUp.due_at, FollowUp.state)
        .join(Interview, FollowUp.interview_id == Interview.id)
        .where(
            FollowUp.team_id == team_id,
            Interview.team_id == team_id,
            Interview.account_id == account_id,
            FollowUp.state.in_((FollowUpState.OPEN, FollowUpState.SNOOZED)),
        )
        .order_by(FollowUp.due_at, FollowUp.id)
        .limit(limit)
    ).all()
    return [OwedFollowUp(*row) for row in rows]


def _contacts(session: Session, team_id: str, account_id: int, limit: int = 10) -> list[Contact]:
    rows = session.execute(
        select(Participant.user_id, func.count(Interview.id), func.max(Interview.held_on))
        .join(Interview, Participant.interview_id == Interview.id)
        .where(
            Participant.team_id == team_id, Interview.team_id == team_id, Interview.account_id == account_id
        )
        .group_by(Participant.user_id)
        .order_by(func.max(Interview.held_on).desc(), Participant.user_id)
        .limit(limit)
    ).all()
    return [Contact(user_id, int(n), last) for user_id, n, last in rows]
