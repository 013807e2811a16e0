"""The quarterly progress report as an editable Word document, in the agenda's official style.

"รายงานความก้าวหน้าการขับเคลื่อนวาระคุณธรรมจังหวัด… ไตรมาสที่ …": a summary table, then per
agenda item its goal, indicators (table and chart), activities (status, budget against money
spent, people reached) and the lessons learnt, the reports still overdue, and the rule.

The text is laid out in the agenda document's blocks and written by the agenda's own writer
(`render_blocks_docx`: TH Sarabun New 16 pt in every font slot, A4 official margins, Thai page
numbers), so the two documents cannot drift apart. Those blocks have no picture, so each chart
is laid out as a marker paragraph and swapped for its PNG after writing; the markers carry a
per-document nonce, so no text anyone typed can be taken for one.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import secrets
from collections.abc import Iterator, Sequence

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.shape import CT_Inline
from docx.shared import Cm

from assembly.thai_format import thai_date, thai_digits
from deliberation.agenda.document import (
    Block,
    Bullets,
    Heading,
    Notice,
    Paragraph,
    Table,
    TitlePage,
    clean_text,
)
from deliberation.agenda.render_docx import render_blocks_docx
from followup.charts import format_value, indicator_png
from followup.progress import (
    RULE_TEXT,
    ActivityProgress,
    ActivityStatus,
    IndicatorProgress,
    ItemProgress,
    ProgressBoard,
    Track,
)

TITLE = "รายงานความก้าวหน้าการขับเคลื่อนวาระคุณธรรมจังหวัด"
CHART_WIDTH_CM = 15.0  # the 16 cm text width less a little air on each side
NO_VALUE = "–"
# The summary table has ten columns: the tracks' short names keep its header on two lines.
SHORT_TRACK_LABELS = {
    Track.REACHED: "บรรลุ",
    Track.ON_TRACK: "ตามแผน",
    Track.AT_RISK: "เสี่ยง",
    Track.OFF_TRACK: "ล่าช้า",
    Track.NO_DATA: "ไม่มีรายงาน",
}
CHART_LEGEND = "เส้นประสีเทา: ค่าที่ควรเป็นตามแผน จากค่าฐานถึงค่าเป้าหมาย; จุดและเส้นทึบ: ค่าที่วัดได้"


def report_title(board: ProgressBoard, round_number: int, *, thai_numerals: bool = True) -> str:
    """ "รายงานความก้าวหน้า…จังหวัดน่าน ไตรมาสที่ ๒" (the round's own label when it has one)."""
    found = board.round(round_number)
    label = found.label if found else f"ไตรมาสที่ {round_number}"
    text = f"{TITLE}{board.province} {label}"
    return thai_digits(text) if thai_numerals else text


def render_progress_docx(
    board: ProgressBoard,
    round_number: int,
    *,
    thai_numerals: bool = True,
    charts: bool = True,
) -> bytes:
    """The report as a .docx file's bytes; charts=False leaves the PNG charts out (faster,
    smaller, for a quick look)."""
    layout = _Layout(board, round_number, thai_numerals=thai_numerals, charts=charts)
    blocks = [_cleaned(block) for block in layout.blocks()]
    data = render_blocks_docx(
        blocks,
        report_title(board, round_number, thai_numerals=thai_numerals),
        thai_numerals=thai_numerals,
    )
    if not layout.pictures:
        return data
    return _place_pictures(data, layout.pictures)


def _cleaned(block: Block) -> Block:
    """The block with its text safe for XML (the agenda document's `clean_text`, which also
    drops U+FFFE/U+FFFF): a control character typed on a phone makes python-docx refuse the
    whole document. Not the agenda's `_clean_block`: it also rewrites digits, and the chart
    markers' nonces must stay as they are."""
    changes: dict[str, object] = {}
    for field in dataclasses.fields(block):
        value = getattr(block, field.name)
        if isinstance(value, str):
            changes[field.name] = clean_text(value)
        elif isinstance(value, tuple) and all(isinstance(v, str) for v in value):
            changes[field.name] = tuple(clean_text(v) for v in value)
        elif isinstance(value, tuple) and all(isinstance(v, tuple) for v in value):
            changes[field.name] = tuple(tuple(map(clean_text, row)) for row in value)
    return dataclasses.replace(block, **changes)


def _place_pictures(data: bytes, pictures: dict[str, bytes]) -> bytes:
    """Each marker paragraph becomes its picture, centred and kept with its caption.

    Shape ids are counted here from the document's highest id once: python-docx's
    `add_picture` searches the whole document for the next free id on every call, which took
    5 of the 12 seconds of a 300-chart report.
    """
    document = Document(io.BytesIO(data))
    part = document.part
    shape_id = part.next_id
    for paragraph in document.paragraphs:
        png = pictures.get(paragraph.text)
        if png is None:
            continue
        paragraph.clear()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        paragraph.paragraph_format.first_line_indent = Cm(0)
        paragraph.paragraph_format.keep_with_next = True
        r_id, image = part.get_or_add_image(io.BytesIO(png))
        width, height = image.scaled_dimensions(Cm(CHART_WIDTH_CM), None)
        inline = CT_Inline.new_pic_inline(shape_id, r_id, image.filename, width, height)
        paragraph.add_run()._r.add_drawing(inline)
        shape_id += 1
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


class _Layout:
    """The report's blocks in reading order, and the pictures their markers stand for."""

    def __init__(
        self, board: ProgressBoard, round_number: int, *, thai_numerals: bool, charts: bool
    ) -> None:
        self.board = board
        self.round_number = round_number
        self.thai = thai_numerals
        self.charts = charts
        self.nonce = secrets.token_hex(8)
        self.pictures: dict[str, bytes] = {}
        self.figure = 0

    # -- formatting ------------------------------------------------------------------------

    def digits(self, text: str) -> str:
        return thai_digits(text) if self.thai else text

    def number(self, value: float | None) -> str:
        return NO_VALUE if value is None else format_value(value, thai_numerals=self.thai)

    def percent(self, share: float | None) -> str:
        return NO_VALUE if share is None else self.digits(f"{share * 100:.0f}")

    def date(self, day: dt.date) -> str:
        return thai_date(day, thai_numerals=self.thai, month="short")

    # -- blocks ----------------------------------------------------------------------------

    def blocks(self) -> Iterator[Block]:
        board = self.board
        found = board.round(self.round_number)
        lines = [board.title, f"ปีงบประมาณ พ.ศ. {self.digits(str(board.fiscal_year))}"]
        lines.append(f"ข้อมูล ณ วันที่ {thai_date(board.today, thai_numerals=self.thai)}")
        if found is not None:
            lines.append(
                f"กำหนดส่งรายงาน{found.label} {thai_date(found.due, thai_numerals=self.thai)}"
            )
        yield TitlePage(
            title=f"{TITLE}{board.province}",
            subtitle=found.label if found else self.digits(f"ไตรมาสที่ {self.round_number}"),
            lines=tuple(self.digits(line) for line in lines),
        )
        yield from self.summary()
        yield Heading(self.digits("2."), "ความก้าวหน้ารายวาระ", 1, page_break=True)
        if not board.items:
            yield Notice("ยังไม่มีวาระที่ติดตามผล")
        for index, item in enumerate(board.items, start=1):
            yield from self.item(index, item)
        yield from self.overdue()
        yield Heading(self.digits("4."), "เกณฑ์การประเมิน", 1)
        yield Paragraph(RULE_TEXT)

    def summary(self) -> Iterator[Block]:
        board, counts = self.board, self.board.counts
        yield Heading(self.digits("1."), "สรุปภาพรวม", 1, page_break=True)
        done = counts.by_status[ActivityStatus.DONE]
        yield Paragraph(
            self.digits(
                f"ติดตามผล {counts.items} วาระ ตัวชี้วัด {counts.indicators} ตัว "
                f"กิจกรรม {counts.activities} กิจกรรม (เสร็จแล้ว {done}) "
                f"รายงานที่ได้รับ {counts.measurements + counts.activity_reports} ฉบับ "
                f"(ส่งช้า {counts.late_reports}) "
                f"รายงานที่ค้างส่ง {counts.overdue_reports} รายการ "
                f"จาก {counts.overdue_agencies} หน่วยงาน "
                f"งบประมาณ {counts.budget:,} บาท ใช้จ่ายแล้ว {counts.money_spent:,} บาท "
                f"ผู้ได้รับประโยชน์ {counts.people_reached:,} คน"
            )
        )
        tracks = (Track.REACHED, Track.ON_TRACK, Track.AT_RISK, Track.OFF_TRACK, Track.NO_DATA)
        header = ("ที่", "วาระ", "ตัวชี้วัด", *(SHORT_TRACK_LABELS[t] for t in tracks))
        header += ("กิจกรรมเสร็จ", "สถานะรวม")
        rows = []
        for index, item in enumerate(board.items, start=1):
            activities = len(item.activities)
            rows.append(
                (
                    self.digits(str(index)),
                    item.item.title,
                    self.digits(str(len(item.indicators))),
                    *(self.digits(str(item.indicators_by_track[t])) for t in tracks),
                    self.digits(f"{item.activities_by_status[ActivityStatus.DONE]}/{activities}"),
                    item.track.label,
                )
            )
        total = (
            "",
            "รวม",
            self.digits(str(counts.indicators)),
            *(self.digits(str(counts.by_track[t])) for t in tracks),
            self.digits(f"{done}/{counts.activities}"),
            "",
        )
        yield Table(
            header=header,
            rows=tuple(rows),
            widths=(3, 19, 7, 6, 6, 6, 6, 7, 8, 10),
            numeric=(True, False, *([True] * 7), False),
            total=total if rows else (),
        )

    def item(self, index: int, item: ItemProgress) -> Iterator[Block]:
        number = self.digits(f"2.{index}")
        yield Heading(number, item.item.title, 2)
        if item.item.goal:
            yield Paragraph(item.item.goal, label="เป้าหมาย:")
        owner = " ".join(part for part in (item.item.agency, item.item.person) if part)
        if owner:
            yield Paragraph(owner, label="ผู้รับผิดชอบ:")
        yield Paragraph(item.track.label, label="สถานะรวม:")
        yield Heading(self.digits(f"{number}.1"), "ตัวชี้วัด", 3)
        if item.indicators:
            yield self.indicator_table(item.indicators)
            for ind in item.indicators:
                yield from self.chart(ind)
        else:
            yield Paragraph("ไม่มีตัวชี้วัด")
        yield Heading(self.digits(f"{number}.2"), "กิจกรรม", 3)
        if item.activities:
            yield self.activity_table(item.activities, item)
        else:
            yield Paragraph("ไม่มีกิจกรรม")
        yield Heading(self.digits(f"{number}.3"), "บทเรียนที่ได้", 3)
        if not item.lessons:
            yield Paragraph("ยังไม่มีบันทึกบทเรียน")
        for lesson in item.lessons:
            yield Paragraph(
                f"{lesson.agency} {self.date(lesson.reported_on)}", label=f"{lesson.target_name}:"
            )
            yield Bullets(
                tuple(
                    f"{label}: {text}"
                    for label, text in (
                        ("สิ่งที่ได้ผล", lesson.worked),
                        ("สิ่งที่ไม่ได้ผล", lesson.not_worked),
                        ("สิ่งที่จะปรับ", lesson.change),
                    )
                    if text
                )
                or ("ไม่ได้ระบุ",)
            )

    def indicator_table(self, indicators: Sequence[IndicatorProgress]) -> Table:
        header = ("ตัวชี้วัด", "ค่าฐาน", "ค่าเป้าหมาย", "ค่าล่าสุด", "ทำได้/ควรได้ (ร้อยละ)", "สถานะ")
        rows = []
        for ind in indicators:
            latest = ind.latest_text or NO_VALUE
            if ind.latest is not None:
                latest = f"{self.number(ind.latest.value)} ({self.date(ind.latest.measured_on)})"
            name = ind.name + (f" ({ind.indicator.unit})" if ind.indicator.unit else "")
            rows.append(
                (
                    name,
                    self.digits(ind.indicator.baseline_text) or NO_VALUE,
                    self.digits(ind.indicator.target_text) or NO_VALUE,
                    latest,
                    f"{self.percent(ind.progress)}/{self.percent(ind.expected)}",
                    ind.track.label,
                )
            )
        return Table(
            header=header,
            rows=tuple(rows),
            widths=(22, 9, 9, 12, 9, 11),
            numeric=(False, True, True, True, True, False),
        )

    def chart(self, ind: IndicatorProgress) -> Iterator[Block]:
        if not self.charts or (not ind.points and ind.track is Track.NOT_MEASURABLE):
            return
        self.figure += 1
        marker = f"[[chart {self.nonce} {self.figure}]]"
        self.pictures[marker] = indicator_png(ind, self.board.rounds)
        yield Paragraph(marker)
        yield Paragraph(
            f"{ind.name} สถานะ: {ind.track.label} ({CHART_LEGEND})",
            label=self.digits(f"ภาพที่ {self.figure}"),
        )

    def activity_table(self, activities: Sequence[ActivityProgress], item: ItemProgress) -> Table:
        header = (
            "กิจกรรม",
            "หน่วยงาน",
            "สถานะ",
            "งบประมาณ (บาท)",
            "ใช้จ่าย (บาท)",
            "ผู้ได้รับประโยชน์ (คน)",
        )
        header += ("ผลการดำเนินงานล่าสุด",)
        rows = []
        for act in activities:
            spent = self.number(act.money_spent) + (" (เกินงบ)" if act.over_budget else "")
            rows.append(
                (
                    act.activity.what,
                    act.activity.agency,
                    act.status.label,
                    self.number(act.budget),
                    spent,
                    self.number(act.people_reached),
                    act.latest.done if act.latest else NO_VALUE,
                )
            )
        total = (
            "รวม",
            "",
            self.digits(f"เสร็จ {item.activities_by_status[ActivityStatus.DONE]}/{len(activities)}"),
            self.number(item.budget),
            self.number(item.money_spent),
            self.number(item.people_reached),
            "",
        )
        return Table(
            header=header,
            rows=tuple(rows),
            widths=(14, 10, 9, 11, 11, 9, 14),
            numeric=(False, False, False, True, True, True, False),
            total=total,
        )

    def overdue(self) -> Iterator[Block]:
        yield Heading(self.digits("3."), "รายงานที่ค้างส่ง", 1, page_break=True)
        if not self.board.overdue:
            yield Paragraph(
                f"ไม่มีรายงานค้างส่ง ณ วันที่ {thai_date(self.board.today, thai_numerals=self.thai)}"
            )
            return
        rows = tuple(
            (
                agency.agency,
                late.round.label,
                self.date(late.round.due),
                "\n".join(late.target_names),
            )
            for agency in self.board.overdue
            for late in agency.rounds
        )
        yield Table(
            header=("หน่วยงาน", "รอบรายงาน", "กำหนดส่ง", "รายการที่ยังไม่รายงาน"),
            rows=rows,
            widths=(14, 9, 9, 24),
            numeric=(False, False, True, False),
        )
