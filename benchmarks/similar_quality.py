"""Similar-while-typing on both development sets: how often a hint is right, and how often
one is shown.

    .venv/bin/python benchmarks/similar_quality.py [--embedder e5|use|tfidf]

Each proposal in turn is the draft and the rest of its set are the assembly's proposals (leave
one out). A proposal gets hints when a neighbour reaches the embedder's `similar_min`; up to
three are shown, as on the phone. Precision: shown hints that share the draft's theme;
coverage: drafts that get at least one hint. It prints both at the shipped threshold, and the
precision at the coverage the issue fixed (49% of proposals hinted), for the raw cosine and in
the assembly's hint space (centred, voice directions out), which is what the app compares.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from cluster_quality import SETS, LabelledSet, cached_vectors

from deliberation.clustering import hint_space
from deliberation.embeddings import default_embedder

SHOWN = 3
COVERAGE = 0.49


def hints(scores: np.ndarray, threshold: float) -> tuple[float, float]:
    """(precision, coverage) of the top-3 hints at or above threshold; scores[i, j] for draft i."""
    right = shown = hinted = 0
    for i, row in enumerate(scores):
        order = [j for j in np.argsort(-row) if j != i][:SHOWN]
        picked = [j for j in order if row[j] >= threshold]
        hinted += bool(picked)
        shown += len(picked)
        right += sum(TRUTH[j] == TRUTH[i] for j in picked)
    return (right / shown if shown else 1.0), hinted / len(scores)


def at_coverage(scores: np.ndarray, coverage: float) -> tuple[float, float]:
    """(precision, threshold) where `coverage` of the drafts get a hint."""
    best = np.sort(np.where(np.eye(len(scores), dtype=bool), -np.inf, scores).max(axis=1))
    threshold = float(best[int((1 - coverage) * len(best))])
    return hints(scores, threshold)[0], threshold


def main() -> None:
    global TRUTH
    parser = argparse.ArgumentParser()
    parser.add_argument("--embedder", choices=["e5", "use", "tfidf"], default=None)
    args = parser.parse_args()
    embedder = default_embedder(args.embedder)
    print(f"[{embedder.name}] similar_min {embedder.calibration.similar_min}")
    for path in SETS:
        data = LabelledSet.read(path)
        TRUTH = data.truth
        vectors, _ = cached_vectors(embedder, data.texts)
        raw = vectors @ vectors.T
        space = hint_space(vectors, data.texts, data.networks).rows
        for name, scores in (("raw cosine", raw), ("hint space", space @ space.T)):
            precision, coverage = hints(scores, embedder.calibration.similar_min)
            fixed, threshold = at_coverage(scores, COVERAGE)
            print(
                f"  {data.name:15s} {name:11s} at similar_min: precision {precision:.0%} "
                f"coverage {coverage:.0%} | at {COVERAGE:.0%} coverage: precision {fixed:.0%} "
                f"(threshold {threshold:.3f})"
            )


TRUTH: np.ndarray = np.array([])

if __name__ == "__main__":
    main()
