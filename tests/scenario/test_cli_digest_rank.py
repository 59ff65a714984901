"""`interview-bot digest preview --rank arr`: the same digest, its themes ranked by their accounts' ARR."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine
from sqlalchemy import select

from bot.cli.main import main
from storage import Database
from storage.models import Account
from tests.support.digest_data import NOW, log_theme

TEAM = "T0001"
DAY = date(2026, 11, 20)  # in the seven days up to NOW


@pytest.fixture
def weighed(database: Database, monkeypatch: pytest.MonkeyPatch) -> Database:
    """Three small accounts find reports slow; two large ones find onboarding slow."""
    log_theme(
        database, "Slow reports", [(a, DAY, f"{a}: reports are slow") for a in ("Acme", "Globex", "Hooli")]
    )
    log_theme(database, "Slow onboarding", [(a, DAY, f"{a}: onboarding is slow") for a in ("Wayne", "Stark")])
    arr = {"Acme": 10_000, "Globex": 20_000, "Hooli": 30_000, "Wayne": 900_000, "Stark": 1_500_000}
    with database.transaction() as session:
        for account in session.scalars(select(Account).where(Account.team_id == TEAM)):
            account.arr, account.segment = (
                arr[account.name],
                "Enterprise" if arr[account.name] > 1e5 else "SMB",
            )
    monkeypatch.setenv("DATABASE_URL", database.url)
    return database


def preview(capsys: pytest.CaptureFixture[str], *more: str) -> list[str]:
    with time_machine.travel(NOW, tick=False):
        code = main(["digest", "preview", "--team", TEAM, *more])
    out = capsys.readouterr().out
    assert code == 0, out
    return out.splitlines()


def test_preview_ranks_by_arr_when_asked(weighed: Database, capsys: pytest.CaptureFixture[str]) -> None:
    by_accounts = preview(capsys)
    assert by_accounts[
        by_accounts.index("Top topics, by the number of accounts that raised their pains (each counted once)")
        + 1
    ].startswith("  1. Slow reports: 3 accounts"), by_accounts
    assert "      3 accounts · $60k ARR · SMB 3" in by_accounts
    by_arr = preview(capsys, "--rank", "arr")
    head = by_arr.index("Top topics, by the ARR of the accounts that raised their pains (each counted once)")
    assert by_arr[head + 1].startswith("  1. Slow onboarding: 2 accounts"), by_arr
    assert by_arr[head + 2] == "      2 accounts · $2.4M ARR · Enterprise 2"


def test_an_unknown_ranking_is_refused_in_one_line(
    weighed: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["digest", "preview", "--team", TEAM, "--rank", "revenue"])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "invalid choice: 'revenue'" in err, err
