"""An account's attributes in Slack: the Edit button of `/interview list ACCOUNT` opens the form, and its
submission stores them. Who may (the account's owner, workspace admins) is asked again on the click and
on the submission, against the owner stored now: what a message or a modal showed is never taken for a
permission, and another workspace's account leads nowhere."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from sqlalchemy.orm import Session

from bot.accounts.attributes import (
    AccountAttributes,
    AccountGone,
    attributes_of,
    change_account,
    check_attributes,
    get_account,
    workspace_currency,
)
from bot.errors import InvalidInput
from bot.people.permissions import Act
from handlers.deps import Actor, Deps
from handlers.modals import open_modal
from handlers.views.account_form import (
    AccountAction,
    AccountField,
    AccountMetadata,
    AccountView,
    account_form,
    parse_account_form,
    saved_view,
)
from handlers.views.common import as_object, id_number


def register(app: App) -> None:
    app.action(AccountAction.EDIT)(edit_clicked)
    app.view_submission(AccountView.FORM)(submit_form)


def may_edit(actor: Actor, deps: Deps, owner_id: str | None) -> bool:
    """Whether to show this person the Edit button: the account's owner, or an admin (Slack is asked only
    when they are not its owner)."""
    return deps.may(actor, Act.CHANGE_ACCOUNT, is_owner=owner_id == actor.user_id)


def _require(
    actor: Actor, deps: Deps, session: Session, account_id: int | None
) -> tuple[str, AccountAttributes]:
    """The account's name and attributes, when this person may change it; else AccountGone or NotAllowed
    in the permission module's words."""
    deps.require(actor, Act.LIST_ACCOUNT)
    if account_id is None:
        raise AccountGone()
    account = get_account(session=session, team_id=actor.team_id, account_id=account_id)
    deps.require(actor, Act.CHANGE_ACCOUNT, is_owner=account.owner_id == actor.user_id)
    return account.name, attributes_of(account)


def edit_clicked(ack: Ack, body: dict[str, Any], actor: Actor, deps: Deps) -> None:
    account_id = id_number(as_object((body.get("actions") or [{}])[0]).get("value"))
    with deps.db.read() as session:
        name, attributes = _require(actor, deps, session, account_id)
        currency = workspace_currency(session=session, team_id=actor.team_id)
    assert account_id is not None  # _require said so
    view = account_form(name, attributes, currency=currency, account_id=account_id)
    open_modal(deps, actor, trigger_id=body.get("trigger_id"), view=view)
    ack()


def submit_form(ack: Ack, view: dict[str, Any], actor: Actor, deps: Deps) -> None:
    """The attributes stored, if this person may (asked again here, whatever the form's metadata says);
    fields to fix keep the form open, each saying what is wrong."""
    account_id = AccountMetadata.loads(view.get("private_metadata")).account_id
    typed = parse_account_form(view)
    with deps.db.read() as session:  # Slack may be asked who they are: not inside the write
        _require(actor, deps, session, account_id)
    assert account_id is not None  # _require said so

    def store(session: Session) -> tuple[str, AccountAttributes, str]:
        account = get_account(session=session, team_id=actor.team_id, account_id=account_id)
        currency = workspace_currency(session=session, team_id=actor.team_id)
        change_account(session=session, account=account, values=check_attributes(typed, currency=currency))
        return account.name, attributes_of(account), currency

    try:
        name, attributes, currency = deps.db.run(store)
    except InvalidInput as exc:
        errors = {AccountField(f): reason for f, reason in exc.fields.items() if f in set(AccountField)}
        ack(response_action="errors", errors=errors or {AccountField.OWNER: exc.user_message})
        return
    ack(response_action="update", view=saved_view(name, attributes, currency=currency, account_id=account_id))
