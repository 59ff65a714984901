"""The scheduler's wiring. APScheduler only ticks; every tick asks the database what is due and claims it,
so any number of replicas send each reminder once, keep each workspace's themes one at a time, and read
its member list (people's timezones) once a day.

APScheduler's own job store and misfire handling are not used: a job store cannot be shared between
processes, and a missed run is simply the next tick finding more that is due.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from bot.logs import failures_logged
from bot.text import counted
from bot.themes.upkeep.job import UpkeepJob

log = logging.getLogger(__name__)


# What the scheduler ticks, as the composition root hands it over (the senders speak Slack; this does not).
class Reminders(Protocol):
    def tick(self) -> Any: ...  # what it did, with how many deliveries it `claimed`


class Digests(Protocol):
    def tick(self) -> int: ...  # how many runs it claimed


class MemberList(Protocol):
    def refresh(self) -> Any: ...  # None when nothing was read, else what was (team_id, stored, pages)


def start_scheduler(
    sender: Reminders,
    *,
    every: timedelta,
    upkeep: UpkeepJob | None = None,
    digest: Digests | None = None,
    outbox: Callable[[], int] | None = None,
    directory: MemberList | None = None,
    loop: Callable[[], int] | None = None,
    summaries: Callable[[], int] | None = None,
) -> Callable[[], None]:
    """Tick every `every` in a background thread: reminders, the themes' upkeep when `upkeep` is given, the
    digests when `digest` is, the outbox's retries when `outbox` is, the member list when `directory`
    is (read before the first reminders, then checked every tick and read when a day old), and the account
    owners' daily summaries when `summaries` is. `loop` plans the closing-the-loop follow-ups of themes
    just shipped, right before the reminders that send them. Returns the function that stops it (and
    waits)."""
    from apscheduler.schedulers.background import BackgroundScheduler

    first_tick = True

    def members() -> None:
        assert directory is not None
        read = directory.refresh()
        if read is not None:
            log.info(
                "member list of %s read: %s, %s",
                read.team_id,
                counted(read.stored, "timezone"),
                counted(read.pages, "page"),
            )

    def reminders() -> None:
        nonlocal first_tick
        if first_tick and directory is not None:
            # On start, before any reminder: a new install's backlog then needs no users.info per person.
            # A failed read is logged like any tick's failure; the reminders go on with users.info.
            first_tick = False
            _guarded("members", members)()
        if loop is not None:
            _guarded("closing the loop", lambda: _loop_ran(loop()))()
        result = sender.tick()
        if result.claimed:
            log.info("reminder tick: %s", result)

    def themes() -> None:
        assert upkeep is not None
        for (team_id, kind), result in upkeep.tick().items():
            log.info("themes upkeep %s %s: %s", team_id, kind, result)

    def digests() -> None:
        assert digest is not None
        if claimed := digest.tick():
            log.info("digest tick: %d posted or retried", claimed)

    def outbox_retries() -> None:
        assert outbox is not None
        if claimed := outbox():
            log.info("outbox tick: %d sent or retried", claimed)

    def owner_summaries() -> None:
        assert summaries is not None
        if queued := summaries():
            log.info("owner summaries tick: %s queued", counted(queued, "summary"))

    scheduler = BackgroundScheduler(timezone=UTC)
    # One run at a time; a late run is simply run (the database knows what is due, nothing is lost).
    jobs = [("reminders", reminders)]
    jobs += [("themes", themes)] if upkeep else []
    jobs += [("digests", digests)] if digest else []
    jobs += [("outbox", outbox_retries)] if outbox else []
    jobs += [("owner summaries", owner_summaries)] if summaries else []
    # The member list's first read is the reminders' first tick's; this job checks from the next tick on,
    # in its own thread, so a long read (a big workspace, tier 2's pace) never holds reminders up.
    jobs += [("members", members)] if directory else []
    for name, job in jobs:
        scheduler.add_job(
            _guarded(name, job),
            "interval",
            seconds=every.total_seconds(),
            id=name,
            max_instances=1,
            coalesce=True,
            misfire_grace_time=None,
            next_run_time=datetime.now(UTC) + (every if name == "members" else timedelta(0)),
        )
    scheduler.start()

    def stop() -> None:
        scheduler.shutdown(wait=True)
        sender.close()

    return stop


def _loop_ran(planned: int) -> None:
    if planned:
        log.info("closing the loop: %s planned", counted(planned, "status change"))


def _guarded(name: str, job: Callable[[], None]) -> Callable[[], None]:
    """A tick that fails is logged and the next one tries again: what was claimed is retried after its
    lease, here or on another replica. A database outage is one line per tick, not a traceback."""

    def run() -> None:
        with failures_logged(log, f"{name} tick", then="the next tick tries again"):
            job()

    return run
