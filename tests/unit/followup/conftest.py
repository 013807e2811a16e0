"""A small year of follow-up as plain values: two items, indicators rising and falling, one that
is not a number, activities with reports, a lesson, one agency late with its quarter-2 report.

Fixtures rather than a helper module: tests run with `--import-mode=importlib`.
"""

from __future__ import annotations

import datetime as dt

import pytest

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
    build_board,
    default_rounds,
)

FISCAL_YEAR = 2570  # 1 Oct 2026 – 30 Sep 2027
STARTED_ON = dt.date(2026, 10, 1)
TODAY = dt.date(2027, 5, 1)  # quarter 2 is due 15 April 2027: past


def measurement(round_: int, on: dt.date, value: str, agency: str = "สนง.วัฒนธรรม") -> Measurement:
    return Measurement(round_, on, value, "ทะเบียน", "", agency, late=False)


@pytest.fixture
def board_input() -> BoardInput:
    items = (
        ItemInput(1, "ครอบครัวอบอุ่น", "ครอบครัวมีเวลาให้กัน", ("พอเพียง",), "สนง.พมจ.", "คุณเอ"),
        ItemInput(2, "ถนนปลอดภัย", "อุบัติเหตุลดลง", ("วินัย",), "สนง.ขนส่ง", "คุณบี"),
    )
    indicators = (
        IndicatorInput(
            10,
            1,
            "ครัวเรือนที่ทำกิจกรรมร่วมกัน",
            "ร้อยละ",
            "ร้อยละ ๖๐",
            "ร้อยละ ๘๐",
            None,
            "สนง.วัฒนธรรม",
            "คุณซี",
            (
                measurement(1, dt.date(2026, 12, 31), "๖๕"),
                measurement(2, dt.date(2027, 3, 31), "70 %"),
            ),
        ),
        IndicatorInput(
            11,
            1,
            "ความพึงพอใจ",
            "",
            "ดี",
            "ดีมาก",
            None,
            "สนง.วัฒนธรรม",
            "คุณซี",
            (),
        ),
        IndicatorInput(
            20,
            2,
            "อุบัติเหตุต่อเดือน",
            "ครั้ง",
            "20 ครั้ง",
            "10 ครั้ง",
            dt.date(2027, 3, 31),
            "สนง.ขนส่ง",
            "คุณดี",
            (measurement(1, dt.date(2026, 12, 31), "19", "สนง.ขนส่ง"),),
        ),
    )
    activities = (
        ActivityInput(
            30,
            1,
            "แผนครอบครัว",
            "ค่ายครอบครัว",
            "สนง.พมจ.",
            "คุณเอ",
            50_000,
            (
                ActivityReport(
                    1,
                    dt.date(2027, 1, 10),
                    ActivityStatus.IN_PROGRESS,
                    "จัดค่ายครั้งที่ 1",
                    40,
                    20_000,
                    (1,),
                    "สนง.พมจ.",
                    False,
                    report_id=101,
                ),
                ActivityReport(
                    2,
                    dt.date(2027, 4, 20),
                    ActivityStatus.DONE,
                    "จัดค่ายครั้งที่ 2",
                    60,
                    35_000,
                    (2, 3),
                    "สนง.พมจ.",
                    True,
                    report_id=102,
                ),
            ),
        ),
        ActivityInput(31, 1, "แผนครอบครัว", "อบรมพ่อแม่", "สนง.พมจ.", "คุณเอ", None, ()),
        ActivityInput(
            32,
            2,
            "แผนถนน",
            "ตั้งด่านชุมชน",
            "สนง.ขนส่ง",
            "คุณบี",
            10_000,
            (
                ActivityReport(
                    1,
                    dt.date(2027, 1, 5),
                    ActivityStatus.CANCELLED,
                    "ย้ายไปรวมกับแผนจังหวัด",
                    None,
                    None,
                    (),
                    "สนง.ขนส่ง",
                    False,
                ),
            ),
        ),
    )
    lessons = (
        Lesson(
            1, "ค่ายครอบครัว", "สนง.พมจ.", dt.date(2027, 1, 10), "พ่อแม่มากัน", "", "", report_id=101
        ),
        Lesson(
            1, "ค่ายครอบครัว", "สนง.พมจ.", dt.date(2027, 4, 20), "", "ฝนตก", "จัดในร่ม", report_id=102
        ),
    )
    expected = tuple(
        Expected(agency, round_, target_id, name)
        for round_ in (1, 2, 3, 4)
        for agency, target_id, name in (
            ("สนง.วัฒนธรรม", 10, "ครัวเรือนที่ทำกิจกรรมร่วมกัน"),
            ("สนง.ขนส่ง", 20, "อุบัติเหตุต่อเดือน"),
            ("สนง.พมจ.", 30, "ค่ายครอบครัว"),
        )
    )
    reported = frozenset(
        {
            ("สนง.วัฒนธรรม", 1, 10),
            ("สนง.วัฒนธรรม", 2, 10),
            ("สนง.ขนส่ง", 1, 20),
            ("สนง.พมจ.", 1, 30),
            ("สนง.พมจ.", 2, 30),
        }
    )
    return BoardInput(
        assembly_id=7,
        title="สมัชชาคุณธรรมจังหวัดน่าน ครั้งที่ ๑",
        province="น่าน",
        fiscal_year=FISCAL_YEAR,
        started_on=STARTED_ON,
        today=TODAY,
        rounds=default_rounds(FISCAL_YEAR),
        items=items,
        activities=activities,
        indicators=indicators,
        lessons=lessons,
        expected=expected,
        reported=reported,
    )


@pytest.fixture
def board(board_input: BoardInput) -> ProgressBoard:
    return build_board(board_input)
