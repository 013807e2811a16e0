"""The agenda as one printable HTML page: same blocks and order as the DOCX, nothing external.

The page carries its own print stylesheet (A4, the official margins, a new page before each
major section, header rows repeated, rows kept whole) so "Print → Save as PDF" in any browser
gives a PDF without LibreOffice. Every text is escaped, and a Content-Security-Policy forbids
scripts and remote loads, so a proposal written as markup stays text.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

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
    layout,
)

# Thai official font first, then the same design under other names (Sarabun from Google Fonts,
# TH SarabunPSK, Laksaman on Linux), then each system's own Thai font. Nothing is downloaded.
FONT_STACK = (
    '"TH Sarabun New", "Sarabun", "TH SarabunPSK", "Laksaman", "Noto Sans Thai", '
    '"Leelawadee UI", "Leelawadee", "Thonburi", "Tahoma", "Garuda", "Loma", sans-serif'
)
# No scripts, no remote anything; the inline stylesheet is the only resource the page uses.
CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
HEADING_TAGS = {1: "h2", 2: "h3", 3: "h4"}  # h1 is the agenda's title on the title page

STYLE = """
@page { size: A4; margin: 2.5cm 2cm 2cm 3cm; }
html { font-family: FONT_STACK; font-size: 16pt; line-height: 1.35; color: #000;
  background: #fff; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { margin: 0; }
main { max-width: 16cm; margin: 0 auto; padding: 1.5cm 1rem 3cm; }
h1, h2, h3, h4 { font-weight: bold; line-height: 1.25; margin: 0.6em 0 0.2em;
  break-after: avoid; page-break-after: avoid; }
h1 { font-size: 24pt; } h2 { font-size: 20pt; } h3 { font-size: 18pt; } h4 { font-size: 16pt; }
.page-break { break-before: page; page-break-before: always; }
.title-page { text-align: center; padding-top: 4.5cm; }
.title-page .subtitle { font-size: 20pt; font-weight: bold; margin-bottom: 1em; }
.title-page p { margin: 0.1em 0; }
p, li, td, th { white-space: pre-line; overflow-wrap: anywhere; }
p { margin: 0 0 0.25em; }
p.body { text-indent: 2.5cm; }
p.lead { break-after: avoid; page-break-after: avoid; }
ul { margin: 0.2em 0 0.4em; padding-left: 1.5em; }
table { width: 100%; border-collapse: collapse; table-layout: fixed; font-size: 14pt;
  margin: 0.2em 0 0.8em; }
thead { display: table-header-group; }
tr { break-inside: avoid; page-break-inside: avoid; }
th, td { border: 1px solid #000; padding: 0.05em 0.15em; vertical-align: top; text-align: left; }
th { background: #d9d9d9; text-align: center; }
.num { text-align: center; }
tr.total td { font-weight: bold; }
.notice { border: 1px solid #c9a227; background: #fff4ce; padding: 0.15em 0.4em;
  font-weight: bold; }
.signature { margin: 2.2em 0 0 40%; text-align: center; break-inside: avoid;
  page-break-inside: avoid; }
.signature p { margin: 0; }
@page wide { size: A4 landscape; }
table.landscape { page: wide; }
@media print { main { max-width: none; padding: 0; } }
""".replace("FONT_STACK", FONT_STACK)


def render_html(doc: AgendaDocument) -> str:
    """The agenda as a complete, self-contained HTML page."""
    return html_page(agenda_title(doc.cover), layout(doc))


def html_page(title: str, blocks: Sequence[Block]) -> str:
    """Blocks (the agenda's, the attendance sheet's) as one printable page."""
    body = "\n".join(_block(block) for block in blocks)
    return (
        "<!DOCTYPE html>\n"
        '<html lang="th">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{CONTENT_SECURITY_POLICY}">\n'
        f"<title>{_e(title)}</title>\n"
        f"<style>{STYLE}</style>\n</head>\n<body>\n<main>\n{body}\n</main>\n</body>\n</html>\n"
    )


def _e(text: str) -> str:
    return escape(text, quote=True)


def _block(block: Block) -> str:
    match block:
        case TitlePage():
            lines = "".join(f"<p>{_e(line)}</p>" for line in block.lines)
            subtitle = f'<p class="subtitle">{_e(block.subtitle)}</p>' if block.subtitle else ""
            title = f"<h1>{_e(block.title)}</h1>"
            return f'<header class="title-page">{title}{subtitle}{lines}</header>'
        case Heading():
            tag = HEADING_TAGS[block.level]
            attributes = ' class="page-break"' if block.page_break else ""
            return f"<{tag}{attributes}>{_e(block.full_text)}</{tag}>"
        case Paragraph():
            label = f"<strong>{_e(block.label)}</strong> " if block.label else ""
            css = ' class="lead"' if block.label else ' class="body"'
            return f"<p{css}>{label}{_e(block.text)}</p>"
        case Bullets():
            return "<ul>" + "".join(f"<li>{_e(item)}</li>" for item in block.items) + "</ul>"
        case Table():
            return _table(block)
        case Notice():
            return f'<p class="notice" role="note">{_e(block.text)}</p>'
        case Signatures():
            parts = []
            for role, name, position in block.lines:
                who = f"({name})" if name else "(........................................)"
                lines = [SIGNATURE_LINE + role, who] + ([position] if position else [])
                parts.append(
                    '<div class="signature">' + "".join(f"<p>{_e(x)}</p>" for x in lines) + "</div>"
                )
            return "".join(parts)


def _table(table: Table) -> str:
    total = sum(table.widths)
    columns = "".join(f'<col style="width:{100 * w / total:.2f}%">' for w in table.widths)
    header = "".join(f'<th scope="col">{_e(cell)}</th>' for cell in table.header)

    def row(cells: tuple[str, ...], css: str = "") -> str:
        tds = "".join(
            f'<td class="num">{_e(cell)}</td>' if numeric else f"<td>{_e(cell)}</td>"
            for cell, numeric in zip(cells, table.numeric, strict=True)
        )
        return f"<tr{css}>{tds}</tr>"

    rows = [row(cells) for cells in table.rows]
    if table.total:
        rows.append(row(table.total, ' class="total"'))
    css = ' class="landscape"' if table.landscape else ""
    return (
        f"<table{css}><colgroup>{columns}</colgroup><thead><tr>{header}</tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
    )
