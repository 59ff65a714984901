"""The composition root: every sender and service of a process built once, from the configuration and
the database, and handed to the Bolt App complete (`Deps` is frozen). The scheduler and "Post now" share
one digest poster, and the outbox's sender serves both the requests and the ticks. `serve` is what
`interview-bot run` runs: all of it, the scheduler, and the HTTP or Socket Mode server until a signal;
`dry_slack` is what `run --dry-slack` adds: Slack replaced by a stand-in on this machine."""

from __future__ import annotations

import dataclasses
import logging
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from slack_bolt import App
from slack_bolt.error import BoltError
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot import scheduler
from bot.config import DRY_SLACK_SIGNING_SECRET, Config, redact, shown_url
from bot.errors import StartupError
from bot.reminders.deliveries import ReminderPolicy
from bot.replica import replica_name
from bot.themes.embeddings import Embedder
from bot.themes.upkeep.job import UpkeepJob
from bot.themes.upkeep.work import UpkeepSchedule
from handlers.app import bolt_app, read_installation
from handlers.deps import Deps
from handlers.home import publish_home_for
from handlers.requests import server
from handlers.senders.digest import DigestPoster
from handlers.senders.home import QUIET_DELAY, HomeRefresh
from handlers.senders.loop import LoopPlanner
from handlers.senders.outbox import OutboxSender
from handlers.senders.owner_summaries import OwnerSummaries
from handlers.senders.reminders import ReminderSender
from handlers.web_api.client import make_client
from handlers.web_api.directory import Directory
from handlers.web_api.roles import Roles
from handlers.web_api.stand_in import TEAM_ID, StandInSlack
from handlers.web_api.timezones import Timezones
from storage.db import Database

T = TypeVar("T")
log = logging.getLogger(__name__)


def build_app(
    *,
    config: Config,
    db: Database,
    client: WebClient | None = None,
    register: bool = True,
    upkeep: UpkeepJob | None = None,
    home_delay: float | None = QUIET_DELAY,
) -> tuple[App, Deps]:
    """The Bolt App and what its handlers (and the scheduler) use. `upkeep` brings a workspace's themes up
    to date before a digest is built. `home_delay`: the quiet spell before a changed App Home is
    republished (None: only on flush())."""
    client = client or make_client(token=config.bot_token, base_url=config.slack_api_url)
    installation = read_installation(client)

    def show_on_home(team_id: str, user_id: str) -> None:
        # Draw and publish this person's App Home now (a message to them failed for good, or something
        # of theirs changed). Called only once requests or ticks run, after `deps` below is made.
        publish_home_for(deps=deps, team_id=team_id, user_id=user_id)

    outbox = OutboxSender(db=db, client=client, on_failure=show_on_home)
    deps = Deps(
        config=config,
        db=db,
        client=client,
        team_id=installation.team_id,
        timezones=Timezones(db),
        roles=Roles(home_team=installation.team_id),
        home=HomeRefresh(show_on_home, delay=home_delay),
        outbox=outbox,
        digest=DigestPoster(db=db, client=client, send_outbox=outbox.send_now, upkeep=upkeep),
    )
    return bolt_app(deps=deps, installation=installation, register=register), deps


def serve(*, config: Config, db: Database, embedder: Embedder) -> None:
    """Build everything, start the scheduler, and serve Slack until SIGTERM or SIGINT; then let the work
    that followed an ack finish before the database goes. Anything the operator must fix is one line."""
    upkeep = UpkeepJob(
        db=db,
        embedder=embedder,
        replica=replica_name(),
        schedule=UpkeepSchedule(
            regroup_every=config.themes_regroup_every, rebuild_every=config.themes_rebuild_every
        ),
    )
    try:
        with _unlogged("slack_sdk.web.base_client"):  # each failed try: the one line below says it all
            app, deps = build_app(config=config, db=db, upkeep=upkeep)
    except (BoltError, SlackApiError) as exc:
        said = exc.response.get("error") if isinstance(exc, SlackApiError) else str(exc)
        raise StartupError(
            f"SLACK_BOT_TOKEN was refused by Slack ({redact(str(said), config.slack_api_url)}); "
            "copy the Bot User OAuth Token again."
        ) from None
    except OSError as exc:
        raise StartupError(
            f"cannot reach Slack at SLACK_API_URL={shown_url(config.slack_api_url)} "
            f"({redact(str(exc), config.slack_api_url)}): check this machine's network, and SLACK_API_URL "
            "if it is set; or try the bot without Slack: interview-bot run --dry-slack."
        ) from None
    web_app = server.WebApp(app, db, signing_secret=config.signing_secret)
    stopping = server.stop_on_signals()
    stop_scheduler = scheduler.start_scheduler(
        ReminderSender(
            db=db,
            client=deps.client,
            timezones=deps.timezones,
            policy=ReminderPolicy(working_hours=config.working_hours, max_resends=config.max_resends),
            roles=deps.roles,
        ),
        every=config.scheduler_tick,
        upkeep=upkeep,
        digest=deps.digest,
        outbox=deps.outbox.tick,
        directory=Directory(
            team_id=deps.team_id, db=db, client=deps.client, timezones=deps.timezones, roles=deps.roles
        ),
        loop=LoopPlanner(db=db, client=deps.client).tick,
        summaries=OwnerSummaries(
            db=db,
            client=deps.client,
            team_id=deps.team_id,
            timezones=deps.timezones,
            roles=deps.roles,
            working_hours=config.working_hours,
            send_outbox=deps.outbox.send_now,
        ).tick,
    )
    try:
        if config.mode == "socket":
            assert config.app_token is not None  # load_config guarantees it in socket mode
            runner = _bind(
                config,
                lambda: server.SocketModeRunner(
                    app, web_app, app_token=config.app_token or "", host=config.host, port=config.port
                ),
            )
            try:
                server.serve_socket(runner, stopping)
            except SlackApiError as exc:
                raise StartupError(
                    f"SLACK_APP_TOKEN was refused by Slack ({exc.response.get('error')}): generate an "
                    "app-level token with the connections:write scope (Basic Information → App-Level Tokens)."
                ) from None
        else:
            server.serve_http(
                _bind(config, lambda: server.make_http_server(web_app, host=config.host, port=config.port)),
                stopping,
            )
    finally:
        stop_scheduler()
        deps.close()  # let work that followed an ack (DMs) finish before the database goes
        db.dispose()


def _bind(config: Config, make: Callable[[], T]) -> T:
    """Create what listens on HOST:PORT; a port in use or a foreign address is one line, not a traceback."""
    try:
        return make()
    except OSError as exc:
        raise StartupError(
            f"cannot listen on HOST={config.host} PORT={config.port} ({exc.strerror or exc}): "
            "pick a free port, or an address of this machine."
        ) from None


@contextmanager
def _unlogged(name: str) -> Iterator[None]:
    """The logger `name` silent while inside (the start is single-threaded: nothing else is muted)."""
    logger = logging.getLogger(name)
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        logger.setLevel(level)


@contextmanager
def dry_slack(config: Config) -> Iterator[Config]:
    """`config` for `run --dry-slack` (bot.config.dry_slack_env made it), while it runs: SLACK_API_URL on a
    stand-in for Slack that logs what the bot would send, and a throwaway database, so that no reminder or
    digest of a real one is spent on a Slack that is not there."""
    with StandInSlack() as slack, tempfile.TemporaryDirectory(prefix="interview-bot-dry-slack-") as folder:
        host = "127.0.0.1" if config.host in ("0.0.0.0", "::") else config.host
        secret = (
            f"the placeholder signing secret {DRY_SLACK_SIGNING_SECRET}"
            if config.signing_secret == DRY_SLACK_SIGNING_SECRET
            else "SLACK_SIGNING_SECRET"
        )
        log.warning(
            "DRY RUN: nothing reaches Slack. A stand-in at %s answers the bot and logs each call it would "
            "make (response_urls under %s too); the database is a throwaway one (DATABASE_URL is not used)",
            slack.url,
            slack.url.removesuffix("api/"),
        )
        log.warning(
            "DRY RUN: send requests to http://%s:%d/slack/events signed with %s, as workspace %s",
            host,
            config.port,
            secret,
            TEAM_ID,
        )
        yield dataclasses.replace(
            config,
            slack_api_url=slack.url,
            database_url=f"sqlite:///{Path(folder) / 'dry-slack.db'}",
        )
