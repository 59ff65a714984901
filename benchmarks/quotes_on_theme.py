"""How alike a quote must be to a theme's centre to stand under it in the digest (issue 22, item 5).

    python -m benchmarks.quotes_on_theme [--model minilm|mpnet|both]

A digest shows a theme's own lines; when the line was quoted last time, a quote from the same call may
stand in, only when it is about the theme. Stand-ins for quotes: every line of the pain-line set
(benchmarks/data/pain_lines.csv), one-offs included, against the centre of each pain's lines from
*other* accounts (the theme it would be shown under, without itself). On topic: its own pain's centre.
Off topic: every other pain's centre, split into the same area (a near miss: "SSO times out" under "SSO
setup") and another area (a quote about something else). The rule written first: a cut that lets
through almost none (at most 0.2 %) of another area's pairs, on both models; what it keeps of the
on-topic pairs and of the same-area near misses is reported beside it (and the cut at 1 %, for scale).
"""

from __future__ import annotations

import argparse
from collections import defaultdict

import numpy as np

from benchmarks.pain_lines import PainLine, read_pain_lines

OFF_TOPIC_PASS = 0.01  # another area's pairs that may pass the cut, at most


def pair_scores(lines: list[PainLine], vectors: np.ndarray) -> dict[str, np.ndarray]:
    by_pain: dict[str, list[int]] = defaultdict(list)
    for i, line in enumerate(lines):
        if line.kind != "one_off":
            by_pain[line.pain].append(i)
    area_of = {lines[ids[0]].pain: lines[ids[0]].area for ids in by_pain.values()}
    on, near, off = [], [], []
    for i, line in enumerate(lines):
        for pain, ids in by_pain.items():
            others = [j for j in ids if lines[j].account != line.account]
            if len(others) < 2:
                continue
            centre = vectors[others].mean(axis=0)
            similarity = float(vectors[i] @ centre / np.linalg.norm(centre))
            if pain == line.pain:
                on.append(similarity)
            elif area_of[pain] == line.area:
                near.append(similarity)
            else:
                off.append(similarity)
    return {"on topic": np.array(on), "same area": np.array(near), "other area": np.array(off)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", choices=["minilm", "mpnet", "both"], default="both")
    args = parser.parse_args()
    from bot.themes.semantic import load_embedder

    lines = read_pain_lines()
    for model in ("minilm", "mpnet") if args.model == "both" else (args.model,):
        embedder = load_embedder("semantic", model=model, threads=2)
        scores = pair_scores(lines, embedder.embed([line.text for line in lines]))
        cut = float(np.quantile(scores["other area"], 1 - OFF_TOPIC_PASS))
        print(f"{model}: cut {cut:.3f} (1 % of another area's pairs above it)")
        for name, values in scores.items():
            print(
                f"  {name:10s} pairs {len(values):6d}  median {np.median(values):.3f}  "
                f"pass at the cut {100 * (values >= cut).mean():5.1f} %  "
                f"at 0.4 {100 * (values >= 0.4).mean():5.1f} %  at 0.5 {100 * (values >= 0.5).mean():5.1f} %"
            )


if __name__ == "__main__":
    main()
