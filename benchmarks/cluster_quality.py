"""Clustering quality on both development sets, side by side, for every embedder that loads.

    .venv/bin/python benchmarks/cluster_quality.py [--embedder e5|use|tfidf] [SET.csv ...]

For each set (default: shared/data/proposals_dev.csv and proposals_dev2.csv) it prints ARI and
NMI against the `theme` column with the AUTOMATIC group count and the count found, the same with
the true count for reference, granularity −1 / +1, and the mean over random subsets of themes
(all, half, a quarter of the themes; all or 40% of the proposals of each): a setting that only
suits one size shows up there. `theme` is never an input; `network` is, as in the app (every
proposal carries its author's network at run time).

Vectors are cached under `.cache/cluster_quality/` (keyed by the texts and the embedder), so
only the first run embeds. It also holds the regression checks: the ARI with the automatic count
must stay above each set's floor, and granularity −1 must give fewer groups than +1. It exits
with status 1 when one does not hold.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from deliberation.clustering import cluster
from deliberation.embeddings import Embedder, default_embedder
from deliberation.thai import without_voice

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent.parent / "shared" / "data"
if not DATA.is_dir():  # a checkout outside the shared workspace
    DATA = Path("/work/shared/data")
SETS = [DATA / "proposals_dev.csv", DATA / "proposals_dev2.csv"]
CACHE = ROOT / ".cache" / "cluster_quality"
# Regression floors with the automatic count, per set and embedder.
FLOORS = {
    "proposals_dev": {"e5": 0.55, "use": 0.35, "tfidf": 0.30},
    "proposals_dev2": {"e5": 0.35, "use": 0.20, "tfidf": 0.15},
}
# (share of the themes, share of each theme's proposals) of the random subsets.
SUBSETS = [(1.0, 1.0), (0.5, 1.0), (0.25, 1.0), (0.75, 0.5), (1.0, 0.4), (0.375, 0.4)]
SUBSET_REPEATS = 3


@dataclass
class LabelledSet:
    name: str
    texts: list[str]
    networks: list[str]
    truth: np.ndarray

    @classmethod
    def read(cls, path: Path) -> LabelledSet:
        with path.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
        return cls(
            name=path.stem,
            texts=[r["text"] for r in rows],
            networks=[r["network"] for r in rows],
            truth=np.array([r["theme"] for r in rows]),
        )


def cached_vectors(embedder: Embedder, texts: list[str]) -> tuple[np.ndarray, float | None]:
    """The set's vectors from the disk cache, or embedded now (and the time that took).

    Keyed by what the embedder reads (the text without the voice words), so a change to the
    voice layer embeds again."""
    read = "\n".join(without_voice(t) for t in texts)
    key = hashlib.sha256((read + embedder.name).encode()).hexdigest()[:16]
    path = CACHE / f"{embedder.name}-{key}.npy"
    if path.exists():
        return np.load(path), None
    started = time.perf_counter()
    vectors = embedder.embed(texts)
    elapsed = time.perf_counter() - started
    CACHE.mkdir(parents=True, exist_ok=True)
    np.save(path, vectors)
    return vectors, elapsed


def scores(truth: np.ndarray, labels: tuple[int, ...]) -> tuple[float, float]:
    return adjusted_rand_score(truth, labels), normalized_mutual_info_score(truth, labels)


def measure(embedder: Embedder, data: LabelledSet) -> tuple[dict[str, str], list[str]]:
    """One column of the report (figure name → text) and the checks that failed."""
    failures: list[str] = []
    vectors, embed_s = cached_vectors(embedder, data.texts)
    calibration = embedder.calibration
    truth, texts, networks = data.truth, data.texts, data.networks
    column: dict[str, str] = {}
    started = time.perf_counter()
    auto = cluster(vectors, texts, networks=networks, calibration=calibration)
    cluster_s = time.perf_counter() - started
    ari, nmi = scores(truth, auto.labels)
    column["automatic"] = f"k={len(auto.clusters):<3d} ARI {ari:.3f} NMI {nmi:.3f}"
    floor = FLOORS.get(data.name, {}).get(embedder.name)
    if floor is not None and ari < floor:
        failures.append(f"[{embedder.name}] {data.name}: ARI {ari:.3f} below the floor {floor}")
    true_k = len(set(truth))
    fixed = cluster(vectors, texts, networks=networks, n_clusters=true_k, calibration=calibration)
    column["true k"] = "k={:<3d} ARI {:.3f} NMI {:.3f}".format(true_k, *scores(truth, fixed.labels))
    counts = []
    for granularity in (-1.0, 1.0):
        g = cluster(
            vectors, texts, networks=networks, granularity=granularity, calibration=calibration
        )
        counts.append(len(g.clusters))
        column[f"granularity {granularity:+.0f}"] = "k={:<3d} ARI {:.3f} NMI {:.3f}".format(
            len(g.clusters), *scores(truth, g.labels)
        )
    if not counts[0] < counts[1]:
        failures.append(
            f"[{embedder.name}] {data.name}: granularity -1 gave {counts[0]} groups, +1 {counts[1]}"
        )
    rng = np.random.default_rng(0)
    themes = sorted(set(truth))
    per_theme = min(int(np.sum(truth == t)) for t in themes)
    found = []
    for theme_share, row_share in SUBSETS:
        n_themes = max(2, round(theme_share * len(themes)))
        n_rows = max(3, round(row_share * per_theme))
        for _ in range(SUBSET_REPEATS):
            chosen = rng.choice(themes, n_themes, replace=False)
            idx = np.concatenate(
                [rng.choice(np.flatnonzero(truth == t), n_rows, replace=False) for t in chosen]
            )
            sub = cluster(
                vectors[idx],
                [texts[i] for i in idx],
                networks=[networks[i] for i in idx],
                calibration=calibration,
            )
            found.append((*scores(truth[idx], sub.labels), len(sub.clusters) / n_themes))
    s_ari, s_nmi, ratio = np.mean(found, axis=0)
    worst = min(a for a, _, _ in found)
    column[f"theme subsets ({len(found)})"] = f"ARI {s_ari:.3f} NMI {s_nmi:.3f}"
    column["  worst subset / groups per theme"] = f"ARI {worst:.3f} k/themes {ratio:.2f}"
    timing = f"cluster {cluster_s:.2f} s"
    if embed_s is not None:
        timing = f"embed {embed_s:.1f} s, " + timing
    column["time"] = timing
    column["_titles"] = "\n".join(
        f"    {len(c.members):3d}  {c.title}  [{', '.join(c.terms)}]" for c in auto.clusters[:6]
    )
    return column, failures


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("sets", nargs="*", type=Path, default=SETS)
    parser.add_argument("--embedder", choices=["e5", "use", "tfidf"], action="append")
    parser.add_argument("--titles", action="store_true", help="show the six largest groups")
    args = parser.parse_args()
    sets = [LabelledSet.read(p) for p in args.sets]
    for data in sets:
        print(f"{data.name}: {len(data.texts)} proposals, {len(set(data.truth))} themes")
    seen: set[str] = set()
    failures: list[str] = []
    for prefer in args.embedder or ["e5", "use", "tfidf"]:
        embedder = default_embedder(prefer)  # type: ignore[arg-type]
        if embedder.name in seen:
            continue
        seen.add(embedder.name)
        columns = []
        for data in sets:
            column, failed = measure(embedder, data)
            columns.append(column)
            failures += failed
        print(f"\n[{embedder.name}]".ljust(35) + "".join(d.name.ljust(34) for d in sets))
        for key in columns[0]:
            if not key.startswith("_"):
                print(f"  {key:<32}" + "".join(c[key].ljust(34) for c in columns))
        if args.titles:
            for data, column in zip(sets, columns, strict=True):
                print(f"  {data.name}, largest groups:\n{column['_titles']}")
    for failure in failures:
        print(f"FAILED: {failure}")
    if failures:
        sys.exit(1)


if __name__ == "__main__":
    main()
