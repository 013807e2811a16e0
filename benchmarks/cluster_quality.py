"""Clustering quality on the development set, for every embedder that loads here.

    .venv/bin/python benchmarks/cluster_quality.py [path/to/proposals_dev.csv]

Prints ARI and NMI against the `theme` column with the AUTOMATIC group count, the count found,
the same with the true count for reference, and the mean ARI over random subsets of themes
(4 to 16 themes, 6 to 15 proposals each): a threshold that only suits 16 themes of 15 would
show up there. `theme` and `network` are never used as input.

It also holds the regression checks against the shared development set that used to live in
the unit tests (which now cluster the small labelled set in `tests/data/`, so a fresh clone
passes alone): the ARI with the automatic count must stay above DEV_FLOOR, and granularity
−1 must give fewer groups than +1. It exits with status 1 when one does not hold.
"""

from __future__ import annotations

import csv
import sys
import time
from pathlib import Path

import numpy as np
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from deliberation.clustering import cluster
from deliberation.embeddings import Embedder, default_embedder

DEV_SET = Path(__file__).resolve().parents[2] / "shared" / "data" / "proposals_dev.csv"
# Regression floors on the shared dev set with the automatic count (formerly in the unit tests).
DEV_FLOOR = {"e5": 0.55, "use": 0.35, "tfidf": 0.30}
SUBSETS = [(16, 15), (8, 15), (4, 15), (12, 8), (16, 6), (6, 6)]
SUBSET_REPEATS = 3


def main() -> None:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else DEV_SET
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    texts = [row["text"] for row in rows]
    truth = np.array([row["theme"] for row in rows])
    true_k = len(set(truth))
    print(f"{path.name}: {len(texts)} proposals, {true_k} themes")
    seen: set[str] = set()
    failures: list[str] = []
    for prefer in ("e5", "use", "tfidf"):
        embedder = default_embedder(prefer)  # type: ignore[arg-type]
        if embedder.name in seen:
            continue
        seen.add(embedder.name)
        failures += report(embedder, texts, truth, true_k)
    for failure in failures:
        print(f"FAILED: {failure}")
    if failures:
        sys.exit(1)


def report(embedder: Embedder, texts: list[str], truth: np.ndarray, true_k: int) -> list[str]:
    """Print the figures; return the regression checks that did not hold."""
    failures: list[str] = []
    started = time.perf_counter()
    vectors = embedder.embed(texts)
    embed_s = time.perf_counter() - started
    started = time.perf_counter()
    auto = cluster(vectors, texts, calibration=embedder.calibration)
    cluster_s = time.perf_counter() - started
    labels = np.array(auto.labels)
    auto_ari = adjusted_rand_score(truth, labels)
    floor = DEV_FLOOR.get(embedder.name)
    if floor is not None and auto_ari < floor:
        failures.append(f"[{embedder.name}] ARI {auto_ari:.3f} below the floor {floor}")
    print(
        f"\n[{embedder.name}] automatic k={len(auto.clusters)}: "
        f"ARI {adjusted_rand_score(truth, labels):.3f}  "
        f"NMI {normalized_mutual_info_score(truth, labels):.3f}  "
        f"(embed {embed_s:.2f} s, cluster {cluster_s:.2f} s)"
    )
    fixed = np.array(
        cluster(vectors, texts, n_clusters=true_k, calibration=embedder.calibration).labels
    )
    print(
        f"[{embedder.name}] true k={true_k}:      ARI {adjusted_rand_score(truth, fixed):.3f}  "
        f"NMI {normalized_mutual_info_score(truth, fixed):.3f}"
    )
    counts = []
    for granularity in (-1.0, 1.0):
        g = cluster(vectors, texts, granularity=granularity, calibration=embedder.calibration)
        counts.append(len(g.clusters))
        g_labels = np.array(g.labels)
        print(
            f"[{embedder.name}] granularity {granularity:+.0f}: k={len(g.clusters)}  "
            f"ARI {adjusted_rand_score(truth, g_labels):.3f}  "
            f"NMI {normalized_mutual_info_score(truth, g_labels):.3f}"
        )
    if not counts[0] < counts[1]:
        failures.append(f"[{embedder.name}] granularity -1 gave {counts[0]} groups, +1 {counts[1]}")
    rng = np.random.default_rng(0)
    themes = sorted(set(truth))
    scores = []
    for n_themes, per_theme in SUBSETS:
        for _ in range(SUBSET_REPEATS):
            chosen = rng.choice(themes, n_themes, replace=False)
            idx = np.concatenate(
                [rng.choice(np.flatnonzero(truth == t), per_theme, replace=False) for t in chosen]
            )
            sub = cluster(vectors[idx], [texts[i] for i in idx], calibration=embedder.calibration)
            scores.append(
                (
                    adjusted_rand_score(truth[idx], sub.labels),
                    normalized_mutual_info_score(truth[idx], sub.labels),
                    len(sub.clusters) / n_themes,
                )
            )
    ari, nmi, ratio = np.mean(scores, axis=0)
    print(
        f"[{embedder.name}] theme subsets (n={len(scores)}): mean ARI {ari:.3f}  "
        f"NMI {nmi:.3f}  groups/themes {ratio:.2f}"
    )
    for c in auto.clusters[:5]:
        print(f"    {len(c.members):3d}  {c.title}  [{', '.join(c.terms)}]")
    return failures


if __name__ == "__main__":
    main()
