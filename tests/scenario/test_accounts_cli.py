"""`interview-bot accounts import` and `accounts export` as an operator runs them: a CRM's export with its
own headers read through --map, names matched as the account picker matches them, a bad row named by its
line and leaving nothing, the same file twice changing nothing, and an export that imports back the same."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.accounts.names import get_or_create_account
from bot.cli.main import main
from storage import Database
from storage.models import Account, AccountStatus

CRM_HEADER = "Company,Account Owner,Tier,Annual Revenue,CRM URL,Stage,Notes\n"
CRM_ROWS = [
    "ACME Inc.,U0AE1,Enterprise,$420k,https://crm.example/a/1,Customer,big one",
    'Globex,U0AE1,SMB,"42,000",https://crm.example/a/2,customer,',
    "Initech,U0AE2,Enterprise,1.2M,,Prospect,",
    "Hooli,U0AE2,Mid-market,EUR 30k,,customer,",  # line 5: another currency than the workspace's
    "Umbrella,W0AE3,Enterprise,2.5M,https://crm.example/a/5,customer,",
    "Wonka,U0AE3,SMB,15000,,churned,",
    "Stark,U0AE1,Enterprise,900k,,customer,",
    "Wayne,U0AE2,Enterprise,1.1M,,customer,",
    "Tyrell,U0AE3,Mid-market,250k,,prospect,",
    "Cyberdyne,U0AE1,SMB,12k,,customer,",
    "Soylent,U0AE2,SMB,8k,,churned,",
    "Oscorp,U0AE3,Mid-market,300000,,customer,",
    "=HYPERLINK(1),U0AE1,SMB,5k,,customer,",  # a formula, kept as text
]
MAPS = [
    "--map", "account=Company", "--map", "owner=Account Owner", "--map", "segment=Tier",
    "--map", "arr=Annual Revenue", "--map", "crm=CRM URL", "--map", "status=Stage",
]  # fmt: skip


def cli(
    db: Database, monkeypatch: pytest.MonkeyPatch, capsysbinary: pytest.CaptureFixture[bytes], *args: str
) -> tuple[int, str, str]:
    monkeypatch.setenv("DATABASE_URL", db.url)
    code = main(list(args))
    out, err = capsysbinary.readouterr()
    return code, out.decode("utf-8"), err.decode("utf-8")


def accounts(db: Database, team_id: str) -> dict[str, Account]:
    with db.read() as session:
        rows = session.scalars(select(Account).where(Account.team_id == team_id)).all()
        for row in rows:
            session.expunge(row)
        return {a.name: a for a in rows}


def rows_of(text: str) -> list[dict[str, str]]:
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"), newline="")))


def test_a_crm_export_comes_in_with_its_own_headers_once_and_goes_back_out(
    database: Database,
    monkeypatch: pytest.MonkeyPatch,
    capsysbinary: pytest.CaptureFixture[bytes],
    tmp_path: Path,
) -> None:
    # "Acme" was logged before: the CRM's "ACME Inc." is that account, not a new one.
    database.run(lambda s: get_or_create_account(session=s, team_id="T1", name="Acme"))
    sheet = tmp_path / "crm.csv"
    sheet.write_text("\ufeff" + CRM_HEADER + "\n".join(CRM_ROWS) + "\n", encoding="utf-8")

    code, out, _ = cli(database, monkeypatch, capsysbinary, "accounts", "import", "--team", "T1",
                       str(sheet), "--dry-run", *MAPS)  # fmt: skip
    assert code == 1
    assert "line 2: would be changed: ACME Inc." in out and "line 3: would be created: Globex" in out
    assert "11 accounts would be created, 1 would be changed, 0 unchanged, 1 rejected" in out
    assert set(accounts(database, "T1")) == {"Acme"}  # a dry run writes nothing

    code, _, err = cli(database, monkeypatch, capsysbinary, "accounts", "import", "--team", "T1",
                       str(sheet), *MAPS)  # fmt: skip
    assert code == 1
    assert "warning: the column 'Notes' is not one the import knows" in err
    assert (
        "line 5: rejected: arr: “EUR 30k” is not understood: it is in EUR, and the workspace's currency "
        "is USD" in err
    )
    assert "crm.csv: 11 accounts created, 1 changed, 0 unchanged, 1 rejected" in err
    stored = accounts(database, "T1")
    assert len(stored) == 12 and "Hooli" not in stored  # the bad row left not even its account
    acme = stored["Acme"]  # the first spelling stays the name
    assert (acme.owner_id, acme.segment, acme.arr, acme.crm_url, acme.status) == (
        "U0AE1", "Enterprise", 420_000, "https://crm.example/a/1", AccountStatus.CUSTOMER,
    )  # fmt: skip
    assert stored["Globex"].arr == 42_000 and stored["Initech"].arr == 1_200_000
    assert stored["Umbrella"].owner_id == "W0AE3" and stored["Initech"].crm_url is None
    assert stored["=HYPERLINK(1)"].arr == 5_000

    code, _, err = cli(database, monkeypatch, capsysbinary, "accounts", "import", "--team", "T1",
                       str(sheet), *MAPS)  # fmt: skip
    assert "crm.csv: 0 accounts created, 0 changed, 12 unchanged, 1 rejected" in err

    code, first, err = cli(database, monkeypatch, capsysbinary, "accounts", "export", "--team", "T1")
    assert code == 0 and "12 accounts of T1 exported" in err
    exported = rows_of(first)
    assert list(exported[0]) == ["account", "owner", "segment", "arr", "crm", "status"]
    by_name = {r["account"]: r for r in exported}
    assert by_name["Acme"] == {
        "account": "Acme", "owner": "U0AE1", "segment": "Enterprise", "arr": "420000",
        "crm": "https://crm.example/a/1", "status": "customer",
    }  # fmt: skip
    assert "'=HYPERLINK(1)" in by_name  # defused
    out_file = tmp_path / "out.csv"
    out_file.write_text(first, encoding="utf-8", newline="")
    code, _, err = cli(
        database, monkeypatch, capsysbinary, "accounts", "import", "--team", "T0NEW", str(out_file)
    )
    assert code == 0 and "12 accounts created, 0 changed, 0 unchanged, 0 rejected" in err
    code, again, _ = cli(database, monkeypatch, capsysbinary, "accounts", "export", "--team", "T0NEW")
    assert rows_of(again) == exported
    assert accounts(database, "T0NEW")["=HYPERLINK(1)"].segment == "SMB"


def test_bad_rows_are_named_by_line_with_what_to_fix(
    database: Database,
    monkeypatch: pytest.MonkeyPatch,
    capsysbinary: pytest.CaptureFixture[bytes],
    tmp_path: Path,
) -> None:
    sheet = tmp_path / "bad.csv"
    sheet.write_text(
        "account,owner,segment,arr,crm,status\n"
        "Acme,U0AE1,,420k,,customer\n"  # line 2: fine
        "Globex,dana,,lots,javascript:alert(1),lead\n"  # line 3
        ",U0AE1,,1k,,\n"  # line 4
        "acme inc,U0AE2,,,,\n"  # line 5: Acme again
        "Initech,,,12.5,,\n",  # line 6
        encoding="utf-8",
    )
    code, _, err = cli(database, monkeypatch, capsysbinary, "accounts", "import", "--team", "T1", str(sheet))
    assert code == 1
    assert "line 3: rejected: owner: “dana” is not a Slack member id" in err
    assert "arr: “lots” is not understood" in err and "crm: “javascript:alert(1)” is not a web link" in err
    assert "status: “lead” is none of customer, prospect, churned" in err
    assert "line 4: rejected: account: the row names no account" in err
    assert "line 5: rejected: account: the same account as line 2" in err
    assert "line 6: rejected: arr: “12.5” is not understood: ARR is a whole amount" in err
    assert "1 account created, 0 changed, 0 unchanged, 4 rejected" in err
    assert set(accounts(database, "T1")) == {"Acme"} and accounts(database, "T1")["Acme"].owner_id == "U0AE1"


def test_an_empty_cell_leaves_what_is_stored_and_a_missing_account_column_is_one_line(
    database: Database,
    monkeypatch: pytest.MonkeyPatch,
    capsysbinary: pytest.CaptureFixture[bytes],
    tmp_path: Path,
) -> None:
    first = tmp_path / "first.csv"
    first.write_text("account,owner,arr\nAcme,U0AE1,420k\n", encoding="utf-8")
    cli(database, monkeypatch, capsysbinary, "accounts", "import", "--team", "T1", str(first))
    blank = tmp_path / "blank.csv"
    blank.write_text("account,owner,arr,segment\nAcme,,,SMB\n", encoding="utf-8")
    code, _, err = cli(database, monkeypatch, capsysbinary, "accounts", "import", "--team", "T1", str(blank))
    assert code == 0 and "0 accounts created, 1 changed" in err
    acme = accounts(database, "T1")["Acme"]
    assert (acme.owner_id, acme.arr, acme.segment) == ("U0AE1", 420_000, "SMB")
    theirs = tmp_path / "theirs.csv"
    theirs.write_text("Company,Owner\nAcme,U0AE1\n", encoding="utf-8")
    code, _, err = cli(database, monkeypatch, capsysbinary, "accounts", "import", "--team", "T1", str(theirs))
    assert code == 2 and "no account column" in err and 'account="Your header"' in err


def test_a_dry_run_with_no_database_yet_creates_no_file(
    monkeypatch: pytest.MonkeyPatch, capsysbinary: pytest.CaptureFixture[bytes], tmp_path: Path
) -> None:
    sheet = tmp_path / "one.csv"
    sheet.write_text("account,arr\nAcme,1.2M\nGlobex,much\n", encoding="utf-8")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'none-yet.db'}")
    code = main(["accounts", "import", "--team", "T1", "--dry-run", str(sheet)])
    out = capsysbinary.readouterr().out.decode("utf-8")
    assert code == 1 and "line 2: would be created: Acme" in out and "line 3: rejected: arr" in out
    assert not (tmp_path / "none-yet.db").exists()


def test_a_sheet_in_another_currency_sets_the_workspaces_and_reads_its_arr_in_it(
    database: Database,
    monkeypatch: pytest.MonkeyPatch,
    capsysbinary: pytest.CaptureFixture[bytes],
    tmp_path: Path,
) -> None:
    from bot.accounts.attributes import workspace_currency

    sheet = tmp_path / "eu.csv"
    sheet.write_text("account,arr\nAcme,EUR 1.2M\nGlobex,30k\n", encoding="utf-8")
    code, _, err = cli(
        database,
        monkeypatch,
        capsysbinary,
        "accounts",
        "import",
        "--team",
        "T1",
        "--currency",
        "EUR",
        str(sheet),
    )
    assert code == 0, err
    with database.read() as session:
        assert workspace_currency(session=session, team_id="T1") == "EUR"
        assert workspace_currency(session=session, team_id="T2") == "USD"  # another workspace keeps its own
    assert {name: a.arr for name, a in accounts(database, "T1").items()} == {
        "Acme": 1_200_000,
        "Globex": 30_000,
    }
    # Later imports read the workspace's currency without being told: a dollar figure is refused.
    sheet.write_text("account,arr\nInitech,USD 5k\n", encoding="utf-8")
    code, _, err = cli(database, monkeypatch, capsysbinary, "accounts", "import", "--team", "T1", str(sheet))
    assert code == 1 and "line 2: rejected: arr" in err
    # A code that is not one is one line, exit 2, and nothing changes.
    code, _, err = cli(
        database,
        monkeypatch,
        capsysbinary,
        "accounts",
        "import",
        "--team",
        "T1",
        "--currency",
        "euro",
        str(sheet),
    )
    assert code == 2 and "not a currency code" in err
    with database.read() as session:
        assert workspace_currency(session=session, team_id="T1") == "EUR"
