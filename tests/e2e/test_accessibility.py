"""axe-core on the phone, console and presenter pages; tap targets a thumb can hit."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest
from playwright.sync_api import expect

if TYPE_CHECKING:
    from conftest import Server

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
MIN_TAP = 44  # px: WCAG 2.5.5 target size, and what a thumb on an old Android needs
BLOCKING = {"serious", "critical"}


@pytest.fixture(scope="module")
def axe_source() -> str:
    if not AXE.exists():
        import os

        if os.environ.get("CI"):
            pytest.fail("CI=true but axe-core is missing (.ci/run runs npm ci)")
        pytest.skip("accessibility tests need axe-core: run `npm ci` once")
    return AXE.read_text(encoding="utf-8")


def violations(page: Any, axe_source: str) -> list[str]:
    page.add_script_tag(content=axe_source)
    result = page.evaluate("async () => (await axe.run(document)).violations")
    return [
        f"{v['impact']}: {v['id']} — {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in result
        if v["impact"] in BLOCKING
    ]


def small_targets(page: Any) -> list[str]:
    return page.evaluate(
        """(min) => [...document.querySelectorAll('a, button, input, select, textarea, summary')]
            .filter((el) => el.offsetParent !== null && el.type !== 'hidden')
            .map((el) => [el, el.getBoundingClientRect()])
            .filter(([el, r]) => r.height < min || r.width < min)
            .map(([el, r]) => `${el.outerHTML.slice(0, 80)} ${r.width | 0}x${r.height | 0}`)""",
        MIN_TAP,
    )


def _assembly_with_proposals(server: Server) -> tuple[int, str]:
    with httpx.Client(base_url=server.url) as org:
        org.post(
            "/api/v1/login", json={"username": "org", "password": server.password}
        ).raise_for_status()
        state = org.post(
            "/api/v1/assemblies/", json={"name": "สมัชชาคุณธรรม", "province": "น่าน"}
        ).json()
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
    browser: Any, server: Server, axe_source: str
) -> None:
    assembly_id, code = _assembly_with_proposals(server)
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, locale="th-TH", bypass_csp=True
    )
    page = context.new_page()
    page.goto(server.url)
    assert violations(page, axe_source) == []
    page.goto(f"{server.url}/j/{code}")
    assert violations(page, axe_source) == []
    assert small_targets(page) == []
    page.click("button[name=network][value=religion]")
    expect(page).to_have_url(re.compile(rf"/a/{assembly_id}$"))
    expect(page.locator("[data-region=others] .proposal")).to_have_count(2)
    assert violations(page, axe_source) == []
    assert small_targets(page) == []


def test_the_console_and_presenter_pass_axe(browser: Any, server: Server, axe_source: str) -> None:
    assembly_id, _ = _assembly_with_proposals(server)
    for path, viewport in (
        (f"/console/{assembly_id}", (1366, 768)),
        (f"/present/{assembly_id}", (1920, 1080)),
    ):
        context = browser.new_context(
            viewport={"width": viewport[0], "height": viewport[1]}, bypass_csp=True
        )
        page = context.new_page()
        page.goto(f"{server.url}/login")
        page.fill("#username", "fac")
        page.fill("#password", server.password)
        page.click("button[type=submit]")
        page.goto(server.url + path)
        expect(page.locator("[data-region=connection]")).to_have_attribute("data-state", "online")
        assert violations(page, axe_source) == [], path
