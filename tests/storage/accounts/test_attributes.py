"""An account's attributes stored, changed only where they differ; the workspace's currency."""

from __future__ import annotations

import pytest

from bot.accounts.attributes import (
    AccountGone,
    attributes_of,
    change_account,
    get_account,
    set_workspace_currency,
    workspace_currency,
)
from bot.accounts.names import get_or_create_account
from bot.errors import InvalidInput
from storage import Database
from storage.models import AccountStatus


def test_attributes_change_only_where_they_differ(database: Database) -> None:
    account_id = database.run(lambda s: get_or_create_account(session=s, team_id="T1", name="ACME Inc.").id)
    values = {"owner_id": "U0AE", "arr": 420_000, "status": AccountStatus.CUSTOMER}

    def change(session, values=values):  # type: ignore[no-untyped-def]
        account = get_account(session=session, team_id="T1", account_id=account_id)
        return change_account(session=session, account=account, values=values)

    assert database.run(change) is True
    assert database.run(change) is False
    with database.read() as session:
        account = get_account(session=session, team_id="T1", account_id=account_id)
        assert attributes_of(account).arr == 420_000 and account.segment is None
        with pytest.raises(AccountGone):
            get_account(session=session, team_id="T2", account_id=account_id)


def test_the_workspace_currency_is_usd_until_set_to_a_code(database: Database) -> None:
    with database.read() as session:
        assert workspace_currency(session=session, team_id="T1") == "USD"
    database.run(lambda s: set_workspace_currency(session=s, team_id="T1", currency="EUR"))
    database.run(lambda s: set_workspace_currency(session=s, team_id="T1", currency="GBP"))
    for bad in ("eur", "EURO", "€", ""):
        with pytest.raises(InvalidInput, match="not a currency code"):
            database.run(lambda s, bad=bad: set_workspace_currency(session=s, team_id="T1", currency=bad))
    with database.read() as session:
        assert workspace_currency(session=session, team_id="T1") == "GBP"
        assert workspace_currency(session=session, team_id="T2") == "USD"
