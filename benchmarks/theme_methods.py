"""The ways of grouping tried against splits (issue 11), side by side on every labelled set.

Each way runs in a fresh process of its own (`python -m benchmarks.themes --compare`), so its time and
peak memory are its own: load the model, embed the texts, group them, as a full regroup does. Ways:

- `linkage`: the semantic model (all-MiniLM-L6-v2) and average linkage alone, as before issue 11;
- `centroids`: the same, then groups joined while their centres are closer than a threshold learned
  from the data (the median over groups of how close a line is to its own group's centre);
- `links`: the same linkage, then groups joined by their lines' nearest neighbours
  (`bot.themes.grouping.join_linked`): the bot's way;
- `links-int8`: `links` on an int8 build of the same model (onnxruntime's dynamic quantisation);
- `density`: density-aware grouping instead of the linkage: scikit-learn's HDBSCAN on the same smoothed
  vectors, groups of at least `DENSITY_MIN_GROUP` lines; the lines it calls noise stay in the pool;
- `lexical`: the fallback without the model (shared words), with its own policy, as the bot runs it.

Every set runs with the same settings: nothing is chosen per set.
"""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.labelled import peak_mb, read_labelled, score

WAYS = ("linkage", "centroids", "links", "links-int8", "density", "lexical")
# HDBSCAN's smallest group for `density`: the best of 3, 5 and 8 on Banking77 test, on raw or smoothed
# vectors (NMI 75.6 to 80.4, ARI 17.8 to 45.4; a third to a half of the lines left as noise).
DENSITY_MIN_GROUP = 8


def join_centroids(vectors: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Join groups whose centres are closer than lines are to their own group's centre.

    The threshold is learned from the grouping at hand: for each group, the mean similarity of its
    lines to its centre; the median of those over groups. Two groups whose centres are at least that
    similar are joined, most similar first, the joined centre weighing each part by its size.
    """
    from bot.themes.grouping import normalize

    labels = labels.copy()
    ids = [int(i) for i in np.unique(labels) if i >= 0]
    if len(ids) < 2:
        return labels
    sums = np.stack([vectors[labels == i].sum(axis=0) for i in ids]).astype(np.float64)
    cohesion = [float(np.mean(vectors[labels == i] @ normalize(sums[k])[0])) for k, i in enumerate(ids)]
    threshold = float(np.median(cohesion))
    alive = np.ones(len(ids), dtype=bool)
    while True:
        units = normalize(sums)
        sims = units @ units.T
        np.fill_diagonal(sims, -np.inf)
        sims[~alive, :], sims[:, ~alive] = -np.inf, -np.inf
        a, b = np.unravel_index(int(np.argmax(sims)), sims.shape)
        if sims[a, b] < threshold:
            break
        sums[a] += sums[b]
        alive[b] = False
        labels[labels == ids[b]] = ids[a]
    return labels


def density_groups(vectors: np.ndarray, policy: Any) -> np.ndarray:
    """HDBSCAN over the vectors smoothed as the bot smooths them (Euclidean distance between unit
    vectors orders pairs as cosine does); its noise is -1, the pool."""
    from sklearn.cluster import HDBSCAN

    from bot.themes.grouping import normalize, smooth

    units = normalize(vectors)
    smoothed = smooth(units, policy.neighbours(len(units)), policy.smooth_floor)
    return HDBSCAN(min_cluster_size=DENSITY_MIN_GROUP).fit_predict(smoothed)


def int8_embedder(threads: int) -> Any:
    """The light model with its dense layers in 7-bit integers, as the mpnet model runs."""
    from dataclasses import replace

    from bot.themes.models import MODELS
    from bot.themes.semantic import SemanticEmbedder

    light = MODELS["minilm"]
    return SemanticEmbedder(replace(light, name=light.name + "-int8", int8=True), threads=threads)


def run_way(way: str, texts: list[str], truth: np.ndarray) -> dict[str, Any]:
    """One way on one set, in this process: load, embed, group; scores, seconds, peak memory."""
    from bot.themes import grouping
    from bot.themes.semantic import load_embedder

    threads = os.cpu_count() or 1
    started = time.perf_counter()
    if way == "links-int8":
        embedder: Any = int8_embedder(threads)
    else:
        embedder = load_embedder("lexical" if way == "lexical" else "semantic", threads=threads)
    loaded = time.perf_counter()
    vectors = embedder.embed(texts)
    embedded = time.perf_counter()
    policy = embedder.policy
    if way in ("linkage", "centroids"):
        policy = dataclasses.replace(policy, link_neighbours=0)
    labels = density_groups(vectors, policy) if way == "density" else grouping.group(vectors, policy)
    if way == "centroids":
        labels = join_centroids(grouping.normalize(vectors), labels)
    grouped = time.perf_counter()
    scores = score(truth, labels)
    return {
        "way": way,
        "model": embedder.name,
        "scores": dataclasses.asdict(scores),
        "per_group": round(scores.themes / int(truth.max() + 1), 2),
        "load_seconds": round(loaded - started, 1),
        "embed_seconds": round(embedded - loaded, 1),
        "group_seconds": round(grouped - embedded, 1),
        "seconds": round(grouped - started, 1),
        "peak_mb": round(peak_mb()),
    }


def compare(sets: list[tuple[str, Path, str, str]], ways: list[str]) -> list[dict[str, Any]]:
    """Every way on every set, each in a fresh process; prints a table as it goes."""

    rows = []
    print(
        f"{'set':<22} {'way':<11} {'themes':>6} {'per group':>9} {'NMI':>5} {'ARI':>5} {'ACC':>5} "
        f"{'seconds':>7} {'(load+embed+group)':<20} {'peak MB':>7}"
    )
    for name, path, text_column, label_column in sets:
        _, truth = read_labelled(path, text_column, label_column)
        for way in ways:
            command = [sys.executable, "-m", "benchmarks.themes", "--child-way", way, "--data", str(path)]
            command += ["--text-column", text_column, "--label-column", label_column]
            done = subprocess.run(command, capture_output=True, text=True, check=False)
            if done.returncode != 0:
                print(done.stderr, file=sys.stderr)
                raise SystemExit(1)
            row = json.loads(done.stdout.strip().splitlines()[-1]) | {
                "set": name,
                "groups": int(truth.max() + 1),
            }
            rows.append(row)
            s = row["scores"]
            parts = f"({row['load_seconds']}+{row['embed_seconds']}+{row['group_seconds']})"
            print(
                f"{name:<22} {way:<11} {s['themes']:>6} {row['per_group']:>8.2f}x {s['nmi']:>5.1f} "
                f"{s['ari']:>5.1f} {s['acc']:>5.1f} {row['seconds']:>7.1f} {parts:<20} {row['peak_mb']:>7}",
                flush=True,
            )
    return rows
