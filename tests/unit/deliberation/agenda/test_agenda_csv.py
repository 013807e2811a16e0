"""CSV for Excel: a BOM so Thai shows, formulas neutralised, numbers left as numbers."""

from __future__ import annotations

import csv
import io
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from deliberation.agenda.document import AgendaDocument, Proposal, ProposalGroup, clean_text
from deliberation.agenda.render_csv import (
    INDICATORS_HEADER,
    PROPOSALS_HEADER,
    indicators_csv,
    issues_csv,
    neutralise,
    proposals_csv,
    render_csv,
)

UTF8_BOM = b"\xef\xbb\xbf"


def read(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_agenda_csv_starts_with_a_bom_and_ends_lines_with_crlf() -> None:
    data = render_csv([("ขยะ", 3)], ("ประเด็น", "จำนวน"))
    assert data.startswith(UTF8_BOM)
    assert data == UTF8_BOM + "ประเด็น,จำนวน\r\nขยะ,3\r\n".encode()


@pytest.mark.parametrize(
    ("cell", "safe"),
    [
        ('=HYPERLINK("http://x","ดู")', '\'=HYPERLINK("http://x","ดู")'),
        ("+66 81 234 5678", "'+66 81 234 5678"),
        ("-ลดขยะ", "'-ลดขยะ"),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\n=1+1"),
        ("  =1+1", "'  =1+1"),
        ("＝1+1", "'＝1+1"),
        ("ขยะ = ปัญหา", "ขยะ = ปัญหา"),
        ("", ""),
    ],
)
def test_agenda_csv_text_that_would_start_a_formula_gets_a_quote(cell: str, safe: str) -> None:
    assert neutralise(cell) == safe


def test_agenda_csv_numbers_stay_numbers_even_when_negative() -> None:
    assert neutralise(-5) == -5
    assert neutralise(0.73) == 0.73
    assert neutralise(None) == ""
    assert neutralise(True) == "ใช่"


def test_agenda_csv_proposals_round_trip_thai_and_neutralise_a_payload(
    sample_document: AgendaDocument,
) -> None:
    group = ProposalGroup("ขยะ", (Proposal("=cmd|' /C calc'!A0", "media", 2),))
    doc = replace(sample_document, proposals=(*sample_document.proposals, group))
    rows = read(proposals_csv(doc))
    assert tuple(rows[0]) == PROPOSALS_HEADER
    assert rows[1] == [
        "1",
        "ขยะล้นเมืองและการคัดแยกขยะในชุมชน",
        "1",
        "ขยะล้นถังหน้าตลาดสดทุกเช้า",
        "civil_society",
        "ภาคประชาสังคม ชุมชน ครอบครัว เด็กและเยาวชน",
        "14",
    ]
    assert rows[-1][3] == "'=cmd|' /C calc'!A0"
    assert len(rows) == 1 + 3 + 2 + 1


def test_agenda_csv_issues_have_one_support_column_per_network_and_blanks_for_silence(
    sample_document: AgendaDocument,
) -> None:
    rows = read(issues_csv(sample_document))
    assert rows[0][:5] == ["อันดับ", "ประเด็น", "จำนวนจุด", "ค่าฉันทามติ", "อันดับฉันทามติ"]
    assert rows[0][5] == "ร้อยละสนับสนุน ภาครัฐ"
    assert len(rows[0]) == 11
    assert rows[1][:6] == ["1", "ขยะล้นเมืองและการคัดแยกขยะในชุมชน", "212", "0.73", "1", "80.0"]
    assert rows[4][0] == "3"  # the tie keeps its shared rank
    assert rows[4][-1] == ""


def test_agenda_csv_issues_without_a_vote_is_a_header_only(
    sample_document: AgendaDocument,
) -> None:
    assert len(read(issues_csv(replace(sample_document, prioritisation=None)))) == 1


def test_agenda_csv_indicators_keep_arabic_digits_whatever_the_document_uses(
    sample_document: AgendaDocument,
) -> None:
    rows = read(indicators_csv(sample_document))
    assert tuple(rows[0]) == INDICATORS_HEADER
    first = dict(zip(rows[0], rows[1], strict=True))
    assert first["ค่าเป้าหมาย"] == "30"
    assert first["กำหนดเวลา"] == "30 ก.ย. พ.ศ. 2570"
    assert first["วันที่กำหนด (ISO)"] == "2027-09-30"
    assert first["รับรองแล้ว"] == "ใช่"
    assert first["เครือข่ายที่รับผิดชอบ"] == "ภาครัฐ"
    assert len(rows) == 1 + 3


@settings(max_examples=60, deadline=None)
@given(text=st.text(max_size=50))
def test_agenda_csv_any_text_reads_back_safe(text: str) -> None:
    (cell,) = read(render_csv([(text,)], ("x",)))[1]
    assert not cell.lstrip().startswith(("=", "+", "-", "@"))
    assert cell in (clean_text(text), "'" + clean_text(text))


def test_agenda_csv_a_control_character_cannot_hide_a_formula() -> None:
    assert neutralise("\x00=1+1") == "'=1+1"
