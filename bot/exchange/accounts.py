"""The accounts' sheet, out and in: one row per account with its owner, segment, ARR, CRM link and status,
as a CRM exports them. Read strictly (a bad row is named by its line and what to fix), names matched as
the account picker matches them ("ACME Inc." is "acme"), each row stored on its own so a row the database
refuses leaves nothing. An empty cell leaves what is stored: a CRM's export with a blank owner does not
wipe the owner someone set in Slack. Importing the same file twice changes nothing.
"""

from __future__ import annotations

import csv
import enum
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, TextIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.accounts.attributes import ATTRIBUTES, FIELD_NAMES, change_account, check_attributes
from bot.accounts.names import (
    ACCOUNT_NAME_MAX,
    display_name,
    find_account,
    get_or_create_account,
    normalize_account_name,
)
from bot.errors import InvalidInput
from bot.exchange.cells import BOM, Column, HeaderError, defuse, locate_columns, named_width, restore
from storage.models import Account

ACCOUNT_COLUMNS: tuple[Column, ...] = (
    Column("account", "account"),
    Column("owner", "owner"),
    Column("segment", "segment"),
    Column("arr", "arr"),
    Column("crm", "crm"),
    Column("status", "status"),
)
ACCOUNT_HEADERS = tuple(c.header for c in ACCOUNT_COLUMNS)
REQUIRED = ("account",)
CELL_MAX = 4000  # past any cell of this sheet (a CRM link is the longest): a cell this long is a mistake
READER_LIMIT = 1 << 20


class Outcome(enum.StrEnum):
    CREATED = "created"
    CHANGED = "changed"
    UNCHANGED = "unchanged"


@dataclass(frozen=True)
class AccountRow:
    """One good row: the account as the file names it, and the attributes its non-empty cells set."""

    line: int
    name: str
    values: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Rejected:
    line: int
    reason: str


@dataclass
class AccountSheet:
    rows: list[AccountRow]
    rejected: list[Rejected]
    ignored: list[str]  # headers the import does not read


def _check_row(record: list[str], columns: Mapping[str, int], *, line: int, currency: str) -> AccountRow:
    """One record as a row to store; raises ValueError saying what to fix."""
    for key, at in columns.items():
        if at < len(record) and len(record[at]) > CELL_MAX:
            raise ValueError(
                f"{key}: the cell has {len(record[at]):,} characters; keep it under {CELL_MAX:,}"
            )
        if at < len(record) and "\0" in record[at]:
            raise ValueError(f"{key}: the cell holds a NUL character; take it out")
    cells = {key: restore(record[at]).strip() if at < len(record) else "" for key, at in columns.items()}
    name = display_name(cells.pop("account", ""))
    if not normalize_account_name(name):
        raise ValueError("account: the row names no account (a company's name, like Acme)")
    if len(name) > ACCOUNT_NAME_MAX:
        raise ValueError(f"account: keep the name under {ACCOUNT_NAME_MAX} characters")
    try:
        values = check_attributes({k: v for k, v in cells.items() if v}, currency=currency)
    except InvalidInput as exc:
        raise ValueError("; ".join(exc.fields.values())) from None
    return AccountRow(line, name, values)


def read_accounts(
    source: Iterable[str], *, mapping: Mapping[str, str] | None = None, currency: str
) -> AccountSheet:
    """The file's rows checked (raises HeaderError when its first line names no account column). A row
    naming an account a row above named already is rejected: one row per account, so a second import
    finds every account as the first left it."""
    csv.field_size_limit(READER_LIMIT)
    counted = _Counted(source)
    reader = csv.reader(counted, strict=True)
    try:
        header = next(reader, None)
    except csv.Error as exc:
        raise HeaderError(f"line 1 cannot be read as CSV ({exc})") from None
    if header is None:
        raise HeaderError("the file is empty: its first line should name the columns, like account,owner,arr")
    columns = locate_columns(header, mapping, columns=ACCOUNT_COLUMNS, required=REQUIRED)
    width = named_width(header)
    read = set(columns.values())
    sheet = AccountSheet(
        [], [], [h.removeprefix(BOM) for at, h in enumerate(header[:width]) if at not in read]
    )
    first_line: dict[str, int] = {}
    while True:
        line = counted.read + 1
        try:
            record = next(reader, None)
        except csv.Error as exc:
            sheet.rejected.append(Rejected(line, f"the line cannot be read as CSV ({exc}); nothing after it"))
            break
        if record is None:
            break
        if not any(cell.strip() for cell in record):
            continue
        if any(cell.strip() for cell in record[width:]):
            sheet.rejected.append(
                Rejected(
                    line,
                    f"the row has more cells than the header's {width}: put a cell with a comma in quotes",
                )
            )
            continue
        try:
            row = _check_row(record, columns, line=line, currency=currency)
        except ValueError as exc:
            sheet.rejected.append(Rejected(line, str(exc)))
            continue
        key = normalize_account_name(row.name)
        if key in first_line:
            sheet.rejected.append(
                Rejected(
                    line, f"account: the same account as line {first_line[key]}; keep one row per account"
                )
            )
            continue
        first_line[key] = line
        sheet.rows.append(row)
    return sheet


class _Counted:
    """The source's lines, counted as the csv reader takes them (a quoted cell may span lines)."""

    def __init__(self, source: Iterable[str]) -> None:
        self._source = iter(source)
        self.read = 0

    def __iter__(self) -> _Counted:
        return self

    def __next__(self) -> str:
        line = next(self._source)
        self.read += 1
        return line


def outcome_of(*, session: Session, team_id: str, row: AccountRow) -> Outcome:
    """What storing the row would do, without storing it (a dry run)."""
    account = find_account(session=session, team_id=team_id, name=row.name)
    if account is None:
        return Outcome.CREATED
    same = all(getattr(account, name) == value for name, value in row.values.items())
    return Outcome.UNCHANGED if same else Outcome.CHANGED


def store_account_row(*, session: Session, team_id: str, row: AccountRow) -> Outcome:
    """The row's account, created if the workspace has none of that name, with its attributes set."""
    known = find_account(session=session, team_id=team_id, name=row.name)
    account = known or get_or_create_account(session=session, team_id=team_id, name=row.name)
    changed = change_account(session=session, account=account, values=row.values)
    if known is None:
        return Outcome.CREATED
    return Outcome.CHANGED if changed else Outcome.UNCHANGED


def account_cells(account: Account) -> list[str]:
    """An account's cells, in ACCOUNT_COLUMNS' order, before defusing; ARR as a plain whole number."""
    values = {FIELD_NAMES[name]: getattr(account, name) for name in ATTRIBUTES}
    return [
        account.name,
        values["owner"] or "",
        values["segment"] or "",
        "" if values["arr"] is None else str(values["arr"]),
        values["crm"] or "",
        values["status"].value if values["status"] else "",
    ]


def export_accounts(*, session: Session, team_id: str) -> Iterator[list[str]]:
    """The workspace's accounts as defused rows, by name."""
    stmt = (
        select(Account)
        .where(Account.team_id == team_id)
        .order_by(Account.normalized_name, Account.id)
        .execution_options(yield_per=500)
    )
    for account in session.scalars(stmt):
        yield [defuse(cell) for cell in account_cells(account)]


def write_accounts_csv(rows: Iterator[list[str]], out: TextIO) -> int:
    """The sheet onto `out` (opened with newline=""): a BOM, the headers, the rows; the row count."""
    out.write(BOM)
    writer = csv.writer(out)
    writer.writerow(ACCOUNT_HEADERS)
    count = 0
    for row in rows:
        writer.writerow(row)
        count += 1
    return count
