"""Results as SVG bar charts, drawn on the server: pure functions from a results view to text.

Sized for a projector at the back of a hall: 24 px text on a 1000-unit-wide viewBox that CSS
scales to the screen, high-contrast bars, the value written next to every bar, ties marked
with "=" before the rank. No chart library, nothing from a CDN.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape
from typing import Any

WIDTH = 1000
ROW = 56  # row height: two lines of 24 px Thai text with room for tone marks
FONT = 24
LABEL_WIDTH = 380
RANK_WIDTH = 60
VALUE_WIDTH = 110
BAR_COLOR = "#0f766e"  # the interface colour: no network's
CONSENSUS_COLOR = "#134e4a"
TEXT_COLOR = "#0f172a"
MUTED = "#e2e8f0"
MAX_LABEL_CHARS = 28  # longer labels are cut with "…" (the full text is in the <title>)
FONT_FAMILY = "Sarabun, 'Noto Sans Thai', Tahoma, sans-serif"


def _label(text: str) -> str:
    return text if len(text) <= MAX_LABEL_CHARS else text[: MAX_LABEL_CHARS - 1] + "…"


def _rank(line: Mapping[str, Any]) -> str:
    return f"={line['rank']}" if line.get("tied") else str(line["rank"])


def _number(value: float) -> str:
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"


def _svg(height: int, body: list[str], title: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
        f'role="img" aria-label="{escape(title)}" font-family="{escape(FONT_FAMILY)}" '
        f'font-size="{FONT}" fill="{TEXT_COLOR}"><title>{escape(title)}</title>'
        + "".join(body)
        + "</svg>"
    )


def _row_text(y: int, line: Mapping[str, Any]) -> list[str]:
    middle = y + ROW // 2 + FONT // 3
    return [
        f'<text x="{RANK_WIDTH - 12}" y="{middle}" text-anchor="end" font-weight="700">'
        f"{escape(_rank(line))}</text>",
        f'<text x="{RANK_WIDTH}" y="{middle}"><title>{escape(line["label"])}</title>'
        f"{escape(_label(line['label']))}</text>",
    ]


def ranking_chart(results: Mapping[str, Any], *, title: str, value_suffix: str = "") -> str:
    """One bar per option, best first, the method's value written at the end of each bar."""
    lines: Sequence[Mapping[str, Any]] = results["ranking"]
    top = max((float(line["value"]) for line in lines), default=0.0) or 1.0
    bar_start = RANK_WIDTH + LABEL_WIDTH
    bar_space = WIDTH - bar_start - VALUE_WIDTH
    body: list[str] = []
    for i, line in enumerate(lines):
        y = i * ROW
        length = max(0.0, float(line["value"]) / top * bar_space)
        body += _row_text(y, line)
        body.append(
            f'<rect x="{bar_start}" y="{y + 10}" width="{bar_space}" height="{ROW - 20}" '
            f'fill="{MUTED}"/>'
            f'<rect x="{bar_start}" y="{y + 10}" width="{length:.1f}" height="{ROW - 20}" '
            f'fill="{BAR_COLOR}"/>'
            f'<text x="{WIDTH - 8}" y="{y + ROW // 2 + FONT // 3}" text-anchor="end" '
            f'font-weight="700">{escape(_number(float(line["value"])) + value_suffix)}</text>'
        )
    return _svg(max(ROW, ROW * len(lines)), body, title)


def consensus_chart(
    results: Mapping[str, Any],
    networks: Sequence[Mapping[str, Any]],
    *,
    title: str,
) -> str:
    """Consensus score per option (a bar from 0 to 1) and, beside it, one small column per
    network whose height is that network's share of supporters: broad support shows as six
    filled columns, support from one network as one."""
    lines: Sequence[Mapping[str, Any]] = results["consensus"]
    column = 34
    columns_width = column * len(networks)
    bar_start = RANK_WIDTH + LABEL_WIDTH
    bar_space = WIDTH - bar_start - VALUE_WIDTH - columns_width - 16
    body: list[str] = []
    for i, line in enumerate(lines):
        y = i * ROW
        body += _row_text(y, line)
        length = float(line["consensus"]) * bar_space
        body.append(
            f'<rect x="{bar_start}" y="{y + 10}" width="{bar_space}" height="{ROW - 20}" '
            f'fill="{MUTED}"/>'
            f'<rect x="{bar_start}" y="{y + 10}" width="{length:.1f}" height="{ROW - 20}" '
            f'fill="{CONSENSUS_COLOR}"/>'
            f'<text x="{bar_start + bar_space + VALUE_WIDTH - 12}" '
            f'y="{y + ROW // 2 + FONT // 3}" text-anchor="end" font-weight="700">'
            f"{float(line['consensus']):.2f}</text>"
        )
        x0 = WIDTH - columns_width
        for g, network in enumerate(networks):
            support = line["networks"].get(network["key"], {})
            share = support.get("share")
            height = (ROW - 16) * (share or 0.0)
            x = x0 + g * column
            name = network.get("name_th") or network["key"]
            tip = f"{name}: {support.get('supporters', 0)}/{support.get('voters', 0)}"
            body.append(
                f"<g><title>{escape(tip)}</title>"
                f'<rect x="{x + 3}" y="{y + 8}" width="{column - 6}" height="{ROW - 16}" '
                f'fill="none" stroke="{network["color"]}" stroke-width="2"/>'
                f'<rect x="{x + 3}" y="{y + ROW - 8 - height:.1f}" width="{column - 6}" '
                f'height="{height:.1f}" fill="{network["color"]}"/></g>'
            )
    return _svg(max(ROW, ROW * len(lines)), body, title)


def turnout_chart(turnout: Mapping[str, Any], *, title: str) -> str:
    """Voted / joined per network, one bar each in the network's colour."""
    rows: Sequence[Mapping[str, Any]] = turnout["networks"]
    bar_start = RANK_WIDTH + LABEL_WIDTH
    bar_space = WIDTH - bar_start - VALUE_WIDTH - 40
    body: list[str] = []
    for i, network in enumerate(rows):
        y = i * ROW
        joined, voted = int(network["joined"]), int(network["voted"])
        length = bar_space * (voted / joined if joined else 0.0)
        name = network.get("name_th") or network["key"]
        body.append(
            f'<text x="{RANK_WIDTH}" y="{y + ROW // 2 + FONT // 3}">{escape(_label(name))}</text>'
            f'<rect x="{bar_start}" y="{y + 10}" width="{bar_space}" height="{ROW - 20}" '
            f'fill="{MUTED}"/>'
            f'<rect x="{bar_start}" y="{y + 10}" width="{length:.1f}" height="{ROW - 20}" '
            f'fill="{network["color"]}"/>'
            f'<text x="{WIDTH - 8}" y="{y + ROW // 2 + FONT // 3}" text-anchor="end" '
            f'font-weight="700">{voted}/{joined}</text>'
        )
    return _svg(max(ROW, ROW * len(rows)), body, title)
