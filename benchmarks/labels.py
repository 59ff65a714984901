"""Theme and topic labels beside the true labels, on groups the grouping did not have to find.

    python -m benchmarks.labels [--method semantic|lexical|both] [--no-banking] [--shown N]

Each true group is labelled as if the grouping had found it exactly (an oracle grouping), so what is
judged is the label alone:
- pain level: N pains of the pain-line set (benchmarks/data/pain_lines.csv), spread over its pains in
  name order, each labelled as the upkeep job labels a theme (`bot.themes.labels.label_themes`: the
  pain's lines, their centroid, the phrase counts of every line of the set);
- topic level: every area of that set (it has fewer than N), labelled from its pains' lines and their
  pain labels by `bot.themes.topic_labels.topic_label`; where the code has no topic label yet, the
  area's lines are labelled as one theme, which is what the bot would show for it;
- Banking77's test set: N intents spread over its intents in name order, at the pain level.
Each label is printed beside the true label, with its word count and a mark when its last word is a
function word (a help for the reader; the verdict is the acceptance rule in benchmarks/README.md).
"""

from __future__ import annotations

import argparse
import os
import re
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import numpy as np

from benchmarks.labelled import read_labelled
from benchmarks.pain_lines import BANKING, read_pain_lines

# The reader's check, kept apart from the labelling code's own lists on purpose.
FUNCTION_WORDS = frozenset(
    " ".join(
        (
            "a an the this that these those some any no every each my our your his her its their whose",
            "i we you he she it they me us him them of to in on at for with by from into onto about over",
            "under after before between through without via per as than up out off down and or but so nor",
            "because if when while although though unless whether is are was were be been being am do does",
            "did have has had can could will would shall should may might must can't cannot won't don't",
            "doesn't didn't isn't aren't keep keeps get gets got",
        )
    ).split()
)
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")


def spread(names: Sequence[str], n: int) -> list[str]:
    """n names spread evenly over the sorted names: the same ones at every run."""
    ordered = sorted(names)
    if len(ordered) <= n:
        return ordered
    return [ordered[round(i * (len(ordered) - 1) / (n - 1))] for i in range(n)]


def _unit(rows: np.ndarray) -> np.ndarray:
    rows = np.atleast_2d(np.asarray(rows, dtype=np.float32))
    return rows / np.maximum(np.linalg.norm(rows, axis=1, keepdims=True), 1e-12)


def label_groups(embedder: Any, groups: dict[str, list[str]], every: list[str]) -> dict[str, str]:
    """Each group labelled as the upkeep job labels a theme, the phrase counts taken on `every` line."""
    from bot.themes.labels import Background, ThemeText, label_themes

    names = sorted(groups)
    texts = [t for name in names for t in groups[name]]
    vectors = _unit(embedder.embed(texts))
    themes, start = [], 0
    for k, name in enumerate(names):
        members = vectors[start : start + len(groups[name])]
        start += len(groups[name])
        themes.append(ThemeText(k, groups[name], members.mean(axis=0)))
    labels = label_themes(themes=themes, background=Background.of(every), embedder=embedder)
    return {name: labels[k] for k, name in enumerate(names)}


def label_topics(
    embedder: Any, areas: dict[str, dict[str, list[str]]], every: list[str]
) -> tuple[dict[str, str], str]:
    """Each area labelled from its pains (their lines and pain labels). Returns the labels and how."""
    from bot.themes.labels import Background

    try:
        from bot.themes.topic_labels import topic_label
    except ImportError:  # the code before topics: what the bot would show for the area as one theme
        lines = {area: [t for texts in pains.values() for t in texts] for area, pains in areas.items()}
        return label_groups(embedder, lines, every), "the area's lines labelled as one theme"
    pain_labels = label_groups(
        embedder, {f"{a}/{p}": texts for a, pains in areas.items() for p, texts in pains.items()}, every
    )
    background = Background.of(every)
    out = {}
    for area, pains in sorted(areas.items()):
        names = sorted(pains)
        out[area] = topic_label(
            [pains[p] for p in names],
            pain_labels=[pain_labels[f"{area}/{p}"] for p in names],
            background=background,
        )
    return out, "topic_label over the area's pains"


def show(title: str, truth_and_label: list[tuple[str, str]]) -> None:
    print(f"\n{title}")
    print(f"  {'true label':<34} {'words':>5} {'fw':>2}  label")
    for truth, label in truth_and_label:
        words = _WORD.findall(label.lower())
        mark = "!" if not words or words[-1] in FUNCTION_WORDS else ""
        print(f"  {truth:<34} {len(label.split()):>5} {mark:>2}  {label}")


def run(method: str, banking: bool, shown: int) -> None:
    from bot.themes.semantic import load_embedder

    embedder = load_embedder(method, threads=os.cpu_count() or 1)
    lines = read_pain_lines()
    every = [line.text for line in lines]
    by_pain: dict[str, list[str]] = defaultdict(list)
    areas: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for line in lines:
        by_pain[line.pain].append(line.text)
        areas[line.area][line.pain].append(line.text)
    regular = [p for p in by_pain if not p.startswith("oneoff_")]
    picked = spread(regular, shown)
    # Every pain is labelled together, as a workspace's themes are (no two given one label).
    pains = label_groups(embedder, {p: by_pain[p] for p in regular}, every)
    show(
        f"[{embedder.name}] pain lines, pain level: {len(picked)} of {len(regular)} pains",
        [(p, pains[p]) for p in picked],
    )
    topics, how = label_topics(embedder, areas, every)
    show(f"[{embedder.name}] pain lines, topic level: {len(topics)} areas ({how})", sorted(topics.items()))
    if banking:
        texts, truth = read_labelled(BANKING / "test.csv", "text", "category")
        names = sorted(set(truth.tolist()))
        intents = read_intent_names(BANKING / "test.csv")
        groups: dict[str, list[str]] = defaultdict(list)
        for text, k in zip(texts, truth.tolist(), strict=True):
            groups[intents[k]].append(text)
        labels = label_groups(embedder, groups, texts)
        picked = spread(list(groups), shown)
        show(
            f"[{embedder.name}] Banking77 test: {len(picked)} of {len(names)} intents",
            [(p, labels[p]) for p in picked],
        )


def read_intent_names(path: Any) -> list[str]:
    """Banking77's intent names in the order read_labelled numbers them (sorted)."""
    import csv

    with open(path, newline="", encoding="utf-8") as f:
        return sorted({row["category"] for row in csv.DictReader(f)})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.labels", description=__doc__.split("\n")[0])
    parser.add_argument("--method", choices=("semantic", "lexical", "both"), default="both")
    parser.add_argument("--no-banking", action="store_true", help="only the pain-line set")
    parser.add_argument("--shown", type=int, default=20, help="groups labelled per level and set")
    args = parser.parse_args(argv)
    for method in ("lexical", "semantic") if args.method == "both" else (args.method,):
        run(method, banking=not args.no_banking, shown=args.shown)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
