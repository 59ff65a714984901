"""The themes job: on each tick, every workspace with new lines (or a pool due for re-clustering) gets
one upkeep pass, by one replica at a time (a lease in the database)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np

from bot.themes.embeddings import Embedder
from bot.themes.grouping import GroupingPolicy
from bot.themes.labelling import relabel
from bot.themes.leases import claim_upkeep, release_upkeep
from bot.themes.placement import EMBED_BATCH, UpkeepResult
from bot.themes.regroup import Progress, Regrouping, plan_regroup
from bot.themes.upkeep import UpkeepSchedule, keep_up, new_texts, rebuild_due, stale_texts, upkeep_due
from storage.db import Database
from storage.models import ThemeKind

log = logging.getLogger(__name__)


class Prepared:
    """An embedder whose vectors for the texts about to be handled were made ahead, outside any write
    transaction; anything else is embedded on the spot."""

    def __init__(
        self, embedder: Embedder, texts: Sequence[str], on_batch: Callable[[int, int], None] | None = None
    ) -> None:
        self.name: str = embedder.name
        self.policy: GroupingPolicy = embedder.policy
        self._embedder = embedder
        self._known: dict[str, np.ndarray] = {}
        unique = list(dict.fromkeys(texts))
        for start in range(0, len(unique), EMBED_BATCH):
            batch = unique[start : start + EMBED_BATCH]
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
    prepared = Prepared(embedder, texts, on_batch=on_batch)
    with db.read() as session:
        regrouping = plan_regroup(
            session=session, team_id=team_id, kind=kind, embedder=prepared, progress=progress
        )
    return prepared, regrouping


@dataclass
class ThemeKeeper:
    db: Database
    embedder: Embedder
    replica: str
    schedule: UpkeepSchedule

    def tick(self, now: datetime | None = None) -> dict[tuple[str, ThemeKind], UpkeepResult]:
        now = now or datetime.now(UTC)
        with self.db.read() as session:
            due = upkeep_due(session=session, now=now, method=self.embedder.name, schedule=self.schedule)
        done: dict[tuple[str, ThemeKind], UpkeepResult] = {}
        for team_id, kind in due:
            claimed = self.db.run(
                lambda s, t=team_id, k=kind: claim_upkeep(
                    session=s, team_id=t, kind=k, replica=self.replica, now=now
                )
            )
            if not claimed:
                continue  # another replica keeps this workspace now
            try:
                scope = {"team_id": team_id, "kind": kind}
                with self.db.read() as session:
                    rebuilding = rebuild_due(
                        session=session, method=self.embedder.name, now=now, schedule=self.schedule, **scope
                    )
                    texts = [] if rebuilding else new_texts(session=session, **scope)
                regrouping: Regrouping | None = None
                if rebuilding:
                    prepared, regrouping = prepare_rebuild(self.db, self.embedder, team_id=team_id, kind=kind)
                else:  # new lines embedded ahead, outside the write transaction, as a rebuild's are
                    prepared = Prepared(self.embedder, texts)
                result = self.db.run(
                    lambda s, e=prepared, r=regrouping, scope=scope: keep_up(
                        session=s, embedder=e, now=now, schedule=self.schedule, regrouping=r, **scope
                    )
                )
                # After the write transaction: labelling embeds phrases, and a submission must not wait.
                result.labelled = relabel(self.db, self.embedder, team_id=team_id, kind=kind)
                done[(team_id, kind)] = result
            finally:
                self.db.run(
                    lambda s, t=team_id, k=kind: release_upkeep(
                        session=s, team_id=t, kind=k, replica=self.replica
                    )
                )
        return done
