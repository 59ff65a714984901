"""An account's attributes as people type them: ARR from a CRM's export, links, owners, statuses."""

from __future__ import annotations

import pytest

from bot.accounts.attributes import check_attributes, format_arr, parse_arr
from bot.errors import InvalidInput
from storage.models import AccountStatus


@pytest.mark.parametrize(
    ("typed", "arr"),
    [
        ("420000", 420_000),
        ("420,000", 420_000),
        ("420k", 420_000),
        ("$420k", 420_000),
        ("$ 420K", 420_000),
        ("1.2M", 1_200_000),
        ("1.25 mm", 1_250_000),
        ("2bn", 2_000_000_000),
        ("USD 1.2M", 1_200_000),
        ("1,200,000 usd", 1_200_000),
        ("0", 0),
        ("  ", None),
        ("", None),
    ],
)
def test_arr_is_read_the_ways_crms_write_it(typed: str, arr: int | None) -> None:
    assert parse_arr(typed) == arr


@pytest.mark.parametrize(
    ("typed", "why"),
    [
        ("-5", "cannot be negative"),
        ("$-5k", "cannot be negative"),
        ("12.5", "whole amount"),
        ("1.2345k", "whole amount"),
        ("lots", "write a whole amount like"),
        ("1.2.3", "write a whole amount like"),
        ("EUR 420k", "it is in EUR, and the workspace's currency is USD"),
        ("1e9", "write a whole amount like"),
        ("99999999999999", "check the number"),
    ],
)
def test_what_is_not_an_arr_is_said(typed: str, why: str) -> None:
    with pytest.raises(ValueError, match="is not understood") as caught:
        parse_arr(typed)
    assert why in str(caught.value)
    assert typed.strip()[:10] in str(caught.value)


def test_arr_in_the_workspaces_own_currency_is_taken() -> None:
    assert parse_arr("EUR 1.2M", currency="EUR") == 1_200_000


@pytest.mark.parametrize(
    ("arr", "currency", "shown"),
    [
        (420_000, "USD", "$420k"),
        (1_200_000, "EUR", "EUR 1.2M"),
        (950, "USD", "$950"),
        (1_500, "USD", "$1.5k"),
        (999_999, "USD", "$1M"),
        (2_000_000_000, "GBP", "GBP 2B"),
        (0, "USD", "$0"),
    ],
)
def test_arr_is_shown_short_with_the_currency(arr: int, currency: str, shown: str) -> None:
    assert format_arr(arr, currency) == shown


def test_attributes_are_checked_and_each_wrong_field_named() -> None:
    values = check_attributes(
        {"owner": "<@U0AE>", "segment": "  Enterprise  plan ", "arr": "$420k", "crm": "https://crm.example/a/1",
         "status": "Customer"}
    )  # fmt: skip
    assert values == {
        "owner_id": "U0AE",
        "segment": "Enterprise plan",
        "arr": 420_000,
        "crm_url": "https://crm.example/a/1",
        "status": AccountStatus.CUSTOMER,
    }
    with pytest.raises(InvalidInput) as caught:
        check_attributes(
            {"owner": "dana", "segment": "x" * 101, "arr": "much", "crm": "javascript:alert(1)",
             "status": "lead"}
        )  # fmt: skip
    assert set(caught.value.fields) == {"owner", "segment", "arr", "crm", "status"}
    assert "not a Slack member id" in caught.value.fields["owner"]
    assert "http:// or https://" in caught.value.fields["crm"]
    assert "customer, prospect, churned" in caught.value.fields["status"]


def test_empty_fields_are_not_known() -> None:
    empty = check_attributes({"owner": "", "segment": " ", "arr": "", "crm": "", "status": ""})
    assert set(empty.values()) == {None}
