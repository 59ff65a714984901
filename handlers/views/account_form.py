"""An account's attributes: the lines `/interview list ACCOUNT` shows at its top (with an Edit button for
those who may), and the small modal that edits them, read back as typed (bot.accounts.attributes checks)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from slack_sdk.models.blocks import (
    Block,
    ButtonElement,
    InputBlock,
    Option,
    PlainTextInputElement,
    StaticSelectElement,
    UserSelectElement,
)
from slack_sdk.models.views import View

from bot.accounts.attributes import CRM_URL_MAX, SEGMENT_MAX, AccountAttributes, format_arr
from bot.text import escape_mrkdwn
from handlers.views.common import (
    as_object,
    context,
    id_number,
    input_value,
    is_user_id,
    json_object,
    modal,
    plain,
    section,
    user_mention,
)
from storage.models import AccountStatus

ARR_TYPED_MAX = 40


class AccountAction(StrEnum):
    EDIT = "account_edit"


class AccountView(StrEnum):
    FORM = "account_form"
    SAVED = "account_saved"


class AccountField(StrEnum):
    """Block ids of the form's inputs; named as bot.accounts.attributes names the fields."""

    OWNER = "owner"
    SEGMENT = "segment"
    ARR = "arr"
    CRM = "crm"
    STATUS = "status"
    VALUE = "value"  # the action_id of each input: the block id tells the fields apart


@dataclass(frozen=True)
class AccountMetadata:
    account_id: int | None = None

    def dumps(self) -> str:
        return json.dumps({"account_id": self.account_id}, separators=(",", ":"))

    @classmethod
    def loads(cls, raw: object) -> AccountMetadata:
        value = json_object(raw if isinstance(raw, str) else None).get("account_id")
        return cls(id_number(value) if isinstance(value, int) else None)


STATUS_LABELS = {
    AccountStatus.CUSTOMER: "Customer",
    AccountStatus.PROSPECT: "Prospect",
    AccountStatus.CHURNED: "Churned",
}


def _crm_link(url: str) -> str:
    """A link Slack draws: the URL was checked (http(s), no spaces or angle brackets); a "|" would end
    it early, so it is sent encoded."""
    return f"<{escape_mrkdwn(url).replace('|', '%7C')}|Open in the CRM>"


def attribute_blocks(
    attributes: AccountAttributes, *, currency: str, account_id: int, may_edit: bool
) -> list[Block]:
    """Owner, segment, ARR, status and CRM link in one section; Edit beside them for who may."""
    parts = []
    if attributes.owner_id:
        parts.append(f"*Owner* {user_mention(attributes.owner_id)}")
    if attributes.segment:
        parts.append(f"*Segment* {escape_mrkdwn(attributes.segment)}")
    if attributes.arr is not None:
        parts.append(f"*ARR* {escape_mrkdwn(format_arr(attributes.arr, currency))}")
    if attributes.status:
        parts.append(f"*Status* {STATUS_LABELS[attributes.status]}")
    if attributes.crm_url:
        parts.append(_crm_link(attributes.crm_url))
    edit = (
        ButtonElement(text=plain("Edit", 75), action_id=AccountAction.EDIT, value=str(account_id))
        if may_edit
        else None
    )
    if not parts:
        if edit is None:
            return [context("No owner, segment or ARR yet: its owner or an admin can set them.")]
        return [section("No owner, segment, ARR or CRM link yet.", accessory=edit)]
    return [section(" · ".join(parts), accessory=edit)]


def _text(field: AccountField, label: str, initial: str | None, max_length: int, hint: str) -> InputBlock:
    return InputBlock(
        block_id=field,
        label=plain(label),
        optional=True,
        hint=plain(hint, 2000),
        element=PlainTextInputElement(
            action_id=AccountField.VALUE,
            max_length=max_length,
            initial_value=initial[:max_length] if initial else None,
        ),
    )


def _status_option(status: AccountStatus) -> Option:
    return Option(value=status.value, text=plain(STATUS_LABELS[status], 75))


def account_form(name: str, attributes: AccountAttributes, *, currency: str, account_id: int) -> View:
    """The modal that edits an account's attributes, filled in with what is stored."""
    owner = attributes.owner_id if attributes.owner_id and is_user_id(attributes.owner_id) else None
    blocks: list[Block] = [
        InputBlock(
            block_id=AccountField.OWNER,
            label=plain("Owner"),
            optional=True,
            hint=plain("The account executive or CSM. Owners and workspace admins may edit this.", 2000),
            element=UserSelectElement(action_id=AccountField.VALUE, initial_user=owner),
        ),
        _text(AccountField.SEGMENT, "Segment or plan", attributes.segment, SEGMENT_MAX, "Enterprise, SMB, …"),
        _text(
            AccountField.ARR,
            f"ARR ({currency})",
            str(attributes.arr) if attributes.arr is not None else None,
            ARR_TYPED_MAX,
            "Annual revenue, a whole amount: 420000, 420k or 1.2M.",
        ),
        _text(AccountField.CRM, "CRM link", attributes.crm_url, CRM_URL_MAX, "https://…"),
        InputBlock(
            block_id=AccountField.STATUS,
            label=plain("Status"),
            optional=True,
            element=StaticSelectElement(
                action_id=AccountField.VALUE,
                options=[_status_option(s) for s in AccountStatus],
                initial_option=_status_option(attributes.status) if attributes.status else None,
            ),
        ),
    ]
    return modal(
        callback_id=AccountView.FORM,
        title=f"Edit {name}",
        blocks=blocks,
        private_metadata=AccountMetadata(account_id).dumps(),
    )


def parse_account_form(view: dict[str, Any]) -> dict[str, str]:
    """What was submitted, as text by field name (anything missing or forged reads as nothing typed)."""
    values = as_object(as_object(view.get("state")).get("values"))

    def read(field: AccountField, key: str) -> str:
        value = input_value(values, field).get(key)
        if key == "selected_option":
            value = as_object(value).get("value")
        return value if isinstance(value, str) else ""

    return {
        "owner": read(AccountField.OWNER, "selected_user"),
        "segment": read(AccountField.SEGMENT, "value"),
        "arr": read(AccountField.ARR, "value")[:ARR_TYPED_MAX],
        "crm": read(AccountField.CRM, "value")[:CRM_URL_MAX],
        "status": read(AccountField.STATUS, "selected_option"),
    }


def saved_view(name: str, attributes: AccountAttributes, *, currency: str, account_id: int) -> View:
    """What the modal turns into once saved: the account's attributes as they are now."""
    blocks = attribute_blocks(attributes, currency=currency, account_id=account_id, may_edit=False)
    return modal(
        callback_id=AccountView.SAVED,
        title=f"Saved: {name}",
        blocks=[section(f"*{escape_mrkdwn(name)}* is saved."), *blocks],
        submit=None,
        close="Done",
    )
