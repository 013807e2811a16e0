"""Clustering quality on the development set, for every embedder that loads here.

    .venv/bin/python benchmarks/cluster_quality.py [path/to/proposals_dev.csv]

Prints ARI and NMI against the `theme` column with the AUTOMATIC group count, the count found,
the same with the true count for reference, and the mean ARI over random subsets of themes
(4 to 16 themes, 6 to 15 proposals each): a threshold that only suits 16 themes of 15 would
show up there. `theme` and `network` are never used as input.
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

DEV_SET = Path("/work/shared/data/proposals_dev.csv")
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
    for prefer in ("e5", "use", "tfidf"):
        embedder = default_embedder(prefer)  # type: ignore[arg-type]
        if embedder.name in seen:
            continue
        seen.add(embedder.name)
        report(embedder, texts, truth, true_k)


def report(embedder: Embedder, texts: list[str], truth: np.ndarray, true_k: int) -> None:
    started = time.perf_counter()
    vectors = embedder.embed(texts)
    embed_s = time.perf_counter() - started
    started = time.perf_counter()
    auto = cluster(vectors, texts, calibration=embedder.calibration)
    cluster_s = time.perf_counter() - started
    labels = np.array(auto.labels)
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
    for granularity in (-1.0, 1.0):
        g = cluster(vectors, texts, granularity=granularity, calibration=embedder.calibration)
        g_labels = np.array(g.labels)
        print(
            f"[{embedder.name}] granularity {granularity:+.0f}: k={len(g.clusters)}  "
            f"ARI {adjusted_rand_score(truth, g_labels):.3f}  "
            f"NMI {normalized_mutual_info_score(truth, g_labels):.3f}"
        )
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


if __name__ == "__main__":
    main()
