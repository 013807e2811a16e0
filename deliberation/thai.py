"""Thai text as typed on phones: cleaned for storage, normalised and tokenised for matching."""

from __future__ import annotations

import functools
import re
import threading
import unicodedata
from importlib import resources
from typing import TYPE_CHECKING

from assembly.text import clean_text

if TYPE_CHECKING:
    from pythainlp.util import Trie

# --- Matching: normalise and tokenise -------------------------------------------------------
# Everything below serves matching (clustering, similar-while-typing), never storage: what it
# returns may drop characters a person typed on purpose.

_DOMAIN_WORDS_FILE = "domain_words.txt"
# Thai digits ๐–๙ become Arabic so "๑๐๐%" and "100%" match; NFKC would do it but also rewrites
# other characters, so the mapping is explicit.
_THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
# Pictographs, dingbats, arrows/symbols blocks, regional indicators, variation selectors, keycap,
# tag characters: they carry mood, not topic, and the tokeniser splits them into noise.
_EMOJI = re.compile(
    "[\U0001f000-\U0001faff\u2300-\u23ff\u2600-\u27bf\u2b00-\u2bff\ufe0e\ufe0f\u20e3"
    "\U000e0020-\U000e007f]+"
)
# ๆ (mai yamok) repeats the previous word: "เด็กๆ" means "the children"; the repetition adds
# nothing for matching, so it is dropped with the space that may precede it.
_MAI_YAMOK = re.compile(r"\s*ๆ+")
# A Thai letter typed three or more times in a row is emphasis (มากกกก, เลยยย, นะะะ): no Thai
# word has a letter three times running, so the run becomes one letter.
_THAI_RUN = re.compile(r"([\u0e01-\u0e4e])\1{2,}")
# Latin: three or more becomes two (sooo → soo, but "good" and "see" survive).
_LATIN_RUN = re.compile(r"([a-z])\1{2,}")
# Punctuation runs (!!!!, ????, ....) become one mark.
_PUNCT_RUN = re.compile(r"([!?.,~\-_*=+])\1+")
_WHITESPACE = re.compile(r"\s+")
# PyThaiNLP's normalisation can need a second pass on garbled mark sequences (a mark stack after
# a digit); repeating until nothing changes makes normalise idempotent.
_NORMALISE_PASSES = 4
# A token counts for matching only if it has a Thai or Latin letter: digits, punctuation and
# stray marks say nothing about the topic.
_HAS_LETTER = re.compile(r"[\u0e01-\u0e2e\u0e30-\u0e3a\u0e40-\u0e4ea-z]")

_tokeniser_lock = threading.Lock()
_trie: Trie | None = None
_stopwords: frozenset[str] | None = None


def normalise(text: str) -> str:
    """Return text folded for matching, so spelling variants typed on phones compare equal.

    NFC (never NFKC), invisible characters out, URLs and emoji out, Thai digits to Arabic,
    PyThaiNLP's normalisation (doubled vowels like เเ → แ, repeated or dangling marks), ๆ dropped,
    emphasis runs collapsed (มากกกก → มาก), Latin lowercased, whitespace folded. Cached: the
    same proposals are normalised again at every re-clustering.
    """
    return _normalise_cached(text)


@functools.lru_cache(maxsize=20_000)
def _normalise_cached(text: str) -> str:
    from pythainlp.util import normalize as thai_normalize

    text = clean_text(text)
    text = _URL.sub(" ", text)
    text = _EMOJI.sub(" ", text)
    text = text.translate(_THAI_DIGITS).replace("#", " ").lower()
    text = _MAI_YAMOK.sub("", text)  # before PyThaiNLP, which drops marks it leaves dangling
    text = _WHITESPACE.sub(" ", text)  # PyThaiNLP only removes spaces before marks
    for _ in range(_NORMALISE_PASSES):
        previous, text = text, thai_normalize(text)
        if text == previous:
            break
    text = _THAI_RUN.sub(r"\1", text)
    text = _LATIN_RUN.sub(r"\1\1", text)
    text = _PUNCT_RUN.sub(r"\1", text)
    return _WHITESPACE.sub(" ", text).strip()


def tokenise(text: str, *, keep_stopwords: bool = False) -> list[str]:
    """Return the words of normalised text (PyThaiNLP newmm + domain dictionary), without
    whitespace, punctuation, numbers and, unless asked, Thai stopwords.

    Results are cached, because re-clustering tokenises the same proposals again and again.
    """
    return list(_tokenise_cached(text, keep_stopwords))


def shorten(text: str, limit: int = 60) -> str:
    """Return cleaned text cut at a word boundary to at most about `limit` characters, with an
    ellipsis when cut: Thai has no spaces between words, so a plain slice would cut mid-word."""
    text = _WHITESPACE.sub(" ", clean_text(text))
    if len(text) <= limit:
        return text
    from pythainlp.tokenize import word_tokenize

    out = ""
    for word in word_tokenize(text, custom_dict=_dictionary(), engine="newmm"):
        if len(out) + len(word) > limit:
            break
        out += word
    # A single very long "word" (a URL, a run of letters) leaves nothing: fall back to a slice.
    out = out.rstrip() or text[:limit]
    return out + "…"


@functools.lru_cache(maxsize=20_000)
def _tokenise_cached(text: str, keep_stopwords: bool) -> tuple[str, ...]:
    from pythainlp.tokenize import word_tokenize

    normalised = normalise(text)
    if not normalised:
        return ()
    stop = frozenset() if keep_stopwords else _thai_stopwords()
    words = word_tokenize(normalised, custom_dict=_dictionary(), engine="newmm")
    return tuple(
        word
        for word in (w.strip() for w in words)
        if len(word) > 1 and word not in stop and _HAS_LETTER.search(word)
    )


def _dictionary() -> Trie:
    """PyThaiNLP's default words plus the domain words, built once (it takes ~0.3 s)."""
    global _trie
    with _tokeniser_lock:
        if _trie is None:
            from pythainlp.corpus import thai_words
            from pythainlp.util import dict_trie

            _trie = dict_trie(set(thai_words()) | domain_words())
        return _trie


def _thai_stopwords() -> frozenset[str]:
    global _stopwords
    with _tokeniser_lock:
        if _stopwords is None:
            from pythainlp.corpus import thai_stopwords

            _stopwords = frozenset(thai_stopwords())
        return _stopwords


@functools.cache
def domain_words() -> frozenset[str]:
    """The civic vocabulary shipped in deliberation/data/domain_words.txt."""
    lines = (
        resources.files("deliberation.data")
        .joinpath(_DOMAIN_WORDS_FILE)
        .read_text(encoding="utf-8")
        .splitlines()
    )
    return frozenset(
        unicodedata.normalize("NFC", s)
        for s in (line.strip() for line in lines)
        if s and not s.startswith("#")
    )


def has_words(text: str) -> bool:
    """Whether text has a Thai or Latin letter once normalised: rows of only emoji, digits or
    symbols say nothing a facilitator could group."""
    return bool(_HAS_LETTER.search(normalise(text)))
