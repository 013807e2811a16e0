"""A whole assembly through the API: collect → review → vote → draft → adopt → export, then the
exported DOCX opened with python-docx, the CSV with its BOM, the JSON archive round trip."""

from __future__ import annotations

import csv
import io
from typing import TYPE_CHECKING, Any

import docx

if TYPE_CHECKING:
    from conftest import Person, World

THAI_DIGITS = set("๐๑๒๓๔๕๖๗๘๙")
ISSUES = {
    "ขยะล้นเมือง": ["ขยะในตลาดสดล้นทุกวัน", "ชุมชนไม่คัดแยกขยะ"],
    "วินัยจราจร": ["เด็กขี่มอเตอร์ไซค์ไม่สวมหมวกกันน็อก"],
    "ทุจริตในหน่วยงาน": ["ร้องเรียนเรื่องสินบนไม่มีใครตอบ"],
}


def api(world: World, path: str) -> str:
    return f"/api/v1/assemblies/{world.id}{path}"


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json() if response.content else None


def make_issues(world: World) -> dict[str, int]:
    """Collect proposals from phones of several networks, then curate one issue per theme."""
    world.open("collect")
    phones = [world.phone(n) for n in ("government", "education", "religion", "media")]
    issue_ids: dict[str, int] = {}
    for n, (title, texts) in enumerate(ISSUES.items()):
        ids = [
            ok(phones[(n + i) % 4].post(api(world, "/proposals"), json={"text": t}), 201)["id"]
            for i, t in enumerate(texts)
        ]
        world.open("review")
        state = ok(
            world.facilitator.post(
                api(world, f"/proposals/{ids[0]}/group"), json={"group_id": "new"}
            )
        )
        group = next(g for g in state["groups"] if ids[0] in g["members"])
        for other in ids[1:]:
            ok(
                world.facilitator.post(
                    api(world, f"/proposals/{other}/group"), json={"group_id": group["id"]}
                )
            )
        state = ok(world.facilitator.get(api(world, "/groups")))
        group = next(g for g in state["groups"] if g["id"] == group["id"])
        ok(
            world.facilitator.patch(
                api(world, f"/groups/{group['id']}"),
                json={"version": group["version"], "title": title, "is_issue": True},
            )
        )
        issue_ids[title] = group["id"]
        world.open("collect")
    return issue_ids


def vote_on_issues(world: World, phones: list[Person]) -> dict[str, Any]:
    world.open("vote")
    vote = ok(
        world.facilitator.post(
            api(world, "/votes"), json={"method": "approval", "params": {}, "subject": "issues"}
        ),
        201,
    )
    ok(world.facilitator.post(api(world, f"/votes/{vote['id']}/open")))
    by_label = {o["label"]: o["id"] for o in vote["options"]}
    for i, phone in enumerate(phones):
        ballot = [by_label["ขยะล้นเมือง"]] + ([by_label["วินัยจราจร"]] if i % 2 else [])
        ok(
            phone.post(
                api(world, f"/votes/{vote['id']}/ballot"), json={"ballot": ballot, "client_seq": 1}
            )
        )
    ok(world.facilitator.post(api(world, f"/votes/{vote['id']}/close")))
    return vote


ITEM_CONTENT = {
    "goal": "ลดปริมาณขยะในตลาดสดลงร้อยละ 30 ภายในปี 2570 😊",
    "virtues": ["วินัย", "จิตอาสา"],
    "plans": [
        {
            "name": "ตลาดสดปลอดขยะ",
            "activities": [
                {
                    "what": "ตั้งจุดคัดแยกขยะในตลาด",
                    "networks": ["government", "business"],
                    "agencies": ["เทศบาลเมือง"],
                    "when": {"months": "ต.ค.-ธ.ค.", "fiscal_year": "2570"},
                }
            ],
        }
    ],
    "indicators": [
        {
            "name": "ปริมาณขยะในตลาดลดลง",
            "unit": "ร้อยละ",
            "baseline": "0",
            "target": "30",
            "deadline": {"date": "2027-09-30"},
            "data_source": "เทศบาล",
            "network": "government",
        },
        {"name": "ร้านค้าที่คัดแยกขยะ", "target": "50", "network": "business"},
    ],
    "mechanism": [
        {
            "network": "government",
            "person": "นายกเทศมนตรี",
            "organisation": "เทศบาล",
            "role": "ประธาน",
        },
        {"network": "religion", "person": "เจ้าอาวาสวัดกลาง", "role": "ที่ปรึกษา"},
    ],
}


def test_a_whole_assembly_from_proposals_to_the_exported_docx(world: World, tmp_path: Any) -> None:
    ok(world.organizer.post(api(world, "/"), json={}), 404) if False else None
    issue_ids = make_issues(world)
    phones = [world.phone(n) for n in ("government", "business", "civil_society", "education")]
    vote_on_issues(world, phones)

    # draft: the two best issues become agenda items
    world.open("draft")
    items = ok(world.facilitator.post(api(world, "/agenda/items"), json={"top": 2}), 201)
    assert [i["title"] for i in items] == ["ขยะล้นเมือง", "วินัยจราจร"]
    assert items[0]["issue_id"] == issue_ids["ขยะล้นเมือง"]
    first = items[0]

    # phones pick a working group, suggest, support
    ok(phones[0].post(api(world, "/agenda/group"), json={"item_id": first["id"]}))
    ok(phones[1].post(api(world, "/agenda/group"), json={"item_id": first["id"]}))
    suggestion = ok(
        phones[0].post(
            api(world, f"/agenda/items/{first['id']}/suggestions"),
            json={"part": "indicator", "text": "จำนวนชุมชนที่คัดแยกขยะ", "client_key": "abcdefgh1"},
        ),
        201,
    )
    again = ok(
        phones[0].post(
            api(world, f"/agenda/items/{first['id']}/suggestions"),
            json={"part": "indicator", "text": "จำนวนชุมชนที่คัดแยกขยะ", "client_key": "abcdefgh1"},
        ),
        201,
    )
    assert again["id"] == suggestion["id"]
    supported = ok(phones[1].post(api(world, f"/agenda/suggestions/{suggestion['id']}/support")))
    assert supported["supports"] == 1
    own = phones[0].post(api(world, f"/agenda/suggestions/{suggestion['id']}/support"))
    assert own.status_code == 409
    assert own.json()["error"] == "own_suggestion"

    # the facilitator edits; a second facilitator's stale edit is refused, and both are kept
    edited = ok(
        world.facilitator.patch(
            api(world, f"/agenda/items/{first['id']}"),
            json={"version": first["version"], **ITEM_CONTENT},
        )
    )
    assert edited["version"] == first["version"] + 1
    assert edited["plans"][0]["activities"][0]["when"]["months"] == [10, 11, 12]
    stale = world.organizer.patch(
        api(world, f"/agenda/items/{first['id']}"),
        json={"version": first["version"], "goal": "เป้าหมายของอีกคนหนึ่ง"},
    )
    assert stale.status_code == 409
    body = stale.json()
    assert body["error"] == "stale_edit"
    assert body["current"]["goal"] == ITEM_CONTENT["goal"]
    assert body["yours"]["goal"] == "เป้าหมายของอีกคนหนึ่ง"
    agenda = ok(world.facilitator.get(api(world, "/agenda/")))
    kept = next(s for s in agenda["suggestions"] if s["id"] == body["kept_suggestion_id"])
    assert kept["part"] == "conflict"
    assert "เป้าหมายของอีกคนหนึ่ง" in kept["text"]
    item = next(i for i in agenda["items"] if i["id"] == first["id"])
    assert item["goal"] == ITEM_CONTENT["goal"]
    assert item["members"] == 2
    phone_view = ok(phones[2].get(api(world, "/agenda/")))
    assert all(s["part"] != "conflict" for s in phone_view["suggestions"])

    accepted = ok(
        world.facilitator.post(api(world, f"/agenda/suggestions/{suggestion['id']}/accept"))
    )
    assert accepted["status"] == "accepted"
    agenda = ok(world.facilitator.get(api(world, "/agenda/")))
    item = next(i for i in agenda["items"] if i["id"] == first["id"])
    assert item["indicators"][-1]["name"] == "จำนวนชุมชนที่คัดแยกขยะ"

    # adopt: a consent round, results per network, an objection with its reason
    world.open("adopt")
    ok(phones[0].post(api(world, f"/agenda/items/{first['id']}/consent"), json={"answer": "agree"}))
    ok(
        phones[1].post(
            api(world, f"/agenda/items/{first['id']}/consent"), json={"answer": "can_live_with"}
        )
    )
    no_reason = phones[2].post(
        api(world, f"/agenda/items/{first['id']}/consent"), json={"answer": "object"}
    )
    assert no_reason.status_code == 400
    assert no_reason.json()["error"] == "reason_required"
    ok(
        phones[2].post(
            api(world, f"/agenda/items/{first['id']}/consent"),
            json={"answer": "object", "reason": "งบประมาณไม่พอ"},
        )
    )
    ok(phones[3].post(api(world, f"/agenda/items/{first['id']}/consent"), json={"answer": "agree"}))
    ok(
        phones[3].post(
            api(world, f"/agenda/items/{first['id']}/consent"), json={"answer": "can_live_with"}
        )
    )
    agenda = ok(world.facilitator.get(api(world, "/agenda/")))
    result = agenda["consent"][str(first["id"])]
    assert result["totals"] == {"agree": 1, "can_live_with": 2, "object": 1}
    assert result["networks"]["civil_society"]["object"] == 1
    [objection] = result["objections"]
    assert {k: objection[k] for k in ("network", "reason", "handling")} == {
        "network": "civil_society",
        "reason": "งบประมาณไม่พอ",
        "handling": "",
    }
    refused = phones[0].post(
        api(world, f"/agenda/items/{first['id']}/adopt"), json={"adopted": True}
    )
    assert refused.status_code == 403
    # under the default rule an objection must be handled before the item is adopted
    unhandled = world.facilitator.post(
        api(world, f"/agenda/items/{first['id']}/adopt"), json={"adopted": True}
    )
    assert unhandled.status_code == 409
    assert unhandled.json()["error"] == "adoption_rule_not_met"
    ok(
        world.facilitator.post(
            api(world, f"/agenda/objections/{objection['id']}"),
            json={"handling": "answered", "note": "ใช้งบเทศบาลสมทบ"},
        )
    )
    adopted = ok(
        world.facilitator.post(
            api(world, f"/agenda/items/{first['id']}/adopt"), json={"adopted": True}
        )
    )
    assert adopted["adopted"] is True

    # export: the organizer's background text, then the DOCX opened with python-docx
    saved = world.organizer.post(
        f"/organize/{world.id}/export/settings",
        data={"background": "สมัชชานี้จัดขึ้นครั้งที่ 1", "thai_numerals": "on", "buddhist_era": "on"},
        headers={"X-Requested-With": "fetch"},
    )
    assert saved.status_code == 204, saved.text
    response = world.organizer.get(f"/organize/{world.id}/export.docx")
    assert response.status_code == 200, response.text
    assert "attachment" in response.headers["content-disposition"]
    document = docx.Document(io.BytesIO(response.content))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert any("วาระคุณธรรมจังหวัดทดสอบ" in h for h in headings)
    assert any(h.startswith("๕.๑ วาระที่ ๑ ขยะล้นเมือง") for h in headings)
    assert any("วาระที่ ๒ วินัยจราจร" in h and "ยังไม่ผ่านการรับรอง" in h for h in headings)
    assert any("ภาคผนวก" in h for h in headings)
    text = "\n".join(p.text for p in document.paragraphs)
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    assert "๑. ปริมาณขยะในตลาดลดลง" in cells  # the indicator table, numbered in Thai digits
    assert "ร้อยละ" in cells
    assert "เจ้าอาวาสวัดกลาง" in cells
    assert any("๓๐ ก.ย. ๒๕๗๐" in c for c in cells)  # the deadline, B.E. in Thai digits
    assert any("ปีงบฯ ๒๕๗๐" in c for c in cells)
    assert "๓๐" in text  # the goal's "30" written in Thai digits
    assert "😊" in text
    assert "งบประมาณไม่พอ" in cells  # the objection, with how it was handled
    assert any("ใช้งบเทศบาลสมทบ" in c for c in cells)
    assert any("มีค่าเป้าหมายแต่ไม่มีหน่วยนับ" in p.text for p in document.paragraphs)
    assert len(document.tables) >= 6
    fonts = {r.font.name for p in document.paragraphs for r in p.runs if r.text.strip()}
    assert fonts == {"TH Sarabun New"}
    prepared = next(p.text for p in document.paragraphs if p.text.startswith("จัดทำเมื่อ"))
    assert "พ.ศ. ๒๕" in prepared
    assert set(prepared) & THAI_DIGITS

    # HTML page and Markdown show the same sections
    html = world.organizer.get(f"/organize/{world.id}/export.html")
    assert html.status_code == 200
    assert "text/html" in html.headers["content-type"]
    assert "วาระที่ ๑ ขยะล้นเมือง" in html.text
    md = world.facilitator.get(f"/organize/{world.id}/export.md")
    assert md.status_code == 200
    assert "ภาคผนวก" in md.text

    # CSV with a BOM, Thai intact
    for table in ("proposals", "issues", "votes", "indicators"):
        csv_response = world.facilitator.get(f"/organize/{world.id}/export/{table}.csv")
        assert csv_response.status_code == 200, csv_response.text
        assert csv_response.content.startswith(b"\xef\xbb\xbf")
        rows = list(csv.reader(io.StringIO(csv_response.content.decode("utf-8-sig"))))
        assert len(rows) > 1
    issues_rows = list(
        csv.reader(
            io.StringIO(
                world.facilitator.get(f"/organize/{world.id}/export/issues.csv").content.decode(
                    "utf-8-sig"
                )
            )
        )
    )
    assert issues_rows[1][1] == "ขยะล้นเมือง"

    # strangers and participants get nothing
    assert phones[0].get(f"/organize/{world.id}/export.docx").status_code == 403


def test_export_of_an_assembly_with_no_votes_says_what_is_missing(world: World) -> None:
    response = world.organizer.get(f"/organize/{world.id}/export.docx")
    assert response.status_code == 200
    document = docx.Document(io.BytesIO(response.content))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "ฉบับร่าง" in text
    assert "ยังไม่มีผลการลงคะแนนจัดลำดับความสำคัญของประเด็น" in text
    assert "ยังไม่มีวาระที่ร่วมกันกำหนดเป้าหมาย" in text
    summary = ok(world.facilitator.get(api(world, "/agenda/document")))
    assert summary["items"] == 0
    assert summary["missing"]
    for name in ("export.html", "export.md", "export.json", "export/votes.csv"):
        assert world.organizer.get(f"/organize/{world.id}/{name}").status_code == 200
    assert world.organizer.get(f"/organize/{world.id}/export.exe").status_code == 404
    assert world.organizer.get(f"/organize/{world.id}/export/ballots.csv").status_code == 404


def test_agenda_items_follow_the_vote_whatever_order_the_issues_are_given_in(
    world: World,
) -> None:
    issue_ids = make_issues(world)
    phones = [world.phone(n) for n in ("government", "business", "civil_society", "education")]
    vote_on_issues(world, phones)  # ขยะล้นเมือง first, วินัยจราจร second, ทุจริต none
    world.open("draft")
    given = [issue_ids[t] for t in ("ทุจริตในหน่วยงาน", "วินัยจราจร", "ขยะล้นเมือง")]
    items = ok(world.facilitator.post(api(world, "/agenda/items"), json={"issue_ids": given}), 201)
    assert [i["title"] for i in items] == ["ขยะล้นเมือง", "วินัยจราจร", "ทุจริตในหน่วยงาน"]
    assert [i["position"] for i in items] == sorted(i["position"] for i in items)


def test_votes_csv_names_the_dot_method_as_the_ui_does_and_the_status_in_thai(
    world: World,
) -> None:
    from assembly.i18n import translations

    make_issues(world)
    world.open("vote")
    vote = ok(
        world.facilitator.post(
            api(world, "/votes"),
            json={"method": "dot", "params": {"dots": 3}, "subject": "issues"},
        ),
        201,
    )
    ok(world.facilitator.post(api(world, f"/votes/{vote['id']}/open")))
    phone = world.phone("media")
    first = vote["options"][0]["id"]
    ballot = ok(
        phone.post(
            api(world, f"/votes/{vote['id']}/ballot"),
            json={"ballot": {str(first): 3}, "client_seq": 1},
        )
    )
    assert ballot is not None
    ok(world.facilitator.post(api(world, f"/votes/{vote['id']}/close")))

    # Litestar adds the charset of a text/* type itself: one declaration per response.
    for path in (
        f"/organize/{world.id}/export.html",
        f"/organize/{world.id}/export.md",
        f"/a/{world.id}/votes/{vote['id']}/export/tally.csv",
        f"/organize/{world.id}/seats/list.csv",
    ):
        content_type = world.organizer.get(path).headers["content-type"]
        assert content_type.lower().count("charset=utf-8") == 1, (path, content_type)
    response = world.organizer.get(f"/organize/{world.id}/export/votes.csv")
    assert response.status_code == 200
    content_type = response.headers["content-type"]
    assert content_type.lower().count("charset=utf-8") == 1, content_type
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    thai = translations("th")
    ui_name = thai.gettext("Dot voting").split(" (")[0]  # the console's name: "ติดจุด"
    assert ui_name != "Dot voting"
    method, status = rows[1][2], rows[1][3]
    assert ui_name in method, method
    assert "ดาว" not in method, method
    assert status == thai.gettext("closed") == "ปิดแล้ว"
