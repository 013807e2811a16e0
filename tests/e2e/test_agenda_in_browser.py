"""The draft and adopt steps as people live them, then the organizer's DOCX download.

The assembly is brought to the draft step through the API (proposals, issues, a revealed vote,
agenda items from the two best issues), as tests/integration/test_agenda.py does; from there on
everything happens in real Chromium: a console, a presenter screen and two Thai phones.
"""

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

LIVE = 8_000  # ms: phones refetch their agenda section at a random moment within 2 s
CONSOLE = {"width": 1366, "height": 768}
PRESENTER = {"width": 1920, "height": 1080}
PHONE = {"width": 360, "height": 740}
ISSUES = {
    "ขยะล้นเมือง": ["ขยะในตลาดสดล้นทุกวัน", "ชุมชนไม่คัดแยกขยะ"],
    "วินัยจราจร": ["เด็กขี่มอเตอร์ไซค์ไม่สวมหมวกกันน็อก"],
    "ทุจริตในหน่วยงาน": ["ร้องเรียนเรื่องสินบนไม่มีใครตอบ"],
}
GOAL = "ลดขยะในตลาดสดลงร้อยละ 30 ภายในปี 2570"
REASON = "งบประมาณของเทศบาลไม่พอ"


def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json() if response.content else None


class Api:
    """The organizer, the facilitator and phones as plain HTTP clients."""

    def __init__(self, server: Server) -> None:
        self.server = server
        self.organizer = self.login("org")
        self.facilitator = self.login("fac")
        created = ok(
            self.organizer.post(
                "/api/v1/assemblies/",
                json={"name": "สมัชชาคุณธรรมจังหวัดน่าน", "province": "น่าน"},
            ),
            201,
        )
        self.id = int(created["assembly"]["id"])
        self.code = str(created["assembly"]["join_code"])
        self.steps = {s["kind"]: s["id"] for s in created["steps"]}
        ok(
            self.organizer.post(
                f"/api/v1/assemblies/{self.id}/facilitators", json={"username": "fac"}
            ),
            201,
        )

    def login(self, username: str) -> httpx.Client:
        client = httpx.Client(base_url=self.server.url)
        ok(
            client.post(
                "/api/v1/login", json={"username": username, "password": self.server.password}
            )
        )
        return client

    def phone(self, network: str) -> httpx.Client:
        client = httpx.Client(base_url=self.server.url)
        ok(client.post("/api/v1/join", json={"code": self.code, "network": network}))
        return client

    def path(self, tail: str) -> str:
        return f"/api/v1/assemblies/{self.id}{tail}"

    def open(self, kind: str) -> None:
        ok(self.facilitator.post(self.path(f"/steps/{self.steps[kind]}/open"), json={}))

    def close(self) -> None:
        for client in (self.organizer, self.facilitator):
            client.close()


def to_draft_step(api: Api) -> list[dict[str, Any]]:
    """Proposals → issues → an approval vote on issues, revealed → items from the top two."""
    phones = [api.phone(n) for n in ("government", "education", "religion", "media")]
    for n, (title, texts) in enumerate(ISSUES.items()):
        api.open("collect")
        ids = [
            ok(phones[(n + i) % 4].post(api.path("/proposals"), json={"text": t}), 201)["id"]
            for i, t in enumerate(texts)
        ]
        api.open("review")
        state = ok(
            api.facilitator.post(api.path(f"/proposals/{ids[0]}/group"), json={"group_id": "new"})
        )
        group = next(g for g in state["groups"] if ids[0] in g["members"])
        for other in ids[1:]:
            ok(
                api.facilitator.post(
                    api.path(f"/proposals/{other}/group"), json={"group_id": group["id"]}
                )
            )
        groups = ok(api.facilitator.get(api.path("/groups")))["groups"]
        group = next(g for g in groups if g["id"] == group["id"])
        ok(
            api.facilitator.patch(
                api.path(f"/groups/{group['id']}"),
                json={"version": group["version"], "title": title, "is_issue": True},
            )
        )
    api.open("vote")
    vote = ok(
        api.facilitator.post(
            api.path("/votes"), json={"method": "approval", "params": {}, "subject": "issues"}
        ),
        201,
    )
    ok(api.facilitator.post(api.path(f"/votes/{vote['id']}/open")))
    by_label = {o["label"]: o["id"] for o in vote["options"]}
    for i, phone in enumerate(phones):
        ballot = [by_label["ขยะล้นเมือง"]] + ([by_label["วินัยจราจร"]] if i % 2 else [])
        ok(
            phone.post(
                api.path(f"/votes/{vote['id']}/ballot"), json={"ballot": ballot, "client_seq": 1}
            )
        )
    ok(api.facilitator.post(api.path(f"/votes/{vote['id']}/close")))
    ok(api.facilitator.post(api.path(f"/votes/{vote['id']}/reveal")))
    for phone in phones:
        phone.close()
    api.open("draft")
    items: list[dict[str, Any]] = ok(
        api.facilitator.post(api.path("/agenda/items"), json={"top": 2}), 201
    )
    assert [i["title"] for i in items] == ["ขยะล้นเมือง", "วินัยจราจร"]
    return items


def staff(browser: Any, server: Server, username: str, viewport: dict[str, int]) -> Any:
    page = browser.new_context(viewport=viewport, locale="th-TH", accept_downloads=True).new_page()
    page.goto(f"{server.url}/login")
    page.fill("#username", username)
    page.fill("#password", server.password)
    page.click("button[type=submit]")
    expect(page).to_have_url(re.compile(r"/organize$"))
    return page


def phone(browser: Any, server: Server, code: str, network: str) -> Any:
    context = browser.new_context(viewport=PHONE, locale="th-TH", is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(f"{server.url}/j/{code}")
    page.click(f"button[name=network][value={network}]")
    expect(page.locator("[data-region=connection]")).to_have_attribute("data-state", "online")
    return page


def full_screenshot(page: Any, path: Path) -> None:
    page.screenshot(path=path, full_page=True)


def test_draft_adopt_and_export_in_the_browser(
    browser: Any, server: Server, screenshot_dir: Path, audit: Audit
) -> None:
    api = Api(server)
    try:
        items = to_draft_step(api)
    finally:
        api.close()
    first = items[0]
    item_sel = f"#item-{first['id']}"

    console = staff(browser, server, "fac", CONSOLE)
    console.goto(f"{server.url}/console/{api.id}")
    expect(console.locator(f"[data-region=agenda-draft] {item_sel}")).to_be_visible()
    presenter = staff(browser, server, "fac", PRESENTER)
    presenter.goto(f"{server.url}/present/{api.id}")
    expect(presenter.locator("[data-region=agenda-draft]")).to_contain_text("ขยะล้นเมือง")

    phones = [phone(browser, server, api.code, n) for n in ("government", "religion")]
    for page in phones:
        expect(page.locator(f"[data-region=agenda-draft] {item_sel}")).to_be_visible(timeout=LIVE)
        expect(page.locator("html")).to_have_attribute("lang", "th")

    # phones pick a working group: the console's count follows without a reload
    for page in phones:
        page.locator(item_sel).get_by_role("button", name="เข้าร่วมคณะทำงานวาระนี้").click()
        expect(page.locator(f"{item_sel} .agenda-mine")).to_be_visible(timeout=LIVE)
    expect(console.locator(item_sel).locator("h2")).to_contain_text("2", timeout=LIVE)

    # a phone suggests a goal; the other phone and the console see it without a reload
    author = phones[0]
    author.locator(f"{item_sel} select[name=part]").select_option("goal")
    author.locator(f"{item_sel} textarea[name=text]").fill(GOAL)
    author.locator(item_sel).get_by_role("button", name="ส่งข้อเสนอแนะ").click()
    expect(author.locator(f"{item_sel} textarea[name=text]")).to_have_value("", timeout=LIVE)
    expect(author.locator(f"{item_sel} .proposals li", has_text=GOAL)).to_have_count(
        1, timeout=LIVE
    )
    other = phones[1].locator(f"{item_sel} .proposals li", has_text=GOAL)
    expect(other).to_have_count(1, timeout=LIVE)
    other.get_by_role("button").click()
    expect(other.get_by_role("button")).to_be_disabled(timeout=LIVE)
    expect(other.get_by_role("button")).to_contain_text("1")
    suggestion = console.locator(f"{item_sel} .proposals li", has_text=GOAL)
    expect(suggestion).to_have_count(1, timeout=LIVE)
    expect(suggestion).to_contain_text("+1", timeout=LIVE)
    expect(suggestion).to_contain_text("เป้าหมาย")  # the part, in Thai

    audit(author, "phone, draft")
    audit(console, "console, draft")
    audit(presenter, "presenter, draft")
    author.set_viewport_size({"width": 360, "height": 1400})
    full_screenshot(author, screenshot_dir / "phone-draft-360.png")
    full_screenshot(console, screenshot_dir / "console-draft-1366.png")

    # the facilitator accepts it: the item's goal, on the console, the projector and the phones
    suggestion.get_by_role("button", name="รับ", exact=True).click()
    expect(console.locator(f"{item_sel} textarea[name=goal]")).to_have_value(GOAL, timeout=LIVE)
    expect(console.locator(f"{item_sel} .proposals li", has_text=GOAL)).to_have_count(0)
    expect(presenter.locator("[data-region=agenda-draft]")).to_contain_text(GOAL, timeout=LIVE)
    expect(author.locator(item_sel)).to_contain_text(GOAL, timeout=LIVE)

    # the facilitator completes the item in its form: virtues, a plan, an indicator, who drives it
    form = console.locator(f"{item_sel} form").first
    form.locator("[name=virtues]").fill("วินัย, จิตอาสา")
    form.locator("[name=plan0-name]").fill("ตลาดสดปลอดขยะ")
    form.locator("[name=plan0-act0-what]").fill("ตั้งจุดคัดแยกขยะในตลาด")
    form.locator("[name=plan0-act0-net-government]").check()
    form.locator("[name=plan0-act0-net-business]").check()
    form.locator("[name=plan0-act0-agencies]").fill("เทศบาลเมืองน่าน")
    form.locator("[name=plan0-act0-months]").fill("ต.ค.-ธ.ค.")
    form.locator("[name=plan0-act0-fy]").fill("2570")
    form.locator("[name=plan0-act0-quarter]").select_option("1")
    form.locator("[name=plan0-act0-lead]").fill("เทศบาลเมืองน่าน")
    form.locator("[name=plan0-act0-contact]").fill("กองสาธารณสุข 054-710-000")
    form.locator("[name=plan0-act0-budget]").fill("120,000")
    form.locator("[name=plan0-act0-funding]").fill("อปท.")
    form.locator("[name=ind0-reporting]").fill("กองสาธารณสุขและสิ่งแวดล้อม")
    form.locator("[name=ind0-name]").fill("ปริมาณขยะในตลาดลดลง")
    form.locator("[name=ind0-unit]").fill("ร้อยละ")
    form.locator("[name=ind0-baseline]").fill("0")
    form.locator("[name=ind0-target]").fill("30")
    form.locator("[name=ind0-date]").fill("2027-09-30")
    form.locator("[name=ind0-source]").fill("กองสาธารณสุขฯ เทศบาล")
    form.locator("[name=ind0-network]").select_option("government")
    form.locator("[name=mem0-network]").select_option("religion")
    form.locator("[name=mem0-person]").fill("เจ้าอาวาสวัดภูมินทร์")
    form.locator("[name=mem0-role]").fill("ที่ปรึกษา")
    form.get_by_role("button", name="บันทึกวาระนี้").click()
    expect(console).to_have_url(re.compile(rf"/console/{api.id}#item-{first['id']}$"))
    saved = console.locator(f"{item_sel} form").first
    expect(saved.locator("[name=plan0-name]")).to_have_value("ตลาดสดปลอดขยะ")
    expect(saved.locator("[name=plan0-act0-net-business]")).to_be_checked()
    expect(saved.locator("[name=plan0-act0-months]")).to_have_value("10,11,12")
    expect(saved.locator("[name=ind0-network]")).to_have_value("government")
    expect(saved.locator("[name=plan0-act0-budget]")).to_have_value("120000")
    expect(saved.locator("[name=plan0-act0-quarter]")).to_have_value("1")
    expect(saved.locator("[name=ind0-reporting]")).to_have_value("กองสาธารณสุขและสิ่งแวดล้อม")
    expect(saved.locator("[name=goal]")).to_have_value(GOAL)
    expect(presenter.locator("[data-region=agenda-draft]")).to_contain_text(
        "ตลาดสดปลอดขยะ", timeout=LIVE
    )
    presenter.screenshot(path=screenshot_dir / "presenter-draft-1920.png")

    # adopt: the console opens the step; phones answer; the console follows live
    adopt_step = console.locator(f"[data-region=steps] li[data-id='{api.steps['adopt']}']")
    adopt_step.get_by_role("button", name="เปิด", exact=True).click()
    expect(console.locator("[data-region=agenda-adopt]")).to_be_visible(timeout=LIVE)
    consent_sel = f"#consent-{first['id']}"
    for page in phones:
        expect(page.locator(f"[data-region=agenda-adopt] {consent_sel}")).to_be_visible(
            timeout=LIVE
        )
        expect(page.locator(consent_sel)).to_contain_text(GOAL)
    agree, objector = phones
    # the whole item is on the phone, its sections collapsed until tapped
    plans = agree.locator(f"{consent_sel} details[data-part=plans]")
    expect(plans).to_be_visible()
    expect(plans.get_by_text("ตั้งจุดคัดแยกขยะในตลาด")).to_be_hidden()
    plans.locator("summary").click()
    expect(plans.get_by_text("ตั้งจุดคัดแยกขยะในตลาด", exact=False)).to_be_visible()
    expect(plans).to_contain_text("120,000 บาท")
    expect(agree.locator(f"{consent_sel} details[data-part=indicators]")).to_be_visible()
    expect(agree.locator(f"{consent_sel} .required-mark")).to_be_hidden()
    agree.locator(consent_sel).get_by_role("radio", name="เห็นด้วย").check()
    agree.locator(consent_sel).get_by_role("button", name="ส่งความเห็น").click()
    expect(agree.locator(f"{consent_sel} [data-field=send-state]")).to_contain_text(
        "✓", timeout=LIVE
    )

    objector.locator(consent_sel).get_by_role("radio", name="คัดค้าน").check()
    # objecting makes the reason visibly required
    expect(objector.locator(f"{consent_sel} .required-mark")).to_be_visible()
    expect(objector.locator(f"{consent_sel} .reason-hint")).to_be_visible()
    objector.locator(f"{consent_sel} textarea[name=reason]").fill(REASON)
    objector.locator(consent_sel).get_by_role("button", name="ส่งความเห็น").click()
    expect(objector.locator(f"{consent_sel} [data-field=send-state]")).to_contain_text(
        "✓", timeout=LIVE
    )
    expect(objector.locator(f"{consent_sel} textarea[name=reason]")).to_have_value(REASON)

    result = console.locator(consent_sel)
    expect(result.locator("tbody tr", has_text="ภาครัฐ")).to_contain_text("1", timeout=LIVE)
    expect(result.locator("tbody tr", has_text="ภาครัฐ").locator("td").nth(1)).to_have_text("1")
    expect(result.locator("tbody tr", has_text="ศาสนา").locator("td").nth(3)).to_have_text("1")
    objection = result.locator("[data-list=objections] li")
    expect(objection).to_have_count(1)
    expect(objection).to_contain_text(REASON)
    expect(objection).to_contain_text("องค์กรศาสนา")  # who objected, by the network's Thai name
    expect(objection).not_to_contain_text("religion")
    expect(presenter.locator("[data-region=agenda-adopt]")).to_contain_text("เห็นด้วย", timeout=LIVE)

    audit(objector, "phone, adopt")
    audit(console, "console, adopt")
    audit(presenter, "presenter, adopt")
    objector.set_viewport_size({"width": 360, "height": 1400})
    full_screenshot(objector, screenshot_dir / "phone-adopt-360.png")

    # the default rule: no objection left unhandled; the facilitator records the handling
    expect(console.locator(".adoption-rule")).to_contain_text("ไม่มีข้อคัดค้านค้างพิจารณา")
    expect(result.locator("[data-list=rule-problems]")).to_contain_text("ยังไม่ได้พิจารณา")
    handling = result.locator("form.objection-handling")
    handling.locator("select[name=handling]").select_option("answered")
    handling.locator("textarea[name=note]").fill("จะเพิ่มจุดคัดแยกขยะที่วัดในปีถัดไป")
    handling.get_by_role("button", name="บันทึกการพิจารณา").click()
    expect(result.locator("[data-list=rule-problems]")).to_have_count(0, timeout=LIVE)
    expect(result.locator("select[name=handling]")).to_have_value("answered")
    result.get_by_role("button", name="รับรองวาระนี้").click()
    expect(result.locator(".consent-adopted")).to_be_visible(timeout=LIVE)
    expect(agree.locator(f"{consent_sel} .consent-adopted")).to_be_visible(timeout=LIVE)
    full_screenshot(console, screenshot_dir / "console-adopt-1366.png")

    # the organizer downloads the DOCX from the export page
    organizer = staff(browser, server, "org", CONSOLE)
    organizer.goto(f"{server.url}/organize/{api.id}/export")
    expect(organizer.locator("h1")).to_contain_text("น่าน")
    expect(organizer.locator("main")).to_contain_text("1")
    full_screenshot(organizer, screenshot_dir / "export-1366.png")
    with organizer.expect_download() as download_info:
        organizer.get_by_role("link", name=re.compile(r"^เอกสาร Word \(DOCX\)")).click()
    download = download_info.value
    download.save_as(screenshot_dir / "agenda-export.docx")  # for a look at the real thing
    assert download.suggested_filename == f"agenda-{api.id}.docx"
    document = docx.Document(io.BytesIO(Path(download.path()).read_bytes()))
    text = "\n".join(p.text for p in document.paragraphs)
    cells = "\n".join(c.text for t in document.tables for row in t.rows for c in row.cells)
    assert "ลดขยะในตลาดสดลงร้อยละ" in text
    assert "ตลาดสดปลอดขยะ" in text + cells
    assert "เจ้าอาวาสวัดภูมินทร์" in cells
    assert REASON in text + cells
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    adopted = next(h for h in headings if "ขยะล้นเมือง" in h and "วาระที่" in h)
    assert "ยังไม่ผ่านการรับรอง" not in adopted

    # the printable page keeps its own print style under the site's CSP (allowed by its hash)
    refused: list[str] = []
    organizer.on(
        "console", lambda m: refused.append(m.text) if "Content Security" in m.text else None
    )
    organizer.goto(f"{server.url}/organize/{api.id}/export.html")
    expect(organizer.locator("h1").first).to_be_visible()
    size = organizer.evaluate("getComputedStyle(document.documentElement).fontSize")
    assert size == "21.3333px", "16 pt from the agenda's own <style>"
    organizer.evaluate(
        "document.head.insertAdjacentHTML('beforeend', '<style>html{font-size:40px}</style>')"
    )
    assert organizer.evaluate("getComputedStyle(document.documentElement).fontSize") == size
    assert any("Content Security Policy" in text for text in refused), "injected <style> refused"
    assert any("วินัยจราจร" in h and "ยังไม่ผ่านการรับรอง" in h for h in headings)
    for context in {p.context for p in (console, presenter, organizer, *phones)}:
        context.close()
