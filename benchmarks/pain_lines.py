"""Grouping measured on what the product sees: hurried pain lines, at the pain and the area level, beside
Banking77 (test and train), with the share of lines left in no theme and the keyword traps placed with
their decoy.

    python -m benchmarks.pain_lines [--method semantic|lexical|both] [--model minilm|mpnet|both]
        [--no-banking] [--json]

The pain-line set is benchmarks/data/pain_lines.csv (its README says how it was written). Each set is
grouped as a full regroup groups a workspace (`bot.themes.grouping.group` with the method's policy), so
the figures are the live path's too. At the area level the same themes are scored against the areas; at
the topic level, the topics the upkeep makes of those themes (grouped by their centroids).

- NMI, ARI, ACC: as benchmarks.labelled scores them (a line in no theme counts as a group of its own).
- per group: themes (two lines or more) per true group.
- in no theme: the share of lines left in the pool.
- traps with decoy: of the trap lines (a keyword shared with another pain), the share placed in the
  theme that holds most lines of the pain they look like.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import time
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.labelled import Scores, peak_mb, read_labelled, score

ROOT = Path(__file__).resolve().parents[1]
PAIN_LINES = ROOT / "benchmarks" / "data" / "pain_lines.csv"
BANKING = ROOT.parent / "shared" / "data" / "banking77"


@dataclass(frozen=True)
class PainLine:
    text: str
    pain: str
    area: str
    account: str
    kind: str  # regular, trap or one_off
    looks_like: str  # for a trap: the pain it shares a keyword with


def read_pain_lines(path: Path = PAIN_LINES) -> list[PainLine]:
    with path.open(newline="", encoding="utf-8") as f:
        return [PainLine(**{k: (v or "").strip() for k, v in row.items()}) for row in csv.DictReader(f)]


def as_labels(names: list[str]) -> np.ndarray:
    index = {name: i for i, name in enumerate(sorted(set(names)))}
    return np.array([index[n] for n in names])


def traps_with_decoy(lines: list[PainLine], themes: np.ndarray) -> tuple[int, int]:
    """(traps placed in their decoy's theme, traps): the decoy's theme holds most of its pain's lines."""
    placed, traps = 0, 0
    for i, line in enumerate(lines):
        if line.kind != "trap" or not line.looks_like:
            continue
        traps += 1
        decoy = Counter(int(themes[j]) for j, other in enumerate(lines) if other.pain == line.looks_like)
        decoy_theme = max((t for t in decoy if t >= 0), key=decoy.__getitem__, default=None)
        placed += int(themes[i] >= 0 and themes[i] == decoy_theme)
    return placed, traps


def row(
    name: str, level: str, scores: Scores, truth: np.ndarray, seconds: float, **extra: Any
) -> dict[str, Any]:
    return {
        "set": name,
        "level": level,
        **asdict(scores),
        "true_groups": int(truth.max() + 1),
        "per_group": round(scores.themes / int(truth.max() + 1), 2),
        "in_no_theme": round(100 * scores.pooled / len(truth), 1),
        "seconds": round(seconds, 1),
        **extra,
    }


def topics_of(vectors: np.ndarray, themes: np.ndarray, policy: Any) -> np.ndarray:
    """Each line's topic, as the upkeep makes topics: its theme's, the themes grouped by their centroids
    (`bot.themes.topics.topic_groups`); -1 for a line in no theme."""
    from bot.themes.grouping import normalize
    from bot.themes.topics import topic_groups

    ids = np.unique(themes[themes >= 0])
    if not len(ids):
        return themes.copy()
    vectors = normalize(vectors)
    groups = topic_groups(np.vstack([normalize(vectors[themes == i].mean(axis=0))[0] for i in ids]), policy)
    return np.where(themes >= 0, groups[np.searchsorted(ids, np.maximum(themes, ids[0]))], -1)


def measure(method: str, banking: bool, model: str = "minilm") -> list[dict[str, Any]]:
    from bot.themes import grouping
    from bot.themes.semantic import load_embedder

    started = time.perf_counter()
    embedder = load_embedder(method, model=model, threads=os.cpu_count() or 1)
    load_seconds = time.perf_counter() - started
    rows: list[dict[str, Any]] = []

    lines = read_pain_lines()
    started = time.perf_counter()
    vectors = embedder.embed([line.text for line in lines])
    themes = grouping.group(vectors, embedder.policy)
    seconds = time.perf_counter() - started
    topics = topics_of(vectors, themes, embedder.policy)
    placed, traps = traps_with_decoy(lines, themes)
    trap_share = round(100 * placed / traps, 1) if traps else None
    for level in ("pain", "area"):
        truth = as_labels([getattr(line, level) for line in lines])
        rows.append(
            row("pain lines", level, score(truth, themes), truth, seconds, traps_with_decoy=trap_share)
        )

    truth = as_labels([line.area for line in lines])
    rows.append(row("pain lines", "topic", score(truth, topics), truth, seconds, traps_with_decoy=trap_share))

    for part in ("test", "train") if banking else ():
        texts, truth = read_labelled(BANKING / f"{part}.csv", "text", "category")
        started = time.perf_counter()
        themes = grouping.group(embedder.embed(texts), embedder.policy)
        rows.append(
            row(f"banking77 {part}", "intent", score(truth, themes), truth, time.perf_counter() - started)
        )
    for r in rows:
        r["method"], r["model"] = method, embedder.name
    rows[-1]["peak_mb"], rows[-1]["load_seconds"] = round(peak_mb()), round(load_seconds, 1)
    return rows


def print_table(rows: list[dict[str, Any]]) -> None:
    print(
        f"{'set':<16} {'level':<7} {'model':<18} {'groups':>6} {'themes':>6} {'per group':>9} {'NMI':>5} "
        f"{'ARI':>5} {'ACC':>5} {'no theme %':>10} {'traps w/ decoy %':>16} {'seconds':>7}"
    )
    for r in rows:
        trap = "" if r.get("traps_with_decoy") is None else f"{r['traps_with_decoy']:.1f}"
        print(
            f"{r['set']:<16} {r['level']:<7} {r['model']:<18} {r['groups']:>6} {r['themes']:>6} "
            f"{r['per_group']:>9.2f} {r['nmi']:>5.1f} {r['ari']:>5.1f} {r['acc']:>5.1f} "
            f"{r['in_no_theme']:>10.1f} {trap:>16} {r['seconds']:>7.1f}"
        )
    for r in rows:
        if "peak_mb" in r:
            print(
                f"{r['model']}: loaded in {r['load_seconds']} s; the process's peak so far {r['peak_mb']} MB"
            )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.pain_lines", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--method", choices=("semantic", "lexical", "both"), default="both")
    parser.add_argument("--model", choices=("minilm", "mpnet", "both"), default="minilm")
    parser.add_argument("--no-banking", action="store_true", help="only the pain-line set")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    methods = ("semantic", "lexical") if args.method == "both" else (args.method,)
    models = ("minilm", "mpnet") if args.model == "both" else (args.model,)
    ways = [("lexical", "minilm")] if "lexical" in methods else []
    ways = [("semantic", m) for m in models if "semantic" in methods] + ways
    rows = [r for method, model in ways for r in measure(method, banking=not args.no_banking, model=model)]
    if args.json:
        json.dump(rows, sys.stdout, indent=2)
        print()
    else:
        print_table(rows)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
