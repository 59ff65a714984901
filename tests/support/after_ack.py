"""Waiting for the bot's work after the ack, so that a test may assert what did not happen; and changing
what the running bot was built with."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

from handlers.deps import AFTER_ACK_THREADS, Deps


def after_ack_done(deps: Deps) -> None:
    """Return once every piece of work handed to ``deps.after_ack`` so far has finished.

    Work handed over from now on goes to a fresh pool (``Deps.close`` shuts that one down), so the
    bot keeps working while the old pool is drained.
    """
    drained = deps.after_ack_pool
    swap(deps, after_ack_pool=ThreadPoolExecutor(AFTER_ACK_THREADS, thread_name_prefix="after-ack"))
    drained.shutdown(wait=True)


def swap(deps: Deps, **parts: Any) -> None:
    """Put other parts into the running bot's `deps` (frozen for the bot's own code: what the composition
    root made stays made): a test's clock, a fresh pool."""
    for name, part in parts.items():
        object.__setattr__(deps, name, part)


def dies_after_commit(deps: Deps) -> None:
    """From now on, the bot's process stops right after each commit, before it sends what the commit
    recorded in the outbox: only a tick (of this replica or another) sends it."""
    deps.outbox.send_now = lambda message_ids: 0  # type: ignore[method-assign]
