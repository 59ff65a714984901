"""What the team knows of an account beside its calls: its owner (a Slack member), segment, annual revenue
(ARR, whole units of the workspace's currency), CRM link and status; and the workspace's currency.

Values come typed (a CRM's export, a modal) and are checked here, once, for both: `check_attributes` reads
what was typed, `change_account` stores what changed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, fields
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.errors import BotError, InvalidInput
from bot.text import clean_text
from storage.db import insert_once
from storage.models import Account, AccountStatus, Workspace

DEFAULT_CURRENCY = "USD"
SEGMENT_MAX = 100  # the column's length
CRM_URL_MAX = 2000
ARR_MAX = 10**13  # ten trillion: past any company's revenue, far inside the column's 64 bits
CURRENCY_CODE = re.compile(r"[A-Z]{3}")  # ISO 4217: three capital letters
_OWNER = re.compile(r"[UW][A-Z0-9]{2,31}")
_SUFFIXES = {"k": 10**3, "m": 10**6, "mm": 10**6, "b": 10**9, "bn": 10**9}
_SYMBOLS = "$€£¥"
# "$420k", "EUR 1.2M", "1,200,000 USD": an optional symbol or code, a number, an optional k/M/B.
_ARR = re.compile(
    r"(?P<code1>[A-Za-z]{3})?\s*(?P<symbol>[$€£¥])?\s*(?P<number>[0-9][0-9,_ ]*(?:\.[0-9]+)?)\s*"
    r"(?P<suffix>k|m|mm|b|bn)?\s*(?P<code2>[A-Za-z]{3})?",
    re.IGNORECASE,
)


class AccountGone(BotError):
    def __init__(self) -> None:
        super().__init__(
            "That account is gone, or is not this workspace's. /interview list ACCOUNT finds one."
        )


@dataclass(frozen=True)
class AccountAttributes:
    """An account's attributes; None is "not known"."""

    owner_id: str | None = None
    segment: str | None = None
    arr: int | None = None
    crm_url: str | None = None
    status: AccountStatus | None = None


ATTRIBUTES = tuple(f.name for f in fields(AccountAttributes))
# What the sheet and the modal call each attribute (the names InvalidInput's fields use).
FIELD_NAMES = {"owner_id": "owner", "segment": "segment", "arr": "arr", "crm_url": "crm", "status": "status"}


def attributes_of(account: Account) -> AccountAttributes:
    return AccountAttributes(**{name: getattr(account, name) for name in ATTRIBUTES})


def parse_arr(raw: str, *, currency: str = DEFAULT_CURRENCY) -> int | None:
    """ARR as typed ("420000", "420,000", "420k", "$420k", "1.2M", "EUR 1.2M") in whole units; None for an
    empty cell. Raises ValueError saying what was not understood: a negative or fractional amount, another
    currency's code, anything that is not an amount."""
    text = " ".join(raw.split())
    if not text:
        return None
    if text.startswith("-") or text.startswith(tuple(f"{s}-" for s in _SYMBOLS)):
        return _bad_arr(text, "ARR cannot be negative")
    match = _ARR.fullmatch(text)
    if match is None or (match["code1"] and match["code2"]):
        return _bad_arr(text, "write a whole amount like 420000, 420,000, 420k or 1.2M")
    code = (match["code1"] or match["code2"] or "").upper()
    if code and code != currency:
        return _bad_arr(text, f"it is in {code}, and the workspace's currency is {currency}")
    try:
        number = Decimal(re.sub(r"[,_ ]", "", match["number"]))
    except InvalidOperation:
        return _bad_arr(text, "write a whole amount like 420000, 420,000, 420k or 1.2M")
    amount = number * _SUFFIXES.get((match["suffix"] or "").lower(), 1)
    if amount != amount.to_integral_value():
        return _bad_arr(text, "ARR is a whole amount (no cents)")
    if amount > ARR_MAX:
        return _bad_arr(text, f"more than {ARR_MAX:,}: check the number")
    return int(amount)


def _bad_arr(text: str, why: str) -> int:
    raise ValueError(f"“{text[:40]}” is not understood: {why}")


def format_arr(arr: int, currency: str = DEFAULT_CURRENCY) -> str:
    """ARR as a reader takes it in: "$420k", "EUR 1.2M", "$950"; US dollars with their sign, others with
    their code."""
    value, unit = Decimal(arr), ""
    for step, name in ((10**9, "B"), (10**6, "M"), (10**3, "k")):
        if arr >= step:
            value, unit = Decimal(arr) / step, name
            break
    number = f"{value:.1f}".removesuffix(".0") if unit else str(arr)
    if unit == "k" and number == "1000":  # 999,950 and up: a million, not "1000k"
        number, unit = "1", "M"
    elif unit == "M" and number == "1000":
        number, unit = "1", "B"
    return f"${number}{unit}" if currency == "USD" else f"{currency} {number}{unit}"


def _owner(raw: str) -> str | None:
    text = raw.strip().removeprefix("<@").removesuffix(">").split("|")[0].strip()
    if not text:
        return None
    if not _OWNER.fullmatch(text):
        raise ValueError(f"“{raw.strip()[:40]}” is not a Slack member id (like U0123ABCD)")
    return text


def _segment(raw: str) -> str | None:
    text = " ".join(clean_text(raw).split())
    if len(text) > SEGMENT_MAX:
        raise ValueError(f"keep it under {SEGMENT_MAX} characters")
    return text or None


def _crm_url(raw: str) -> str | None:
    text = raw.strip()
    if not text:
        return None
    parts = urlsplit(text) if len(text) <= CRM_URL_MAX else None
    if parts is None or parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        raise ValueError(f"“{text[:40]}” is not a web link (http:// or https://)")
    if any(c.isspace() or c in "<>" for c in text):
        raise ValueError("a link has no spaces or angle brackets")
    return text


def _status(raw: str) -> AccountStatus | None:
    text = raw.strip().casefold()
    if not text:
        return None
    try:
        return AccountStatus(text)
    except ValueError:
        said = ", ".join(s.value for s in AccountStatus)
        raise ValueError(f"“{raw.strip()[:40]}” is none of {said}") from None


def check_attributes(typed: Mapping[str, str], *, currency: str = DEFAULT_CURRENCY) -> dict[str, Any]:
    """What was typed for some attributes ({"owner": "U0123", "arr": "$420k", ...}: FIELD_NAMES' names) as
    their values, an empty one as None. Raises InvalidInput naming each field that is wrong and why."""
    readers = {
        "owner": _owner,
        "segment": _segment,
        "arr": lambda raw: parse_arr(raw, currency=currency),
        "crm": _crm_url,
        "status": _status,
    }
    by_field = {field: name for name, field in FIELD_NAMES.items()}
    values: dict[str, Any] = {}
    problems: dict[str, str] = {}
    for field, raw in typed.items():
        try:
            values[by_field[field]] = readers[field](raw)
        except ValueError as exc:
            problems[field] = f"{field}: {exc}"
    if problems:
        raise InvalidInput(problems)
    return values


def get_account(*, session: Session, team_id: str, account_id: int) -> Account:
    """The workspace's account with this id; AccountGone for another workspace's or none."""
    account = session.get(Account, account_id)
    if account is None or account.team_id != team_id:
        raise AccountGone()
    return account


def change_account(*, session: Session, account: Account, values: Mapping[str, Any]) -> bool:
    """Set these attributes (checked values, by ATTRIBUTES' names); whether any changed."""
    changed = False
    for name, value in values.items():
        if name not in ATTRIBUTES:
            raise ValueError(f"{name} is not an account attribute")
        if getattr(account, name) != value:
            setattr(account, name, value)
            changed = True
    if changed:
        session.flush()
    return changed


def workspace_currency(*, session: Session, team_id: str) -> str:
    """The currency the workspace's ARR is in (USD until it says otherwise)."""
    return session.scalar(select(Workspace.currency).where(Workspace.team_id == team_id)) or DEFAULT_CURRENCY


def set_workspace_currency(*, session: Session, team_id: str, currency: str) -> str:
    """Set the workspace's currency (an ISO 4217 code, three capital letters); InvalidInput otherwise."""
    code = currency.strip()
    if not CURRENCY_CODE.fullmatch(code):
        raise InvalidInput({"currency": f"currency: “{code[:20]}” is not a currency code like USD or EUR"})
    row = session.get(Workspace, team_id)
    if row is None:
        row = Workspace(team_id=team_id, currency=code)
        if insert_once(session, row):
            return code
        row = session.get(Workspace, team_id)
        assert row is not None  # the other insert won
    row.currency = code
    session.flush()
    return code
