"""A closing-the-loop follow-up as its person sees it: each account to tell, what it said, when and to
whom, and whether it was told; marking one account told; and how many accounts of a theme were told.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from bot.followups.actions import Change, close
from storage.models import (
    OWED,
    Account,
    CustomerRequest,
    CustomerTell,
    FollowUp,
    FollowUpKind,
    FollowUpState,
    Interview,
    Pain,
    Theme,
    ThemeStatus,
)


@dataclass(frozen=True)
class SaidLine:
    text: str
    held_on: date
    contact_name: str | None
    contact_role: str | None


@dataclass(frozen=True)
class AccountToTell:
    account_id: int
    name: str
    lines: tuple[SaidLine, ...]  # newest first
    told: bool

    @property
    def contact(self) -> str | None:
        """Who to write to: the contact of the latest call that named one."""
        return next((line.contact_name for line in self.lines if line.contact_name), None)


@dataclass(frozen=True)
class TellList:
    follow_up_id: int
    theme: str
    status: ThemeStatus
    note: str | None
    link: str | None
    accounts: tuple[AccountToTell, ...]

    @property
    def left(self) -> int:
        return sum(1 for a in self.accounts if not a.told)


def tell_lists(*, session: Session, team_id: str, items: Collection[FollowUp]) -> dict[int, TellList]:
    """The accounts each closing-the-loop follow-up lists (by follow-up id), read in two queries."""
    items = [i for i in items if i.kind.tells]
    if not items:
        return {}
    by_line: dict[int, list[tuple]] = defaultdict(list)
    for line in (Pain, CustomerRequest):
        column = CustomerTell.pain_id if line is Pain else CustomerTell.request_id
        rows = session.execute(
            select(
                CustomerTell.follow_up_id,
                CustomerTell.account_id,
                Account.name,
                CustomerTell.told_at,
                line.text,
                Interview.held_on,
                Interview.contact_name,
                Interview.contact_role,
            )
            .join(line, line.id == column)
            .join(Interview, Interview.id == line.interview_id)
            .join(Account, Account.id == CustomerTell.account_id)
            .where(CustomerTell.team_id == team_id, CustomerTell.follow_up_id.in_([i.id for i in items]))
        ).all()
        for row in rows:
            by_line[row[0]].append(row[1:])
    themes = {
        t.id: t
        for t in session.scalars(select(Theme).where(Theme.id.in_({i.theme_id for i in items if i.theme_id})))
    }
    out: dict[int, TellList] = {}
    for item in items:
        accounts: dict[int, tuple[str, list[SaidLine], bool]] = {}
        for account_id, name, told_at, text, held_on, contact, role in by_line.get(item.id, []):
            _, lines, told = accounts.setdefault(account_id, (name, [], True))
            lines.append(SaidLine(text, held_on, contact, role))
            accounts[account_id] = (name, lines, told and told_at is not None)
        theme = themes.get(item.theme_id or 0)
        shipped = item.kind == FollowUpKind.TELL_SHIPPED
        out[item.id] = TellList(
            item.id,
            theme.name if theme else item.description,
            ThemeStatus.SHIPPED if shipped else ThemeStatus.WONT_DO,
            theme.status_note if theme else None,
            theme.status_link if theme else None,
            tuple(
                AccountToTell(
                    account_id, name, tuple(sorted(lines, key=lambda s: s.held_on, reverse=True)), told
                )
                for account_id, (name, lines, told) in sorted(
                    accounts.items(), key=lambda kv: kv[1][0].lower()
                )
            ),
        )
    return out


def tell_account(
    *, session: Session, team_id: str, user_id: str, follow_up_id: int, account_id: int, now: datetime
) -> Change | None:
    """The person told this account: its lines are marked, and when it was the last one left, the whole
    follow-up is done. None when there is no such follow-up (or it lists no such account)."""
    item = session.scalar(select(FollowUp).where(FollowUp.team_id == team_id, FollowUp.id == follow_up_id))
    if item is None or not item.kind.tells:
        return None
    if item.owner_id == user_id and item.state in OWED:
        session.execute(
            update(CustomerTell)
            .where(
                CustomerTell.follow_up_id == follow_up_id,
                CustomerTell.account_id == account_id,
                CustomerTell.told_at.is_(None),
            )
            .values(told_at=now, told_by=user_id)
            .execution_options(synchronize_session=False)
        )
        left = session.scalar(
            select(func.count())
            .select_from(CustomerTell)
            .where(CustomerTell.follow_up_id == follow_up_id, CustomerTell.told_at.is_(None))
        )
        if left:
            return Change(item)
    # The last account told, or a click on a closed follow-up or on another's: as Done says it.
    return close(
        session=session,
        team_id=team_id,
        user_id=user_id,
        follow_up_id=follow_up_id,
        state=FollowUpState.DONE,
        now=now,
    )


@dataclass(frozen=True)
class Told:
    told: int
    of: int

    def words(self) -> str:
        return f"told {self.told} of {self.of}"


def told_counts(*, session: Session, team_id: str, theme_ids: Collection[int]) -> dict[int, Told]:
    """How many of the accounts a theme's shipped loop lists were told, by theme: an account counts as
    told when anyone asked about it marked it."""
    if not theme_ids:
        return {}
    rows = session.execute(
        select(FollowUp.theme_id, CustomerTell.account_id, func.count(CustomerTell.told_at))
        .join(FollowUp, FollowUp.id == CustomerTell.follow_up_id)
        .where(
            FollowUp.team_id == team_id,
            FollowUp.theme_id.in_(list(theme_ids)),
            FollowUp.kind == FollowUpKind.TELL_SHIPPED,
        )
        .group_by(FollowUp.theme_id, CustomerTell.account_id)
    ).all()
    told: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for theme_id, _, marked in rows:
        told[theme_id][1] += 1
        told[theme_id][0] += 1 if marked else 0
    return {theme_id: Told(*counts) for theme_id, counts in told.items()}


def still_telling(
    *, session: Session, team_id: str, besides: Collection[int] = (), limit: int = 5
) -> list[int]:
    """Shipped themes whose people have accounts still to tell (oldest loops first), but `besides`."""
    rows = session.execute(
        select(FollowUp.theme_id, func.min(FollowUp.created_at))
        .join(CustomerTell, CustomerTell.follow_up_id == FollowUp.id)
        .join(Theme, Theme.id == FollowUp.theme_id)
        .where(
            FollowUp.team_id == team_id,
            FollowUp.kind == FollowUpKind.TELL_SHIPPED,
            FollowUp.state.in_(OWED),
            CustomerTell.told_at.is_(None),
            Theme.status == ThemeStatus.SHIPPED,
            Theme.merged_into_id.is_(None),
        )
        .group_by(FollowUp.theme_id)
        .order_by(func.min(FollowUp.created_at))
    ).all()
    skip = set(besides)
    return [theme_id for theme_id, _ in rows if theme_id not in skip][:limit]
