"""The printable HTML page: self-contained, print CSS, same order as the DOCX, XSS inert."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import replace
from html.parser import HTMLParser

import docx

from deliberation.agenda.document import AgendaDocument, Proposal, ProposalGroup
from deliberation.agenda.render_html import render_html

PAYLOADS = (
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(2)">',
    '"><svg onload=alert(3)>',
    "</style><script>alert(4)</script>",
    "javascript:alert(5)",
)
ALLOWED_TAGS = {
    "html", "head", "meta", "title", "style", "body", "main", "header", "h1", "h2", "h3", "h4",
    "p", "strong", "ul", "li", "table", "colgroup", "col", "thead", "tbody", "tr", "th", "td",
    "div",
}  # fmt: skip


class Collector(HTMLParser):
    """Tags, attributes and heading texts of a page, as a browser's parser sees them."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.headings: list[str] = []
        self._in_heading = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))
        if tag in {"h2", "h3", "h4"}:
            self._in_heading = True
            self.headings.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag in {"h2", "h3", "h4"}:
            self._in_heading = False

    def handle_data(self, data: str) -> None:
        if self._in_heading:
            self.headings[-1] += data


def parsed(page: str) -> Collector:
    collector = Collector()
    collector.feed(page)
    collector.close()
    return collector


def test_agenda_html_is_a_complete_thai_page_with_print_css(
    sample_document: AgendaDocument,
) -> None:
    page = render_html(sample_document)
    assert page.startswith('<!DOCTYPE html>\n<html lang="th">')
    assert page.rstrip().endswith("</html>")
    assert "@page { size: A4; margin: 2.5cm 2cm 2cm 3cm; }" in page
    assert 'font-family: "TH Sarabun New", "Sarabun"' in page
    assert "thead { display: table-header-group; }" in page
    assert "<title>วาระคุณธรรมจังหวัดพิจิตร</title>" in page


def test_agenda_html_loads_nothing_from_outside(sample_document: AgendaDocument) -> None:
    page = render_html(sample_document)
    assert not re.search(r"https?:|//[a-z]|@import|url\(|<link|<script", page, re.IGNORECASE)
    assert "default-src 'none'" in page


def test_agenda_html_major_sections_start_a_new_printed_page(
    sample_document: AgendaDocument,
) -> None:
    page = render_html(sample_document)
    breaks = re.findall(r'<h2 class="page-break">([^<]*)</h2>', page)
    assert breaks == [
        "๑. ความเป็นมา",
        "๕. วาระคุณธรรมจังหวัดพิจิตร",
        "ภาคผนวก ข้อเสนอทั้งหมดจำแนกตามประเด็น",
    ]


def test_agenda_html_shows_the_same_headings_in_the_same_order_as_the_docx(
    sample_document: AgendaDocument, sample_docx: bytes
) -> None:
    document = docx.Document(io.BytesIO(sample_docx))
    docx_headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert parsed(render_html(sample_document)).headings == docx_headings


def test_agenda_html_payloads_in_any_text_stay_text(
    make_document: Callable[..., AgendaDocument],
) -> None:
    sample = make_document()
    evil = " ".join(PAYLOADS)
    doc = replace(
        sample,
        cover=replace(sample.cover, assembly_name=evil, venue=evil, province=evil),
        items=(replace(sample.items[0], title=evil, goal=evil),),
        proposals=(ProposalGroup(evil, (Proposal(evil, evil, 1),)),),
    )
    page = render_html(doc)
    collector = parsed(page)
    assert {tag for tag, _ in collector.tags} <= ALLOWED_TAGS
    attributes = {name for _, attrs in collector.tags for name, _ in attrs}
    assert not any(name.startswith("on") for name in attributes)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert page.count("<script") == 0


def test_agenda_html_tables_have_header_rows_and_a_bold_total(
    sample_document: AgendaDocument,
) -> None:
    page = render_html(sample_document)
    assert '<th scope="col">ตัวชี้วัด</th>' in page
    assert '<tr class="total"><td class="num"></td><td>รวม</td><td class="num">๑๖๐</td>' in page
