"""The agenda as Markdown (GitHub tables), in the same order as the DOCX and the HTML page.

For pasting into a wiki, a chat or an e-mail. Participants' text is escaped so that a stray
``*``, ``|`` or ``<script>`` is shown as typed instead of becoming formatting or markup.
"""

from __future__ import annotations

import re

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
    layout,
)

# Characters with a meaning anywhere in a line (emphasis, code, links, HTML, tables, headings).
_INLINE = re.compile(r"([\\`*_\[\]<>|~#])")
# Characters that start a list, a quote or a setext heading at the start of a line.
_LINE_START = re.compile(r"^(\s*)([-+=>]|[0-9]+[.)])", re.MULTILINE)  # ASCII digits only
LINE_BREAK = "<br>"  # a new line inside a table cell; the one piece of HTML we write ourselves


def render_markdown(doc: AgendaDocument) -> str:
    """The agenda as Markdown text."""
    return "\n\n".join(_block(block) for block in layout(doc)) + "\n"


def escape_markdown(text: str) -> str:
    """Text that Markdown shows literally."""
    text = _INLINE.sub(r"\\\1", text)
    return _LINE_START.sub(lambda m: m[1] + "\\" + m[2], text)


def _cell(text: str) -> str:
    return escape_markdown(text).replace("\n", LINE_BREAK) or " "


def _block(block: Block) -> str:
    match block:
        case TitlePage():
            lines = [f"# {escape_markdown(block.title)}"]
            if block.subtitle:
                lines.append(f"**{escape_markdown(block.subtitle)}**")
            lines.extend(escape_markdown(line) for line in block.lines)
            return "\n\n".join(lines)
        case Heading():
            return f"{'#' * (block.level + 1)} {escape_markdown(block.full_text)}"
        case Paragraph():
            label = f"**{escape_markdown(block.label)}** " if block.label else ""
            return (label + escape_markdown(block.text)).rstrip()
        case Bullets():
            return "\n".join(f"- {escape_markdown(item)}" for item in block.items)
        case Table():
            return _table(block)
        case Notice():
            return "> " + escape_markdown(block.text).replace("\n", "\n> ")
        case Signatures():
            return "\n\n".join(
                "\n".join(
                    escape_markdown(x) + "  "
                    for x in (
                        SIGNATURE_LINE + role,
                        f"({name})" if name else "(........................................)",
                        *([position] if position else []),
                    )
                ).rstrip()
                for role, name, position in block.lines
            )


def _table(table: Table) -> str:
    lines = ["| " + " | ".join(_cell(cell) for cell in table.header) + " |"]
    lines.append("| " + " | ".join(":---:" if n else "---" for n in table.numeric) + " |")
    lines.extend("| " + " | ".join(_cell(cell) for cell in row) + " |" for row in table.rows)
    if table.total:
        bold = (f"**{_cell(cell)}**" if cell.strip() else " " for cell in table.total)
        lines.append("| " + " | ".join(bold) + " |")
    return "\n".join(lines)
