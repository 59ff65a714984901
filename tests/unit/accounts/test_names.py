"""Account names as people type them: one company, one key."""

from __future__ import annotations

import pytest

from bot.accounts.names import display_name, normalize_account_name


@pytest.mark.parametrize("name", ["ACME Inc.", "Acme", "acme", "Acme, Inc", " ACME   LLC ", "Ａｃｍｅ"])
def test_spellings_of_one_company_share_one_key(name: str) -> None:
    assert normalize_account_name(name) == "acme"


def test_different_companies_and_scripts_stay_apart() -> None:
    keys = {normalize_account_name(n) for n in ["Acme", "Acme Labs", "株式会社ソニー", "Сбербанк", "Inc"]}
    assert len(keys) == 5
    assert normalize_account_name("🚀") == ""
    assert normalize_account_name("C++ Inc") != normalize_account_name("C# Corp")


def test_display_name_keeps_the_spelling_but_not_angle_brackets() -> None:
    assert display_name("  Société   Générale ") == "Société Générale"
    assert display_name("<!channel> Acme") == "!channel Acme"
