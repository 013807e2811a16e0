"""axe-core on the entry pages and the collect step of the phone, console and presenter; the
other steps are audited inside their own scenarios (review, vote, draft, adopt) with the same
`audit` fixture, so the check costs no extra browser session."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import httpx
from playwright.sync_api import expect

if TYPE_CHECKING:
    from conftest import Audit, Server


def _assembly_with_proposals(server: Server) -> tuple[int, str]:
    with httpx.Client(base_url=server.url) as org:
        org.post(
            "/api/v1/login", json={"username": "org", "password": server.password}
        ).raise_for_status()
        body = {"name": "สมัชชาคุณธรรม", "province": "น่าน"}
        created = org.post("/api/v1/assemblies/", json=body)
        assert created.status_code == 201, created.text
        state = created.json()
        assembly_id, code = state["assembly"]["id"], state["assembly"]["join_code"]
        org.post(f"/api/v1/assemblies/{assembly_id}/facilitators", json={"username": "fac"})
        org.post(
            f"/api/v1/assemblies/{assembly_id}/steps/{state['steps'][0]['id']}/open",
            json={"minutes": 9},
        )
    for network, text in (("education", "ครูเป็นแบบอย่างความซื่อสัตย์"), ("media", "ตรวจข่าวก่อนแชร์")):
        with httpx.Client(base_url=server.url) as phone:
            phone.post("/api/v1/join", json={"code": code, "network": network}).raise_for_status()
            phone.post(
                f"/api/v1/assemblies/{assembly_id}/proposals", json={"text": text}
            ).raise_for_status()
    return assembly_id, code


def test_the_phone_pages_pass_axe_and_fit_a_thumb(
    browser: Any, server: Server, audit: Audit
) -> None:
    assembly_id, code = _assembly_with_proposals(server)
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="th-TH")
    page = context.new_page()
    page.goto(server.url)
    audit(page, "home")
    page.goto(f"{server.url}/login")
    audit(page, "login")
    page.goto(f"{server.url}/j/{code}")
    audit(page, "join")
    page.click("button[name=network][value=religion]")
    expect(page).to_have_url(re.compile(rf"/a/{assembly_id}$"))
    expect(page.locator("[data-region=others] .proposal")).to_have_count(2)
    audit(page, "phone, collect")
    context.close()


def test_the_console_and_presenter_pass_axe(browser: Any, server: Server, audit: Audit) -> None:
    assembly_id, _ = _assembly_with_proposals(server)
    for path, viewport in (
        ("/organize", (1366, 768)),
        (f"/console/{assembly_id}", (1366, 768)),
        (f"/present/{assembly_id}", (1920, 1080)),
    ):
        context = browser.new_context(
            viewport={"width": viewport[0], "height": viewport[1]}, locale="th-TH"
        )
        page = context.new_page()
        page.goto(f"{server.url}/login")
        page.fill("#username", "fac")
        page.fill("#password", server.password)
        page.click("button[type=submit]")
        page.goto(server.url + path)
        if path != "/organize":
            expect(page.locator("[data-region=connection]")).to_have_attribute(
                "data-state", "online"
            )
        audit(page, path)
        context.close()
