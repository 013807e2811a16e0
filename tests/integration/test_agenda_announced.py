"""Issue 17: the agenda a province can announce as is.

One assembly through the API with three votes (two counted, one trial), agenda items with
budgets and agencies, an objection handled and items adopted under the assembly's rule, then
every export: the agenda's DOCX (opened with python-docx), HTML, Markdown, PDF where LibreOffice
is installed, every CSV, the attendance sheet, the provincial announcement, and the full JSON
archive loaded back into an empty database."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any

import docx
import pytest

from assembly.cli import main

if TYPE_CHECKING:
    from conftest import Person, World

THAI_DIGITS = set("๐๑๒๓๔๕๖๗๘๙")
ISSUES = {
    "ขยะล้นเมือง": "ขยะในตลาดสดล้นทุกวัน",
    "วินัยจราจร": "เด็กขี่มอเตอร์ไซค์ไม่สวมหมวกกันน็อก",
    "ทุจริตในหน่วยงาน": "ร้องเรียนเรื่องสินบนไม่มีใครตอบ",
}
NETWORKS = ("government", "business", "civil_society", "education", "religion", "media")


def api(world: World, path: str) -> str:
    return f"/api/v1/assemblies/{world.id}{path}"


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json() if response.content else None


def make_issues(world: World, phone: Person) -> dict[str, int]:
    world.open("collect")
    ids = {
        title: ok(phone.post(api(world, "/proposals"), json={"text": text}), 201)["id"]
        for title, text in ISSUES.items()
    }
    hidden = ok(phone.post(api(world, "/proposals"), json={"text": "โฆษณาขายของ สแปม"}), 201)
    world.open("review")
    issues: dict[str, int] = {}
    for title, proposal_id in ids.items():
        state = ok(
            world.facilitator.post(
                api(world, f"/proposals/{proposal_id}/group"), json={"group_id": "new"}
            )
        )
        group = next(g for g in state["groups"] if proposal_id in g["members"])
        ok(
            world.facilitator.patch(
                api(world, f"/groups/{group['id']}"),
                json={"version": group["version"], "title": title, "is_issue": True},
            )
        )
        issues[title] = group["id"]
    # spam put into an issue, then hidden by moderation: it must stay out of the annex
    ok(
        world.facilitator.post(
            api(world, f"/proposals/{hidden['id']}/group"),
            json={"group_id": issues["ขยะล้นเมือง"]},
        )
    )
    ok(world.facilitator.patch(api(world, f"/proposals/{hidden['id']}"), json={"hidden": True}))
    return issues


def fresh_postgres(url: str) -> str:
    """A second, empty PostgreSQL database next to the test one (the app keeps using that)."""
    import asyncio

    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import create_async_engine

    name = "samatcha_announced_test"

    async def create() -> None:
        engine = create_async_engine(url, isolation_level="AUTOCOMMIT")
        async with engine.connect() as connection:
            await connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            await connection.execute(text(f"CREATE DATABASE {name}"))
        await engine.dispose()

    asyncio.run(create())
    return url.rsplit("/", 1)[0] + "/" + name


def mark_paper(database_url: str, name: str) -> None:
    """What a table assistant's paper entry (issue 20, another branch) records: the source."""
    import asyncio

    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import create_async_engine

    async def update() -> None:
        engine = create_async_engine(database_url)
        async with engine.begin() as connection:
            await connection.execute(
                text("UPDATE participants SET source = 'paper' WHERE display_name = :name"),
                {"name": name},
            )
        await engine.dispose()

    asyncio.run(update())


def run_vote(
    world: World, body: dict[str, Any], ballots: list[tuple[Person, Any]]
) -> dict[str, Any]:
    """Set up, open, fill and close one vote; `ballots` name options by label."""
    vote = ok(world.facilitator.post(api(world, "/votes"), json=body), 201)
    ok(world.facilitator.post(api(world, f"/votes/{vote['id']}/open")))
    by_label = {o["label"]: o["id"] for o in vote["options"]}
    for phone, ballot in ballots:
        if isinstance(ballot, dict):
            content: Any = {by_label[label]: value for label, value in ballot.items()}
        else:
            content = [by_label[label] for label in ballot]
        ok(
            phone.post(
                api(world, f"/votes/{vote['id']}/ballot"),
                json={"ballot": content, "client_seq": 1},
            )
        )
    ok(world.facilitator.post(api(world, f"/votes/{vote['id']}/close")))
    return vote


PLANS = [
    {
        "name": "ตลาดสดปลอดขยะ",
        "lead_agency": "เทศบาลเมืองพิจิตร",
        "contact": "นางสาวสมใจ รักษ์โลก 081-234-5678",
        "activities": [
            {
                "what": "ตั้งจุดคัดแยกขยะในตลาด",
                "networks": ["government", "business"],
                "lead_agency": "เทศบาลเมืองพิจิตร",
                "agencies": ["สมาคมผู้ค้าตลาดสด"],
                "contact": "กองสาธารณสุข 056-611-111",
                "when": {"quarter": "1", "fiscal_year": "2570"},
                "budget": "120,000",
                "funding": "อปท.",
            },
            {
                "what": "อบรมแม่ค้าเรื่องลดถุงพลาสติก",
                "networks": ["civil_society"],
                "lead_agency": "สำนักงานทรัพยากรธรรมชาติฯ",
                "when": {"months": "ม.ค.-มี.ค.", "fiscal_year": "2570"},
                "budget": "๓๐๐๐๐",
                "funding": "งบจังหวัด",
            },
        ],
    },
    {
        "name": "โรงเรียนคัดแยกขยะ",
        "activities": [
            {
                "what": "ธนาคารขยะในโรงเรียน",
                "networks": ["education"],
                "lead_agency": "สำนักงานเขตพื้นที่การศึกษา",
                "when": {"quarter": 2, "fiscal_year": 2570},
                "budget": 15000,
                "funding": "หน่วยงาน",
            },
            {
                "what": "ประกวดห้องเรียนสะอาด",
                "networks": ["education"],
                "budget": 0,
                "funding": "ไม่ใช้งบประมาณ",
            },
        ],
    },
]


def test_an_agenda_the_province_can_announce(
    world: World, database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    phones = {key: world.phone(key) for key in NETWORKS}
    extra = [world.phone("civil_society"), world.phone("government")]
    issues = make_issues(world, phones["government"])

    # three votes: the issues (counted), a trial of two people, the target virtues (counted)
    world.open("vote")
    everyone = [*phones.values(), *extra]
    issues_vote = run_vote(
        world,
        {"method": "approval", "params": {}, "subject": "issues"},
        [
            (p, ["ขยะล้นเมือง", "วินัยจราจร"] if i % 3 else ["ขยะล้นเมือง"])
            for i, p in enumerate(everyone)
        ],
    )
    trial = run_vote(
        world,
        {"method": "dot", "params": {"dots": 3}, "subject": "issues"},
        [(phones["media"], {"ทุจริตในหน่วยงาน": 3}), (phones["religion"], {"ทุจริตในหน่วยงาน": 3})],
    )
    virtues_vote = run_vote(
        world,
        {
            "method": "approval",
            "params": {},
            "subject": "options",
            "options": ["ซื่อสัตย์สุจริต", "จิตอาสา", "วินัย", "สุจริต"],
        },
        [(p, ["ซื่อสัตย์สุจริต", "จิตอาสา"] if i % 2 else ["สุจริต"]) for i, p in enumerate(everyone)],
    )
    # the trial is the newest closed issues vote: before marking, it would decide the items
    ok(world.facilitator.post(api(world, f"/votes/{issues_vote['id']}/counted")))
    ok(world.facilitator.post(api(world, f"/votes/{trial['id']}/trial")))
    ok(world.facilitator.post(api(world, f"/votes/{virtues_vote['id']}/counted")))
    refused = phones["media"].post(api(world, f"/votes/{trial['id']}/counted"))
    assert refused.status_code == 403
    listed = ok(world.facilitator.get(api(world, "/votes/")))
    assert [v["standing"] for v in listed] == ["counted", "trial", "counted"]

    # a second round seeded with the top two of the counted issues vote
    second = ok(
        world.facilitator.post(
            api(world, "/votes"),
            json={"method": "ranking", "params": {}, "seed_from": issues_vote["id"], "top": 2},
        ),
        201,
    )
    assert [o["label"] for o in second["options"]] == ["ขยะล้นเมือง", "วินัยจราจร"]
    assert [o["issue_id"] for o in second["options"]] == [
        issues["ขยะล้นเมือง"],
        issues["วินัยจราจร"],
    ]
    assert second["seeded_from"] == issues_vote["id"]
    assert second["subject"] == "issues"
    not_closed = world.facilitator.post(
        api(world, "/votes"),
        json={"method": "ranking", "params": {}, "seed_from": second["id"], "top": 2},
    )
    assert not_closed.status_code == 409  # a draft is not a finished vote

    # draft: the items follow the counted vote, not the trial's "ทุจริตในหน่วยงาน"
    world.open("draft")
    items = ok(world.facilitator.post(api(world, "/agenda/items"), json={"top": 2}), 201)
    assert [i["title"] for i in items] == ["ขยะล้นเมือง", "วินัยจราจร"]
    first, other = items
    bad = world.facilitator.patch(
        api(world, f"/agenda/items/{first['id']}"),
        json={
            "version": 1,
            "plans": [{"name": "x", "activities": [{"what": "y", "budget": "มาก"}]}],
        },
    )
    assert bad.status_code == 400
    assert bad.json()["error"] == "invalid_budget"
    edited = ok(
        world.facilitator.patch(
            api(world, f"/agenda/items/{first['id']}"),
            json={
                "version": first["version"],
                "goal": "ลดขยะในตลาดสดลงร้อยละ 30 ภายในปีงบประมาณ 2570",
                "virtues": ["สุจริต", "จิตอาสา"],
                "plans": PLANS,
                "indicators": [
                    {
                        "name": "ปริมาณขยะในตลาดลดลง",
                        "unit": "ร้อยละ",
                        "baseline": "0",
                        "target": "30",
                        "deadline": {"date": "2027-09-30"},
                        "data_source": "เทศบาล",
                        "network": "government",
                        "reporting_agency": "กองสาธารณสุขและสิ่งแวดล้อม",
                    }
                ],
                "mechanism": [
                    {"network": "government", "person": "ปลัดเทศบาล", "role": "ประธาน"},
                    {"network": "religion", "person": "เจ้าอาวาสวัดกลาง", "role": "ที่ปรึกษา"},
                ],
            },
        )
    )
    activity = edited["plans"][0]["activities"][0]
    assert activity["budget"] == 120_000
    assert activity["funding"] == "อปท."
    assert activity["when"]["quarter"] == 1
    assert activity["when"]["fiscal_year"] == 2570
    assert edited["plans"][0]["activities"][1]["budget"] == 30_000  # Thai digits read
    ok(
        world.facilitator.patch(
            api(world, f"/agenda/items/{other['id']}"),
            json={"version": other["version"], "goal": "เด็กสวมหมวกกันน็อกทุกคน"},
        )
    )

    # adopt: the rule is "at least 60 % in every network", objections handled first
    world.open("adopt")
    ok(
        world.facilitator.post(
            api(world, "/agenda/rule"), json={"rule": "threshold", "threshold": 60}
        )
    )
    for key, phone in phones.items():
        ok(
            phone.post(
                api(world, f"/agenda/items/{first['id']}/consent"),
                json={"answer": "agree" if key != "business" else "can_live_with"},
            )
        )
    ok(
        extra[0].post(
            api(world, f"/agenda/items/{first['id']}/consent"),
            json={"answer": "object", "reason": "งบประมาณอบรมน้อยเกินไป"},
        )
    )
    agenda = ok(world.facilitator.get(api(world, "/agenda/")))
    assert agenda["rule"]["rule"] == "threshold"
    [objection] = agenda["consent"][str(first["id"])]["objections"]
    assert agenda["rule"]["problems"][str(first["id"])] == [
        {"code": "objections_not_handled", "count": 1},
        {"code": "below_threshold", "network": "civil_society", "share": 0.5},
    ]
    refused = world.facilitator.post(
        api(world, f"/agenda/items/{first['id']}/adopt"), json={"adopted": True}
    )
    assert refused.status_code == 409
    assert refused.json()["error"] == "adoption_rule_not_met"
    ok(
        world.facilitator.post(
            api(world, f"/agenda/objections/{objection['id']}"),
            json={"handling": "amended", "note": "เพิ่มงบอบรมเป็น ๓๐,๐๐๐ บาท"},
        )
    )
    # civil society: one agrees, one objects (handled, not withdrawn): 50 % < 60 %
    refused = world.facilitator.post(
        api(world, f"/agenda/items/{first['id']}/adopt"), json={"adopted": True}
    )
    assert refused.status_code == 409, refused.text
    ok(
        extra[0].post(
            api(world, f"/agenda/items/{first['id']}/consent"), json={"answer": "can_live_with"}
        )
    )
    ok(
        world.facilitator.post(
            api(world, f"/agenda/items/{first['id']}/adopt"), json={"adopted": True}
        )
    )
    # the second item: an objection withdrawn by its author, then adopted
    ok(
        phones["media"].post(
            api(world, f"/agenda/items/{other['id']}/consent"), json={"answer": "agree"}
        )
    )
    ok(
        phones["education"].post(
            api(world, f"/agenda/items/{other['id']}/consent"),
            json={"answer": "object", "reason": "ควรเริ่มที่ผู้ปกครอง"},
        )
    )
    agenda = ok(world.facilitator.get(api(world, "/agenda/")))
    [second_objection] = agenda["consent"][str(other["id"])]["objections"]
    ok(
        world.facilitator.post(
            api(world, f"/agenda/objections/{second_objection['id']}"),
            json={"handling": "withdrawn"},
        )
    )
    ok(
        world.facilitator.post(
            api(world, f"/agenda/items/{other['id']}/adopt"), json={"adopted": True}
        )
    )

    # the organizer's approval block, the announcement's date, the annex choice
    saved = world.organizer.post(
        f"/organize/{world.id}/export/settings",
        data={
            "background": "สมัชชาคุณธรรมจังหวัดครั้งที่ 1",
            "thai_numerals": "on",
            "buddhist_era": "on",
            "annex": "issues",
            "proposed_by": "นายสมศักดิ์ ใจงาม",
            "proposed_by_position": "ประธานคณะทำงานขับเคลื่อนสมัชชาคุณธรรมจังหวัด",
            "endorsed_by": "นายวิชัย ธรรมดี",
            "endorsed_by_position": "ผู้ว่าราชการจังหวัดทดสอบ",
            "announced_on": "2026-12-15",
        },
        headers={"X-Requested-With": "fetch"},
    )
    assert saved.status_code == 204, saved.text

    # the agenda's DOCX
    response = world.organizer.get(f"/organize/{world.id}/export.docx")
    assert response.status_code == 200, response.text
    (tmp_path / "agenda.docx").write_bytes(response.content)
    document = docx.Document(io.BytesIO(response.content))
    paragraphs = [p.text for p in document.paragraphs]
    text = "\n".join(paragraphs)
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    # both counted votes, each with turnout per network; the trial listed as not counted
    assert any("ผลการลงคะแนนเรื่องประเด็น" in h for h in headings), headings
    assert any("ผลการลงคะแนนเรื่องคุณธรรมเป้าหมาย" in h for h in headings), headings
    assert "ผู้ลงคะแนน (คน)" in cells
    assert "ผู้ลงคะแนน ๘ คน" in text
    assert "การลงคะแนนที่ไม่นับผล:" in text
    assert any("ครั้งที่ ๒" in p and "การลงคะแนนทดลอง" in p for p in paragraphs)
    # one list of target virtues: "สุจริต" merged into "ซื่อสัตย์สุจริต"
    [virtues] = [
        t
        for t in document.tables
        if [c.text for c in t.rows[0].cells][:2] == ["ที่", "คุณธรรมเป้าหมาย"]
    ]
    listed = [row.cells[1].text for row in virtues.rows[1:]]
    assert listed == ["ซื่อสัตย์สุจริต", "จิตอาสา"]
    assert "ซื่อสัตย์สุจริต จิตอาสา" in paragraphs  # the item's "สุจริต" named as the list does
    # the objection's handling and the rule
    assert "งบประมาณอบรมน้อยเกินไป" in cells
    assert any("แก้ไขวาระตามข้อคัดค้านแล้ว" in c and "๓๐,๐๐๐" in c for c in cells)
    assert any("ผู้คัดค้านถอนข้อคัดค้าน" in c for c in cells)
    assert any("ร้อยละ ๖๐ ในทุกเครือข่าย" in p for p in paragraphs)
    # budgets per activity, summed per plan, with funding, agency, contact, fiscal quarter
    assert "๑๒๐,๐๐๐" in cells
    assert "อปท." in cells
    assert "๑๕๐,๐๐๐" in cells  # plan 1: 120,000 + 30,000
    assert "๑๕,๐๐๐" in cells  # plan 2: 15,000 + 0
    assert any("เทศบาลเมืองพิจิตร" in c and "ติดต่อ กองสาธารณสุข" in c for c in cells)
    assert any("ไตรมาส ๑" in c and "ปีงบฯ ๒๕๗๐" in c for c in cells)
    assert any("กองสาธารณสุขและสิ่งแวดล้อม" in c for c in cells)  # reporting agency
    assert "งบประมาณรวมทุกวาระ ๑๖๕,๐๐๐ บาท" in text
    # the approval block
    assert any("การเสนอและการให้ความเห็นชอบ" in h for h in headings)
    assert any(p.startswith("(ลงชื่อ)") and p.endswith("ผู้เสนอ") for p in paragraphs)
    assert "(นายวิชัย ธรรมดี)" in paragraphs
    assert "ผู้ว่าราชการจังหวัดทดสอบ" in paragraphs
    # the annex lists only proposals in issues, never the hidden spam
    assert any("ภาคผนวก ข้อเสนอในประเด็นสำคัญ" in h for h in headings)
    assert "สแปม" not in text + "".join(cells)
    # Thai language marks on every run, Thai page numbers
    body = document.element.body.xml
    assert 'w:val="th-TH"' in body
    assert 'w:bidi="th-TH"' in body
    runs = [r for p in document.paragraphs for r in p.runs if r.text.strip()]
    assert all(r._r.rPr.find(docx.oxml.ns.qn("w:lang")) is not None for r in runs)
    assert 'w:fmt="thaiNumbers"' in document.sections[0]._sectPr.xml

    # the provincial announcement
    response = world.organizer.get(f"/organize/{world.id}/announcement.docx")
    assert response.status_code == 200, response.text
    (tmp_path / "announcement.docx").write_bytes(response.content)
    announcement = docx.Document(io.BytesIO(response.content))
    lines = [p.text for p in announcement.paragraphs if p.text.strip()]
    assert lines[0] == "ประกาศจังหวัดทดสอบ"
    assert lines[1] == "เรื่อง วาระคุณธรรมจังหวัดทดสอบ"
    assert "ประกาศ ณ วันที่ ๑๕ ธันวาคม พ.ศ. ๒๕๖๙" in lines
    assert lines[-3].startswith("(ลงชื่อ)")
    assert lines[-2:] == ["(นายวิชัย ธรรมดี)", "ผู้ว่าราชการจังหวัดทดสอบ"]
    announced = "\n".join(lines)
    assert "ซื่อสัตย์สุจริต" in announced
    assert "ลดขยะในตลาดสดลงร้อยละ ๓๐" in announced
    fonts = {r.font.name for p in announcement.paragraphs for r in p.runs if r.text.strip()}
    assert fonts == {"TH Sarabun New"}
    sizes = {r.font.size.pt for p in announcement.paragraphs for r in p.runs if r.text.strip()}
    assert sizes == {16.0}
    assert phones["media"].get(f"/organize/{world.id}/announcement.docx").status_code == 403

    # the other formats carry the same parts
    html = world.organizer.get(f"/organize/{world.id}/export.html").text
    assert "การลงคะแนนทดลอง" in html
    assert "(นายวิชัย ธรรมดี)" in html
    assert "๑๕๐,๐๐๐" in html
    md = world.facilitator.get(f"/organize/{world.id}/export.md").text
    assert "ผู้คัดค้านถอนข้อคัดค้าน" in md
    assert "| **๑๕๐,๐๐๐** |" in md  # the plan's budget total, bold
    plans = world.facilitator.get(f"/organize/{world.id}/export/plans.csv")
    rows = list(csv.DictReader(io.StringIO(plans.content.decode("utf-8-sig"))))
    assert sum(int(r["งบประมาณ (บาท)"] or 0) for r in rows) == 165_000
    assert {r["แหล่งงบประมาณ"] for r in rows} == {"อปท.", "งบจังหวัด", "หน่วยงาน", "ไม่ใช้งบประมาณ"}
    votes = world.facilitator.get(f"/organize/{world.id}/export/votes.csv")
    marks = {
        r["การนับผลในวาระ"] for r in csv.DictReader(io.StringIO(votes.content.decode("utf-8-sig")))
    }
    assert marks == {"นับผล", "ทดลอง", "ไม่ได้ระบุ"}  # the second round is still a draft
    for table in ("proposals", "issues", "indicators"):
        assert world.facilitator.get(f"/organize/{world.id}/export/{table}.csv").status_code == 200
    if shutil.which("soffice"):
        for name in ("export.pdf", "announcement.pdf"):
            pdf = world.organizer.get(f"/organize/{world.id}/{name}")
            assert pdf.status_code == 200, pdf.text
            assert pdf.content.startswith(b"%PDF")

    # the JSON archive round-trips: loaded into an empty database, the same document
    archive = world.organizer.get(f"/organize/{world.id}/export-full.json")
    (tmp_path / "full.json").write_bytes(archive.content)
    tables = json.loads(archive.content)["tables"]
    assert "standing" in tables["votes"]["columns"]
    assert "handling" in tables["consent_votes"]["columns"]
    if database_url.startswith("sqlite"):
        fresh = f"sqlite+aiosqlite:///{tmp_path / 'fresh.sqlite3'}"
    else:
        fresh = fresh_postgres(database_url)
    monkeypatch.setenv("SAMATCHA_DATABASE_URL", fresh)
    monkeypatch.setenv("SAMATCHA_PASSWORD", "a new long password")
    main(["import-archive", str(tmp_path / "full.json"), "--password"])
    main(["export", str(world.id), "--format", "md", "-o", str(tmp_path / "again.md")])
    assert (tmp_path / "again.md").read_text(encoding="utf-8") == md
    main(["export", str(world.id), "--format", "announcement", "-o", str(tmp_path / "again.docx")])
    again = docx.Document(str(tmp_path / "again.docx"))
    assert [p.text for p in again.paragraphs if p.text.strip()] == lines


def test_the_attendance_sheet_lists_people_by_network_and_marks_paper(
    world: World, database_url: str
) -> None:
    world.phone("religion", display_name="สมชาย ใจดี", organisation="มูลนิธิบ้านเรา")
    mark_paper(database_url, "สมชาย ใจดี")
    world.phone("religion")
    world.phone("media", display_name="Jane Doe", organisation="=HYPERLINK()")
    sheet = world.organizer.get(f"/organize/{world.id}/attendance.csv")
    assert sheet.status_code == 200
    assert sheet.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(sheet.content.decode("utf-8-sig"))))
    assert [(r["รหัสเครือข่าย"], r["ชื่อ-สกุล"]) for r in rows] == [
        ("religion", "สมชาย ใจดี"),
        ("religion", ""),
        ("media", "Jane Doe"),
    ]
    assert rows[2]["หน่วยงาน/องค์กร"] == "'=HYPERLINK()"  # a formula made inert
    assert [r["วิธีเข้าร่วม"] for r in rows] == ["กระดาษ", "โทรศัพท์", "โทรศัพท์"]
    html = world.facilitator.get(f"/organize/{world.id}/attendance.html")
    assert html.status_code == 200
    assert "ลายมือชื่อ" in html.text
    assert "สมชาย ใจดี" in html.text
    assert "มูลนิธิบ้านเรา" in html.text
    printable = world.organizer.get(f"/organize/{world.id}/attendance.docx")
    document = docx.Document(io.BytesIO(printable.content))
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    assert "ลายมือชื่อ" in cells
    assert "โทรศัพท์" in cells
    assert "กระดาษ" in cells
    assert set("".join(cells)) & THAI_DIGITS
    stranger = world.phone("media")
    assert stranger.get(f"/organize/{world.id}/attendance.csv").status_code == 403


def tiny_png() -> bytes:
    """A valid 2x2 PNG made here (no image files in the tests)."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"".join(b"\x00" + b"\xcc\x99\x00" * 2 for _ in range(2)))
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def test_the_export_page_marks_votes_and_takes_the_emblem(world: World) -> None:
    phone = world.phone("media")
    world.open("vote")
    vote = run_vote(
        world,
        {"method": "approval", "params": {}, "subject": "options", "options": ["วินัย", "จิตอาสา"]},
        [(phone, ["วินัย"])],
    )
    page = world.organizer.get(f"/organize/{world.id}/export")
    assert page.status_code == 200
    assert "การลงคะแนนที่นับผลในวาระ" in page.text
    assert "ลงคะแนนเห็นชอบ" in page.text  # the method as the document names it
    assert f"/organize/{world.id}/announcement.docx" in page.text
    assert f"/organize/{world.id}/attendance.html" in page.text
    marked = world.facilitator.post(
        f"/console/{world.id}/votes/{vote['id']}/trial", data={"next": "export"}
    )
    assert marked.status_code == 200  # followed the redirect back to the export page
    assert str(marked.url).endswith(f"/organize/{world.id}/export")
    assert ok(world.facilitator.get(api(world, "/votes/")))[0]["standing"] == "trial"
    console = world.facilitator.get(f"/console/{world.id}")
    assert "การนับผลในวาระ" in console.text
    assert "ลงคะแนนรอบที่สองจากอันดับต้น" not in console.text

    not_an_image = world.organizer.post(
        f"/organize/{world.id}/export/emblem",
        files={"emblem": ("x.png", b"GIF89a not a png", "image/png")},
        headers={"X-Requested-With": "fetch"},
    )
    assert not_an_image.status_code == 400
    assert not_an_image.json()["error"] == "emblem_not_image"
    uploaded = world.organizer.post(
        f"/organize/{world.id}/export/emblem",
        files={"emblem": ("garuda.png", tiny_png(), "image/png")},
        headers={"X-Requested-With": "fetch"},
    )
    assert uploaded.status_code == 204, uploaded.text
    announcement = docx.Document(
        io.BytesIO(world.organizer.get(f"/organize/{world.id}/announcement.docx").content)
    )
    assert len(announcement.inline_shapes) == 1
    refused = world.facilitator.post(
        f"/organize/{world.id}/export/emblem",
        files={"emblem": ("garuda.png", tiny_png(), "image/png")},
        headers={"X-Requested-With": "fetch"},
    )
    assert refused.status_code == 403
