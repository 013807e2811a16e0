"""The DOCX, reopened with python-docx: Thai headings, fonts in every slot, tables, page."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from dataclasses import replace

import docx
from docx.document import Document as DocxDocument
from docx.oxml.ns import qn
from docx.shared import Cm
from hypothesis import given, settings
from hypothesis import strategies as st

from deliberation.agenda.document import (
    AgendaDocument,
    Cover,
    DocumentOptions,
    Proposal,
    ProposalGroup,
    Table,
    layout,
)
from deliberation.agenda.render_docx import FONT, render_docx

FONT_SLOTS = ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia")


def opened(doc: AgendaDocument) -> DocxDocument:
    return docx.Document(io.BytesIO(render_docx(doc)))


def read(data: bytes) -> DocxDocument:
    return docx.Document(io.BytesIO(data))


def heading_texts(document: DocxDocument, level: int) -> list[str]:
    return [p.text for p in document.paragraphs if p.style.name == f"Heading {level}"]


def test_agenda_docx_headings_are_numbered_in_thai_digits(sample_docx: bytes) -> None:
    document = read(sample_docx)
    assert heading_texts(document, 1)[:5] == [
        "๑. ความเป็นมา",
        "๒. ผู้เข้าร่วมสมัชชาจำแนกตามเครือข่าย",
        "๓. คุณธรรมเป้าหมาย",
        "๔. ประเด็นสำคัญและผลการจัดลำดับความสำคัญ",
        "๕. วาระคุณธรรมจังหวัดพิจิตร",
    ]
    assert "๕.๑ วาระที่ ๑ ขยะล้นเมืองและการคัดแยกขยะในชุมชน" in heading_texts(document, 2)


def test_agenda_docx_headings_use_arabic_digits_when_asked(
    make_document: Callable[..., AgendaDocument],
) -> None:
    document = opened(make_document(options=DocumentOptions(thai_numerals=False)))
    assert heading_texts(document, 1)[0] == "1. ความเป็นมา"
    page_numbers = document.sections[0]._sectPr.find(qn("w:pgNumType"))
    assert page_numbers.get(qn("w:fmt")) == "decimal"


def test_agenda_docx_page_numbers_are_thai_digits_by_default(sample_docx: bytes) -> None:
    section = read(sample_docx).sections[0]
    assert section._sectPr.find(qn("w:pgNumType")).get(qn("w:fmt")) == "thaiNumbers"
    assert section.different_first_page_header_footer  # no number on the title page


def test_agenda_docx_title_page_carries_the_buddhist_era_date(sample_docx: bytes) -> None:
    texts = [p.text for p in read(sample_docx).paragraphs[:8]]
    assert texts[0] == "วาระคุณธรรมจังหวัดพิจิตร"
    assert "วันที่ ๒๗ พฤศจิกายน พ.ศ. ๒๕๖๙" in texts


def test_agenda_docx_every_run_sets_the_thai_font_in_all_four_slots_and_both_sizes(
    sample_docx: bytes,
) -> None:
    document = read(sample_docx)
    runs = [run for p in document.paragraphs for run in p.runs]
    runs += [
        run
        for table in document.tables
        for row in table.rows
        for cell in row.cells
        for p in cell.paragraphs
        for run in p.runs
    ]
    assert len(runs) > 200
    for run in runs:
        r_pr = run._r.rPr
        fonts = r_pr.find(qn("w:rFonts"))
        assert [fonts.get(qn(slot)) for slot in FONT_SLOTS] == [FONT] * 4, run.text
        assert fonts.get(qn("w:cstheme")) is None
        assert r_pr.find(qn("w:szCs")).get(qn("w:val")) == r_pr.find(qn("w:sz")).get(qn("w:val"))


def test_agenda_docx_body_is_16pt_and_headings_bold_at_20_and_18pt(sample_docx: bytes) -> None:
    document = read(sample_docx)
    body = next(p for p in document.paragraphs if p.text.startswith("ผู้เข้าร่วมทั้งสิ้น"))
    assert body.runs[0]._r.rPr.find(qn("w:szCs")).get(qn("w:val")) == "32"
    for level, half_points in ((1, "40"), (2, "36")):
        heading = next(p for p in document.paragraphs if p.style.name == f"Heading {level}")
        r_pr = heading.runs[0]._r.rPr
        assert r_pr.find(qn("w:szCs")).get(qn("w:val")) == half_points
        assert r_pr.find(qn("w:bCs")).get(qn("w:val")) == "1"
        assert r_pr.find(qn("w:b")).get(qn("w:val")) == "1"


def test_agenda_docx_styles_and_defaults_carry_the_font_without_theme_overrides(
    sample_docx: bytes,
) -> None:
    document = read(sample_docx)
    defaults = document.styles.element.find(qn("w:docDefaults"))
    for r_pr in (
        defaults.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}"),
        document.styles["Normal"].element.rPr,
        document.styles["Heading 1"].element.rPr,
    ):
        fonts = r_pr.find(qn("w:rFonts"))
        assert [fonts.get(qn(slot)) for slot in FONT_SLOTS] == [FONT] * 4
        assert not any(name.endswith("Theme") or name.endswith("theme") for name in fonts.attrib)
        assert r_pr.find(qn("w:lang")).get(qn("w:bidi")) == "th-TH"
    assert document.styles["Heading 1"].element.rPr.find(qn("w:color")) is None


def test_agenda_docx_page_is_a4_with_thai_official_margins(sample_docx: bytes) -> None:
    section = read(sample_docx).sections[0]
    measured = [
        section.page_width,
        section.page_height,
        section.top_margin,
        section.bottom_margin,
        section.left_margin,
        section.right_margin,
    ]
    expected = [Cm(21.0), Cm(29.7), Cm(2.5), Cm(2.0), Cm(3.0), Cm(2.0)]
    assert [round(m / Cm(1), 2) for m in measured] == [round(e / Cm(1), 2) for e in expected]


def test_agenda_docx_has_one_table_per_layout_table_with_repeated_header_rows(
    sample_document: AgendaDocument, sample_docx: bytes
) -> None:
    document = read(sample_docx)
    expected = [block for block in layout(sample_document) if isinstance(block, Table)]
    assert len(document.tables) == len(expected)
    for table, block in zip(document.tables, expected, strict=True):
        assert tuple(cell.text for cell in table.rows[0].cells) == block.header
        assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
        assert len(table.rows) == 1 + len(block.rows) + (1 if block.total else 0)


def test_agenda_docx_indicator_table_holds_the_agreed_values(sample_docx: bytes) -> None:
    tables = read(sample_docx).tables
    indicators = next(t for t in tables if t.rows[0].cells[0].text == "ตัวชี้วัด")
    assert [c.text for c in indicators.rows[1].cells] == [
        "๑. ปริมาณขยะที่ส่งไปบ่อกำจัดลดลง",
        "ร้อยละ",
        "๐",
        "๓๐",
        "๓๐ ก.ย. ๒๕๗๐",
        "รายงานปริมาณขยะขององค์กรปกครองส่วนท้องถิ่น",
        "ภาครัฐ",
    ]


def test_agenda_docx_survives_long_text_emoji_and_control_characters(
    sample_document: AgendaDocument,
) -> None:
    nasty = "ขยะ🙏🏽👨‍👩‍👧" + "ก" * 5000 + "\x00\x0b\x1b" + "\ud800" + "\ufffe end"
    group = ProposalGroup(nasty[:300], (Proposal(nasty, "media", 3),))
    doc = replace(
        sample_document,
        cover=replace(sample_document.cover, assembly_name=nasty),
        proposals=(group,),
    )
    data = render_docx(doc)
    assert zipfile.ZipFile(io.BytesIO(data)).testzip() is None
    document = docx.Document(io.BytesIO(data))
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    assert any(c.startswith("ขยะ🙏🏽👨‍👩‍👧") and c.endswith("ก end") for c in cells)
    assert len(document.core_properties.subject) <= 255


@settings(max_examples=15, deadline=None)
@given(text=st.text(max_size=200))
def test_agenda_docx_any_text_gives_a_file_word_can_open(text: str) -> None:
    group = ProposalGroup(text, (Proposal(text, text, 1),))
    doc = AgendaDocument(Cover(text, text, venue=text), proposals=(group,))
    document = opened(doc)
    assert heading_texts(document, 1)[-1] == "ภาคผนวก ข้อเสนอทั้งหมดจำแนกตามประเด็น"


def test_agenda_docx_file_properties_name_the_agenda(sample_docx: bytes) -> None:
    properties = read(sample_docx).core_properties
    assert properties.title == "วาระคุณธรรมจังหวัดพิจิตร"
    assert properties.language == "th-TH"
