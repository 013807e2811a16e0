"""The presenter screen at the size of a real hall: it fits a 1920×1080 projector, no scrolling.

A hall of 24 phones in all six networks, 200 proposals (some of them long), 30 issues with long
titles, revealed results of a 12-option vote in every method and of a 30-issue ranking, 30
agenda items: the assembly is set up through the API (as tests/e2e/test_agenda_in_browser.py
does); the presenter page is only looked at, in real Chromium at 1920×1080, and the facilitator
switches its screen by clicking the console's buttons. Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest
from playwright.sync_api import expect

if TYPE_CHECKING:
    from conftest import Audit, Server

PRESENTER = {"width": 1920, "height": 1080}
CONSOLE = {"width": 1366, "height": 768}
LIVE = 8_000  # ms
NETWORKS = ("government", "business", "civil_society", "education", "religion", "media")
PHONES_PER_NETWORK = 4
PROPOSALS = 200
ISSUES = 30
OPTIONS = 12
ROTATE_MS = 12_000  # static/presenter.js
WORDS = [
    "ขยะ",
    "ตลาดสด",
    "ชุมชน",
    "โรงเรียน",
    "วินัยจราจร",
    "หมวกกันน็อก",
    "ความซื่อสัตย์",
    "งบประมาณ",
    "อบต.",
    "จิตอาสา",
    "ผู้สูงอายุ",
    "เยาวชน",
    "วัด",
    "ศาสนสถาน",
    "สื่อออนไลน์",
    "ข่าวปลอม",
    "ร้านค้า",
    "ความพอเพียง",
    "น้ำเสีย",
    "ป่าชุมชน",
]
LONG = (
    "อยากให้ทุกหน่วยงานในจังหวัดร่วมกันเปิดเผยข้อมูลงบประมาณและการจัดซื้อจัดจ้างให้ประชาชนตรวจสอบได้"
    "ง่ายผ่านโทรศัพท์มือถือ พร้อมตั้งคณะทำงานจากทุกภาคส่วนติดตามผลทุกสามเดือน และรายงานต่อสมัชชา "
)
ISSUE_TITLE = "ส่งเสริมวินัยและความรับผิดชอบต่อส่วนรวมของเยาวชนและครอบครัวในชุมชนเมืองและชนบท ข้อที่ {n}"
OPTION_LABEL = "วาระที่ {n}: ร่วมกันแก้ปัญหา{word}อย่างยั่งยืนโดยทุกภาคส่วนในจังหวัด"
PARAMS: dict[str, dict[str, int]] = {
    "dot": {"dots": 5},
    "approval": {},
    "score": {},
    "ranking": {},
    "budget": {},
}


def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json() if response.content else None


def text_of(n: int) -> str:
    """A Thai proposal; every seventh one is close to the 500-character limit."""
    words = " ".join(WORDS[(n * 7 + k) % len(WORDS)] for k in range(4 + n % 9))
    if n % 7 == 0:
        return (f"ข้อเสนอ {n}: " + LONG * 3)[:490]
    return f"ข้อเสนอ {n}: แก้ปัญหา{words}"


def ballot_of(method: str, ids: list[int], voter: int) -> Any:
    """A valid ballot that differs from voter to voter, so the results are spread out."""
    start = (voter * voter) % len(ids)  # 0, 1, 4, 9, 4, 1, 0, …: some options lead
    turn = ids[start:] + ids[:start]
    if method == "dot":
        return {str(turn[0]): 3, str(turn[1]): 2}
    if method == "approval":
        return turn[: 2 + voter % 4]
    if method == "score":
        return {str(i): (voter + k) % 6 for k, i in enumerate(turn)}
    if method == "ranking":
        return turn[: 3 + voter % 5]
    return {str(turn[0]): 50, str(turn[1]): 30, str(turn[2]): 20}


@dataclass
class Hall:
    """The assembly, its facilitator and phones as plain HTTP clients."""

    server: Server
    facilitator: httpx.Client = field(init=False)
    phones: list[httpx.Client] = field(default_factory=list)
    id: int = 0
    code: str = ""
    steps: dict[str, int] = field(default_factory=dict)
    issue_ids: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        organizer = self.login("org")
        created = ok(
            organizer.post(
                "/api/v1/assemblies/",
                json={"name": "สมัชชาคุณธรรมจังหวัดนครศรีธรรมราช ครั้งที่ 3", "province": "นครศรีธรรมราช"},
            ),
            201,
        )
        self.id = int(created["assembly"]["id"])
        self.code = str(created["assembly"]["join_code"])
        self.steps = {s["kind"]: s["id"] for s in created["steps"]}
        ok(organizer.post(self.path("/facilitators"), json={"username": "fac"}), 201)
        organizer.close()
        self.facilitator = self.login("fac")
        for network in NETWORKS:
            for _ in range(PHONES_PER_NETWORK):
                phone = httpx.Client(base_url=self.server.url)
                ok(phone.post("/api/v1/join", json={"code": self.code, "network": network}))
                self.phones.append(phone)

    def login(self, username: str) -> httpx.Client:
        client = httpx.Client(base_url=self.server.url, timeout=30)
        ok(
            client.post(
                "/api/v1/login", json={"username": username, "password": self.server.password}
            )
        )
        return client

    def path(self, tail: str) -> str:
        return f"/api/v1/assemblies/{self.id}{tail}"

    def open(self, kind: str, minutes: int | None = None) -> None:
        body = {"minutes": minutes} if minutes else {}
        ok(self.facilitator.post(self.path(f"/steps/{self.steps[kind]}/open"), json=body))

    def collect(self) -> list[int]:
        self.open("collect", minutes=25)
        ids = []
        for n in range(PROPOSALS):
            phone = self.phones[n % len(self.phones)]
            ids.append(
                ok(phone.post(self.path("/proposals"), json={"text": text_of(n)}), 201)["id"]
            )
        return ids

    def curate(self, proposal_ids: list[int]) -> None:
        """Thirty issues with long titles, each of a few proposals; the rest stay unsorted."""
        self.open("review")
        for n in range(ISSUES):
            first, *others = proposal_ids[n * 5 : n * 5 + 5]
            state = ok(
                self.facilitator.post(
                    self.path(f"/proposals/{first}/group"), json={"group_id": "new"}
                )
            )
            group = next(g for g in state["groups"] if first in g["members"])
            for other in others:
                ok(
                    self.facilitator.post(
                        self.path(f"/proposals/{other}/group"), json={"group_id": group["id"]}
                    )
                )
            groups = ok(self.facilitator.get(self.path("/groups")))["groups"]
            group = next(g for g in groups if g["id"] == group["id"])
            ok(
                self.facilitator.patch(
                    self.path(f"/groups/{group['id']}"),
                    json={
                        "version": group["version"],
                        "title": ISSUE_TITLE.format(n=n + 1),
                        "is_issue": True,
                    },
                )
            )
            self.issue_ids.append(group["id"])

    def vote(self, method: str, *, subject: str = "options", reveal: bool = True) -> int:
        """A vote of 12 options (or on the issues) that every phone answers, closed, revealed."""
        body: dict[str, Any] = {"method": method, "params": PARAMS[method]}
        if subject == "issues":
            body["subject"] = "issues"
        else:
            body["options"] = [OPTION_LABEL.format(n=n + 1, word=WORDS[n]) for n in range(OPTIONS)]
        vote = ok(self.facilitator.post(self.path("/votes"), json=body), 201)
        ok(self.facilitator.post(self.path(f"/votes/{vote['id']}/open")))
        ids = [o["id"] for o in vote["options"]]
        for voter, phone in enumerate(self.phones):
            ok(
                phone.post(
                    self.path(f"/votes/{vote['id']}/ballot"),
                    json={"ballot": ballot_of(method, ids, voter), "client_seq": 1},
                )
            )
        if reveal:
            ok(self.facilitator.post(self.path(f"/votes/{vote['id']}/close")))
            ok(self.facilitator.post(self.path(f"/votes/{vote['id']}/reveal")))
        return int(vote["id"])

    def draft(self) -> list[dict[str, Any]]:
        self.open("draft")
        items: list[dict[str, Any]] = ok(
            self.facilitator.post(self.path("/agenda/items"), json={"issue_ids": self.issue_ids}),
            201,
        )
        for item in items[:8]:
            ok(
                self.facilitator.patch(
                    self.path(f"/agenda/items/{item['id']}"),
                    json={
                        "version": item["version"],
                        "goal": LONG * 2,
                        "virtues": ["พอเพียง", "วินัย", "สุจริต", "จิตอาสา"],
                    },
                )
            )
        return items

    def adopt(self, items: list[dict[str, Any]]) -> None:
        self.open("adopt")
        for n, item in enumerate(items[:10]):
            for k, phone in enumerate(self.phones[:6]):
                answer = ("agree", "can_live_with", "object")[(n + k) % 3]
                reason = "งบประมาณไม่พอ" if answer == "object" else ""
                ok(
                    phone.post(
                        self.path(f"/agenda/items/{item['id']}/consent"),
                        json={"answer": answer, "reason": reason},
                    )
                )
        consent = ok(self.facilitator.get(self.path("/agenda/")))["consent"]
        for item in items[:3]:
            for objection in consent[str(item["id"])]["objections"]:  # the rule: handled first
                ok(
                    self.facilitator.post(
                        self.path(f"/agenda/objections/{objection['id']}"),
                        json={"handling": "answered", "note": "จะหางบสมทบ"},
                    )
                )
            ok(self.facilitator.post(self.path(f"/agenda/items/{item['id']}/adopt"), json={}))

    def close(self) -> None:
        for client in (self.facilitator, *self.phones):
            client.close()


@pytest.fixture(scope="module")
def hall(server: Server) -> Iterator[Hall]:
    made = Hall(server)
    yield made
    made.close()


def staff_page(browser: Any, server: Server, viewport: dict[str, int]) -> Any:
    page = browser.new_context(viewport=viewport, locale="th-TH").new_page()
    page.goto(f"{server.url}/login")
    page.fill("#username", "fac")
    page.fill("#password", server.password)
    page.click("button[type=submit]")
    expect(page).to_have_url(re.compile(r"/organize$"))
    return page


@pytest.fixture(scope="module")
def presenter(browser: Any, server: Server, hall: Hall) -> Iterator[Any]:
    page = staff_page(browser, server, PRESENTER)
    yield page
    page.context.close()


@pytest.fixture(scope="module")
def console(browser: Any, server: Server, hall: Hall) -> Iterator[Any]:
    page = staff_page(browser, server, CONSOLE)
    yield page
    page.context.close()


def size(page: Any) -> dict[str, int]:
    return dict(
        page.evaluate(
            """() => ({
              height: document.documentElement.scrollHeight,
              width: document.documentElement.scrollWidth,
              bodyHeight: document.body.scrollHeight,
            })"""
        )
    )


def assert_fits(page: Any, shot: Path) -> None:
    """The whole screen is on the projector: nothing below 1080 px or right of 1920 px."""
    page.screenshot(path=shot)
    measured = size(page)
    assert measured["height"] <= PRESENTER["height"], (shot.name, measured)
    assert measured["bodyHeight"] <= PRESENTER["height"], (shot.name, measured)
    assert measured["width"] <= PRESENTER["width"], (shot.name, measured)


def load(page: Any, server: Server, hall: Hall) -> None:
    page.goto(f"{server.url}/present/{hall.id}")
    expect(page.locator("[data-region=connection]")).to_have_attribute("data-state", "online")


def switch(console: Any, server: Server, hall: Hall, label: str) -> None:
    """The facilitator clicks the console's switch for the projector."""
    if f"/console/{hall.id}" not in console.url:
        console.goto(f"{server.url}/console/{hall.id}")
    button = console.locator("[data-region=presenter-switch]").get_by_role("button", name=label)
    button.click()
    expect(button).to_have_attribute("aria-pressed", "true", timeout=LIVE)


def screen(page: Any, name: str) -> Any:
    return page.locator(f"[data-screen={name}]:visible")


def test_every_step_of_a_big_assembly_fits_the_projector(
    presenter: Any, console: Any, server: Server, hall: Hall, screenshot_dir: Path, audit: Audit
) -> None:
    proposal_ids = hall.collect()
    load(presenter, server, hall)
    expect(presenter.locator("[data-field=wall-count]")).to_have_text(str(PROPOSALS))
    expect(presenter.locator("[data-region=wall] .proposal")).to_have_count(6)
    timer = presenter.locator(".step-header [data-field=timer]")
    expect(timer).to_have_text(re.compile(r"2[45]:\d\d"))
    assert float(timer.evaluate("(el) => parseFloat(getComputedStyle(el).fontSize)")) >= 52
    qr = presenter.locator("[data-region=qr] svg")
    assert (qr.bounding_box() or {}).get("width", 0) >= 300
    assert_fits(presenter, screenshot_dir / "presenter-fit-collect.png")
    audit(presenter, "presenter, collect with 200 proposals")

    hall.curate(proposal_ids)
    load(presenter, server, hall)
    wall = presenter.locator("[data-region=rv-wall] > li")
    assert wall.count() >= ISSUES
    assert 1 <= presenter.locator("[data-region=rv-wall] > li:visible").count() <= 9
    expect(presenter.locator(".rv-screen [data-page-label]")).to_have_text(
        re.compile(rf"หน้า \d/{-(-wall.count() // 9)}")
    )
    assert_fits(presenter, screenshot_dir / "presenter-fit-review.png")

    hall.open("vote")
    open_vote = hall.vote("ranking", reveal=False)
    load(presenter, server, hall)
    expect(presenter.locator("[data-field=vote-voted]")).to_have_text(str(len(hall.phones)))
    assert_fits(presenter, screenshot_dir / "presenter-fit-vote-open.png")
    ok(hall.facilitator.post(hall.path(f"/votes/{open_vote}/close")))

    for method in PARAMS:
        hall.vote(method)
        load(presenter, server, hall)
        step = screen(presenter, "step")
        expect(step.locator(".top-list > li")).to_have_count(5)
        expect(step.locator(".rest-list > li:visible")).to_have_count(OPTIONS - 5)
        assert_fits(presenter, screenshot_dir / f"presenter-fit-vote-{method}.png")
        if method == "ranking":  # the one with the most on screen
            audit(presenter, f"presenter, revealed {method} vote of 12 options")
        explained = step.locator("[data-explain]")
        expect(explained).to_have_count(2 if method == "ranking" else 0)
        for name, label in (("networks", "รายเครือข่าย"), ("consensus", "ฉันทามติ")):
            switch(console, server, hall, label)
            expect(screen(presenter, name)).to_have_count(1, timeout=LIVE)
            expect(screen(presenter, "step")).to_have_count(0)
            assert_fits(presenter, screenshot_dir / f"presenter-fit-vote-{method}-{name}.png")
        expect(screen(presenter, "consensus").locator("[data-explain=consensus]")).to_be_visible()
        expect(screen(presenter, "consensus").locator(".legend li")).to_have_count(len(NETWORKS))
        switch(console, server, hall, "ขั้นตอนนี้")
        expect(screen(presenter, "step")).to_have_count(1, timeout=LIVE)

    hall.vote("ranking", subject="issues")
    load(presenter, server, hall)
    expect(screen(presenter, "step").locator(".rest-list > li")).to_have_count(ISSUES - 5)
    label = screen(presenter, "step").locator("[data-page-label]")
    expect(label).to_have_text("หน้า 1/4")
    assert_fits(presenter, screenshot_dir / "presenter-fit-vote-issues.png")
    # the rest of the issues rotate: the next page shows on its own, and fits too
    expect(label).to_have_text("หน้า 2/4", timeout=ROTATE_MS + 2_000)
    assert_fits(presenter, screenshot_dir / "presenter-fit-vote-issues-page2.png")

    items = hall.draft()
    load(presenter, server, hall)
    expect(presenter.locator("[data-region=agenda-draft] .present-items > li")).to_have_count(
        ISSUES
    )
    expect(
        presenter.locator("[data-region=agenda-draft] .present-items > li:visible")
    ).to_have_count(6)
    assert_fits(presenter, screenshot_dir / "presenter-fit-draft.png")
    audit(presenter, "presenter, draft with 30 agenda items")

    hall.adopt(items)
    load(presenter, server, hall)
    expect(
        presenter.locator("[data-region=agenda-adopt] .present-items > li:visible")
    ).to_have_count(6)
    assert_fits(presenter, screenshot_dir / "presenter-fit-adopt.png")
    for name, label in (("networks", "รายเครือข่าย"), ("consensus", "ฉันทามติ")):
        switch(console, server, hall, label)
        expect(screen(presenter, name)).to_have_count(1, timeout=LIVE)
        assert_fits(presenter, screenshot_dir / f"presenter-fit-adopt-{name}.png")
    switch(console, server, hall, "ขั้นตอนนี้")


def test_the_console_switches_the_presenter_screen_and_hides_the_qr_code(
    presenter: Any, console: Any, server: Server, hall: Hall, screenshot_dir: Path
) -> None:
    hall.open("vote")
    hall.vote("approval")
    load(presenter, server, hall)
    console.goto(f"{server.url}/console/{hall.id}")
    expect(screen(presenter, "step").locator(".top-list")).to_be_visible()

    switch(console, server, hall, "รายเครือข่าย")
    console.locator("[data-region=presenter-switch]").screenshot(
        path=screenshot_dir / "console-presenter-switch-1366.png"
    )
    cards = screen(presenter, "networks").locator(".net-cards > li")
    expect(cards).to_have_count(len(NETWORKS), timeout=LIVE)
    expect(cards.first.locator(".favourites li")).to_have_count(3)
    expect(presenter.locator(".top-list")).to_be_hidden()

    switch(console, server, hall, "ฉันทามติ")
    expect(screen(presenter, "consensus").locator(".consensus-list")).to_be_visible(timeout=LIVE)
    expect(cards.first).to_be_hidden()
    presenter.reload()  # the snapshot keeps the choice
    expect(screen(presenter, "consensus").locator(".consensus-list")).to_be_visible()

    qr = presenter.locator("[data-region=qr]")
    expect(qr).to_be_visible()
    console.locator("[data-region=presenter-switch]").get_by_role(
        "button", name="ซ่อนคิวอาร์โค้ด"
    ).click()
    expect(qr).to_be_hidden(timeout=LIVE)
    presenter.screenshot(path=screenshot_dir / "presenter-switched-consensus-no-qr.png")
    console.locator("[data-region=presenter-switch]").get_by_role(
        "button", name="แสดงคิวอาร์โค้ด"
    ).click()
    expect(qr).to_be_visible(timeout=LIVE)

    switch(console, server, hall, "ขั้นตอนนี้")
    expect(screen(presenter, "step").locator(".top-list")).to_be_visible(timeout=LIVE)
