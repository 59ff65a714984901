"""The composition root: every sender and service of a process built once, from the configuration and
the database, and handed to the Bolt App complete (`Deps` is frozen). The scheduler and "Post now" share
one digest poster, and the outbox's sender serves both the requests and the ticks."""

from __future__ import annotations

from slack_bolt import App
from slack_sdk import WebClient

from bot.config import Config
from bot.themes.upkeep.job import UpkeepJob
from handlers.app import bolt_app, read_installation
from handlers.deps import Deps
from handlers.home import publish_home_for
from handlers.senders.digest import DigestPoster
from handlers.senders.home import QUIET_DELAY, HomeRefresh
from handlers.senders.outbox import OutboxSender
from handlers.web_api.client import make_client
from handlers.web_api.roles import Roles
from handlers.web_api.timezones import Timezones
from storage.db import Database


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
