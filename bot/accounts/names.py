"""Accounts: one customer company, one name, whatever way people write it."""

from __future__ import annotations

import re
import unicodedata

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.text import clean_text
from storage.db import insert_once
from storage.models import Account, Interview, Participant, ScheduledCall

ACCOUNT_NAME_MAX = 75  # Slack's limit for an option's text, which is how accounts are picked

# Legal-form suffixes people add or leave out: "ACME Inc." and "Acme" are one account.
_LEGAL_SUFFIXES = {
    "inc",
    "incorporated",
    "llc",
    "llp",
    "ltd",
    "limited",
    "corp",
    "corporation",
    "co",
    "company",
    "gmbh",
    "ag",
    "sa",
    "sas",
    "sarl",
    "srl",
    "spa",
    "bv",
    "nv",
    "oy",
    "ab",
    "as",
    "plc",
    "pty",
    "kk",
}
# Separators between the words of a name; "+" and "#" are kept, so "C++ Inc" and "C# Corp" stay apart.
_NON_WORD = re.compile(r"[^\w+#]+|_+", re.UNICODE)


def normalize_account_name(name: str) -> str:
    """The key under which an account is unique: case, accents of width, punctuation and legal form
    removed. Letters of every script are kept, so non-Latin names stay distinct."""
    folded = unicodedata.normalize("NFKC", name).casefold()
    words = [w for w in _NON_WORD.split(folded) if w]
    while len(words) > 1 and words[-1] in _LEGAL_SUFFIXES:
        words.pop()
    return " ".join(words)


def display_name(name: str) -> str:
    """The name as typed, minus angle brackets: it is shown in plain-text places (option lists, headers)
    that cannot be escaped, and a company name never needs them."""
    return " ".join(clean_text(name).replace("<", " ").replace(">", " ").split())


def search_accounts(
    *, session: Session, team_id: str, query: str, limit: int = 20, known_to: str | None = None
) -> list[Account]:
    """Known accounts whose name contains what was typed; prefix matches first. With `known_to`, only
    the accounts of calls that person took part in or scheduled (what a guest may see)."""
    key = normalize_account_name(query)
    stmt = select(Account).where(Account.team_id == team_id)
    if known_to is not None:
        talked_to = (
            select(Interview.account_id)
            .join(Participant, Participant.interview_id == Interview.id)
            .where(Participant.team_id == team_id, Participant.user_id == known_to)
        )
        scheduled = select(ScheduledCall.account_id).where(
            ScheduledCall.team_id == team_id, ScheduledCall.created_by == known_to
        )
        stmt = stmt.where(Account.id.in_(talked_to.union(scheduled)))
    if key:
        escaped = key.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        stmt = stmt.where(Account.normalized_name.like(f"%{escaped}%", escape="\\"))
    accounts = list(session.scalars(stmt.order_by(Account.normalized_name).limit(200)))
    accounts.sort(key=lambda a: (not a.normalized_name.startswith(key), a.normalized_name))
    return accounts[:limit]


def find_account(*, session: Session, team_id: str, name: str) -> Account | None:
    return session.scalar(
        select(Account).where(
            Account.team_id == team_id, Account.normalized_name == normalize_account_name(name)
        )
    )


def get_or_create_account(*, session: Session, team_id: str, name: str) -> Account:
    """The account this name means, created on first mention (the first spelling becomes its name).

    Two people may create the same account at the same moment: the loser of the unique-key race
    reads the winner's row instead of failing.
    """
    existing = find_account(session=session, team_id=team_id, name=name)
    if existing is not None:
        return existing
    account = Account(team_id=team_id, name=display_name(name), normalized_name=normalize_account_name(name))
    if insert_once(session, account):
        return account
    winner = find_account(session=session, team_id=team_id, name=name)
    if winner is None:  # another key refused it: let the database's own error say which
        session.add(account)
        session.flush()
    return winner or account
