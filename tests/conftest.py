"""Fixtures: databases (SQLite always, PostgreSQL when TEST_POSTGRES_URL is set), the fake Slack Web API,
the real bot served over HTTP on a free port, and the clock.

The clock: `--clock-start=HH:MM` (or TEST_CLOCK_START=HH:MM) starts the whole run's clock at that UTC
time of day, on today's date, and lets it tick on from there (time-machine), so a run at 02:30 shows
what breaks when UTC and the fake users' New York are on different dates. Several times, comma-separated
(`--clock-start=02:30,23:30`), run every test once at each, in one session: each test's clock starts at
that time of day (the test id says which), so one run of workers shares the set-up of both. A test
marked `real_clock` runs once, on the machine's time: its work is done by other processes, which the
moved clock never reaches, and what it hands them is taken from the real clock. Tests that
move time themselves (the `clock` fixture, @time_machine.travel) still do. Subprocesses (the CLI,
scheduler replicas) and PostgreSQL's now() keep the machine's real time: tests hand them times taken from
`tests.support.clock.real_now()`, never from the moved clock.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import threading
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, time
from pathlib import Path
from typing import Any

import pytest
import time_machine
from sqlalchemy import func, select

from bot.app import build_app
from bot.config import Config, load_config
from bot.reminders.deliveries import ReminderPolicy
from bot.themes.embeddings import Embedder
from bot.themes.semantic import load_embedder
from handlers.deps import Deps
from handlers.requests.server import WebApp, make_http_server, run_until_closed
from handlers.senders.reminders import ReminderSender
from storage.db import Database
from storage.migrate import upgrade
from storage.models import Interview
from tests.support.clock import NEW_YORK_TUESDAY_10AM, ClockShare
from tests.support.databases import (
    POSTGRES_URL,
    KeptDatabase,
    create_postgres_database,
    drop_postgres_database,
    postgres_kept,
    sqlite_kept,
)
from tests.support.fake_slack import FakeSlack
from tests.support.slack_requests import TEAM_ID, SlackSender

# waitress warns "Task queue depth is 1" when a request reaches a test's server before its threads are
# waiting, as happens on a busy machine: a note on the machine, not on the bot, which tests that read the
# log's warnings would take for one of the bot's.
logging.getLogger("waitress.queue").setLevel(logging.ERROR)

SIGNING_SECRET = "test-signing-secret"
BOT_TOKEN = "xoxb-test"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--clock-start",
        metavar="HH:MM[,HH:MM]",
        default=os.environ.get("TEST_CLOCK_START", ""),
        help="start the run's clock at this UTC time of day, today (default: the real time; "
        "also TEST_CLOCK_START); several, comma-separated, run every test once at each",
    )


_TODAY = datetime.now(UTC).date()  # one date for the whole run, even one that crosses midnight


def clock_starts(config: pytest.Config) -> list[datetime]:
    """Where --clock-start puts the clock: today's date at each UTC time of day given (none: real time)."""
    raw = str(config.getoption("--clock-start") or "").strip()
    starts = []
    for part in filter(None, (p.strip() for p in raw.split(","))):
        try:
            at = time.fromisoformat(part)
        except ValueError:
            raise pytest.UsageError(f"--clock-start wants UTC times of day as HH:MM, not {part!r}") from None
        starts.append(datetime.combine(_TODAY, at.replace(tzinfo=UTC)))
    return starts


def pytest_configure(config: pytest.Config) -> None:
    clock_starts(config)  # a malformed value stops the run before any test


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """With several clock starts, every test runs once at each (see `_test_clock`)."""
    starts = clock_starts(metafunc.config)
    if metafunc.definition.get_closest_marker("real_clock"):
        return  # other processes do its work, on the machine's time: a moved clock cannot change it
    if metafunc.definition.get_closest_marker("own_clock"):
        return  # it travels to a fixed moment itself: where the run's clock started changes nothing
    if len(starts) > 1 and "_test_clock" in metafunc.fixturenames:
        metafunc.parametrize("_test_clock", starts, indirect=True, ids=[f"{s:%H%M}Z" for s in starts])


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """The fuzz suite's figures (tests/scenario/test_fuzz.py), when it ran: requests sent, 5xx, log growth."""
    from tests.support.hostile import REPORT

    if REPORT.sent:
        terminalreporter.write_line(REPORT.summary())


def pytest_sessionfinish(session: pytest.Session) -> None:
    """A worker of a parallel run (pytest-xdist) hands its fuzz figures to the main process."""
    from tests.support.hostile import REPORT

    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None and REPORT.sent:
        # execnet carries plain types only: a Counter goes as a dict
        workeroutput["fuzz_report"] = {
            field.name: dict(value) if isinstance(value, dict) else value
            for field in dataclasses.fields(REPORT)
            if (value := getattr(REPORT, field.name)) is not None
        }


def pytest_testnodedown(node: Any, error: Any) -> None:
    """The main process of a parallel run adds up what each worker's fuzz suite sent and saw."""
    from tests.support.hostile import REPORT

    theirs = getattr(node, "workeroutput", {}).get("fuzz_report")
    if not theirs:
        return
    for name, value in theirs.items():
        mine = getattr(REPORT, name)
        if isinstance(mine, Counter):
            mine.update({int(k): v for k, v in value.items()})
        elif isinstance(mine, dict):
            for key, size in value.items():
                mine[key] = max(mine.get(key, 0), size)
        elif isinstance(mine, float):
            setattr(REPORT, name, max(mine, value))
        else:
            setattr(REPORT, name, mine + value)


def pytest_report_header(config: pytest.Config) -> str | None:
    starts = clock_starts(config)
    if not starts:
        return None
    return "clock starts at " + " and at ".join(f"{s:%Y-%m-%d %H:%M} UTC" for s in starts)


@pytest.fixture(scope="session", autouse=True)
def _run_clock(request: pytest.FixtureRequest) -> Iterator[None]:
    """With one clock start, the whole run's clock, started there (it ticks on from there)."""
    starts = clock_starts(request.config)
    if len(starts) != 1:
        yield
        return
    with time_machine.travel(starts[0], tick=True):
        yield


@pytest.fixture(autouse=True)
def _test_clock(request: pytest.FixtureRequest) -> Iterator[None]:
    """With several clock starts, this test's clock, started at the one it runs at (it ticks on)."""
    start = getattr(request, "param", None)
    if start is None:
        yield
        return
    with time_machine.travel(start, tick=True):
        yield


@pytest.fixture
def clock_share(request: pytest.FixtureRequest) -> ClockShare:
    """Which of the run's clock starts this test runs at, of how many: a property test run at each takes
    its own share of the examples (see ClockShare)."""
    starts = clock_starts(request.config)
    callspec = getattr(request.node, "callspec", None)
    start = callspec.params.get("_test_clock") if callspec else None
    return ClockShare(starts.index(start), len(starts)) if start in starts else ClockShare()


BACKENDS = [
    "sqlite",
    pytest.param(
        "postgresql",
        marks=[
            pytest.mark.postgres,
            pytest.mark.skipif(not POSTGRES_URL, reason="TEST_POSTGRES_URL not set"),
        ],
    ),
]


@pytest.fixture(scope="session")
def _postgres_session_url() -> Iterator[str]:
    url = create_postgres_database()
    db = Database(url)
    upgrade(db)
    db.dispose()
    yield url
    drop_postgres_database(url)


@pytest.fixture(scope="session")
def _postgres_kept(_postgres_session_url: str) -> Iterator[KeptDatabase]:
    """The worker's PostgreSQL `Database`, emptied for each test (see tests/support/databases.py)."""
    kept = postgres_kept(_postgres_session_url)
    yield kept
    kept.close()


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def empty_database_url(backend: str, tmp_path: Path) -> Iterator[str]:
    """A database with no schema at all, for migration tests."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    url = create_postgres_database()
    yield url
    drop_postgres_database(url)


@pytest.fixture
def postgres_database(request: pytest.FixtureRequest) -> Iterator[Database]:
    """The run's migrated PostgreSQL database, emptied for the test (skipped without TEST_POSTGRES_URL)."""
    if not POSTGRES_URL:
        pytest.skip("TEST_POSTGRES_URL not set")
    kept = request.getfixturevalue("_postgres_kept")
    yield kept.take()
    kept.give_back()


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated to head once for the run: copying it is a thousandth of migrating anew."""
    path = tmp_path_factory.mktemp("template") / "bot.db"
    db = Database(f"sqlite:///{path}")
    upgrade(db)
    db.dispose()  # the last connection closed: the write-ahead log is folded into the file
    return path


@pytest.fixture(scope="session")
def _sqlite_kept(tmp_path_factory: pytest.TempPathFactory, _sqlite_template: Path) -> Iterator[KeptDatabase]:
    """The worker's SQLite `Database`, its file copied anew for each test (see tests/support/databases.py)."""
    kept = sqlite_kept(_sqlite_template, tmp_path_factory.mktemp("database") / "bot.db")
    yield kept
    kept.close()


@pytest.fixture
def database(backend: str, request: pytest.FixtureRequest) -> Iterator[Database]:
    """A migrated, empty database of each backend."""
    if backend != "sqlite":
        yield request.getfixturevalue("postgres_database")
        return
    kept = request.getfixturevalue("_sqlite_kept")
    yield kept.take()
    kept.give_back()


def interview_count(db: Database) -> int:
    """How many interviews are stored, in every workspace."""
    with db.read() as session:
        return session.scalar(select(func.count()).select_from(Interview)) or 0


@pytest.fixture(scope="session")
def semantic() -> Embedder:
    """The real semantic model, loaded once for the run (building its network takes a second or two)."""
    return load_embedder("semantic")


@pytest.fixture(scope="session")
def mpnet() -> Embedder:
    """The stronger model (THEMES_MODEL=mpnet), loaded once for the run by the worker that needs it: five
    seconds and half a gigabyte."""
    return load_embedder("semantic", model="mpnet")


@pytest.fixture
def fake_slack() -> Iterator[FakeSlack]:
    with FakeSlack(token=BOT_TOKEN) as fake:
        yield fake


def make_config(fake_slack: FakeSlack, database_url: str, **env: str) -> Config:
    return load_config(
        {
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": fake_slack.url,
            "DATABASE_URL": database_url,
            "BOT_MODE": "http",
            **env,
        }
    )


@dataclass
class RunningBot:
    slack: SlackSender
    fake: FakeSlack
    db: Database
    deps: Deps
    url: str


@pytest.fixture
def bot_env() -> dict[str, str]:
    """Extra settings for the `bot` fixture; a test overrides it with @pytest.mark.parametrize."""
    return {}


@pytest.fixture
def bot(fake_slack: FakeSlack, database: Database, bot_env: dict[str, str]) -> Iterator[RunningBot]:
    """The real app behind the real HTTP server, talking to the fake Slack."""
    yield from serve_bot(fake_slack, database, bot_env)


OTHER_TEAM = "T0OTHER"


@pytest.fixture
def elsewhere(database: Database) -> Iterator[RunningBot]:
    """The bot of another workspace over the same database: its own token, installed in OTHER_TEAM, with
    its own fake Slack. A bot serves only its installation's workspace, so this is how a test shows that
    one workspace's rows never reach another's people."""
    with FakeSlack(token="xoxb-other", team_id=OTHER_TEAM) as fake:
        yield from serve_bot(fake, database, {"SLACK_BOT_TOKEN": "xoxb-other"}, team_id=OTHER_TEAM)


def serve_bot(
    fake_slack: FakeSlack, database: Database, env: dict[str, str], *, team_id: str = TEAM_ID
) -> Iterator[RunningBot]:
    config = make_config(fake_slack, database.url, **env)
    # App Home republishes wait for the test's deps.home.flush(): none comes on a timer, at any moment.
    app, deps = build_app(config=config, db=database, home_delay=None)
    server = make_http_server(WebApp(app, database, signing_secret=SIGNING_SECRET), host="127.0.0.1", port=0)
    # waitress notices a close() on its next wake-up (1 s by default): each test closes a server.
    server.adj.asyncore_loop_timeout = 0.05
    thread = threading.Thread(target=run_until_closed, args=(server,), daemon=True)
    thread.start()
    port = server.effective_port
    fake_slack.reset()  # forget auth.test from start-up
    yield RunningBot(
        slack=SlackSender("127.0.0.1", port, SIGNING_SECRET, fake=fake_slack, team_id=team_id),
        fake=fake_slack,
        db=database,
        deps=deps,
        url=f"http://127.0.0.1:{port}",
    )
    server.close()
    thread.join(timeout=5)
    deps.close()


@pytest.fixture
def replicas(fake_slack: FakeSlack, postgres_database: Database) -> Iterator[list[RunningBot]]:
    """Three replicas of the bot, each its own process's worth (database engine, Slack client, outbox
    sender), over one PostgreSQL database and one Slack."""
    databases = [Database(postgres_database.url) for _ in range(3)]
    running = [serve_bot(fake_slack, db, {}) for db in databases]
    yield [next(bot) for bot in running]
    for bot in running:
        next(bot, None)
    for db in databases:
        db.dispose()


@pytest.fixture
def sender(bot: RunningBot) -> Iterator[ReminderSender]:
    """The scheduler's reminder sender for the `bot`, as a replica runs it; the test calls tick()."""
    config = bot.deps.config
    policy = ReminderPolicy(working_hours=config.working_hours, max_resends=config.max_resends)
    sender = ReminderSender(db=bot.db, client=bot.deps.client, timezones=bot.deps.timezones, policy=policy)
    yield sender
    sender.close()


@pytest.fixture
def clock() -> Iterator[time_machine.Traveller]:
    """The clock moved to Tuesday 10:00 in New York (NEW_YORK_TUESDAY_10AM), ticking; the test moves it on."""
    with time_machine.travel(NEW_YORK_TUESDAY_10AM, tick=True) as traveller:
        yield traveller
