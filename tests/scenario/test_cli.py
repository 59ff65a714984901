"""The real entry points, as an operator runs them: `interview-bot run` and `interview-bot migrate`."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import BOT_TOKEN, SIGNING_SECRET
from tests.support.clock import real_now, real_time
from tests.support.fake_slack import FakeSlack
from tests.support.slack_requests import SlackSender

# What these tests check is done by `interview-bot` in a process of its own, on the machine's time.
SUBPROCESS = pytest.mark.real_clock
CLEAN_ENV = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "BOT_", "DATABASE_"))}


def run_cli(*args: str, env: dict[str, str], timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], env=env, capture_output=True, text=True, timeout=timeout
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cli_env(fake: FakeSlack | None = None, **config: str) -> dict[str, str]:
    """The environment `interview-bot` gets: this one without the bot's settings; with `fake`, the
    settings of a bot that talks to it and serves on a free local port; then `settings` on top.
    Themes are compared by shared words unless a test asks for the model: loading it costs each start
    seconds and none of these tests is about what it finds."""
    env = {**CLEAN_ENV, "THEMES_METHOD": "lexical"}
    if fake is not None:
        env.update(
            {
                "SLACK_BOT_TOKEN": BOT_TOKEN,
                "SLACK_SIGNING_SECRET": SIGNING_SECRET,
                "SLACK_API_URL": fake.url,
                "HOST": "127.0.0.1",
                "PORT": str(free_port()),
            }
        )
    return {**env, **config}


@SUBPROCESS
@pytest.mark.parametrize(
    ("extra", "named"),
    [
        ({}, "SLACK_BOT_TOKEN"),
        ({"SLACK_BOT_TOKEN": "xoxb-1"}, "SLACK_SIGNING_SECRET"),
        ({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s", "PORT": "nope"}, "PORT"),
        (
            {
                "SLACK_BOT_TOKEN": "xoxb-1",
                "SLACK_SIGNING_SECRET": "s",
                "DATABASE_URL": "postgresql+psycopg://x@127.0.0.1:1/db",
            },
            "DATABASE_URL",
        ),
        ({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s", "LOG_FORMAT": "xml"}, "LOG_FORMAT"),
    ],
)
def test_run_without_good_settings_exits_with_one_clear_line(
    extra: dict[str, str], named: str, tmp_path: Path
) -> None:
    result = run_cli("run", env=cli_env(**{"DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}", **extra}))
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert named in lines[0]
    assert "Traceback" not in result.stderr


@SUBPROCESS
def test_a_port_in_use_or_a_malformed_url_is_one_line(tmp_path: Path) -> None:
    with FakeSlack(token=BOT_TOKEN) as fake, socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        base = cli_env(fake, BOT_MODE="http")
        busy = run_cli(
            "run",
            env={
                **base,
                "PORT": str(taken.getsockname()[1]),
                "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}",
            },
        )
        malformed = run_cli("run", env={**base, "DATABASE_URL": "postgresql+psycopg://u@[::1/db"})
    for result, named in ((busy, "PORT"), (malformed, "DATABASE_URL")):
        assert result.returncode == 2, result.stderr
        assert "Traceback" not in result.stderr
        assert named in result.stderr.strip().splitlines()[-1]


@SUBPROCESS
def test_run_with_a_refused_token_says_so(tmp_path: Path) -> None:
    with FakeSlack(token="xoxb-the-real-one") as fake:
        env = cli_env(fake, SLACK_BOT_TOKEN="xoxb-wrong", DATABASE_URL=f"sqlite:///{tmp_path / 'x.db'}")
        result = run_cli("run", env=env)
    assert result.returncode == 2
    assert "SLACK_BOT_TOKEN" in result.stderr.strip().splitlines()[-1]
    assert "Traceback" not in result.stderr


@SUBPROCESS
def test_socket_mode_with_a_refused_app_token_says_so(tmp_path: Path) -> None:
    with FakeSlack(token=BOT_TOKEN) as fake:
        fake.fail("apps.connections.open", "invalid_auth", times=None)
        env = cli_env(fake, SLACK_APP_TOKEN="xapp-revoked", DATABASE_URL=f"sqlite:///{tmp_path / 'x.db'}")
        result = run_cli("run", env=env)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("interview-bot: SLACK_APP_TOKEN") and "connections:write" in last


@SUBPROCESS
def test_migrate_alone(tmp_path: Path) -> None:
    from alembic.script import ScriptDirectory
    from sqlalchemy import inspect

    from storage.db import Database
    from storage.migrate import alembic_config, current_revision
    from storage.models import Base
    from storage.search_index import SEARCH_TABLE, is_search_index

    url = f"sqlite:///{tmp_path / 'm.db'}"
    env = cli_env(DATABASE_URL=url)
    head = ScriptDirectory.from_config(alembic_config(url)).get_current_head()

    def schema() -> tuple[set[str], str | None]:
        db = Database(url)
        try:
            names = inspect(db.engine).get_table_names()
            return {(SEARCH_TABLE if is_search_index(n) else n) for n in names}, current_revision(db)
        finally:
            db.dispose()

    assert run_cli("migrate", env=env).returncode == 0
    expected = {t.name for t in Base.metadata.sorted_tables} | {"alembic_version", SEARCH_TABLE}
    assert schema() == (expected, head)
    assert run_cli("migrate", env=env).returncode == 0  # at head already: nothing to do
    assert schema() == (expected, head)


@SUBPROCESS
def test_json_logs_are_one_object_a_line(tmp_path: Path) -> None:
    result = run_cli("migrate", env=cli_env(DATABASE_URL=f"sqlite:///{tmp_path / 'j.db'}", LOG_FORMAT="json"))
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stderr.strip().splitlines()]
    assert lines and all({"time", "level", "logger", "message"} <= set(line) for line in lines)
    assert any(line["message"].startswith("database is at revision") for line in lines)


@SUBPROCESS
def test_run_in_http_mode_serves_slack_and_health_then_stops_on_sigterm(tmp_path: Path) -> None:
    with FakeSlack(token=BOT_TOKEN) as fake:
        env = cli_env(fake, DATABASE_URL=f"sqlite:///{tmp_path / 'run.db'}")
        port = int(env["PORT"])
        proc = subprocess.Popen(
            [sys.executable, "-m", "bot"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        try:
            # Signed with the bot process's time: a request stamped with a moved clock is refused.
            sender = SlackSender("127.0.0.1", port, SIGNING_SECRET, fake=fake, clock=real_time)
            deadline = time.monotonic() + 30
            while True:  # waiting for a separate process to bind its port; no clock to move here
                try:
                    health = sender.get("/healthz")
                    break
                except OSError:
                    assert proc.poll() is None, proc.stdout.read() if proc.stdout else ""
                    assert time.monotonic() < deadline, "the bot did not start listening"
                    time.sleep(0.1)
            assert health.status == 200
            assert sender.command("log Acme").status == 200
            assert fake.calls("views.open")[0].args["view"]["callback_id"] == "log_interview"
            proc.send_signal(signal.SIGTERM)
            assert proc.wait(timeout=15) == 0
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()


@SUBPROCESS
def test_the_running_bot_sends_due_reminders_on_its_own(tmp_path: Path) -> None:
    """...and what another process stored in the outbox but did not live to send."""
    from datetime import timedelta

    from bot.outbox.queue import enqueue
    from storage.db import Database
    from storage.migrate import upgrade
    from storage.models import FollowUp, FollowUpKind, OutboxKind

    url = f"sqlite:///{tmp_path / 'tick.db'}"
    db = Database(url)
    upgrade(db)
    past = real_now() - timedelta(hours=1)  # an hour ago for the bot process, whatever this one's clock says
    with db.transaction() as session:
        session.add(
            FollowUp(
                team_id="T0001",
                owner_id="U0001",
                kind=FollowUpKind.PROMISE,
                description="Send the pricing sheet",
                due_at=past,
                remind_at=past,
            )
        )
        enqueue(
            session=session,
            team_id="T0001",
            user_id="U0001",
            kind=OutboxKind.INTERVIEW_SAVED,
            channel_id="U0001",
            text="Saved your interview with Acme.",
            about="the confirmation of your interview with Acme",
            now=past,
        )
    db.dispose()
    with FakeSlack(token=BOT_TOKEN) as fake:
        fake.add_users("U0001")  # the owner, whose timezone the bot looks up
        env = cli_env(fake, DATABASE_URL=url, SCHEDULER_TICK="1s", WORKING_HOURS="any")
        proc = subprocess.Popen(
            [sys.executable, "-m", "bot"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            dms = fake.wait_for("chat.postMessage", count=2, timeout=30)
            assert {dm.args["channel"] for dm in dms} == {"U0001"}
            assert "Saved your interview with Acme." in [dm.args["text"] for dm in dms]
            assert any("Send the pricing sheet" in str(dm.args.get("blocks")) for dm in dms)
            proc.send_signal(signal.SIGTERM)
            assert proc.wait(timeout=15) == 0
            # At INFO, ticks that send are quiet: no APScheduler line for each job of each tick, no Alembic
            # line for a database at its latest schema, no warning from Bolt about the token it was given.
            logged = proc.stderr.read() if proc.stderr else ""
            assert "database: sqlite file " in logged
            for noise in ("apscheduler", "alembic", "will be unused"):
                assert noise not in logged, logged
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()


@SUBPROCESS
def test_themes_rebuild_regroups_a_workspace_with_a_progress_bar_and_keeps_renames(tmp_path: Path) -> None:
    from datetime import timedelta
    from zoneinfo import ZoneInfo

    from sqlalchemy import select

    from bot.capture.interviews import InterviewDraft, log_interview
    from storage.db import Database
    from storage.models import Pain, Theme

    url = f"sqlite:///{tmp_path / 'themes.db'}"
    env = cli_env(DATABASE_URL=url, THEMES_METHOD="semantic")
    assert run_cli("migrate", env=env).returncode == 0
    db = Database(url)
    pains = [
        "Reports take forever to build",
        "Building the monthly report eats my whole Friday",
        "It takes hours to put our reporting together",
        "The mobile app crashes when I upload a photo",
    ]
    now = real_now()
    with db.transaction() as session:
        for n, pain in enumerate(pains):
            for team in ("T1", "T2"):
                log_interview(
                    session=session,
                    team_id=team,
                    user_id="U1",
                    draft=InterviewDraft(account=f"C{n}", kind="demo", held_on=now.date(), pains=pain),
                    now=now,
                    tz=ZoneInfo("UTC"),
                    thank_you_after=timedelta(hours=24),
                    summary_after=timedelta(hours=48),
                )

    done = run_cli("themes", "rebuild", "--team", "T1", env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "pains: embedding" in done.stderr and "4/4" in done.stderr  # the progress bar
    summary = "pains of T1: 1 topic, 1 theme (1 new), 1 line in no theme, 4 embedded with minilm-l6-v2"
    assert summary in done.stdout
    with db.transaction() as session:
        theme = session.scalars(select(Theme).where(Theme.team_id == "T1")).one()
        theme.name, theme.named_by = "Slow reporting", "U9"
        # The other workspace was not touched.
        assert (
            session.scalars(select(Pain).where(Pain.team_id == "T2", Pain.embedded_with.is_not(None))).all()
            == []
        )

    again = run_cli("themes", "rebuild", "--team", "T1", env=env, timeout=120)
    assert again.returncode == 0, again.stderr
    assert "1 theme (0 new)" in again.stdout
    # The tree, as /interview themes shows it: the topic, and the renamed theme under it.
    listed = run_cli("themes", "list", "--team", "T1", env=env)
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.splitlines()[0] == "pains of T1: 1 topic, 1 theme"
    assert "    › Slow reporting · 3 lines from 3 accounts" in listed.stdout.splitlines()
    assert "requests of T1: 0 topics, 0 themes" in listed.stdout
    with db.read() as session:
        assert session.scalars(select(Theme.name).where(Theme.team_id == "T1")).all() == ["Slow reporting"]
    db.dispose()

    assert run_cli("themes", "rebuild", "--team", " ", env=env).returncode == 2
    bad = run_cli("themes", "rebuild", "--team", "T1", env={**env, "THEMES_METHOD": "magic"})
    assert bad.returncode == 2 and bad.stderr.strip().splitlines()[-1].startswith(
        "interview-bot: THEMES_METHOD="
    )


# Every verb that works on one workspace, with what else it needs to get as far as --team.
TEAM_VERBS = [
    ["import", "sheet.csv"],
    ["export"],
    ["themes", "rebuild"],
    ["themes", "list"],
    ["digest", "preview"],
]


def refused(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    """What `interview-bot ARGV` says as it exits 2 (in-process: the subprocess adds nothing here)."""
    from bot.cli.main import main

    with pytest.raises(SystemExit) as exited:
        main(argv)
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert err.endswith("\n") and err.count("\n") == 1, err  # one line
    return err


@pytest.mark.parametrize("verb", TEAM_VERBS, ids="-".join)
def test_every_verb_refuses_a_team_that_is_not_a_slack_id(
    verb: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    err = refused([*verb, "--team", "acme-0001"], capsys)
    assert err.startswith(f"interview-bot {' '.join(v for v in verb if v != 'sheet.csv')}: argument --team:")
    assert (
        "'acme-0001' is not a Slack workspace id (a team_id: T and capitals and digits, like T0123ABCD)"
        in err
    )


@pytest.mark.parametrize(
    ("team", "echoed"),
    [
        ("T" * 10_000, "'" + "T" * 40 + "…' (10,000 characters) is not"),
        ("T0001\nWARNING forged", r"'T0001\nWARNING forged' is not"),
        ("T0001 ", "'T0001 ' is not"),
        ("", "'' is not"),
        ("T0001\x1b[2J", r"'T0001\x1b[2J' is not"),
    ],
    ids=["long", "newline", "space", "empty", "escape"],
)
def test_a_bad_team_is_echoed_clipped_and_escaped(
    team: str, echoed: str, capsys: pytest.CaptureFixture[str]
) -> None:
    err = refused(["export", "--team", team], capsys)
    assert echoed in err and len(err) < 250


def test_every_team_option_of_the_cli_is_checked() -> None:
    """A verb added later with a --team of its own must use the same check."""
    import argparse

    from bot.cli.main import build_parser
    from bot.cli.startup import team_id

    def team_actions(parser: argparse.ArgumentParser) -> list[argparse.Action]:
        found = [a for a in parser._actions if "--team" in a.option_strings]
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for sub in action.choices.values():
                    found += team_actions(sub)
        return found

    actions = team_actions(build_parser())
    assert len(actions) >= len(TEAM_VERBS)
    assert all(a.type is team_id and a.required for a in actions)


# In any case: a case slip is caught against the workspaces the database holds (test_cli_workspaces).
@pytest.mark.parametrize("team", ["T0001", "TDEMO", "T0123ABCD", "T024BE7LD9Z", "t0demo"])
def test_slack_team_ids_are_taken(team: str) -> None:
    from bot.cli.startup import team_id

    assert team_id(team) == team
