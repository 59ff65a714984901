"""Waiting for the bot's work after the ack, so that a test may assert what did not happen."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from handlers.deps import AFTER_ACK_THREADS, Deps


def after_ack_done(deps: Deps) -> None:
    """Return once every piece of work handed to ``deps.after_ack`` so far has finished.

    Work handed over from now on goes to a fresh pool (``Deps.close`` shuts that one down), so the
    bot keeps working while the old pool is drained.
    """
    drained = deps.after_ack_pool
    deps.after_ack_pool = ThreadPoolExecutor(AFTER_ACK_THREADS, thread_name_prefix="after-ack")
    drained.shutdown(wait=True)
