"""A seat card as a person uses it: its QR link opened on a 360-px phone, one tap to a seat."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
from playwright.sync_api import expect

if TYPE_CHECKING:
    from conftest import Audit, Server

PHONE = {"width": 360, "height": 740}


def strict_assembly_with_one_card(server: Server) -> tuple[int, str, str]:
    """(assembly id, the card's code, the link its QR code opens), read from the CSV list."""
    with httpx.Client(base_url=server.url) as client:
        client.post(
            "/api/v1/login", json={"username": "org", "password": server.password}
        ).raise_for_status()
        created = client.post(
            "/api/v1/assemblies/", json={"name": "สมัชชาคุณธรรมจังหวัดน่าน", "province": "น่าน"}
        )
        created.raise_for_status()
        assembly_id = created.json()["assembly"]["id"]
        base = f"/api/v1/assemblies/{assembly_id}/seats"
        client.post(f"{base}/", json={"network": "religion", "count": 1}).raise_for_status()
        client.put(f"{base}/required", json={"required": True}).raise_for_status()
        exported = client.get(f"/organize/{assembly_id}/seats/list.csv")
        exported.raise_for_status()
    [_, row] = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    return assembly_id, row[3], row[-1]


def phone(browser: Any) -> Any:
    context = browser.new_context(viewport=PHONE, locale="th-TH", is_mobile=True, has_touch=True)
    return context.new_page()


def test_a_card_link_seats_a_phone_and_moves_the_seat_to_a_second_phone(
    browser: Any, server: Server, audit: Audit, screenshot_dir: Path
) -> None:
    assembly_id, code, link = strict_assembly_with_one_card(server)
    first = phone(browser)
    first.goto(link)
    expect(first.locator("#seat_code")).to_have_value(code.replace("-", ""))
    expect(first.locator("button[name=network]")).to_have_count(0)
    audit(first, "join page with a seat card, 360 px")
    first.screenshot(path=str(screenshot_dir / "seat-card-join-360.png"), full_page=True)
    first.get_by_role("button", name="เข้าร่วมด้วยบัตรนี้").click()
    expect(first).to_have_url(re.compile(rf"/a/{assembly_id}$"))
    expect(first.locator("body")).to_contain_text("องค์กรศาสนา")

    second = phone(browser)
    second.goto(link)
    second.get_by_role("button", name="เข้าร่วมด้วยบัตรนี้").click()
    expect(second).to_have_url(re.compile(rf"/a/{assembly_id}$"))
    # The first phone is told over its socket and goes back to the join page by itself.
    expect(first).to_have_url(re.compile(r"/j/\d{8}$"))
    expect(first.locator("#seat_code")).to_be_visible()


def test_the_printed_sheet_fits_twelve_cards_on_an_a4_page(
    browser: Any, server: Server, screenshot_dir: Path
) -> None:
    assembly_id, code, _ = strict_assembly_with_one_card(server)
    context = browser.new_context(viewport={"width": 1000, "height": 1200}, locale="th-TH")
    page = context.new_page()
    page.goto(f"{server.url}/login")
    page.fill("#username", "org")
    page.fill("#password", server.password)
    page.click("button[type=submit]")
    page.goto(f"{server.url}/organize/{assembly_id}/seats/cards")
    page.emulate_media(media="print")
    card = page.locator(".seat-card").first
    expect(card.locator("[data-code]")).to_have_text(code)
    box = card.bounding_box()
    assert box is not None
    mm = 96 / 25.4  # CSS pixels per millimetre
    assert round(box["width"] / mm) == 70
    assert round(box["height"] / mm) == 74
    qr = card.locator(".seat-qr svg").bounding_box()
    assert qr is not None
    assert qr["width"] / mm > 25  # scannable from arm's length on an old phone
    page.screenshot(path=str(screenshot_dir / "seat-cards-print.png"))
