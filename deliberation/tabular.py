"""Reading proposal tables (CSV or XLSX) from bytes: pure functions, the caller does the I/O.

Thai spreadsheets arrive as UTF-8, UTF-8 with a BOM (Excel's "CSV UTF-8"), or TIS-620 /
Windows-874 (Excel's plain "CSV" on a Thai Windows), so the encoding is detected, not assumed.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from assembly.text import clean_text

# Header names (lower-cased) taken as the proposal text column, in order of preference.
TEXT_COLUMNS = ("text", "proposal", "ข้อเสนอ", "ข้อความ", "ความคิดเห็น", "ประเด็น")
# Delimiters recognised, the first winning ties (comma is the CSV default).
DELIMITERS = (",", ";", "\t")
_THAI = range(0x0E01, 0x0E5C)


# Bounds checked row by row while reading, before anything is padded or kept: one CSV row of
# 50,000 commas once widened every row to 50,000 cells (380 MB for a 74 KiB file), and an XLSX
# whose <dimension> claimed 16,384 columns did the same to every row of the sheet.
MAX_COLUMNS = 100
"""A proposal sheet has a text column, a network and a few more (a form export: ~30)."""
MAX_CELLS = 250_000
"""Filled-or-padded cells kept in memory: 5,000 rows (the import limit) × 50 columns."""
MAX_XLSX_UNPACKED_BYTES = 64 * 1024 * 1024
"""An XLSX is a ZIP: its XML, unpacked, may be this large (5,000 long Thai proposals are ~10 MB);
a small file that unpacks to gigabytes (a ZIP bomb) is refused before it is opened."""


@dataclass(frozen=True, slots=True)
class Table:
    """A header and rows of cleaned cell strings (short rows padded with "")."""

    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    more_rows: int = 0
    """Non-empty rows counted past `max_rows` but not kept (the caller refuses the file)."""

    def column(self, name: str) -> list[str]:
        """All values of one column."""
        index = self.header.index(name)
        return [row[index] for row in self.rows]


# A decoded file with more than this share of replacement characters (or NULs) is not text in
# any encoding we read: a binary file, or UTF-16 without its byte-order mark.
UNREADABLE_SHARE = 0.05


class UnreadableFile(ValueError):
    """The bytes are not a table we can read (binary, unknown encoding, broken XLSX)."""


class TableTooLarge(ValueError):
    """The table is wider, fuller or larger unpacked than the bounds above."""

    def __init__(self, bound: str, limit: int, row: int = 0) -> None:
        super().__init__(f"{bound} over {limit} (row {row})")
        self.bound = bound  # "columns", "cells" or "unpacked"
        self.limit = limit
        self.row = row  # as the spreadsheet numbers it (the header is row 1); 0 if none


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


def read_csv(data: bytes, max_rows: int | None = None) -> Table:
    """Parse CSV bytes; the delimiter (comma, semicolon, tab) is the one the header uses most
    (Excel in some locales writes semicolons; csv.Sniffer gives up on ragged rows)."""
    text = decode(data)
    check_readable(text)
    header = text.lstrip("\r\n").split("\n", 1)[0]
    delimiter = max(DELIMITERS, key=header.count)
    try:
        return _bounded(csv.reader(io.StringIO(text), delimiter=delimiter), max_rows)
    except csv.Error as error:  # a field over csv's size limit, a NUL byte
        raise UnreadableFile(f"not a CSV table: {error}") from error


def check_unpacked_size(data: bytes) -> None:
    """Refuse a workbook whose ZIP members add up to more than MAX_XLSX_UNPACKED_BYTES (the
    sizes its directory declares; zipfile stops reading a member that lies about its size)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError) as error:
        raise UnreadableFile(f"not an XLSX workbook: {error}") from error
    if unpacked > MAX_XLSX_UNPACKED_BYTES:
        raise TableTooLarge("unpacked", MAX_XLSX_UNPACKED_BYTES)


def read_xlsx(data: bytes, max_rows: int | None = None) -> Table:
    """First worksheet of an XLSX workbook; numbers and dates become their text.

    Read-only (rows stream from the XML) with the sheet's declared <dimension> ignored: a file
    may claim 16,384 columns and openpyxl would pad every row to that width."""
    from openpyxl import load_workbook  # type: ignore[import-untyped,unused-ignore]

    check_unpacked_size(data)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # zipfile, XML and openpyxl errors: all mean "not a workbook"
        raise UnreadableFile(f"not an XLSX workbook: {error}") from error
    try:
        if not workbook.worksheets:
            return Table(header=(), rows=())
        sheet = workbook.worksheets[0]
        if hasattr(sheet, "reset_dimensions"):  # read-only sheets (chart sheets have none)
            sheet.reset_dimensions()
        rows = (
            ["" if value is None else str(value) for value in row]
            for row in sheet.iter_rows(values_only=True)
        )
        try:
            return _bounded(rows, max_rows)
        except TableTooLarge:
            raise
        except Exception as error:  # broken XML inside the sheet, found while streaming
            raise UnreadableFile(f"not an XLSX workbook: {error}") from error
    finally:
        workbook.close()


def read_table(data: bytes, filename: str, max_rows: int | None = None) -> Table:
    """CSV or XLSX by file name (XLSX also recognised by its ZIP signature). Rows past
    `max_rows` (under the header) are counted in `more_rows`, not kept."""
    if filename.lower().endswith((".xlsx", ".xlsm")) or data.startswith(b"PK\x03\x04"):
        return read_xlsx(data, max_rows)
    return read_csv(data, max_rows)


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


def _bounded(rows: Iterable[Sequence[str]], max_rows: int | None) -> Table:
    """Keep the non-empty rows of a stream, cleaned and with trailing empty cells dropped,
    refusing a row wider than MAX_COLUMNS or a table of more than MAX_CELLS before it is kept
    or padded. Past `max_rows` rows (plus the header), rows are only counted."""
    kept: list[list[str]] = []
    width = cells = more = 0
    for number, raw in enumerate(rows, start=1):
        if len(raw) > MAX_COLUMNS:  # cheap first look: most of such a row is usually empty
            raw = list(raw)
            while raw and not (raw[-1] or "").strip():
                raw.pop()
            if len(raw) > MAX_COLUMNS:
                raise TableTooLarge("columns", MAX_COLUMNS, number)
        row = [clean_text(cell) for cell in raw]
        while row and not row[-1]:
            row.pop()
        if not row:
            continue
        if max_rows is not None and len(kept) > max_rows:
            more += 1
            continue
        width = max(width, len(row))
        cells = max(cells, width * (len(kept) + 1))  # what padding to `width` will cost
        if cells > MAX_CELLS:
            raise TableTooLarge("cells", MAX_CELLS, number)
        kept.append(row)
    table = _table(kept)
    return Table(header=table.header, rows=table.rows, more_rows=more)


def _table(rows: Sequence[Sequence[str]]) -> Table:
    rows = [row for row in rows if any(cell for cell in row)]
    if not rows:
        return Table(header=(), rows=())
    header = tuple(rows[0])
    width = max(len(row) for row in rows)
    header = header + tuple(f"column_{i + 1}" for i in range(len(header), width))
    body = tuple(tuple(row) + ("",) * (width - len(row)) for row in rows[1:])
    return Table(header=header, rows=body)
