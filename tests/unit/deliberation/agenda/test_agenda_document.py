"""The agenda model and its one layout: order, Thai numerals, Buddhist era, validation."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import replace

import pytest

from deliberation.agenda.document import (
    DRAFT_MARK,
    AgendaDocument,
    ConsentResult,
    Cover,
    DocumentOptions,
    Heading,
    NetworkParticipation,
    NetworkShare,
    Notice,
    Table,
    Timing,
    TitlePage,
    agenda_title,
    clean_text,
    document_digits,
    format_months,
    format_timing,
    layout,
)

THAI_DIGIT = re.compile("[๐-๙]")
ARABIC_OPTIONS = DocumentOptions(thai_numerals=False, buddhist_era=True)


def headings(doc: AgendaDocument, level: int | None = None) -> list[str]:
    return [
        block.full_text
        for block in layout(doc)
        if isinstance(block, Heading) and (level is None or block.level == level)
    ]


def all_text(doc: AgendaDocument) -> str:
    parts: list[str] = []
    for block in layout(doc):
        for value in vars(block).values():
            if isinstance(value, str):
                parts.append(value)
            elif isinstance(value, tuple):
                parts.extend(str(v) for v in value)
    return "\n".join(parts)


def test_agenda_sections_come_in_the_frameworks_order(sample_document: AgendaDocument) -> None:
    assert headings(sample_document, level=1) == [
        "๑. ความเป็นมา",
        "๒. ผู้เข้าร่วมสมัชชาจำแนกตามเครือข่าย",
        "๓. คุณธรรมเป้าหมาย",
        "๔. ประเด็นสำคัญและผลการจัดลำดับความสำคัญ",
        "๕. วาระคุณธรรมจังหวัดพิจิตร",
        "๖. การเสนอและการให้ความเห็นชอบ",
        "ภาคผนวก ข้อเสนอทั้งหมดจำแนกตามประเด็น",
    ]


def test_agenda_item_parts_follow_goal_plans_indicators_consent_mechanism(
    sample_document: AgendaDocument,
) -> None:
    parts = [h for h in headings(sample_document, level=3) if h.startswith("๕.๑.")]
    assert parts == [
        "๕.๑.๑ เป้าหมาย",
        "๕.๑.๒ คุณธรรมเป้าหมาย",
        "๕.๑.๓ แผนงาน/โครงการ และกิจกรรม",
        "๕.๑.๔ ตัวชี้วัดความสำเร็จ",
        "๕.๑.๕ ผลการรับรองฉันทามติ",
        "๕.๑.๖ กลไกการขับเคลื่อน",
    ]


def test_agenda_title_page_has_the_buddhist_era_date_in_thai_digits(
    sample_document: AgendaDocument,
) -> None:
    title = layout(sample_document)[0]
    assert isinstance(title, TitlePage)
    assert title.title == "วาระคุณธรรมจังหวัดพิจิตร"
    assert "วันที่ ๒๗ พฤศจิกายน พ.ศ. ๒๕๖๙" in title.lines


def test_agenda_without_thai_numerals_has_no_thai_digit_anywhere(
    make_document: Callable[..., AgendaDocument],
) -> None:
    doc = make_document(options=ARABIC_OPTIONS)
    assert headings(doc, level=1)[0] == "1. ความเป็นมา"
    assert "วันที่ 27 พฤศจิกายน พ.ศ. 2569" in all_text(doc)
    assert not THAI_DIGIT.search(all_text(doc))


def test_agenda_with_thai_numerals_converts_digits_typed_by_participants(
    sample_document: AgendaDocument,
) -> None:
    title = layout(sample_document)[0]
    assert isinstance(title, TitlePage)
    assert title.subtitle == "สมัชชาคุณธรรมจังหวัดพิจิตร ครั้งที่ ๑ ประจำปี ๒๕๖๙"


def test_agenda_digits_in_latin_words_stay_arabic() -> None:
    assert document_digits("COVID-19 ระบาด 2 ปี www.pc2569.go.th") == (
        "COVID-19 ระบาด ๒ ปี www.pc2569.go.th"
    )


def test_agenda_without_buddhist_era_writes_the_common_era(
    make_document: Callable[..., AgendaDocument],
) -> None:
    doc = make_document(options=DocumentOptions(thai_numerals=False, buddhist_era=False))
    text = all_text(doc)
    assert "วันที่ 27 พฤศจิกายน ค.ศ. 2026" in text
    assert "ปีงบฯ ค.ศ. 2027" in text  # fiscal year 2570 B.E. ends in September 2027
    assert "พ.ศ." not in text.replace("พ.ศ. 2569", "")  # only user-typed text keeps พ.ศ.


def test_agenda_months_are_joined_into_runs_across_the_new_year() -> None:
    assert format_months((10, 11, 12, 2)) == "ต.ค.–ธ.ค., ก.พ."
    assert format_months((11, 12, 1)) == "พ.ย.–ม.ค."
    assert format_months((5,)) == "พ.ค."


def test_agenda_timing_is_compact_in_tables_and_a_dash_when_empty() -> None:
    options = DocumentOptions()
    timing = Timing(months=(10, 11, 12), fiscal_year=2570)
    assert format_timing(timing, options) == "ต.ค.–ธ.ค. ปีงบประมาณ พ.ศ. ๒๕๗๐"
    assert format_timing(timing, options, compact=True) == "ต.ค.–ธ.ค.\nปีงบฯ ๒๕๗๐"
    assert format_timing(Timing(date=dt.date(2027, 9, 30)), options, compact=True) == (
        "๓๐ ก.ย. ๒๕๗๐"
    )
    assert format_timing(Timing(), options) == "–"


def test_agenda_tied_issues_share_a_rank(sample_document: AgendaDocument) -> None:
    results = next(
        block
        for block in layout(sample_document)
        if isinstance(block, Table) and block.header[0] == "อันดับ"
    )
    assert [row[0] for row in results.rows] == ["๑", "๒", "๓", "๓"]
    assert results.header[2] == "จำนวนจุด"


def test_agenda_support_columns_follow_participation_order_and_dash_a_silent_network(
    sample_document: AgendaDocument,
) -> None:
    support = next(
        block
        for block in layout(sample_document)
        if isinstance(block, Table) and block.header[0] == "ประเด็น" and len(block.header) == 7
    )
    assert [name.replace("\u200b", "") for name in support.header[1:]] == [
        "ภาครัฐ", "ธุรกิจ", "ประชาสังคม", "การศึกษา", "ศาสนา", "สื่อมวลชน"
    ]  # fmt: skip
    assert support.rows[0][1:] == ("๘๐", "๖๐", "๙๐", "๗๐", "๘๐", "๖๐")
    assert support.rows[3][-1] == "–"  # media cast no ballot on this issue


def test_agenda_a_network_of_the_organizers_own_gets_its_own_column(
    sample_document: AgendaDocument,
) -> None:
    extra = NetworkParticipation("farmers", "เครือข่ายเกษตรกร", 5, 0.03)
    doc = replace(sample_document, participation=(*sample_document.participation, extra))
    support = [b for b in layout(doc) if isinstance(b, Table) and len(b.header) == 8]
    assert support[0].header[-1] == "เครือข่ายเกษตรกร"


def test_agenda_an_item_not_yet_adopted_is_marked_as_a_draft(
    sample_document: AgendaDocument,
) -> None:
    draft = replace(sample_document.items[1], consent=ConsentResult(adopted=False))
    doc = replace(sample_document, items=(sample_document.items[0], draft))
    item_headings = headings(doc, level=2)
    assert f"๕.๒ วาระที่ ๒ วินัยจราจรและการสวมหมวกนิรภัย {DRAFT_MARK}" in item_headings
    assert f"๕.๑ วาระที่ ๑ ขยะล้นเมืองและการคัดแยกขยะในชุมชน {DRAFT_MARK}" not in item_headings


@pytest.mark.parametrize(
    ("province", "title"),
    [
        ("พิจิตร", "วาระคุณธรรมจังหวัดพิจิตร"),
        ("จังหวัดพิจิตร", "วาระคุณธรรมจังหวัดพิจิตร"),
        ("กรุงเทพมหานคร", "วาระคุณธรรมกรุงเทพมหานคร"),
    ],
)
def test_agenda_title_names_the_province_once(province: str, title: str) -> None:
    assert agenda_title(Cover("สมัชชา", province)) == title


def test_agenda_text_loses_xml_forbidden_characters_but_keeps_emoji_and_lines() -> None:
    assert clean_text("a\x00b\x0bc\x1b\ud800d 🙏🏽\r\ne") == "abcd 🙏🏽\ne"


def test_agenda_invalid_values_are_refused_when_built() -> None:
    with pytest.raises(ValueError, match="months"):
        Timing(months=(13,))
    with pytest.raises(ValueError, match="share"):
        NetworkShare("government", 1.5)
    with pytest.raises(ValueError, match="joined"):
        NetworkParticipation("government", "ภาครัฐ", -1, 0.0)
    with pytest.raises(ValueError, match="one cell per column"):
        Table(("a", "b"), (("1",),), (1, 1), (False, False))


def test_agenda_empty_sections_state_what_is_missing_in_place(
    make_document: Callable[..., AgendaDocument],
) -> None:
    doc = make_document(virtues=(), prioritisation=None)
    blocks = layout(doc)
    virtue_heading = next(
        i for i, b in enumerate(blocks) if isinstance(b, Heading) and b.text == "คุณธรรมเป้าหมาย"
    )
    assert blocks[virtue_heading + 1] == Notice("ยังไม่ได้เลือกคุณธรรมเป้าหมาย")
