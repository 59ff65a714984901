"""`interview-bot import` as an operator watches it: its progress bar names the step it is in, from
reading the sheet to the themes' topics; and the rows stored in batches leave each account's latest
call date as logging one by one would."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.cli.main import main
from storage import Database
from storage.models import Account

HEADER = (
    "account,date,kind,who,contact,role,goal,pains,requests,what they said,what we heard,closing answer,"
    "notes,follow-ups\n"
)


@pytest.fixture(autouse=True)
def _lexical(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("THEMES_METHOD", "lexical")  # the upkeep after an import, without the model


def import_sheet(
    db: Database, monkeypatch: pytest.MonkeyPatch, capsysbinary: pytest.CaptureFixture[bytes], sheet: Path
) -> str:
    monkeypatch.setenv("DATABASE_URL", db.url)
    code = main(["import", "--team", "T0STEPS", str(sheet)])
    err = capsysbinary.readouterr().err.decode("utf-8")
    assert code == 0, err
    return err


def steps_shown(err: str) -> list[str]:
    """The bar's descriptions in the order it drew them, each once: what precedes its ':' and percent."""
    shown: list[str] = []
    for frame in re.split(r"[\r\n]+", err):
        match = re.match(r"^\s*(.+?):\s+\d+%\|", frame)
        if match and match[1] not in shown:
            shown.append(match[1])
    return shown


def test_the_progress_bar_names_each_step_of_an_import_in_turn(
    database: Database,
    monkeypatch: pytest.MonkeyPatch,
    capsysbinary: pytest.CaptureFixture[bytes],
) -> None:
    err = import_sheet(database, monkeypatch, capsysbinary, Path("examples/interviews.csv"))
    shown = steps_shown(err)
    expected = ["reading", "writing"] + [
        f"{kind}: {step}"
        for kind in ("pains", "requests")
        for step in ("embedding", "grouping", "writing", "labelling", "topics")
    ]
    assert shown == expected, shown


def test_rows_stored_in_batches_leave_each_account_its_latest_call(
    database: Database,
    monkeypatch: pytest.MonkeyPatch,
    capsysbinary: pytest.CaptureFixture[bytes],
    tmp_path: Path,
) -> None:
    with database.transaction() as session:  # known already, with a call later than the sheet's
        session.add(
            Account(team_id="T0STEPS", name="Globex", normalized_name="globex", last_held_on=date(2026, 3, 1))
        )
    sheet = tmp_path / "calls.csv"
    sheet.write_text(
        HEADER
        + "Acme,2026-01-05,discovery,,,,,Slow reports,,,,,,\n"
        + "ACME Inc.,2026-02-07,discovery,,,,,Slow exports,,,,,,\n"  # the same account, later
        + "acme,2026-01-20,discovery,,,,,Slow search,,,,,,\n"
        + "Globex,2026-02-01,discovery,,,,,Billing,,,,,,\n",
        encoding="utf-8",
    )
    import_sheet(database, monkeypatch, capsysbinary, sheet)
    with database.read() as session:
        latest = dict(
            session.execute(
                select(Account.normalized_name, Account.last_held_on).where(Account.team_id == "T0STEPS")
            ).all()
        )
    assert latest == {"acme": date(2026, 2, 7), "globex": date(2026, 3, 1)}
