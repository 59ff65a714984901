"""An account's attributes in Slack, through signed requests and the fake Slack: `/interview list ACCOUNT`
shows its owner, segment, ARR (in the workspace's currency), CRM link and status; its owner and admins see
Edit and may change them; a member who is not its owner may not, whatever a forged click or submission
says; another workspace's account leads nowhere."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import select

from bot.accounts.attributes import AccountAttributes, AccountGone, change_account, set_workspace_currency
from bot.accounts.names import get_or_create_account
from bot.people.permissions import ACCOUNT_ADMINS
from handlers.views.account_form import AccountAction, AccountField, AccountView, account_form
from storage.models import Account, AccountStatus
from tests.conftest import RunningBot
from tests.support.after_ack import after_ack_done
from tests.support.slack_requests import USER_ID

OWNER = "U0OWNER"
MEMBER = "U0MEMBER"
ADMIN = "U0ADMIN"


@pytest.fixture
def backend() -> str:
    """SQLite: these tests are about Slack; the attributes' storage is tested on both in tests/storage."""
    return "sqlite"


@pytest.fixture
def team(bot: RunningBot) -> RunningBot:
    bot.fake.add_users(OWNER, MEMBER)
    bot.fake.set_user(ADMIN, is_admin=True)
    return bot


def make_account(bot: RunningBot, name: str = "ACME Inc.", team_id: str | None = None, **values: Any) -> int:
    def work(session: Any) -> int:
        account = get_or_create_account(session=session, team_id=team_id or bot.slack.team_id, name=name)
        change_account(session=session, account=account, values=values)
        return account.id

    return bot.db.run(work)


def stored(bot: RunningBot, account_id: int) -> Account:
    with bot.db.read() as session:
        account = session.scalar(select(Account).where(Account.id == account_id))
        assert account is not None
        session.expunge(account)
        return account


def listed(bot: RunningBot, user_id: str, name: str = "acme") -> list[dict[str, Any]]:
    body = bot.slack.command(f"list {name}", user_id=user_id).json()
    assert body["response_type"] == "ephemeral", body
    return body["blocks"]


def edit_buttons(blocks: list[dict[str, Any]]) -> list[str]:
    return [
        b["accessory"]["value"]
        for b in blocks
        if (b.get("accessory") or {}).get("action_id") == AccountAction.EDIT
    ]


def click_edit(bot: RunningBot, account_id: int, user_id: str) -> None:
    response = bot.slack.block_action(
        AccountAction.EDIT, block_id="account", value=str(account_id), user_id=user_id
    )
    assert response.status == 200


def form_values(
    *, owner: str | None = None, segment: str = "", arr: str = "", crm: str = "", status: str | None = None
) -> dict[str, Any]:
    def text(value: str) -> dict[str, Any]:
        return {AccountField.VALUE: {"type": "plain_text_input", "value": value}}

    option = {"value": status, "text": {"type": "plain_text", "text": status}} if status else None
    return {
        AccountField.OWNER: {AccountField.VALUE: {"type": "users_select", "selected_user": owner}},
        AccountField.SEGMENT: text(segment),
        AccountField.ARR: text(arr),
        AccountField.CRM: text(crm),
        AccountField.STATUS: {AccountField.VALUE: {"type": "static_select", "selected_option": option}},
    }


def forged_form(account_id: int) -> dict[str, Any]:
    return account_form("x", AccountAttributes(), currency="USD", account_id=account_id).to_dict()


def told(bot: RunningBot, user_id: str) -> list[str]:
    after_ack_done(bot.deps)
    return [c.args["text"] for c in bot.fake.calls("chat.postMessage") if c.args["channel"] == user_id]


def test_the_list_shows_the_attributes_and_edit_to_its_owner_and_admins(team: RunningBot) -> None:
    account_id = make_account(
        team, owner_id=OWNER, segment="Enterprise <!channel>", arr=420_000,
        crm_url="https://crm.example/a?id=1&x=|y", status=AccountStatus.CUSTOMER,
    )  # fmt: skip
    blocks = listed(team, MEMBER)
    shown = json.dumps(blocks[:2])
    assert f"*Owner* <@{OWNER}>" in shown and "*ARR* $420k" in shown and "*Status* Customer" in shown
    assert "Enterprise &lt;!channel&gt;" in shown  # typed text pings nobody
    assert "<https://crm.example/a?id=1&amp;x=%7Cy|Open in the CRM>" in shown
    assert edit_buttons(blocks) == []
    assert edit_buttons(listed(team, OWNER)) == [str(account_id)]
    assert edit_buttons(listed(team, ADMIN)) == [str(account_id)]
    team.db.run(lambda s: set_workspace_currency(session=s, team_id=team.slack.team_id, currency="EUR"))
    team.db.run(
        lambda s: change_account(session=s, account=s.get(Account, account_id), values={"arr": 1_200_000})
    )
    assert "*ARR* EUR 1.2M" in json.dumps(listed(team, MEMBER)[:2])


def test_its_owner_edits_it_and_what_is_wrong_keeps_the_form_open(team: RunningBot) -> None:
    account_id = make_account(team, owner_id=OWNER, arr=420_000)
    opened = len(team.fake.calls("views.open"))
    click_edit(team, account_id, OWNER)
    calls = team.fake.calls("views.open")
    assert len(calls) == opened + 1 and calls[-1].response["ok"], calls[-1].response
    form = calls[-1].response["view"]
    assert form["callback_id"] == AccountView.FORM and "420000" in json.dumps(form)
    wrong = team.slack.view_submission(
        form, form_values(owner=OWNER, arr="lots", crm="ftp://x"), user_id=OWNER
    )
    errors = wrong.json()["errors"]
    assert set(errors) == {AccountField.ARR, AccountField.CRM} and "“lots” is not understood" in errors["arr"]
    assert stored(team, account_id).arr == 420_000
    values = form_values(
        owner=MEMBER, segment="SMB", arr="$1.2M", crm="https://crm.example/1", status="churned"
    )
    saved = team.slack.view_submission(form, values, user_id=OWNER)
    assert saved.json()["response_action"] == "update" and "$1.2M" in json.dumps(saved.json()["view"])
    account = stored(team, account_id)
    assert (account.owner_id, account.segment, account.arr, account.crm_url, account.status) == (
        MEMBER, "SMB", 1_200_000, "https://crm.example/1", AccountStatus.CHURNED,
    )  # fmt: skip
    # It is the new owner's now: the one who handed it over may no more.
    refused = team.slack.view_submission(form, form_values(owner=OWNER), user_id=OWNER)
    assert refused.json()["errors"] == {AccountField.OWNER: ACCOUNT_ADMINS}
    assert stored(team, account_id).owner_id == MEMBER


def test_a_member_who_does_not_own_it_may_not_an_admin_may(team: RunningBot) -> None:
    account_id = make_account(team, owner_id=OWNER, segment="Enterprise")
    opened = len(team.fake.calls("views.open"))
    click_edit(team, account_id, MEMBER)  # a forged click: no button was shown
    assert told(team, MEMBER) == [ACCOUNT_ADMINS]
    assert len(team.fake.calls("views.open")) == opened
    refused = team.slack.view_submission(forged_form(account_id), form_values(segment="Mine"), user_id=MEMBER)
    assert refused.json() == {"response_action": "errors", "errors": {AccountField.OWNER: ACCOUNT_ADMINS}}
    assert stored(team, account_id).segment == "Enterprise"
    click_edit(team, account_id, ADMIN)
    assert len(team.fake.calls("views.open")) == opened + 1
    form = team.fake.calls("views.open")[-1].response["view"]
    assert team.slack.view_submission(form, form_values(owner=OWNER, segment="SMB"), user_id=ADMIN).accepted
    assert stored(team, account_id).segment == "SMB"


def test_another_workspaces_account_leads_nowhere(team: RunningBot) -> None:
    theirs = make_account(team, name="Secret Co", team_id="T0OTHER", owner_id=USER_ID, segment="Theirs")
    gone = AccountGone().user_message
    opened = len(team.fake.calls("views.open"))
    click_edit(team, theirs, USER_ID)
    assert told(team, USER_ID) == [gone]
    assert len(team.fake.calls("views.open")) == opened
    answer = team.slack.view_submission(forged_form(theirs), form_values(segment="Mine now"), user_id=USER_ID)
    assert answer.json()["errors"] == {AccountField.OWNER: gone}
    assert stored(team, theirs).segment == "Theirs"
    assert "I don't know an account called" in team.slack.command("list secret co").json()["text"]
