"""Reading proposal tables (CSV or XLSX) from bytes: pure functions, the caller does the I/O.

Thai spreadsheets arrive as UTF-8, UTF-8 with a BOM (Excel's "CSV UTF-8"), or TIS-620 /
Windows-874 (Excel's plain "CSV" on a Thai Windows), so the encoding is detected, not assumed.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass

from deliberation.thai import clean_text

# Header names (lower-cased) taken as the proposal text column, in order of preference.
TEXT_COLUMNS = ("text", "proposal", "ข้อเสนอ", "ข้อความ", "ความคิดเห็น", "ประเด็น")
# Delimiters recognised, the first winning ties (comma is the CSV default).
DELIMITERS = (",", ";", "\t")
_THAI = range(0x0E01, 0x0E5C)


@dataclass(frozen=True, slots=True)
class Table:
    """A header and rows of cleaned cell strings (short rows padded with "")."""

    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]

    def column(self, name: str) -> list[str]:
        """All values of one column."""
        index = self.header.index(name)
        return [row[index] for row in self.rows]


# A decoded file with more than this share of replacement characters (or NULs) is not text in
# any encoding we read: a binary file, or UTF-16 without its byte-order mark.
UNREADABLE_SHARE = 0.05


class UnreadableFile(ValueError):
    """The bytes are not a table we can read (binary, unknown encoding, broken XLSX)."""


def detect_encoding(data: bytes) -> str:
    """ "utf-8-sig", "utf-16", "utf-8" or "cp874" (Windows-874, a superset of TIS-620)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"  # Excel's "Unicode Text"
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return "cp874"
    return "utf-8"


def decode(data: bytes) -> str:
    """Text of a file in UTF-8 (with or without BOM), UTF-16 with a BOM, or TIS-620/cp874.

    Valid UTF-8 wins: TIS-620 bytes almost never form valid UTF-8, and cp874 is a superset of
    TIS-620 (it adds “smart quotes” and the euro sign that Windows puts in).
    """
    return data.decode(detect_encoding(data), errors="replace")


def check_readable(text: str) -> None:
    """Raise UnreadableFile when decoding produced mostly noise."""
    if not text:
        return
    noise = text.count("\ufffd") + text.count("\x00")
    if noise / len(text) > UNREADABLE_SHARE:
        raise UnreadableFile("not a text file in UTF-8, UTF-16 or TIS-620")


def read_csv(data: bytes) -> Table:
    """Parse CSV bytes; the delimiter (comma, semicolon, tab) is the one the header uses most
    (Excel in some locales writes semicolons; csv.Sniffer gives up on ragged rows)."""
    text = decode(data)
    check_readable(text)
    header = text.lstrip("\r\n").split("\n", 1)[0]
    delimiter = max(DELIMITERS, key=header.count)
    rows = [
        [clean_text(cell) for cell in row]
        for row in csv.reader(io.StringIO(text), delimiter=delimiter)
    ]
    return _table(rows)


def read_xlsx(data: bytes) -> Table:
    """First worksheet of an XLSX workbook; numbers and dates become their text."""
    from openpyxl import load_workbook  # type: ignore[import-untyped,unused-ignore]

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # zipfile, XML and openpyxl errors: all mean "not a workbook"
        raise UnreadableFile(f"not an XLSX workbook: {error}") from error
    try:
        if not workbook.worksheets:
            return Table(header=(), rows=())
        sheet = workbook.worksheets[0]
        rows = [
            ["" if value is None else clean_text(str(value)) for value in row]
            for row in sheet.iter_rows(values_only=True)
        ]
    finally:
        workbook.close()
    return _table(rows)


def read_table(data: bytes, filename: str) -> Table:
    """CSV or XLSX by file name (XLSX also recognised by its ZIP signature)."""
    if filename.lower().endswith((".xlsx", ".xlsm")) or data.startswith(b"PK\x03\x04"):
        return read_xlsx(data)
    return read_csv(data)


def text_column(table: Table) -> str:
    """The column holding the proposals: a known header name, else the column with the most
    Thai characters (a proposal column is the wordy one)."""
    lowered = [name.strip().lower() for name in table.header]
    for wanted in TEXT_COLUMNS:
        if wanted in lowered:
            return table.header[lowered.index(wanted)]
    if not table.header:
        raise ValueError("the table has no columns")
    scores = [
        sum(1 for row in table.rows for ch in row[i] if ord(ch) in _THAI)
        for i in range(len(table.header))
    ]
    return table.header[max(range(len(scores)), key=scores.__getitem__)]


def proposal_texts(table: Table, column: str | None = None) -> list[str]:
    """Non-empty proposal texts from `column` (default: `text_column`), in row order."""
    values = table.column(column or text_column(table))
    return [value for value in values if value]


def _table(rows: Sequence[Sequence[str]]) -> Table:
    rows = [row for row in rows if any(cell for cell in row)]
    if not rows:
        return Table(header=(), rows=())
    header = tuple(rows[0])
    width = max(len(row) for row in rows)
    header = header + tuple(f"column_{i + 1}" for i in range(len(header), width))
    body = tuple(tuple(row) + ("",) * (width - len(row)) for row in rows[1:])
    return Table(header=header, rows=body)
