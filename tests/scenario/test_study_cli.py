"""`interview-bot study sheet` as an operator runs it, on a study set up through the product's services: the
tallies and the matrix in the terminal, the CSV and the PNG written; a study or a workspace it does not
know exits 2 naming those it has."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.capture.interviews import InterviewDraft, log_interview
from bot.cli.main import main
from bot.studies.answers import PointReply, set_study
from bot.studies.outputs import cell_text
from bot.studies.sheet import build_sheet
from bot.studies.store import StudyForm, create_study
from storage import Database
from storage.models import Answer

NOW = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)
S, C, M, N = Answer.SUPPORTS, Answer.CONTRADICTS, Answer.MIXED, Answer.NOT_DISCUSSED
CRM = StudyForm(
    name="CRM sync",
    goal="Is two-way CRM sync worth building this quarter?",
    points="Teams re-key deals by hand\nThey would pay for two-way sync\nAdmins set it up alone",
    target_interviews=8,
)
# (account, day, answers to P1, P2, P3): Acme twice, its later call contradicting P1.
CALLS = [
    ("Acme", date(2026, 11, 2), [(S, "we re-key every deal"), (S, "would pay for it"), None]),
    ("Globex", date(2026, 11, 9), [(S, "=SUM(A1) two people copy deals daily"), None, None]),
    ("Initech", date(2026, 11, 10), [(M, None), None, None]),
    ("Acme", date(2026, 11, 16), [(C, "they automated it with Zapier since"), (N, None), None]),
    ("Hooli", date(2026, 11, 17), [(S, None), None, (C, "IT must approve every app")]),
    ("=Umbrella", date(2026, 11, 18), [None, (C, "not a budget line this year"), None]),
]


def study(db: Database, team_id: str, form: StudyForm, calls: list) -> int:  # type: ignore[type-arg]
    with db.transaction() as session:
        made = create_study(session=session, team_id=team_id, by="U1", form=form, now=NOW)
        study_id, points = made.id, [p.id for p in made.points]
    for account, day, answers in calls:
        with db.transaction() as session:
            logged = log_interview(
                session=session,
                team_id=team_id,
                user_id="U1",
                draft=InterviewDraft(account=account, kind="discovery", held_on=day, pains="sync is manual"),
                now=NOW,
                tz=ZoneInfo("UTC"),
                thank_you_after=timedelta(hours=24),
                summary_after=timedelta(hours=48),
            )
            set_study(
                session=session,
                team_id=team_id,
                interview_id=logged.interview.id,
                study_id=study_id,
                replies=[PointReply(p, *a) for p, a in zip(points, answers, strict=True) if a],
                by="U1",
                now=NOW,
            )
    return study_id


def cli(
    db: Database, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str
) -> tuple[int, str, str]:
    monkeypatch.setenv("DATABASE_URL", db.url)
    monkeypatch.setenv("COLUMNS", "100")
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_the_sheet_in_the_terminal_and_as_csv_and_png(
    database: Database, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    study_id = study(database, "T1", CRM, CALLS)
    sheet_file, picture = tmp_path / "sheet.csv", tmp_path / "sheet.png"
    code, out, err = cli(
        database, monkeypatch, capsys,
        "study", "sheet", "--team", "T1", "--study", " crm  SYNC ",
        "--csv", str(sheet_file), "--png", str(picture),
    )  # fmt: skip
    assert code == 0, err
    lines = out.splitlines()
    assert lines[:3] == [
        "Study “CRM sync” (open)",
        "6 interviews with 5 accounts, 3 validation points",
        "Goal: Is two-way CRM sync worth building this quarter?",
    ]
    at = lines.index("P1  Teams re-key deals by hand")
    assert lines[at + 1 : at + 3] == [
        "    supported by 2 of 5 accounts, contradicted by 1, mixed for 1, not discussed by 1",
        "    ! accounts disagree",
    ]
    at = lines.index("P3  Admins set it up alone")
    assert lines[at + 1 : at + 3] == [
        "    supported by 0 of 5 accounts, contradicted by 1, not discussed by 4",
        "    ! thin evidence (fewer than 3 accounts)",
    ]
    assert lines[-6:] == [
        "account   calls  P1  P2  P3",
        "=Umbrella     1       ✗",
        "Acme          2   ✗   ✓",
        "Globex        1   ✓",
        "Hooli         1   ✓       ✗",
        "Initech       1   ~",
    ]
    assert f"(sheet written to {sheet_file})" in err and f"(matrix written to {picture})" in err
    # The CSV read back is the sheet the Slack view reads, cell for cell; a name that looks like a
    # formula is defused.
    text = sheet_file.read_text(encoding="utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline="")))
    with database.read() as session:
        sheet = build_sheet(session=session, team_id="T1", study_id=study_id)
    assert rows[0] == ["account", "interviews", *(p.text for p in sheet.points)]
    assert rows[1 : 1 + len(sheet.rows)] == [
        ["'=Umbrella" if r.account == "=Umbrella" else r.account, str(r.interviews), *map(cell_text, r.cells)]
        for r in sheet.rows
    ]
    assert rows[2][2] == "✗ contradicts: they automated it with Zapier since"
    assert rows[1 + len(sheet.rows)] == [] and rows[-2][2:] == [p.tally() for p in sheet.points]
    assert picture.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")


def test_a_study_or_a_workspace_it_does_not_know_exits_2_naming_those_it_has(
    database: Database, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    study(database, "T1", CRM, CALLS[:1])
    study(database, "T1", StudyForm(name="Pricing", goal="Per seat?", points="They pay per seat"), [])
    code, out, err = cli(
        database, monkeypatch, capsys, "study", "sheet", "--team", "T1", "--study", "Onboarding"
    )
    assert code == 2 and out == ""
    assert "no study 'Onboarding' in T1; its studies: 'CRM sync', 'Pricing'." in err
    code, _, err = cli(database, monkeypatch, capsys, "study", "sheet", "--team", "T9", "--study", "CRM sync")
    assert code == 2 and "no workspace T9" in err and "T1 (1 interview)" in err
    # A workspace with a study and no interview yet is one the CLI knows: its sheet says so.
    study(database, "T2", CRM, [])
    code, out, err = cli(
        database, monkeypatch, capsys,
        "study", "sheet", "--team", "T2", "--study", "CRM sync", "--png", str(tmp_path / "empty.png"),
    )  # fmt: skip
    assert code == 0, err
    assert out.splitlines()[-1].startswith("No interviews in this study yet")
    assert (tmp_path / "empty.png").read_bytes().startswith(b"\x89PNG")
    # A file it cannot write: one line, exit 2, the sheet still printed.
    code, out, err = cli(
        database, monkeypatch, capsys,
        "study", "sheet", "--team", "T1", "--study", "CRM sync", "--csv", str(tmp_path / "nowhere" / "s.csv"),
    )  # fmt: skip
    assert code == 2 and "cannot write the sheet to" in err and "No such file or directory" in err
    assert out.startswith("Study “CRM sync” (open)")
