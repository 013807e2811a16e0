"""Every report of the year as one CSV table: one row per indicator measurement or activity
report, with its item, target, agency, round, dates, value or status, and what was learnt.

Written by the agenda's CSV writer (`deliberation.agenda.render_csv.render_csv`): UTF-8 with a
BOM for Excel, CRLF, and every text cell guarded against spreadsheet formulas with the quote
prefix of `assembly.text` (a reporter typing "=HYPERLINK(…)" on a phone gets text, not a link).
Numbers stay numbers and dates are ISO, so the working group can sort, filter and sum.

A lesson is written on the report it came with (same item, target, agency and date); one that
matches no report gets a row of its own, so nothing typed is lost from the file.
"""

from __future__ import annotations

from collections.abc import Iterator

from deliberation.agenda.render_csv import render_csv
from followup.progress import Lesson, ProgressBoard, parse_number

KIND_INDICATOR = "ตัวชี้วัด"
KIND_ACTIVITY = "กิจกรรม"
KIND_LESSON = "บทเรียน"
HEADER = ("วาระที่", "วาระ", "ประเภท", "รหัสรายการ", "รายการ", "หน่วยงาน", "รอบที่", "รอบรายงาน")
HEADER += ("กำหนดส่ง", "วันที่รายงาน/วัดผล", "ส่งช้า", "สถานะ", "ค่าที่รายงาน", "ค่าตัวเลข")
HEADER += ("แหล่งข้อมูล", "หมายเหตุ/ผลการดำเนินงาน", "ผู้ได้รับประโยชน์ (คน)", "ค่าใช้จ่าย (บาท)")
HEADER += ("จำนวนภาพ", "สิ่งที่ได้ผล", "สิ่งที่ไม่ได้ผล", "สิ่งที่จะปรับ")


def reports_csv(board: ProgressBoard) -> bytes:
    """The whole year's reports, items in board order, each target's reports oldest first."""
    return render_csv(list(_rows(board)), HEADER)


def _take(unused: dict[int, Lesson], report_id: int | None) -> tuple[str, str, str]:
    """The lesson written on this report (taken, so it is not written twice), or blanks."""
    lesson = unused.pop(report_id, None) if report_id is not None else None
    if lesson is None:
        return ("", "", "")
    return (lesson.worked, lesson.not_worked, lesson.change)


def _rows(board: ProgressBoard) -> Iterator[tuple[object, ...]]:
    rounds = {r.number: r for r in board.rounds}

    def round_cells(number: int) -> tuple[object, ...]:
        found = rounds.get(number)
        return (number, found.label if found else "", found.due.isoformat() if found else "")

    for index, item in enumerate(board.items, start=1):
        # A report's lesson is joined by its report id (its date is the day it was sent, not
        # the day measured); the working group's notes and any lesson whose report is not on
        # the board get rows of their own.
        unused = {x.report_id: x for x in item.lessons if x.report_id is not None}

        head = (index, item.item.title)
        for ind in item.indicators:
            name = ind.indicator.name
            for m in sorted(ind.indicator.measurements, key=lambda m: (m.measured_on, m.round)):
                yield (
                    *head,
                    KIND_INDICATOR,
                    ind.target_id,
                    name,
                    m.agency,
                    *round_cells(m.round),
                    m.measured_on.isoformat(),
                    m.late,
                    "",
                    m.value_text,
                    parse_number(m.value_text),
                    m.source,
                    m.note,
                    None,
                    None,
                    None,
                    *_take(unused, m.report_id),
                )
        for act in item.activities:
            name = act.activity.what
            for r in sorted(act.activity.reports, key=lambda r: (r.reported_on, r.round)):
                yield (
                    *head,
                    KIND_ACTIVITY,
                    act.target_id,
                    name,
                    r.agency,
                    *round_cells(r.round),
                    r.reported_on.isoformat(),
                    r.late,
                    r.status.label,
                    "",
                    None,
                    "",
                    r.done,
                    r.people_reached,
                    r.money_spent,
                    len(r.photo_ids),
                    *_take(unused, r.report_id),
                )
        for lesson in reversed(item.lessons):  # oldest first, as the reports
            if lesson.report_id is not None and lesson.report_id not in unused:
                continue  # written on its report's row
            yield (
                *head,
                KIND_LESSON,
                None,
                lesson.target_name,
                lesson.agency,
                None,
                "",
                "",
                lesson.reported_on.isoformat(),
                None,
                "",
                "",
                None,
                "",
                "",
                None,
                None,
                None,
                lesson.worked,
                lesson.not_worked,
                lesson.change,
            )
