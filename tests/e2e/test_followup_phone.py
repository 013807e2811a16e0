"""Issue 18: a responsible person reports from a 360-px phone through the agency's link, in
real Chromium against a real `samatcha serve`: types and taps into the fields, reports an
indicator and an activity with a photo, is told next to the field what to fix, goes offline,
sees the report wait on the phone, comes back online and sees it sent, stored once. axe-core
checks the page; the screenshots go to docs/screenshots/followup-phone-*.png."""

from __future__ import annotations

import asyncio
import io
import sqlite3
import threading
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from PIL import Image
from playwright.sync_api import expect

from assembly import services
from assembly.db import Database
from assembly.runtime import DiscardEvents, Runtime
from assembly.settings import Settings
from deliberation.agenda import consent, drafting
from followup import links, next_year, reports, setup

if TYPE_CHECKING:
    from conftest import Server

PHONE = {"width": 360, "height": 740}
DOCS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
LIVE = 10_000  # ms: a report sent, or the outbox emptied once the phone is back online
OUTBOX_RETRY = 20_000  # ms: the page retries every 15 s even if no "online" event came
EDUCATION = "สำนักงานเขตพื้นที่การศึกษา"
SHOPS = "จำนวนโรงเรียนที่มีร้านค้าความซื่อสัตย์"
TRAINING = "อบรมครูผู้ดูแลร้านค้าความซื่อสัตย์"
OPENING = "เปิดร้านค้าในโรงเรียนใหม่"
ITEM = {
    "goal": "นักเรียนซื่อสัตย์ต่อตนเองและผู้อื่น",
    "virtues": ["ซื่อสัตย์"],
    "plans": [
        {
            "name": "ขยายร้านค้าความซื่อสัตย์",
            "activities": [
                {"what": TRAINING, "lead_agency": EDUCATION, "budget": "50,000"},
                {"what": OPENING, "lead_agency": EDUCATION},
            ],
        }
    ],
    "indicators": [
        {
            "name": SHOPS,
            "unit": "แห่ง",
            "baseline": "10",
            "target": "50",
            "reporting_agency": EDUCATION,
        }
    ],
}


def in_thread(work: Callable[[], Coroutine[Any, Any, Any]]) -> Any:
    """Run a coroutine to the end on a thread of its own: Playwright's sync API keeps this
    thread's event loop busy."""
    result: list[Any] = []
    errors: list[BaseException] = []

    def main() -> None:
        try:
            result.append(asyncio.run(work()))
        except BaseException as exc:  # handed to the test's thread
            errors.append(exc)

    thread = threading.Thread(target=main)
    thread.start()
    thread.join()
    if errors:
        raise errors[0]
    return result[0]


async def _follow_up(settings: Settings, username: str = "เลขาติดตามผล") -> dict[str, Any]:
    """An adopted item with an indicator and two activities of the education office, its
    follow-up started and its reporting link issued, made on the server's own database."""
    db = Database(settings.resolved_database_url)
    try:
        rt = Runtime(db=db, sink=DiscardEvents(), settings=settings)
        user = await services.create_user(
            rt,
            username=username,
            display_name=username,
            role="organizer",
            password="รหัสผ่านยาวพอ1",
        )
        actor = services.Actor(user=user)
        assembly = await services.create_assembly(
            rt, actor=actor, name="สมัชชาคุณธรรมจังหวัดพิจิตร", province="พิจิตร"
        )
        a = assembly.id
        async with rt.read() as session:
            loaded = await services.get_assembly(session, a, services.WITH_STRUCTURE)
            steps = {s.kind: s.id for s in loaded.steps}
        await services.open_step(rt, actor=actor, assembly_id=a, step_id=steps["draft"])
        item = (
            await drafting.create_agenda_items(
                rt, actor=actor, assembly_id=a, title="ร้านค้าความซื่อสัตย์ในโรงเรียน"
            )
        )[0]
        await drafting.edit_agenda_item(
            rt,
            actor=actor,
            assembly_id=a,
            item_id=item["id"],
            version=item["version"],
            content=ITEM,
        )
        await services.open_step(rt, actor=actor, assembly_id=a, step_id=steps["adopt"])
        await consent.set_adopted(rt, actor=actor, assembly_id=a, item_id=item["id"], adopted=True)
        started = await setup.start_followup(rt, actor=actor, assembly_id=a)
        view = await setup.followup_view(rt, actor=actor, assembly_id=a)
        agency = next(x["id"] for x in view["agencies"] if x["name"] == EDUCATION)
        issued = await links.issue_link(rt, actor=actor, assembly_id=a, agency_id=agency)
        return {
            "token": issued.token,
            "targets": {t["name"]: t["id"] for t in started["added"]},
            "assembly_id": a,
            "actor": actor,
        }
    finally:
        await db.dispose()


def stored(server: Server, sql: str, *args: Any) -> list[tuple[Any, ...]]:
    """What the server's SQLite file holds now."""
    with sqlite3.connect(server.folder / "samatcha.sqlite3") as connection:
        return connection.execute(sql, args).fetchall()


def phone_photo() -> bytes:
    """A phone's picture with its maker and position in the EXIF."""
    image = Image.new("RGB", (2000, 1500), (34, 139, 120))
    for x in range(0, 2000, 200):
        image.paste((240, 200, 60), (x, 600, x + 100, 900))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2], gps[3], gps[4] = "N", (16.0, 26.0, 0.0), "E", (100.0, 20.0, 0.0)
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def shoot(page: Any, name: str, screenshot_dir: Path, *, full_page: bool = False) -> None:
    DOCS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(DOCS / f"followup-phone-{name}.png"), full_page=full_page)
    page.screenshot(path=str(screenshot_dir / f"followup-phone-{name}.png"), full_page=full_page)


def card(page: Any, name: str) -> Any:
    return page.locator("article.rp-target", has=page.locator("h3", has_text=name))


def type_into(field: Any, text: str) -> None:
    """A thumb on the field, then the keyboard."""
    field.tap()
    field.press_sequentially(text)


@pytest.fixture(scope="module")
def followup(server: Server) -> dict[str, Any]:
    return in_thread(lambda: _follow_up(Settings(data_dir=server.folder)))


def test_a_phone_reports_an_indicator_and_an_activity_and_waits_offline(
    browser: Any, server: Server, followup: dict[str, Any], screenshot_dir: Path, audit: Any
) -> None:
    token, targets = followup["token"], followup["targets"]
    context = browser.new_context(
        viewport=PHONE, locale="th-TH", is_mobile=True, has_touch=True, device_scale_factor=2
    )
    page = context.new_page()
    page.goto(f"{server.url}/r/{token}")
    expect(page.locator("h1")).to_have_text(EDUCATION)
    expect(page.locator(".rp-round")).to_contain_text("ไตรมาสที่ 1")
    expect(page.locator("article.rp-target")).to_have_count(3)
    audit(page, "the reporting page at 360 px")
    shoot(page, "page", screenshot_dir)

    # ---- an indicator: sent without its value, told so next to the field, then sent
    shops = card(page, SHOPS)
    shops.locator("summary").tap()
    shops.get_by_role("button", name="ส่งรายงาน").tap()
    error = shops.locator('[data-error-for="value"]')
    expect(error).to_have_text("กรุณากรอกค่าที่วัดได้")
    expect(shops.get_by_label("ค่าที่วัดได้")).to_be_focused()
    type_into(shops.get_by_label("ค่าที่วัดได้"), "18")
    type_into(shops.get_by_label("แหล่งข้อมูล"), "ทะเบียนโรงเรียน สพป.")
    type_into(shops.get_by_label("อะไรได้ผล"), "ผู้บริหารโรงเรียนช่วยชวนครู")
    audit(page, "the indicator's form, open")
    shoot(page, "indicator-form", screenshot_dir)
    shops.get_by_role("button", name="ส่งรายงาน").tap()
    outbox = page.locator('[data-list="outbox"]')
    expect(outbox.locator("li", has_text=SHOPS)).to_contain_text("ส่งแล้ว", timeout=LIVE)
    expect(shops.locator('[data-field="reported"]')).to_contain_text("ไตรมาสที่ 1")

    # ---- an activity: the server refuses "หลายคน" next to its field, then a photo goes along
    training = card(page, TRAINING)
    training.locator("summary").tap()
    training.locator("label.rp-status", has_text="เสร็จแล้ว").tap()
    type_into(training.get_by_label("สิ่งที่ได้ทำ"), "อบรมครูผู้ดูแลร้านค้า 3 รุ่น")
    type_into(training.get_by_label("ผู้ได้รับประโยชน์ (คน)"), "หลายคน")
    type_into(training.get_by_label("งบประมาณที่ใช้"), "45,500")
    training.get_by_label("รูปภาพ (ไม่เกิน 2 รูป)").set_input_files(
        [{"name": "IMG_2041.jpg", "mimeType": "image/jpeg", "buffer": phone_photo()}]
    )
    training.get_by_role("button", name="ส่งรายงาน").tap()
    people_error = training.locator('[data-error-for="people_reached"]')
    expect(people_error).to_contain_text("จำนวน", timeout=LIVE)
    people = training.get_by_label("ผู้ได้รับประโยชน์ (คน)")
    expect(people).to_have_attribute("aria-invalid", "true")
    shoot(page, "field-error", screenshot_dir)
    assert stored(
        server, "SELECT count(*) FROM followup_reports WHERE target_id = ?", targets[TRAINING]
    ) == [(0,)]
    people.fill("")
    type_into(people, "120")
    type_into(training.get_by_label("ครั้งต่อไปควรปรับอะไร"), "จัดวันเสาร์ให้ครูมาได้มากขึ้น")
    training.get_by_role("button", name="ส่งรายงาน").tap()
    sent = outbox.locator("li", has_text=TRAINING)
    expect(sent).to_contain_text("ส่งแล้ว", timeout=LIVE)
    thumb = sent.locator("img")
    expect(thumb).to_have_count(1)
    expect(thumb).to_have_js_property("complete", True)
    assert thumb.evaluate("img => img.naturalWidth") > 0  # the server's JPEG, shown back

    # ---- offline: the report waits on the phone, then goes once the connection is back
    opening = card(page, OPENING)
    opening.locator("summary").tap()
    opening.locator("label.rp-status", has_text="กำลังดำเนินการ").tap()
    type_into(opening.get_by_label("สิ่งที่ได้ทำ"), "เปิดร้านค้าแล้ว 4 โรงเรียน")
    opening.get_by_label("รูปภาพ (ไม่เกิน 2 รูป)").set_input_files(
        [{"name": "shop.jpg", "mimeType": "image/jpeg", "buffer": phone_photo()}]
    )
    context.set_offline(True)
    opening.get_by_role("button", name="ส่งรายงาน").tap()
    waiting = outbox.locator("li", has_text=OPENING)
    expect(waiting).to_contain_text("รอส่ง", timeout=LIVE)
    expect(waiting).to_contain_text("1 รูป")
    expect(page.locator("#toast")).to_contain_text("ไม่มีสัญญาณ")
    expect(page.locator('[data-region="connection"]')).to_have_attribute("data-state", "offline")
    audit(page, "a report waiting offline")
    page.locator('[data-region="outbox"]').scroll_into_view_if_needed()
    shoot(page, "offline-waiting", screenshot_dir)
    assert stored(
        server, "SELECT count(*) FROM followup_reports WHERE target_id = ?", targets[OPENING]
    ) == [(0,)]

    # A reload while offline is not possible without the server; the outbox is on the phone:
    # the same page, back online, sends it by itself.
    context.set_offline(False)
    expect(waiting).to_contain_text("ส่งแล้ว", timeout=OUTBOX_RETRY)
    expect(page.locator('[data-region="connection"]')).to_have_attribute("data-state", "online")
    page.locator('[data-region="outbox"]').scroll_into_view_if_needed()
    shoot(page, "sent", screenshot_dir)

    # ---- stored once each, with the photos re-encoded; a reload shows what was reported
    rows = stored(
        server,
        "SELECT target_id, count(*), count(DISTINCT client_key) FROM followup_reports "
        "GROUP BY target_id ORDER BY target_id",
    )
    assert sorted(rows) == sorted(
        [(targets[SHOPS], 1, 1), (targets[TRAINING], 1, 1), (targets[OPENING], 1, 1)]
    )
    assert stored(
        server,
        "SELECT value_text, source, worked FROM followup_reports WHERE target_id = ?",
        targets[SHOPS],
    ) == [("18", "ทะเบียนโรงเรียน สพป.", "ผู้บริหารโรงเรียนช่วยชวนครู")]
    assert stored(
        server,
        "SELECT status, people_reached, money_spent, change FROM followup_reports "
        "WHERE target_id = ?",
        targets[TRAINING],
    ) == [("done", 120, 45500, "จัดวันเสาร์ให้ครูมาได้มากขึ้น")]
    photos = stored(server, "SELECT data, width, height FROM followup_photos")
    assert len(photos) == 2
    for data, width, height in photos:
        assert max(width, height) <= 1600
        assert b"PhoneMaker" not in data
        assert Image.open(io.BytesIO(data)).format == "JPEG"
    page.reload()
    expect(card(page, OPENING).locator('[data-field="reported"]')).to_contain_text("ไตรมาสที่ 1")
    expect(page.locator('[data-list="outbox"] li[data-state="sent"]')).to_have_count(3)
    audit(page, "after the reports")
    context.close()


def test_a_revoked_or_unknown_link_shows_a_thai_page_and_nothing_else(
    browser: Any, server: Server, screenshot_dir: Path, audit: Any
) -> None:
    context = browser.new_context(viewport=PHONE, locale="th-TH", is_mobile=True, has_touch=True)
    page = context.new_page()
    answer = page.goto(f"{server.url}/r/{'x' * 43}")
    assert answer is not None
    assert answer.status == 404
    expect(page.locator(".card.error .message")).to_have_text(
        "ลิงก์รายงานนี้ใช้ไม่ได้ โปรดขอลิงก์ใหม่จากคณะทำงาน"
    )
    audit(page, "an unknown reporting link")
    shoot(page, "unknown-link", screenshot_dir)
    context.close()


async def _next_year(settings: Settings) -> dict[str, Any]:
    """Last year's follow-up with a report and its lessons, carried over to this year's
    assembly, whose collect step is open."""
    last = await _follow_up(settings, "ผู้จัดปีที่แล้ว")
    db = Database(settings.resolved_database_url)
    try:
        rt = Runtime(db=db, sink=DiscardEvents(), settings=settings)
        await reports.submit_report(
            rt,
            token=last["token"],
            target_id=last["targets"][TRAINING],
            status="in_progress",
            worked="ครูพี่เลี้ยงช่วยกันดูแลร้าน",
            not_worked="บางโรงเรียนส่งครูมาอบรมไม่ได้",
            change="จัดอบรมวันเสาร์",
        )
        await reports.submit_report(
            rt, token=last["token"], target_id=last["targets"][SHOPS], value="18"
        )
        made = await next_year.carry_over(rt, actor=last["actor"], assembly_id=last["assembly_id"])
        async with rt.read() as session:
            loaded = await services.get_assembly(
                session, made["assembly_id"], services.WITH_STRUCTURE
            )
            collect = next(s.id for s in loaded.steps if s.kind == "collect")
        await services.open_step(
            rt, actor=last["actor"], assembly_id=made["assembly_id"], step_id=collect
        )
        return made
    finally:
        await db.dispose()


def test_next_years_phone_shows_last_years_progress_and_lessons_folded(
    browser: Any, server: Server, screenshot_dir: Path, audit: Any
) -> None:
    made = in_thread(lambda: _next_year(Settings(data_dir=server.folder)))
    context = browser.new_context(viewport=PHONE, locale="th-TH", is_mobile=True, has_touch=True)
    page = context.new_page()
    joined = context.request.post(
        f"{server.url}/api/v1/join", data={"code": made["join_code"], "network": "education"}
    )
    assert joined.ok, joined.text()
    page.goto(f"{server.url}/a/{made['assembly_id']}")
    folded = page.locator("details.last-year")
    expect(folded).to_be_visible()
    expect(folded.locator(".ly-board")).to_be_hidden()
    folded.locator("summary").tap()
    expect(folded).to_contain_text("ครูพี่เลี้ยงช่วยกันดูแลร้าน")
    expect(folded).to_contain_text("จัดอบรมวันเสาร์")
    expect(folded.locator(".ly-indicators")).to_contain_text("18")
    audit(page, "last year's progress in this year's collect step")
    folded.scroll_into_view_if_needed()
    shoot(page, "last-year", screenshot_dir)
    context.close()


def test_a_report_the_server_keeps_failing_on_does_not_hold_back_the_next(
    browser: Any, server: Server, followup: dict[str, Any]
) -> None:
    token, targets = followup["token"], followup["targets"]
    context = browser.new_context(viewport=PHONE, locale="th-TH", is_mobile=True, has_touch=True)
    page = context.new_page()
    failing = f'name="target_id"\r\n\r\n{targets[OPENING]}\r\n'

    def busy_for_opening(route: Any) -> None:
        if failing in (route.request.post_data or ""):
            route.fulfill(status=503, body="busy", content_type="text/plain")
        else:
            route.continue_()

    page.route("**/r/*/reports", busy_for_opening)
    page.goto(f"{server.url}/r/{token}")
    opening = card(page, OPENING)
    opening.locator("summary").tap()
    opening.locator("label.rp-status", has_text="กำลังดำเนินการ").tap()
    type_into(opening.get_by_label("สิ่งที่ได้ทำ"), "เปิดร้านค้าเพิ่มอีก 2 โรงเรียน")
    opening.get_by_role("button", name="ส่งรายงาน").tap()
    outbox = page.locator('[data-list="outbox"]')
    expect(outbox.locator("li", has_text=OPENING)).to_contain_text("ลองส่งแล้ว 1", timeout=LIVE)
    shops = card(page, SHOPS)
    shops.locator("summary").tap()
    type_into(shops.get_by_label("ค่าที่วัดได้"), "19")
    shops.get_by_role("button", name="ส่งรายงาน").tap()
    # Newer than the failing one, and sent all the same; the failing one still waits.
    expect(outbox.locator("li", has_text=SHOPS).first).to_contain_text("ส่งแล้ว", timeout=LIVE)
    expect(outbox.locator("li", has_text=OPENING)).to_contain_text("รอส่ง")
    context.close()
