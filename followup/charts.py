"""Indicator charts drawn on the server: SVG for the board, PNG for the quarterly DOCX.

Pure functions from an `IndicatorProgress` to text or bytes, no chart library (like
voting/charts.py). Made to survive a black-and-white printer and a dim projector: black text,
grey for the plan (the dashed straight path and the target line), one colour for what was
measured, every measured value written next to its point, and the track written out in words,
never shown by colour alone. Everything typed by people is escaped.

The PNG is the same line chart drawn with Pillow, for Word (which cannot show SVG everywhere).
It carries numbers and shapes; the Thai caption goes in the DOCX itself, where the document font
shapes it properly. A Thai TrueType font found under /usr/share/fonts is used for the few Thai
labels; without one, Pillow's own font and ASCII labels: a missing font never fails a report.
"""

from __future__ import annotations

import datetime as dt
import functools
import html
import io
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from assembly.thai_format import THAI_MONTHS_SHORT, buddhist_year, thai_digits
from deliberation.agenda.document import clean_text
from followup.progress import IndicatorProgress, Round, Track, progress_share

WIDTH = 1000
HEIGHT = 480
FONT = 22  # readable on a projector when the chart is half a screen wide
SMALL = 18
MARGIN_LEFT = 110  # room for the value axis labels ("1,200,000")
MARGIN_RIGHT = 40
MARGIN_TOP = 70  # the name and the track, written
MARGIN_BOTTOM = 84  # two lines of round labels: the round and its due date
TEXT_COLOR = "#0f172a"
PLAN_COLOR = "#6b7280"  # grey: the plan (path and target) prints as grey on any printer
GRID_COLOR = "#d1d5db"
MEASURED_COLOR = "#0f766e"  # the interface's one colour: what was measured
FONT_FAMILY = "Sarabun, 'Noto Sans Thai', Tahoma, sans-serif"
MAX_NAME_CHARS = 60  # longer names are cut with "…" (the full name is in the <title>)
VALUE_PADDING = 0.12  # room above and below the values so labels stay inside the plot

BULLET_WIDTH = 480
BULLET_HEIGHT = 56
BULLET_BAR = 18
BULLET_LABEL_WIDTH = 170  # the latest value and the track, written right of the scale
# The bullet is drawn in progress space (baseline at the left, target at the right), so a
# falling target reads left-to-right like a rising one; this much room on either side shows
# a value that went backwards or past the target.
BULLET_BEFORE = 0.15
BULLET_AFTER = 0.15

# PNG: 15 cm wide in the DOCX at about 200 dpi, sharp on paper; more pixels only slowed the
# report (PNG encoding is most of a chart's time: 1600 px wide took twice as long as 1200).
PNG_WIDTH = 1200
PNG_HEIGHT = 570
PNG_SCALE = PNG_WIDTH / WIDTH  # line widths and dashes follow the SVG's, scaled
# Larger than the SVG's text times PNG_SCALE: shrunk to 15 cm, 27 px is about 10 pt, the
# smallest size still easy to read on paper.
PNG_FONT = 32
PNG_SMALL = 27
PNG_TINY = 21  # due dates of eight or more rounds, which would touch at PNG_SMALL
PNG_BOX = (150.0, PNG_WIDTH - 38.0, 90.0, PNG_HEIGHT - 2.6 * PNG_SMALL - 22.0)
# Thai fonts in order of preference (file name stems, case-insensitive): the document font's
# family first, then the TLWG fonts that Debian/Ubuntu ship in fonts-thai-tlwg.
THAI_FONT_STEMS = ("thsarabunnew", "sarabun-regular", "notosansthai-regular", "garuda", "loma")
FONT_DIRECTORY = Path("/usr/share/fonts")


def escape(text: str) -> str:
    """Text made safe inside SVG markup: the characters XML 1.0 forbids even escaped dropped
    (the agenda document's `clean_text`: one pasted into a name would break the whole SVG),
    the rest escaped."""
    return html.escape(clean_text(text))


@dataclass(frozen=True)
class _Frame:
    """Maps dates and values to chart coordinates."""

    first: dt.date
    last: dt.date
    low: float
    high: float
    left: float
    right: float
    top: float
    bottom: float

    def x(self, day: dt.date) -> float:
        span = max(1, (self.last - self.first).days)
        return self.left + (day - self.first).days / span * (self.right - self.left)

    def y(self, value: float) -> float:
        span = self.high - self.low or 1.0
        return self.bottom - (value - self.low) / span * (self.bottom - self.top)


def _frame(
    ind: IndicatorProgress,
    box: tuple[float, float, float, float] = (
        MARGIN_LEFT,
        WIDTH - MARGIN_RIGHT,
        MARGIN_TOP,
        HEIGHT - MARGIN_BOTTOM,
    ),
) -> _Frame:
    """The plot's frame inside `box` (left, right, top, bottom), spanning the path's dates and
    every value with some room."""
    dates = [ind.starts_on, ind.ends_on, *(p.measured_on for p in ind.points)]
    values = [v for v in (ind.baseline, ind.target) if v is not None]
    values += [p.value for p in ind.points]
    low, high = (min(values), max(values)) if values else (0.0, 1.0)
    pad = (high - low) * VALUE_PADDING or max(1.0, abs(high) * VALUE_PADDING)
    return _Frame(
        first=min(dates),
        last=max(dates),
        low=low - pad,
        high=high + pad,
        left=box[0],
        right=box[1],
        top=box[2],
        bottom=box[3],
    )


def format_value(value: float, *, thai_numerals: bool = False) -> str:
    """A value as the board writes it: grouped, at most one decimal ("1,250", "62.5")."""
    text = f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"
    return thai_digits(text) if thai_numerals else text


def short_date(day: dt.date, *, thai_numerals: bool = False) -> str:
    """ "15 ม.ค. 70": a round's due date under the axis (two-digit พ.ศ. year, as tables do)."""
    text = f"{day.day} {THAI_MONTHS_SHORT[day.month - 1]} {buddhist_year(day) % 100:02d}"
    return thai_digits(text) if thai_numerals else text


def _cut(text: str, limit: int = MAX_NAME_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def track_sentence(ind: IndicatorProgress) -> str:
    """The track in words, with the numbers behind it: "ตามแผน (ทำได้ 50% ควรได้ 50%)"."""
    label = ind.track.label
    if ind.progress is None or ind.expected is None:
        return label
    return f"{label} (ทำได้ {ind.progress:.0%} ควรได้ {ind.expected:.0%})"


def _svg(width: int, height: int, title: str, body: Sequence[str]) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'role="img" aria-label="{escape(title)}" font-family="{escape(FONT_FAMILY)}" '
        f'font-size="{FONT}" fill="{TEXT_COLOR}"><title>{escape(title)}</title>'
        + "".join(body)
        + "</svg>"
    )


def _rounds_in(rounds: Sequence[Round], frame: _Frame) -> list[Round]:
    return [r for r in rounds if frame.first <= r.due <= frame.last]


def indicator_chart(
    ind: IndicatorProgress,
    rounds: Sequence[Round] = (),
    *,
    today: dt.date | None = None,
    thai_numerals: bool = False,
) -> str:
    """The indicator over the year: the dashed straight path from baseline to target, the
    target line, each measured value joined in time order and written by its point, the
    rounds' due dates along the bottom, and the track in words at the top."""

    def num(value: float) -> str:
        return escape(format_value(value, thai_numerals=thai_numerals))

    frame = _frame(ind)
    unit = f" {ind.indicator.unit}" if ind.indicator.unit else ""
    title = f"{ind.name}: {track_sentence(ind)}"
    body = [
        f'<text x="{MARGIN_LEFT}" y="28" font-weight="700"><title>{escape(ind.name)}</title>'
        f"{escape(_cut(ind.name))}</text>",
        f'<text x="{MARGIN_LEFT}" y="58" font-size="{SMALL}">สถานะ: '
        f"{escape(track_sentence(ind))}</text>",
    ]
    # value axis: baseline and target (or the data's ends when there are none)
    ticks = [v for v in (ind.baseline, ind.target) if v is not None]
    if not ticks:
        ticks = [frame.low, frame.high]
    for value in ticks:
        y = frame.y(value)
        body.append(
            f'<line x1="{frame.left}" y1="{y:.1f}" x2="{frame.right}" y2="{y:.1f}" '
            f'stroke="{GRID_COLOR}" stroke-width="1"/>'
            f'<text x="{frame.left - 10}" y="{y + 7:.1f}" text-anchor="end" '
            f'font-size="{SMALL}">{num(value)}</text>'
        )
    # time axis: the start, each round's due date, the end
    body.append(
        f'<line x1="{frame.left}" y1="{frame.bottom}" x2="{frame.right}" y2="{frame.bottom}" '
        f'stroke="{TEXT_COLOR}" stroke-width="2"/>'
    )
    for r in _rounds_in(rounds, frame):
        x = frame.x(r.due)
        label = thai_digits(r.label) if thai_numerals else r.label
        body.append(
            f'<line x1="{x:.1f}" y1="{frame.top}" x2="{x:.1f}" y2="{frame.bottom + 6}" '
            f'stroke="{GRID_COLOR}" stroke-width="1"/>'
            f'<text x="{x:.1f}" y="{frame.bottom + 30}" text-anchor="middle" '
            f'font-size="{SMALL}">{escape(label)}</text>'
            f'<text x="{x:.1f}" y="{frame.bottom + 56}" text-anchor="middle" '
            f'font-size="{SMALL}">{escape(short_date(r.due, thai_numerals=thai_numerals))}</text>'
        )
    if today is not None and frame.first <= today <= frame.last:
        x = frame.x(today)
        body.append(
            f'<line x1="{x:.1f}" y1="{frame.top}" x2="{x:.1f}" y2="{frame.bottom}" '
            f'stroke="{TEXT_COLOR}" stroke-width="1" stroke-dasharray="2 4"/>'
            f'<text x="{x + 4:.1f}" y="{frame.bottom - 8}" font-size="{SMALL}">วันนี้</text>'
        )
    # the plan: dashed straight path and the target line, in grey
    if ind.baseline is not None and ind.target is not None:
        x1, y1 = frame.x(ind.starts_on), frame.y(ind.baseline)
        x2, y2 = frame.x(ind.ends_on), frame.y(ind.target)
        body.append(
            f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" '
            f'stroke="{PLAN_COLOR}" stroke-width="3" stroke-dasharray="10 8">'
            f"<title>เส้นที่ควรเป็น</title></line>"
            f'<line x1="{frame.left}" y1="{y2:.1f}" x2="{frame.right}" y2="{y2:.1f}" '
            f'stroke="{PLAN_COLOR}" stroke-width="2"/>'
            f'<text x="{frame.left + 6}" y="{y2 + (-8 if y2 < y1 else 26):.1f}" '
            f'font-size="{SMALL}" '
            f'fill="{PLAN_COLOR}">เป้าหมาย {num(ind.target)}{escape(unit)}</text>'
            f'<text x="{x1 + 6:.1f}" y="{y1 + (26 if y2 < y1 else -10):.1f}" '
            f'font-size="{SMALL}" '
            f'fill="{PLAN_COLOR}">ค่าฐาน {num(ind.baseline)}</text>'
        )
    # what was measured: joined in time order, each value written
    if ind.points:
        coordinates = " ".join(
            f"{frame.x(p.measured_on):.1f},{frame.y(p.value):.1f}" for p in ind.points
        )
        body.append(
            f'<polyline points="{coordinates}" fill="none" stroke="{MEASURED_COLOR}" '
            f'stroke-width="4"/>'
        )
        for p in ind.points:
            x, y = frame.x(p.measured_on), frame.y(p.value)
            late = " (ส่งช้า)" if p.late else ""
            body.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="7" fill="{MEASURED_COLOR}" '
                f'stroke="#ffffff" stroke-width="2"><title>{escape(p.agency)}'
                f"{escape(late)}</title></circle>"
                f'<text x="{x:.1f}" y="{y - 14:.1f}" text-anchor="middle" font-weight="700">'
                f"{num(p.value)}</text>"
            )
    elif ind.track is Track.NO_DATA or ind.track is Track.NOT_MEASURABLE:
        middle = (frame.top + frame.bottom) / 2
        body.append(
            f'<text x="{(frame.left + frame.right) / 2:.1f}" y="{middle:.1f}" '
            f'text-anchor="middle">{escape(ind.track.label)}</text>'
        )
    return _svg(WIDTH, HEIGHT, title, body)


def bullet_chart(ind: IndicatorProgress, *, thai_numerals: bool = False) -> str:
    """A compact bar for a board row: the way from baseline (left) to target (right) in grey,
    the latest value as a dark bar, a tick where the straight path says it should be today,
    and the latest value and the track written at the right."""

    def num(value: float) -> str:
        return escape(format_value(value, thai_numerals=thai_numerals))

    title = f"{ind.name}: {track_sentence(ind)}"
    scale_left, scale_right = 4.0, BULLET_WIDTH - BULLET_LABEL_WIDTH - 8.0
    label_x = BULLET_WIDTH - BULLET_LABEL_WIDTH
    body: list[str] = []
    if ind.baseline is None or ind.target is None:
        text = ind.latest_text or ind.track.label
        body.append(f'<text x="4" y="34" font-size="{SMALL}">{escape(_cut(text, 40))}</text>')
        return _svg(BULLET_WIDTH, BULLET_HEIGHT, title, body)

    def x(share: float) -> float:
        share = min(1 + BULLET_AFTER, max(-BULLET_BEFORE, share))
        unit = (share + BULLET_BEFORE) / (1 + BULLET_BEFORE + BULLET_AFTER)
        return scale_left + unit * (scale_right - scale_left)

    top = (BULLET_HEIGHT - BULLET_BAR) / 2 - 6
    body.append(
        f'<rect x="{x(0):.1f}" y="{top:.1f}" width="{x(1) - x(0):.1f}" height="{BULLET_BAR}" '
        f'fill="{GRID_COLOR}"/>'
        f'<line x1="{x(1):.1f}" y1="{top - 4:.1f}" x2="{x(1):.1f}" '
        f'y2="{top + BULLET_BAR + 4:.1f}" stroke="{TEXT_COLOR}" stroke-width="3"/>'
        f'<text x="{x(0):.1f}" y="{BULLET_HEIGHT - 2}" font-size="14">{num(ind.baseline)}</text>'
        f'<text x="{x(1):.1f}" y="{BULLET_HEIGHT - 2}" font-size="14" text-anchor="middle">'
        f"{num(ind.target)}</text>"
    )
    if ind.expected_now is not None:
        expected = progress_share(ind.expected_now, ind.baseline, ind.target)
        body.append(
            f'<line x1="{x(expected):.1f}" y1="{top - 6:.1f}" x2="{x(expected):.1f}" '
            f'y2="{top + BULLET_BAR + 6:.1f}" stroke="{PLAN_COLOR}" stroke-width="2" '
            f'stroke-dasharray="3 2"><title>ค่าที่ควรเป็นวันนี้ {num(ind.expected_now)}</title>'
            "</line>"
        )
    if ind.latest is not None and ind.progress is not None:
        start, end = sorted((x(0), x(ind.progress)))
        body.append(
            f'<rect x="{start:.1f}" y="{top + 5:.1f}" width="{max(2.0, end - start):.1f}" '
            f'height="{BULLET_BAR - 10}" fill="{MEASURED_COLOR}"/>'
        )
        latest = num(ind.latest.value)
    else:
        latest = "–"
    body.append(
        f'<text x="{label_x}" y="22" font-size="{SMALL}" font-weight="700">{latest}</text>'
        f'<text x="{label_x}" y="46" font-size="14">{escape(ind.track.label)}</text>'
    )
    return _svg(BULLET_WIDTH, BULLET_HEIGHT, title, body)


# ---------------------------------------------------------------------------------------------
# PNG for the DOCX


@functools.cache
def thai_font_path(directory: Path = FONT_DIRECTORY) -> Path | None:
    """The first preferred Thai TrueType font installed, or None."""
    try:
        found = {p.stem.lower(): p for p in directory.rglob("*.ttf")}
    except OSError:
        return None
    return next((found[stem] for stem in THAI_FONT_STEMS if stem in found), None)


_Font = ImageFont.FreeTypeFont | ImageFont.ImageFont


def _font(size: int, path: Path | None) -> tuple[_Font, bool]:
    """The font at this size and whether it is the Thai one (else Pillow's own, ASCII only)."""
    if path is not None:
        try:
            return ImageFont.truetype(str(path), size), True
        except OSError:
            pass
    try:
        return ImageFont.load_default(size), False
    except (OSError, ImportError):  # Pillow built without FreeType: the bitmap font
        return ImageFont.load_default(), False


def indicator_png(
    ind: IndicatorProgress,
    rounds: Sequence[Round] = (),
    *,
    font_path: Path | None = None,
    use_installed_font: bool = True,
) -> bytes:
    """The line chart as PNG bytes: path, target, measured points with their values, the
    rounds along the bottom. Thai labels only with a Thai font; otherwise "Q1" and numbers."""
    path = font_path or (thai_font_path() if use_installed_font else None)
    s = PNG_SCALE
    frame = _frame(ind, PNG_BOX)
    image = Image.new("P", (PNG_WIDTH, PNG_HEIGHT), "white")
    draw = ImageDraw.Draw(image)
    font, thai = _font(PNG_FONT, path)
    small, _ = _font(PNG_SMALL, path)
    tiny, _ = _font(PNG_TINY, path)

    for value in [v for v in (ind.baseline, ind.target) if v is not None]:
        y = frame.y(value)
        draw.line([(frame.left, y), (frame.right, y)], fill=GRID_COLOR, width=2)
        _text(
            draw,
            (frame.left - 12, y),
            format_value(value),
            fill=TEXT_COLOR,
            font=small,
            anchor="rm",
        )
    draw.line([(frame.left, frame.bottom), (frame.right, frame.bottom)], fill=TEXT_COLOR, width=3)
    shown = _rounds_in(rounds, frame)
    xs = [frame.x(r.due) for r in shown]
    room = min((b - a for a, b in pairwise(xs)), default=PNG_WIDTH) - 24  # some air between labels
    word = "ไตรมาส " if thai else "Q"
    if any(draw.textlength(f"{word}{r.number}", font=small) > room for r in shown):
        word = ""  # eight rounds or more: the number alone under each
    dues = [f"{r.due.day}/{r.due.month}/{buddhist_year(r.due) % 100:02d}" for r in shown]
    date_font = small if all(draw.textlength(d, font=small) <= room for d in dues) else tiny
    for x, r, due in zip(xs, shown, dues, strict=True):
        draw.line([(x, frame.top), (x, frame.bottom + 8)], fill=GRID_COLOR, width=2)
        label = f"{word}{r.number}"
        _text(draw, (x, frame.bottom + 14), label, fill=TEXT_COLOR, font=small, anchor="mt")
        _text(
            draw,
            (x, frame.bottom + 14 + 1.5 * PNG_SMALL),
            due,
            fill=TEXT_COLOR,
            font=date_font,
            anchor="mt",
        )
    if ind.baseline is not None and ind.target is not None:
        start = (frame.x(ind.starts_on), frame.y(ind.baseline))
        end = (frame.x(ind.ends_on), frame.y(ind.target))
        _dashed(draw, start, end, dash=16 * s, gap=12 * s, width=round(3 * s))
        draw.line([(frame.left, end[1]), (frame.right, end[1])], fill=PLAN_COLOR, width=3)
        word = "เป้าหมาย" if thai else "target"
        below = end[1] > start[1]  # a falling target: its label goes under its line
        _text(
            draw,
            (frame.left + 10, end[1] + (10 if below else -8)),
            f"{word} {format_value(ind.target)}",
            fill=PLAN_COLOR,
            font=small,
            anchor="lt" if below else "lb",
        )
    if ind.points:
        xy = [(frame.x(p.measured_on), frame.y(p.value)) for p in ind.points]
        if len(xy) > 1:
            draw.line(xy, fill=MEASURED_COLOR, width=round(4 * s), joint="curve")
        radius = 8 * s
        for (x, y), p in zip(xy, ind.points, strict=True):
            draw.ellipse(
                [(x - radius, y - radius), (x + radius, y + radius)],
                fill=MEASURED_COLOR,
                outline="white",
                width=3,
            )
            _text(
                draw,
                (x, y - radius - 6),
                format_value(p.value),
                fill=TEXT_COLOR,
                font=font,
                anchor="mb",
            )
    status = ind.track.label if thai else ind.track.value.replace("_", " ")
    _text(draw, (frame.left, 20 * s), status, fill=TEXT_COLOR, font=font, anchor="lt")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=False)
    return buffer.getvalue()


def _text(
    draw: ImageDraw.ImageDraw,
    xy: tuple[float, float],
    text: str,
    *,
    fill: str,
    font: _Font,
    anchor: str,
) -> None:
    """Text placed by a two-letter anchor ("mt": middle, top) for any font: Pillow's own
    anchors work only with TrueType fonts, and the fallback bitmap font must not fail."""
    left, top, right, bottom = draw.textbbox((0, 0), text, font=font)
    horizontal, vertical = anchor
    x = {"l": xy[0], "m": xy[0] - (right - left) / 2, "r": xy[0] - (right - left)}[horizontal]
    y = {"t": xy[1], "m": xy[1] - (bottom - top) / 2, "b": xy[1] - (bottom - top)}[vertical]
    draw.text((x - left, y - top), text, fill=fill, font=font)


def _dashed(
    draw: ImageDraw.ImageDraw,
    start: tuple[float, float],
    end: tuple[float, float],
    *,
    dash: float,
    gap: float,
    width: int,
) -> None:
    """A dashed line (Pillow draws only solid ones): the plan, as in the SVG."""
    (x1, y1), (x2, y2) = start, end
    length = ((x2 - x1) ** 2 + (y2 - y1) ** 2) ** 0.5
    if length == 0:
        return
    dx, dy = (x2 - x1) / length, (y2 - y1) / length
    at = 0.0
    while at < length:
        stop = min(length, at + dash)
        draw.line(
            [(x1 + dx * at, y1 + dy * at), (x1 + dx * stop, y1 + dy * stop)],
            fill=PLAN_COLOR,
            width=width,
        )
        at = stop + gap
