"""Grouping proposals into issues: pure functions over vectors and texts, frozen results.

The pipeline (why each step is there, and how it was validated, is in docs/clustering.md):

1. identical proposals (same normalised text) are folded into one item, so they always share
   a group;
2. the embedding is centred on the set's mean (e5 puts every Thai sentence in one narrow cone)
   and, when the authors' networks are known, the directions that tell the networks apart are
   projected out: they mostly encode *how* a monk, an official or a teacher speaks, and without
   this the groups form around voices instead of concerns;
3. similarity = a blend of that embedding cosine and a corpus TF-IDF cosine (words and
   character n-grams), each centred on the set;
4. automatic count: communities (Louvain modularity) of the k-nearest-neighbour graph of the
   similarities, as the consensus of a few seeded runs; `granularity` scales the resolution.
   The voice projection is then refined once: directions that tell networks apart *within*
   the groups just found are voice, not topic, and the graph is clustered again;
5. a requested count: average-linkage tree on the smoothed similarity, cut at that count.

Everything here takes numpy arrays and strings and returns frozen dataclasses: no I/O.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from deliberation.thai import normalise, speaks, title, tokenise, without_voice

FloatArray = npt.NDArray[np.float32]


@dataclass(frozen=True, slots=True)
class Calibration:
    """Similarity thresholds on one embedder's scale: cosines differ a lot between models
    (unrelated Thai proposals score ~0.85 with e5, ~0.2 with USE), so each embedder ships its own.
    """

    resolution: float
    """Modularity resolution of the automatic count: higher gives more, smaller groups."""
    similar_min: float
    """Cosine in the hint space from which an existing proposal is shown as similar while
    typing."""
    similar_min_raw: float
    """The same for an assembly too small for a hint space (raw cosine, see HINT_SPACE_MIN)."""
    assign_min: float
    """Raw cosine to a locked group's centroid below which a new proposal stays unsorted."""
    assign_margin: float
    """How much closer the best locked group must be than the runner-up to count as clear."""


# Resolution of the Louvain communities for e5, chosen on proposals_dev.csv alone (full set and
# random theme subsets; 2.5 → 16 groups ARI 0.66, 3 → 19 / 0.70, 3.5 → 19 / 0.72, 4 → 23 / 0.71,
# 4 also worse on subsets), then checked on proposals_dev2.csv. See docs/clustering.md.
RESOLUTION_E5 = 3.5
# e5 similar-while-typing, compared in the assembly's hint space (centred, voice directions out;
# see `HintSpace`): at 0.38 about half the proposals get a hint (dev 49%, dev2 49%) and 96% / 93%
# of the hints shown share the draft's theme (benchmarks/similar_quality.py). The raw cosine at
# the same coverage: 95% / 72%, the speaker's voice again.
SIMILAR_MIN_E5 = 0.38
# Raw e5 cosine, for the first proposals of an assembly: unrelated dev proposals score 0.83 at the
# median and 0.88 at the 99th percentile; at 0.90, 95% of dev's hints share the theme (dev2 72%).
SIMILAR_MIN_RAW_E5 = 0.90
# e5 leave-one-out placement into the 16 dev themes: with the margin below, 68% of proposals
# were placed automatically, 98% of them correctly; under 0.90 a proposal fits no group well.
ASSIGN_MIN_E5 = 0.90
# e5 puts every centroid within a few hundredths of each other, so the lead over the runner-up
# is what says "clearly": 0.01 kept precision at 98% (no margin: 89%).
ASSIGN_MARGIN_E5 = 0.01

E5_CALIBRATION = Calibration(
    resolution=RESOLUTION_E5,
    similar_min=SIMILAR_MIN_E5,
    similar_min_raw=SIMILAR_MIN_RAW_E5,
    assign_min=ASSIGN_MIN_E5,
    assign_margin=ASSIGN_MARGIN_E5,
)
DEFAULT_CALIBRATION = E5_CALIBRATION

# Weight of the corpus TF-IDF view against the embedding (both unit vectors). Shared words are
# strong evidence for short proposals and the 4-bit e5 misses some Thai compounds. On dev with
# the automatic cut the blend scored ARI 0.66 vs 0.61 for e5 alone (forcing 16 groups: 0.55 vs
# 0.59, so its gain is in making the similarity threshold meaningful, not in every cut).
LEXICAL_WEIGHT = 0.7
# For a requested count (average linkage), each item is averaged with its 5 nearest neighbours
# first: 10-NN purity on dev rose from 0.58 to 0.67. More start to bleed across themes.
SMOOTHING_NEIGHBOURS = 5
# Neighbours per proposal in the graph whose communities are the groups. On dev, 10 and 15 were
# within noise of each other; 6 split themes, 20 merged neighbouring ones.
GRAPH_NEIGHBOURS = 10
# Seeded Louvain runs whose agreement is the consensus: one run depends on the node order (a
# proposal on the border of two themes flips), edges kept by at least half of the runs do not.
CONSENSUS_RUNS = 5
CONSENSUS_AGREEMENT = 0.5
# One unit of `granularity` multiplies the resolution by this: on dev with e5, −1 gives 14
# groups, 0 gives 17, +1 gives 24 (the facilitator's "fewer / more groups").
GRANULARITY_FACTOR = 1.5
# Small sets need a lower resolution (modularity's penalty grows with the share each node
# has of the whole graph): below this many proposals it shrinks as (n / this) ** power.
RESOLUTION_FULL_AT = 100
RESOLUTION_SIZE_POWER = 0.5
# A network counts for the voice directions only with this many proposals: the mean of one or
# two proposals is that proposal's topic as much as its network's voice.
VOICE_MIN_MEMBERS = 3
# A network whose proposals share words (the voice words aside) this much more than the set's
# average pair is speaking on one concern, not only in one voice: its direction is a topic and
# stays. Random samples of 20 to 240 proposals of either dev set put the most coherent network
# at +0.01 to +0.05 (one sample in 120 reached +0.12, with 20 proposals); an assembly whose
# themes each came from one network (tests/integration/test_review_curation.py) at +0.13 to +0.34.
VOICE_TOPIC_MAX = 0.08
# Similar-while-typing refits its space (mean, voice directions) once the assembly has a quarter
# more proposals (and 10) than it was fitted on: refitting runs TF-IDF over every proposal, too
# slow for every keystroke of a busy hall, and a quarter more proposals barely moves the mean.
HINT_REFIT_GROWTH = 1.25
HINT_REFIT_MIN = 10
# Below this many proposals there is no hint space: the mean of a handful of proposals is mostly
# those proposals (with two, centring makes them opposites), so raw cosines are compared.
HINT_SPACE_MIN = 20
# Key terms shown per group: two or three words read as a label; more become a word cloud.
KEY_TERMS = 3
# Titles longer than this are cut at a phrase or word boundary: one line on a phone.
TITLE_CHARS = 60
# The title is the shortest-reading of a group's most central members, this many at least (or
# a quarter of the group): the single most central one is often a long, two-concern sentence.
TITLE_CANDIDATES = 3
# Lengths within one band read alike; between bands the shorter wins over the more central.
TITLE_BAND_CHARS = 20
# A title shorter than this says too little ("ขอบคุณ"): chosen only when nothing else fits.
TITLE_MIN_CHARS = 8
# Words that never serve as key terms: quantities, parts and generic verbs that any proposal
# uses ("จำนวน", "หน้า", "ใส่", "คน"), which crowd out the words that name the concern.
TERM_FILLERS = frozenset(
    [
        "จำนวน",
        "หน้า",
        "ใส่",
        "คน",
        "ทำ",
        "มี",
        "ให้",
        "เพิ่ม",
        "ทุก",
        "ช่วย",
        "เรื่อง",
        "ต้อง",
        "ไม่ต้อง",
        "บางคน",
        "งาน",
        "ไป",
        "มา",
        "เอา",
    ]
)
# Character n-grams for the lexical view: 2–4 covers Thai syllables and short words, which
# survive the tokeniser's mistakes and typos (งบประมาน vs งบประมาณ share most 3-grams).
CHAR_NGRAMS = (2, 4)


@dataclass(frozen=True, slots=True)
class Cluster:
    """One group of proposals: who is in it and how to show it."""

    members: tuple[int, ...]
    """Row indices, ascending."""
    title: str
    """A short, central member without the speaker's voice (see `_title`)."""
    terms: tuple[str, ...]
    """Words that set this group apart from the others (c-TF-IDF)."""
    representative: int
    """Row index of the proposal used as the title."""


@dataclass(frozen=True, slots=True)
class Clustering:
    """A partition of all rows: every row is in exactly one cluster, largest cluster first."""

    clusters: tuple[Cluster, ...]
    labels: tuple[int, ...]
    """labels[row] is the index in `clusters` of that row's cluster."""


def cluster(
    vectors: npt.ArrayLike,
    texts: Sequence[str] | None = None,
    *,
    networks: Sequence[Hashable | None] | None = None,
    n_clusters: int | None = None,
    granularity: float = 0.0,
    calibration: Calibration = DEFAULT_CALIBRATION,
    lexical_weight: float = LEXICAL_WEIGHT,
) -> Clustering:
    """Partition proposals into groups; every row lands in exactly one group.

    vectors: one embedding per row (from an `Embedder`); texts: the proposals, for the lexical
    view, titles and key terms (without them, titles are empty and only vectors count).
    networks: each row's author network (None when unknown), used only to take the speakers'
    voice out of the similarity, never as a grouping signal of its own.
    n_clusters: exact number of groups (capped at the number of distinct proposals); None picks
    it with `calibration.resolution`, scaled by `granularity` (−1 fewer, +1 more groups).
    """
    matrix = _as_matrix(vectors)
    n = matrix.shape[0]
    if texts is not None and len(texts) != n:
        raise ValueError(f"{n} vectors but {len(texts)} texts")
    if networks is not None and len(networks) != n:
        raise ValueError(f"{n} vectors but {len(networks)} networks")
    if n_clusters is not None and n_clusters < 1:
        raise ValueError("n_clusters must be at least 1")
    if n == 0:
        return Clustering(clusters=(), labels=())

    first, item_of_row = _fold_duplicates(matrix, texts)
    unique_texts = [texts[i] for i in first] if texts is not None else None
    item_networks = [networks[i] for i in first] if networks is not None else None
    centred = unit_rows(matrix[first])
    centred = centred - centred.mean(axis=0, keepdims=True)
    tfidf = _tfidf_rows(unique_texts) if unique_texts is not None and len(first) > 1 else None
    lexical = _centred_cosine(tfidf) if tfidf is not None and lexical_weight > 0 else None
    item_networks = _voice_networks(item_networks, tfidf)
    basis = _voice_basis(centred, item_networks)
    similarity = _blend(_project_out(centred, basis), lexical, lexical_weight)
    if n_clusters is not None:
        similarity = _smooth(similarity, SMOOTHING_NEIGHBOURS)
        item_labels = _cut(similarity, n_clusters)
    else:
        resolution = _resolution(calibration.resolution, granularity, len(first))
        item_labels = _communities(similarity, resolution)
        if item_networks is not None and len(set(item_labels.tolist())) > 1:
            # Within a group the topic is shared, so what still tells networks apart is voice.
            means = np.zeros_like(centred)
            for label in set(item_labels.tolist()):
                inside = item_labels == label
                means[inside] = centred[inside].mean(axis=0)
            basis = _voice_basis(centred - means, item_networks)
            similarity = _blend(_project_out(centred, basis), lexical, lexical_weight)
            item_labels = _communities(similarity, resolution)
    labels = item_labels[item_of_row]
    return _describe(labels, similarity, item_of_row, texts)


def group_centroids(vectors: npt.ArrayLike, groups: Sequence[Sequence[int]]) -> FloatArray:
    """Unit-length mean vector of each group (an empty group gets a zero row)."""
    matrix = _as_matrix(vectors)
    out = np.zeros((len(groups), matrix.shape[1]), dtype=np.float32)
    for g, members in enumerate(groups):
        if len(members):
            out[g] = matrix[list(members)].mean(axis=0)
    return unit_rows(out)


def assign_to_locked(
    vector: npt.ArrayLike,
    locked_centroids: npt.ArrayLike,
    threshold: float = DEFAULT_CALIBRATION.assign_min,
    *,
    margin: float = DEFAULT_CALIBRATION.assign_margin,
) -> int | None:
    """Index of the locked group a new proposal clearly belongs to, or None (unsorted tray).

    Clearly = cosine to that group's centroid ≥ threshold and ahead of the runner-up by ≥ margin:
    after curation a wrong automatic placement is worse than leaving it for a facilitator.
    """
    centroids = _as_matrix(locked_centroids)
    if centroids.shape[0] == 0:
        return None
    query = unit_rows(_as_matrix(vector).reshape(1, -1))[0]
    scores = _dot(centroids, query)
    order = np.argsort(-scores, kind="stable")
    best = int(order[0])
    if scores[best] < threshold:
        return None
    if len(order) > 1 and scores[best] - scores[order[1]] < margin:
        return None
    return best


@dataclass(frozen=True, slots=True)
class LockedPlacement:
    """Locked groups after new proposals arrived, and the proposals left for a person."""

    groups: tuple[tuple[int, ...], ...]
    unsorted: tuple[int, ...]


def place_new(
    vectors: npt.ArrayLike,
    locked_groups: Sequence[Sequence[int]],
    new_rows: Sequence[int],
    *,
    calibration: Calibration = DEFAULT_CALIBRATION,
) -> LockedPlacement:
    """Add new rows to the locked groups they clearly belong to; never move a locked member.

    Centroids come from the locked members only, so arrivals cannot drag a group away.
    """
    matrix = _as_matrix(vectors)
    centroids = group_centroids(matrix, locked_groups)
    locked = {row for members in locked_groups for row in members}
    groups = [list(members) for members in locked_groups]
    unsorted: list[int] = []
    for row in dict.fromkeys(new_rows):
        if row in locked:
            continue
        target = assign_to_locked(
            matrix[row], centroids, calibration.assign_min, margin=calibration.assign_margin
        )
        if target is None:
            unsorted.append(row)
        else:
            groups[target].append(row)
    return LockedPlacement(groups=tuple(tuple(g) for g in groups), unsorted=tuple(unsorted))


@dataclass(frozen=True, slots=True)
class HintSpace:
    """An assembly's proposals as similar-while-typing compares them: centred on their mean and
    with the voice directions of their networks projected out, as the clustering does. Raw e5
    cosines put a monk's proposals on any topic next to each other (72% of dev2's hints right
    at half coverage); here 93%. Fitted on `fitted_on` rows; later rows are placed with the same
    mean and directions until the set has grown enough to refit (see `stale`)."""

    rows: FloatArray
    mean: FloatArray
    basis: FloatArray
    fitted_on: int

    @property
    def centred(self) -> bool:
        return self.fitted_on >= HINT_SPACE_MIN

    def threshold(self, calibration: Calibration) -> float:
        """The cosine from which a row is a hint, on this space's scale."""
        return calibration.similar_min if self.centred else calibration.similar_min_raw

    def place(self, vectors: npt.ArrayLike) -> FloatArray:
        """Rows (or one query) in this space: unit length, comparable with `rows`."""
        matrix = unit_rows(_as_matrix(vectors))
        return unit_rows(_project_out(matrix - self.mean, self.basis))

    def extend(self, vectors: npt.ArrayLike) -> HintSpace:
        """The space with new proposals appended (placed, not refitted)."""
        rows = (
            np.vstack([self.rows, self.place(vectors)]) if len(self.rows) else self.place(vectors)
        )
        return HintSpace(rows=rows, mean=self.mean, basis=self.basis, fitted_on=self.fitted_on)

    def stale(self, count: int) -> bool:
        """Whether `count` proposals are enough more than the fitted ones to refit."""
        if not self.centred:
            return count >= HINT_SPACE_MIN
        return count > self.fitted_on * HINT_REFIT_GROWTH + HINT_REFIT_MIN


def hint_space(
    vectors: npt.ArrayLike, texts: Sequence[str], networks: Sequence[Hashable | None]
) -> HintSpace:
    """Fit the hint space of an assembly's proposals (rows aligned with texts and networks)."""
    matrix = unit_rows(_as_matrix(vectors))
    n, dim = matrix.shape
    mean = np.zeros(dim, dtype=np.float32)
    basis = np.zeros((0, dim), dtype=np.float32)
    if n >= HINT_SPACE_MIN:
        mean = matrix.mean(axis=0)
        basis = _voice_basis(matrix - mean, _voice_networks(networks, _tfidf_rows(texts)))
    return HintSpace(rows=matrix[:0], mean=mean, basis=basis, fitted_on=n).extend(matrix)


def similar(
    query_vector: npt.ArrayLike,
    vectors: npt.ArrayLike,
    k: int = 3,
    min_similarity: float = DEFAULT_CALIBRATION.similar_min,
) -> list[tuple[int, float]]:
    """The k rows most similar to the query (cosine ≥ min_similarity), best first.

    One matrix-vector product and a partial sort: ~0.3 ms for 5,000 proposals.
    """
    matrix = _as_matrix(vectors)
    if matrix.shape[0] == 0 or k <= 0:
        return []
    query = unit_rows(_as_matrix(query_vector).reshape(1, -1))[0]
    scores = _dot(matrix, query)
    k = min(k, scores.shape[0])
    top = np.argpartition(-scores, k - 1)[:k]
    top = top[np.argsort(-scores[top], kind="stable")]
    return [(int(i), float(scores[i])) for i in top if scores[i] >= min_similarity]


# --- internals ------------------------------------------------------------------------------


def _as_matrix(vectors: npt.ArrayLike) -> FloatArray:
    matrix = np.asarray(vectors, dtype=np.float32)
    if matrix.ndim == 1:
        matrix = matrix.reshape(1, -1) if matrix.size else matrix.reshape(0, 0)
    if matrix.ndim != 2:
        raise ValueError("vectors must be a 2-D array (one row per proposal)")
    return matrix


def unit_rows(matrix: FloatArray) -> FloatArray:
    """Rows scaled to length 1; all-zero rows stay zero (no division by zero)."""
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    out: FloatArray = np.divide(matrix, norms, out=np.zeros_like(matrix), where=norms > 1e-12)
    return out


def _dot(matrix: FloatArray, vector: FloatArray) -> FloatArray:
    """matrix @ vector without BLAS: for one query the BLAS threads cost more than they save,
    and their spinning slowed the embedding model's own threads (p95 of a lookup 7 ms → 0.5 ms).
    """
    out: FloatArray = np.einsum("ij,j->i", matrix, vector)
    return out


def _fold_duplicates(
    matrix: FloatArray, texts: Sequence[str] | None
) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]:
    """First row of each distinct proposal, and for every row the index of its distinct item."""
    keys: Sequence[object]
    keys = [normalise(t) for t in texts] if texts is not None else [r.tobytes() for r in matrix]
    seen: dict[object, int] = {}
    first: list[int] = []
    item_of_row = np.empty(len(keys), dtype=np.intp)
    for row, key in enumerate(keys):
        if key not in seen:
            seen[key] = len(first)
            first.append(row)
        item_of_row[row] = seen[key]
    return np.asarray(first, dtype=np.intp), item_of_row


def _centred_unit(matrix: FloatArray) -> FloatArray:
    return unit_rows(matrix - matrix.mean(axis=0, keepdims=True))


def _voice_networks(
    networks: Sequence[Hashable | None] | None, tfidf: Any
) -> Sequence[Hashable | None] | None:
    """The networks with the ones that carry a concern of their own blanked (see
    VOICE_TOPIC_MAX): projecting out such a network's direction would delete its concern.

    Coherence is the mean centred TF-IDF cosine of a network's pairs minus that of all pairs,
    from sums of the rows (no n × n matrix: this also runs for similar-while-typing)."""
    if networks is None or tfidf is None or tfidf.shape[0] < 2:
        return networks
    mean = np.asarray(tfidf.mean(axis=0)).ravel()
    # ‖t − m‖ for unit rows t: sqrt(1 − 2 t·m + m·m) (an empty row: ‖m‖).
    lengths = np.asarray(tfidf.multiply(tfidf).sum(axis=1)).ravel()
    norms = np.sqrt(np.clip(lengths - 2 * (tfidf @ mean) + float(mean @ mean), 1e-12, None))
    weights = 1.0 / norms

    def pair_mean(inside: npt.NDArray[np.bool_]) -> float:
        m = int(inside.sum())
        total = tfidf[inside].T @ weights[inside] - mean * float(weights[inside].sum())
        return (float(total @ total) - m) / (m * (m - 1)) if m > 1 else 0.0

    average = pair_mean(np.ones(tfidf.shape[0], dtype=bool))
    topical = set()
    for network in {x for x in networks if x is not None}:
        inside = np.array([x == network for x in networks])
        if pair_mean(inside) - average > VOICE_TOPIC_MAX:
            topical.add(network)
    return [None if x in topical else x for x in networks]


def _voice_basis(centred: FloatArray, networks: Sequence[Hashable | None] | None) -> FloatArray:
    """Orthonormal rows spanning the networks' mean directions (of the given, centred rows).

    With one network or none known there is nothing to tell apart: an empty basis.
    """
    dim = centred.shape[1]
    if networks is None:
        return np.zeros((0, dim), dtype=np.float32)
    members: dict[Hashable, list[int]] = {}
    for row, network in enumerate(networks):
        if network is not None:
            members.setdefault(network, []).append(row)
    groups = [rows for rows in members.values() if len(rows) >= VOICE_MIN_MEMBERS]
    if len(groups) < 2:
        return np.zeros((0, dim), dtype=np.float32)
    means = np.stack([centred[rows].mean(axis=0) for rows in groups])
    _, singular, directions = np.linalg.svd(means, full_matrices=False)
    keep = singular > 1e-6 * max(float(singular.max()), 1e-12)
    basis: FloatArray = directions[keep].astype(np.float32)
    return basis


def _project_out(matrix: FloatArray, basis: FloatArray) -> FloatArray:
    if basis.shape[0] == 0:
        return matrix
    projected: FloatArray = matrix - (matrix @ basis.T) @ basis
    return projected


def _blend(
    embedded: FloatArray, lexical: npt.NDArray[np.float64] | None, lexical_weight: float
) -> npt.NDArray[np.float64]:
    """Cosine of the blended, centred views: (S_embedding + w² S_tfidf) / (1 + w²)."""
    semantic = _centred_unit(unit_rows(embedded))
    similarity = (semantic @ semantic.T).astype(np.float64)
    if lexical is not None:
        w2 = lexical_weight * lexical_weight
        similarity = (similarity + w2 * lexical) / (1.0 + w2)
    return similarity


def _centred_cosine(tfidf: Any) -> npt.NDArray[np.float64]:
    """Centred cosine of TF-IDF rows (the lexical view)."""
    # Centring without densifying: (t_i − m)·(t_j − m) = t_i·t_j − t_i·m − t_j·m + m·m.
    gram = (tfidf @ tfidf.T).toarray()
    mean = np.asarray(tfidf.mean(axis=0)).ravel()
    projection = tfidf @ mean
    centred = gram - projection[:, None] - projection[None, :] + float(mean @ mean)
    norms = np.sqrt(np.clip(np.diag(centred), 0.0, None))
    safe = np.where(norms > 1e-12, norms, np.inf)
    result: npt.NDArray[np.float64] = centred / safe[:, None] / safe[None, :]
    return result


def _tfidf_rows(texts: Sequence[str]) -> Any:
    """Unit rows of TF-IDF over words and character n-grams of the texts without their voice,
    fitted on this set (a scipy CSR matrix), or None when no text has a word."""
    import scipy.sparse as sp  # type: ignore[import-untyped,unused-ignore]
    from sklearn.feature_extraction.text import TfidfVectorizer  # type: ignore[import-untyped,unused-ignore]
    from sklearn.preprocessing import normalize as l2  # type: ignore[import-untyped,unused-ignore]

    topics = [without_voice(t) for t in texts]
    parts = []
    words = [tokenise(t) for t in texts]
    if any(words):
        vocabulary = TfidfVectorizer(analyzer=_identity, sublinear_tf=True, dtype=np.float32)
        parts.append(_fit_tfidf(vocabulary, words))
    if any(topics):
        chars = TfidfVectorizer(
            analyzer="char_wb", ngram_range=CHAR_NGRAMS, sublinear_tf=True, dtype=np.float32
        )
        parts.append(_fit_tfidf(chars, topics))
    if not parts:
        return None
    return l2(sp.hstack(parts).tocsr())


def _fit_tfidf(vectorizer: object, docs: Sequence[object]) -> object:
    from sklearn.feature_extraction.text import TfidfVectorizer  # type: ignore[import-untyped,unused-ignore]

    assert isinstance(vectorizer, TfidfVectorizer)
    try:
        return vectorizer.fit_transform(docs)
    except ValueError:  # empty vocabulary: every document is blank after normalisation
        import scipy.sparse as sp  # type: ignore[import-untyped,unused-ignore]

        return sp.csr_matrix((len(docs), 1))


def _identity(tokens: list[str]) -> list[str]:
    return tokens


def _smooth(similarity: npt.NDArray[np.float64], k: int) -> npt.NDArray[np.float64]:
    """Similarity after replacing each item x_i by x_i + mean of its k nearest neighbours.

    Done on the similarity matrix (S' = M S Mᵀ with a sparse M), so the high-dimensional
    vectors are never rebuilt.
    """
    import scipy.sparse as sp  # type: ignore[import-untyped,unused-ignore]

    n = similarity.shape[0]
    k = min(k, n - 1)
    if k < 1:
        return similarity
    ranked = similarity.copy()
    np.fill_diagonal(ranked, -np.inf)
    neighbours = np.argpartition(-ranked, k - 1, axis=1)[:, :k]
    rows = np.concatenate([np.arange(n), np.repeat(np.arange(n), k)])
    cols = np.concatenate([np.arange(n), neighbours.ravel()])
    weights = np.concatenate([np.ones(n), np.full(n * k, 1.0 / k)])
    mixing = sp.csr_matrix((weights, (rows, cols)), shape=(n, n))
    half = mixing @ similarity  # M S
    smoothed = np.asarray((mixing @ half.T).T)  # M S Mᵀ, S symmetric
    norms = np.sqrt(np.clip(np.diag(smoothed), 0.0, None))
    safe = np.where(norms > 1e-12, norms, np.inf)
    result: npt.NDArray[np.float64] = smoothed / safe[:, None] / safe[None, :]
    return result


def _cut(similarity: npt.NDArray[np.float64], n_clusters: int) -> npt.NDArray[np.intp]:
    """Average-linkage tree on 1 − similarity, cut at a count."""
    from scipy.cluster.hierarchy import cut_tree, linkage  # type: ignore[import-untyped,unused-ignore]

    n = similarity.shape[0]
    if n == 1:
        return np.zeros(1, dtype=np.intp)
    distance = np.clip(1.0 - similarity, 0.0, 2.0)
    condensed = distance[np.triu_indices(n, k=1)]
    tree = linkage(condensed, method="average")
    labels = cut_tree(tree, n_clusters=min(n_clusters, n)).ravel()
    return np.asarray(labels, dtype=np.intp)


def _resolution(base: float, granularity: float, n: int) -> float:
    """The resolution for n distinct proposals: `base` from RESOLUTION_FULL_AT proposals up,
    lower below (a handful of proposals is not shattered into singletons), times the
    granularity factor."""
    size = min(1.0, n / RESOLUTION_FULL_AT) ** RESOLUTION_SIZE_POWER
    return max(0.5, base * size) * GRANULARITY_FACTOR**granularity


def _knn_graph(similarity: npt.NDArray[np.float64], k: int) -> object:
    """Symmetric k-nearest-neighbour graph, weighted by the (positive part of) similarity."""
    import scipy.sparse as sp  # type: ignore[import-untyped,unused-ignore]

    n = similarity.shape[0]
    ranked = similarity.copy()
    np.fill_diagonal(ranked, -np.inf)
    neighbours = np.argpartition(-ranked, k - 1, axis=1)[:, :k]
    rows = np.repeat(np.arange(n), k)
    cols = neighbours.ravel()
    weights = np.clip(similarity[rows, cols], 1e-6, None)
    graph = sp.csr_matrix((weights, (rows, cols)), shape=(n, n))
    return graph.maximum(graph.T).tocsr()


def _louvain(graph: object, resolution: float, seed: int) -> npt.NDArray[np.intp]:
    """One seeded Louvain run (scikit-network's Leiden draws from numpy's global random state
    in its refinement, so the same proposals could give different groups: Louvain does not)."""
    from sknetwork.clustering import Louvain  # type: ignore[import-untyped,unused-ignore]

    model = Louvain(
        resolution=resolution,
        shuffle_nodes=True,
        random_state=seed,
        return_probs=False,
        return_aggregate=False,
    )
    return np.asarray(model.fit_predict(graph), dtype=np.intp)


def _communities(similarity: npt.NDArray[np.float64], resolution: float) -> npt.NDArray[np.intp]:
    """Consensus of seeded Louvain runs on the k-NN graph: an edge is kept (weighted by how often
    its ends shared a community) when at least half the runs agreed, then clustered once more.
    Seeds are fixed, so the same proposals always give the same groups."""
    import scipy.sparse as sp  # type: ignore[import-untyped,unused-ignore]

    n = similarity.shape[0]
    if n <= 2:
        return np.zeros(n, dtype=np.intp) if n < 2 or similarity[0, 1] > 0 else np.arange(n)
    graph = _knn_graph(similarity, min(GRAPH_NEIGHBOURS, n - 1))
    runs = [_louvain(graph, resolution, seed) for seed in range(CONSENSUS_RUNS)]
    edges = sp.coo_matrix(graph)
    agreement = np.mean([labels[edges.row] == labels[edges.col] for labels in runs], axis=0)
    keep = agreement >= CONSENSUS_AGREEMENT
    consensus = sp.csr_matrix(
        (edges.data[keep] * agreement[keep], (edges.row[keep], edges.col[keep])), shape=(n, n)
    )
    return _louvain(consensus, resolution, 0)


def _describe(
    labels: npt.NDArray[np.intp],
    similarity: npt.NDArray[np.float64],
    item_of_row: npt.NDArray[np.intp],
    texts: Sequence[str] | None,
) -> Clustering:
    """Order groups by size (then first row) and give each a title and key terms."""
    groups: dict[int, list[int]] = {}
    for row, label in enumerate(labels.tolist()):
        groups.setdefault(label, []).append(row)
    ordered = sorted(groups.values(), key=lambda rows: (-len(rows), rows[0]))
    terms = _key_terms(ordered, texts) if texts is not None else [() for _ in ordered]
    clusters: list[Cluster] = []
    final = np.empty(len(labels), dtype=np.intp)
    for index, rows in enumerate(ordered):
        final[rows] = index
        items = item_of_row[rows]
        within = similarity[np.ix_(items, items)].mean(axis=1)
        central = [rows[i] for i in np.argsort(-within, kind="stable")]
        representative, heading = (
            _title(central, texts, terms[index]) if texts is not None else (central[0], "")
        )
        clusters.append(
            Cluster(
                members=tuple(rows),
                title=heading,
                terms=terms[index],
                representative=representative,
            )
        )
    return Clustering(clusters=tuple(clusters), labels=tuple(int(x) for x in final))


def _title(central: list[int], texts: Sequence[str], terms: Sequence[str]) -> tuple[int, str]:
    """The representative row and its title. Among the most central members: a title that is
    whole (not cut), not too short and not a personal account (ผม…, อาตมา…), that names the
    group's key terms, in the shortest band of length; the most central of those. The single
    most central member is often a long sentence about two things, the shortest one often too
    vague ("อายุครบสิบเจ็ดแล้ว")."""
    count = max(TITLE_CANDIDATES, math.ceil(len(central) / 4))
    options = []
    for rank, row in enumerate(central[:count]):
        heading = title(texts[row], TITLE_CHARS)
        words = set(tokenise(heading))
        named = sum(term in words for term in terms)
        fit = (heading.endswith("…"), len(heading) < TITLE_MIN_CHARS, speaks(heading))
        options.append(((*fit, -named, len(heading) // TITLE_BAND_CHARS, rank), row, heading))
    _, row, heading = min(options)
    return row, heading


def _key_terms(groups: list[list[int]], texts: Sequence[str]) -> list[tuple[str, ...]]:
    """Top class-based TF-IDF words per group: frequent in the group, rare in the others.

    c-TF-IDF (BERTopic): tf = count in group / words in group; idf = log(1 + A / f), A the
    average number of words per group and f the word's count over all groups.
    """
    counts = [
        Counter(w for row in rows for w in dict.fromkeys(tokenise(texts[row]))) for rows in groups
    ]
    total: Counter[str] = Counter()
    for c in counts:
        total.update(c)
    average = sum(total.values()) / max(len(groups), 1)
    out: list[tuple[str, ...]] = []
    for rows, c in zip(groups, counts, strict=True):
        size = max(sum(c.values()), 1)
        scored = sorted(
            ((n / size) * math.log(1.0 + average / total[w]), w)
            for w, n in c.items()
            if w not in TERM_FILLERS
        )
        scored.sort(key=lambda pair: (-pair[0], pair[1]))
        # In a group of several, a word used by one member only is that member's (or a typo),
        # not the group's; only when no word is shared do single uses stand in.
        shared = [w for _, w in scored if c[w] >= 2] if len(rows) > 1 else []
        out.append(tuple((shared or [w for _, w in scored])[:KEY_TERMS]))
    return out
