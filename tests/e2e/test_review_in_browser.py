"""The review step in real Chromium: similar proposals while a phone types, then the
facilitator clusters, moves a proposal with the plain select and by dragging, marks an issue,
and the presenter and the phone follow live."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
from playwright.sync_api import expect

if TYPE_CHECKING:
    from conftest import Audit, Server

LIVE = 15_000  # ms: clustering loads the model in the server's first request
TEXTS = [
    "รณรงค์ให้ใส่หมวกกันน็อกทุกครั้งที่ขับขี่จักรยานยนต์",
    "สวมหมวกกันน็อกทุกครั้งเมื่อขี่มอเตอร์ไซค์",
    "เปิดเผยงบประมาณของ อบต. ให้ประชาชนตรวจสอบได้",
    "ติดประกาศการใช้งบประมาณหมู่บ้านให้ทุกคนเห็น",
    "ร้านค้าความซื่อสัตย์ในโรงเรียน",
    "ส่งเสริมร้านค้าความซื่อสัตย์ทุกโรงเรียน",
]


def login(browser: Any, server: Server, viewport: dict[str, int]) -> Any:
    page = browser.new_context(viewport=viewport, locale="th-TH").new_page()
    page.goto(f"{server.url}/login")
    page.fill("#username", "fac")
    page.fill("#password", server.password)
    page.click("button[type=submit]")
    expect(page).to_have_url(re.compile(r"/organize$"))
    return page


def test_a_facilitator_turns_proposals_into_issues_while_screens_follow(
    browser: Any, server: Server, screenshot_dir: Path, audit: Audit
) -> None:
    with httpx.Client(base_url=server.url) as org:
        org.post(
            "/api/v1/login", json={"username": "org", "password": server.password}
        ).raise_for_status()
        assembly = org.post(
            "/api/v1/assemblies/", json={"name": "สมัชชาคุณธรรมจังหวัดน่าน", "province": "น่าน"}
        ).json()
        aid, code = assembly["assembly"]["id"], assembly["assembly"]["join_code"]
        org.post(f"/api/v1/assemblies/{aid}/facilitators", json={"username": "fac"})
        steps = {s["kind"]: s["id"] for s in assembly["steps"]}
        org.post(f"/api/v1/assemblies/{aid}/steps/{steps['collect']}/open", json={})
    with httpx.Client(base_url=server.url) as author:
        author.post("/api/v1/join", json={"code": code, "network": "education"})
        for text in TEXTS:
            author.post(f"/api/v1/assemblies/{aid}/proposals", json={"text": text})

    phone = browser.new_context(
        viewport={"width": 360, "height": 740}, locale="th-TH", is_mobile=True, has_touch=True
    ).new_page()
    phone.goto(f"{server.url}/j/{code}")
    phone.click("button[name=network][value=media]")
    expect(phone.locator("[data-region=connection]")).to_have_attribute("data-state", "online")
    phone.fill("#proposal-text", "ใส่หมวกกันน็อกทุกครั้งที่ขับขี่จักรยานยนต์")
    similar = phone.locator("[data-region=similar] li")
    expect(similar.first).to_be_visible(timeout=LIVE)
    assert similar.count() <= 3
    expect(similar.first.locator("[data-field=text]")).to_contain_text("หมวกกันน็อก")
    # After a reload the kept draft is looked up at once, before any new keystroke.
    phone.reload()
    expect(phone.locator("#proposal-text")).to_have_value("ใส่หมวกกันน็อกทุกครั้งที่ขับขี่จักรยานยนต์")
    expect(similar.first).to_be_visible(timeout=LIVE)
    box = similar.first.locator("button").bounding_box()
    assert box is not None
    assert box["height"] >= 44
    phone.screenshot(path=str(screenshot_dir / "phone-similar-360.png"))
    similar.first.locator("button").click()
    expect(similar.first.locator("button")).to_be_disabled(timeout=LIVE)

    # Tall enough that the tray and the groups are on screen together: a drag cannot scroll.
    console = login(browser, server, {"width": 1366, "height": 2400})
    console.goto(f"{server.url}/console/{aid}")
    console.locator(f"[data-region=steps] li[data-id='{steps['review']}'] button").first.click()
    board = console.locator("[data-show-kind=review]")
    expect(board).to_be_visible(timeout=LIVE)
    presenter = login(browser, server, {"width": 1920, "height": 1080})
    presenter.goto(f"{server.url}/present/{aid}")

    board.locator("button[name=change][value=same]").click()
    groups = board.locator("[data-region=groups] > li")
    expect(groups.first).to_be_visible(timeout=LIVE)
    expect(presenter.locator("[data-region=rv-wall] li").first).to_be_visible(timeout=LIVE)
    count = groups.count()
    assert count >= 2

    # Tick and move: the first proposal of the first group into the last group.
    first = groups.first
    member = first.locator("li.rv-member").first
    member_id = member.get_attribute("data-id")
    target = groups.nth(count - 1)
    target_id = target.get_attribute("data-id")
    member.locator("[data-field=pick]").check()
    board.locator("[data-field=bulk-target]").select_option(target_id)
    board.locator("#rv-bulk button[type=submit]").click()
    expect(board.locator(f"#g{target_id} li#m{member_id}")).to_be_visible(timeout=LIVE)

    # Drag it back onto the unsorted tray.
    board.locator(f"li#m{member_id} [data-field=text]").drag_to(board.locator(".rv-tray h2"))
    expect(board.locator(f"[data-region=unsorted] li#m{member_id}")).to_be_visible(timeout=LIVE)

    # Rename and mark the target group as an issue; the phone in the review step sees it.
    title = board.locator(f"#g{target_id} [data-field=title]")
    title.fill("ความปลอดภัยทางถนน")
    board.locator(f"#g{target_id} button[value=rename]").click()
    expect(presenter.locator("[data-region=rv-wall]")).to_contain_text(
        "ความปลอดภัยทางถนน", timeout=LIVE
    )
    board.locator(f"#g{target_id} button[data-field=issue]").click()
    expect(board.locator(f"#g{target_id} [data-field=issue-flag]")).to_be_visible(timeout=LIVE)
    expect(phone.locator("[data-region=rv-issues]")).to_contain_text(
        "ความปลอดภัยทางถนน", timeout=LIVE
    )
    audit(phone, "phone, review")
    audit(console, "console, review")
    audit(presenter, "presenter, review")
    console.screenshot(path=str(screenshot_dir / "console-review-1366.png"), full_page=True)
    presenter.screenshot(path=str(screenshot_dir / "presenter-review-1920.png"))
    phone.screenshot(path=str(screenshot_dir / "phone-review-360.png"))
