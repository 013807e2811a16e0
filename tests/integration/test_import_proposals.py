"""Importing proposals from CSV and XLSX: a per-row report, and every bad file refused clearly."""

from __future__ import annotations

import csv
import io
import time
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from conftest import World

ROWS = [
    ["ข้อเสนอ", "เครือข่าย"],
    ["รณรงค์ใส่หมวกกันน็อกทุกครั้ง", "ภาครัฐ"],
    ["", "education"],
    ["😀😀🎉", "media"],
    ["123456", "3"],
    ["เปิดเผยงบประมาณ อบต.", "ภาคส่วนที่ไม่มีจริง"],
    ["ก" * 301, "media"],
    ["ร้านค้าความซื่อสัตย์ในโรงเรียน", ""],
]


def csv_bytes(rows: list[list[str]], encoding: str = "utf-8") -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(rows: list[list[Any]]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(world: World, content: bytes, name: str = "p.csv", **fields: str) -> Any:
    return world.organizer.post(
        f"/api/v1/assemblies/{world.id}/imports", files={"file": (name, content)}, data=fields
    )


def snapshot(world: World) -> dict[str, Any]:
    return world.facilitator.get(f"/api/v1/assemblies/{world.id}/snapshot").json()


def test_a_csv_is_imported_with_a_report_for_every_refused_row(world: World) -> None:
    response = upload(world, csv_bytes(ROWS))
    assert response.status_code == 200, response.text
    report = response.json()
    assert (report["total_rows"], report["imported"]) == (7, 3)
    assert (report["text_column"], report["network_column"]) == ("ข้อเสนอ", "เครือข่าย")
    reasons = {item["row"]: item["error"] for item in report["rejected"]}
    assert reasons == {3: "empty_text", 4: "no_words", 5: "no_words", 7: "too_long"}
    assert all(item["message"] for item in report["rejected"])
    assert report["rejected"][0]["message"] == "แถวนี้ไม่มีข้อความข้อเสนอ"
    assert [(w["row"], w["error"]) for w in report["warnings"]] == [(6, "unknown_network")]
    proposals = {p["text"]: p for p in snapshot(world)["proposals"]}
    assert proposals["รณรงค์ใส่หมวกกันน็อกทุกครั้ง"]["network"] == "government"
    assert proposals["เปิดเผยงบประมาณ อบต."]["network"] is None, "kept, without a network"

    again = upload(world, csv_bytes(ROWS)).json()
    assert again["imported"] == 0
    assert {i["error"] for i in again["rejected"]} >= {"already_imported"}
    assert len(snapshot(world)["proposals"]) == 3, "a second upload imports nothing twice"


def test_thai_windows_encoding_and_xlsx_are_read(world: World) -> None:
    rows = [["text", "network"], ["ส่งเสริมจิตอาสาในชุมชน", "religion"], ["ลดการทุจริต", "ภาคธุรกิจ เอกชน"]]
    tis = upload(world, csv_bytes(rows, "cp874"), "tis620.csv")
    assert tis.status_code == 200, tis.text
    assert tis.json()["imported"] == 2
    xlsx = upload(world, xlsx_bytes([["ความคิดเห็น"], ["โรงเรียนสุจริต"], [42]]), "book.xlsx")
    assert xlsx.status_code == 200, xlsx.text
    assert xlsx.json()["imported"] == 1
    assert [r["error"] for r in xlsx.json()["rejected"]] == ["no_words"]
    texts = {p["text"]: p["network"] for p in snapshot(world)["proposals"]}
    assert texts["ส่งเสริมจิตอาสาในชุมชน"] == "religion"
    assert texts["ลดการทุจริต"] == "business"
    assert "โรงเรียนสุจริต" in texts


def test_bad_files_are_refused_with_a_thai_message_and_nothing_stored(world: World) -> None:
    big = csv_bytes([["text"], *[[f"ข้อเสนอ {i}"] for i in range(50_000)]])
    cases = [
        (b"", "empty_file"),
        (b"text\n", "empty_file"),
        (b"\x00\xff\xfe\x01" * 300, "unreadable_file"),
        (b"PK\x03\x04 not really a workbook", "unreadable_file"),
        (big, "too_many_rows"),
    ]
    for content, code in cases:
        response = upload(world, content)
        assert (response.status_code, response.json()["error"]) == (400, code), response.text
        assert response.json()["message"]
    missing = upload(world, csv_bytes(ROWS), text_column="proposal")
    assert (missing.status_code, missing.json()["error"]) == (400, "column_missing")
    assert "ข้อเสนอ" in missing.json()["message"], "the message lists the columns there are"
    no_file = world.organizer.post(
        f"/api/v1/assemblies/{world.id}/imports", files={"other": ("x.csv", b"a")}
    )
    assert (no_file.status_code, no_file.json()["error"]) == (400, "file_required")
    assert snapshot(world)["proposals"] == []


def test_only_the_organizer_imports(world: World) -> None:
    facilitator = world.facilitator.post(
        f"/api/v1/assemblies/{world.id}/imports", files={"file": ("p.csv", csv_bytes(ROWS))}
    )
    assert (facilitator.status_code, facilitator.json()["error"]) == (403, "organizer_only")
    phone = world.phone().post(
        f"/api/v1/assemblies/{world.id}/imports", files={"file": ("p.csv", csv_bytes(ROWS))}
    )
    assert phone.status_code == 403
    assert world.facilitator.get(f"/organize/{world.id}/import").status_code == 403


def test_the_import_page_works_without_javascript(world: World) -> None:
    form = world.organizer.get(f"/organize/{world.id}/import")
    assert form.status_code == 200
    assert 'enctype="multipart/form-data"' in form.text
    page = world.organizer.post(
        f"/organize/{world.id}/import", files={"file": ("p.csv", csv_bytes(ROWS))}
    )
    assert page.status_code == 200
    assert "รายงานการนำเข้า" in page.text
    assert 'data-error="no_words"' in page.text
    assert "ยาวเกิน 300 ตัวอักษร" in page.text
    bad = world.organizer.post(f"/organize/{world.id}/import", files={"file": ("p.csv", b"")})
    assert bad.status_code == 400
    assert "ไฟล์ว่างเปล่า" in bad.text
    assert 'enctype="multipart/form-data"' in bad.text


def test_imported_proposals_join_curated_groups_in_the_background(world: World) -> None:
    world.open("collect")
    phone = world.phone("government")
    for text in ["ใส่หมวกกันน็อกทุกครั้งที่ขี่รถ", "สวมหมวกกันน็อกเมื่อขับขี่", "เปิดเผยงบประมาณ อบต."]:
        assert (
            phone.post(f"/api/v1/assemblies/{world.id}/proposals", json={"text": text}).status_code
            == 201
        )
    state = world.facilitator.post(
        f"/api/v1/assemblies/{world.id}/groups/cluster", json={"n_clusters": 2}
    ).json()
    helmets = next(g for g in state["groups"] if len(g["members"]) == 2)
    world.facilitator.patch(
        f"/api/v1/assemblies/{world.id}/groups/{helmets['id']}", json={"is_issue": True}
    )
    with world.facilitator.socket(world.id) as console:
        console.receive_json(timeout=5)
        report = upload(
            world, csv_bytes([["text"], ["ใส่หมวกกันน็อกทุกครั้งที่ขี่รถ ทุกคน"], ["ปลูกต้นไม้"]])
        ).json()
        assert report["imported"] == 2
        assert console.receive_json(timeout=5)["type"] == "proposals.imported"
    deadline = time.monotonic() + 30
    placed: list[int] = []
    while time.monotonic() < deadline:
        groups = world.facilitator.get(f"/api/v1/assemblies/{world.id}/groups").json()
        issue = next(g for g in groups["groups"] if g["id"] == helmets["id"])
        placed = [i for i in issue["members"] if i not in helmets["members"]]
        if placed and len(groups["unsorted"]) >= 1:
            break
        time.sleep(0.1)
    assert len(placed) == 1
    assert set(helmets["members"]) <= set(issue["members"])
