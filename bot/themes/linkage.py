"""Average linkage, the two ways grouping runs it: on single lines through scipy (which wants the condensed
distances `cosine_distances` writes), and on a large workspace's k-means micro-groups (`micro_groups`,
then `average_linkage` over their means). Pure numpy and scipy.
"""

from __future__ import annotations

import numpy as np


def normalize(matrix: np.ndarray) -> np.ndarray:
    matrix = np.asarray(matrix, dtype=np.float32)
    if matrix.ndim == 1:
        matrix = matrix[None, :]
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return matrix / np.where(norms == 0, 1, norms)


# Similarities held at once while comparing every line with every other (float32, plus the int64 order
# argpartition makes): about 100 MB, whatever the number of lines.
_BLOCK_CELLS = 1 << 23


def rows_per_block(n: int, most: int = 2048) -> int:
    return max(16, min(most, _BLOCK_CELLS // max(n, 1)))


def cosine_distances(units: np.ndarray, block: int = 1024) -> np.ndarray:
    """The condensed matrix of cosine distances between unit rows, as scipy's linkage takes it.

    Computed by matrix products a block of rows at a time (fast, in BLAS) straight into the condensed
    array: memory stays that array plus one block, never the square matrix.
    """
    n = len(units)
    out = np.empty(n * (n - 1) // 2, dtype=np.float64)
    at = 0
    for start in range(0, n, block):
        sims = units[start : start + block] @ units[start:].T
        for r in range(len(sims)):
            row = sims[r, r + 1 :]
            out[at : at + len(row)] = row
            at += len(row)
    # Distance is 1 - similarity; rounding must never make it negative.
    np.subtract(1.0, out, out=out)
    return np.clip(out, 0.0, 2.0, out=out)


def micro_groups(
    vectors: np.ndarray, count: int, rounds: int = 8, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Split unit vectors into at most `count` tight groups by spherical k-means (seeded: the same
    lines give the same groups, so themes stay put). Returns each vector's group and each group's
    mean vector, not normalised: the dot product of two such means is the average similarity
    between their members, which is what average linkage compares.
    """
    n = len(vectors)
    centres = vectors[np.sort(np.random.default_rng(seed).choice(n, count, replace=False))]
    assign = np.full(n, -1, dtype=np.int64)
    fit = np.empty(n, dtype=np.float32)
    block = rows_per_block(count, most=4096)
    for _ in range(rounds):
        previous = assign.copy()
        units = normalize(centres)
        for start in range(0, n, block):
            sims = vectors[start : start + block] @ units.T
            assign[start : start + block] = sims.argmax(axis=1)
            fit[start : start + block] = sims.max(axis=1)
        if np.array_equal(assign, previous):
            break
        means = group_means(vectors, assign, count)
        empty = np.flatnonzero(np.isnan(means[:, 0]))
        # An emptied centre (a duplicate seed, say) moves to the lines that fit their own group worst.
        means[empty] = vectors[np.argsort(fit)[: len(empty)]]
        centres = means
    used, assign = np.unique(assign, return_inverse=True)
    return assign, group_means(vectors, assign, len(used))


def group_means(vectors: np.ndarray, assign: np.ndarray, count: int) -> np.ndarray:
    from scipy.sparse import csr_matrix

    n = len(vectors)
    members = csr_matrix((np.ones(n, dtype=np.float32), (assign, np.arange(n))), shape=(count, n))
    sizes = np.bincount(assign, minlength=count).astype(np.float32)[:, None]
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.asarray(members @ vectors) / sizes


def average_linkage(means: np.ndarray, sizes: np.ndarray, cut: float) -> np.ndarray:
    """Average linkage over groups of lines, cut at cosine distance `cut`: one label per group.

    `means` are the groups' unnormalised mean vectors, so 1 - dot is the average distance between their
    members, and a merged group's distance to another is the size-weighted average of its parts' (as
    if every line were clustered on its own, which scipy's linkage cannot start from). Nearest-neighbour
    chain: pairs of reciprocal nearest groups merge while within the cut; a pair farther apart than the
    cut is final, since average linkage never brings groups closer by merging.
    """
    m = len(means)
    means = np.asarray(means, dtype=np.float64)
    dist = means @ means.T
    np.subtract(1.0, dist, out=dist)  # in place: this square is the step's memory (0.2 GB at 5,000)
    np.fill_diagonal(dist, np.inf)
    weight = np.asarray(sizes, dtype=np.float64).copy()
    root = np.arange(m)
    active = m
    chain: list[int] = []
    while active > 1:
        if not chain:
            chain.append(int(np.argmax(np.isfinite(weight))))
        a = chain[-1]
        b = int(np.argmin(dist[a]))
        if len(chain) > 1 and dist[a, chain[-2]] <= dist[a, b]:
            b = chain[-2]  # ties go back down the chain, so it always ends
        if len(chain) < 2 or b != chain[-2]:
            chain.append(b)
            continue
        chain = chain[:-2]
        if dist[a, b] > cut:
            for g in (a, b):  # neither comes within the cut of anything, now or later
                dist[g, :], dist[:, g], weight[g] = np.inf, np.inf, np.inf
            active -= 2  # the rest of the chain stands: no other distance changed
            continue
        merged = (weight[a] * dist[a] + weight[b] * dist[b]) / (weight[a] + weight[b])
        dist[a, :], dist[:, a], dist[a, a] = merged, merged, np.inf
        dist[b, :], dist[:, b] = np.inf, np.inf
        weight[a], weight[b] = weight[a] + weight[b], np.inf
        root[root == b] = a
        active -= 1
    return root
