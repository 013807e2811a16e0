"""Thai normalisation and tokenisation on the edge cases phones produce."""

from __future__ import annotations

import time

from hypothesis import given
from hypothesis import strategies as st

from assembly.text import clean_text
from deliberation.thai import domain_words, normalise, shorten, tokenise

THAI_TEXT = st.text(
    alphabet=st.sampled_from(
        [
            *list("กขคงจมยรลวสหอะาิีึืุูเแโใไ่้๊๋็์ๆ๑๒๓ "),
            "\u200b",
            "😀",
            "🙏",
            "🏽",
            "a",
            "A",
            "1",
            "#",
            "!",
            "\n",
        ]
    ),
    max_size=60,
)


def test_clean_text_keeps_thai_digits_and_drops_invisible_characters() -> None:
    assert clean_text("  ๑๒๓\u200b  ข้อเสนอ \r\n") == "๑๒๓ ข้อเสนอ"


def test_normalise_turns_thai_digits_into_arabic() -> None:
    assert normalise("รณรงค์สวมหมวก ๑๐๐%") == "รณรงค์สวมหมวก 100%"


def test_normalise_of_digits_only_keeps_the_number() -> None:
    assert normalise("๑๒๓") == "123"
    assert tokenise("๑๒๓ 456") == []


def test_normalise_collapses_emphasis_runs() -> None:
    assert normalise("ดีมากกกก") == "ดีมาก"
    assert normalise("ชอบเลยยย") == "ชอบเลย"
    assert normalise("นะะะะ") == "นะ"
    assert normalise("soooo GOOD!!!!") == "soo good!"


def test_normalise_keeps_a_legitimate_double_letter() -> None:
    assert normalise("เคารพกฎจราจร") == "เคารพกฎจราจร"
    assert normalise("good") == "good"


def test_normalise_drops_mai_yamok_so_variants_match() -> None:
    assert normalise("เด็กๆ") == normalise("เด็ก ๆ") == "เด็ก"
    assert normalise("ช่วยกันดีๆ นะ") == "ช่วยกันดี นะ"


def test_ten_thousand_mai_yamok_are_handled_quickly() -> None:
    started = time.perf_counter()
    assert normalise("ๆ" * 10_000) == ""
    assert tokenise("ดี" + "ๆ" * 10_000) == ["ดี"]
    assert time.perf_counter() - started < 1.0


def test_normalise_fixes_duplicate_and_dangling_combining_marks() -> None:
    assert normalise("กี่่่") == "กี่"
    assert normalise("\u0e48\u0e49ก") == "ก"
    assert normalise("เเยกขยะ") == "แยกขยะ"


def test_normalise_is_nfc_never_nfkc() -> None:
    decomposed = "e\u0301"  # é as e + combining acute
    assert normalise(decomposed) == "\u00e9"
    assert normalise("ｆｕｌｌ") == "ｆｕｌｌ"  # NFKC would rewrite full-width letters


def test_normalise_removes_zero_width_characters() -> None:
    assert normalise("จิต\u200bอาสา\u200d\ufeff") == "จิตอาสา"
    assert tokenise("จิต\u200bอาสา") == ["จิตอาสา"]


def test_emoji_only_and_empty_text_normalise_to_nothing() -> None:
    assert normalise("🙏🙏👍🏽❤️") == ""
    assert normalise("") == ""
    assert normalise("   \n ") == ""
    assert tokenise("🙏🙏") == []
    assert tokenise("") == []


def test_normalise_drops_urls_and_hashtag_signs_and_lowercases_latin() -> None:
    text = "ดูที่ https://example.org/a?b=1 และ www.example.org #TikTok LINE"
    assert normalise(text) == "ดูที่ และ tiktok line"


def test_tokenise_keeps_domain_words_whole() -> None:
    tokens = tokenise("สมัชชาคุณธรรมชวนเยาวชนจิตอาสา ร่วมกับ อบต. และ รพ.สต.")
    for word in ("สมัชชาคุณธรรม", "จิตอาสา", "อบต.", "รพ.สต."):
        assert word in tokens


def test_tokenise_drops_stopwords_punctuation_and_numbers_unless_asked() -> None:
    tokens = tokenise("และ ของ 100 !! ขยะ")
    assert tokens == ["ขยะ"]
    assert "และ" in tokenise("และ ของ ขยะ", keep_stopwords=True)


def test_spelling_variants_tokenise_alike() -> None:
    assert tokenise("ดีมากกกก ๆ 😀") == tokenise("ดีมาก")


def test_domain_words_are_clean_nfc_entries() -> None:
    words = domain_words()
    assert "จิตอาสา" in words
    assert all(w == w.strip() and w and not w.startswith("#") for w in words)


def test_shorten_cuts_at_a_word_boundary_with_an_ellipsis() -> None:
    text = "ธนาคารและสหกรณ์ช่วยสอนวางแผนการเงินให้ชาวบ้าน ปรับโครงสร้างหนี้ และสอนทำบัญชีครัวเรือน"
    short = shorten(text, 40)
    assert short.endswith("…")
    body = short[:-1]
    assert len(body) <= 40
    assert text.startswith(body)
    assert shorten("สั้นๆ", 40) == "สั้นๆ"


def test_shorten_never_returns_an_empty_title_for_one_long_word() -> None:
    assert shorten("ก" * 200, 10) == "ก" * 10 + "…"


@given(THAI_TEXT)
def test_normalise_never_leaves_invisible_characters_or_thai_digits(text: str) -> None:
    out = normalise(text)
    assert "\u200b" not in out
    assert not any(ch in out for ch in "๐๑๒๓๔๕๖๗๘๙ๆ")
    assert out == out.strip()


@given(THAI_TEXT)
def test_normalise_is_idempotent(text: str) -> None:
    once = normalise(text)
    assert normalise(once) == once


@given(THAI_TEXT)
def test_tokens_are_non_empty_words(text: str) -> None:
    for token in tokenise(text):
        assert token
        assert token == token.strip()
