"""Labelled sets for the theme benchmarks: reading one, scoring a grouping against its labels, and the
peak memory a measuring process reached."""

from __future__ import annotations

import csv
import resource
from dataclasses import dataclass
from pathlib import Path

import numpy as np


@dataclass
class Scores:
    nmi: float
    ari: float
    acc: float
    groups: int  # every group, a pool line counting as one
    themes: int  # groups of two lines or more
    pooled: int


def read_labelled(path: Path, text_column: str, label_column: str) -> tuple[list[str], np.ndarray]:
    with path.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    if not rows or text_column not in rows[0] or label_column not in rows[0]:
        raise SystemExit(f"{path}: needs columns {text_column!r} and {label_column!r}")
    names = sorted({r[label_column] for r in rows})
    index = {name: i for i, name in enumerate(names)}
    return [r[text_column] for r in rows], np.array([index[r[label_column]] for r in rows])


def score(truth: np.ndarray, labels: np.ndarray) -> Scores:
    from scipy.optimize import linear_sum_assignment
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    labels = labels.copy()
    pooled = labels < 0
    labels[pooled] = labels.max(initial=-1) + 1 + np.arange(int(pooled.sum()))  # each its own group
    _, labels = np.unique(labels, return_inverse=True)
    table = np.zeros((labels.max() + 1, truth.max() + 1), dtype=np.int64)
    np.add.at(table, (labels, truth), 1)
    rows, cols = linear_sum_assignment(-table)
    sizes = np.bincount(labels)
    return Scores(
        nmi=round(100 * normalized_mutual_info_score(truth, labels), 1),
        ari=round(100 * adjusted_rand_score(truth, labels), 1),
        acc=round(100 * table[rows, cols].sum() / len(truth), 1),
        groups=int(labels.max() + 1),
        themes=int((sizes >= 2).sum()),
        pooled=int(pooled.sum()),
    )


def peak_mb() -> float:
    """This process's peak resident memory. Not ru_maxrss: on Linux that carries the parent's peak over
    fork and exec, and the parent holds the model."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
