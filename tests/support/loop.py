"""The theme closing-the-loop tests ship: "exports are slow", raised by four accounts and logged by two
people; three of the accounts have owners, one of them (Delta's) the first logger."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.capture.interviews import InterviewDraft, log_interview
from storage.db import Database
from storage.models import Account
from tests.support.themed import group_pains

P1, P2, O1, O2 = "U0LOGGER1", "U0LOGGER2", "U0OWNER1", "U0OWNER2"
CALLS = [
    ("Acme", P1, "Exports are slow on big stores", "Jane Roe"),
    ("Beta", P1, "Exports are slow every Monday", "Sam Poe"),
    ("Cobalt", P2, "Exports are slow past ten shops", None),
    ("Delta", P2, "Exports are slow at month end", "Ada Moe"),
]
OWNERS = {"Acme": O1, "Cobalt": O2, "Delta": P1}
# Who is asked about which accounts: a logger what they heard, an owner what they own.
ASKED = {
    P1: ["Acme", "Beta", "Delta"],  # Acme and Beta logged, Delta owned
    P2: ["Cobalt", "Delta"],
    O1: ["Acme"],
    O2: ["Cobalt"],
}


def logged(
    db: Database,
    team_id: str,
    account: str,
    by: str,
    pain: str,
    contact: str | None,
    held_on: date,
    now: datetime,
) -> int:
    """One call stored through the capture service, as the log modal stores it: its id."""
    with db.transaction() as session:
        return log_interview(
            session=session,
            team_id=team_id,
            user_id=by,
            draft=InterviewDraft(
                account=account,
                kind="discovery",
                held_on=held_on,
                pains=pain,
                contact_name=contact,
                thank_you_sent=True,
                interpretation="Heard.",
            ),
            now=now,
            tz=ZoneInfo("UTC"),
            thank_you_after=timedelta(hours=24),
            summary_after=timedelta(hours=48),
        ).interview.id


def raised(db: Database, team_id: str, now: datetime) -> tuple[int, dict[str, int]]:
    """The four calls logged (2 to 5 November), the owners set, the pains in one theme: its id, and each
    account's call id."""
    ids = {
        account: logged(db, team_id, account, by, pain, contact, date(2026, 11, 2) + timedelta(days=n), now)
        for n, (account, by, pain, contact) in enumerate(CALLS)
    }
    with db.transaction() as session:
        for account in session.scalars(select(Account).where(Account.team_id == team_id)):
            account.owner_id = OWNERS.get(account.name)
    (theme_id,) = group_pains(db, team_id, [[c[2] for c in CALLS]])
    return theme_id, ids
