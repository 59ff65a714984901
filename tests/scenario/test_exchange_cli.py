"""`interview-bot export` and `interview-bot import` as an operator runs them: a round trip gives back the
same interviews, the same file twice adds nothing, a bad row is named by its line and leaves nothing."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from bot.capture.interviews import InterviewDraft, log_interview
from bot.cli.demo import make_sample_study
from bot.cli.main import main
from bot.studies.answers import PointReply, set_study
from bot.studies.sheet import build_sheet
from bot.studies.store import StudyForm, close_study, create_study, find_study
from bot.themes.status import set_status
from storage import Database
from storage.models import (
    Account,
    Answer,
    CustomerRequest,
    FollowUp,
    Interview,
    Pain,
    Person,
    PointAnswer,
    StudyInterview,
    Theme,
    ThemeStatus,
    Topic,
)
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
    # The sample team: every row of the sheet is an interview, every account name one account; 18 of
    # them logged into its study, which the demo makes first.
    sample = rows_of(sheet.read_text(encoding="utf-8"))
    calls, accounts = len(sample), len({row["account"] for row in sample})
    assert calls == 154 and accounts == 14
    studied = sum(1 for row in sample if row["study"])
    assert studied == 18 and {row["study"] for row in sample} == {"", "Older phones"}
    make_sample_study(database, team_id="TDEMO", today=date(2026, 12, 5))
    code, _, err = cli(database, monkeypatch, capsysbinary, "import", "--team", "TDEMO", str(sheet))
    assert code == 0, err
    assert f"{calls} interviews created" in err and "0 rejected" in err
    assert count(database, Interview, "TDEMO") == calls and count(database, Account, "TDEMO") == accounts
    assert count(database, StudyInterview, "TDEMO") == studied
    code, _, err = cli(database, monkeypatch, capsysbinary, "import", "--team", "TDEMO", str(sheet))
    assert code == 0 and f"0 interviews created (0 pains), {calls} already there" in err
    assert count(database, Interview, "TDEMO") == calls
    # Another workspace imports its own copy without making the study: those rows are refused, saying how.
    code, _, err = cli(database, monkeypatch, capsysbinary, "import", "--team", "T0OTHER", str(sheet))
    assert code == 1 and f"{calls - studied} interviews created" in err and f"{studied} rejected" in err
    assert "no study called “Older phones”; create the study first: /interview study new" in err
    # Neither sees the other's.
    assert count(database, Interview, "TDEMO") == calls
    assert count(database, Interview, "T0OTHER") == calls - studied


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
    # A theme shipped: its place says so in brackets (the import reads nothing of that column).
    with database.transaction() as session:
        shipped = session.scalars(select(Pain.theme_id).where(Pain.theme_id.is_not(None))).first()
        set_status(
            session=session,
            team_id="T1",
            theme_id=shipped,
            status=ThemeStatus.SHIPPED,
            note=None,
            link=None,
            by="U1",
            now=datetime.now(UTC),
        )
    code, out, _ = cli(database, monkeypatch, capsysbinary, "export", "--team", "T1")
    exported = rows_of(out)
    with database.read() as session:
        place = {
            text: f"{topic} › {theme}" + (" [shipped]" if theme_id == shipped else "")
            for text, theme, topic, theme_id in session.execute(
                select(Pain.text, Theme.name, Topic.name, Theme.id)
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
    assert sum(p.endswith(" [shipped]") for p in place.values()) >= 1
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
    make_sample_study(database, team_id="T0STEPS", today=date(2026, 12, 5))
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


# Studies: the `study` and `study answers` columns, out and back in ---------------------------------

STUDY_NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
PHONE_POINTS = "=The app is too slow on older phones\nIt got slow with the update\nStaff fall back to paper"


def make_study(
    db: Database, team_id: str, name: str = "Older phones", points: str = PHONE_POINTS
) -> list[int]:
    """A study made as /interview study new makes it; its points' ids."""
    with db.transaction() as session:
        form = StudyForm(name=name, goal="Is the app too slow on the phones staff have?", points=points)
        study = create_study(session=session, team_id=team_id, by="U0001", form=form, now=STUDY_NOW)
        return [p.id for p in study.points]


def logged(db: Database, team_id: str, account: str, held_on: str, pains: str = "Slow on old phones") -> int:
    with db.transaction() as session:
        draft = InterviewDraft(
            account=account, kind="discovery", held_on=date.fromisoformat(held_on), pains=pains
        )
        return log_interview(
            session=session,
            team_id=team_id,
            user_id="U0001",
            draft=draft,
            now=STUDY_NOW,
            tz=ZoneInfo("UTC"),
            thank_you_after=timedelta(hours=24),
            summary_after=timedelta(hours=48),
        ).interview.id


def into_study(db: Database, team_id: str, interview_id: int, name: str, replies: list[PointReply]) -> None:
    with db.transaction() as session:
        study = find_study(session=session, team_id=team_id, name=name)
        assert study is not None
        set_study(
            session=session,
            team_id=team_id,
            interview_id=interview_id,
            study_id=study.id,
            replies=replies,
            by="U0001",
            now=STUDY_NOW,
        )


def sheet_of(db: Database, team_id: str, name: str = "Older phones") -> dict[str, object]:
    """The study's sheet as build_sheet makes it, without the ids a workspace gives its rows."""
    with db.read() as session:
        study = find_study(session=session, team_id=team_id, name=name)
        assert study is not None
        data = build_sheet(session=session, team_id=team_id, study_id=study.id).as_json()

    def without_ids(value: object) -> object:
        if isinstance(value, dict):
            return {
                k: without_ids(v)
                for k, v in value.items()
                if k not in ("study_id", "point_id", "interview_id")
            }
        if isinstance(value, list):
            return [without_ids(v) for v in value]
        return value

    return without_ids(data)  # type: ignore[return-value]


def test_a_studys_answers_go_out_and_come_back_the_same_and_twice_is_once(
    database: Database,
    monkeypatch: pytest.MonkeyPatch,
    capsysbinary: pytest.CaptureFixture[bytes],
    tmp_path: Path,
) -> None:
    slow, update, paper = make_study(database, "T0001")
    early = logged(database, "T0001", "Pinecrest", "2026-02-02")
    late = logged(database, "T0001", "Pinecrest", "2026-02-20")  # the same account later: its answer wins
    everline = logged(database, "T0001", "Everline", "2026-02-10")
    quarry = logged(database, "T0001", "Quarry Hill", "2026-02-12")
    logged(database, "T0001", "Mosaic", "2026-02-14")  # in no study
    into_study(
        database, "T0001", early, "Older phones", [PointReply(update, Answer.CONTRADICTS, "Slow before it")]
    )
    into_study(
        database,
        "T0001",
        late,
        "Older phones",
        [
            PointReply(slow, Answer.SUPPORTS, "-A kid tapped six times: then found a pen"),
            PointReply(update, Answer.SUPPORTS, "Since the update it crawls"),
            PointReply(paper, Answer.SUPPORTS),
        ],
    )
    into_study(
        database, "T0001", everline, "Older phones", [PointReply(paper, Answer.MIXED, "=They restart it")]
    )
    into_study(database, "T0001", quarry, "Older phones", [])
    monkeypatch.setattr("bot.exchange.export.BATCH", 2)  # streamed batch by batch, as a big export is
    code, first, _ = cli(database, monkeypatch, capsysbinary, "export", "--team", "T0001")
    assert code == 0
    rows = {(r["account"], r["date"]): r for r in rows_of(first)}
    assert rows[("Pinecrest", "2026-02-20")]["study"] == "Older phones"
    assert rows[("Pinecrest", "2026-02-20")]["study answers"].split("\n") == [
        "'=The app is too slow on older phones: supports: -A kid tapped six times: then found a pen",
        "It got slow with the update: supports: Since the update it crawls",
        "Staff fall back to paper: supports",
    ]
    assert (rows[("Mosaic", "2026-02-14")]["study"], rows[("Mosaic", "2026-02-14")]["study answers"]) == (
        "",
        "",
    )
    sheet = tmp_path / "out.csv"
    sheet.write_text(first, encoding="utf-8", newline="")
    # The other workspace has the same study: the answers land in it.
    make_study(database, "T0NEW")
    code, out, _ = cli(
        database, monkeypatch, capsysbinary, "import", "--team", "T0NEW", "--dry-run", str(sheet)
    )
    assert code == 0 and "in the study “Older phones” (3 answers)" in out
    assert count(database, PointAnswer, "T0NEW") == 0  # a dry run stores nothing
    code, _, err = cli(database, monkeypatch, capsysbinary, "import", "--team", "T0NEW", str(sheet))
    assert code == 0 and "5 interviews created" in err, err
    assert sheet_of(database, "T0NEW", "Older phones") == sheet_of(database, "T0001")
    # Importing it again changes nothing: not the interviews, not their answers.
    answers = count(database, PointAnswer, "T0NEW")
    code, _, err = cli(database, monkeypatch, capsysbinary, "import", "--team", "T0NEW", str(sheet))
    assert code == 0 and "0 interviews created (0 pains), 5 already there" in err
    assert count(database, PointAnswer, "T0NEW") == answers == 5
    # Even once the study has closed: what is there already is not asked again.
    with database.transaction() as session:
        study = find_study(session=session, team_id="T0NEW", name="Older phones")
        assert study is not None
        close_study(
            session=session,
            team_id="T0NEW",
            study_id=study.id,
            by="U0001",
            conclusion="Yes.",
            now=STUDY_NOW,
            frozen={},
        )
    code, _, err = cli(database, monkeypatch, capsysbinary, "import", "--team", "T0NEW", str(sheet))
    assert code == 0 and "5 already there, 0 rejected" in err
    # An import picks no study for anyone's next log: nobody picked it.
    with database.read() as session:
        assert session.scalars(select(Person).where(Person.team_id == "T0NEW")).all() == []


def test_a_row_naming_a_study_the_workspace_cannot_take_is_rejected_with_what_to_do(
    database: Database,
    monkeypatch: pytest.MonkeyPatch,
    capsysbinary: pytest.CaptureFixture[bytes],
    tmp_path: Path,
) -> None:
    make_study(database, "T1", points="Slow on old phones\nPaper instead")
    make_study(database, "T1", name="Pricing", points="The invoice surprised them")
    with database.transaction() as session:
        pricing = find_study(session=session, team_id="T1", name="Pricing")
        assert pricing is not None
        frozen = build_sheet(session=session, team_id="T1", study_id=pricing.id).as_json()
        close_study(
            session=session,
            team_id="T1",
            study_id=pricing.id,
            by="U0001",
            conclusion="It did.",
            now=STUDY_NOW,
            frozen=frozen,
        )
    sheet = tmp_path / "studies.csv"
    sheet.write_text(
        "account,date,pains,study,study answers\n"
        'Acme,2026-02-02,Slow,older phones,"slow on OLD phones: supports: yes\nPaper instead: mixed"\n'  # 2-3
        "Globex,2026-02-03,Slow,Onboarding,\n"  # 4: no such study
        'Initech,2026-02-04,Slow,Pricing,"The invoice surprised them: supports"\n'  # 5: closed
        'Hooli,2026-02-05,Slow,Older phones,"Slow sync: supports"\n'  # 6: not one of its points
        "Umbrella,2026-02-06,Slow,,Slow on old phones: supports\n"  # 7: answers, no study
        "Wonka,2026-02-07,Slow,,\n",  # 8: no study at all
        encoding="utf-8",
    )
    code, out, _ = cli(database, monkeypatch, capsysbinary, "import", "--team", "T1", "--dry-run", str(sheet))
    said = {line.split(":")[0]: line for line in out.splitlines() if line.startswith("line ")}
    assert code == 1
    assert "would create Acme" in said["line 2"] and "would create Wonka" in said["line 8"]
    assert said["line 4"] == (
        "line 4: rejected: study: the workspace has no study called “Onboarding”; create the study first: "
        "/interview study new, or leave the column empty"
    )
    assert "line 5: rejected: study: “Pricing” is closed" in said["line 5"]
    assert (
        "“Slow sync” is not a point of “Older phones”" in said["line 6"] and "Paper instead" in said["line 6"]
    )
    assert "line 7: rejected: study answers: name the study" in said["line 7"]
    assert count(database, Interview, "T1") == 0
    code, _, err = cli(database, monkeypatch, capsysbinary, "import", "--team", "T1", str(sheet))
    assert code == 1 and "2 interviews created (2 pains), 0 already there, 4 rejected" in err
    assert "line 4: rejected: study: the workspace has no study called “Onboarding”" in err
    assert accounts_of(database, "T1") == ["Acme", "Wonka"]  # a rejected row leaves not even its account
    with database.read() as session:
        answers = session.scalars(select(PointAnswer.answer).order_by(PointAnswer.id)).all()
        assert answers == [Answer.SUPPORTS, Answer.MIXED]
    # Once the study exists, the same file brings the row in; the rows in already are not asked again.
    make_study(database, "T1", name="Onboarding", points="x")
    code, _, err = cli(database, monkeypatch, capsysbinary, "import", "--team", "T1", str(sheet))
    assert "1 interview created (1 pain), 2 already there, 3 rejected" in err


def test_a_dry_run_with_no_database_yet_knows_no_study(
    monkeypatch: pytest.MonkeyPatch, capsysbinary: pytest.CaptureFixture[bytes], tmp_path: Path
) -> None:
    sheet = tmp_path / "one.csv"
    sheet.write_text("account,date,pains,study\nAcme,2026-02-02,Slow,Older phones\n", encoding="utf-8")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'none-yet.db'}")
    code = main(["import", "--team", "T1", "--dry-run", str(sheet)])
    out = capsysbinary.readouterr().out.decode("utf-8")
    assert code == 1 and "line 2: rejected: study: the workspace has no study called “Older phones”" in out
    assert not (tmp_path / "none-yet.db").exists()


def test_map_reads_the_study_columns_from_headers_of_ones_own(
    database: Database,
    monkeypatch: pytest.MonkeyPatch,
    capsysbinary: pytest.CaptureFixture[bytes],
    tmp_path: Path,
) -> None:
    make_study(database, "T1", points="Slow on old phones")
    sheet = tmp_path / "theirs.csv"
    sheet.write_text(
        "account,date,pains,Research,Findings\n"
        'Acme,2026-02-02,Slow,Older phones,"Slow on old phones: mixed"\n',
        encoding="utf-8",
    )
    args = ["import", "--team", "T1", str(sheet)]
    code, _, err = cli(database, monkeypatch, capsysbinary, *args)
    assert code == 0 and "column 4 'Research' is not one the import knows" in err
    assert count(database, PointAnswer, "T1") == 0
    code, _, err = cli(
        database,
        monkeypatch,
        capsysbinary,
        *args,
        "--map",
        "study=Research",
        "--map",
        "study answers=Findings",
    )
    assert code == 0 and "1 interview created" in err, err
    with database.read() as session:
        assert [a.answer for a in session.scalars(select(PointAnswer))] == [Answer.MIXED]
