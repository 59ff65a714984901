"""Republishing a person's App Home when something of theirs changed (an interview logged, a follow-up
closed or snoozed, a call scheduled), not only when they open the tab.

Any feature says so with one call, `deps.home.changed(team_id=..., user_id=...)`. A burst of changes for
one person publishes once: each change marks the person and pushes their publish back by a short quiet
delay (never past `max_wait` after the first), and one timer thread of its own publishes who is due. The
Home is drawn from the database at that moment, so nothing is lost by coalescing; nothing pending
matters after a restart either (the Home is drawn afresh whenever it is opened).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from handlers.errors import message_for
from handlers.web_api.refusals import slack_refusal
from storage.db import DatabaseUnavailable

log = logging.getLogger(__name__)

QUIET_DELAY = 1.0  # seconds without another change before a person's Home is published
MAX_WAIT_FACTOR = 5  # a steady stream of changes still publishes every QUIET_DELAY * this


class HomeRefresh:
    """`publish(team_id, user_id)` draws and publishes one person's Home.

    `delay=None` holds every change until flush() (tests, and callers that publish themselves): no
    thread is started. `clock` is monotonic seconds, replaceable so the timing can be tested without
    sleeping."""

    def __init__(
        self,
        publish: Callable[[str, str], None],
        *,
        delay: float | None = QUIET_DELAY,
        max_wait: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._publish = publish
        self.delay = delay
        self.max_wait = max_wait if max_wait is not None else (delay or 0) * MAX_WAIT_FACTOR
        self._clock = clock
        # person -> (when their first unpublished change came, when they are due)
        self._pending: dict[tuple[str, str], tuple[float, float]] = {}
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None
        self._closed = False

    def changed(self, *, team_id: str, user_id: str) -> None:
        """Something this person sees on their Home changed: publish it again soon. Cheap, never raises
        for Slack or the database (it only takes note), so call it right after the commit."""
        if not team_id or not user_id:
            return
        now = self._clock()
        with self._cond:
            if self._closed:
                return
            first, _ = self._pending.get((team_id, user_id), (now, now))
            due = min(now + (self.delay or 0), first + self.max_wait)
            self._pending[(team_id, user_id)] = (first, due)
            if self.delay is None:
                return
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="home-refresh", daemon=True)
                self._thread.start()
            self._cond.notify()

    def pending(self) -> list[tuple[str, str]]:
        """Who is waiting for their Home to be published, as (team_id, user_id)."""
        with self._cond:
            return sorted(self._pending)

    def publish_due(self) -> int:
        """Publish everyone whose quiet delay has run out, in this thread; how many were published."""
        return self._publish_all(self._take(due_by=self._clock()))

    def flush(self) -> int:
        """Publish everyone pending now, whatever their delay, in this thread; how many."""
        return self._publish_all(self._take(due_by=None))

    def close(self) -> None:
        """Stop the timer thread; what is still pending is dropped (the Home is drawn when opened)."""
        with self._cond:
            self._closed = True
            self._pending.clear()
            self._cond.notify_all()
            thread = self._thread
        if thread is not None:
            thread.join(timeout=5)

    def _take(self, *, due_by: float | None) -> list[tuple[str, str]]:
        with self._cond:
            people = [p for p, (_, due) in self._pending.items() if due_by is None or due <= due_by]
            for person in people:
                del self._pending[person]
            return people

    def _publish_all(self, people: list[tuple[str, str]]) -> int:
        published = 0
        for team_id, user_id in people:
            try:
                self._publish(team_id, user_id)
                published += 1
            except DatabaseUnavailable as exc:  # the next change, or opening the tab, draws it again
                log.warning("App Home of %s not republished: the database is unreachable (%s)", user_id, exc)
            except Exception as exc:  # logged as the error handler does; the thread goes on
                refused = slack_refusal(exc)
                if refused is None:
                    message_for(exc)  # with an id and its traceback
                else:  # the person left, Slack is busy: one line
                    log.warning("App Home of %s not republished: Slack refused %s", user_id, refused.line)
        return published

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._closed:
                    now = self._clock()
                    soonest = min((due for _, due in self._pending.values()), default=None)
                    if soonest is not None and soonest <= now:
                        break
                    self._cond.wait(timeout=None if soonest is None else soonest - now)
                if self._closed:
                    return
            self.publish_due()
