"""What every handler receives: `actor` (who is asking, in which workspace) and `deps` (configuration, the
database, the Slack client, people's timezones and roles, the senders, a pool for work after the ack, and
`home`, where a change to someone's App Home is reported).
"""

from __future__ import annotations

import contextvars
import threading
import time
from collections.abc import Callable, Hashable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any
from zoneinfo import ZoneInfo

from slack_sdk import WebClient

from bot.config import Config
from bot.people.permissions import TRUSTED_FOR, Act, Role, check, may, needed
from handlers.errors import message_for
from handlers.senders.digest import DigestPoster
from handlers.senders.home import HomeRefresh
from handlers.senders.outbox import OutboxSender
from handlers.web_api.client import interactive
from handlers.web_api.roles import Roles
from handlers.web_api.timezones import Timezones
from storage.db import Database

AFTER_ACK_THREADS = 16
TOGETHER_WINDOW = 0.2  # seconds between two runs of one batch of after-ack checks (after_ack_together)


@dataclass(frozen=True)
class Actor:
    """Who is asking, handed to every handler as `actor`: the workspace and (when there is one) the user."""

    team_id: str
    user_id: str


@dataclass(frozen=True)
class Deps:
    """What every handler may need, handed over by the middleware as the `deps` argument; made complete,
    once per process, by the composition root (bot.app)."""

    config: Config
    db: Database
    client: WebClient
    # The installation's workspace (auth.test at start): the only one this process serves.
    team_id: str
    timezones: Timezones
    # People's roles read from Slack (the member list fills it too): what `require` and `may` decide on.
    roles: Roles
    # `deps.home.changed(team_id=..., user_id=...)`: this person's App Home is republished soon, once for
    # a burst of changes.
    home: HomeRefresh
    # Sends outbox messages a transaction just recorded, right after the commit; the scheduler ticks it.
    outbox: OutboxSender
    # The digest poster: the scheduler's, and "Post now"'s.
    digest: DigestPoster
    after_ack_pool: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(AFTER_ACK_THREADS, thread_name_prefix="after-ack")
    )
    _batches: dict[str, dict[Hashable, Any]] = field(default_factory=dict, init=False, repr=False)
    _batch_started: dict[str, float] = field(default_factory=dict, init=False, repr=False)
    _batch_lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    @cached_property
    def interactive_client(self) -> WebClient:
        return interactive(self.client)

    def zone_of(self, actor: Actor) -> ZoneInfo:
        """The person's timezone: what we know (memory, database), else asked of Slack now."""
        return self.timezones.known(actor.team_id, actor.user_id) or self.timezones.resolve(
            client=self.client, team_id=actor.team_id, user_id=actor.user_id
        )

    def role_of(self, actor: Actor, need: Role, *, patient: bool = False) -> Role | None:
        """The person's role, as fresh as deciding on `need` asks (bot.people.permissions.TRUSTED_FOR);
        None when Slack cannot say now. `patient`: after the ack, with the client that rides out rate
        limits."""
        return self.roles.resolve(
            client=self.client if patient else self.interactive_client,
            team_id=actor.team_id,
            user_id=actor.user_id,
            max_age=TRUSTED_FOR[need],
            stale_ok=need < Role.ADMIN,  # a member's role read earlier will do; an admin's must be now
        )

    def _decide(self, actor: Actor, act: Act, is_owner: bool, patient: bool) -> tuple[Role | None, bool]:
        is_owner = is_owner and bool(actor.user_id)
        need = needed(act, is_owner=is_owner, export_allowed=self.config.export_allowed)
        role = None if need is Role.GUEST else self.role_of(actor, need, patient=patient)
        return role, is_owner

    def require(self, actor: Actor, act: Act, *, is_owner: bool = False) -> None:
        """Raise NotAllowed (saying who may) unless this person may do `act`; asks Slack for their role only
        when the act needs one. `is_owner`: they made the thing acted on (logged it, set it up)."""
        role, is_owner = self._decide(actor, act, is_owner, patient=False)
        check(role, act, is_owner=is_owner, export_allowed=self.config.export_allowed)

    def may(self, actor: Actor, act: Act, *, is_owner: bool = False, patient: bool = False) -> bool:
        """Whether this person may do `act`, for what is shown rather than refused (not known: no)."""
        role, is_owner = self._decide(actor, act, is_owner, patient=patient)
        return may(role, act, is_owner=is_owner, export_allowed=self.config.export_allowed)

    def after_ack(self, work: Callable[[], None]) -> Future[None]:
        """Run `work` once Slack has its answer (handlers run before the HTTP response is sent).
        A failure is logged as the error handler would, with an id."""

        def guarded() -> None:
            try:
                work()
            except Exception as error:
                message_for(error)

        # Lines it logs are about the request that handed it over (JSON logs say which).
        return self.after_ack_pool.submit(contextvars.copy_context().run, guarded)

    def after_ack_together(
        self, batch: str, key: Hashable, item: Any, work: Callable[[dict[Hashable, Any]], None]
    ) -> None:
        """Hand `item` to `work` after the ack, in one run with what other requests hand to the same
        `batch` until that run starts (the latest item per `key`): a check every request makes (a
        query) is made once for a burst of requests. A run starts at once when the batch's last run
        started TOGETHER_WINDOW seconds ago or more, else when it has: one run per window under load,
        no wait when requests are few."""
        with self._batch_lock:
            waiting = self._batches.get(batch)
            if waiting is not None:  # a run is on its way: it takes this too
                waiting[key] = item
                return
            self._batches[batch] = {key: item}
            last = self._batch_started.get(batch)
            wait = 0.0 if last is None else last + TOGETHER_WINDOW - time.monotonic()

        def run() -> None:
            if wait > 0:
                time.sleep(wait)
            with self._batch_lock:
                taken = self._batches.pop(batch, {})
                self._batch_started[batch] = time.monotonic()
            work(taken)

        self.after_ack(run)

    def send_after_commit(self, message_ids: list[int]) -> None:
        """Send what the committed transaction recorded in the outbox, once Slack has its answer; what
        fails now is tried again by the scheduler."""
        if not message_ids:
            return

        def deliver() -> None:
            self.outbox.send_now(message_ids)

        self.after_ack(deliver)

    def close(self) -> None:
        self.after_ack_pool.shutdown(wait=True)
        self.home.close()
        self.outbox.close()
