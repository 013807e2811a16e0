"""Pure pieces of the review step: the CLI's clustering of rows, reading files, `has_words`."""

from __future__ import annotations

import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from deliberation.cli import NO_TEXT_TITLE, cluster_texts, progress_bar, write
from deliberation.tabular import UnreadableFile, detect_encoding, read_csv, read_table
from deliberation.thai import has_words

WORDS = ["หมวกกันน็อก", "งบประมาณ", "ร้านค้า", "ซื่อสัตย์", "โรงเรียน", "ชุมชน", "จิตอาสา"]
ROW = st.one_of(
    st.lists(st.sampled_from(WORDS), min_size=1, max_size=4).map(" ".join),
    st.sampled_from(["", "😀😀", "123", "!!!", "   "]),
)


@settings(max_examples=15, deadline=None)
@given(texts=st.lists(ROW, min_size=1, max_size=25), count=st.none() | st.integers(1, 6))
def test_every_row_lands_in_exactly_one_cluster(texts: list[str], count: int | None) -> None:
    clusters = cluster_texts(texts, n_clusters=count)["clusters"]
    members = sorted(m for c in clusters for m in c["members"])
    assert members == list(range(len(texts)))
    wordless = [i for i, t in enumerate(texts) if not has_words(t)]
    if wordless:
        assert {"title": NO_TEXT_TITLE, "terms": [], "members": wordless} in clusters


def test_csv_output_has_one_line_per_row() -> None:
    out = io.StringIO()
    write({"clusters": [{"title": "ก", "terms": ["x"], "members": [1, 0]}]}, "csv", out)
    assert out.getvalue().splitlines() == ["row,cluster,title,terms", "0,0,ก,x", "1,0,ก,x"]


def test_progress_bar_stays_quiet_for_short_runs() -> None:
    out = io.StringIO()
    show = progress_bar(out)
    show(10, 10)
    assert out.getvalue() == ""
    show(500, 1000)
    show(1000, 1000)
    assert out.getvalue().endswith("1000/1000\n")


def test_encodings_are_detected_and_noise_is_refused() -> None:
    text = "ข้อเสนอ\nใส่หมวกกันน็อก\n"
    assert detect_encoding(text.encode("cp874")) == "cp874"
    assert detect_encoding(text.encode("utf-16")) == "utf-16"
    assert detect_encoding(b"\xef\xbb\xbf" + text.encode()) == "utf-8-sig"
    assert read_csv(text.encode("utf-16")).rows == (("ใส่หมวกกันน็อก",),)
    with pytest.raises(UnreadableFile):
        read_csv(b"\x00\x01\x02" * 100)
    with pytest.raises(UnreadableFile):
        read_table(b"PK\x03\x04broken", "x.xlsx")


def test_has_words_needs_a_thai_or_latin_letter() -> None:
    assert has_words("ใส่หมวก 😀")
    assert has_words("Helmet 100%")
    assert not has_words("😀😀 123 ๑๒๓ !!!")
    assert not has_words("")
