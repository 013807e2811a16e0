"""An organizer manages facilitator accounts in the browser, typing into the settings page's
forms at 1366 px: creates a Thai-named account, sees a duplicate refused in Thai, resets the
password (the facilitator then logs in with it through the login form), removes the account."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from playwright.sync_api import expect

if TYPE_CHECKING:
    from conftest import Audit, Server

LAPTOP = {"width": 1366, "height": 768}
FIRST_PASSWORD = "ขอนแก่น-2568"
NEW_PASSWORD = "รหัสใหม่ของครูสมศรี"


def log_in(browser: Any, server: Server, username: str, password: str) -> Any:
    page = browser.new_context(viewport=LAPTOP, locale="th-TH").new_page()
    page.goto(f"{server.url}/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("button[type=submit]")
    return page


def test_an_organizer_creates_resets_and_removes_a_thai_named_facilitator(
    browser: Any, server: Server, audit: Audit, screenshot_dir: Path
) -> None:
    organizer = log_in(browser, server, "org", server.password)
    expect(organizer).to_have_url(re.compile(r"/organize$"))
    organizer.fill("#name", "สมัชชาคุณธรรมจังหวัดขอนแก่น")
    organizer.fill("#province", "ขอนแก่น")
    organizer.get_by_role("button", name="สร้าง", exact=True).click()
    expect(organizer).to_have_url(re.compile(r"/organize/\d+$"))
    settings_url = organizer.url

    form = organizer.locator("form[action$='/facilitators/new']")
    form.get_by_label("ชื่อผู้ใช้").fill("ครูสมศรี")
    form.get_by_label("ชื่อที่แสดง").fill("ครูสมศรี ใจดี")
    form.get_by_label("รหัสผ่าน").type(FIRST_PASSWORD)
    form.get_by_role("button", name="สร้างบัญชี").click()
    row = organizer.locator("li[data-username='ครูสมศรี']")
    expect(row).to_contain_text("ครูสมศรี ใจดี")
    audit(organizer, "settings page with a facilitator, 1366 px")
    organizer.locator("#facilitators").screenshot(
        path=str(screenshot_dir / "organize-facilitators-1366.png")
    )

    # the same username again: refused in Thai, and the existing account is untouched
    form = organizer.locator("form[action$='/facilitators/new']")
    form.get_by_label("ชื่อผู้ใช้").fill("ครูสมศรี")
    form.get_by_label("รหัสผ่าน").fill("อีกรหัสหนึ่งยาวพอ")
    form.get_by_role("button", name="สร้างบัญชี").click()
    expect(organizer.locator("body")).to_contain_text("ชื่อผู้ใช้นี้มีผู้ใช้แล้ว")
    organizer.screenshot(path=str(screenshot_dir / "organize-facilitator-taken-1366.png"))
    organizer.goto(settings_url)

    facilitator = log_in(browser, server, "ครูสมศรี", FIRST_PASSWORD)
    expect(facilitator).to_have_url(re.compile(r"/organize$"))
    expect(facilitator.locator("body")).to_contain_text("สมัชชาคุณธรรมจังหวัดขอนแก่น")

    row = organizer.locator("li[data-username='ครูสมศรี']")
    row.get_by_label("รหัสผ่านใหม่").fill(NEW_PASSWORD)
    row.get_by_role("button", name="ตั้งรหัสผ่านใหม่").click()
    expect(organizer.locator("#facilitators [role=status]")).to_contain_text(
        "ตั้งรหัสผ่านใหม่ให้ ครูสมศรี ใจดี แล้ว"
    )

    refused = log_in(browser, server, "ครูสมศรี", FIRST_PASSWORD)
    expect(refused.locator("body")).to_contain_text("ชื่อผู้ใช้หรือรหัสผ่านไม่ถูกต้อง")
    again = log_in(browser, server, "ครูสมศรี", NEW_PASSWORD)
    expect(again).to_have_url(re.compile(r"/organize$"))

    organizer.locator("li[data-username='ครูสมศรี']").get_by_role(
        "button", name="นำ ครูสมศรี ใจดี ออก"
    ).click()
    expect(organizer.locator("li[data-username='ครูสมศรี']")).to_have_count(0)
    gone = log_in(browser, server, "ครูสมศรี", NEW_PASSWORD)
    expect(gone.locator("body")).to_contain_text("ชื่อผู้ใช้หรือรหัสผ่านไม่ถูกต้อง")
