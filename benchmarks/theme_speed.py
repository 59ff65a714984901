"""Theme upkeep speed (issue 21, item 8): placing new lines in a large workspace, and what the topic level
adds to a full regroup.

    python -m benchmarks.theme_speed --part place  [--model minilm|mpnet] [--repeat 3] [--profile]
    python -m benchmarks.theme_speed --part topics [--model minilm|mpnet] [--lines 20000] [--profile]

place: 500 new lines placed by the upkeep job among 100,000 stored lines in themes and topics (Banking77's
test set repeated, grouped as a full regroup groups it; `benchmarks.themes.assignment`), beside the time
of embedding those 500 lines alone, in the same process. Target: the tick <= 1.3x the embedding; with
mpnet also <= 5 s. Warm: as a running bot's next pass (it knows the phrases of the lines its last pass
read for labels); cold: as the first pass of a process just started. Each repetition is a fresh
workspace; the medians are printed. With --pool, the pool's hourly regroup falls in the same tick (as
if the pool was never regrouped): its new themes are labelled and their topics arranged too.

topics: a workspace of N lines (Banking77's training set drawn with replacement, each copy's vector
nudged by a little noise, as benchmarks.theme_scale does) is regrouped in full by the upkeep job twice:
first from nothing (every theme and topic made and labelled), then again a week later (the steady
state: most themes and topics continue). Each tick's time is split into the regroup (embedding,
grouping, writing), the labels, and the topics (`keep_topics`). Target: topics <= 10 % of the rest.

The model is THEMES_MODEL's unless --model says; the process uses every core, as `interview-bot import`
and `themes rebuild` do. --profile prints cProfile's top entries of the measured tick.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta
from typing import Any

import numpy as np

from benchmarks.labelled import read_labelled
from benchmarks.theme_scale import NOISE, TRAIN_DATA
from benchmarks.themes import DEFAULT_DATA, NEW_LINES, STORED_LINES, TEAM, _database, _schedule, assignment

PLACE_RATIO = 1.3
PLACE_SECONDS_MPNET = 5.0
TOPICS_SHARE = 0.10


def _embedder(model: str) -> Any:
    from bot.themes.semantic import load_embedder

    return load_embedder("semantic", model=model, threads=os.cpu_count() or 1)


def _profiled(profile: bool, work: Any) -> Any:
    if not profile:
        return work()
    profiler = cProfile.Profile()
    result = profiler.runcall(work)
    stats = pstats.Stats(profiler, stream=sys.stdout)
    stats.sort_stats("cumulative").print_stats(30)
    stats.sort_stats("tottime").print_stats(20)
    stats.print_callers("execute' of 'sqlite3|fetchall")
    return result


def part_place(args: argparse.Namespace) -> int:
    from bot.themes import grouping

    texts, _ = read_labelled(DEFAULT_DATA, "text", "category")
    embedder = _embedder(args.model)
    vectors = embedder.embed(texts)
    labels = grouping.group(vectors, embedder.policy)
    embedder.embed(texts[:NEW_LINES])  # warm: the first run of a graph allocates its buffers
    for state in ("warm", "cold") if args.state == "both" else (args.state,):
        ticks, embeds = [], []
        for n in range(args.repeat):
            around = (lambda work: _profiled(True, work)) if args.profile and n == 0 else None
            tick, embed = assignment(
                embedder, texts, vectors, labels, around, cold=state == "cold", pool_due=args.pool
            )
            ticks.append(tick)
            embeds.append(embed)
            print(
                f"  {state} run {n + 1}: tick {tick:.2f} s, embedding alone {embed:.2f} s "
                f"({tick / embed:.2f}x)"
            )
        tick, embed = statistics.median(ticks), statistics.median(embeds)
        ratio = statistics.median(t / e for t, e in zip(ticks, embeds, strict=True))
        ok = ratio <= PLACE_RATIO and (args.model != "mpnet" or tick <= PLACE_SECONDS_MPNET)
        print(
            f"{embedder.name}, {state}{', pool regrouped' if args.pool else ''}: "
            f"{NEW_LINES} new lines placed among {STORED_LINES:,} stored: "
            f"{tick:.2f} s, embedding them alone {embed:.2f} s: {ratio:.2f}x (medians of {args.repeat}; "
            f"target <= {PLACE_RATIO}x{', <= 5 s' if args.model == 'mpnet' else ''}) "
            f"{'PASS' if ok else 'FAIL'}"
        )
    return 0


class _Clock:
    """Seconds spent in the upkeep job's labels and topics steps, wrapped where the job calls them."""

    def __init__(self) -> None:
        import bot.themes.upkeep.job as job

        self.seconds = {"labels": 0.0, "topics": 0.0}
        for name, step in (("relabel", "labels"), ("keep_topics", "topics")):
            setattr(job, name, self._timed(getattr(job, name), step))

    def _timed(self, work: Any, step: str) -> Any:
        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return work(*args, **kwargs)
            finally:
                self.seconds[step] += time.perf_counter() - started

        return timed

    def reset(self) -> None:
        self.seconds = dict.fromkeys(self.seconds, 0.0)


def _seed_lines(db: Any, texts: list[str], vectors: np.ndarray, method: str, now: datetime) -> None:
    """Stored lines, embedded, in no theme yet, their last full regroup a month ago."""
    from sqlalchemy import insert

    from bot.themes.embeddings import to_bytes
    from storage.models import Account, Interview, Pain, ThemeKind, ThemeUpkeep

    per_interview = 4
    with db.transaction() as session:
        session.execute(
            insert(Account),
            [
                dict(
                    id=a + 1,
                    team_id=TEAM,
                    name=f"Account {a}",
                    normalized_name=f"account {a}",
                    created_at=now,
                )
                for a in range(300)
            ],
        )
        interviews = -(-len(texts) // per_interview)
        session.execute(
            insert(Interview),
            [
                dict(
                    id=i + 1,
                    team_id=TEAM,
                    account_id=i % 300 + 1,
                    kind="discovery",
                    held_on=date(2026, 1, 5),
                    logged_by="U1",
                )
                for i in range(interviews)
            ],
        )
        session.execute(
            insert(Pain),
            [
                dict(
                    team_id=TEAM,
                    account_id=(n // per_interview) % 300 + 1,
                    interview_id=n // per_interview + 1,
                    position=n % per_interview,
                    text=text,
                    embedding=to_bytes(vector),
                    embedded_with=method,
                )
                for n, (text, vector) in enumerate(zip(texts, vectors, strict=True))
            ],
        )
        # Last regrouped a month ago: the upkeep's next tick regroups it in full.
        session.add(
            ThemeUpkeep(
                team_id=TEAM, kind=ThemeKind.PAIN, embedded_with=method, rebuilt_at=now - timedelta(days=30)
            )
        )


def part_topics(args: argparse.Namespace) -> int:
    from bot.themes import grouping
    from bot.themes.upkeep.job import UpkeepJob

    clock = _Clock()
    base_texts, _ = read_labelled(TRAIN_DATA, "text", "category")
    embedder = _embedder(args.model)
    base = embedder.embed(base_texts)
    rng = np.random.default_rng(0)
    drawn = rng.integers(0, len(base), args.lines)
    noise = rng.normal(0, NOISE, (args.lines, base.shape[1])).astype(np.float32)
    vectors = grouping.normalize(base[drawn] + noise)
    texts = [base_texts[i] for i in drawn]
    db = _database()
    now = datetime(2026, 6, 1, 9, tzinfo=UTC)
    _seed_lines(db, texts, vectors, embedder.name, now)
    upkeep = UpkeepJob(db=db, embedder=embedder, replica="bench", schedule=_schedule())
    shares = []
    for name, when in (("first full regroup", now), ("a week later", now + timedelta(days=8))):
        clock.reset()
        started = time.perf_counter()
        _profiled(args.profile, lambda w=when: upkeep.tick(w))
        total = time.perf_counter() - started
        labels, topics = clock.seconds["labels"], clock.seconds["topics"]
        rest = total - topics
        shares.append(topics / rest)
        print(
            f"  {name}: {total:.2f} s: regroup {rest - labels:.2f} s, labels {labels:.2f} s, "
            f"topics {topics:.2f} s (+{100 * topics / rest:.1f} % on the rest)"
        )
    db.dispose()
    ok = max(shares) <= TOPICS_SHARE
    print(
        f"{embedder.name}: {args.lines:,} lines, the topic level adds {100 * max(shares):.1f} % to a full "
        f"regroup at most (target <= {100 * TOPICS_SHARE:.0f} %) {'PASS' if ok else 'FAIL'}"
    )
    return 0


PARTS = {"place": part_place, "topics": part_topics}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.theme_speed", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--part", choices=sorted(PARTS), action="append", help="default: both")
    parser.add_argument("--model", default=os.environ.get("THEMES_MODEL", "minilm") or "minilm")
    parser.add_argument("--repeat", type=int, default=3, help="place: fresh workspaces timed")
    parser.add_argument(
        "--state",
        choices=("warm", "cold", "both"),
        default="both",
        help="place: a running bot's next pass (warm), or a fresh process's first (cold)",
    )
    parser.add_argument(
        "--pool", action="store_true", help="place: the pool's hourly regroup falls in the same tick"
    )
    parser.add_argument("--lines", type=int, default=20_000, help="topics: lines in the workspace")
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args(argv)
    print(f"theme upkeep speed, {args.model}; {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f}")
    for name in args.part or sorted(PARTS):
        PARTS[name](args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
