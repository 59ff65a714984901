"""How a full regroup scales with a workspace's size: time and peak memory of `bot.themes.grouping.group`.

The labelled texts are embedded once; a workspace of N lines is then made by drawing N of them with
replacement, each drawn copy nudged by a little noise (as if reworded), and grouped in a fresh process of
its own, so the peak memory printed is that size's own. Scores against the labels are printed too, for
a sense of whether quality holds; the noisy copies make them a rough guide, not a result.

    python -m benchmarks.theme_scale [--data PATH --text-column C --label-column C]
                                     [--method semantic|lexical] [--sizes 5000,10000,20000,40000]
                                     [--compare-exact N]

Default data: Banking77's training set (10,003 texts), so that copies stay few.

Needs the semantic and bench extras, like benchmarks.themes.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from benchmarks.labelled import peak_mb, read_labelled, score
from benchmarks.themes import DEFAULT_DATA, ROOT

TRAIN_DATA = DEFAULT_DATA.with_name("train.csv")

NOISE = 0.02  # per dimension, before normalising: a copy stays about 0.9 similar to its original


def run_size(vectors_file: Path, labels_file: Path, method: str, size: int, seed: int, exact: bool) -> dict:
    from bot.themes import grouping
    from bot.themes.embeddings import LexicalEmbedder

    if method == "semantic":
        from bot.themes.models import MODELS

        base_policy = MODELS["minilm"].policy
    else:
        base_policy = LexicalEmbedder.policy
    policy = base_policy if not exact else dataclasses.replace(base_policy, exact_max=size)
    base, truth = np.load(vectors_file), np.load(labels_file)
    rng = np.random.default_rng(seed)
    drawn = rng.integers(0, len(base), size)
    vectors = grouping.normalize(base[drawn] + rng.normal(0, NOISE, (size, base.shape[1])).astype(np.float32))
    started_rss = peak_mb()
    started = time.perf_counter()
    labels = grouping.group(vectors, policy)
    seconds = time.perf_counter() - started
    scores = score(truth[drawn], labels)
    return {
        "size": size,
        "seconds": round(seconds, 1),
        "peak_mb": round(peak_mb()),
        "before_mb": round(started_rss),
        "nmi": scores.nmi,
        "ari": scores.ari,
        "themes": scores.themes,
        "exact": size <= policy.exact_max,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.theme_scale", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--data", type=Path, default=TRAIN_DATA)
    parser.add_argument("--text-column", default="text")
    parser.add_argument("--label-column", default="category")
    parser.add_argument("--method", choices=("semantic", "lexical"), default="semantic")
    parser.add_argument("--sizes", default="5000,10000,20000,40000")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--compare-exact",
        type=int,
        default=0,
        metavar="N",
        help="also group sizes up to N with every pair compared (the memory the micro-groups save)",
    )
    parser.add_argument(
        "--child", nargs=4, metavar=("VECTORS", "LABELS", "SIZE", "EXACT"), help=argparse.SUPPRESS
    )
    args = parser.parse_args(argv)
    if args.child:
        vectors_file, labels_file, size, exact = args.child
        report = run_size(
            Path(vectors_file), Path(labels_file), args.method, int(size), args.seed, exact == "1"
        )
        print(json.dumps(report))
        return 0

    from bot.themes.semantic import load_embedder

    texts, truth = read_labelled(args.data, args.text_column, args.label_column)
    embedder = load_embedder(args.method, threads=os.cpu_count() or 1)
    print(f"{embedder.name}: {args.data.name}, {len(texts):,} texts embedded; {os.cpu_count()} CPUs")
    print(f"exact average linkage up to {embedder.policy.exact_max:,} lines, micro-groups above")
    with tempfile.TemporaryDirectory() as scratch:
        vectors_file, labels_file = Path(scratch) / "vectors.npy", Path(scratch) / "labels.npy"
        np.save(vectors_file, np.asarray(embedder.embed(texts), dtype=np.float32))
        np.save(labels_file, truth)
        runs = [(int(s), False) for s in args.sizes.split(",")]
        runs += [(size, True) for size, _ in runs if embedder.policy.exact_max < size <= args.compare_exact]
        for size, exact in runs:
            command = [sys.executable, "-m", "benchmarks.theme_scale", "--method", args.method]
            command += ["--seed", str(args.seed), "--child", str(vectors_file), str(labels_file), str(size)]
            command.append("1" if exact else "0")
            done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
            if done.returncode != 0:
                print(done.stderr, file=sys.stderr)
                return 1
            r = json.loads(done.stdout.strip().splitlines()[-1])
            print(
                f"  {r['size']:>7,} lines  {'exact' if r['exact'] else 'micro'}  "
                f"grouping {r['seconds']:6.1f} s  "
                f"peak {r['peak_mb']:6,} MB (before grouping {r['before_mb']:,} MB)  "
                f"NMI {r['nmi']:5.1f}  ARI {r['ari']:5.1f}  themes {r['themes']:4d}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
