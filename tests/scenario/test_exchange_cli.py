"""`interview-bot export` and `interview-bot import` as an operator runs them: a round trip gives back the
same interviews, the same file twice adds nothing, a bad row is named by its line and leaves nothing."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.cli.main import main
from storage import Database
from storage.models import Account, CustomerRequest, FollowUp, Interview, Pain, Theme, Topic
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
    ours = ("pain themes", "request themes")
    strip = lambda rows: [{k: v for k, v in r.items() if k not in ours} for r in rows]  # noqa: E731
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
    # The sample team: every row of the sheet is an interview, every account name one account.
    sample = rows_of(sheet.read_text(encoding="utf-8"))
    calls, accounts = len(sample), len({row["account"] for row in sample})
    assert calls == 154 and accounts == 14
    code, _, err = cli(database, monkeypatch, capsysbinary, "import", "--team", "TDEMO", str(sheet))
    assert code == 0, err
    assert f"{calls} interviews created" in err and "0 rejected" in err
    assert count(database, Interview, "TDEMO") == calls and count(database, Account, "TDEMO") == accounts
    code, _, err = cli(database, monkeypatch, capsysbinary, "import", "--team", "TDEMO", str(sheet))
    assert code == 0 and f"0 interviews created (0 pains), {calls} already there" in err
    assert count(database, Interview, "TDEMO") == calls
    # Another workspace imports its own copy; neither sees the other's.
    cli(database, monkeypatch, capsysbinary, "import", "--team", "T0OTHER", str(sheet))
    assert count(database, Interview, "TDEMO") == calls and count(database, Interview, "T0OTHER") == calls


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
    assert code == 1 and "2 interviews created (3 pains), 0 already there, 5 rejected" in err
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


# A quote opened on line 3 and never closed: the lenient reader took lines 3-5 as one row.
UNCLOSED = (
    "account,date,pains\n"
    "Acme,2026-01-05,Slow reports\n"
    'Globex,2026-01-06,"never closed\n'
    "Initech,2026-01-07,Billing\n"
    "Hooli,2026-01-08,Exports\n"
)
STOPPED = "line 3: stopped: a quoted cell opens here and is never closed; nothing from line 3 on "


def accounts_of(db: Database, team_id: str) -> list[str]:
    with db.read() as session:
        return sorted(session.scalars(select(Account.name).where(Account.team_id == team_id)))


def test_an_unclosed_quote_stops_the_import_at_its_line_and_a_fixed_file_brings_the_rest(
    database: Database,
    monkeypatch: pytest.MonkeyPatch,
    capsysbinary: pytest.CaptureFixture[bytes],
    tmp_path: Path,
) -> None:
    sheet = tmp_path / "notes.csv"
    sheet.write_text(UNCLOSED, encoding="utf-8")
    code, out, err = cli(database, monkeypatch, capsysbinary, "import", "--team", "T1", str(sheet))
    assert code == 1 and out == ""
    assert STOPPED + "was imported\n" in err
    assert (
        "notes.csv: 1 interview created (1 pain), 0 already there, 0 rejected; stopped at line 3: close "
        "the quote, or take out the stray one, then import the file again" in err
    )
    assert accounts_of(database, "T1") == ["Acme"]
    with database.read() as session:
        assert session.scalars(select(Pain.text).where(Pain.team_id == "T1")).all() == ["Slow reports"]
    # Importing twice is a no-op, so the rows before the stop are safe to have imported: the fixed file
    # brings the rest and nothing twice.
    sheet.write_text(UNCLOSED.replace('"never closed', "never closed"), encoding="utf-8")
    code, _, err = cli(database, monkeypatch, capsysbinary, "import", "--team", "T1", str(sheet))
    assert code == 0 and "3 interviews created (3 pains), 1 already there, 0 rejected" in err
    assert accounts_of(database, "T1") == ["Acme", "Globex", "Hooli", "Initech"]


def test_a_dry_run_says_where_it_would_stop_and_stores_nothing(
    database: Database,
    monkeypatch: pytest.MonkeyPatch,
    capsysbinary: pytest.CaptureFixture[bytes],
    tmp_path: Path,
) -> None:
    sheet = tmp_path / "notes.csv"
    sheet.write_text(UNCLOSED, encoding="utf-8")
    code, out, _ = cli(database, monkeypatch, capsysbinary, "import", "--team", "T1", "--dry-run", str(sheet))
    assert code == 1
    assert out.splitlines() == [
        "line 2: would create Acme, 2026-01-05, discovery, 1 pain",
        STOPPED + "would be imported",
        "notes.csv: 1 interview would be created (1 pain), 0 already there, 0 rejected; stopped at line 3: "
        "close the quote, or take out the stray one, then import the file again (the rows before it are "
        "already there then: nothing comes in twice)",
    ]
    assert count(database, Interview, "T1") == 0


@pytest.mark.real_clock  # the console script is a process of its own
def test_an_unclosed_quote_from_the_console_script(tmp_path: Path) -> None:
    """The installed `interview-bot` as an operator runs it: the message, the exit status, nothing after."""
    import os
    import subprocess
    import sys

    sheet = tmp_path / "notes.csv"
    sheet.write_text(UNCLOSED, encoding="utf-8")
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    env = {**os.environ, "DATABASE_URL": url, "THEMES_METHOD": "lexical"}
    script = Path(sys.executable).with_name("interview-bot")
    done = subprocess.run(
        [str(script), "import", "--team", "T1", str(sheet)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1, done.stderr
    assert STOPPED + "was imported" in done.stderr and "Traceback" not in done.stderr
    db = Database(url)
    try:
        assert accounts_of(db, "T1") == ["Acme"]
    finally:
        db.dispose()


def test_an_unknown_pains_header_is_warned_about_and_the_rest_comes_in(
    database: Database,
    monkeypatch: pytest.MonkeyPatch,
    capsysbinary: pytest.CaptureFixture[bytes],
    tmp_path: Path,
) -> None:
    sheet = tmp_path / "theirs.csv"
    sheet.write_text(
        "account,date,Pain points,notes\nAcme,2026-01-05,Slow reports,Went well\n", encoding="utf-8"
    )
    code, _, err = cli(database, monkeypatch, capsysbinary, "import", "--team", "T1", str(sheet))
    assert code == 0  # an interview without pains is a legitimate one
    lines = err.splitlines()
    assert (
        "warning: column 3 'Pain points' is not one the import knows: it is left out "
        "(to read it as pains: --map pains='Pain points')" in lines
    )
    assert any(line.startswith("warning: the sheet has NO PAINS COLUMN") for line in lines)
    assert "theirs.csv: 1 interview created (0 pains), 0 already there, 0 rejected" in lines


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (b"", "notes.csv: the file is empty: its first line should name the columns"),
        (b"account,date,pains\nCaf\xe9,2026-01-05,x\n", "notes.csv: line 2 is not UTF-8 text (byte 0xe9)"),
        ("account,date,pains\nCafé,2026-01-05,x\n".encode("utf-16"), "notes.csv: it is UTF-16 text"),
    ],
    ids=["empty", "latin-1", "utf-16"],
)
def test_a_file_that_cannot_be_read_is_refused_whole_in_one_line(
    content: bytes,
    says: str,
    database: Database,
    monkeypatch: pytest.MonkeyPatch,
    capsysbinary: pytest.CaptureFixture[bytes],
    tmp_path: Path,
) -> None:
    sheet = tmp_path / "notes.csv"
    sheet.write_bytes(content)
    code, _, err = cli(database, monkeypatch, capsysbinary, "import", "--team", "T1", str(sheet))
    assert code == 2
    assert err.startswith(f"interview-bot: {says}") and err.count("\n") == 1
    assert err.rstrip().endswith("nothing was imported.")
    assert count(database, Interview, "T1") == 0


def test_a_header_alone_imports_nothing_and_says_so(
    database: Database,
    monkeypatch: pytest.MonkeyPatch,
    capsysbinary: pytest.CaptureFixture[bytes],
    tmp_path: Path,
) -> None:
    sheet = tmp_path / "notes.csv"
    sheet.write_text("account,date,pains\n\n", encoding="utf-8")
    code, _, err = cli(database, monkeypatch, capsysbinary, "import", "--team", "T1", str(sheet))
    assert code == 0
    assert "warning: the file has no rows under its header: there is nothing to import" in err.splitlines()


def test_the_sheet_says_where_each_line_went_line_by_line_and_an_import_reads_none_of_it(
    database: Database,
    monkeypatch: pytest.MonkeyPatch,
    capsysbinary: pytest.CaptureFixture[bytes],
    tmp_path: Path,
) -> None:
    sheet = tmp_path / "in.csv"
    rows = [
        ("Acme", "Monthly reports take forever to build\nOur mascot is a llama", "Bulk user import"),
        ("Globex", "Building the monthly reports takes forever", "Bulk import of users"),
        ("Initech", "The monthly reports take forever", ""),
    ]
    sheet.write_text(
        HEADER
        + "".join(
            f'{a},2026-02-0{n + 1},discovery,,,,,"{p}",{r},,,,,,\n' for n, (a, p, r) in enumerate(rows)
        ),
        encoding="utf-8",
    )
    code, _, err = cli(database, monkeypatch, capsysbinary, "import", "--team", "T1", str(sheet))
    assert code == 0 and "left out" not in err, err  # the former export's one "themes" column, unread
    code, out, _ = cli(database, monkeypatch, capsysbinary, "export", "--team", "T1")
    exported = rows_of(out)
    with database.read() as session:
        place = {
            text: f"{topic} › {theme}"
            for text, theme, topic in session.execute(
                select(Pain.text, Theme.name, Topic.name)
                .join(Theme, Theme.id == Pain.theme_id)
                .join(Topic, Topic.id == Theme.topic_id)
            )
        }
        asked = dict(
            session.execute(
                select(CustomerRequest.text, Theme.name).join(Theme, Theme.id == CustomerRequest.theme_id)
            ).all()
        )
    assert len(place) == 3 and "Our mascot is a llama" not in place  # a one-off is in no theme
    assert len(asked) == 2
    for row in exported:
        pains, where = row["pains"].split("\n"), row["pain themes"].split("\n")
        # One entry per pain, in its order: its topic and theme, or nothing for a line in no theme.
        assert where == [place.get(p, "") for p in pains]
        requests = row["requests"].split("\n") if row["requests"] else []
        went = row["request themes"].split("\n") if row["request themes"] else []
        assert len(went) == len(requests) and all(
            " › " + asked[r] in w for r, w in zip(requests, went, strict=True)
        )
    assert exported[0]["pain themes"].endswith("\n")  # the llama: an empty last entry, still aligned

    # The export imports into another workspace, nothing said about those columns and nothing of them read.
    again = tmp_path / "again.csv"
    again.write_text(out, encoding="utf-8", newline="")
    code, _, err = cli(database, monkeypatch, capsysbinary, "import", "--team", "T2", str(again))
    assert code == 0 and "3 interviews created" in err, err
    assert "left out" not in err and "pain themes" not in err
    with database.read() as session:
        texts = session.scalars(select(Pain.text).where(Pain.team_id == "T2")).all()
    assert sorted(texts) == sorted(p for _, pains, _ in rows for p in pains.split("\n"))


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
        HEADER.replace(",themes", "")
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


def test_imported_thank_yous_count_neither_on_time_nor_late_in_the_digest(
    database: Database,
    monkeypatch: pytest.MonkeyPatch,
    capsysbinary: pytest.CaptureFixture[bytes],
    tmp_path: Path,
) -> None:
    # Two calls of this week imported, their thank-yous done and open; a third logged in Slack and its
    # thank-you ticked the evening of the call. Only the last one's time is known.
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    import time_machine

    from bot.digest.content import build_digest
    from bot.digest.period import Period

    now = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)
    sheet = tmp_path / "calls.csv"
    sheet.write_text(
        "account,date,kind,pains,follow-ups\n"
        "Acme,2026-11-16,discovery,exports time out,thank_you (done): Thank Acme\n"
        "Globex,2026-11-17,discovery,exports time out,thank_you (open): Thank Globex\n",
        encoding="utf-8",
    )
    with time_machine.travel(datetime(2026, 11, 18, 18, 0, tzinfo=UTC), tick=False):
        _log_and_thank_that_evening(database)
    with time_machine.travel(now, tick=False):
        code, _, err = cli(database, monkeypatch, capsysbinary, "import", "--team", "T0001", str(sheet))
        assert code == 0, err
    with database.read() as session:
        digest = build_digest(
            session=session, team_id="T0001", period=Period.last_days(now, ZoneInfo("UTC")), now=now
        )
    # Owed: the open imported one (not sent yet) and the one logged here; the imported done one is neither.
    assert (digest.follow_ups.thank_yous, digest.follow_ups.thank_yous_on_time) == (2, 1)


def _log_and_thank_that_evening(database: Database) -> None:
    """A call logged in Slack after it ended, its thank-you ticked as sent two hours later."""
    from datetime import UTC, timedelta
    from zoneinfo import ZoneInfo

    from bot.capture.interviews import InterviewDraft, log_interview
    from storage.models import FollowUpKind, FollowUpState

    with database.transaction() as session:
        log_interview(
            session=session,
            team_id="T0001",
            user_id="U1",
            draft=InterviewDraft(
                account="Initech", kind="discovery", held_on=date(2026, 11, 18), pains="exports time out"
            ),
            now=datetime.now(UTC),
            tz=ZoneInfo("UTC"),
            thank_you_after=timedelta(hours=24),
            summary_after=timedelta(hours=48),
        )
    with database.transaction() as session:
        (thank_you,) = session.scalars(
            select(FollowUp)
            .join(Interview)
            .where(
                Interview.team_id == "T0001",
                FollowUp.kind == FollowUpKind.THANK_YOU,
                Interview.held_on == date(2026, 11, 18),
            )
        )
        thank_you.state, thank_you.closed_at = FollowUpState.DONE, datetime.now(UTC) + timedelta(hours=2)
