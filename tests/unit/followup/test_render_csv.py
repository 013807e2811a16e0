"""Every report is one CSV row with its lessons; formulas typed on a phone stay text."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io

from followup.progress import BoardInput, Lesson, ProgressBoard, build_board
from followup.render_csv import HEADER, KIND_ACTIVITY, KIND_INDICATOR, KIND_LESSON, reports_csv


def rows(data: bytes) -> list[dict[str, str]]:
    assert data.startswith("\ufeff".encode())
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_one_row_per_report_with_its_round_and_lesson(board: ProgressBoard) -> None:
    table = rows(reports_csv(board))
    assert [r["ประเภท"] for r in table].count(KIND_INDICATOR) == 3
    assert [r["ประเภท"] for r in table].count(KIND_ACTIVITY) == 3
    assert list(table[0]) == list(HEADER)
    second_camp = next(r for r in table if r["รายการ"] == "ค่ายครอบครัว" and r["รอบที่"] == "2")
    assert second_camp["สถานะ"] == "เสร็จแล้ว"
    assert second_camp["ส่งช้า"] == "ใช่"
    assert second_camp["กำหนดส่ง"] == "2027-04-15"
    assert second_camp["ค่าใช้จ่าย (บาท)"] == "35000"
    assert second_camp["จำนวนภาพ"] == "2"
    assert (second_camp["สิ่งที่ไม่ได้ผล"], second_camp["สิ่งที่จะปรับ"]) == ("ฝนตก", "จัดในร่ม")
    thai_digits = next(r for r in table if r["ค่าที่รายงาน"] == "๖๕")
    assert thai_digits["ค่าตัวเลข"] == "65.0"


def test_formulas_typed_on_a_phone_stay_text(board_input: BoardInput) -> None:
    indicator = board_input.indicators[0]
    hostile = dataclasses.replace(
        indicator.measurements[0], note='=HYPERLINK("http://x","y")', source="@SUM(A1)"
    )
    changed = dataclasses.replace(indicator, measurements=(hostile,))
    board = build_board(
        dataclasses.replace(board_input, indicators=(changed, *board_input.indicators[1:]))
    )
    row = rows(reports_csv(board))[0]
    assert row["หมายเหตุ/ผลการดำเนินงาน"] == '\'=HYPERLINK("http://x","y")'
    assert row["แหล่งข้อมูล"] == "'@SUM(A1)"


def test_a_lesson_without_its_report_gets_a_row_of_its_own(board_input: BoardInput) -> None:
    stray = Lesson(2, "ตั้งด่านชุมชน", "อบต.", dt.date(2027, 2, 2), "ชุมชนร่วมมือ", "", "")
    board = build_board(dataclasses.replace(board_input, lessons=(*board_input.lessons, stray)))
    table = rows(reports_csv(board))
    (lesson_row,) = [r for r in table if r["ประเภท"] == KIND_LESSON]
    assert lesson_row["สิ่งที่ได้ผล"] == "ชุมชนร่วมมือ"
    assert lesson_row["วาระ"] == "ถนนปลอดภัย"
    worked = [r["สิ่งที่ได้ผล"] for r in table if r["สิ่งที่ได้ผล"]]
    assert sorted(worked) == ["ชุมชนร่วมมือ", "พ่อแม่มากัน"]  # each lesson written once


def test_an_indicator_reports_lesson_is_on_its_row_whatever_day_it_was_measured(
    board_input: BoardInput,
) -> None:
    """Measured on 31 December, sent on 10 January with a lesson: the lesson is joined by the
    report it was written on, not by a date, so it lands on that report's row."""
    indicator = board_input.indicators[0]
    measured = dataclasses.replace(
        indicator.measurements[0], measured_on=dt.date(2026, 12, 31), report_id=201
    )
    changed = dataclasses.replace(indicator, measurements=(measured,))
    lesson = Lesson(
        indicator.item_id,
        indicator.name,
        measured.agency,
        dt.date(2027, 1, 10),
        "",
        "",
        "ปรับ",
        report_id=201,
    )
    board = build_board(
        dataclasses.replace(
            board_input,
            indicators=(changed, *board_input.indicators[1:]),
            lessons=(*board_input.lessons, lesson),
        )
    )
    table = rows(reports_csv(board))
    assert not [r for r in table if r["ประเภท"] == KIND_LESSON]
    row = next(r for r in table if r["วันที่รายงาน/วัดผล"] == "2026-12-31")
    assert row["สิ่งที่จะปรับ"] == "ปรับ"
