"""A collect step as people live it: a laptop, a projector and phones, all in real Chromium."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
from playwright.sync_api import expect

if TYPE_CHECKING:
    from conftest import Server

PHONES = [
    ("government", {"width": 360, "height": 740}),
    ("education", {"width": 390, "height": 844}),
    ("religion", {"width": 360, "height": 740}),
]
LIVE = 5_000  # ms a live update may take to show


def staff_page(browser: Any, server: Server, username: str, viewport: dict[str, int]) -> Any:
    context = browser.new_context(viewport=viewport, locale="th-TH")
    page = context.new_page()
    page.goto(f"{server.url}/login")
    page.fill("#username", username)
    page.fill("#password", server.password)
    page.click("button[type=submit]")
    expect(page).to_have_url(re.compile(r"/organize$"))
    return page


def phone_page(browser: Any, viewport: dict[str, int]) -> Any:
    context = browser.new_context(viewport=viewport, locale="th-TH", is_mobile=True, has_touch=True)
    return context.new_page()


def create_assembly(server: Server) -> dict[str, Any]:
    with httpx.Client(base_url=server.url) as client:
        client.post(
            "/api/v1/login", json={"username": "org", "password": server.password}
        ).raise_for_status()
        created = client.post(
            "/api/v1/assemblies/", json={"name": "สมัชชาคุณธรรมจังหวัดพิจิตร", "province": "พิจิตร"}
        )
        created.raise_for_status()
        assembly = created.json()
        client.post(
            f"/api/v1/assemblies/{assembly['assembly']['id']}/facilitators",
            json={"username": "fac"},
        ).raise_for_status()
        return assembly


def test_phones_join_propose_and_follow_the_facilitator_live(
    browser: Any, server: Server, screenshot_dir: Path
) -> None:
    assembly = create_assembly(server)
    assembly_id, code = assembly["assembly"]["id"], assembly["assembly"]["join_code"]

    console = staff_page(browser, server, "fac", {"width": 1366, "height": 768})
    console.goto(f"{server.url}/console/{assembly_id}")
    presenter = staff_page(browser, server, "fac", {"width": 1920, "height": 1080})
    presenter.goto(f"{server.url}/present/{assembly_id}")
    expect(presenter.locator(".code.huge")).to_have_text(code)

    phones = []
    for index, (network, viewport) in enumerate(PHONES):
        phone = phone_page(browser, viewport)
        if index == 0:  # by typing the code on the home page
            phone.goto(server.url)
            phone.fill("#code", f"{code[:4]} {code[4:]}")  # eight digits, as a person groups them
            phone.screenshot(path=screenshot_dir / "home-code-360.png")
            phone.click("button[type=submit]")
        else:  # by the QR code's link
            phone.goto(f"{server.url}/j/{code}")
        phone.click(f"button[name=network][value={network}]")
        expect(phone).to_have_url(re.compile(rf"/a/{assembly_id}$"))
        expect(phone.locator("[data-region=connection]")).to_have_attribute("data-state", "online")
        phones.append(phone)
    expect(console.locator("h2 [data-field=joined]")).to_have_text("3", timeout=LIVE)
    expect(presenter.locator("h2 [data-field=joined]")).to_have_text("3", timeout=LIVE)

    console.locator("[data-region=steps] li").first.locator("button", has_text="เปิด").click()
    for phone in phones:
        expect(phone.locator("[data-region=step] [data-field=prompt]")).to_contain_text(
            "ปัญหาคุณธรรม", timeout=LIVE
        )
        expect(phone.locator("[data-field=submit]")).to_be_enabled()

    texts = ["เปิดเผยงบประมาณ อบต. ทุกโครงการ", "โรงเรียนมีร้านค้าความซื่อสัตย์", "วัดเป็นศูนย์กลางชุมชน"]
    for phone, text in zip(phones, texts, strict=True):
        phone.fill("#proposal-text", text)
        phone.click("[data-field=submit]")
        expect(phone.locator("[data-region=mine] .text").first).to_have_text(text, timeout=LIVE)
    for text in texts:
        expect(console.locator("[data-region=feed] .text", has_text=text)).to_have_count(
            1, timeout=LIVE
        )
        expect(presenter.locator("[data-region=wall] .text", has_text=text)).to_have_count(
            1, timeout=LIVE
        )
    expect(phones[0].locator("[data-region=others] .proposal")).to_have_count(2, timeout=LIVE)

    phones[0].locator("[data-region=others] .btn-support").first.click()
    expect(phones[0].locator("[data-region=others] .btn-support").first).to_have_attribute(
        "aria-pressed", "true", timeout=LIVE
    )

    phones[0].set_viewport_size({"width": 360, "height": 1100})
    phones[0].screenshot(path=screenshot_dir / "phone-collect-360.png")
    console.screenshot(path=screenshot_dir / "console-1366.png")
    presenter.screenshot(path=screenshot_dir / "presenter-1920.png")


def test_a_proposal_typed_offline_arrives_once_when_the_phone_is_back(
    browser: Any, server: Server
) -> None:
    assembly = create_assembly(server)
    assembly_id, code = assembly["assembly"]["id"], assembly["assembly"]["join_code"]
    console = staff_page(browser, server, "fac", {"width": 1366, "height": 768})
    console.goto(f"{server.url}/console/{assembly_id}")
    console.locator("[data-region=steps] li").first.locator("button", has_text="เปิด").click()

    phone = phone_page(browser, {"width": 360, "height": 740})
    phone.goto(f"{server.url}/j/{code}")
    phone.click("button[name=network][value=media]")
    expect(phone.locator("[data-field=submit]")).to_be_enabled(timeout=LIVE)
    expect(phone.locator("[data-region=connection]")).to_have_attribute("data-state", "online")

    phone.context.set_offline(True)
    phone.fill("#proposal-text", "สื่อท้องถิ่นเสนอข่าวดีของคนทำดี")
    phone.click("[data-field=submit]")
    expect(phone.locator("[data-region=mine] .proposal.pending")).to_have_count(1)
    expect(console.locator("[data-region=feed] .text", has_text="สื่อท้องถิ่น")).to_have_count(0)

    phone.context.set_offline(False)
    expect(console.locator("[data-region=feed] .text", has_text="สื่อท้องถิ่น")).to_have_count(
        1, timeout=20_000
    )
    expect(phone.locator("[data-region=mine] .proposal.pending")).to_have_count(0, timeout=LIVE)
    phone.reload()
    expect(phone.locator("[data-region=mine] .proposal")).to_have_count(1)
    console.wait_for_timeout(1_000)
    expect(console.locator("[data-region=feed] .text", has_text="สื่อท้องถิ่น")).to_have_count(1)
