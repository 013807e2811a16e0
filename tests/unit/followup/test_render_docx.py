"""The quarterly report opens in python-docx with its title, Thai numerals, tables and charts."""

from __future__ import annotations

import dataclasses
import io

from docx import Document
from docx.document import Document as DocxDocument

from followup.progress import RULE_TEXT, BoardInput, ProgressBoard, build_board
from followup.render_docx import render_progress_docx, report_title


def opened(data: bytes) -> DocxDocument:
    return Document(io.BytesIO(data))


def all_text(document: DocxDocument) -> str:
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    return "\n".join(parts)


def test_the_report_has_its_title_round_and_thai_numerals(board: ProgressBoard) -> None:
    document = opened(render_progress_docx(board, 2))
    text = all_text(document)
    assert "รายงานความก้าวหน้าการขับเคลื่อนวาระคุณธรรมจังหวัดน่าน" in text
    assert "ไตรมาสที่ ๒" in text
    assert "ปีงบประมาณ พ.ศ. ๒๕๗๐" in text
    assert "๑. สรุปภาพรวม" in text
    assert "๒.๑ ครอบครัวอบอุ่น" in text
    assert document.core_properties.title == report_title(board, 2)
    assert report_title(board, 2).endswith("น่าน ไตรมาสที่ ๒")


def test_the_report_holds_the_tables_charts_lessons_overdue_and_rule(board: ProgressBoard) -> None:
    document = opened(render_progress_docx(board, 2))
    text = all_text(document)
    for expected in (
        "ตามแผน",  # the households indicator's track
        "ล่าช้า/ไม่เป็นไปตามแผน",  # the road item's
        "๕๕,๐๐๐ (เกินงบ)",  # spent over the camp's budget
        "จัดในร่ม",  # a lesson's "what to change"
        "สนง.ขนส่ง",  # overdue with its quarter-2 report
        "อุบัติเหตุต่อเดือน",
        RULE_TEXT,
    ):
        assert expected in text
    # two measured indicators, two charts; the words-only one has no chart
    assert len(document.inline_shapes) == 2
    assert sum("ภาพที่" in p.text for p in document.paragraphs) == 2
    assert not any("[[chart" in p.text for p in document.paragraphs)


def test_the_body_font_is_the_official_one(board: ProgressBoard) -> None:
    document = opened(render_progress_docx(board, 2, charts=False))
    fonts = document.styles["Normal"].element.rPr.rFonts
    assert fonts.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}cs") == (
        "TH Sarabun New"
    )
    assert len(document.inline_shapes) == 0


def test_arabic_numerals_on_request(board: ProgressBoard) -> None:
    text = all_text(opened(render_progress_docx(board, 2, thai_numerals=False, charts=False)))
    assert "ปีงบประมาณ พ.ศ. 2570" in text
    assert "2.1 ครอบครัวอบอุ่น" in text


def test_an_empty_board_still_makes_a_report(board_input: BoardInput) -> None:
    empty = dataclasses.replace(
        board_input, items=(), indicators=(), activities=(), lessons=(), expected=()
    )
    text = all_text(opened(render_progress_docx(build_board(empty), 1)))
    assert "ยังไม่มีวาระที่ติดตามผล" in text
    assert "ไม่มีรายงานค้างส่ง" in text


def test_typed_text_that_looks_like_a_marker_stays_text(board_input: BoardInput) -> None:
    item = dataclasses.replace(board_input.items[0], goal="[[chart 0 1]]")
    board = build_board(dataclasses.replace(board_input, items=(item, *board_input.items[1:])))
    document = opened(render_progress_docx(board, 2))
    assert "[[chart 0 1]]" in all_text(document)
    assert len(document.inline_shapes) == 2


def test_every_picture_has_its_own_shape_id(board: ProgressBoard) -> None:
    document = opened(render_progress_docx(board, 2))
    ids = [
        element.get("id")
        for element in document.element.body.iter(
            "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}docPr"
        )
    ]
    assert len(ids) == 2
    assert len(set(ids)) == 2


def test_control_characters_typed_on_a_phone_do_not_break_the_report(
    board_input: BoardInput,
) -> None:
    item = dataclasses.replace(board_input.items[0], title="ครอบครัว\x0bอบอุ่น", goal="ดี\x00มาก")
    board = build_board(dataclasses.replace(board_input, items=(item, *board_input.items[1:])))
    text = all_text(opened(render_progress_docx(board, 2, charts=False)))
    assert "ดีมาก" in text


def test_noncharacters_in_a_lesson_do_not_break_the_report(board_input: BoardInput) -> None:
    """U+FFFE and U+FFFF are no XML characters: the shared text cleaner keeps them (they are
    valid in the database), the document's drops them."""
    lesson = dataclasses.replace(
        board_input.lessons[0], worked="ชวน\uffffกันเอง", change="ย้าย\ufffeไปวัด"
    )
    board = build_board(dataclasses.replace(board_input, lessons=(lesson,)))
    text = all_text(opened(render_progress_docx(board, 2, charts=False)))
    assert "ชวนกันเอง" in text
    assert "ย้ายไปวัด" in text
