"""`interview-bot export` and `interview-bot import` as an operator runs them: a round trip gives back the
same interviews, the same file twice adds nothing, a bad row is named by its line and leaves nothing."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.cli import main
from storage import Database
from storage.models import Account, FollowUp, Interview, Pain
from tests.conftest import RunningBot
from tests.support.after_ack import after_ack_done
from tests.support.forms import submit_log_modal

HEADER = (
    "account,date,kind,who,contact,role,goal,pains,requests,what they said,what we heard,closing answer,"
    "notes,follow-ups,themes\n"
)


@pytest.fixture(autouse=True)
def _lexical(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("THEMES_METHOD", "lexical")  # the upkeep after an import, without the model


def cli(
    db: Database, monkeypatch: pytest.MonkeyPatch, capsysbinary: pytest.CaptureFixture[bytes], *args: str
) -> tuple[int, str, str]:
    monkeypatch.setenv("DATABASE_URL", db.url)
    code = main(list(args))
    out, err = capsysbinary.readouterr()
    return code, out.decode("utf-8"), err.decode("utf-8")


def rows_of(text: str) -> list[dict[str, str]]:
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"), newline="")))


def count(db: Database, model: type, team_id: str) -> int:
    with db.read() as session:
        return session.scalar(select(func.count()).select_from(model).where(model.team_id == team_id)) or 0


def test_export_then_import_into_an_empty_workspace_gives_back_the_same_interviews(
    bot: RunningBot,
    monkeypatch: pytest.MonkeyPatch,
    capsysbinary: pytest.CaptureFixture[bytes],
    tmp_path: Path,
) -> None:
    submit_log_modal(
        bot,
        "Acme",
        held_on="2026-02-03",
        pains="Reports are slow\n=SUM(1)",
        requests="SAML",
        participants=["U0009"],
        contact_name="Dana",
        contact_role="-CFO",
        quotes="'=x\n@me",
        interpretation='One\nTwo, "three"',
        closing_answer="Ask IT",
        notes="'quoted' notes",
        promises="Send the deck by 2026-02-10",
    )
    submit_log_modal(bot, "Globex", held_on="2026-02-05", pains="Billing", thank_you_sent=True)
    after_ack_done(bot.deps)
    monkeypatch.setattr("bot.exchange.export.BATCH", 1)  # streamed batch by batch, as a big export is
    code, first, _ = cli(bot.db, monkeypatch, capsysbinary, "export", "--team", "T0001")
    assert code == 0
    sheet = tmp_path / "out.csv"
    sheet.write_text(first, encoding="utf-8", newline="")
    code, _, err = cli(bot.db, monkeypatch, capsysbinary, "import", "--team", "T0NEW", str(sheet))
    assert code == 0, err
    assert "2 interviews created" in err
    code, again, _ = cli(bot.db, monkeypatch, capsysbinary, "export", "--team", "T0NEW")
    strip = lambda rows: [{k: v for k, v in r.items() if k != "themes"} for r in rows]  # noqa: E731
    assert strip(rows_of(again)) == strip(rows_of(first))
    # Only a cell's start runs as a formula: a later line is left as typed; a quote typed first is doubled.
    acme = rows_of(first)[0]
    assert acme["pains"] == "Reports are slow\n=SUM(1)" and acme["role"] == "'-CFO"
    assert acme["what they said"] == "''=x\n@me" and acme["notes"] == "'quoted' notes"
    # Imported calls are past: their follow-ups come back with their states and are never reminded of.
    with bot.db.read() as session:
        imported = session.scalars(select(FollowUp).where(FollowUp.team_id == "T0NEW")).all()
        assert imported and all(f.remind_at is None for f in imported)
        # Their pains reach the theme engine like logged ones: the upkeep ran at the end of the import.
        pains = session.scalars(select(Pain).where(Pain.team_id == "T0NEW")).all()
        assert pains and all(p.embedded_with for p in pains)


def test_importing_the_same_file_twice_adds_nothing(
    database: Database, monkeypatch: pytest.MonkeyPatch, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    sheet = Path("examples/interviews.csv")
    code, _, err = cli(database, monkeypatch, capsysbinary, "import", "--team", "TDEMO", str(sheet))
    assert code == 0, err
    assert count(database, Interview, "TDEMO") == 40 and count(database, Account, "TDEMO") == 12
    code, _, err = cli(database, monkeypatch, capsysbinary, "import", "--team", "TDEMO", str(sheet))
    assert code == 0 and "0 interviews created, 40 already there" in err
    assert count(database, Interview, "TDEMO") == 40
    # Another workspace imports its own copy; neither sees the other's.
    cli(database, monkeypatch, capsysbinary, "import", "--team", "T0OTHER", str(sheet))
    assert count(database, Interview, "TDEMO") == 40 and count(database, Interview, "T0OTHER") == 40


def test_bad_rows_are_named_by_line_and_leave_nothing(
    database: Database,
    monkeypatch: pytest.MonkeyPatch,
    capsysbinary: pytest.CaptureFixture[bytes],
    tmp_path: Path,
) -> None:
    big = "x" * 100_000
    sheet = tmp_path / "bad.csv"
    sheet.write_text(
        HEADER
        + 'Acme,2026-01-05,discovery,,,,,"Slow reports\nSecond pain",,,,,,,\n'  # lines 2-3
        + ",2026-01-06,discovery,,,,,No account here,,,,,,,\n"  # line 4
        + "Globex,05/01/2026,discovery,,,,,Bad date,,,,,,,\n"  # line 5
        + f"Initech,2026-01-07,discovery,,,,,{big},,,,,,,\n"  # line 6
        + "Hooli,2026-01-08,not a kind,,,,,Pain,,,,,,,\n"  # line 7
        + "Umbrella,2026-01-09,demo,Maria,,,,Pain,,,,,,,\n"  # line 8
        + "Wonka,2026-01-10,demo,U0001,,,,Fine,,,,,,,\n",  # line 9
        encoding="utf-8",
    )
    code, out, _ = cli(database, monkeypatch, capsysbinary, "import", "--team", "T1", "--dry-run", str(sheet))
    assert code == 1
    assert "line 2: would create Acme" in out and "line 9: would create Wonka" in out
    assert "line 4: rejected: account" in out
    assert "line 5: rejected: date" in out
    assert "line 6: rejected: pains: the cell has 100000 characters" in out
    assert "line 7: rejected: kind" in out
    assert "line 8: rejected: who" in out
    assert count(database, Interview, "T1") == 0  # a dry run stores nothing
    code, _, err = cli(database, monkeypatch, capsysbinary, "import", "--team", "T1", str(sheet))
    assert code == 1 and "2 interviews created, 0 already there, 5 rejected" in err
    with database.read() as session:
        names = set(session.scalars(select(Account.name).where(Account.team_id == "T1")))
    assert names == {"Acme", "Wonka"}  # a rejected row leaves not even its account


def test_map_reads_other_headers_and_a_missing_column_is_one_line(
    database: Database,
    monkeypatch: pytest.MonkeyPatch,
    capsysbinary: pytest.CaptureFixture[bytes],
    tmp_path: Path,
) -> None:
    sheet = tmp_path / "theirs.csv"
    sheet.write_text("Customer,Date,Pain points\nAcme,2026-01-05,Slow reports\n", encoding="utf-8")
    code, _, err = cli(database, monkeypatch, capsysbinary, "import", "--team", "T1", str(sheet))
    assert code == 2 and "no account column" in err and "Traceback" not in err
    code, _, err = cli(
        database,
        monkeypatch,
        capsysbinary,
        "import",
        "--team",
        "T1",
        str(sheet),
        "--map",
        "account=Customer",
        "--map",
        "pains=Pain points",
    )
    assert code == 0, err
    with database.read() as session:
        assert session.scalars(select(Pain.text).where(Pain.team_id == "T1")).all() == ["Slow reports"]
