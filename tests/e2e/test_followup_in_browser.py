"""The year after the assembly in a real browser (issue 18): the organizer sets the follow-up
up by typing in the real fields (fiscal year, a working-group member, an agency, who answers
for an indicator), issues an agency's reporting link and sees its QR code, opens the progress
board, watches it change by itself when the agency reports, downloads the quarterly DOCX; the
public page once switched on. axe-core on every new page; the screenshots are the ones
docs/follow-up.md shows (docs/screenshots/followup-*.png)."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import docx
import httpx
from playwright.sync_api import expect

if TYPE_CHECKING:
    from conftest import Audit, Server

DOCS_SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
LAPTOP = {"width": 1366, "height": 900}
PHONE = {"width": 360, "height": 740}
PROJECTOR = {"width": 1920, "height": 1080}
EDUCATION = "สำนักงานเขตพื้นที่การศึกษาประถมศึกษาน่าน เขต 1"
COMMUNITY = "สำนักงานพัฒนาชุมชนจังหวัดน่าน"
ITEMS: tuple[tuple[str, dict[str, Any]], ...] = (
    (
        "ร้านค้าความซื่อสัตย์ในโรงเรียน",
        {
            "goal": "นักเรียนซื่อสัตย์ต่อตนเองและผู้อื่น",
            "virtues": ["ซื่อสัตย์"],
            "plans": [
                {
                    "name": "ขยายร้านค้าความซื่อสัตย์",
                    "lead_agency": EDUCATION,
                    "activities": [
                        {"what": "อบรมครูผู้ดูแลร้านค้า", "budget": "50,000"},
                        {"what": "เปิดร้านค้าในโรงเรียนใหม่ 40 แห่ง"},
                    ],
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
        },
    ),
    (
        "จิตอาสาพัฒนาชุมชน",
        {
            "goal": "ครัวเรือนร่วมกิจกรรมจิตอาสา",
            "virtues": ["จิตอาสา"],
            "plans": [
                {
                    "name": "ชุมชนคุณธรรม",
                    "lead_agency": COMMUNITY,
                    "activities": [{"what": "จัดกิจกรรมจิตอาสาเดือนละครั้ง"}],
                }
            ],
            "indicators": [
                {
                    "name": "ครัวเรือนที่ร่วมกิจกรรมจิตอาสา",
                    "unit": "ร้อยละ",
                    "baseline": "ร้อยละ ๒๐",
                    "target": "ร้อยละ ๖๐",
                }
            ],
        },
    ),
)


def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def adopted_assembly(server: Server) -> int:
    """An assembly of Nan whose two items are drafted with plans and indicators and adopted."""
    with httpx.Client(base_url=server.url) as org:
        ok(org.post("/api/v1/login", json={"username": "org", "password": server.password}))
        state = ok(
            org.post(
                "/api/v1/assemblies/",
                json={"name": "สมัชชาคุณธรรมจังหวัดน่าน ๒๕๖๙", "province": "น่าน"},
            ),
            201,
        )
        a = state["assembly"]["id"]
        steps = {s["kind"]: s["id"] for s in state["steps"]}
        api = f"/api/v1/assemblies/{a}"
        ok(org.post(f"{api}/steps/{steps['draft']}/open", json={}))
        ids = []
        for title, content in ITEMS:
            item = ok(org.post(f"{api}/agenda/items", json={"title": title}), 201)[0]
            ok(org.patch(f"{api}/agenda/items/{item['id']}", json={"version": 1, **content}))
            ids.append(item["id"])
        ok(org.post(f"{api}/steps/{steps['adopt']}/open", json={}))
        for item_id in ids:
            ok(org.post(f"{api}/agenda/items/{item_id}/adopt", json={"adopted": True}))
        return int(a)


def login(browser: Any, server: Server, viewport: dict[str, int]) -> Any:
    context = browser.new_context(viewport=viewport, locale="th-TH", accept_downloads=True)
    page = context.new_page()
    page.goto(f"{server.url}/login")
    page.fill("#username", "org")
    page.fill("#password", server.password)
    page.click("button[type=submit]")
    expect(page).to_have_url(re.compile(r"/organize$"))
    return page


def shot(page: Any, name: str, *, full: bool = True) -> None:
    DOCS_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=DOCS_SCREENSHOTS / f"followup-{name}.png", full_page=full)


def report(token: str, server: Server, **body: Any) -> None:
    with httpx.Client(base_url=server.url) as phone:
        ok(phone.post(f"/api/v1/reporting/{token}/reports", json=body), 201)


def test_the_organizer_sets_up_follow_up_and_the_board_updates_live(
    browser: Any, server: Server, audit: Audit, tmp_path: Path
) -> None:
    a = adopted_assembly(server)
    page = login(browser, server, LAPTOP)

    # From the export page, where the organizer is after adoption.
    page.goto(f"{server.url}/organize/{a}/export")
    page.click(f"#followup a[href='/organize/{a}/followup']")
    expect(page.locator("h1")).to_contain_text("ปีหลังสมัชชา")
    page.fill("#start-fiscal-year", "2570")
    page.click("#start button[type=submit]")
    expect(page.locator("#start")).to_contain_text("ปีงบประมาณ 2570")
    expect(page.locator("#due_1")).to_have_value("2027-01-15")

    # A round renamed by typing; a working-group member; an agency.
    page.fill("#label_4", "ไตรมาสที่ 4 (สรุปทั้งปี)")
    page.click("#rounds button[type=submit]")
    expect(page.locator("#label_4")).to_have_value("ไตรมาสที่ 4 (สรุปทั้งปี)")
    page.fill("#member-name", "นางสาวสมใจ รักดี")
    page.select_option("#member-network", "government")
    page.fill("#member-agency", "สำนักงานวัฒนธรรมจังหวัดน่าน")
    page.select_option("#member-role", "secretary")
    page.fill("#member-contact", "081-234-5678")
    page.click("#members form[data-form=member] button[type=submit]")
    expect(page.locator("#members tbody")).to_contain_text("นางสาวสมใจ รักดี")
    page.fill("#agency-name", "สำนักงานวัฒนธรรมจังหวัดน่าน")
    page.click("#agencies form[data-form=agency] button[type=submit]")
    expect(page.locator("#agencies tbody")).to_contain_text("สำนักงานวัฒนธรรมจังหวัดน่าน")

    # The second item's indicator had no agency in the agenda: the community office answers.
    indicator = page.locator(".fu-target", has_text="ครัวเรือนที่ร่วมกิจกรรมจิตอาสา")
    target = indicator.get_attribute("data-target")
    page.select_option(f"#agency-{target}", label=COMMUNITY)
    page.fill(f"#person-{target}", "นายชุมชน เข้มแข็ง")
    indicator.locator("button[type=submit]").click()
    expect(page.locator(f"#person-{target}")).to_have_value("นายชุมชน เข้มแข็ง")
    audit(page, "follow-up setup, laptop")
    shot(page, "setup")

    # The education office's link, shown once with its QR code.
    row = page.locator("#agencies tr", has_text=EDUCATION)
    row.locator("button", has_text="ออกลิงก์").click()
    expect(page.locator("h1")).to_contain_text(EDUCATION)
    expect(page.locator(".fu-link-qr svg")).to_be_visible()
    url = page.locator("[data-field=reporting-url]").inner_text()
    education_token = url.rsplit("/r/", 1)[1]
    audit(page, "reporting link")
    shot(page, "link")
    page.click("text=กลับไปหน้าการติดตามผล")
    row = page.locator("#agencies tr", has_text=COMMUNITY)
    row.locator("button", has_text="ออกลิงก์").click()
    community_token = page.locator("[data-field=reporting-url]").inner_text().rsplit("/r/", 1)[1]

    # Reports from the agencies' phones (the phone page is tested in its own file; here the
    # same JSON it sends): measurements in October and November, activities, lessons.
    with httpx.Client(base_url=server.url) as phone:
        seen = ok(phone.get(f"/api/v1/reporting/{education_token}/"))
    by_name = {t["name"]: t["id"] for t in seen["targets"]}
    report(
        education_token,
        server,
        target_id=by_name["จำนวนโรงเรียนที่มีร้านค้าความซื่อสัตย์"],
        round=1,
        value="14 แห่ง",
        measured_on="2026-10-31",
        source="ทะเบียนโรงเรียน สพป.",
    )
    report(
        education_token,
        server,
        target_id=by_name["อบรมครูผู้ดูแลร้านค้า"],
        round=1,
        status="done",
        done="อบรมครู 60 คน จาก 30 โรงเรียน",
        people_reached="60",
        money_spent="42,500",
        worked="ครูพี่เลี้ยงช่วยโรงเรียนใหม่ได้ดี",
        not_worked="บางโรงเรียนไม่มีพื้นที่ตั้งร้าน",
        change="ให้ใช้มุมห้องสมุดแทน",
    )
    report(
        education_token,
        server,
        target_id=by_name["เปิดร้านค้าในโรงเรียนใหม่ 40 แห่ง"],
        round=1,
        status="in_progress",
        done="เปิดแล้ว 4 แห่ง",
    )

    # The board on the laptop; then the agency reports again while it is open.
    page.goto(f"{server.url}/followup/{a}")
    expect(page.locator("[data-field=board-live]")).to_be_visible()
    first = page.locator(".fu-indicator", has_text="จำนวนโรงเรียน")
    expect(first.locator("[data-field=latest]")).to_have_text("14 แห่ง")
    audit(page, "progress board, laptop")
    with httpx.Client(base_url=server.url) as phone:
        community = ok(phone.get(f"/api/v1/reporting/{community_token}/"))
    households = next(t["id"] for t in community["targets"] if t["kind"] == "indicator")
    report(
        community_token,
        server,
        target_id=households,
        round=1,
        value="ร้อยละ ๒๖",
        measured_on="2026-11-30",
        source="สำรวจครัวเรือน พช.",
        worked="ผู้นำชุมชนชวนกันเอง",
    )
    report(
        education_token,
        server,
        target_id=by_name["จำนวนโรงเรียนที่มีร้านค้าความซื่อสัตย์"],
        round=1,
        value="22 แห่ง",
        measured_on="2026-12-01",
        source="ทะเบียนโรงเรียน สพป.",
    )
    # No reload: the socket's progress.changed brings the new board in.
    expect(first.locator("[data-field=latest]")).to_have_text("22 แห่ง")
    second = page.locator(".fu-indicator", has_text="ครัวเรือนที่ร่วมกิจกรรมจิตอาสา")
    expect(second.locator("[data-field=latest]")).to_have_text("ร้อยละ ๒๖")
    expect(page.locator(".fu-lessons")).to_contain_text(["ครูพี่เลี้ยงช่วยโรงเรียนใหม่ได้ดี"])
    shot(page, "board")

    # A note half typed survives a report arriving: the fresh board waits until the field is
    # left empty, then comes in (the refetch waits up to 5 s after the last one).
    note_item = first.locator("xpath=ancestor::section[@data-item]")
    note_item.locator("details summary").click()
    note = note_item.locator("textarea[name=worked]")
    note.fill("ครูพี่เลี้ยงยังเขียนอยู่")
    report(
        education_token,
        server,
        target_id=by_name["จำนวนโรงเรียนที่มีร้านค้าความซื่อสัตย์"],
        round=1,
        value="23 แห่ง",
        measured_on="2026-12-05",
        source="ทะเบียนโรงเรียน สพป.",
    )
    expect(page.locator("body[data-board-waiting]")).to_have_count(1, timeout=15_000)
    expect(note).to_have_value("ครูพี่เลี้ยงยังเขียนอยู่")
    expect(first.locator("[data-field=latest]")).to_have_text("22 แห่ง")
    note.fill("")
    note.blur()
    expect(first.locator("[data-field=latest]")).to_have_text("23 แห่ง")

    # The quarterly DOCX of round 1.
    page.select_option("#docx-round", "1")
    with page.expect_download() as download_info:
        page.click("button[data-download=docx]")
    download = download_info.value
    assert download.suggested_filename == f"progress-{a}-round-1.docx"
    saved = tmp_path / "progress.docx"
    download.save_as(saved)
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(saved.read_bytes())).paragraphs)
    assert "รายงานความก้าวหน้า" in text

    # On paper: the print stylesheet leaves the bar, buttons and forms out.
    page.emulate_media(media="print")
    expect(page.locator("header.bar")).to_be_hidden()
    expect(page.locator(".fu-tools")).to_be_hidden()
    shot(page, "board-print")
    page.emulate_media(media="screen")

    # A projector: big type, high contrast.
    projector = page.context.new_page()
    projector.set_viewport_size(PROJECTOR)
    projector.goto(f"{server.url}/followup/{a}")
    projector.click("[data-toggle-projector]")
    expect(projector.locator("body")).to_have_class(re.compile("projector"))
    shot(projector, "board-projector", full=False)
    projector.click("[data-toggle-projector]")  # leave it off for the next screens
    projector.close()

    # The public page: not there until switched on, then without people's names or contacts
    # (agencies are public bodies and stay).
    anonymous = browser.new_context(viewport=PHONE, locale="th-TH").new_page()
    assert anonymous.goto(f"{server.url}/progress/{a}").status == 404
    page.goto(f"{server.url}/organize/{a}/followup#public")
    page.check("#public input[name=public]")
    page.click("#public button[type=submit]")
    assert anonymous.goto(f"{server.url}/progress/{a}").status == 200
    expect(anonymous.locator("h1")).to_contain_text("ความก้าวหน้า")
    expect(anonymous.locator("body")).not_to_contain_text("นายชุมชน")
    expect(anonymous.locator("body")).not_to_contain_text("081-234-5678")
    audit(anonymous, "public progress page, phone")
    shot(anonymous, "public-360")

    # The setup page on a phone.
    phone_page = login(browser, server, PHONE)
    phone_page.goto(f"{server.url}/organize/{a}/followup")
    audit(phone_page, "follow-up setup, phone")
    shot(phone_page, "setup-360", full=False)
