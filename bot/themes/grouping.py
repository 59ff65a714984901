"""Grouping vectors into themes: pure numpy, no database, no Slack.

Vectors are rows of unit length, so a dot product is a cosine similarity.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

# normalize is the grouping's as much as the linkage's: callers keep finding it here.
from bot.themes.linkage import (
    average_linkage,
    cosine_distances,
    group_means,
    micro_groups,
    normalize,
    rows_per_block,
)


@dataclass(frozen=True)
class GroupingPolicy:
    """The thresholds of one embedding space (cosine similarities)."""

    # A new line joins the nearest theme when its similarity to the theme's centroid reaches this.
    join_at: float
    # Two groups are merged while the average similarity between their members reaches this.
    group_at: float
    # Before grouping, each vector is averaged with its nearest neighbours (one per `smooth_per` lines
    # grouped, at least 2, at most `smooth_max`)...
    smooth_per: int = 500
    smooth_max: int = 15
    # ...those at least this similar: a crowd of near-paraphrases pulls together, a lone line stays put.
    smooth_floor: float = 0.5
    # Weigh each dimension by how rare it is among the lines grouped (for word features, not meanings).
    rarity_weighting: bool = False

    def neighbours(self, n: int) -> int:
        return max(2, min(self.smooth_max, round(n / self.smooth_per)))

    # After the linkage, groups are joined while the nearest-neighbour links between two of them are at
    # least as many as inside the smaller (see `join_linked`); each line's this many nearest count.
    # 0: no joining.
    link_neighbours: int = 0

    # The cut follows the lines' own closeness: how alike a line is to its nearest other line (the
    # median over the lines) is about 0.5 for hurried pain lines and 0.86 for bank-app queries, and the
    # best cut is far lower on the first (one pain said by different people shares few words). With
    # `sparse_cut`, `calibrated` moves the cut from it (at `sparse_at`) to `group_at` (at `dense_at`) and
    # no further either way. None: the cut is `group_at` whatever the lines.
    sparse_cut: float | None = None
    sparse_at: float = 0.5
    dense_at: float = 0.86

    # Topics: themes are grouped while the average similarity between their centroids reaches this.
    # Measured on the pain lines' areas (benchmarks/pain_lines.py): topic-level ARI 47.7 / 45.8 / 45.3
    # with mpnet at 0.35 / 0.4 / 0.45, 43.5 / 35.7 / 35.4 with minilm; at 0.35 a small workspace's
    # "reports are slow" and "onboarding is slow" made one topic (tests/scenario/test_digest.py). 0.4.
    topic_at: float = 0.4

    # A quote from the same call stands in for a theme's line in the digest only when it is at least this
    # alike to the theme's centre (benchmarks/quotes_on_theme.py). None: never (a space not measured).
    quote_at: float | None = None

    # A group smaller than this stays in the pool.
    min_size: int = 2
    # Average linkage needs every pair's distance: 8 bytes a pair, 0.2 GB at 5,000 lines, 3.6 GB at
    # 30,000. Above this many lines it runs on this many k-means micro-groups instead (see `group`).
    exact_max: int = 5000


def nearest(vectors: np.ndarray, centroids: np.ndarray, block: int = 4096) -> tuple[np.ndarray, np.ndarray]:
    """For each vector, the index of the most similar centroid and that similarity (-1 and -inf when
    there is no centroid). Centroids need not be of unit length."""
    n = len(vectors)
    if n == 0 or len(centroids) == 0:
        return np.full(n, -1, dtype=np.int64), np.full(n, -np.inf, dtype=np.float32)
    units = normalize(centroids)
    best = np.empty(n, dtype=np.int64)
    score = np.empty(n, dtype=np.float32)
    for start in range(0, n, block):
        sims = np.asarray(vectors[start : start + block], dtype=np.float32) @ units.T
        best[start : start + block] = sims.argmax(axis=1)
        score[start : start + block] = sims.max(axis=1)
    return best, score


# Lines whose nearest other line is looked for when reading the data's closeness: a median of 2,000
# is within a hundredth of the whole's, and costs 2,000 rows of similarities whatever the workspace.
_CLOSENESS_SAMPLE = 2000


def closeness(vectors: np.ndarray, seed: int = 0) -> float:
    """The median, over the lines (or a seeded sample of them), of a line's similarity to its nearest
    other line. Vectors are unit rows; 0.0 with fewer than two."""
    n = len(vectors)
    if n < 2:
        return 0.0
    rows = np.arange(n)
    if n > _CLOSENESS_SAMPLE:
        rows = np.sort(np.random.default_rng(seed).choice(n, _CLOSENESS_SAMPLE, replace=False))
    best = np.empty(len(rows), dtype=np.float32)
    for start in range(0, len(rows), 256):
        chunk = rows[start : start + 256]
        sims = vectors[chunk] @ vectors.T
        sims[np.arange(len(chunk)), chunk] = -np.inf  # not its own neighbour
        best[start : start + len(chunk)] = sims.max(axis=1)
    return float(np.median(best))


def calibrated(policy: GroupingPolicy, vectors: np.ndarray) -> GroupingPolicy:
    """`policy` with its cut set from the lines at hand (see `GroupingPolicy.sparse_cut`); the same
    policy when its cut is fixed. The cut is what a workspace stores at each full regroup, so the
    regroups between two full ones cut where the full one did."""
    if policy.sparse_cut is None:
        return policy
    live = normalize(vectors)
    live = live[np.linalg.norm(live, axis=1) > 0]
    share = float(np.clip((closeness(live) - policy.sparse_at) / (policy.dense_at - policy.sparse_at), 0, 1))
    return replace(
        policy,
        group_at=round(policy.sparse_cut + share * (policy.group_at - policy.sparse_cut), 4),
        sparse_cut=None,
    )


def representative(members: np.ndarray, mean: np.ndarray) -> int:
    """The member closest to the group's mean: the line that says best what the group is about."""
    return int(np.argmax(np.asarray(members, dtype=np.float32) @ normalize(mean)[0]))


def nearest_neighbours(vectors: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Each vector's `k` most similar others (in no order) and those similarities, a block of rows at a
    time: memory stays one block of similarities, whatever the number of lines."""
    n = len(vectors)
    k = min(k, n - 1)
    top = np.empty((n, max(k, 0)), dtype=np.int64)
    sims_top = np.empty((n, max(k, 0)), dtype=np.float32)
    if k <= 0:
        return top, sims_top
    block = rows_per_block(n)
    for start in range(0, n, block):
        sims = vectors[start : start + block] @ vectors.T
        rows = np.arange(len(sims))
        sims[rows, rows + start] = -np.inf  # not its own neighbour
        part = np.argpartition(-sims, k - 1, axis=1)[:, :k]
        top[start : start + block] = part
        sims_top[start : start + block] = np.take_along_axis(sims, part, axis=1)
    return top, sims_top


def smooth(
    vectors: np.ndarray,
    neighbours: int,
    floor: float,
    found: tuple[np.ndarray, np.ndarray] | None = None,
) -> np.ndarray:
    """Each vector becomes the normalised mean of itself and its nearest neighbours above `floor`.

    Lines that say the same thing come closer together, so average linkage no longer splits a theme
    where a few of its lines are worded oddly; a line with no close neighbour is left as it was.
    `found` is `nearest_neighbours(vectors, k)` for some k >= `neighbours`, when already at hand.
    """
    n = len(vectors)
    k = min(neighbours, n - 1)
    if k <= 0:
        return vectors
    top, sims = found if found is not None else nearest_neighbours(vectors, k)
    if top.shape[1] > k:  # the k nearest of a longer list
        best = np.argpartition(-sims, k - 1, axis=1)[:, :k]
        top, sims = np.take_along_axis(top, best, axis=1), np.take_along_axis(sims, best, axis=1)
    out = np.empty_like(vectors)
    block = rows_per_block(n)
    for start in range(0, n, block):
        end = start + block
        weights = (sims[start:end] >= floor).astype(np.float32)
        out[start:end] = vectors[start:end] + np.einsum("nk,nkd->nd", weights, vectors[top[start:end]])
    return normalize(out)


def join_linked(labels: np.ndarray, neighbours: np.ndarray) -> np.ndarray:
    """Join groups that the lines' nearest neighbours hold together: a second pass after the linkage.

    `neighbours[i]` are line i's nearest lines (-1 for none). Between two groups, count the links
    from a line of one to a line of the other, both ways; inside a group, the links between its own
    lines. Two groups are joined while the links between them are at least as many as inside the
    smaller of the two, most linked first: the smaller's lines are then as much the other's neighbours
    as each other's, so it is a part of that theme worded apart (a split), not a theme of its own. The
    measure is the lines' own neighbourhoods, not a similarity: no threshold of the embedding space
    enters, and a dense theme next to another stays apart however close their means.

    Labels of -1 (the pool) stay; the others are renumbered 0, 1, ... in order of their first label.
    """
    from scipy.sparse import coo_matrix

    labels = np.asarray(labels)
    used, inverse = np.unique(labels[labels >= 0], return_inverse=True)
    count = len(used)
    if count < 2:
        return labels.copy()
    grouped = np.full(len(labels), -1, dtype=np.int64)
    grouped[labels >= 0] = inverse
    rows = np.repeat(grouped, neighbours.shape[1])
    cols = np.where(neighbours.ravel() >= 0, grouped[neighbours.ravel()], -1)
    keep = (rows >= 0) & (cols >= 0)
    links = coo_matrix((np.ones(int(keep.sum())), (rows[keep], cols[keep])), shape=(count, count)).toarray()
    links = links + links.T  # both ways: a link each way between two groups counts twice, inside too
    inside = np.diag(links).copy() / 2
    np.fill_diagonal(links, 0)

    def ratios(g: int) -> np.ndarray:  # group g's links to each group, over the smaller one's inside
        return np.where(links[g] > 0, links[g] / np.maximum(np.minimum(inside[g], inside), 1), 0.0)

    ratio = np.where(links > 0, links / np.maximum(np.minimum.outer(inside, inside), 1), 0.0)
    root = np.arange(count)
    while True:
        a, b = np.unravel_index(int(np.argmax(ratio)), ratio.shape)
        if ratio[a, b] < 1:
            break
        a, b = int(min(a, b)), int(max(a, b))
        inside[a] += inside[b] + links[a, b]
        links[a, :] += links[b, :]
        links[:, a] = links[a, :]
        links[a, a] = 0
        links[b, :], links[:, b], inside[b] = 0, 0, 0
        ratio[b, :], ratio[:, b] = 0, 0
        ratio[a, :] = ratio[:, a] = ratios(a)
        root[root == b] = a
    out = np.full(len(labels), -1, dtype=np.int64)
    _, renumbered = np.unique(root[grouped[grouped >= 0]], return_inverse=True)
    out[grouped >= 0] = renumbered
    return out


def reweigh_by_rarity(vectors: np.ndarray) -> np.ndarray:
    """Inverse document frequency over the lines at hand: a feature most lines share tells little."""
    present = (vectors != 0).sum(axis=0)
    idf = np.log((1 + len(vectors)) / (1 + present)) + 1
    return normalize(vectors * idf.astype(np.float32))


def _links_of(found: tuple[np.ndarray, np.ndarray], raw: np.ndarray, policy: GroupingPolicy) -> np.ndarray:
    """Each line's nearest lines for `join_linked`: as many as the median group has lines (at most
    `policy.link_neighbours`), learned from the grouping at hand, so that a line of a typical theme can
    find them all inside it, and a part worded apart links into the rest of its theme."""
    counts = np.unique(raw[raw >= 0], return_counts=True)[1]
    sizes = counts[counts >= policy.min_size]
    k = int(np.clip(round(np.median(sizes)), 1, policy.link_neighbours)) if len(sizes) else 1
    top, sims = found
    if top.shape[1] > k:
        best = np.argpartition(-sims, k - 1, axis=1)[:, :k]
        top, sims = np.take_along_axis(top, best, axis=1), np.take_along_axis(sims, best, axis=1)
    # A neighbour less alike than the smoothing's floor is no link: a small theme with nothing close
    # keeps its own, rather than going to whichever theme happens to be least far.
    return np.where(sims >= policy.smooth_floor, top, -1)


def group(vectors: np.ndarray, policy: GroupingPolicy) -> np.ndarray:
    """Group unit vectors with no number of groups given: average-linkage clustering of the smoothed
    vectors, cut where the average similarity between two groups falls below `policy.group_at` (or the
    cut `calibrated` sets from the lines, when the policy's cut follows them).

    Above `policy.exact_max` lines, the linkage starts from that many micro-groups rather than from
    single lines, so memory stays bounded: each weighs as many lines as it holds, and a line less like
    the rest of its micro-group than the cut stays in the pool. On Banking77's 10,003 training texts the
    scores move by less than half a point (benchmarks/themes.py, benchmarks/theme_scale.py).

    With `policy.link_neighbours`, groups that the lines' nearest neighbours hold together are then
    joined (`join_linked`): a theme worded two ways is one theme, not two half as large.

    Returns one label per vector: 0, 1, ... for groups of at least `policy.min_size`, -1 for the rest
    (they stay in the pool). Labels are numbered by group size, largest first.
    """
    from scipy.cluster.hierarchy import fcluster, linkage

    n = len(vectors)
    labels = np.full(n, -1, dtype=np.int64)
    vectors = normalize(vectors)
    policy = calibrated(policy, vectors)
    live = np.flatnonzero(np.linalg.norm(vectors, axis=1) > 0)  # an empty line has no meaning to group
    if len(live) < max(2, policy.min_size):
        return labels
    vectors = vectors[live]
    if policy.rarity_weighting:
        vectors = reweigh_by_rarity(vectors)
    found = nearest_neighbours(vectors, max(policy.neighbours(len(live)), policy.link_neighbours))
    smoothed = smooth(vectors, policy.neighbours(len(live)), policy.smooth_floor, found)
    cut = 1.0 - policy.group_at
    if len(live) <= policy.exact_max:
        raw = fcluster(linkage(cosine_distances(smoothed), "average"), t=cut, criterion="distance")
    else:
        member_of, means = micro_groups(smoothed, policy.exact_max)
        # A line less like the rest of its micro-group than the cut would not have joined them: it
        # waits in the pool (the hourly pool regroup gives it another chance), the rest are grouped.
        sizes = np.bincount(member_of)
        own = sizes[member_of]
        alike = (np.einsum("nd,nd->n", smoothed, means[member_of]) * own - 1) / np.maximum(own - 1, 1)
        fits = (own == 1) | (alike >= policy.group_at)
        kept = np.flatnonzero(fits)
        used, member_of_kept = np.unique(member_of[kept], return_inverse=True)
        means = group_means(smoothed[kept], member_of_kept, len(used))
        groups = average_linkage(means, np.bincount(member_of_kept), cut)
        raw = np.full(len(live), -1, dtype=np.int64)
        raw[kept] = groups[member_of_kept]
    if policy.link_neighbours:
        ids, counts = np.unique(raw, return_counts=True)
        single = np.isin(raw, ids[counts < policy.min_size])  # not a group yet: neither links nor joins
        raw = join_linked(np.where(single | (raw < 0), -1, raw), _links_of(found, raw, policy))
        raw[single] = raw.max(initial=-1) + 1 + np.arange(int(single.sum()))
    ids, counts = np.unique(raw, return_counts=True)
    kept_ids = [
        i
        for c, i in sorted(zip(counts.tolist(), ids.tolist(), strict=True), key=lambda p: (-p[0], p[1]))
        if c >= policy.min_size and i >= 0
    ]
    for label, raw_id in enumerate(kept_ids):
        labels[live[raw == raw_id]] = label
    return labels
