"""Reading proposal tables in the encodings Thai spreadsheets come in."""

from __future__ import annotations

import io

import pytest

from deliberation.tabular import decode, proposal_texts, read_csv, read_table, text_column

CSV = "id,ข้อเสนอ\n1,ใส่หมวกกันน็อก\n2,แยกขยะ\n"


@pytest.mark.parametrize(
    "data",
    [CSV.encode("utf-8"), b"\xef\xbb\xbf" + CSV.encode("utf-8"), CSV.encode("cp874")],
    ids=["utf-8", "utf-8-bom", "tis-620"],
)
def test_csv_is_read_in_every_thai_encoding(data: bytes) -> None:
    table = read_csv(data)
    assert table.header == ("id", "ข้อเสนอ")
    assert proposal_texts(table) == ["ใส่หมวกกันน็อก", "แยกขยะ"]


def test_semicolons_and_short_rows_are_handled() -> None:
    table = read_csv("a;b;c\n1;ลดถุงพลาสติก\n".encode())
    assert table.rows == (("1", "ลดถุงพลาสติก", ""),)


def test_the_wordy_thai_column_is_found_without_a_known_header() -> None:
    table = read_csv("no,remark\n1,ช่วยกันดูแลผู้สูงอายุในชุมชน\n2,ok\n".encode())
    assert text_column(table) == "remark"


def test_decode_prefers_utf8() -> None:
    assert decode("ข้อ".encode()) == "ข้อ"
    assert decode("ข้อ".encode("cp874")) == "ข้อ"


def test_xlsx_first_sheet_is_read() -> None:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["text", "network"])
    sheet.append(["เมาไม่ขับ", "media"])
    sheet.append([123, None])
    buffer = io.BytesIO()
    workbook.save(buffer)
    table = read_table(buffer.getvalue(), "proposals.xlsx")
    assert table.column("text") == ["เมาไม่ขับ", "123"]
