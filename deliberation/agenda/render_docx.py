"""The agenda as an editable Word document in Thai official style (python-docx).

Why so much font plumbing: Word draws Thai with a run's *complex-script* settings (the ``cs``
font slot, ``w:szCs`` size, ``w:bCs`` bold), not with the ``ascii`` font and ``w:sz`` that
python-docx sets. A document that sets only those shows Thai in Word's default Thai font at
the default size however it looks in the XML. So every run, style and the document defaults get
"TH Sarabun New" in all four slots (ascii, hAnsi, cs, eastAsia), both sizes, both bolds, and
the theme-font attributes that would override them are removed.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.shared import Cm, Pt
from docx.table import _Cell
from docx.text.paragraph import Paragraph as DocxParagraph

from deliberation.agenda.document import (
    SIGNATURE_LINE,
    AgendaDocument,
    Block,
    Bullets,
    Heading,
    Notice,
    Paragraph,
    Signatures,
    Table,
    TitlePage,
    agenda_title,
    clean_text,
    layout,
)

FONT = "TH Sarabun New"  # the Thai government's standard document font (Sarabun family)
LANGUAGE = "th-TH"  # marks runs as Thai so Word uses Thai line breaking and proofing
BODY_PT = 16  # the official body size for TH Sarabun New
TABLE_PT = 14  # eight indicator columns fit A4 portrait at 14 pt; common in Thai official tables
HEADING_PT = {1: 20, 2: 18, 3: 16}  # sections, subsections, parts of an item (bold body size)
TITLE_PT = 24
SUBTITLE_PT = 20
# A4 with the margins of a Thai government document (ระเบียบงานสารบรรณ practice).
PAGE_WIDTH_CM, PAGE_HEIGHT_CM = 21.0, 29.7
MARGIN_TOP_CM, MARGIN_BOTTOM_CM, MARGIN_LEFT_CM, MARGIN_RIGHT_CM = 2.5, 2.0, 3.0, 2.0
HEADER_DISTANCE_CM = 1.2  # the page number sits in the top margin, as in official letters
TEXT_WIDTH_CM = PAGE_WIDTH_CM - MARGIN_LEFT_CM - MARGIN_RIGHT_CM  # 16 cm for tables
TITLE_SPACE_BEFORE_PT = 150  # pushes the title to the upper third of the title page
HEADER_FILL = "D9D9D9"  # light grey header rows: readable when photocopied in black and white
NOTICE_FILL = "FFF4CE"  # pale yellow: a missing part stands out on screen and on paper
NOTICE_BORDER = "C9A227"
# Rows with less text than this may not break across pages (Word's "cantSplit"); a longer row
# could be taller than a page, and forbidding its split would push it past the page bottom.
CANT_SPLIT_MAX_CHARS = 400
# Narrower cell padding than Word's 0.19 cm leaves Thai words room in narrow columns.
CELL_PADDING_CM = 0.1
PROPERTY_MAX_CHARS = 255  # python-docx refuses longer core properties (title, subject, author)
# Page numbers in Thai digits come from the section's number format, which Word and
# LibreOffice both honour; the field switch "\\* ThaiArabic" shows ก ข ค in LibreOffice.
PAGE_NUMBER_FORMAT_THAI = "thaiNumbers"
PAGE_NUMBER_FORMAT_ARABIC = "decimal"
FIRST_LINE_INDENT_CM = 2.5  # body paragraphs are indented like a Thai official document
SIGNATURE_INDENT_CM = 6.0  # signature blocks sit on the right half, centred there
BLANK_NAME = "(........................................)"
EMBLEM_HEIGHT_CM = 3.0  # the Garuda of an official announcement is 3 cm high

# Child order of w:rPr and w:pPr in the WordprocessingML schema; Word rejects a document whose
# property children are out of order, and python-docx only knows some of them.
_RPR_ORDER = (
    "w:rStyle",
    "w:rFonts",
    "w:b",
    "w:bCs",
    "w:i",
    "w:iCs",
    "w:caps",
    "w:smallCaps",
    "w:strike",
    "w:dstrike",
    "w:outline",
    "w:shadow",
    "w:emboss",
    "w:imprint",
    "w:noProof",
    "w:snapToGrid",
    "w:vanish",
    "w:webHidden",
    "w:color",
    "w:spacing",
    "w:w",
    "w:kern",
    "w:position",
    "w:sz",
    "w:szCs",
    "w:highlight",
    "w:u",
    "w:effect",
    "w:bdr",
    "w:shd",
    "w:fitText",
    "w:vertAlign",
    "w:rtl",
    "w:cs",
    "w:em",
    "w:lang",
    "w:eastAsianLayout",
    "w:specVanish",
    "w:oMath",
)
_PPR_ORDER = (
    "w:pStyle",
    "w:keepNext",
    "w:keepLines",
    "w:pageBreakBefore",
    "w:framePr",
    "w:widowControl",
    "w:numPr",
    "w:suppressLineNumbers",
    "w:pBdr",
    "w:shd",
    "w:tabs",
    "w:suppressAutoHyphens",
    "w:kinsoku",
    "w:wordWrap",
    "w:overflowPunct",
    "w:topLinePunct",
    "w:autoSpaceDE",
    "w:autoSpaceDN",
    "w:bidi",
    "w:adjustRightInd",
    "w:snapToGrid",
    "w:spacing",
    "w:ind",
    "w:contextualSpacing",
    "w:mirrorIndents",
    "w:suppressOverlap",
    "w:jc",
    "w:textDirection",
    "w:textAlignment",
    "w:textboxTightWrap",
    "w:outlineLvl",
    "w:divId",
    "w:cnfStyle",
    "w:rPr",
    "w:sectPr",
    "w:pPrChange",
)
_TRPR_ORDER = ("w:cnfStyle", "w:divId", "w:gridBefore", "w:gridAfter", "w:wBefore", "w:wAfter")
_TRPR_ORDER += ("w:cantSplit", "w:trHeight", "w:tblHeader", "w:tblCellSpacing", "w:jc")
_TCPR_ORDER = ("w:cnfStyle", "w:tcW", "w:gridSpan", "w:hMerge", "w:vMerge", "w:tcBorders")
_TCPR_ORDER += ("w:shd", "w:noWrap", "w:tcMar", "w:textDirection", "w:tcFitText", "w:vAlign")
_TBLPR_ORDER = ("w:tblStyle", "w:tblpPr", "w:tblOverlap", "w:bidiVisual", "w:tblW", "w:jc")
_TBLPR_ORDER += ("w:tblCellSpacing", "w:tblInd", "w:tblBorders", "w:shd", "w:tblLayout")
_TBLPR_ORDER += ("w:tblCellMar", "w:tblLook", "w:tblCaption", "w:tblDescription")
_SECTPR_ORDER = ("w:footnotePr", "w:endnotePr", "w:type", "w:pgSz", "w:pgMar", "w:paperSrc")
_SECTPR_ORDER += ("w:pgBorders", "w:lnNumType", "w:pgNumType", "w:cols", "w:formProt")
_SECTPR_ORDER += ("w:vAlign", "w:noEndnote", "w:titlePg", "w:textDirection", "w:bidi")
_THEME_FONT_ATTRIBUTES = ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme")


def render_docx(doc: AgendaDocument) -> bytes:
    """The agenda as a .docx file's bytes."""
    document = Document()
    _set_up_styles(document)
    _set_up_page(document, doc.options.thai_numerals)
    _set_properties(document, doc)
    body = document.element.body
    # The template starts with one empty paragraph; the title page replaces it.
    for paragraph in body.findall(qn("w:p")):
        body.remove(paragraph)
    writer = _Writer(document)
    for block in layout(doc):
        writer.write(block)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def render_blocks_docx(blocks: Sequence[Block], title: str, *, thai_numerals: bool = True) -> bytes:
    """Other documents laid out in the agenda's blocks (the attendance sheet) as a .docx."""
    document = Document()
    _set_up_styles(document)
    _set_up_page(document, thai_numerals)
    document.core_properties.title = _property(title)
    document.core_properties.author = "Samatcha"
    document.core_properties.language = LANGUAGE
    body = document.element.body
    for paragraph in body.findall(qn("w:p")):
        body.remove(paragraph)
    writer = _Writer(document)
    for block in blocks:
        writer.write(block)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


class _Writer:
    """Maps each layout block to Word paragraphs and tables."""

    def __init__(self, document: DocxDocument) -> None:
        self.document = document
        self.landscape = False

    def turn(self, landscape: bool) -> None:
        """A new section on a new page, landscape for a wide table, portrait after it; the
        header (page number) and its Thai number format carry on."""
        first = self.document.sections[0]
        section = self.document.add_section(WD_SECTION.NEW_PAGE)
        section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
        long, short = Cm(PAGE_HEIGHT_CM), Cm(PAGE_WIDTH_CM)
        section.page_width, section.page_height = (long, short) if landscape else (short, long)
        for side in ("top_margin", "bottom_margin", "left_margin", "right_margin"):
            setattr(section, side, getattr(first, side))
        section.different_first_page_header_footer = False
        number = first._sectPr.find(qn("w:pgNumType"))
        if number is not None:
            copy = _child(section._sectPr, "w:pgNumType", _SECTPR_ORDER)
            copy.set(qn("w:fmt"), number.get(qn("w:fmt")))
        self.landscape = landscape

    def write(self, block: Block) -> None:
        wide = isinstance(block, Table) and block.landscape
        if wide != self.landscape:
            self.turn(wide)
        match block:
            case TitlePage():
                self.title_page(block)
            case Heading():
                self.heading(block)
            case Paragraph():
                self.paragraph(block)
            case Bullets():
                for item in block.items:
                    paragraph = self.document.add_paragraph(style="List Bullet")
                    _add_run(paragraph, item, BODY_PT)
            case Table():
                self.table(block)
            case Notice():
                self.notice(block)
            case Signatures():
                self.signatures(block)

    def signatures(self, block: Signatures) -> None:
        """Each signatory as a block on the right half: role, signature line, name, position,
        kept together on one page."""
        for role, name, position in block.lines:
            lines = [SIGNATURE_LINE + role, f"({name})" if name else BLANK_NAME]
            if position:
                lines.append(position)
            for index, line in enumerate(lines):
                paragraph = self.document.add_paragraph()
                paragraph.paragraph_format.left_indent = Cm(SIGNATURE_INDENT_CM)
                paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
                paragraph.paragraph_format.keep_with_next = index < len(lines) - 1
                paragraph.paragraph_format.keep_together = True
                if index == 0:
                    paragraph.paragraph_format.space_before = Pt(30)
                _add_run(paragraph, line, BODY_PT)

    def title_page(self, block: TitlePage) -> None:
        title = self.document.add_paragraph()
        title.alignment = WD_ALIGN_PARAGRAPH.CENTER
        title.paragraph_format.space_before = Pt(TITLE_SPACE_BEFORE_PT)
        title.paragraph_format.space_after = Pt(12)
        _add_run(title, block.title, TITLE_PT, bold=True)
        if block.subtitle:
            subtitle = self.document.add_paragraph()
            subtitle.alignment = WD_ALIGN_PARAGRAPH.CENTER
            subtitle.paragraph_format.space_after = Pt(24)
            _add_run(subtitle, block.subtitle, SUBTITLE_PT, bold=True)
        for line in block.lines:
            paragraph = self.document.add_paragraph()
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            _add_run(paragraph, line, BODY_PT)

    def heading(self, block: Heading) -> None:
        paragraph = self.document.add_paragraph(style=f"Heading {block.level}")
        paragraph.paragraph_format.page_break_before = block.page_break
        _add_run(paragraph, block.full_text, HEADING_PT[block.level], bold=True)

    def paragraph(self, block: Paragraph) -> None:
        paragraph = self.document.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.THAI_JUSTIFY
        if not block.label:
            paragraph.paragraph_format.first_line_indent = Cm(FIRST_LINE_INDENT_CM)
        if block.label:  # a label leads what follows (a plan's table): keep them together
            paragraph.paragraph_format.keep_with_next = True
            _add_run(paragraph, block.label + (" " if block.text else ""), BODY_PT, bold=True)
        if block.text:
            _add_run(paragraph, block.text, BODY_PT)

    def notice(self, block: Notice) -> None:
        paragraph = self.document.add_paragraph()
        p_pr = paragraph._p.get_or_add_pPr()
        borders = _child(p_pr, "w:pBdr", _PPR_ORDER)
        for side in ("top", "left", "bottom", "right"):
            border = _child(borders, f"w:{side}", ("w:top", "w:left", "w:bottom", "w:right"))
            border.set(qn("w:val"), "single")
            border.set(qn("w:sz"), "8")
            border.set(qn("w:space"), "4")
            border.set(qn("w:color"), NOTICE_BORDER)
        _shade(_child(p_pr, "w:shd", _PPR_ORDER), NOTICE_FILL)
        _add_run(paragraph, block.text, BODY_PT, bold=True)

    def table(self, block: Table) -> None:
        rows: list[tuple[tuple[str, ...], str]] = [(block.header, "header")]
        rows += [(row, "body") for row in block.rows]
        if block.total:
            rows.append((block.total, "total"))
        table = self.document.add_table(rows=len(rows), cols=len(block.header))
        table.style = self.document.styles["Table Grid"]
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False  # fixed layout: the widths below are kept by Word and LibreOffice
        width_cm = PAGE_HEIGHT_CM - MARGIN_LEFT_CM - MARGIN_RIGHT_CM if block.landscape else None
        widths = _column_widths(block.widths, width_cm)
        _set_table_width(table._tbl, sum(widths))
        _set_cell_padding(table._tbl, Cm(CELL_PADDING_CM))
        for column, width in zip(table.columns, widths, strict=True):
            column.width = width
        for row, (values, kind) in zip(table.rows, rows, strict=True):
            tr_pr = row._tr.get_or_add_trPr()
            if kind == "header":
                _child(tr_pr, "w:tblHeader", _TRPR_ORDER)  # repeat on every page
            if kind == "header" or sum(map(len, values)) <= CANT_SPLIT_MAX_CHARS:
                _child(tr_pr, "w:cantSplit", _TRPR_ORDER)
            for index, (cell, value) in enumerate(zip(row.cells, values, strict=True)):
                cell.width = widths[index]
                centred = kind == "header" or block.numeric[index]
                self.cell(cell, value, bold=kind != "body", centred=centred)
                if kind == "header":
                    _shade(_child(cell._tc.get_or_add_tcPr(), "w:shd", _TCPR_ORDER), HEADER_FILL)
        # Word needs a paragraph between two tables, or it joins them into one.
        spacer = self.document.add_paragraph()
        spacer.paragraph_format.space_after = Pt(0)
        _add_run(spacer, "", TABLE_PT)

    def cell(self, cell: _Cell, text: str, *, bold: bool, centred: bool) -> None:
        paragraph = cell.paragraphs[0]
        paragraph.paragraph_format.space_after = Pt(0)
        paragraph.paragraph_format.keep_together = False
        if centred:
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _add_run(paragraph, text, TABLE_PT, bold=bold)


def _add_run(paragraph: DocxParagraph, text: str, size: int, *, bold: bool = False) -> None:
    run = paragraph.add_run(text)  # python-docx turns "\n" into a line break and "\t" into a tab
    _format_rpr(run._r.get_or_add_rPr(), size, bold=bold)


def _format_rpr(r_pr: BaseOxmlElement, size: int | None, *, bold: bool | None = None) -> None:
    """Font in all four slots, size in both size slots, bold in both bold slots, Thai language."""
    fonts = _child(r_pr, "w:rFonts", _RPR_ORDER)
    for attribute in _THEME_FONT_ATTRIBUTES:
        fonts.attrib.pop(qn(attribute), None)
    for slot in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(slot), FONT)
    if bold is not None:
        for tag in ("w:b", "w:bCs"):
            _child(r_pr, tag, _RPR_ORDER).set(qn("w:val"), "1" if bold else "0")
    if size is not None:
        for tag in ("w:sz", "w:szCs"):
            _child(r_pr, tag, _RPR_ORDER).set(qn("w:val"), str(size * 2))  # half-points
    language = _child(r_pr, "w:lang", _RPR_ORDER)
    language.set(qn("w:val"), LANGUAGE)
    language.set(qn("w:bidi"), LANGUAGE)


def _child(parent: BaseOxmlElement, tag: str, order: Sequence[str]) -> BaseOxmlElement:
    """The parent's `tag` child, created in its schema position if it does not exist."""
    existing = parent.find(qn(tag))
    if existing is not None:
        return existing
    element = OxmlElement(tag)
    later = {qn(name) for name in order[order.index(tag) + 1 :]}
    for sibling in parent:
        if sibling.tag in later:
            sibling.addprevious(element)
            return element
    parent.append(element)
    return element


def _shade(shd: BaseOxmlElement, fill: str) -> None:
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)


def _column_widths(weights: Sequence[int], width_cm: float | None = None) -> list[int]:
    total = sum(weights)
    return [Cm((width_cm or TEXT_WIDTH_CM) * weight / total) for weight in weights]


def _set_table_width(tbl: BaseOxmlElement, width_emu: int) -> None:
    tbl_w = _child(tbl.tblPr, "w:tblW", _TBLPR_ORDER)
    tbl_w.set(qn("w:type"), "dxa")
    tbl_w.set(qn("w:w"), str(round(width_emu / 635)))  # EMU → twentieths of a point


def _set_cell_padding(tbl: BaseOxmlElement, padding_emu: int) -> None:
    margins = _child(tbl.tblPr, "w:tblCellMar", _TBLPR_ORDER)
    for side in ("left", "right"):
        margin = _child(margins, f"w:{side}", ("w:top", "w:left", "w:bottom", "w:right"))
        margin.set(qn("w:w"), str(round(padding_emu / 635)))
        margin.set(qn("w:type"), "dxa")


def _set_up_styles(document: DocxDocument) -> None:
    """Document defaults, Normal, headings and lists all in TH Sarabun New, black, Thai."""
    styles = document.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    if defaults is not None:
        r_pr = defaults.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}")
        if r_pr is not None:
            _format_rpr(r_pr, BODY_PT)
    normal = document.styles["Normal"]
    _format_rpr(normal.element.get_or_add_rPr(), BODY_PT)
    normal.paragraph_format.space_before = Pt(0)
    normal.paragraph_format.space_after = Pt(4)
    normal.paragraph_format.line_spacing = 1.0
    for level, size in HEADING_PT.items():
        style = document.styles[f"Heading {level}"]
        _format_rpr(style.element.get_or_add_rPr(), size, bold=True)
        for tag in ("w:color", "w:i", "w:iCs"):  # the template's blue, italic headings
            for element in style.element.rPr.findall(qn(tag)):
                style.element.rPr.remove(element)
        style.paragraph_format.space_before = Pt(12 if level == 1 else 8)
        style.paragraph_format.space_after = Pt(4)
        style.paragraph_format.keep_with_next = True
    for name in ("List Bullet", "Table Grid"):
        _format_rpr(document.styles[name].element.get_or_add_rPr(), None)


def _set_up_page(document: DocxDocument, thai_numerals: bool) -> None:
    """A4 portrait, official margins, page numbers "- ๒ -" at the top from page two."""
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(PAGE_WIDTH_CM), Cm(PAGE_HEIGHT_CM)
    section.top_margin, section.bottom_margin = Cm(MARGIN_TOP_CM), Cm(MARGIN_BOTTOM_CM)
    section.left_margin, section.right_margin = Cm(MARGIN_LEFT_CM), Cm(MARGIN_RIGHT_CM)
    section.header_distance = Cm(HEADER_DISTANCE_CM)
    section.different_first_page_header_footer = True  # no number on the title page
    paragraph = section.header.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _add_run(paragraph, "- ", BODY_PT)
    _add_page_field(paragraph)
    _add_run(paragraph, " -", BODY_PT)
    number_type = _child(section._sectPr, "w:pgNumType", _SECTPR_ORDER)
    number_type.set(
        qn("w:fmt"), PAGE_NUMBER_FORMAT_THAI if thai_numerals else PAGE_NUMBER_FORMAT_ARABIC
    )


def _add_page_field(paragraph: DocxParagraph) -> None:
    """A PAGE field as begin / instruction / separate / cached "1" / end runs."""
    for kind, text in (
        ("begin", None),
        ("instr", " PAGE "),
        ("separate", None),
        ("text", "1"),
        ("end", None),
    ):
        run = paragraph.add_run()
        _format_rpr(run._r.get_or_add_rPr(), BODY_PT)
        if kind == "instr":
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        elif kind == "text":
            element = OxmlElement("w:t")
            element.text = text
        else:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        run._r.append(element)


def _set_properties(document: DocxDocument, doc: AgendaDocument) -> None:
    """File properties (title, subject, author) as Word's "Properties" dialog shows them."""
    properties = document.core_properties
    properties.title = _property(agenda_title(doc.cover))
    properties.subject = _property(doc.cover.assembly_name)
    properties.author = _property(doc.cover.organizer) or "Samatcha"
    properties.last_modified_by = "Samatcha"
    properties.language = LANGUAGE
    properties.comments = ""
    if doc.prepared_on is not None:
        moment = dt.datetime.combine(doc.prepared_on, dt.time(), tzinfo=dt.UTC)
        properties.created = properties.modified = moment


def _property(text: str) -> str:
    flat = " ".join(clean_text(text).split())
    return flat if len(flat) <= PROPERTY_MAX_CHARS else flat[: PROPERTY_MAX_CHARS - 1] + "…"


def render_announcement_docx(doc: AgendaDocument) -> bytes:
    """The provincial announcement as an editable .docx: the official one- or two-page form."""
    from deliberation.agenda.announcement import announcement

    text = announcement(doc)
    document = Document()
    _set_up_styles(document)
    _set_up_page(document, doc.options.thai_numerals)
    properties = document.core_properties
    properties.title = _property(f"{text.heading} {text.subject}")
    properties.author = "Samatcha"
    properties.language = LANGUAGE
    section = document.sections[0]
    section.top_margin = Cm(1.5)  # the emblem sits 1.5 cm from the top edge
    body = document.element.body
    for paragraph in body.findall(qn("w:p")):
        body.remove(paragraph)

    def line(
        value: str,
        *,
        centre: bool = False,
        bold: bool = False,
        indent: float | None = None,
        left: float | None = None,
        before: int = 0,
    ) -> DocxParagraph:
        paragraph = document.add_paragraph()
        paragraph.alignment = (
            WD_ALIGN_PARAGRAPH.CENTER if centre else WD_ALIGN_PARAGRAPH.THAI_JUSTIFY
        )
        if indent is not None:
            paragraph.paragraph_format.first_line_indent = Cm(indent)
        if left is not None:
            paragraph.paragraph_format.left_indent = Cm(left)
        paragraph.paragraph_format.space_before = Pt(before)
        paragraph.paragraph_format.space_after = Pt(0)
        _add_run(paragraph, clean_text(value), BODY_PT, bold=bold)
        return paragraph

    emblem = document.add_paragraph()
    emblem.alignment = WD_ALIGN_PARAGRAPH.CENTER
    if text.emblem:
        try:
            emblem.add_run().add_picture(io.BytesIO(text.emblem), height=Cm(EMBLEM_HEIGHT_CM))
        except Exception:
            _add_run(emblem, "", BODY_PT)
    else:  # the slot keeps its height so the heading stays where a printed form has it
        emblem.paragraph_format.space_before = Pt(EMBLEM_HEIGHT_CM * 28.35)
        _add_run(emblem, "", BODY_PT)
    line(text.heading, centre=True, bold=True, before=6)
    line(text.subject, centre=True, bold=True)
    line("-" * 24, centre=True)
    for paragraph in text.paragraphs:
        line(paragraph, indent=FIRST_LINE_INDENT_CM, before=6)
    for point in text.points:
        line(point, indent=FIRST_LINE_INDENT_CM)
    # The closing, the date and the signature stay on one page: a signature alone on a
    # page of its own signs nothing.
    for paragraph in text.closing:
        line(
            paragraph, indent=FIRST_LINE_INDENT_CM, before=6
        ).paragraph_format.keep_with_next = True
    line(text.date_line, left=4.5, before=18).paragraph_format.keep_with_next = True
    signature = [SIGNATURE_LINE, text.signer_name, text.signer_position]
    for index, value in enumerate(signature):
        paragraph = line(
            value, centre=True, left=SIGNATURE_INDENT_CM, before=36 if index == 0 else 0
        )
        paragraph.paragraph_format.keep_with_next = index < len(signature) - 1
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
