"""The staff side of the year after the assembly over real HTTP (issue 18): the setup page and
its plain forms, an agency's link shown once with its QR code, a report sent through the
link's JSON API, the board (page, live region, JSON), the DOCX and CSV downloads, the public
page only while switched on and without personal data; bad input answered 4xx with a code and
a Thai message; a facilitator sees but does not manage, an anonymous visitor gets nothing."""

from __future__ import annotations

import base64
import io
import os
import re
from typing import TYPE_CHECKING, Any

import docx

if TYPE_CHECKING:
    from conftest import Person, World

FETCH = {"X-Requested-With": "fetch"}
EDUCATION = "สำนักงานเขตพื้นที่การศึกษา"
CONTENT: dict[str, Any] = {
    "goal": "นักเรียนซื่อสัตย์ต่อตนเองและผู้อื่น",
    "virtues": ["ซื่อสัตย์"],
    "plans": [
        {
            "name": "ขยายร้านค้าความซื่อสัตย์",
            "lead_agency": EDUCATION,
            "contact": "ครูสมหญิง 081-111-1111",
            "activities": [{"what": "อบรมครูผู้ดูแลร้านค้า", "budget": "50,000"}],
        }
    ],
    "indicators": [
        {
            "name": "จำนวนโรงเรียนที่มีร้านค้าความซื่อสัตย์",
            "unit": "แห่ง",
            "baseline": "10",
            "target": "50",
            "reporting_agency": EDUCATION,
        }
    ],
}


def api(world: World, path: str = "") -> str:
    return f"/api/v1/assemblies/{world.id}/followup{path}"


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json() if "json" in response.headers.get("content-type", "") else response


def adopted(world: World) -> int:
    """One item drafted with a plan, an activity and an indicator, and adopted."""
    base = f"/api/v1/assemblies/{world.id}/agenda"
    world.open("draft")
    item = ok(world.facilitator.post(f"{base}/items", json={"title": "ร้านค้าความซื่อสัตย์"}), 201)[0]
    ok(
        world.facilitator.patch(
            f"{base}/items/{item['id']}", json={"version": item["version"], **CONTENT}
        )
    )
    world.open("adopt")
    ok(world.facilitator.post(f"{base}/items/{item['id']}/adopt", json={"adopted": True}))
    return int(item["id"])


def refused(response: Any, status: int, code: str) -> str:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["error"] == code, body
    assert re.search("[\u0e00-\u0e7f]", body["message"]), body  # said in Thai
    return str(body["message"])


def started(world: World) -> dict[str, Any]:
    adopted(world)
    ok(world.organizer.post(api(world, "/start"), json={"fiscal_year": "2570"}))
    return ok(world.organizer.get(api(world, "/")))


def test_the_organizer_sets_up_by_forms_and_an_agency_reports_through_its_link(
    world: World, stranger: Person
) -> None:
    adopted(world)
    org = world.organizer
    setup_page = f"/organize/{world.id}/followup"
    # The console's link to the board, before the start: the organizer is sent to set it up,
    # a facilitator is told it has not started.
    before = org.get(f"/followup/{world.id}", follow_redirects=False)
    assert (before.status_code, before.headers["location"]) == (303, setup_page)
    refused(
        world.facilitator.get(f"/followup/{world.id}", headers=FETCH), 409, "followup_not_started"
    )
    page = ok(org.get(setup_page))
    assert "เริ่มจากวาระที่รับรองแล้ว" in page.text  # Thai first
    assert "ร้านค้าความซื่อสัตย์" not in page.text  # nothing frozen yet
    page = ok(org.post(f"{setup_page}/start", data={"fiscal_year": "2570"}))
    assert "ร้านค้าความซื่อสัตย์" in page.text
    assert "ไตรมาสที่ 1" in page.text

    # Rounds by hand: two rounds, then quarterly again.
    ok(
        org.post(
            f"{setup_page}/rounds",
            data={
                "fiscal_year": "2570",
                "label_1": "ครึ่งปีแรก",
                "due_1": "2027-04-15",
                "label_2": "ครึ่งปีหลัง",
                "due_2": "2027-10-15",
            },
        )
    )
    view = ok(org.get(api(world, "/")))
    assert [r["label"] for r in view["settings"]["rounds"]] == ["ครึ่งปีแรก", "ครึ่งปีหลัง"]
    ok(org.post(f"{setup_page}/rounds", data={"fiscal_year": "2570", "quarterly": "on"}))
    assert len(ok(org.get(api(world, "/")))["settings"]["rounds"]) == 4

    # The working group: a secretary with a new account, a member without one.
    ok(
        org.post(
            f"{setup_page}/members",
            data={
                "name": "นางสาวเลขา ใจดี",
                "network": "government",
                "agency": "สำนักงานวัฒนธรรมจังหวัด",
                "role": "secretary",
                "contact": "081-000-0000",
                "username": "เลขาคณะทำงาน",
                "password": "รหัสผ่านคณะทำงาน1",
            },
        )
    )
    ok(org.post(f"{setup_page}/members", data={"name": "นายกรรมการ มีสุข", "role": "member"}))
    view = ok(org.get(api(world, "/")))
    assert [(m["name"], m["username"]) for m in view["members"]] == [
        ("นางสาวเลขา ใจดี", "เลขาคณะทำงาน"),
        ("นายกรรมการ มีสุข", None),
    ]

    # Agencies: the one the agenda named is there; another is added; the indicator is
    # assigned to it with a person.
    ok(org.post(f"{setup_page}/agencies", data={"name": "สำนักงานวัฒนธรรมจังหวัด"}))
    view = ok(org.get(api(world, "/")))
    agencies = {a["name"]: a["id"] for a in view["agencies"]}
    indicator = next(t for t in view["targets"] if t["kind"] == "indicator")
    activity = next(t for t in view["targets"] if t["kind"] == "activity")
    assert activity["answered_by"] == agencies[EDUCATION]  # the plan's agency, from the agenda
    ok(
        org.post(
            f"{setup_page}/targets/{indicator['id']}",
            data={"agency_id": str(agencies[EDUCATION]), "person": "นายวัดผล"},
        )
    )
    assigned = next(
        t for t in ok(org.get(api(world, "/")))["targets"] if t["id"] == indicator["id"]
    )
    assert (assigned["agency_id"], assigned["person"]) == (agencies[EDUCATION], "นายวัดผล")

    # The link is shown once, with its QR code; the page lists only its hint afterwards.
    shown = ok(org.post(f"{setup_page}/agencies/{agencies[EDUCATION]}/link"))
    assert shown.headers["cache-control"] == "no-store"
    url = re.search(r'data-field="reporting-url">([^<]+)<', shown.text)
    assert url is not None
    token = url[1].rsplit("/r/", 1)[1]
    assert "<svg" in shown.text
    assert EDUCATION in shown.text
    later = ok(org.get(setup_page)).text
    assert token not in later
    assert token[-4:] in later

    # The agency reports through the link's API, with no account; a resend stores nothing new.
    reporting = ok(stranger.get(f"/api/v1/reporting/{token}/"))
    assert {t["id"] for t in reporting["targets"]} == {indicator["id"], activity["id"]}
    report = {
        "target_id": indicator["id"],
        "client_key": "k" * 16,
        "round": 1,
        "value": "25 แห่ง",
        "measured_on": "2026-12-01",
        "source": "ทะเบียนโรงเรียน",
        "worked": "ครูช่วยกันดูแลร้าน",
    }
    first = ok(stranger.post(f"/api/v1/reporting/{token}/reports", json=report), 201)
    again = ok(stranger.post(f"/api/v1/reporting/{token}/reports", json=report), 201)
    assert (first["stored"], again["stored"], again["id"]) == (True, False, first["id"])
    ok(
        stranger.post(
            f"/api/v1/reporting/{token}/reports",
            json={
                "target_id": activity["id"],
                "status": "done",
                "done": "อบรมครู ๓๐ คน",
                "people_reached": "30",
                "money_spent": 45000,
                "round": 1,
            },
        ),
        201,
    )

    # The board: the value, the track written out, the rule, the lesson; the live region.
    shown_board = ok(org.get(f"/followup/{world.id}"))
    assert shown_board.headers["cache-control"] == "no-store"
    board = shown_board.text
    assert "25 แห่ง" in board
    assert "ครูช่วยกันดูแลร้าน" in board
    assert "เกณฑ์การประเมิน" in board
    # dates as the hall reads them: quarter 1 of FY 2570 is due on 15 January 2570 B.E.
    assert "15 ม.ค. พ.ศ. 2570" in board
    assert "2027-01-15" not in board
    assert "<svg" in board
    assert "เสร็จแล้ว" in board
    region = ok(org.get(f"/followup/{world.id}/region")).text
    assert "data-board" in region
    assert "<html" not in region
    data = ok(org.get(api(world, "/board")))
    ind = data["items"][0]["indicators"][0]
    assert (ind["latest_text"], ind["baseline"], ind["target"]) == ("25 แห่ง", 10.0, 50.0)
    assert data["rule_text"].startswith("เกณฑ์การประเมิน")

    # Downloads: the DOCX of round 1 opens with python-docx; the CSV has the report.
    got = ok(org.get(f"/followup/{world.id}/report.docx?round=1"))
    assert got.headers["content-type"].startswith("application/vnd.openxmlformats")
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(got.content)).paragraphs)
    assert "รายงานความก้าวหน้า" in text
    csv = ok(org.get(f"/followup/{world.id}/reports.csv")).content.decode("utf-8-sig")
    assert "25 แห่ง" in csv
    assert "ทะเบียนโรงเรียน" in csv
    assert ok(org.get(api(world, "/report.docx"))).content[:2] == b"PK"

    # Revoked: the link stops working at once.
    ok(org.post(f"{setup_page}/agencies/{agencies[EDUCATION]}/revoke"))
    refused(stranger.get(f"/api/v1/reporting/{token}/"), 403, "link_revoked")


def test_the_public_page_only_while_switched_on_and_without_personal_data(
    world: World, stranger: Person
) -> None:
    view = started(world)
    public = f"/progress/{world.id}"
    assert stranger.get(public).status_code == 404
    agency = view["agencies"][0]["id"]
    indicator = next(t for t in view["targets"] if t["kind"] == "indicator")
    ok(
        world.organizer.post(
            f"/organize/{world.id}/followup/targets/{indicator['id']}",
            data={"agency_id": str(agency), "person": "นายวัดผล ลับเฉพาะ"},
        )
    )
    ok(world.organizer.post(f"/organize/{world.id}/followup/public", data={"public": "on"}))
    page = ok(stranger.get(public)).text
    assert "ร้านค้าความซื่อสัตย์" in page
    assert "เกณฑ์การประเมิน" in page
    assert "นายวัดผล" not in page
    assert "081-111-1111" not in page
    assert "/photos/" not in page
    ok(world.organizer.post(f"/organize/{world.id}/followup/public", data={}))
    assert stranger.get(public).status_code == 404


def test_bad_input_is_refused_with_a_code_and_a_thai_message(
    world: World, stranger: Person
) -> None:
    org = world.organizer
    adopted(world)
    setup_page = f"/organize/{world.id}/followup"
    refused(org.post(f"{setup_page}/rounds", data={}, headers=FETCH), 409, "followup_not_started")
    refused(
        org.post(f"{setup_page}/start", data={"fiscal_year": "ปีหน้า"}, headers=FETCH),
        400,
        "invalid_fiscal_year",
    )
    refused(
        org.post(api(world, "/start"), json={"fiscal_year": "99999"}), 400, "invalid_fiscal_year"
    )
    ok(org.post(api(world, "/start"), json={}))
    refused(
        org.post(
            f"{setup_page}/rounds",
            data={"due_1": "2027-04-15", "due_2": "2027-01-15"},
            headers=FETCH,
        ),
        400,
        "rounds_out_of_order",
    )
    refused(
        org.post(f"{setup_page}/rounds", data={"due_1": "พรุ่งนี้"}, headers=FETCH),
        400,
        "invalid_date",
    )
    refused(
        org.post(f"{setup_page}/members", data={"name": "ก", "role": "boss"}, headers=FETCH),
        400,
        "invalid_member_role",
    )
    refused(
        org.post(f"{setup_page}/members", data={"name": "", "role": "member"}, headers=FETCH),
        400,
        "name_required",
    )
    refused(
        org.post(f"{setup_page}/agencies", data={"name": EDUCATION}, headers=FETCH),
        409,
        "agency_exists",
    )
    refused(
        org.post(f"{setup_page}/targets/999999", data={"agency_id": ""}, headers=FETCH),
        404,
        "target_not_found",
    )
    refused(org.post(f"{setup_page}/agencies/999999/link", headers=FETCH), 404, "agency_not_found")
    refused(
        org.get(f"/followup/{world.id}/report.docx?round=9", headers=FETCH), 404, "round_not_found"
    )
    refused(
        org.get(f"/followup/{world.id}/report.docx?round=x", headers=FETCH), 400, "invalid_number"
    )
    refused(stranger.get("/api/v1/reporting/not-a-token/"), 404, "invalid_link")
    view = ok(org.get(api(world, "/")))
    agency = view["agencies"][0]["id"]
    issued = org.post(api(world, f"/agencies/{agency}/link"))
    assert issued.headers["cache-control"] == "no-store"  # the token is in it, once
    token = ok(issued, 201)["token"]
    indicator = next(t for t in view["targets"] if t["kind"] == "indicator")["id"]
    reports = f"/api/v1/reporting/{token}/reports"
    refused(
        stranger.post(reports, json={"target_id": indicator, "value": "5", "photos": ["!!"]}),
        400,
        "invalid_photo",
    )
    refused(
        stranger.post(reports, json={"target_id": indicator, "value": "5", "photos": ["AAAA"]}),
        400,
        "invalid_photo",
    )
    refused(
        stranger.post(reports, json={"target_id": indicator, "value": ""}), 400, "value_required"
    )
    board = ok(org.get(api(world, "/board")))
    assert board["counts"]["measurements"] == 0  # nothing half-stored
    # A form error page (no script) is a Thai page, not a trace.
    page = org.post(f"{setup_page}/rounds", data={"due_1": "พรุ่งนี้"})
    assert page.status_code == 400
    assert "<html" in page.text


def test_a_facilitator_sees_but_does_not_manage_and_strangers_get_nothing(
    world: World, stranger: Person, sign_up: Any
) -> None:
    view = started(world)
    fac = world.facilitator
    setup_page = f"/organize/{world.id}/followup"
    page = ok(fac.get(setup_page)).text
    assert "ร้านค้าความซื่อสัตย์" in page
    assert f'action="{setup_page}/members"' not in page  # no forms to change it
    assert ok(fac.get(f"/followup/{world.id}")).status_code == 200
    assert ok(fac.get(f"/followup/{world.id}/reports.csv")).status_code == 200
    refused(fac.post(api(world, "/start"), json={}), 403, "secretary_only")
    refused(
        fac.post(f"{setup_page}/agencies", data={"name": "หน่วยงานใหม่"}, headers=FETCH),
        403,
        "secretary_only",
    )
    agency = view["agencies"][0]["id"]
    refused(fac.post(api(world, f"/agencies/{agency}/link")), 403, "secretary_only")
    # The facilitator may add a learning note (seeing progress is enough for that).
    item = next(t for t in view["targets"] if t["kind"] == "item")["id"]
    ok(fac.post(f"/followup/{world.id}/notes", data={"target_id": str(item), "worked": "ได้ผลดี"}))
    assert "ได้ผลดี" in ok(fac.get(f"/followup/{world.id}")).text

    for path in (
        f"/followup/{world.id}",
        f"/followup/{world.id}/region",
        f"/followup/{world.id}/reports.csv",
        f"/followup/{world.id}/report.docx",
        setup_page,
        api(world, "/"),
        api(world, "/board"),
    ):
        answer = stranger.get(path, headers=FETCH)
        assert answer.status_code in (401, 403), (path, answer.status_code)
    other = sign_up("ผู้จัดอื่น", "organizer")
    assert other.get(f"/followup/{world.id}", headers=FETCH).status_code == 403
    phone = world.phone("media")
    refused(phone.get(f"/followup/{world.id}", headers=FETCH), 403, "working_group_only")


def test_a_working_group_member_sees_the_board_and_a_secretary_sets_up(
    world: World, client: Any
) -> None:
    view = started(world)
    person_class = type(world.organizer)
    org = world.organizer
    for name, role in (("กรรมการหนึ่ง", "member"), ("เลขาหนึ่ง", "secretary")):
        ok(
            org.post(
                api(world, "/members"),
                json={"name": name, "role": role, "username": name, "password": "รหัสผ่านยาวพอ1"},
            ),
            201,
        )
    member, secretary = person_class(client), person_class(client)
    for person, name in ((member, "กรรมการหนึ่ง"), (secretary, "เลขาหนึ่ง")):
        ok(person.post("/api/v1/login", json={"username": name, "password": "รหัสผ่านยาวพอ1"}))
    assert f'href="/followup/{world.id}"' in ok(member.get("/organize")).text  # from the list
    assert "ร้านค้าความซื่อสัตย์" in ok(member.get(f"/followup/{world.id}")).text
    refused(member.post(api(world, "/public"), json={"public": True}), 403, "secretary_only")
    ok(secretary.post(api(world, "/public"), json={"public": True}))
    ok(secretary.post(api(world, "/agencies"), json={"name": "หน่วยงานของเลขา"}), 201)
    # Only the organizer makes next year's assembly.
    refused(secretary.post(api(world, "/next-year"), json={}), 403, "organizer_only")
    made = ok(org.post(api(world, "/next-year"), json={"name": "สมัชชาปีหน้า"}), 201)
    assert made["assembly_id"] != world.id
    assert made["items"]
    assert view["settings"]["fiscal_year"] == 2570


def test_the_api_is_in_the_openapi_schema(client: Any) -> None:
    schema = client.get("/schema/openapi.json").json()
    paths = schema["paths"]
    for path in (
        "/api/v1/assemblies/{assembly_id}/followup",
        "/api/v1/assemblies/{assembly_id}/followup/board",
        "/api/v1/assemblies/{assembly_id}/followup/agencies/{agency_id}/link",
        "/api/v1/reporting/{token}/reports",
    ):
        assert path in paths, sorted(p for p in paths if "follow" in p or "report" in p)


def _photo() -> str:
    """A noisy 1000x600 PNG: 1.8 MB, more than a JSON body may hold without photos."""
    from PIL import Image

    out = io.BytesIO()
    Image.frombytes("RGB", (1000, 600), os.urandom(1000 * 600 * 3)).save(out, "PNG")
    assert out.tell() > 1024 * 1024
    return base64.b64encode(out.getvalue()).decode()


def test_a_photo_is_served_re_encoded_to_those_who_see_the_board_and_screens_hear_reports(
    world: World, stranger: Person, client: Any
) -> None:
    view = started(world)
    org = world.organizer
    agency = view["agencies"][0]["id"]
    token = ok(org.post(api(world, f"/agencies/{agency}/link")), 201)["token"]
    activity = next(t for t in view["targets"] if t["kind"] == "activity")["id"]
    ok(
        org.post(
            api(world, "/members"),
            json={
                "name": "กรรมการ",
                "role": "member",
                "username": "กรรมการ",
                "password": "รหัสผ่านยาวพอ1",
            },
        ),
        201,
    )
    member = type(world.organizer)(client)
    ok(member.post("/api/v1/login", json={"username": "กรรมการ", "password": "รหัสผ่านยาวพอ1"}))
    with org.socket(world.id) as staff_screen, member.socket(world.id) as member_screen:
        assert staff_screen.receive_json(timeout=5)["type"] == "snapshot"
        # the rules table refuses the working group the assembly day (VIEW_ASSEMBLY): its
        # board's socket gets the sequence alone, no join code, no proposals
        first = member_screen.receive_json(timeout=5)
        assert (first["type"], first["data"]) == ("snapshot", {})
        sent = ok(
            stranger.post(
                f"/api/v1/reporting/{token}/reports",
                json={"target_id": activity, "status": "in_progress", "photos": [_photo()]},
            ),
            201,
        )
        # A board open on a screen hears the report: staff as what changed, a working-group
        # account (on the public stream) as a tick; either makes it fetch the board again.
        event = staff_screen.receive_json(timeout=5)
        assert (event["type"], event["data"]["what"]) == ("progress.changed", "report")
        assert member_screen.receive_json(timeout=5)["type"] == "tick"
    [photo] = sent["photo_ids"]
    board = ok(org.get(f"/followup/{world.id}")).text
    assert f"/followup/{world.id}/photos/{photo}" in board
    got = org.get(f"/followup/{world.id}/photos/{photo}")
    assert got.status_code == 200
    assert got.headers["content-type"] == "image/jpeg"
    assert got.content[:2] == b"\xff\xd8"
    assert member.get(f"/followup/{world.id}/photos/{photo}").status_code == 200
    refused(
        stranger.get(f"/followup/{world.id}/photos/{photo}", headers=FETCH),
        401,
        "not_authenticated",
    )
    ok(org.post(api(world, "/public"), json={"public": True}))
    assert "/photos/" not in ok(stranger.get(f"/progress/{world.id}")).text


def test_a_member_is_edited_by_the_form_and_given_an_account_later(
    world: World, client: Any
) -> None:
    started(world)
    org = world.organizer
    setup_page = f"/organize/{world.id}/followup"
    ok(org.post(f"{setup_page}/members", data={"name": "นายมานะ", "role": "member"}))
    member = ok(org.get(api(world, "/")))["members"][0]
    assert f'data-edit-member="{member["id"]}"' in ok(org.get(setup_page)).text
    ok(
        org.post(
            f"{setup_page}/members/{member['id']}",
            data={
                "name": "นายมานะ ใจดี",
                "role": "chair",
                "network": "religion",
                "username": "mana",
                "password": "รหัสผ่านยาวพอ1",
            },
        )
    )
    edited = ok(org.get(api(world, "/")))["members"][0]
    assert (edited["name"], edited["role"], edited["network"], edited["username"]) == (
        "นายมานะ ใจดี",
        "chair",
        "religion",
        "mana",
    )
    chair = type(org)(client)
    ok(chair.post("/api/v1/login", json={"username": "mana", "password": "รหัสผ่านยาวพอ1"}))
    ok(chair.post(api(world, "/agencies"), json={"name": "หน่วยงานของประธาน"}), 201)  # sets up
