"""The grouping core on hand-made vectors, and the lexical embedder's guarantees."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.themes.embeddings import LexicalEmbedder, from_bytes, to_bytes
from bot.themes.grouping import (
    GroupingPolicy,
    average_linkage,
    cosine_distances,
    group,
    join_linked,
    micro_groups,
    nearest,
    nearest_neighbours,
    normalize,
    representative,
)

POLICY = GroupingPolicy(join_at=0.6, group_at=0.72)


def around(center: np.ndarray, n: int, spread: float, rng: np.random.Generator) -> np.ndarray:
    return normalize(center + spread * rng.standard_normal((n, len(center))))


def test_tight_crowds_group_and_strays_stay_in_the_pool() -> None:
    rng = np.random.default_rng(1)
    a, b = normalize(rng.standard_normal((2, 64)))
    strays = normalize(rng.standard_normal((3, 64)))
    vectors = np.vstack([around(a, 5, 0.05, rng), around(b, 4, 0.05, rng), strays])
    labels = group(vectors, POLICY)
    assert labels[:5].tolist() == [0] * 5  # the biggest group first
    assert labels[5:9].tolist() == [1] * 4
    assert labels[9:].tolist() == [-1] * 3


def same_partition(a: np.ndarray, b: np.ndarray) -> bool:
    pairs = set(zip(a.tolist(), b.tolist(), strict=True))
    return len(pairs) == len(set(a.tolist())) == len(set(b.tolist()))


def test_a_large_workspace_groups_through_micro_groups_with_the_same_themes() -> None:
    # Above exact_max lines, linkage runs on k-means micro-groups (bounded memory): the crowds and
    # strays must come out as they do when every pair is compared.
    rng = np.random.default_rng(3)
    centres = normalize(rng.standard_normal((6, 64)))
    vectors = np.vstack([around(c, 40 + 10 * i, 0.05, rng) for i, c in enumerate(centres)])
    vectors = np.vstack([vectors, normalize(rng.standard_normal((5, 64)))])
    exact = group(vectors, POLICY)
    approximate = group(vectors, GroupingPolicy(join_at=0.6, group_at=0.72, exact_max=60))
    assert exact.max() == 5 and (exact[-5:] == -1).all()
    assert approximate.tolist() == exact.tolist()


def test_strays_among_many_lines_stay_in_the_pool() -> None:
    # k-means puts every line in some micro-group; one unlike the rest of its group must not ride
    # along into a theme. 20 crowds of 15, and 600 lines nobody else said.
    rng = np.random.default_rng(5)
    crowds = [around(c, 15, 0.05, rng) for c in normalize(rng.standard_normal((20, 64)))]
    strays = normalize(rng.standard_normal((600, 64)))
    vectors = np.vstack([*crowds, strays])
    labels = group(vectors, GroupingPolicy(join_at=0.6, group_at=0.72, exact_max=200))
    assert len(set(labels[:300].tolist())) == 20 and (labels[:300] >= 0).all()
    assert (labels[300:] == -1).mean() > 0.95


def test_empty_and_identical_lines_never_break_grouping() -> None:
    policy = GroupingPolicy(join_at=0.6, group_at=0.72, exact_max=5)
    same = normalize(np.ones((7, 4)))
    assert group(same, policy).tolist() == [0] * 7
    with_empty = np.vstack([same, np.zeros((3, 4))])
    assert group(with_empty, policy).tolist() == [0] * 7 + [-1] * 3
    assert group(with_empty, POLICY).tolist() == [0] * 7 + [-1] * 3
    assert group(np.zeros((9, 4)), policy).tolist() == [-1] * 9


def test_average_linkage_of_single_lines_is_scipys() -> None:
    from scipy.cluster.hierarchy import fcluster, linkage

    rng = np.random.default_rng(6)
    vectors = np.vstack([around(c, 30, 0.25, rng) for c in normalize(rng.standard_normal((8, 16)))])
    for cut in (0.1, 0.3, 0.6):
        ours = average_linkage(vectors, np.ones(len(vectors)), cut)
        theirs = fcluster(linkage(cosine_distances(vectors), "average"), t=cut, criterion="distance")
        assert same_partition(ours, theirs)
    for seed in range(20):  # random sizes, dimensions and cuts, with some lines said twice
        rng = np.random.default_rng(100 + seed)
        lines = normalize(rng.standard_normal((int(rng.integers(2, 120)), int(rng.integers(2, 40)))))
        lines = np.vstack([lines, lines[: len(lines) // 4]])
        cut = float(rng.uniform(0.05, 1.5))
        theirs = fcluster(linkage(cosine_distances(lines), "average"), t=cut, criterion="distance")
        assert same_partition(average_linkage(lines, np.ones(len(lines)), cut), theirs), seed


def test_groups_link_as_their_lines_would() -> None:
    from scipy.cluster.hierarchy import fcluster, linkage

    # 50 lines saying a, one saying b (0.9 like a), one saying c (0.66 like a, 0.79 like b). a and b
    # merge first; c is then 0.66 like that group on average, below the 0.72 cut. Linking the three
    # as one line each would put c at 0.725 and wrongly let it in.
    a, b = np.array([1.0, 0.0, 0.0]), np.array([0.9, np.sqrt(1 - 0.81), 0.0])
    y = (0.79 - 0.9 * 0.66) / b[1]
    c = np.array([0.66, y, np.sqrt(1 - 0.66**2 - y**2)])
    lines = np.vstack([np.tile(a, (50, 1)), b, c])
    theirs = fcluster(linkage(cosine_distances(lines), "average"), t=0.28, criterion="distance")
    ours = average_linkage(np.vstack([a, b, c]), np.array([50, 1, 1]), 0.28)
    assert ours[0] == ours[1] != ours[2]
    assert same_partition(ours[[0] * 50 + [1, 2]], theirs)
    assert len(set(average_linkage(np.vstack([a, b, c]), np.ones(3), 0.28).tolist())) == 1


def test_joining_by_links_makes_two_halves_of_one_crowd_one_group_and_keeps_two_crowds_apart() -> None:
    rng = np.random.default_rng(7)
    a, b = normalize(rng.standard_normal((2, 32)))
    crowd = around(a, 40, 0.1, rng)
    other = around(normalize(a + 0.8 * b)[0], 30, 0.1, rng)  # close by (means 0.78 alike), but its own
    vectors = np.vstack([crowd, other])
    halves = np.r_[np.tile([0, 1], 20), np.full(30, 2)]  # the crowd split down the middle, as a linkage might
    top, _ = nearest_neighbours(vectors, 20)
    joined = join_linked(halves, top)
    assert joined[:40].tolist() == [0] * 40
    assert joined[40:].tolist() == [1] * 30
    # The pool stays the pool, and a neighbour marked -1 is no link.
    assert join_linked(np.r_[halves[:-1], -1], top)[-1] == -1
    assert join_linked(halves, np.full_like(top, -1)).tolist() == halves.tolist()


def test_a_part_worded_apart_joins_its_theme_and_a_lone_small_theme_stays() -> None:
    # A crowd of 30, and 4 lines that say the same thing another way: alike among themselves, 0.65
    # like the crowd, under the cut, so the linkage keeps them apart; their neighbours beyond each
    # other are all in the crowd, so the second pass joins them. Three lines about something else,
    # with nothing close to them, stay a theme of their own.
    rng = np.random.default_rng(8)
    a, b, c, d = normalize(rng.standard_normal((4, 48)))
    crowd = around(a, 30, 0.04, rng)
    reworded = around(normalize(0.65 * a + np.sqrt(1 - 0.65**2) * b)[0], 4, 0.04, rng)
    lone = around(c, 3, 0.04, rng)
    far = around(d, 30, 0.04, rng)
    vectors = np.vstack([crowd, reworded, lone, far])
    before = group(vectors, POLICY)
    assert before[30] != before[0]  # the linkage alone splits the theme
    after = group(vectors, GroupingPolicy(join_at=0.6, group_at=0.72, link_neighbours=30))
    assert len(set(after[:34].tolist())) == 1 and after[0] >= 0
    assert len({after[0], after[34], after[37]}) == 3 and (after[34:37] == after[34]).all()
    assert (after[37:] == after[37]).all()
    # The same through micro-groups (a large workspace).
    micro = GroupingPolicy(join_at=0.6, group_at=0.72, link_neighbours=30, exact_max=50)
    assert group(vectors, micro).tolist() == after.tolist()


def test_micro_groups_are_tight_complete_and_repeatable() -> None:
    rng = np.random.default_rng(4)
    vectors = normalize(rng.standard_normal((500, 32)))
    member_of, means = micro_groups(vectors, 50)
    assert member_of.shape == (500,) and set(member_of.tolist()) == set(range(len(means)))
    # Each group's mean is its members' mean: the dot product of two means is their average similarity.
    for g in (0, len(means) - 1):
        assert np.allclose(means[g], vectors[member_of == g].mean(axis=0), atol=1e-5)
    again, _ = micro_groups(vectors, 50)
    assert again.tolist() == member_of.tolist()


def test_too_few_lines_to_group() -> None:
    assert group(np.zeros((0, 8)), POLICY).tolist() == []
    assert group(normalize(np.ones((1, 8))), POLICY).tolist() == [-1]


def test_nearest_and_representative() -> None:
    centroids = np.array([[1.0, 0.0], [0.0, 3.0]])
    best, score = nearest(normalize(np.array([[0.1, 1.0], [1.0, 0.2]])), centroids)
    assert best.tolist() == [1, 0] and all(score > 0.9)
    best, score = nearest(np.ones((2, 2)), np.zeros((0, 2)))
    assert best.tolist() == [-1, -1] and np.isneginf(score).all()
    members = normalize(np.array([[1.0, 0.0], [0.7, 0.7], [0.0, 1.0]]))
    assert representative(members, members.mean(axis=0)) == 1


def test_vectors_survive_storage() -> None:
    vector = normalize(np.random.default_rng(2).standard_normal((1, 384)))[0]
    assert np.allclose(from_bytes(to_bytes(vector)), vector, atol=1e-3)
    assert np.array_equal(from_bytes(to_bytes(vector, np.float32)), vector)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_lexical_vectors_are_finite_and_unit_or_zero(text: str) -> None:
    vector = LexicalEmbedder().embed([text])[0]
    assert np.isfinite(vector).all()
    norm = float(np.linalg.norm(vector))
    assert abs(norm - 1) < 1e-4 or (norm == 0 and not text.strip())


def test_lexical_vectors_are_the_same_in_every_process() -> None:
    # Stored vectors are compared with ones made later, by another process: no per-process hashing.
    script = (
        "from bot.themes.embeddings import LexicalEmbedder\n"
        "print(LexicalEmbedder().embed(['Reports are slow'])[0].tobytes().hex())"
    )
    outputs = {
        subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
        for _ in range(2)
    }
    assert len(outputs) == 1
    assert bytes.fromhex(outputs.pop().strip()) == LexicalEmbedder().embed(["Reports are slow"])[0].tobytes()


def test_lexical_similarity_follows_shared_words() -> None:
    a, b, c = LexicalEmbedder().embed(
        ["Reports take forever to build", "Building reports takes forever", "Pricing is too high"]
    )
    assert float(a @ b) > 0.4 > 0.1 > float(a @ c)


def test_auto_falls_back_to_words_when_the_model_is_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    from dataclasses import replace

    import bot.themes.semantic
    from bot.themes.embeddings import EmbedderUnavailable
    from bot.themes.semantic import load_embedder

    def missing() -> None:
        raise EmbedderUnavailable("the model package is not installed")

    models = {key: replace(model, files=missing) for key, model in bot.themes.semantic.MODELS.items()}
    monkeypatch.setattr(bot.themes.semantic, "MODELS", models)
    assert isinstance(load_embedder("auto"), LexicalEmbedder)
    assert isinstance(load_embedder("lexical"), LexicalEmbedder)
    with pytest.raises(EmbedderUnavailable):
        load_embedder("semantic")


def lines_at(similarity: float, count: int, dims: int = 64, seed: int = 0) -> np.ndarray:
    """`count` unit vectors whose pairwise similarity is `similarity` (a shared direction plus noise)."""
    rng = np.random.default_rng(seed)
    shared = normalize(rng.normal(size=dims))[0]
    noise = normalize(rng.normal(size=(count, dims)))
    noise = normalize(noise - np.outer(noise @ shared, shared))  # orthogonal to the shared direction
    return normalize(np.sqrt(similarity) * shared + np.sqrt(1 - similarity) * noise)


FOLLOWING = GroupingPolicy(join_at=0.6, group_at=0.73, sparse_cut=0.55, sparse_at=0.5, dense_at=0.86)


def test_the_cut_follows_how_close_the_lines_are() -> None:
    from bot.themes.grouping import calibrated, closeness

    loose, tight = lines_at(0.3, 30), lines_at(0.95, 30)
    assert closeness(loose) < 0.5 < 0.86 < closeness(tight)
    assert calibrated(FOLLOWING, loose).group_at == 0.55  # no lower than the sparse cut
    assert calibrated(FOLLOWING, tight).group_at == 0.73  # no higher than the dense one
    middle = lines_at(0.68, 30)
    expected = 0.55 + (closeness(middle) - 0.5) / 0.36 * 0.18
    assert calibrated(FOLLOWING, middle).group_at == pytest.approx(expected, abs=1e-3)
    fixed = GroupingPolicy(join_at=0.6, group_at=0.73)
    assert calibrated(fixed, loose) is fixed


def test_a_sample_reads_a_large_workspaces_closeness_as_the_whole_does() -> None:
    from bot.themes.grouping import closeness

    vectors = np.vstack([lines_at(0.5 + 0.04 * i, 300, seed=i) for i in range(10)])  # 3,000 lines
    sims = vectors @ vectors.T
    np.fill_diagonal(sims, -np.inf)
    whole = float(np.median(sims.max(axis=1)))
    assert closeness(vectors) == pytest.approx(whole, abs=0.01)


def test_pain_lines_far_apart_in_words_group_where_the_cut_follows_them() -> None:
    # Four pains, six lines each, lines of a pain 0.4 alike (different people's words), pains far apart:
    # a cut set for close queries splits them; following the lines, each pain is one theme.
    pains = np.vstack([lines_at(0.4, 6, dims=256, seed=s) for s in range(4)])
    truth = np.repeat(np.arange(4), 6)
    fixed = GroupingPolicy(join_at=0.6, group_at=0.73, smooth_floor=0.35)
    following = replace(FOLLOWING, smooth_floor=0.35)
    assert not same_partition(group(pains, fixed), truth)
    assert same_partition(group(pains, following), truth)
