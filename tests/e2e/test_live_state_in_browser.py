"""The page's own reducer (static/samatcha.js) in real Chromium: events applied in sequence to a
stale snapshot give what a fresh snapshot shows, and a gap in the sequence is waited for, then
repaired with a resync. No Python restatement of the client: the browser runs the real one."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import httpx
from playwright.sync_api import expect

if TYPE_CHECKING:
    from conftest import Server

LIVE = 5_000  # ms a live update may take to arrive
# Every socket the page opens, kept where the test can reach it (the module keeps its own private).
CAPTURE_SOCKETS = """
window.__sockets = [];
window.__sent = [];
const NativeSocket = window.WebSocket;
window.WebSocket = class extends NativeSocket {
  constructor(...args) { super(...args); window.__sockets.push(this); }
  send(data) { window.__sent.push(JSON.parse(data)); super.send(data); }
};
"""
STATE = "async () => (await import('/static/samatcha.js')).live.state"
FRESH = "async (url) => (await fetch(url, {credentials: 'same-origin'})).json()"
PHONE_KEYS = ("seq", "networks", "joined", "step", "proposals")
"""What a phone's stale snapshot plus events must bring up to date (its own `mine` and
`supported` follow its own actions, not events)."""


@contextmanager
def organizer(server: Server) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url) as client:
        client.post(
            "/api/v1/login", json={"username": "org", "password": server.password}
        ).raise_for_status()
        yield client


def phone(server: Server, code: str, network: str) -> httpx.Client:
    client = httpx.Client(base_url=server.url)
    client.post("/api/v1/join", json={"code": code, "network": network}).raise_for_status()
    return client


def collecting_assembly(server: Server) -> tuple[int, str]:
    with organizer(server) as client:
        created = client.post(
            "/api/v1/assemblies/", json={"name": "สมัชชาทดสอบสถานะสด", "province": "น่าน"}
        )
        created.raise_for_status()
        snapshot = created.json()
        assembly_id = snapshot["assembly"]["id"]
        client.post(
            f"/api/v1/assemblies/{assembly_id}/facilitators", json={"username": "fac"}
        ).raise_for_status()
        collect = next(s for s in snapshot["steps"] if s["kind"] == "collect")
        client.post(
            f"/api/v1/assemblies/{assembly_id}/steps/{collect['id']}/open", json={}
        ).raise_for_status()
        return assembly_id, snapshot["assembly"]["join_code"]


def console_page(browser: Any, server: Server, assembly_id: int) -> Any:
    page = browser.new_context(viewport={"width": 1366, "height": 768}).new_page()
    page.add_init_script(CAPTURE_SOCKETS)
    page.goto(f"{server.url}/login")
    page.fill("#username", "fac")
    page.fill("#password", server.password)
    page.click("button[type=submit]")
    expect(page).to_have_url(re.compile(r"/organize$"))
    page.goto(f"{server.url}/console/{assembly_id}")
    expect(page.locator("[data-region=connection]")).to_have_attribute("data-state", "online")
    return page


def phone_page(browser: Any, server: Server, code: str, assembly_id: int) -> Any:
    page = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True).new_page()
    page.add_init_script(CAPTURE_SOCKETS)
    page.goto(f"{server.url}/j/{code}")
    page.click("button[name=network][value=government]")
    expect(page).to_have_url(re.compile(rf"/a/{assembly_id}$"))
    expect(page.locator("[data-region=connection]")).to_have_attribute("data-state", "online")
    return page


def state_reaches(page: Any, seq: int) -> dict[str, Any]:
    page.wait_for_function(
        "async (seq) => (await import('/static/samatcha.js')).live.state.seq >= seq",
        arg=seq,
        timeout=LIVE,
    )
    return dict(page.evaluate(STATE))


def deliver(page: Any, *messages: dict[str, Any]) -> None:
    """Hand messages to the page's open socket as if the server had sent them."""
    page.evaluate(
        """(messages) => {
          const socket = window.__sockets.at(-1);
          for (const m of messages) socket.onmessage({ data: JSON.stringify(m) });
        }""",
        list(messages),
    )


def deliver_and_read(page: Any, *messages: dict[str, Any]) -> list[tuple[int, int]]:
    """Hand messages to the page's socket in one go and read (seq, the first proposal's
    supports) after each: no time passes between them for the gap timer (1 s) to fire in,
    however slow the machine."""
    return [
        tuple(pair)
        for pair in page.evaluate(
            """async (messages) => {
              const { live } = await import('/static/samatcha.js');
              const socket = window.__sockets.at(-1);
              const seen = [];
              for (const m of messages) {
                socket.onmessage({ data: JSON.stringify(m) });
                seen.push([live.state.seq, live.state.proposals[0].supports]);
              }
              return seen;
            }""",
            list(messages),
        )
    ]


def test_a_stale_snapshot_plus_events_equals_a_fresh_snapshot(browser: Any, server: Server) -> None:
    assembly_id, code = collecting_assembly(server)
    console = console_page(browser, server, assembly_id)
    own = phone_page(browser, server, code, assembly_id)
    snapshot_url = f"/api/v1/assemblies/{assembly_id}/snapshot"
    phones = [phone(server, code, n) for n in ("government", "business", "education")]
    try:
        ids = []
        for i, client in enumerate(phones):
            created = client.post(
                snapshot_url.replace("snapshot", "proposals"), json={"text": f"ข้อเสนอที่ {i}"}
            )
            created.raise_for_status()
            ids.append(created.json()["id"])
        proposals = f"/api/v1/assemblies/{assembly_id}/proposals"
        phones[0].post(f"{proposals}/{ids[1]}/support").raise_for_status()
        with organizer(server) as staff:
            staff.patch(f"{proposals}/{ids[2]}", json={"hidden": True}).raise_for_status()
            staff.patch(f"{proposals}/{ids[1]}", json={"text": "แก้คำผิดแล้ว"}).raise_for_status()
        phone(server, code, "media").close()  # one more joins: participants.changed
        fresh_staff = console.evaluate(FRESH, snapshot_url)
        staff_state = state_reaches(console, fresh_staff["seq"])
        assert staff_state == fresh_staff
        phone_state = state_reaches(own, fresh_staff["seq"])
        fresh_phone = own.evaluate(FRESH, snapshot_url)
        assert {k: phone_state[k] for k in PHONE_KEYS} == {k: fresh_phone[k] for k in PHONE_KEYS}
        assert [p["text"] for p in phone_state["proposals"]] == ["ข้อเสนอที่ 0", "แก้คำผิดแล้ว"]
    finally:
        for client in phones:
            client.close()
        console.context.close()
        own.context.close()


def test_events_apply_in_sequence_and_a_gap_is_repaired_by_a_resync(
    browser: Any, server: Server
) -> None:
    assembly_id, code = collecting_assembly(server)
    author = phone(server, code, "religion")
    created = author.post(f"/api/v1/assemblies/{assembly_id}/proposals", json={"text": "ลดขยะ"})
    created.raise_for_status()
    proposal_id = created.json()["id"]
    console = console_page(browser, server, assembly_id)
    try:
        seq = console.evaluate(STATE)["seq"]

        def supported(at: int, supports: int) -> dict[str, Any]:
            data = {"id": proposal_id, "supports": supports}
            return {"seq": at, "type": "proposal.supported", "ts": 0, "data": data}

        # The later one first (several workers may deliver out of order): it waits for the
        # one before it, then both apply in order; old news changes nothing.
        assert deliver_and_read(
            console, supported(seq + 2, 2), supported(seq + 1, 1), supported(seq + 1, 7)
        ) == [(seq, 0), (seq + 2, 2), (seq + 2, 2)]
        expect(console.locator(f"#p{proposal_id} [data-field=supports]")).to_have_text("+2")
        # A gap nobody fills: after a moment the page asks for a fresh snapshot, which the
        # server sends (its seq is behind the invented one, so the state becomes the server's).
        deliver(console, supported(seq + 4, 9))
        console.wait_for_function(
            "() => window.__sent.some((m) => m.type === 'resync')", timeout=LIVE
        )
        fresh = console.evaluate(FRESH, f"/api/v1/assemblies/{assembly_id}/snapshot")
        console.wait_for_function(
            "async (seq) => (await import('/static/samatcha.js')).live.state.seq === seq",
            arg=fresh["seq"],
            timeout=LIVE,
        )
        assert console.evaluate(STATE) == fresh
        expect(console.locator(f"#p{proposal_id} [data-field=supports]")).to_have_text("+0")
        assert fresh["proposals"][0]["supports"] == 0
    finally:
        author.close()
        console.context.close()


def test_a_feature_module_that_does_not_load_is_told_not_swallowed(
    browser: Any, server: Server
) -> None:
    assembly_id, code = collecting_assembly(server)
    page = browser.new_context(viewport={"width": 360, "height": 740}).new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.route("**/static/review.js", lambda route: route.fulfill(status=500, body="broken"))
    try:
        page.goto(f"{server.url}/j/{code}")
        page.click("button[name=network][value=government]")
        expect(page).to_have_url(re.compile(rf"/a/{assembly_id}$"))
        expect(page.locator("#toast")).to_have_text("บางส่วนของหน้านี้โหลดไม่สำเร็จ กรุณาโหลดหน้าใหม่")
        assert any("static/review.js did not load" in e for e in errors), errors
    finally:
        page.context.close()


def test_a_step_change_brings_the_new_view_without_a_resync(browser: Any, server: Server) -> None:
    """The server sends the new step's view to every phone: the phone holds what a fresh
    snapshot shows without asking for one; a phone with a part of its own in the new step
    asks for that part alone (`mine`), never for a whole snapshot."""
    assembly_id, code = collecting_assembly(server)
    own = phone_page(browser, server, code, assembly_id)
    snapshot_url = f"/api/v1/assemblies/{assembly_id}/snapshot"
    base = f"/api/v1/assemblies/{assembly_id}"

    def comparable(state: dict[str, Any]) -> dict[str, Any]:
        if isinstance(state.get("vote"), dict):
            state["vote"].pop("next_seq", None)  # a fresh client_seq for a plain form
        return state

    def same_as_fresh() -> None:
        """The page's state equals a fresh snapshot once the view (and its part) arrived."""
        fresh = comparable(own.evaluate(FRESH, snapshot_url))
        deadline = time.monotonic() + LIVE / 1000
        while (state := comparable(dict(own.evaluate(STATE)))) != fresh:
            if time.monotonic() > deadline:
                break
            own.wait_for_timeout(100)
        assert state == fresh

    try:
        own.fill("[data-propose] textarea", "ตลาดสดปลอดขยะ")
        own.click("[data-propose] button[type=submit]")
        expect(own.locator('[data-region="mine"] li')).to_have_count(1)
        with organizer(server) as staff:
            steps = staff.get(snapshot_url).json()["steps"]
            step = {s["kind"]: s["id"] for s in steps}
            staff.post(f"{base}/steps/{step['vote']}/open", json={}).raise_for_status()
            expect(own.locator('[data-show-kind="vote"]')).to_be_visible()
            same_as_fresh()
            assert own.evaluate("() => window.__sent.map((m) => m.type)").count("resync") == 0
            assert own.evaluate("() => window.__sent.map((m) => m.type)").count("mine") == 0
            # back to collect: this phone wrote a proposal, so it asks for its own part
            staff.post(f"{base}/steps/{step['collect']}/open", json={}).raise_for_status()
            own.wait_for_function(
                "() => window.__sent.some((m) => m.type === 'mine')", timeout=LIVE
            )
            expect(own.locator('[data-region="mine"] li')).to_have_count(1)
            same_as_fresh()
        sent = own.evaluate("() => window.__sent.map((m) => m.type)")
        assert "resync" not in sent
    finally:
        own.context.close()


def test_a_view_read_before_events_the_phone_applied_gets_them_again(
    browser: Any, server: Server
) -> None:
    """A view is read after the step change commits; events after it may reach the phone
    first. The phone takes the view, then applies those events again on top of it."""
    assembly_id, code = collecting_assembly(server)
    author = phone(server, code, "religion")
    created = author.post(f"/api/v1/assemblies/{assembly_id}/proposals", json={"text": "ลดขยะ"})
    created.raise_for_status()
    proposal_id = created.json()["id"]
    own = phone_page(browser, server, code, assembly_id)
    try:
        state = own.evaluate(STATE)
        seq = state["seq"]
        step = {**state["step"], "title": "ขั้นถัดไป"}
        deliver(
            own,
            {"seq": seq + 1, "type": "step.changed", "ts": 0, "data": {"step": step}},
            {
                "seq": seq + 2,
                "type": "proposal.supported",
                "ts": 0,
                "data": {"id": proposal_id, "supports": 3},
            },
        )
        shared = {k: v for k, v in state.items() if k not in ("role", "me", "mine", "supported")}
        view = {
            "seq": seq + 1,
            "state": {**shared, "seq": seq + 1, "step": step},
            "blank": {"mine": [], "supported": []},
            "parts": [
                {"keys": ["mine", "supported"], "holders": [], "same_in": ["collect", "review"]}
            ],
        }
        deliver(own, {"seq": seq + 1, "live": "view", "ts": 0, "data": view})
        after = own.evaluate(STATE)
        assert after["seq"] == seq + 2
        assert after["step"]["title"] == "ขั้นถัดไป"
        assert after["proposals"][0]["supports"] == 3  # applied again on top of the view
        assert after["me"] == state["me"]
        expect(own.locator('[data-region="step"] [data-field="title"]')).to_have_text("ขั้นถัดไป")
        sent = own.evaluate("() => window.__sent.map((m) => m.type)")
        assert "resync" not in sent
        assert "mine" not in sent
    finally:
        author.close()
        own.context.close()
