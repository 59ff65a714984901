"""Keyword traps (issue 21, item 5): checks that might keep a line out of a theme it joined on a shared word,
measured after the grouping on every set, beside the grouping as it is.

    python -m benchmarks.trap_checks [--model minilm|mpnet|both] [--no-banking] [--traps]

Each check runs on the themes `bot.themes.grouping.group` makes (the lines' own vectors, not the smoothed
ones), so it is what a pass after the linkage would do; the live path would need the same test.

- kNN: a line stays in its theme only when at least half of its k nearest lines are in it.
- mutual kNN: ... only when at least one line of its theme counts it among its own k nearest, both ways.
- coherence: ... only when its mean similarity to the theme's other lines is at least 0.8 of theirs to
  each other (a line alike to one or two members by a word, not to the theme).
- margin: ... only when it is more alike, on average, to its theme's lines than to another theme's, by
  at least 0.02.
- reassign: a line moves to the theme whose lines it is most alike to on average (one pass), a theme
  being two lines or more.

With `--traps`, each trap line of the pain-line set: its theme, whether that is its decoy's, and how many
of its 5 nearest lines are of the decoy pain (a neighbour check cannot keep out a line whose own
neighbours are the decoy's lines).
"""

from __future__ import annotations

import argparse
import os
from collections import Counter
from collections.abc import Callable

import numpy as np

from benchmarks.labelled import read_labelled, score
from benchmarks.pain_lines import BANKING, PainLine, as_labels, read_pain_lines, traps_with_decoy

Check = Callable[[np.ndarray, np.ndarray], np.ndarray]


def _themes(labels: np.ndarray) -> np.ndarray:
    """Labels with groups of one line in the pool, renumbered 0, 1, ..."""
    ids, counts = np.unique(labels[labels >= 0], return_counts=True)
    kept = np.isin(labels, ids[counts >= 2])
    out = np.full(len(labels), -1)
    out[kept] = np.unique(labels[kept], return_inverse=True)[1]
    return out


def _member_means(vectors: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """(lines, themes): each line's mean similarity to each theme's lines, itself left out."""
    count = labels.max(initial=-1) + 1
    inside = labels >= 0
    sums = np.zeros((count, vectors.shape[1]), np.float32)
    np.add.at(sums, labels[inside], vectors[inside])
    sizes = np.bincount(labels[inside], minlength=count).astype(np.float32)
    own = np.zeros((len(labels), count), dtype=bool)
    own[np.flatnonzero(inside), labels[inside]] = True
    others = sizes[None, :] - own
    means = (vectors @ sums.T - own) / np.maximum(others, 1)
    return np.where(others > 0, means, -np.inf)


def _nearest(vectors: np.ndarray, k: int) -> np.ndarray:
    from bot.themes.grouping import nearest_neighbours

    return nearest_neighbours(vectors, k)[0]  # a block of rows at a time, in no order


def knn(vectors: np.ndarray, labels: np.ndarray, k: int = 5) -> np.ndarray:
    near = _nearest(vectors, k)
    keep = (labels[near] == labels[:, None]).mean(axis=1) >= 0.5
    return _themes(np.where(keep, labels, -1))


def mutual(vectors: np.ndarray, labels: np.ndarray, k: int = 5) -> np.ndarray:
    near = _nearest(vectors, k)
    in_theme = labels[near] == labels[:, None]
    back = (near[near] == np.arange(len(labels))[:, None, None]).any(axis=2)
    return _themes(np.where((in_theme & back).any(axis=1), labels, -1))


def coherence(vectors: np.ndarray, labels: np.ndarray, share: float = 0.8) -> np.ndarray:
    means = _member_means(vectors, labels)
    keep = labels < 0
    for theme in range(labels.max(initial=-1) + 1):
        rows = np.flatnonzero(labels == theme)
        own = means[rows, theme]
        for at, line in enumerate(rows):
            rest = np.delete(own, at)  # the others' mean to the theme, without this line
            keep[line] = len(rows) < 3 or own[at] >= share * float(rest.mean())
    return _themes(np.where(keep, labels, -1))


def margin(vectors: np.ndarray, labels: np.ndarray, least: float = 0.02) -> np.ndarray:
    means = _member_means(vectors, labels)
    rows = np.flatnonzero(labels >= 0)
    own = means[rows, labels[rows]]
    means[rows, labels[rows]] = -np.inf
    out = labels.copy()
    out[rows[own - means[rows].max(axis=1) < least]] = -1
    return _themes(out)


def reassign(vectors: np.ndarray, labels: np.ndarray) -> np.ndarray:
    means = _member_means(vectors, labels)
    rows = np.flatnonzero(labels >= 0)
    out = labels.copy()
    out[rows] = means[rows].argmax(axis=1)
    return _themes(out)


CHECKS: dict[str, Check] = {
    "none": lambda vectors, labels: labels,
    "kNN": knn,
    "mutual kNN": mutual,
    "coherence": coherence,
    "margin": margin,
    "reassign": reassign,
}


def trap_lines(lines: list[PainLine], vectors: np.ndarray, themes: np.ndarray) -> None:
    near = _nearest(vectors, 5)
    for i, line in enumerate(lines):
        if line.kind != "trap":
            continue
        decoy = Counter(int(themes[j]) for j, other in enumerate(lines) if other.pain == line.looks_like)
        decoy_theme = max((t for t in decoy if t >= 0), key=decoy.__getitem__, default=None)
        with_decoy = themes[i] >= 0 and themes[i] == decoy_theme
        of_decoy = sum(lines[j].pain == line.looks_like for j in near[i])
        print(
            f"  {'DECOY' if with_decoy else '     '} nearest 5: {of_decoy} decoy"
            f"  {line.text}  [{line.looks_like}]"
        )


def main(argv: list[str] | None = None) -> int:
    from bot.themes import grouping
    from bot.themes.semantic import load_embedder

    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.trap_checks", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--model", choices=("minilm", "mpnet", "both"), default="both")
    parser.add_argument("--no-banking", action="store_true")
    parser.add_argument("--traps", action="store_true", help="each trap line, with the grouping as it is")
    args = parser.parse_args(argv)
    lines = read_pain_lines()
    print(
        f"{'model':<7} {'check':<11} {'pain ARI':>8} {'area ARI':>8} {'no theme %':>10} {'traps %':>7} "
        f"{'B77 test ARI':>12} {'B77 train ARI':>13}"
    )
    for model in ("minilm", "mpnet") if args.model == "both" else (args.model,):
        embedder = load_embedder("semantic", model=model, threads=os.cpu_count() or 1)
        sets = [("pain", [line.text for line in lines], as_labels([line.pain for line in lines]))]
        if not args.no_banking:
            sets += [
                (part, *read_labelled(BANKING / f"{part}.csv", "text", "category"))
                for part in ("test", "train")
            ]
        grouped = {}
        for name, texts, truth in sets:
            vectors = grouping.normalize(embedder.embed(texts))
            grouped[name] = (vectors, grouping.group(vectors, embedder.policy), truth)
        if args.traps:
            trap_lines(lines, *grouped["pain"][:2])
        for check_name, check in CHECKS.items():
            figures = {
                name: (check(vectors, labels), truth) for name, (vectors, labels, truth) in grouped.items()
            }
            themes, truth = figures["pain"]
            pain, area = score(truth, themes), score(as_labels([line.area for line in lines]), themes)
            placed, traps = traps_with_decoy(lines, themes)
            banking = [
                f"{score(t, th).ari:.1f}" if n in figures else ""
                for n, (th, t) in [(n, figures.get(n, (None, None))) for n in ("test", "train")]
            ]
            print(
                f"{model:<7} {check_name:<11} {pain.ari:>8.1f} {area.ari:>8.1f} "
                f"{100 * pain.pooled / len(lines):>10.1f} {100 * placed / traps:>7.1f} "
                f"{banking[0]:>12} {banking[1]:>13}"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
