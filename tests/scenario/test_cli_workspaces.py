"""`interview-bot teams`, and --team checked against the workspaces the database holds: an unknown one
exits 2 naming them, a case slip is caught, and an import may bring a new one in."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.capture.interviews import InterviewDraft, log_interview
from bot.cli.main import main
from storage import Database
from storage.models import Interview, Person
from tests.scenario.test_exchange_cli import HEADER, count

LOGGED = datetime(2026, 2, 1, 12, 0, tzinfo=UTC)


def log(db: Database, team: str, account: str, held_on: date) -> None:
    with db.transaction() as session:
        log_interview(
            session=session,
            team_id=team,
            user_id="U1",
            draft=InterviewDraft(account=account, kind="demo", held_on=held_on, pains="Slow reports"),
            now=LOGGED,
            tz=ZoneInfo("UTC"),
            thank_you_after=timedelta(hours=24),
            summary_after=timedelta(hours=48),
        )


@pytest.fixture
def workspaces(database: Database, monkeypatch: pytest.MonkeyPatch) -> Database:
    """T0DEMO with two calls with two accounts, T0ONE with one, and T0QUIET, where someone opened the
    bot and logged nothing yet."""
    log(database, "T0DEMO", "Acme", date(2026, 1, 5))
    log(database, "T0DEMO", "Globex", date(2026, 1, 20))
    log(database, "T0ONE", "Initech", date(2025, 12, 30))
    with database.transaction() as session:
        session.add(Person(team_id="T0QUIET", user_id="U2"))
    monkeypatch.setenv("DATABASE_URL", database.url)
    monkeypatch.setenv("THEMES_METHOD", "lexical")
    return database


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_teams_lists_each_workspace_with_its_interviews_accounts_and_latest_call(
    workspaces: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "teams")
    assert code == 0
    assert out.splitlines() == [
        "T0DEMO   2 interviews, 2 accounts, last on 2026-01-20",
        "T0ONE    1 interview, 1 account, last on 2025-12-30",
        "T0QUIET  0 interviews, 0 accounts",
    ]


def test_teams_of_an_empty_database_says_how_to_fill_it(
    database: Database, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", database.url)
    code, out, _ = run(capsys, "teams")
    assert code == 0
    assert out.startswith("No workspaces yet: import a sheet (interview-bot import --team")
    assert "connect Slack (interview-bot run)" in out


# Every verb that reads one workspace, with what else it needs.
READERS = [["export"], ["themes", "rebuild"], ["themes", "list"], ["digest", "preview"]]


@pytest.mark.parametrize("verb", READERS, ids="-".join)
def test_an_unknown_team_exits_2_naming_the_workspaces_there_are(
    verb: list[str], workspaces: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, *verb, "--team", "T0NOPE")
    assert code == 2 and out == ""
    last = err.splitlines()[-1]
    assert last.startswith("interview-bot: no workspace T0NOPE in ")
    assert last.endswith(
        "its workspaces: T0DEMO (2 interviews), T0ONE (1 interview), T0QUIET (0 interviews)."
    ), last


@pytest.mark.parametrize("verb", [*READERS, ["import"]], ids="-".join)
def test_a_case_slip_is_caught_with_the_workspace_meant(
    verb: list[str], workspaces: Database, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    sheet = tmp_path / "sheet.csv"
    sheet.write_text(HEADER + "Hooli,2026-01-08,demo,,,,,Pain,,,,,,,\n", encoding="utf-8")
    args = [str(sheet)] if verb == ["import"] else []
    code, _, err = run(capsys, *verb, "--team", "t0demo", *args)
    assert code == 2
    assert err.splitlines()[-1].endswith("did you mean T0DEMO?"), err
    assert count(workspaces, Interview, "t0demo") == 0 and count(workspaces, Interview, "T0DEMO") == 2


def test_a_lowercase_team_that_matches_none_is_not_a_slack_id(
    workspaces: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "export", "--team", "t0nope")
    assert code == 2
    last = err.splitlines()[-1]
    assert "'t0nope' is not a Slack workspace id (a team_id: T and capitals and digits" in last
    assert "its workspaces: T0DEMO (2 interviews)" in last


def test_an_import_brings_a_new_workspace_in_and_says_so(
    workspaces: Database, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    sheet = tmp_path / "sheet.csv"
    sheet.write_text(HEADER + "Hooli,2026-01-08,demo,,,,,Pain,,,,,,,\n", encoding="utf-8")
    code, _, err = run(capsys, "import", "--team", "T0NEW", str(sheet))
    assert code == 0, err
    assert "new workspace T0NEW (no interviews yet)" in err.splitlines()
    assert count(workspaces, Interview, "T0NEW") == 1
    # Once there, it is not new.
    code, _, err = run(capsys, "import", "--team", "T0NEW", str(sheet))
    assert code == 0 and "new workspace" not in err


def test_a_refusal_names_ten_workspaces_and_counts_the_rest() -> None:
    from bot.cli.startup import workspaces_named
    from bot.cli.workspaces import Workspace

    named = workspaces_named([Workspace(f"T{n:03}", interviews=n) for n in range(13)])
    assert named.startswith("its workspaces: T000 (0 interviews), T001 (1 interview), T002 (2 interviews)")
    assert "T009 (9 interviews) and 3 more (interview-bot teams lists them)" in named
    assert "T010" not in named
