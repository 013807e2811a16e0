"""Charts are well-formed SVG or real PNG, write the track in words, escape what people typed."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from followup.charts import (
    PNG_HEIGHT,
    PNG_WIDTH,
    bullet_chart,
    format_value,
    indicator_chart,
    indicator_png,
    short_date,
    thai_font_path,
)
from followup.progress import (
    IndicatorInput,
    IndicatorProgress,
    Measurement,
    ProgressBoard,
    Track,
    default_rounds,
    indicator_progress,
)

SVG = "{http://www.w3.org/2000/svg}"
HOSTILE = 'ครัวเรือน <script>alert("x")</script> & "คุณธรรม"'


def texts(svg: str) -> str:
    root = ET.fromstring(svg)
    return " ".join(t.strip() for t in root.itertext())


def progress_of(
    baseline: str, target: str, values: tuple[str, ...] = (), name: str = "ตัวชี้วัด"
) -> IndicatorProgress:
    measurements = tuple(
        Measurement(n, dt.date(2026, 10, 1) + dt.timedelta(days=90 * n), v, "", "", HOSTILE, n == 2)
        for n, v in enumerate(values, start=1)
    )
    ind = IndicatorInput(1, 1, name, "คน", baseline, target, None, "อบจ.", "", measurements)
    return indicator_progress(
        ind, started_on=dt.date(2026, 10, 1), fiscal_year=2570, today=dt.date(2027, 5, 1)
    )


def test_every_indicator_of_the_board_draws_well_formed_svg(board: ProgressBoard) -> None:
    for item in board.items:
        for ind in item.indicators:
            for svg in (indicator_chart(ind, board.rounds, today=board.today), bullet_chart(ind)):
                root = ET.fromstring(svg)
                assert root.tag == f"{SVG}svg"
                assert root.get("role") == "img"
                assert ind.track.label in (root.get("aria-label") or "")


def test_the_line_chart_writes_values_track_target_and_rounds(board: ProgressBoard) -> None:
    households = board.items[0].indicators[0]
    words = texts(indicator_chart(households, board.rounds, today=board.today))
    for expected in ("65", "70", "เป้าหมาย 80", "ค่าฐาน 60", "ตามแผน", "ไตรมาสที่ 1", "15 ม.ค. 70"):
        assert expected in words
    root = ET.fromstring(indicator_chart(households, board.rounds))
    assert len(root.findall(f"{SVG}circle")) == 2
    assert root.find(f"{SVG}polyline") is not None
    dashed = [line for line in root.iter(f"{SVG}line") if line.get("stroke-dasharray")]
    assert dashed  # the expected path


def test_thai_numerals_on_request(board: ProgressBoard) -> None:
    words = texts(indicator_chart(board.items[0].indicators[0], board.rounds, thai_numerals=True))
    assert "๗๐" in words
    assert "ไตรมาสที่ ๑" in words  # a round's label too
    assert "70" not in words


def test_typed_text_is_escaped_everywhere() -> None:
    ind = progress_of("10", "20", ("12", "15"), name=HOSTILE)
    for svg in (indicator_chart(ind, default_rounds(2570)), bullet_chart(ind)):
        assert "<script>" not in svg
        root = ET.fromstring(svg)  # would fail on an unescaped "<" or "&"
        assert not list(root.iter(f"{SVG}script"))
        assert "<script>" in (root.findtext(f"{SVG}title") or "")  # readable, not executable


def test_a_falling_target_bullet_grows_to_the_right() -> None:
    ind = progress_of("20", "10", ("15",))
    root = ET.fromstring(bullet_chart(ind))
    grey, measured = root.findall(f"{SVG}rect")
    assert float(measured.get("x") or 0) == pytest.approx(float(grey.get("x") or 0))
    assert float(measured.get("width") or 0) == pytest.approx(float(grey.get("width") or 0) / 2)


@pytest.mark.parametrize(
    ("baseline", "target", "values", "track"),
    [
        ("ดี", "ดีมาก", ("ดีขึ้น",), Track.NOT_MEASURABLE),
        ("10", "20", (), Track.NO_DATA),
        ("10", "20", ("รอข้อมูล",), Track.NO_DATA),
    ],
)
def test_charts_without_numbers_still_say_why(
    baseline: str, target: str, values: tuple[str, ...], track: Track
) -> None:
    ind = progress_of(baseline, target, values)
    assert ind.track is track
    assert track.label in texts(indicator_chart(ind))
    bullet = texts(bullet_chart(ind))
    assert track.label in bullet or (values and values[-1] in bullet)


@settings(max_examples=40, deadline=None)
@given(
    baseline=st.integers(-(10**6), 10**6),
    target=st.integers(-(10**6), 10**6),
    values=st.lists(st.integers(-(10**7), 10**7), max_size=5),
)
def test_any_numbers_draw_well_formed_charts(baseline: int, target: int, values: list[int]) -> None:
    ind = progress_of(str(baseline), str(target), tuple(map(str, values)))
    for svg in (indicator_chart(ind, default_rounds(2570)), bullet_chart(ind)):
        assert "nan" not in svg.lower()
        ET.fromstring(svg)


def test_the_png_is_a_picture_of_the_chart(board: ProgressBoard) -> None:
    png = indicator_png(board.items[0].indicators[0], board.rounds)
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG"
    assert image.size == (PNG_WIDTH, PNG_HEIGHT)
    colours = {colour for _, colour in image.convert("RGB").getcolors(100_000) or []}
    assert (15, 118, 110) in colours  # the measured line's colour is drawn


def test_the_png_is_drawn_without_any_installed_font(board: ProgressBoard) -> None:
    for ind in (i for item in board.items for i in item.indicators):
        png = indicator_png(ind, board.rounds, use_installed_font=False)
        assert Image.open(io.BytesIO(png)).size == (PNG_WIDTH, PNG_HEIGHT)


def test_a_font_folder_without_thai_fonts_finds_none(tmp_path: Path) -> None:
    (tmp_path / "DejaVuSans.ttf").write_bytes(b"")
    assert thai_font_path(tmp_path) is None
    assert thai_font_path(tmp_path / "missing") is None


def test_a_broken_font_file_falls_back_to_pillow_s_font(
    tmp_path: Path, board: ProgressBoard
) -> None:
    broken = tmp_path / "Garuda.ttf"
    broken.write_bytes(b"not a font")
    ind = dataclasses.replace(board.items[0].indicators[0])
    assert Image.open(io.BytesIO(indicator_png(ind, font_path=broken))).format == "PNG"


def test_numbers_and_dates_as_the_board_writes_them() -> None:
    assert format_value(1250) == "1,250"
    assert format_value(62.5) == "62.5"
    assert format_value(1250, thai_numerals=True) == "๑,๒๕๐"
    assert short_date(dt.date(2027, 1, 15)) == "15 ม.ค. 70"


def test_control_characters_are_dropped_from_the_svg() -> None:
    ind = progress_of("10", "20", ("12",), name="ตัว\x00ชี้\x1bวัด")
    for svg in (indicator_chart(ind), bullet_chart(ind)):
        assert "ตัวชี้วัด" in (ET.fromstring(svg).findtext(f"{SVG}title") or "")


def test_a_lone_surrogate_and_noncharacters_are_dropped_from_the_svg() -> None:
    """A lone surrogate (a broken emoji pasted on a phone) cannot even be encoded as UTF-8;
    U+FFFE and U+FFFF are no XML: the SVG drops them as the agenda document does."""
    ind = progress_of("10", "20", ("12",), name="ตัว\ud83dชี้\uffffวัด\ufffe")
    for svg in (indicator_chart(ind), bullet_chart(ind)):
        root = ET.fromstring(svg.encode("utf-8"))
        assert "ตัวชี้วัด" in (root.findtext(f"{SVG}title") or "")
