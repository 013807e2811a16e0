"""A dot vote as people live it: the console sets it up, phones tap dots, results on reveal."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
from playwright.sync_api import expect

if TYPE_CHECKING:
    from conftest import Audit, Server

LIVE = 8_000  # ms: phones refetch their vote section at a random moment within 2 s


def staff(browser: Any, server: Server, viewport: dict[str, int]) -> Any:
    page = browser.new_context(viewport=viewport, locale="th-TH").new_page()
    page.goto(f"{server.url}/login")
    page.fill("#username", "fac")
    page.fill("#password", server.password)
    page.click("button[type=submit]")
    expect(page).to_have_url(re.compile(r"/organize$"))
    return page


def phone(browser: Any, server: Server, code: str, network: str) -> Any:
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, locale="th-TH", is_mobile=True, has_touch=True
    )
    page = context.new_page()
    page.goto(f"{server.url}/j/{code}")
    page.click(f"button[name=network][value={network}]")
    expect(page.locator("[data-region=connection]")).to_have_attribute("data-state", "online")
    return page


def new_assembly(server: Server) -> tuple[int, str]:
    with httpx.Client(base_url=server.url) as client:
        client.post(
            "/api/v1/login", json={"username": "org", "password": server.password}
        ).raise_for_status()
        created = client.post(
            "/api/v1/assemblies/", json={"name": "สมัชชาคุณธรรมจังหวัดน่าน", "province": "น่าน"}
        )
        created.raise_for_status()
        assembly = created.json()["assembly"]
        client.post(
            f"/api/v1/assemblies/{assembly['id']}/facilitators", json={"username": "fac"}
        ).raise_for_status()
        return int(assembly["id"]), str(assembly["join_code"])


def test_a_dot_vote_from_setup_to_revealed_results(
    browser: Any, server: Server, screenshot_dir: Path, audit: Audit
) -> None:
    assembly_id, code = new_assembly(server)
    console = staff(browser, server, {"width": 1366, "height": 900})
    console.goto(f"{server.url}/console/{assembly_id}")
    vote_step = console.locator("[data-region=steps] li").nth(2)
    vote_step.locator("button", has_text="เปิด").click()
    expect(console.locator("section[data-show-kind=vote]")).to_be_visible(timeout=LIVE)
    console.locator("section[data-show-kind=vote] button", has_text="บันทึกการตั้งค่า").click()
    console.locator("button", has_text="เปิดการลงคะแนน").click()
    expect(console.locator("button", has_text="ปิดการลงคะแนน")).to_be_visible(timeout=LIVE)
    presenter = staff(browser, server, {"width": 1920, "height": 1080})
    presenter.goto(f"{server.url}/present/{assembly_id}")

    first = phone(browser, server, code, "government")
    second = phone(browser, server, code, "religion")
    for page in (first, second):
        expect(page.locator("form[data-ballot]")).to_be_visible(timeout=LIVE)
    audit(first, "phone, dot ballot")
    audit(console, "console, open vote")
    audit(presenter, "presenter, open vote")

    rows = first.locator(".vote-option")
    add = first.get_by_role("button", name="เพิ่ม 1 จุดให้: พอเพียง")
    add.click()
    add.click()
    rows.nth(1).locator("button.vote-tap", has_text="+").click()
    expect(first.locator("[data-field=vote-summary]")).to_contain_text("2 / 5")
    rows.nth(0).locator("button.vote-tap", has_text="+").click()
    expect(rows.nth(0).locator("input")).to_have_value("3")
    expect(rows.nth(0).locator("button.vote-tap", has_text="+")).to_be_disabled()  # max 3
    first.click("[data-field=vote-submit]")
    expect(first.locator("[data-field=vote-saved]")).to_have_text("✓ บันทึกแล้ว", timeout=LIVE)
    expect(console.locator("[data-field=vote-voted]").first).to_have_text("1", timeout=LIVE)
    expect(presenter.locator("[data-field=vote-voted]").first).to_have_text("1", timeout=LIVE)

    second.context.set_offline(True)
    second.locator(".vote-option").nth(1).locator("button.vote-tap", has_text="+").click()
    second.click("[data-field=vote-submit]")
    expect(second.locator("[data-field=vote-saved]")).not_to_contain_text("บันทึกแล้ว")
    second.context.set_offline(False)
    expect(second.locator("[data-field=vote-saved]")).to_have_text("✓ บันทึกแล้ว", timeout=20_000)
    expect(console.locator("[data-field=vote-voted]").first).to_have_text("2", timeout=LIVE)

    console.locator("button", has_text="เปิดเผยผล").click()
    expect(first.locator("[data-region=vote-results]")).to_be_visible(timeout=LIVE)
    expect(first.locator("[data-list=ranking] li").first).to_contain_text("พอเพียง")
    # the projector shows the top results large (no tall charts: it must fit 1080 px)
    expect(presenter.locator(".top-list li").first).to_contain_text("พอเพียง", timeout=LIVE)
    audit(first, "phone, vote results")
    audit(console, "console, vote results")
    audit(presenter, "presenter, vote results")

    first.set_viewport_size({"width": 360, "height": 1400})
    first.screenshot(path=screenshot_dir / "phone-vote-360.png", full_page=True)
    console.screenshot(path=screenshot_dir / "console-vote-1366.png", full_page=True)
    presenter.screenshot(path=screenshot_dir / "presenter-vote-1920.png")
