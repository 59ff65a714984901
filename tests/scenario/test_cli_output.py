"""What every CLI verb says about itself, run as an operator runs it (a process of its own, in a directory
of its own): which database it opened, one line when it migrated (Alembic's own lines only at DEBUG),
the settings of `.env` under the environment's, and a dry run that leaves the directory as it was."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from storage import Database
from storage.migrate import current_revision, head_revision, upgrade
from tests.scenario.test_cli import CLEAN_ENV
from tests.scenario.test_exchange_cli import HEADER

pytestmark = pytest.mark.real_clock  # the verbs run in processes of their own, on the machine's time

SHEET = HEADER + "Acme,2026-01-05,discovery,,,,,Slow reports,,,,,,,\n"
# What Alembic and APScheduler write at INFO, and Bolt's start-up warning: none of it at LOG_LEVEL=INFO.
NOISE = ("alembic", "apscheduler", "Context impl", "Running upgrade", "Running job", "will be unused")


def cli(cwd: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """`interview-bot ARGS` run in `cwd`, with the bot's settings only from `env` (and cwd's .env)."""
    settings = {"THEMES_METHOD": "lexical", "LOG_LEVEL": "INFO", **env}
    source = str(Path(__file__).resolve().parents[2])  # this checkout, whatever the directory
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=cwd,
        env={**CLEAN_ENV, "PYTHONPATH": source, **settings},
        capture_output=True,
        text=True,
        timeout=120,
    )


def quiet(stderr: str) -> bool:
    return not any(word.lower() in stderr.lower() for word in NOISE)


def test_a_fresh_database_is_created_in_one_line_and_an_up_to_date_one_says_nothing_of_it(
    tmp_path: Path,
) -> None:
    head = head_revision()
    (tmp_path / "sheet.csv").write_text(SHEET, encoding="utf-8")
    first = cli(tmp_path, "import", "--team", "T0DEMO", "sheet.csv", DATABASE_URL="sqlite:///bot.db")
    assert first.returncode == 0, first.stderr
    assert quiet(first.stderr), first.stderr
    lines = first.stderr.splitlines()
    assert lines[:3] == [
        "database: sqlite file ./bot.db",
        f"database created at {head}",
        "new workspace T0DEMO (no interviews yet)",
    ]
    again = cli(tmp_path, "export", "--team", "T0DEMO", DATABASE_URL="sqlite:///bot.db")
    assert again.returncode == 0, again.stderr
    assert quiet(again.stderr), again.stderr
    assert again.stderr.splitlines() == ["database: sqlite file ./bot.db", "1 interview of T0DEMO exported"]


def test_an_older_database_is_upgraded_in_one_line(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'old.db'}")
    upgrade(db, "0009")
    db.dispose()
    result = cli(tmp_path, "teams", DATABASE_URL="sqlite:///old.db")
    assert result.returncode == 0, result.stderr
    assert quiet(result.stderr), result.stderr
    assert result.stderr.splitlines() == [
        "database: sqlite file ./old.db",
        f"database upgraded 0009 → {head_revision()}",
    ]


def test_alembics_lines_are_there_at_debug(tmp_path: Path) -> None:
    result = cli(tmp_path, "migrate", DATABASE_URL="sqlite:///bot.db", LOG_LEVEL="DEBUG")
    assert result.returncode == 0, result.stderr
    assert "alembic.runtime.migration: Running upgrade" in result.stderr


@pytest.mark.postgres
def test_a_postgresql_database_is_named_by_host_port_and_name_never_its_password(tmp_path: Path) -> None:
    from sqlalchemy.engine import make_url

    from tests.conftest import POSTGRES_URL, create_postgres_database, drop_postgres_database

    if not POSTGRES_URL:
        pytest.skip("needs TEST_POSTGRES_URL")
    url = create_postgres_database()  # a database of its own: the verb migrates what it opens
    try:
        parsed = make_url(url).set(password="s3cret-pass")  # trust auth: any password is let in
        result = cli(tmp_path, "teams", DATABASE_URL=parsed.render_as_string(hide_password=False))
    finally:
        drop_postgres_database(url)
    assert result.returncode == 0, result.stderr
    shown = f"database: postgresql {parsed.host}:{parsed.port or 5432}/{parsed.database}"
    assert result.stderr.splitlines()[:2] == [shown, f"database created at {head_revision()}"]
    assert "s3cret" not in result.stderr + result.stdout


def test_env_file_settings_are_read_and_the_environment_wins(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text(
        "# the bot's settings\nexport DATABASE_URL='sqlite:///from-file.db'  # kept here\nLOG_LEVEL=INFO\n",
        encoding="utf-8",
    )
    from_file = cli(tmp_path, "migrate")
    assert from_file.returncode == 0, from_file.stderr
    assert from_file.stderr.splitlines()[0] == "database: sqlite file ./from-file.db"
    assert (tmp_path / "from-file.db").exists()
    from_env = cli(tmp_path, "migrate", DATABASE_URL="sqlite:///from-env.db")
    assert from_env.stderr.splitlines()[0] == "database: sqlite file ./from-env.db"
    assert (tmp_path / "from-env.db").exists()


def test_a_bad_env_file_line_is_one_line_naming_it(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text(
        "DATABASE_URL=sqlite:///x.db\nSLACK_BOT_TOKEN xoxb-secret\n", encoding="utf-8"
    )
    result = cli(tmp_path, "migrate")
    assert result.returncode == 2
    assert result.stderr == "interview-bot: .env line 2 is not a KEY=value setting; fix it or remove it.\n"
    assert not (tmp_path / "x.db").exists()


def test_a_dry_run_without_a_database_creates_nothing_and_still_checks_the_rows(tmp_path: Path) -> None:
    (tmp_path / "sheet.csv").write_text(
        SHEET + "Globex,05/01/2026,discovery,,,,,Bad date,,,,,,,\n", encoding="utf-8"
    )
    before = sorted(os.listdir(tmp_path))
    result = cli(
        tmp_path, "import", "--team", "T0DEMO", "--dry-run", "sheet.csv", DATABASE_URL="sqlite:///bot.db"
    )
    assert result.returncode == 1, result.stderr  # a row is rejected
    assert sorted(os.listdir(tmp_path)) == before
    assert "line 2: would create Acme, 2026-01-05, discovery, 1 pain" in result.stdout
    assert "line 3: rejected: date" in result.stdout
    assert "sheet.csv: 1 interview would be created (1 pain), 0 already there, 1 rejected" in result.stdout
    assert "database: sqlite file ./bot.db does not exist yet (a dry run creates nothing)" in result.stderr
    assert quiet(result.stderr), result.stderr


def test_a_dry_run_leaves_an_older_database_as_it_was(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'old.db'}")
    upgrade(db, "0009")
    db.dispose()
    (tmp_path / "sheet.csv").write_text(SHEET, encoding="utf-8")
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    result = cli(
        tmp_path, "import", "--team", "T0DEMO", "--dry-run", "sheet.csv", DATABASE_URL="sqlite:///old.db"
    )
    assert result.returncode == 0, result.stderr
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before
    assert f"database: sqlite file ./old.db is at 0009, older than {head_revision()}" in result.stderr
    db = Database(f"sqlite:///{tmp_path / 'old.db'}")
    assert current_revision(db) == "0009"
    db.dispose()


def test_a_dry_run_against_a_database_reads_it_and_writes_nothing(tmp_path: Path) -> None:
    (tmp_path / "sheet.csv").write_text(SHEET, encoding="utf-8")
    assert (
        cli(tmp_path, "import", "--team", "T0DEMO", "sheet.csv", DATABASE_URL="sqlite:///bot.db").returncode
        == 0
    )
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    result = cli(
        tmp_path, "import", "--team", "T0DEMO", "--dry-run", "sheet.csv", DATABASE_URL="sqlite:///bot.db"
    )
    assert result.returncode == 0, result.stderr
    assert "line 2: already there" in result.stdout
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before
    assert result.stderr.splitlines() == ["database: sqlite file ./bot.db"]
