"""The weight behind a theme: its accounts' ARR summed and the segments they are in, so a pain reads
"5 accounts · $420k ARR · Enterprise 3, SMB 2" and a digest can rank by revenue as well as by count.

The digest and the App Home weigh a theme by the accounts that raised it in the period: the period's
accounts are read once (by their ids, one query with the workspace's currency), then each theme's weight is
summed in memory from the accounts the ranking already gathered, so the cost stays that of the period.
`/interview themes` weighs the themes it shows by every account that ever raised them, summed the same way."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from bot.accounts.attributes import DEFAULT_CURRENCY, format_arr
from bot.text import counted
from storage.models import Account, CustomerRequest, Pain, ThemeKind, Workspace

SEGMENTS_SHOWN = 3  # the largest; the rest are counted, so a line never runs on


@dataclass(frozen=True)
class Weight:
    accounts: int
    arr: int  # summed over the accounts whose ARR is known
    arr_known: int  # how many of the accounts have an ARR
    segments: tuple[tuple[str, int], ...]  # most accounts first; accounts with no segment are not listed
    currency: str = DEFAULT_CURRENCY

    def arr_words(self) -> str | None:
        """'$420k ARR', '$420k ARR (ARR known for 3 of 5)'; None when no account's ARR is known."""
        if not self.arr_known:
            return None
        words = f"{format_arr(self.arr, self.currency)} ARR"
        if self.arr_known < self.accounts:
            words += f" (ARR known for {self.arr_known} of {self.accounts})"
        return words

    def segment_words(self) -> str | None:
        """'Enterprise 3, SMB 2', with 'and 2 more segments' past SEGMENTS_SHOWN."""
        if not self.segments:
            return None
        shown = ", ".join(f"{name} {n}" for name, n in self.segments[:SEGMENTS_SHOWN])
        rest = len(self.segments) - SEGMENTS_SHOWN
        return shown + (f" and {counted(rest, 'more segment')}" if rest > 0 else "")

    def words(self) -> str | None:
        """'5 accounts · $420k ARR · Enterprise 3, SMB 2'; None when neither ARR nor segment is known (a
        workspace that keeps neither sees its digest as before)."""
        parts = [p for p in (self.arr_words(), self.segment_words()) if p]
        return " · ".join([counted(self.accounts, "account"), *parts]) if parts else None


@dataclass(frozen=True)
class AccountWeights:
    """The period's accounts' ARR and segment, by account id, in the workspace's currency."""

    arr: dict[int, int | None]
    segment: dict[int, str | None]
    currency: str = DEFAULT_CURRENCY

    def of(self, account_ids: Iterable[int]) -> Weight:
        ids = set(account_ids)
        known = [a for a in (self.arr.get(i) for i in ids) if a is not None]
        segments = Counter(s for s in (self.segment.get(i) for i in ids) if s)
        return Weight(
            accounts=len(ids),
            arr=sum(known),
            arr_known=len(known),
            segments=tuple(sorted(segments.items(), key=lambda item: (-item[1], item[0].casefold()))),
            currency=self.currency,
        )


def account_weights(*, session: Session, team_id: str, account_ids: Iterable[int]) -> AccountWeights:
    """One query for these accounts (the period's: bounded by it), the workspace's currency with them."""
    ids = sorted(set(account_ids))
    return _read(session, team_id, Account.id.in_(ids)) if ids else AccountWeights({}, {})


def theme_weights(
    *, session: Session, team_id: str, kind: ThemeKind, theme_ids: Iterable[int]
) -> dict[int, Weight]:
    """Each of these themes' weight over every account that ever raised it (for a list of themes, not a
    period): which accounts raised which theme (through its lines' index), then those accounts, once."""
    model = Pain if kind is ThemeKind.PAIN else CustomerRequest
    ids = sorted(set(theme_ids))
    if not ids:
        return {}
    lines = (model.team_id == team_id, model.theme_id.in_(ids))
    raised: dict[int, set[int]] = {theme_id: set() for theme_id in ids}
    for theme_id, account_id in session.execute(
        select(model.theme_id, model.account_id).where(*lines).distinct()
    ):
        raised[theme_id].add(account_id)
    # The accounts by a subquery, not by their ids: a list of long-lived themes may span thousands.
    weights = _read(session, team_id, Account.id.in_(select(model.account_id).where(*lines)))
    return {theme_id: weights.of(accounts) for theme_id, accounts in raised.items()}


def _read(session: Session, team_id: str, which: ColumnElement[bool]) -> AccountWeights:
    """The ARR and segment of the workspace's accounts `which` picks. The currency comes in the same query
    (a workspace that never set one reads as USD): no account read, no ARR to show in it."""
    currency = select(Workspace.currency).where(Workspace.team_id == team_id).scalar_subquery()
    arr: dict[int, int | None] = {}
    segment: dict[int, str | None] = {}
    code = DEFAULT_CURRENCY
    rows = session.execute(
        select(Account.id, Account.arr, Account.segment, currency).where(Account.team_id == team_id, which)
    )
    for account_id, value, seg, workspace_code in rows:
        arr[account_id], segment[account_id] = value, seg
        code = workspace_code or DEFAULT_CURRENCY
    return AccountWeights(arr, segment, code)
