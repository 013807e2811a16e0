"""Issue 13, import memory: tables are bounded in columns, cells and unpacked bytes while they are
read, before any row is padded; an XLSX's declared <dimension> does not widen its rows."""

from __future__ import annotations

import io
import re
import tracemalloc
import zipfile

import pytest

from deliberation.tabular import (
    MAX_CELLS,
    MAX_COLUMNS,
    MAX_XLSX_UNPACKED_BYTES,
    TableTooLarge,
    read_csv,
    read_table,
)


def xlsx(rows: list[list[object]]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def rewrite_sheet(data: bytes, change: object) -> bytes:
    """The same workbook with its first sheet's XML passed through `change`."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                content = change(content.decode()).encode()  # type: ignore[operator]
            target.writestr(info.filename, content)
    return out.getvalue()


def test_one_csv_row_of_fifty_thousand_commas_does_not_widen_the_table() -> None:
    rows = "ข้อเสนอ,เครือข่าย\n" + "".join(f"ข้อเสนอที่ {i},media\n" for i in range(700))
    data = (rows + "ข้อเสนอท้ายไฟล์" + "," * 50_000 + "\n").encode()
    assert 70 * 1024 < len(data) < 120 * 1024  # the probe's file: ~74 KiB (it added 380 MB)
    tracemalloc.start()
    try:
        table = read_csv(data)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert table.header == ("ข้อเสนอ", "เครือข่าย")
    assert len(table.rows) == 701
    assert table.rows[-1] == ("ข้อเสนอท้ายไฟล์", "")
    assert peak < 16 * 1024 * 1024, f"{peak / 2**20:.0f} MiB to read a 78 KiB file"


def test_a_row_with_a_value_past_fifty_thousand_commas_is_refused() -> None:
    data = ("text\nเมาไม่ขับ\nx" + "," * 50_000 + "y\n").encode()
    with pytest.raises(TableTooLarge) as refused:
        read_csv(data)
    assert (refused.value.bound, refused.value.row) == ("columns", 3)


def test_trailing_empty_cells_do_not_count_as_columns() -> None:
    table = read_csv(("text,network" + "," * 500 + "\nเมาไม่ขับ,media\n").encode())
    assert table.header == ("text", "network")
    assert table.rows == (("เมาไม่ขับ", "media"),)


def test_a_table_with_too_many_cells_is_refused() -> None:
    width = 60
    rows = [",".join(f"c{j}" for j in range(width))] * (MAX_CELLS // width + 10)
    with pytest.raises(TableTooLarge) as refused:
        read_csv("\n".join(rows).encode())
    assert refused.value.bound == "cells"
    assert width <= MAX_COLUMNS


def test_rows_past_the_limit_are_counted_not_kept() -> None:
    data = ("text\n" + "".join(f"ข้อเสนอ {i}\n" for i in range(300))).encode()
    table = read_csv(data, max_rows=100)
    assert len(table.rows) == 100
    assert table.more_rows == 200


def test_an_xlsx_claiming_16384_columns_keeps_its_real_width() -> None:
    data = rewrite_sheet(
        xlsx([["text", "network"], ["เมาไม่ขับ", "media"], ["ลดการทุจริต", "business"]]),
        lambda xml: re.sub(r'<dimension ref="[^"]*"', '<dimension ref="A1:XFD3"', xml),
    )
    table = read_table(data, "claims.xlsx")
    assert table.header == ("text", "network")
    assert table.column("text") == ["เมาไม่ขับ", "ลดการทุจริต"]


def test_an_xlsx_with_a_cell_in_its_last_column_is_refused() -> None:
    data = rewrite_sheet(
        xlsx([["text"], ["เมาไม่ขับ"]]),
        lambda xml: re.sub(
            r'(<row r="2"[^>]*>.*?)</row>', r'\1<c r="XFD2"><v>1</v></c></row>', xml
        ),
    )
    assert 'r="XFD2"' in zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml").decode()
    with pytest.raises(TableTooLarge) as refused:
        read_table(data, "wide.xlsx")
    assert (refused.value.bound, refused.value.row) == ("columns", 2)


def test_an_xlsx_that_unpacks_to_more_than_the_limit_is_refused_unopened() -> None:
    bomb = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(xlsx([["text"], ["เมาไม่ขับ"]]))) as source,
        zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            target.writestr(info.filename, source.read(info.filename))
        target.writestr("xl/padding.xml", b" " * (MAX_XLSX_UNPACKED_BYTES + 1))
    assert len(bomb.getvalue()) < 1024 * 1024  # a small file
    with pytest.raises(TableTooLarge) as refused:
        read_table(bomb.getvalue(), "bomb.xlsx")
    assert refused.value.bound == "unpacked"
