"""The agenda's data as CSV tables that Excel opens with Thai intact and formulas inert.

Why the BOM: Excel reads a UTF-8 CSV as the system code page (Thai turns to mojibake) unless
the file starts with U+FEFF. Why the quote prefix: a cell typed by a participant as
``=HYPERLINK(...)`` or ``@SUM(...)`` would run as a formula when the organizer opens the file
(CSV injection); a leading ``'`` makes Excel and LibreOffice show it as text. Numbers stay
numbers (Arabic digits, no prefix) so the organizer can sort and sum them.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from assembly.text import FORMULA_STARTS, QUOTE_PREFIX
from deliberation.agenda.document import (
    AgendaDocument,
    DocumentOptions,
    clean_text,
    format_timing,
    network_names,
)

BOM = "\ufeff"
LINE_END = "\r\n"  # what Excel writes and expects
PERCENT_DECIMALS = 1  # support in percent, as the document shows it
# Data keeps Arabic digits whatever the document uses: spreadsheets compute with them.
DATA_OPTIONS_THAI_NUMERALS = False

PROPOSALS_HEADER = ("ประเด็นที่", "ประเด็น", "ข้อเสนอที่", "ข้อเสนอ", "รหัสเครือข่าย", "เครือข่าย")
PROPOSALS_HEADER += ("ผู้สนับสนุน",)
INDICATORS_HEADER = ("วาระที่", "วาระ", "รับรองแล้ว", "ตัวชี้วัดที่", "ตัวชี้วัด", "หน่วยนับ")
INDICATORS_HEADER += ("ค่าฐาน", "ค่าเป้าหมาย", "กำหนดเวลา", "วันที่กำหนด (ISO)", "ปีงบประมาณ")
INDICATORS_HEADER += ("แหล่งข้อมูล", "รหัสเครือข่าย", "เครือข่ายที่รับผิดชอบ", "หน่วยงานที่รายงานผล")
PLANS_HEADER = ("วาระที่", "วาระ", "รับรองแล้ว", "แผนงาน/โครงการที่", "แผนงาน/โครงการ")
PLANS_HEADER += ("หน่วยงานรับผิดชอบแผน", "ผู้ประสานงานแผน", "กิจกรรมที่", "กิจกรรม")
PLANS_HEADER += ("รหัสเครือข่าย", "หน่วยงานรับผิดชอบหลัก", "หน่วยงานที่เกี่ยวข้อง", "ผู้ประสานงาน")
PLANS_HEADER += ("ช่วงเวลา", "ปีงบประมาณ", "ไตรมาส", "งบประมาณ (บาท)", "แหล่งงบประมาณ")


def neutralise(value: object) -> object:
    """A cell safe to open in a spreadsheet: text that would start a formula gets a quote."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ใช่" if value else "ไม่ใช่"
    if isinstance(value, int | float):
        return value
    text = clean_text(str(value))  # first: a dropped control character could uncover an "="
    if text.lstrip().startswith(FORMULA_STARTS) or text.startswith(FORMULA_STARTS):
        return QUOTE_PREFIX + text
    return text


def render_csv(rows: Iterable[Sequence[object]], header: Sequence[str]) -> bytes:
    """One CSV table as UTF-8 with a BOM, CRLF line ends, every cell neutralised."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=LINE_END)
    writer.writerow([neutralise(cell) for cell in header])
    writer.writerows([neutralise(cell) for cell in row] for row in rows)
    return (BOM + buffer.getvalue()).encode("utf-8")


def proposals_csv(doc: AgendaDocument) -> bytes:
    """Every proposal with its issue, network and supporters."""
    names = network_names(doc)
    rows = [
        (i, group.issue, j, p.text, p.network, names.get(p.network, p.network), p.supporters)
        for i, group in enumerate(doc.proposals, start=1)
        for j, p in enumerate(group.proposals, start=1)
    ]
    return render_csv(rows, PROPOSALS_HEADER)


def issues_csv(doc: AgendaDocument) -> bytes:
    """The prioritised issues: rank, value, consensus, and per-network support in percent."""
    vote = doc.prioritisation
    issues = vote.issues if vote is not None else ()
    keys = [row.key for row in doc.participation]
    for issue in issues:
        keys.extend(s.key for s in issue.support if s.key not in keys)
    names = network_names(doc)
    value_label = vote.value_label if vote is not None else "คะแนน"
    header = ("อันดับ", "ประเด็น", value_label, "ค่าฉันทามติ", "อันดับฉันทามติ")
    header += tuple(f"ร้อยละสนับสนุน {names.get(key, key)}" for key in keys)
    rows = []
    for issue in issues:
        shares = {s.key: s.share for s in issue.support}
        rows.append(
            (
                issue.rank,
                issue.title,
                issue.value,
                issue.consensus_score,
                issue.consensus_rank,
                *(_percent(shares.get(key)) for key in keys),
            )
        )
    return render_csv(rows, header)


def _percent(share: float | None) -> float | None:
    return None if share is None else round(share * 100, PERCENT_DECIMALS)


def indicators_csv(doc: AgendaDocument) -> bytes:
    """Every indicator of every agenda item, with its item and whether the item is adopted."""
    names = network_names(doc)
    options = DocumentOptions(
        thai_numerals=DATA_OPTIONS_THAI_NUMERALS, buddhist_era=doc.options.buddhist_era
    )
    rows = [
        (
            i,
            item.title,
            item.adopted,
            j,
            indicator.name,
            indicator.unit,
            indicator.baseline,
            indicator.target,
            format_timing(indicator.deadline, options) if not indicator.deadline.is_empty else "",
            indicator.deadline.date.isoformat() if indicator.deadline.date else "",
            indicator.deadline.fiscal_year,
            indicator.data_source,
            indicator.network,
            names.get(indicator.network, indicator.network),
            indicator.reporting_agency,
        )
        for i, item in enumerate(doc.items, start=1)
        for j, indicator in enumerate(item.indicators, start=1)
    ]
    return render_csv(rows, INDICATORS_HEADER)


def plans_csv(doc: AgendaDocument) -> bytes:
    """Every activity of every plan with its owners, timing and budget (บาท, a number): the
    working group's spreadsheet for the budget request."""
    options = DocumentOptions(
        thai_numerals=DATA_OPTIONS_THAI_NUMERALS, buddhist_era=doc.options.buddhist_era
    )
    rows = [
        (
            i,
            item.title,
            item.adopted,
            j,
            plan.name,
            plan.lead_agency,
            plan.contact,
            k,
            activity.what,
            " ".join(activity.networks),
            activity.lead_agency,
            ", ".join(activity.agencies),
            activity.contact,
            format_timing(activity.when, options) if not activity.when.is_empty else "",
            activity.when.fiscal_year,
            activity.when.quarter,
            activity.budget,
            activity.funding,
        )
        for i, item in enumerate(doc.items, start=1)
        for j, plan in enumerate(item.plans, start=1)
        for k, activity in enumerate(plan.activities, start=1)
    ]
    return render_csv(rows, PLANS_HEADER)
