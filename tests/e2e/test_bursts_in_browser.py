"""Issue 13, bursts: a phone that sends proposals in a burst is flagged on the facilitator's
console, and one press hides everything it sent."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
from playwright.sync_api import expect

if TYPE_CHECKING:
    from conftest import Server

CONSOLE = {"width": 1366, "height": 768}
PHONE = {"width": 360, "height": 740}
BURST = 6  # over the 5-a-minute flag, under the 10-a-minute flood limit
LIVE = 5_000


def _assembly(server: Server) -> dict[str, Any]:
    with httpx.Client(base_url=server.url) as client:
        client.post(
            "/api/v1/login", json={"username": "org", "password": server.password}
        ).raise_for_status()
        created = client.post(
            "/api/v1/assemblies/", json={"name": "สมัชชาคุณธรรมจังหวัดน่าน", "province": "น่าน"}
        )
        created.raise_for_status()
        return created.json()["assembly"]


def test_a_burst_is_flagged_on_the_console_and_hidden_in_one_press(
    browser: Any, server: Server, screenshot_dir: Path
) -> None:
    assembly = _assembly(server)
    console = browser.new_context(viewport=CONSOLE, locale="th-TH").new_page()
    console.goto(f"{server.url}/login")
    console.fill("#username", "org")
    console.fill("#password", server.password)
    console.click("button[type=submit]")
    expect(console).to_have_url(re.compile(r"/organize$"))
    console.goto(f"{server.url}/console/{assembly['id']}")
    expect(console.locator("#activity")).to_contain_text("ยังไม่มีใครส่งถี่ผิดปกติ")
    console.locator("[data-region=steps] li").first.locator("[data-field=open-form] button").click()
    expect(console.locator("[data-region=steps] li").first).to_have_attribute(
        "data-status", "open", timeout=LIVE
    )

    phone = browser.new_context(
        viewport=PHONE, locale="th-TH", is_mobile=True, has_touch=True
    ).new_page()
    phone.goto(f"{server.url}/j/{assembly['join_code']}")
    phone.click("button[name=network][value=business]")
    expect(phone.locator("[data-region=connection]")).to_have_attribute("data-state", "online")
    for i in range(BURST):
        phone.fill("#proposal-text", f"ข้อความโฆษณาซ้ำ ๆ ครั้งที่ {i + 1}")
        phone.click("[data-field=submit]")
        # Each one arrives before the next is typed (the phone's outbox sends one flush at a
        # time), still well within one minute.
        count = console.locator("[data-field=proposal-count]")
        expect(count).to_have_text(str(i + 1), timeout=LIVE)

    console.click("#activity a[href*='refresh']")  # the panel's refresh
    flagged = console.locator("#activity .bursts li")
    expect(flagged).to_have_count(1)
    expect(flagged).to_contain_text(f"{BURST} ข้อในหนึ่งนาที")
    expect(flagged).to_contain_text(f"แสดงอยู่ {BURST} จาก {BURST} ข้อ")
    console.locator("#activity").scroll_into_view_if_needed()
    console.screenshot(path=screenshot_dir / "console-burst-flagged.png")

    flagged.get_by_role("button", name="ซ่อนข้อเสนอทั้งหมดของผู้นี้").click()
    expect(console).to_have_url(re.compile(rf"/console/{assembly['id']}#activity$"))
    expect(console.locator("#activity .bursts li")).to_contain_text("ซ่อนแล้วทั้งหมด")
    expect(console.locator("#activity .bursts li")).to_contain_text(f"แสดงอยู่ 0 จาก {BURST} ข้อ")
    console.screenshot(path=screenshot_dir / "console-burst-hidden.png")
