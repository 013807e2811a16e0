"""Partial documents: what is missing is said in Thai, and every format still renders."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import replace

import docx

from deliberation.agenda.document import (
    MAX_MISSING_ON_TITLE_PAGE,
    MISSING_ADOPTION,
    MISSING_DATE,
    MISSING_ITEMS,
    MISSING_PARTICIPATION,
    MISSING_PROPOSALS,
    MISSING_VIRTUES,
    MISSING_VOTES,
    Activity,
    AgendaDocument,
    Bullets,
    Cover,
    Indicator,
    Notice,
    Plan,
    layout,
    missing_parts,
)
from deliberation.agenda.render_docx import render_docx
from deliberation.agenda.render_html import render_html
from deliberation.agenda.render_markdown import render_markdown

BARE = AgendaDocument(cover=Cover("สมัชชาคุณธรรมจังหวัดน่าน", "น่าน"))


def test_agenda_complete_sample_lacks_nothing(sample_document: AgendaDocument) -> None:
    assert missing_parts(sample_document) == []
    assert not any(isinstance(block, Notice) for block in layout(sample_document))


def test_agenda_bare_document_lists_every_missing_section_in_order() -> None:
    assert missing_parts(BARE) == [
        MISSING_DATE,
        MISSING_PARTICIPATION,
        MISSING_VIRTUES,
        MISSING_VOTES,
        MISSING_ITEMS,
        MISSING_PROPOSALS,
    ]


def test_agenda_bare_document_renders_in_every_format_saying_it_is_a_draft() -> None:
    opened = docx.Document(io.BytesIO(render_docx(BARE)))
    docx_text = "\n".join(p.text for p in opened.paragraphs)
    html = render_html(BARE)
    markdown = render_markdown(BARE)
    for text in (docx_text, html, markdown):
        assert "ฉบับร่าง: เอกสารนี้ยังไม่สมบูรณ์ ยังขาด ๖ รายการ" in text
        assert MISSING_VOTES in text
        assert MISSING_ITEMS in text
    assert html.rstrip().endswith("</html>")


def test_agenda_an_indicator_with_a_target_but_no_unit_is_named(
    sample_document: AgendaDocument,
) -> None:
    item = sample_document.items[1]
    no_unit = Indicator(
        "ผู้ขับขี่ที่สวมหมวกนิรภัย", target="80", deadline=item.indicators[0].deadline, network="government"
    )
    doc = replace(
        sample_document, items=(sample_document.items[0], replace(item, indicators=(no_unit,)))
    )
    assert missing_parts(doc) == ["ตัวชี้วัด “ผู้ขับขี่ที่สวมหมวกนิรภัย” ในวาระที่ ๒ มีค่าเป้าหมายแต่ไม่มีหน่วยนับ"]


def test_agenda_an_indicator_without_target_deadline_or_network_is_named_for_each(
    sample_document: AgendaDocument,
) -> None:
    item = replace(sample_document.items[0], indicators=(Indicator("ความพึงพอใจ", unit="ร้อยละ"),))
    missing = missing_parts(replace(sample_document, items=(item,)))
    assert missing == [
        "ตัวชี้วัด “ความพึงพอใจ” ในวาระที่ ๑ ยังไม่มีค่าเป้าหมาย",
        "ตัวชี้วัด “ความพึงพอใจ” ในวาระที่ ๑ ยังไม่มีกำหนดเวลา",
        "ตัวชี้วัด “ความพึงพอใจ” ในวาระที่ ๑ ยังไม่ระบุเครือข่ายที่รับผิดชอบ",
    ]


def test_agenda_items_drafted_but_never_put_to_consent_are_not_adopted(
    sample_document: AgendaDocument,
) -> None:
    items = tuple(replace(item, consent=None) for item in sample_document.items)
    missing = missing_parts(replace(sample_document, items=items))
    assert MISSING_ADOPTION in missing
    assert "วาระที่ ๑ “ขยะล้นเมืองและการคัดแยกขยะในชุมชน” ยังไม่ผ่านการรับรองฉันทามติ" in missing


def test_agenda_a_plan_without_activities_and_an_activity_without_owner_are_named(
    sample_document: AgendaDocument,
) -> None:
    plans = (Plan("โครงการวัดสะอาด"), Plan("โครงการตลาดนัดปลอดโฟม", (Activity("จัดตลาดนัด"),)))
    item = replace(sample_document.items[0], plans=plans)
    missing = missing_parts(replace(sample_document, items=(item,)))
    assert missing == [
        "แผนงาน/โครงการ “โครงการวัดสะอาด” ในวาระที่ ๑ ยังไม่มีกิจกรรม",
        "กิจกรรม “จัดตลาดนัด” ในวาระที่ ๑ ยังไม่ระบุผู้รับผิดชอบ",
    ]


def test_agenda_an_item_with_only_a_title_says_what_it_lacks_where_it_is(
    sample_document: AgendaDocument,
) -> None:
    item = replace(sample_document.items[0], goal="", plans=(), indicators=(), mechanism=())
    blocks = layout(replace(sample_document, items=(item,)))
    notices = [block.text for block in blocks if isinstance(block, Notice)]
    assert "ยังไม่มีเป้าหมาย" in notices
    assert "ยังไม่มีแผนงาน/โครงการ" in notices
    assert "ยังไม่มีตัวชี้วัดความสำเร็จ" in notices
    assert "ยังไม่มีกลไกการขับเคลื่อน (ผู้รับผิดชอบจากแต่ละเครือข่าย)" in notices


def test_agenda_a_long_missing_list_is_cut_on_the_title_page(
    make_document: Callable[..., AgendaDocument],
) -> None:
    indicators = tuple(Indicator(f"ตัวชี้วัด {n}") for n in range(20))
    sample = make_document()
    doc = replace(sample, items=(replace(sample.items[0], indicators=indicators),))
    missing = missing_parts(doc)
    listed = next(block for block in layout(doc) if isinstance(block, Bullets))
    assert len(missing) > MAX_MISSING_ON_TITLE_PAGE
    assert len(listed.items) == MAX_MISSING_ON_TITLE_PAGE + 1
    assert listed.items[-1].startswith("และอีก")


def test_agenda_a_very_long_title_is_shortened_in_the_missing_sentence(
    sample_document: AgendaDocument,
) -> None:
    item = replace(sample_document.items[0], title="ขยะ" * 200, consent=None)
    sentence = missing_parts(replace(sample_document, items=(item,)))[1]
    assert sentence.endswith("…” ยังไม่ผ่านการรับรองฉันทามติ")
    assert len(sentence) < 120
