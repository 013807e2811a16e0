"""Speed of embedding, re-clustering and similar-while-typing, on this machine.

    .venv/bin/python benchmarks/cluster_speed.py [--embedder e5|use|tfidf]

Budgets (2 cores): re-cluster 1,000 cached vectors ≤ 1 s and 5,000 ≤ 5 s, the first run of the
process included (libraries imported, no word tokenised yet) and the authors' networks given
as in the app; similar lookup p95 ≤ 100 ms with 5,000 proposals, embedding of the query
included; import 1,000 proposals with their vectors ≤ 30 s. Larger sets are made by splicing
the halves of two dev proposals, so the texts stay Thai, varied and mostly distinct.
"""

from __future__ import annotations

import argparse
import csv
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from deliberation import thai
from deliberation.clustering import cluster, hint_space, similar
from deliberation.embeddings import default_embedder

DEV_SET = Path("/work/shared/data/proposals_dev.csv")
LOOKUPS = 200


def synthetic(texts: list[str], n: int, seed: int = 0) -> list[str]:
    """n proposals spliced from two dev proposals each (first half of one, second of another)."""
    rng = np.random.default_rng(seed)
    out: list[str] = []
    for _ in range(n):
        a, b = rng.choice(len(texts), 2, replace=False)
        head, tail = texts[a], texts[b]
        out.append(head[: len(head) // 2 + 1] + tail[len(tail) // 2 :])
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--embedder", choices=["e5", "use", "tfidf"], default=None)
    args = parser.parse_args()
    with DEV_SET.open(encoding="utf-8", newline="") as handle:
        dev = [row["text"] for row in csv.DictReader(handle)]

    started = time.perf_counter()
    embedder = default_embedder(args.embedder)
    print(f"embedder: {embedder.name} (loaded in {time.perf_counter() - started:.2f} s)")

    texts = synthetic(dev, 5000)
    started = time.perf_counter()
    vectors = embedder.embed(texts[:1000])
    per_1000 = time.perf_counter() - started
    print(f"embed 1,000 proposals: {per_1000:.1f} s ({per_1000:.2f} ms each) [budget 30 s]")
    started = time.perf_counter()
    vectors = np.vstack([vectors, embedder.embed(texts[1000:])])
    print(f"embed 4,000 more: {time.perf_counter() - started:.1f} s")

    networks = [f"network-{i % 6}" for i in range(len(texts))]
    for n, budget in ((1000, 1.0), (5000, 5.0)):
        for cache in (thai._normalise_cached, thai._without_voice_cached, thai._tokenise_cached):
            cache.cache_clear()
        started = time.perf_counter()
        result = cluster(
            vectors[:n], texts[:n], networks=networks[:n], calibration=embedder.calibration
        )
        cold = time.perf_counter() - started
        started = time.perf_counter()
        cluster(vectors[:n], texts[:n], networks=networks[:n], calibration=embedder.calibration)
        warm = time.perf_counter() - started
        print(
            f"re-cluster {n:,}: {warm:.2f} s (first run, words not yet tokenised: {cold:.2f} s), "
            f"{len(result.clusters)} groups [budget {budget:.0f} s]"
        )

    started = time.perf_counter()
    space = hint_space(vectors, texts, networks)
    print(
        f"fit the hint space of 5,000 (once per quarter more proposals): "
        f"{time.perf_counter() - started:.2f} s"
    )
    queries = synthetic(dev, LOOKUPS, seed=1)
    timings = []
    for query in queries:
        started = time.perf_counter()
        similar(
            space.place(embedder.embed([query]))[0],
            space.rows,
            k=3,
            min_similarity=space.threshold(embedder.calibration),
        )
        timings.append((time.perf_counter() - started) * 1000)
    p95 = statistics.quantiles(timings, n=20)[-1]
    print(
        f"similar among 5,000 (embed query + lookup), {LOOKUPS} queries: "
        f"median {statistics.median(timings):.1f} ms, p95 {p95:.1f} ms [budget 100 ms]"
    )


if __name__ == "__main__":
    main()
