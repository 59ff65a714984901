"""What people read and review in /interview themes, measured on labelled texts: theme labels, and the
pairs of themes offered as look-alikes. Run through benchmarks.themes:

    python -m benchmarks.themes --labels 20 [--method semantic|lexical|both] [--data PATH ...]
    python -m benchmarks.themes --look-alikes [--method semantic|lexical|both] [--data PATH ...]

Both group the texts as a full regroup does (`bot.themes.grouping.group`, the method's policy), then:

Labels (`bot.themes.labels.label_themes`, as the upkeep job runs it, the counts taken on every text): N
themes from the largest to the smallest, each label beside the theme's majority label in the data and
the old name (its most central line, cut to 80 characters). Scores over all themes: the share of labels
whose nearest label name in the data (by the semantic model, "card_arrival" read as "card arrival") is
the theme's majority one, and the share that shares a word with it; the same for the old names.

Look-alikes: for thresholds on the centroid cosine, how many pairs would be offered and how many of them
are one majority label (precision), taking every pair above the threshold, and taking mutual nearest
themes only (`bot.themes.lookalikes.mutual_pairs`, what the bot offers); then the pairs the bot offers at
its threshold.
"""

from __future__ import annotations

import re
import time
from typing import Any

import numpy as np

THRESHOLDS = (0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85)
_NAME_WORDS = re.compile(r"[^\W_]+")


def _grouped(embedder: Any, texts: list[str], truth: np.ndarray) -> dict[str, Any]:
    from bot.themes import grouping

    started = time.perf_counter()
    vectors = embedder.embed(texts)
    labels = grouping.group(vectors, embedder.policy)
    themes = [np.flatnonzero(labels == k) for k in range(int(labels.max()) + 1)]
    majority = [np.bincount(truth[m]) for m in themes]
    return {
        "vectors": vectors,
        "themes": themes,
        "centroids": np.vstack([vectors[m].mean(axis=0) for m in themes]),
        "majority": np.array([int(c.argmax()) for c in majority]),
        "share": np.array([c.max() / c.sum() for c in majority]),
        "seconds": time.perf_counter() - started,
    }


def _name_words(text: str) -> set[str]:
    from bot.themes.embeddings import STOP_WORDS, fold, stem

    return {stem(fold(w)) for w in _NAME_WORDS.findall(text) if fold(w) not in STOP_WORDS}


def labels_report(
    embedder: Any, semantic: Any, texts: list[str], truth: np.ndarray, names: list[str], shown: int
) -> None:
    """Print `shown` themes' labels beside their majority label, and the scores over all themes."""
    from bot.themes import grouping
    from bot.themes.labels import Background, ThemeText, label_themes, phrase_weight
    from bot.themes.store import theme_name

    g = _grouped(embedder, texts, truth)
    themes = [
        ThemeText(k, [texts[i] for i in members], g["centroids"][k]) for k, members in enumerate(g["themes"])
    ]
    started = time.perf_counter()
    background = Background.of(texts)
    counted = time.perf_counter()
    labels = label_themes(themes=themes, background=background, embedder=embedder)
    done = time.perf_counter()
    old = {
        k: theme_name(texts[members[grouping.representative(g["vectors"][members], g["centroids"][k])]])
        for k, members in enumerate(g["themes"])
    }
    readable = [n.replace("_", " ").rstrip("?") for n in names]
    name_vectors = grouping.normalize(semantic.embed(readable))

    def scores(named: dict[int, str]) -> tuple[float, float, float]:
        ids = sorted(named)
        nearest = (grouping.normalize(semantic.embed([named[k] for k in ids])) @ name_vectors.T).argmax(1)
        match = np.mean([nearest[n] == g["majority"][k] for n, k in enumerate(ids)])
        overlap = np.mean(
            [bool(_name_words(named[k]) & _name_words(readable[g["majority"][k]])) for k in ids]
        )
        return 100 * match, 100 * overlap, float(np.mean([len(named[k].split()) for k in ids]))

    words = [len(label.split()) for label in labels.values()]
    drawn = sum(any(labels[t.id] in " ".join(text.split()) for text in t.texts) for t in themes)
    print(f"\n[{embedder.name}] labels of {len(themes)} themes ({len(texts):,} texts, {len(names)} labels)")
    print(
        f"  counting phrases in every text {counted - started:.1f} s; labelling {done - counted:.1f} s "
        f"({1000 * (done - counted) / len(themes):.0f} ms a theme, phrases embedded included)"
    )
    print(
        f"  words per label: {min(words)}-{max(words)} (mean {np.mean(words):.1f}); "
        f"drawn from its own lines: {drawn} of {len(themes)}"
    )
    for title, named in (("labels", labels), ("old names (central line)", old)):
        match, overlap, mean = scores(named)
        print(
            f"  {title:<26} nearest label name is the majority one: {match:5.1f} %; shares a word with "
            f"it: {overlap:5.1f} %; {mean:.1f} words"
        )
    if phrase_weight(embedder):
        swept = []
        for weight in (0.0, 0.5, 0.7, 0.9, 1.0):
            match, overlap, mean = scores(
                label_themes(themes=themes, background=background, embedder=embedder, weight=weight)
            )
            swept.append(f"{weight:.1f}: {match:.1f} / {overlap:.1f} / {mean:.1f}")
        used = phrase_weight(embedder)
        print(f"  by phrase weight (nearest name % / shares a word % / words; the bot uses {used}):")
        print("    " + "; ".join(swept))
    order = sorted(range(len(themes)), key=lambda k: (-len(g["themes"][k]), k))
    picked = [order[round(i * (len(order) - 1) / max(shown - 1, 1))] for i in range(min(shown, len(order)))]
    print(f"\n  {'lines':>5}  {'majority label in the data':<34} {'share':>5}  {'label':<34} old name")
    for k in dict.fromkeys(picked):
        print(
            f"  {len(g['themes'][k]):5d}  {names[g['majority'][k]]:<34} {100 * g['share'][k]:4.0f}%  "
            f"{labels[k]:<34} {old[k][:60]}"
        )


def _percent(hits: int, n: int) -> str:
    return f"{100 * hits / n:8.0f}%" if n else "        -"


def look_alikes_report(embedder: Any, texts: list[str], truth: np.ndarray, names: list[str]) -> None:
    """Print the threshold table, and the pairs the bot would offer."""
    from bot.themes.grouping import normalize
    from bot.themes.lookalikes import LOOK_ALIKE_AT, mutual_pairs

    g = _grouped(embedder, texts, truth)
    units = normalize(g["centroids"])
    majority = g["majority"]
    k = len(units)
    upper = np.triu_indices(k, 1)
    similarity = (units @ units.T)[upper]
    same = majority[upper[0]] == majority[upper[1]]
    split = k - len(set(majority.tolist()))
    print(
        f"\n[{embedder.name}] look-alikes among {k} themes ({len(set(majority.tolist()))} distinct majority "
        f"labels, so {split} themes too many); {int(same.sum())} pairs of themes share a majority label"
    )
    print(
        f"  {'cosine >=':>9}  {'every pair above: offered':>26} {'one label':>9} {'precision':>9}"
        f"  {'mutual nearest: offered':>24} {'one label':>9} {'precision':>9}"
    )
    for at in THRESHOLDS:
        above = similarity >= at
        every, every_hits = int(above.sum()), int(same[above].sum())
        mutual = mutual_pairs(g["centroids"], at=at)
        hits = sum(int(majority[i] == majority[j]) for i, j, _ in mutual)
        print(
            f"  {at:9.2f}  {every:26d} {every_hits:9d} {_percent(every_hits, every)}"
            f"  {len(mutual):24d} {hits:9d} {_percent(hits, len(mutual))}"
        )
    at = LOOK_ALIKE_AT.get(embedder.name)
    if at is None:
        print(f"  the bot offers no look-alikes for {embedder.name}")
        return
    offered = mutual_pairs(g["centroids"], at=at)
    hits = sum(majority[i] == majority[j] for i, j, _ in offered)
    print(f"\n  offered at {at} (LOOK_ALIKE_AT): {len(offered)} pairs, {hits} of one majority label:")
    for i, j, sim in offered[:15]:
        mark = "same" if majority[i] == majority[j] else "    "
        print(
            f"  {sim:.3f} {mark}  {names[majority[i]]} ({len(g['themes'][i])})  ~  "
            f"{names[majority[j]]} ({len(g['themes'][j])})"
        )
