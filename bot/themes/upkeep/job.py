"""The themes job: on each tick, every workspace with new lines (or a pool due for re-clustering) gets
one upkeep pass, by one replica at a time (a lease in the database)."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

import numpy as np

from bot.themes.embeddings import Embedder
from bot.themes.grouping import GroupingPolicy
from bot.themes.placement import EMBED_BATCH, UpkeepResult
from bot.themes.recount import recount_marked_themes
from bot.themes.regroup import Progress, Regrouping, plan_regroup, rebuild
from bot.themes.relabel import relabel
from bot.themes.topics import keep_topics
from bot.themes.upkeep.lease import claim_upkeep, release_upkeep
from bot.themes.upkeep.work import (
    UpkeepSchedule,
    keep_up,
    new_texts,
    place_new,
    plan_pool_regroup,
    pool_regroup_due,
    rebuild_due,
    stale_texts,
    upkeep_due,
    work_due,
)
from storage.db import Database
from storage.models import ThemeKind

log = logging.getLogger(__name__)

# A pass places at most this many batches of new lines (EMBED_BATCH each, each in its own short write
# transaction); a backlog larger than that is the next tick's. One pass for a backlog rather than one
# per batch: labels, topics and the pool's regroup cost about what the workspace holds, once per pass.
CATCH_UP_BATCHES = 8
LEASE_POLL = 0.25  # seconds between tries while another replica holds a workspace's lease

# Told each step of a pass as it goes, for a progress bar: (kind, step, done, total). The steps:
# embedding, grouping, writing, placing, labelling, topics.
Steps = Callable[[ThemeKind, str, int, int], None]


class Prepared:
    """An embedder whose vectors for the texts about to be handled were made ahead, outside any write
    transaction; anything else is embedded on the spot."""

    def __init__(
        self,
        embedder: Embedder,
        texts: Sequence[str],
        on_batch: Callable[[int, int], None] | None = None,
        batch_size: int = EMBED_BATCH,
    ) -> None:
        self.name: str = embedder.name
        self.policy: GroupingPolicy = embedder.policy
        self._embedder = embedder
        self._known: dict[str, np.ndarray] = {}
        unique = list(dict.fromkeys(texts))
        for start in range(0, len(unique), batch_size):
            batch = unique[start : start + batch_size]
            self._known.update(zip(batch, embedder.embed(batch), strict=True))
            if on_batch:
                on_batch(len(self._known), len(unique))

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        missing = list(dict.fromkeys(t for t in texts if t not in self._known))
        if missing:
            self._known.update(zip(missing, self._embedder.embed(missing), strict=True))
        if not texts:
            return self._embedder.embed([])
        return np.vstack([self._known[t] for t in texts])


def prepare_rebuild(
    db: Database,
    embedder: Embedder,
    *,
    team_id: str,
    kind: ThemeKind,
    on_batch: Callable[[int, int], None] | None = None,
    progress: Progress | None = None,
) -> tuple[Prepared, Regrouping]:
    """A rebuild's heavy parts, done ahead of its write transaction (on SQLite that transaction holds the
    file's lock, and a submission must not wait): embedding the lines that need it, and the grouping."""
    with db.read() as session:
        texts = stale_texts(session=session, team_id=team_id, kind=kind, method=embedder.name)
    # Told every few thousand lines: the larger each call, the less of the model's batches is padding.
    prepared = Prepared(embedder, texts, on_batch=on_batch, batch_size=CATCH_UP_BATCHES * EMBED_BATCH)
    with db.read() as session:
        regrouping = plan_regroup(
            session=session, team_id=team_id, kind=kind, embedder=prepared, progress=progress
        )
    return prepared, regrouping


@dataclass
class UpkeepJob:
    db: Database
    embedder: Embedder
    replica: str
    schedule: UpkeepSchedule
    steps: Steps | None = None
    # One pass at a time per workspace in this process: the scheduler's themes job and a digest's
    # catch-up run in two threads under the same replica's name, which the lease cannot tell apart.
    _locks: dict[tuple[str, ThemeKind], threading.Lock] = field(default_factory=dict, init=False, repr=False)
    _guard: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    def tick(self, now: datetime | None = None) -> dict[tuple[str, ThemeKind], UpkeepResult]:
        now = now or datetime.now(UTC)
        recount_marked_themes(self.db)  # what edits left marked, if their process died before counting
        with self.db.read() as session:
            due = upkeep_due(session=session, now=now, method=self.embedder.name, schedule=self.schedule)
        done: dict[tuple[str, ThemeKind], UpkeepResult] = {}
        for team_id, kind in due:
            result = self._keep(team_id, kind, now)
            if result is not None:
                done[(team_id, kind)] = result
        return done

    def catch_up(self, *, team_id: str, now: datetime | None = None, wait: float = 10.0) -> bool:
        """Bring a workspace's themes up to date now, for someone about to read them (the digest): its
        new lines placed (all of them) and its pool regrouped at once, or the full regroup that is due.
        Nothing is done when nothing new came. When another replica holds the workspace's lease, waits
        up to `wait` seconds for it; returns False if the themes stayed as stored."""
        now = now or datetime.now(UTC)
        recount_marked_themes(self.db, team_id=team_id)
        current = True
        for kind in ThemeKind:
            with self.db.read() as session:
                due = work_due(
                    session=session,
                    team_id=team_id,
                    kind=kind,
                    method=self.embedder.name,
                    now=now,
                    schedule=self.schedule,
                )
            if due and self._keep(team_id, kind, now, fresh=True, wait=wait) is None:
                current = False
        return current

    def _lock(self, team_id: str, kind: ThemeKind) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault((team_id, kind), threading.Lock())

    def _claim(self, team_id: str, kind: ThemeKind, now: datetime, wait: float) -> bool:
        deadline = time.monotonic() + wait
        while True:
            claimed = self.db.run(
                lambda s: claim_upkeep(session=s, team_id=team_id, kind=kind, replica=self.replica, now=now)
            )
            if claimed or time.monotonic() >= deadline:
                return claimed
            time.sleep(LEASE_POLL)

    def _keep(
        self, team_id: str, kind: ThemeKind, now: datetime, *, fresh: bool = False, wait: float = 0.0
    ) -> UpkeepResult | None:
        """One pass for a workspace under its lease; None when another thread or replica keeps it now.
        Its new lines are placed (CATCH_UP_BATCHES batches at most); with `fresh`, the pool is regrouped
        at once (else on its schedule)."""
        lock = self._lock(team_id, kind)
        if not (lock.acquire(timeout=wait) if wait > 0 else lock.acquire(blocking=False)):
            return None
        try:
            if not self._claim(team_id, kind, now, wait):
                return None  # another replica keeps this workspace now
            try:
                result = self._pass(team_id, kind, now, fresh)
                # After the write transactions: labelling embeds phrases, and a submission must not wait.
                self._step(kind, "labelling")
                result.labelled = relabel(self.db, self.embedder, team_id=team_id, kind=kind)
                # Last: a topic of one theme takes that theme's label.
                self._step(kind, "topics")
                result.topics = keep_topics(self.db, self.embedder, team_id=team_id, kind=kind, now=now)
                self._step(kind, "topics", 1)
                return result
            finally:
                self.db.run(
                    lambda s: release_upkeep(session=s, team_id=team_id, kind=kind, replica=self.replica)
                )
        finally:
            lock.release()

    def _step(self, kind: ThemeKind, step: str, done: int = 0, total: int = 1) -> None:
        if self.steps is not None:
            self.steps(kind, step, done, total)

    def _pass(self, team_id: str, kind: ThemeKind, now: datetime, fresh: bool) -> UpkeepResult:
        """`keep_up`'s steps, with the embedding and the grouping ahead of each write transaction (on
        SQLite that transaction holds the file's lock, and a submission must not wait)."""
        scope = {"team_id": team_id, "kind": kind}
        method, schedule = self.embedder.name, self.schedule
        with self.db.read() as session:
            full = rebuild_due(session=session, method=method, now=now, schedule=schedule, **scope)
        if full:
            prepared, regrouping = prepare_rebuild(
                self.db,
                self.embedder,
                team_id=team_id,
                kind=kind,
                on_batch=lambda done, total: self._step(kind, "embedding", done, total),
                progress=lambda step, done, total: self._step(kind, step, done, total),
            )
            self._step(kind, "writing")
            return self.db.run(
                lambda s: keep_up(
                    session=s, embedder=prepared, now=now, schedule=schedule, regrouping=regrouping, **scope
                )
            )
        result = UpkeepResult()
        with self.db.read() as session:
            texts = new_texts(session=session, limit=CATCH_UP_BATCHES * EMBED_BATCH, **scope)
        # Embedded ahead, outside the write transactions, in one call: the model sorts the lines by
        # length, and the more lines it sorts, the less of each batch is padding.
        self._step(kind, "embedding", 0, len(texts))
        prepared = Prepared(self.embedder, texts, batch_size=len(texts) or 1)
        self._step(kind, "placing")
        for _ in range(CATCH_UP_BATCHES if texts else 0):
            placed = self.db.run(lambda s, e=prepared: place_new(session=s, embedder=e, now=now, **scope))
            result.embedded += placed.embedded
            result.joined += placed.joined
            result.pooled += placed.pooled
            if placed.embedded < EMBED_BATCH:
                break  # that was the last of them
        with self.db.read() as session:
            regrouping = None
            if pool_regroup_due(session=session, now=now, schedule=schedule, fresh=fresh, **scope):
                self._step(kind, "grouping")
                regrouping = plan_pool_regroup(session=session, embedder=self.embedder, **scope)
        if regrouping is not None:
            self._step(kind, "writing")
            regrouped = self.db.run(
                lambda s: rebuild(session=s, embedder=self.embedder, now=now, regrouping=regrouping, **scope)
            )
            result.new_themes, result.themes = regrouped.new_themes, regrouped.themes
            result.joined += regrouped.joined
        return result
