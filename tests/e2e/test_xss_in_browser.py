"""Payloads typed into an assembly stay text once the live JavaScript has rendered them.

Server-rendered HTML is checked by tests/integration/test_xss.py; here the phone, the console
and the presenter run in Chromium, and payloads also arrive live over the socket (proposals, a
renamed issue) and are drawn by static/samatcha.js. No dialog may open, and the DOM must hold
no element, event handler or inline script that came from a payload. (The CSP would block an
inline handler from running; the DOM check proves none was even created.)
"""

from __future__ import annotations

from contextlib import ExitStack
from typing import TYPE_CHECKING, Any

import httpx
from playwright.sync_api import expect

if TYPE_CHECKING:
    from conftest import Server

LIVE = 5_000  # ms a live update may take to show
PAYLOADS = (
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "</script><script>alert(1)</script>",
    "javascript:alert(1)",
    "{{7*7}} {% raw %}",
    "'><svg onload=alert(1)>",
)
# Anything in the DOM that a payload could have made: an element it names, an inline script
# that is not a JSON island, a handler attribute, a javascript: link.
INJECTED = """() => {
  const found = [];
  for (const el of document.querySelectorAll('*')) {
    if (el.matches('img[src="x"], svg[onload], script:not([src]):not([type="application/json"])'))
      found.push(el.outerHTML.slice(0, 120));
    for (const attr of el.attributes) {
      if (attr.name.startsWith('on')) found.push(`${el.tagName} ${attr.name}`);
      if (['href', 'src', 'action'].includes(attr.name)
          && attr.value.trim().toLowerCase().startsWith('javascript:'))
        found.push(`${el.tagName} ${attr.name}=${attr.value}`);
    }
  }
  return found;
}"""


def typed(name: str, n: int) -> str:
    return f"{name} {PAYLOADS[n % len(PAYLOADS)]}"


def staff_api(server: Server, username: str, clients: ExitStack) -> httpx.Client:
    client = clients.enter_context(httpx.Client(base_url=server.url))
    login = {"username": username, "password": server.password}
    client.post("/api/v1/login", json=login).raise_for_status()
    return client


def watched_page(browser: Any, dialogs: list[str], viewport: dict[str, int]) -> Any:
    context = browser.new_context(viewport=viewport, locale="th-TH")
    page = context.new_page()

    def on_dialog(dialog: Any) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    return page


def test_payloads_rendered_live_by_the_pages_stay_text(browser: Any, server: Server) -> None:
    with ExitStack() as clients:
        _check_payloads(browser, server, clients)


def _check_payloads(browser: Any, server: Server, clients: ExitStack) -> None:
    org = staff_api(server, "org", clients)
    created = org.post(
        "/api/v1/assemblies/", json={"name": typed("สมัชชา", 0), "province": typed("จังหวัด", 1)}
    )
    created.raise_for_status()
    assembly = created.json()
    assembly_id, code = assembly["assembly"]["id"], assembly["assembly"]["join_code"]
    api = f"/api/v1/assemblies/{assembly_id}"
    org.post(f"{api}/facilitators", json={"username": "fac"}).raise_for_status()
    steps = {s["kind"]: s["id"] for s in assembly["steps"]}
    org.patch(
        f"{api}/steps/{steps['collect']}",
        json={"kind": "collect", "title": typed("เก็บ", 2), "prompt": typed("คำถาม", 3)},
    ).raise_for_status()
    fac = staff_api(server, "fac", clients)
    fac.post(f"{api}/steps/{steps['collect']}/open").raise_for_status()

    dialogs: list[str] = []
    phone = watched_page(browser, dialogs, {"width": 360, "height": 740})
    joined = phone.context.request.post(
        f"{server.url}/api/v1/join",
        data={"code": code, "network": "media", "display_name": typed("ชื่อ", 4)},
    )
    assert joined.ok, joined.text()
    phone.goto(f"{server.url}/a/{assembly_id}")
    console = watched_page(browser, dialogs, {"width": 1366, "height": 768})
    presenter = watched_page(browser, dialogs, {"width": 1920, "height": 1080})
    for page in (console, presenter):
        login = {"username": "fac", "password": server.password}
        assert page.context.request.post(f"{server.url}/api/v1/login", data=login).ok
    console.goto(f"{server.url}/console/{assembly_id}")
    presenter.goto(f"{server.url}/present/{assembly_id}")
    expect(phone.locator("[data-region=connection]")).to_have_attribute("data-state", "online")

    # Proposals typed on the phone and by another phone arrive live on every screen.
    phone.fill("#proposal-text", typed("ข้อเสนอ", 0))
    phone.click("[data-field=submit]")
    other = clients.enter_context(httpx.Client(base_url=server.url))
    other.post("/api/v1/join", json={"code": code, "network": "religion"}).raise_for_status()
    texts = [typed("ข้อเสนอ", 0)]
    for n in range(1, len(PAYLOADS)):
        texts.append(typed("ข้อเสนอ", n))
        other.post(f"{api}/proposals", json={"text": texts[-1]}).raise_for_status()
    for text in texts:
        expect(console.locator("[data-region=feed] .text", has_text=text)).to_have_count(
            1, timeout=LIVE
        )
        expect(presenter.locator("[data-region=wall] .text", has_text=text)).to_have_count(
            1, timeout=LIVE
        )
    expect(phone.locator("[data-region=others] .proposal")).to_have_count(
        len(PAYLOADS) - 1, timeout=LIVE
    )

    # An issue renamed by the facilitator arrives live in the review step.
    fac.post(f"{api}/steps/{steps['review']}/open").raise_for_status()
    proposals = fac.get(f"{api}/snapshot").json()["proposals"]
    state = fac.post(f"{api}/proposals/{proposals[0]['id']}/group", json={"group_id": "new"})
    group = next(g for g in state.json()["groups"] if proposals[0]["id"] in g["members"])
    title = typed("ประเด็น", 1)
    fac.patch(
        f"{api}/groups/{group['id']}",
        json={"version": group["version"], "title": title, "is_issue": True},
    ).raise_for_status()
    for page in (console, presenter):
        expect(page.get_by_text(title)).not_to_have_count(0, timeout=LIVE)
    expect(phone.get_by_text(typed("สมัชชา", 0)).first).to_be_visible()

    for name, page in (("phone", phone), ("console", console), ("presenter", presenter)):
        assert page.evaluate(INJECTED) == [], name
    assert dialogs == []
