"""Time to build the progress board and render it: 10 items × 30 indicators × 8 quarters.

Run from the repository root:  .venv/bin/python -m benchmarks.progress_board [--runs 3]

The issue asks how long the board takes for a big province: 10 agenda items with 30 indicators
each (300), every indicator reported in 8 quarterly rounds (2,400 measurements), 5 activities
per item with 8 reports each, a lesson on every activity report, and a few agencies behind.
Prints the median of the runs for: build_board; every SVG chart of the board (a line chart and
a bullet chart per indicator, what the board page and its printout draw); the CSV; the
quarterly DOCX without charts, and with its 300 PNG charts.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import time
from collections.abc import Callable
from typing import TypeVar

from followup.charts import bullet_chart, indicator_chart
from followup.progress import (
    ActivityInput,
    ActivityReport,
    ActivityStatus,
    BoardInput,
    Expected,
    IndicatorInput,
    ItemInput,
    Lesson,
    Measurement,
    ProgressBoard,
    Round,
    build_board,
)
from followup.render_csv import reports_csv
from followup.render_docx import render_progress_docx

ITEMS = 10
INDICATORS_PER_ITEM = 30
ROUNDS = 8
ACTIVITIES_PER_ITEM = 5
AGENCIES = tuple(f"หน่วยงานที่ {n}" for n in range(1, 13))
STARTED_ON = dt.date(2026, 10, 1)
T = TypeVar("T")


def quarter_rounds(count: int) -> tuple[Round, ...]:
    """Quarterly rounds from October 2026, each due the 15th of the month after its quarter."""
    rounds = []
    for n in range(1, count + 1):
        month = 10 + 3 * n  # the month after the quarter, counted from January of 2026
        year, month = 2026 + (month - 1) // 12, (month - 1) % 12 + 1
        rounds.append(Round(n, f"ไตรมาสที่ {n}", dt.date(year, month, 15)))
    return tuple(rounds)


def board_input(seed: int = 18) -> BoardInput:
    rng = random.Random(seed)
    rounds = quarter_rounds(ROUNDS)
    deadline = dt.date(2028, 9, 30)  # two fiscal years: 8 quarters
    items, indicators, activities, lessons, expected = [], [], [], [], []
    reported: set[tuple[str, int, int]] = set()
    target_id = 0
    for item_id in range(1, ITEMS + 1):
        items.append(
            ItemInput(item_id, f"วาระที่ {item_id}", "เป้าหมายของวาระ", ("พอเพียง",), AGENCIES[0], "")
        )
        for k in range(INDICATORS_PER_ITEM):
            target_id += 1
            agency = AGENCIES[(item_id + k) % len(AGENCIES)]
            baseline = rng.randint(20, 80)
            target = baseline + rng.choice((-1, 1)) * rng.randint(5, 20)
            measurements = []
            for r in rounds:
                if rng.random() < 0.05:  # a report that never came
                    expected.append(Expected(agency, r.number, target_id, f"ตัวชี้วัด {target_id}"))
                    continue
                share = r.number / ROUNDS * rng.uniform(0.6, 1.2)
                value = baseline + (target - baseline) * share
                on = r.due - dt.timedelta(days=20)
                measurements.append(
                    Measurement(r.number, on, f"ร้อยละ {value:.1f}", "สำรวจ", "", agency, False)
                )
                expected.append(Expected(agency, r.number, target_id, f"ตัวชี้วัด {target_id}"))
                reported.add((agency, r.number, target_id))
            indicators.append(
                IndicatorInput(
                    target_id,
                    item_id,
                    f"ตัวชี้วัด {target_id}",
                    "ร้อยละ",
                    f"ร้อยละ {baseline}",
                    f"ร้อยละ {target}",
                    deadline,
                    agency,
                    "",
                    tuple(measurements),
                )
            )
        for k in range(ACTIVITIES_PER_ITEM):
            target_id += 1
            agency = AGENCIES[k % len(AGENCIES)]
            name = f"กิจกรรม {target_id}"
            reports = []
            for r in rounds:
                on = r.due - dt.timedelta(days=10)
                status = ActivityStatus.DONE if r.number == ROUNDS else ActivityStatus.IN_PROGRESS
                reports.append(
                    ActivityReport(
                        r.number, on, status, "จัดกิจกรรม", 50, 5_000, (), agency, r.number == 3
                    )
                )
                lessons.append(Lesson(item_id, name, agency, on, "ได้ผล", "ไม่ได้ผล", "ปรับ"))
            activities.append(
                ActivityInput(target_id, item_id, "แผน", name, agency, "", 50_000, tuple(reports))
            )
    return BoardInput(
        assembly_id=1,
        title="สมัชชาคุณธรรมจังหวัดทดสอบ",
        province="ทดสอบ",
        fiscal_year=2571,
        started_on=STARTED_ON,
        today=rounds[-1].due + dt.timedelta(days=1),
        rounds=rounds,
        items=tuple(items),
        activities=tuple(activities),
        indicators=tuple(indicators),
        lessons=tuple(lessons),
        expected=tuple(expected),
        reported=frozenset(reported),
    )


def all_svg(board: ProgressBoard) -> int:
    size = 0
    for item in board.items:
        for ind in item.indicators:
            size += len(indicator_chart(ind, board.rounds, today=board.today))
            size += len(bullet_chart(ind))
    return size


def median_ms(work: Callable[[], T], runs: int) -> tuple[float, T]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        result = work()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    data = board_input()
    measurements = sum(len(i.measurements) for i in data.indicators)
    print(
        f"{len(data.items)} items, {len(data.indicators)} indicators, {measurements} measurements,"
        f" {len(data.activities)} activities, {len(data.lessons)} lessons; median of {args.runs}"
    )
    ms, board = median_ms(lambda: build_board(data), args.runs)
    print(f"build_board                     {ms:8.1f} ms")
    ms, size = median_ms(lambda: all_svg(board), args.runs)
    print(f"all SVG charts (line + bullet)  {ms:8.1f} ms  ({size / 1e6:.1f} MB of SVG)")
    ms, csv_data = median_ms(lambda: reports_csv(board), args.runs)
    print(f"reports CSV                     {ms:8.1f} ms  ({len(csv_data) / 1e6:.2f} MB)")
    ms, docx = median_ms(lambda: render_progress_docx(board, 8, charts=False), args.runs)
    print(f"DOCX without charts             {ms:8.1f} ms  ({len(docx) / 1e6:.2f} MB)")
    ms, docx = median_ms(lambda: render_progress_docx(board, 8), args.runs)
    print(f"DOCX with 300 PNG charts        {ms:8.1f} ms  ({len(docx) / 1e6:.2f} MB)")


if __name__ == "__main__":
    main()
