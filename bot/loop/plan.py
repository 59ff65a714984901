"""Who tells which customers when a theme's status changes to shipped (or to won't do, when asked), and
the follow-ups that ask them.

Everyone who logged one of the theme's lines is asked about the accounts they heard it from; an account's
owner about every account of theirs that raised it. An account with no owner falls to whoever logged its
lines. The plan runs on the scheduler's tick, from the status change:
- the change is claimed first (`loop_at` set by an UPDATE that only one transaction can win), so
  replicas and restarts plan it once;
- a change to a status the theme had been told about before plans nothing: back and forth sends nothing;
- a partial unique index keeps one follow-up per person, theme and kind whatever happens above.
Lines are read as they are when the plan runs: a line deleted before then is not listed, and one deleted
after drops out of the follow-up (its tell row goes with it).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import exists, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from storage.models import (
    Account,
    CustomerRequest,
    CustomerTell,
    FollowUp,
    FollowUpKind,
    FollowUpState,
    Interview,
    Pain,
    Theme,
    ThemeKind,
    ThemeStatus,
    ThemeStatusChange,
)

KIND_FOR = {ThemeStatus.SHIPPED: FollowUpKind.TELL_SHIPPED, ThemeStatus.WONT_DO: FollowUpKind.TELL_WONT_DO}
DESCRIPTION_MAX = 200
# The latest lines of an account kept in a person's follow-up: its reminder quotes two, and a theme that
# one account raised a thousand times would otherwise list every one of them, for each person asked.
LINES_KEPT = 5


@dataclass(frozen=True)
class DueLoop:
    """A status change whose loop is not planned yet."""

    change_id: int
    team_id: str
    theme_id: int
    changed_by: str


def due_loops(*, session: Session, limit: int = 20) -> list[DueLoop]:
    """Status changes waiting for their loop, oldest first (a partial index holds only those)."""
    rows = session.execute(
        select(
            ThemeStatusChange.id,
            ThemeStatusChange.team_id,
            ThemeStatusChange.theme_id,
            ThemeStatusChange.changed_by,
        )
        .where(ThemeStatusChange.tell, ThemeStatusChange.loop_at.is_(None))
        .order_by(ThemeStatusChange.changed_at, ThemeStatusChange.id)
        .limit(limit)
    ).all()
    return [DueLoop(*row) for row in rows]


@dataclass(frozen=True)
class HeardLine:
    """One of the theme's lines, with who can tell its account."""

    line_id: int
    account_id: int
    account: str
    logged_by: str
    owner_id: str | None


def heard_lines(*, session: Session, theme: Theme) -> list[HeardLine]:
    """The theme's lines as they are now, with the account, who logged each and the account's owner."""
    line = Pain if theme.kind == ThemeKind.PAIN else CustomerRequest
    rows = session.execute(
        select(line.id, line.account_id, Account.name, Interview.logged_by, Account.owner_id)
        .join(Interview, Interview.id == line.interview_id)
        .join(Account, Account.id == line.account_id)
        .where(line.theme_id == theme.id, line.team_id == theme.team_id)
        .order_by(Interview.held_on.desc(), line.id)
    ).all()
    return [HeardLine(*row) for row in rows]


def who_tells(lines: list[HeardLine]) -> dict[str, dict[int, list[HeardLine]]]:
    """Each person to ask, with the accounts they tell and the latest lines behind each (LINES_KEPT at
    most; `lines` come newest first): a logger their own lines' accounts (what they heard), an owner
    every line of their accounts."""
    people: dict[str, dict[int, list[HeardLine]]] = defaultdict(lambda: defaultdict(list))
    for line in lines:
        for person in {line.logged_by, line.owner_id} - {None}:
            kept = people[person][line.account_id]  # type: ignore[index]
            if len(kept) < LINES_KEPT:
                kept.append(line)
    return {person: dict(accounts) for person, accounts in people.items()}


def people_to_ask(*, session: Session, theme_id: int) -> set[str]:
    """Everyone a loop on this theme would ask, read before it is planned (to learn who has left)."""
    theme = session.get(Theme, theme_id)
    return set(who_tells(heard_lines(session=session, theme=theme))) if theme is not None else set()


@dataclass
class LoopPlan:
    """What planning a loop did: the follow-up made for each person, and who was skipped because they
    left the workspace, with the accounts nobody else will tell because of it."""

    change_id: int
    theme_id: int
    theme: str
    status: ThemeStatus
    changed_by: str
    asked: dict[str, int] = field(default_factory=dict)  # person → follow-up id
    gone: dict[str, list[str]] = field(default_factory=dict)  # person → their accounts' names
    untold: list[str] = field(default_factory=list)  # accounts only a person who left would have told
    nothing: str | None = None  # why nobody was asked, when nobody was


def plan_loop(
    *, session: Session, change_id: int, now: datetime, gone: Collection[str] = ()
) -> LoopPlan | None:
    """Claim the status change and ask each person to tell their customers; None when another
    transaction planned it already. `gone`: people who left the workspace (Slack says deleted)."""
    claimed = session.execute(
        update(ThemeStatusChange)
        .where(ThemeStatusChange.id == change_id, ThemeStatusChange.loop_at.is_(None))
        .values(loop_at=now)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        return None
    change = session.get(ThemeStatusChange, change_id)
    assert change is not None
    theme = session.get(Theme, change.theme_id)
    plan = LoopPlan(
        change.id, change.theme_id, theme.name if theme else "", change.to_status, change.changed_by
    )
    if change.to_status not in KIND_FOR or theme is None or theme.merged_into_id is not None:
        plan.nothing = "the theme is gone"
        return plan
    if theme.status != change.to_status:
        plan.nothing = f"the theme is {theme.status.value} again"
        return plan
    if _told_before(session, change):
        plan.nothing = "its customers were asked to be told before"
        return plan
    people = who_tells(heard_lines(session=session, theme=theme))
    kind = KIND_FOR[change.to_status]
    for person, accounts in sorted(people.items()):
        if person in gone:
            plan.gone[person] = sorted({lines[0].account for lines in accounts.values()})
            continue
        follow_up_id = _ask(session, theme=theme, kind=kind, person=person, accounts=accounts, now=now)
        if follow_up_id is not None:
            plan.asked[person] = follow_up_id
    covered = {a for person, accounts in people.items() if person not in gone for a in accounts}
    plan.untold = sorted(
        {
            lines[0].account
            for person in plan.gone
            for account_id, lines in people[person].items()
            if account_id not in covered
        }
    )
    if not people:
        plan.nothing = "no line of it is left"
    return plan


def _told_before(session: Session, change: ThemeStatusChange) -> bool:
    """An earlier change of this theme to the same status had its loop: its people were asked then."""
    return bool(
        session.scalar(
            select(
                exists().where(
                    ThemeStatusChange.theme_id == change.theme_id,
                    ThemeStatusChange.to_status == change.to_status,
                    ThemeStatusChange.tell,
                    ThemeStatusChange.loop_at.is_not(None),
                    ThemeStatusChange.id != change.id,
                    ThemeStatusChange.changed_at <= change.changed_at,
                )
            )
        )
    )


def _ask(
    session: Session,
    *,
    theme: Theme,
    kind: FollowUpKind,
    person: str,
    accounts: dict[int, list[HeardLine]],
    now: datetime,
) -> int | None:
    """One follow-up for the person, listing each line of their accounts; None when they have one for this
    theme already (the unique index said so: another plan of the same loop got there first)."""
    what = "is shipped" if kind == FollowUpKind.TELL_SHIPPED else "won't be done"
    description = f"Tell your customers “{theme.name}” {what}"[:DESCRIPTION_MAX]
    line_column = "pain_id" if theme.kind == ThemeKind.PAIN else "request_id"
    try:
        with session.begin_nested():
            item = FollowUp(
                team_id=theme.team_id,
                owner_id=person,
                kind=kind,
                theme_id=theme.id,
                description=description,
                due_at=now,
                # Due now: the reminder loop sends it in the person's working hours.
                remind_at=now,
                state=FollowUpState.OPEN,
                reminders_sent=0,
                created_at=now,
            )
            session.add(item)
            session.flush()
            # Core's executemany: a theme many accounts raised lists thousands of lines.
            session.execute(
                insert(CustomerTell),
                [
                    {
                        "team_id": theme.team_id,
                        "follow_up_id": item.id,
                        "account_id": account_id,
                        line_column: line.line_id,
                    }
                    for account_id, lines in accounts.items()
                    for line in lines
                ],
            )
    except IntegrityError:
        return None
    return item.id
