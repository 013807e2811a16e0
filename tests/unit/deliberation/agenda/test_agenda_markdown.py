"""Markdown: the same headings in the same order, participants' text shown literally."""

from __future__ import annotations

from dataclasses import replace

from deliberation.agenda.document import AgendaDocument, Heading, Proposal, ProposalGroup, layout
from deliberation.agenda.render_markdown import escape_markdown, render_markdown


def test_agenda_markdown_headings_follow_the_layout(sample_document: AgendaDocument) -> None:
    markdown = render_markdown(sample_document)
    written = [line for line in markdown.splitlines() if line.startswith("#")]
    expected = [
        "#" * (block.level + 1) + " " + block.full_text
        for block in layout(sample_document)
        if isinstance(block, Heading)
    ]
    assert written[0] == "# วาระคุณธรรมจังหวัดพิจิตร"
    assert written[1:] == expected


def test_agenda_markdown_tables_escape_pipes_and_markup(sample_document: AgendaDocument) -> None:
    text = "ขยะ | *ด่วน* <script>x</script>\nบรรทัดสอง"
    doc = replace(sample_document, proposals=(ProposalGroup("ขยะ", (Proposal(text, "media", 1),)),))
    markdown = render_markdown(doc)
    escaped = "ขยะ \\| \\*ด่วน\\* \\<script\\>x\\</script\\><br>บรรทัดสอง"
    assert f"| ๑ | {escaped} | สื่อ\u200bมวลชน | ๑ |" in markdown


def test_agenda_markdown_line_starts_that_make_lists_are_escaped() -> None:
    assert escape_markdown("- ไม่ใช่รายการ\n1. ไม่ใช่ลำดับ\n๑. ตัวเลขไทย") == (
        "\\- ไม่ใช่รายการ\n\\1. ไม่ใช่ลำดับ\n๑. ตัวเลขไทย"
    )


def test_agenda_markdown_total_rows_are_bold(sample_document: AgendaDocument) -> None:
    assert "|   | **รวม** | **๑๖๐** | **๑๐๐.๐** |" in render_markdown(sample_document)
