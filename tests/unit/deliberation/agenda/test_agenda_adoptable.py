"""Issue 17 in the pure parts: the adoption rule, budgets, virtues, the announcement."""

from __future__ import annotations

import io
from dataclasses import replace

import docx
import pytest

from assembly.errors import InvalidInput
from deliberation.agenda.announcement import announcement
from deliberation.agenda.consent import check_rule
from deliberation.agenda.document import (
    AgendaDocument,
    Signatures,
    Table,
    TargetVirtue,
    Timing,
    format_timing,
    layout,
)
from deliberation.agenda.drafting import check_budget, check_timing
from deliberation.agenda.gather import canonical_virtue, normalised_virtues
from deliberation.agenda.render_docx import render_announcement_docx
from deliberation.agenda.render_markdown import render_markdown


def result(networks: dict[str, tuple[int, int, int]], objections: list[dict[str, str]]) -> dict:
    return {
        "networks": {
            k: dict(zip(("agree", "can_live_with", "object"), v, strict=False))
            for k, v in networks.items()
        },
        "objections": objections,
    }


def test_no_objection_rule_needs_every_objection_handled() -> None:
    raised = {"answer": "object", "network": "media", "handling": ""}
    assert check_rule("no_objection", 80, result({"media": (1, 0, 1)}, [raised])) == [
        {"code": "objections_not_handled", "count": 1}
    ]
    handled = {**raised, "handling": "answered"}
    assert check_rule("no_objection", 80, result({"media": (1, 0, 1)}, [handled])) == []


def test_threshold_rule_counts_each_network_that_answered_and_withdrawn_objections() -> None:
    objection = {"answer": "object", "network": "media", "handling": "answered"}
    networks = {"media": (2, 1, 1), "religion": (0, 0, 0), "business": (1, 0, 0)}
    assert check_rule("threshold", 75, result(networks, [objection])) == []
    assert check_rule("threshold", 80, result(networks, [objection])) == [
        {"code": "below_threshold", "network": "media", "share": 0.75}
    ]
    withdrawn = {**objection, "handling": "withdrawn"}
    assert check_rule("threshold", 100, result(networks, [withdrawn])) == []


@pytest.mark.parametrize(
    ("typed", "baht"),
    [("50,000", 50_000), ("๕๐๐๐๐", 50_000), (12000, 12_000), ("", None), ("1,500.50 บาท", 1500)],
)
def test_budgets_are_read_as_typed(typed: object, baht: int | None) -> None:
    assert check_budget(typed) == baht


@pytest.mark.parametrize("typed", ["มาก", -5, "1e12", True, float("nan")])
def test_a_budget_that_is_no_amount_is_refused(typed: object) -> None:
    with pytest.raises(InvalidInput):
        check_budget(typed)


def test_fiscal_quarters() -> None:
    assert check_timing({"quarter": "๒", "fiscal_year": "2027"})["quarter"] == 2
    assert check_timing({"fiscal_year": "2027"})["fiscal_year"] == 2570
    with pytest.raises(InvalidInput):
        check_timing({"quarter": 5})
    # Quarter 1 of the fiscal year is October to December; months outside it are refused.
    assert check_timing({"quarter": 1, "months": "ต.ค.-ธ.ค."})["months"] == [10, 11, 12]
    assert check_timing({"quarter": "2", "months": [1, 3]})["quarter"] == 2
    for quarter, months in ((1, "ม.ค.-มี.ค."), (4, "ก.ย.-ต.ค."), (2, [12, 1])):
        with pytest.raises(InvalidInput) as refused:
            check_timing({"quarter": quarter, "months": months})
        assert refused.value.code == "quarter_months_mismatch"
    doc_options = AgendaDocument.__dataclass_fields__["options"].default_factory()  # type: ignore[misc]
    assert format_timing(Timing(quarter=1, fiscal_year=2570), doc_options, compact=True) == (
        "ไตรมาส ๑\nปีงบฯ ๒๕๗๐"
    )


def test_one_list_of_virtues() -> None:
    virtues = normalised_virtues(
        (
            TargetVirtue("สุจริต", votes=5),
            TargetVirtue("ซื่อสัตย์ สุจริต"),
            TargetVirtue("จิตอาสา", votes=3),
            TargetVirtue(" จิตอาสา "),
        )
    )
    assert virtues == (TargetVirtue("ซื่อสัตย์ สุจริต", votes=5), TargetVirtue("จิตอาสา", votes=3))
    assert canonical_virtue("สุจริต", virtues) == "ซื่อสัตย์ สุจริต"
    assert canonical_virtue("พอเพียง", virtues) == "พอเพียง"


def test_plans_sum_their_activities_budgets(adoptable_document: AgendaDocument) -> None:
    plans = adoptable_document.items[0].plans
    assert [plan.budget for plan in plans] == [205_000, 0]
    assert adoptable_document.items[1].plans[0].budget is None
    tables = [b for b in layout(adoptable_document) if isinstance(b, Table)]
    totals = [t.total for t in tables if t.header[4:5] == ("งบประมาณ\n(บาท)",)]
    assert [t[4] for t in totals] == ["๒๐๕,๐๐๐", "๐", "–"]


def test_the_approval_block_leaves_lines_to_sign(adoptable_document: AgendaDocument) -> None:
    [block] = [b for b in layout(adoptable_document) if isinstance(b, Signatures)]
    assert block.lines[1] == ("ผู้เห็นชอบ", "นายวิชัย ธรรมดี", "ผู้ว่าราชการจังหวัดพิจิตร")
    markdown = render_markdown(adoptable_document)
    assert "(ลงชื่อ)" in markdown
    assert "(นายวิชัย ธรรมดี)" in markdown
    blank = layout(AgendaDocument(cover=adoptable_document.cover))
    [unsigned] = [b for b in blank if isinstance(b, Signatures)]
    assert unsigned.lines == (("ผู้เสนอ", "", ""), ("ผู้เห็นชอบ", "", ""))


def test_the_announcement_states_only_adopted_items(adoptable_document: AgendaDocument) -> None:
    text = announcement(adoptable_document)
    assert text.heading == "ประกาศจังหวัดพิจิตร"
    assert text.subject == "เรื่อง วาระคุณธรรมจังหวัดพิจิตร"
    assert text.date_line == "ประกาศ ณ วันที่ ๑๕ ธันวาคม พ.ศ. ๒๕๖๙"
    assert text.points[0].startswith("๑. คุณธรรมเป้าหมาย ได้แก่ พอเพียง")
    assert len(text.points) == 3  # the virtues and two adopted items
    draft = announcement(AgendaDocument(cover=adoptable_document.cover, items=(), virtues=()))
    assert "........" in draft.date_line
    assert draft.signer_name.startswith("(....")
    assert draft.signer_position == "ผู้ว่าราชการจังหวัดพิจิตร"
    bangkok = replace(adoptable_document.cover, province="กรุงเทพมหานคร")
    capital = announcement(AgendaDocument(cover=bangkok))
    assert capital.heading == "ประกาศกรุงเทพมหานคร"
    assert capital.signer_position == "ผู้ว่าราชการกรุงเทพมหานคร"


def test_the_announcement_docx_keeps_an_emblem_slot(adoptable_document: AgendaDocument) -> None:
    import dataclasses

    png = tiny_png()
    with_emblem = docx.Document(
        io.BytesIO(render_announcement_docx(dataclasses.replace(adoptable_document, emblem=png)))
    )
    assert len(with_emblem.inline_shapes) == 1
    without = docx.Document(io.BytesIO(render_announcement_docx(adoptable_document)))
    assert len(without.inline_shapes) == 0
    assert next(p.text for p in without.paragraphs if p.text.strip()) == "ประกาศจังหวัดพิจิตร"


def tiny_png() -> bytes:
    """A valid 2x2 PNG made here (no image files in the tests)."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"".join(b"\x00" + b"\xcc\x99\x00" * 2 for _ in range(2)))
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def test_a_table_too_wide_for_portrait_turns_its_page(adoptable_document: AgendaDocument) -> None:
    import dataclasses

    from docx.enum.section import WD_ORIENT

    from deliberation.agenda.document import NetworkParticipation, NetworkShare
    from deliberation.agenda.render_docx import render_docx

    keys = [f"net{i}" for i in range(14)]
    participation = tuple(
        NetworkParticipation(key, f"เครือข่ายที่ {i}", 5, 1 / 14) for i, key in enumerate(keys)
    )
    vote = adoptable_document.votes[0]
    wide_vote = dataclasses.replace(
        vote,
        issues=tuple(
            dataclasses.replace(issue, support=tuple(NetworkShare(k, 0.5) for k in keys))
            for issue in vote.issues
        ),
    )
    doc = dataclasses.replace(adoptable_document, participation=participation, votes=(wide_vote,))
    tables = [b for b in layout(doc) if isinstance(b, Table)]
    assert [t.header[0] for t in tables if t.landscape] == ["ประเด็น"]
    assert not any(t.landscape for t in layout(adoptable_document) if isinstance(t, Table))
    document = docx.Document(io.BytesIO(render_docx(doc)))
    orientations = [s.orientation for s in document.sections]
    assert orientations == [WD_ORIENT.PORTRAIT, WD_ORIENT.LANDSCAPE, WD_ORIENT.PORTRAIT]
    assert document.sections[1].page_width > document.sections[1].page_height
    formats = {
        s._sectPr.find(docx.oxml.ns.qn("w:pgNumType")).get(docx.oxml.ns.qn("w:fmt"))
        for s in document.sections
    }
    assert formats == {"thaiNumbers"}
