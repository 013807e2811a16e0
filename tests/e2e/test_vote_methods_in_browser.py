"""Approval, score, ranking and budget ballots filled by thumb on a 360 px Thai phone in real
Chromium, checked against what the server stored; and ballots that must be refused."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest
from playwright.sync_api import expect

if TYPE_CHECKING:
    from conftest import Audit, Server

LIVE = 8_000  # ms: phones refetch their vote section at a random moment within 2 s
OPTIONS = ["พอเพียง", "วินัย", "สุจริต", "จิตอาสา"]
PARAMS: dict[str, dict[str, int | None]] = {
    "approval": {"max_approvals": 3},
    "score": {},  # defaults, as the console sends: 0-5
    "ranking": {},  # min_ranked 3
    "budget": {},  # total 100
}
THAI = re.compile(r"[\u0e00-\u0e7f]")


@pytest.fixture
def org(server: Server) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url) as client:
        client.post(
            "/api/v1/login", json={"username": "org", "password": server.password}
        ).raise_for_status()
        yield client


def open_vote(org: httpx.Client, method: str) -> tuple[int, str, dict[str, str]]:
    """An assembly whose vote step is open with an open `method` vote."""
    created = org.post(
        "/api/v1/assemblies/", json={"name": "สมัชชาคุณธรรมจังหวัดน่าน", "province": "น่าน"}
    )
    created.raise_for_status()
    aid, code = created.json()["assembly"]["id"], created.json()["assembly"]["join_code"]
    steps = {s["kind"]: s["id"] for s in created.json()["steps"]}
    org.post(f"/api/v1/assemblies/{aid}/steps/{steps['vote']}/open", json={}).raise_for_status()
    vote = org.post(
        f"/api/v1/assemblies/{aid}/votes/",
        json={"method": method, "params": PARAMS[method], "options": OPTIONS},
    )
    vote.raise_for_status()
    vid = vote.json()["id"]
    org.post(f"/api/v1/assemblies/{aid}/votes/{vid}/open").raise_for_status()
    ids = {o["label"]: str(o["id"]) for o in vote.json()["options"]}
    return aid, code, ids | {"vote": str(vid)}


def phone(browser: Any, server: Server, code: str, *, javascript: bool = True) -> Any:
    context = browser.new_context(
        viewport={"width": 360, "height": 740},
        locale="th-TH",
        is_mobile=True,
        has_touch=True,
        java_script_enabled=javascript,
    )
    page = context.new_page()
    page.goto(f"{server.url}/j/{code}")
    page.click("button[name=network][value=education]")
    if javascript:
        expect(page.locator("[data-region=connection]")).to_have_attribute("data-state", "online")
    return page


def row(page: Any, label: str) -> Any:
    return page.locator(".vote-option", has_text=label)


def fill_approval(page: Any) -> None:
    for label in ("วินัย", "จิตอาสา", "สุจริต"):
        row(page, label).locator("label").tap()
    row(page, "สุจริต").locator("label").tap()  # changed my mind
    expect(row(page, "วินัย").locator("input")).to_be_checked()
    expect(row(page, "สุจริต").locator("input")).not_to_be_checked()
    expect(page.locator("[data-field=vote-summary]")).to_contain_text("2 / 3")


def star(page: Any, stars: int, label: str) -> Any:
    """A star button, found by the name a screen reader says: what a tap on it does."""
    return page.get_by_role("button", name=f"ให้ {stars} จาก 5 ดาว: {label}", exact=True)


def fill_score(page: Any) -> None:
    star(page, 4, "สุจริต").tap()
    star(page, 2, "พอเพียง").tap()
    star(page, 5, "วินัย").tap()
    star(page, 5, "วินัย").tap()  # tapped again: 0
    expect(star(page, 4, "สุจริต")).to_have_attribute("aria-pressed", "true")
    expect(star(page, 5, "สุจริต")).to_have_attribute("aria-pressed", "false")
    expect(row(page, "สุจริต").locator(".vote-star.on")).to_have_count(4)
    expect(row(page, "พอเพียง").locator(".vote-star.on")).to_have_count(2)
    expect(row(page, "วินัย").locator(".vote-star.on")).to_have_count(0)


def fill_ranking(page: Any) -> None:
    for label in ("จิตอาสา", "สุจริต", "พอเพียง"):
        page.get_by_role("button", name=f"จัดเป็นอันดับถัดไป: {label}").tap()
    expect(row(page, "พอเพียง").get_by_role("button")).to_have_accessible_name(
        re.compile(r"^อันดับ 3: พอเพียง")
    )
    row(page, "สุจริต").locator(".vote-rankbtn").tap()  # unrank: พอเพียง moves up to 2
    expect(page.locator("[data-field=vote-submit]")).to_be_disabled()  # 2 ranked, 3 needed
    row(page, "วินัย").locator(".vote-rankbtn").tap()
    for label, rank in (("จิตอาสา", "1"), ("พอเพียง", "2"), ("วินัย", "3"), ("สุจริต", "")):
        expect(row(page, label).locator(".vote-rankbtn")).to_have_attribute("data-rank", rank)


def fill_budget(page: Any) -> None:
    """Typed on the keyboard, as people do; each field keeps exactly its number."""
    summary = page.locator("[data-field=vote-summary]")
    expect(summary).to_have_text("เหลืออีก 100 คะแนน")
    for label, points, after in (
        ("วินัย", "70", "เหลืออีก 30 คะแนน"),
        ("จิตอาสา", "20", "เหลืออีก 10 คะแนน"),
        ("พอเพียง", "10", "ครบ 100 คะแนนแล้ว"),
    ):
        row(page, label).locator("input[type=number]").tap()
        page.keyboard.type(points)
        expect(summary).to_have_text(after)
    values = {
        label: row(page, label).locator("input[type=number]").input_value() for label in OPTIONS
    }
    assert values == {"พอเพียง": "10", "วินัย": "70", "สุจริต": "", "จิตอาสา": "20"}


FILL = {
    "approval": fill_approval,
    "score": fill_score,
    "ranking": fill_ranking,
    "budget": fill_budget,
}


def stored(org: httpx.Client, aid: int, ids: dict[str, str]) -> dict[str, Any]:
    results = org.get(f"/api/v1/assemblies/{aid}/votes/{ids['vote']}/results")
    results.raise_for_status()
    return {line["option_id"]: line for line in results.json()["results"]["ranking"]}


@pytest.mark.parametrize("method", ["approval", "score", "ranking", "budget"])
def test_a_thumb_fills_each_ballot_and_the_server_stores_it(
    browser: Any,
    server: Server,
    org: httpx.Client,
    screenshot_dir: Path,
    audit: Audit,
    method: str,
) -> None:
    aid, code, ids = open_vote(org, method)
    page = phone(browser, server, code)
    expect(page.locator(f"form[data-ballot][data-method={method}]")).to_be_visible(timeout=LIVE)
    FILL[method](page)
    audit(page, f"phone, {method} ballot")
    page.locator("[data-field=vote-submit]").tap()
    expect(page.locator("[data-field=vote-saved]")).to_have_text("✓ บันทึกแล้ว", timeout=LIVE)

    lines = stored(org, aid, ids)
    value = {label: lines[ids[label]]["value"] for label in OPTIONS}
    if method == "approval":
        assert value == {"พอเพียง": 0, "วินัย": 1, "สุจริต": 0, "จิตอาสา": 1}
    elif method == "score":
        assert value == {"พอเพียง": 2, "วินัย": 0, "สุจริต": 4, "จิตอาสา": 0}
        assert lines[ids["วินัย"]]["mentions"] == 1  # an explicit 0 is "scored"
    elif method == "ranking":
        assert value == {"จิตอาสา": 3, "พอเพียง": 2, "วินัย": 1, "สุจริต": 0}  # Borda, n = 4
        assert lines[ids["จิตอาสา"]]["schulze_rank"] == 1
    else:
        assert value == {"พอเพียง": 10, "วินัย": 70, "สุจริต": 0, "จิตอาสา": 20}

    org.post(f"/api/v1/assemblies/{aid}/votes/{ids['vote']}/reveal").raise_for_status()
    expect(page.locator("[data-region=vote-results]")).to_be_visible(timeout=LIVE)
    favourite = {"approval": "วินัย", "score": "สุจริต", "ranking": "จิตอาสา", "budget": "วินัย"}
    expect(page.locator("[data-list=ranking] li").first).to_contain_text(favourite[method])
    page.set_viewport_size({"width": 360, "height": 1400})
    page.screenshot(path=screenshot_dir / f"phone-vote-{method}-360.png", full_page=True)
    page.context.close()


def test_ballots_that_break_the_rules_are_refused_in_thai(
    browser: Any, server: Server, org: httpx.Client
) -> None:
    aid, code, ids = open_vote(org, "budget")
    page = phone(browser, server, code)
    form = page.locator("form[data-ballot][data-method=budget]")
    expect(form).to_be_visible(timeout=LIVE)
    expect(form).to_have_attribute("data-enhanced", "1")  # vote.js loads after the page
    # The page's own check: fields forced to 50 + 30 + 10 + 0 = 90 behind the form's back.
    page.evaluate(
        """() => {
            const inputs = document.querySelectorAll('.vote-option input[type=number]');
            [50, 30, 10, 0].forEach((v, k) => { inputs[k].value = String(v); });
            document.querySelector('form[data-ballot]').requestSubmit();
        }"""
    )
    expect(page.locator("#toast")).to_have_text("เหลืออีก 10 คะแนน")
    expect(page.locator("[data-field=vote-summary]")).to_have_class(re.compile(r"\bbad\b"))
    expect(page.locator("[data-field=vote-submit]")).to_be_disabled()
    expect(page.locator("[data-field=vote-saved]")).to_have_text("ยังไม่ได้ส่ง")
    # The server's check, with the page's check bypassed (its own cookie, a raw fetch).
    answer = page.evaluate(
        """async ([url, ballot]) => {
            const r = await fetch(url, {method: "POST", credentials: "same-origin",
              headers: {"Content-Type": "application/json"},
              body: JSON.stringify({ballot, client_seq: 1})});
            return {status: r.status, body: await r.json()};
        }""",
        [
            f"/api/v1/assemblies/{aid}/votes/{ids['vote']}/ballot",
            {ids["พอเพียง"]: 50, ids["วินัย"]: 30, ids["สุจริต"]: 10},
        ],
    )
    assert answer["status"] == 400, answer
    assert answer["body"]["error"] == "budget_wrong_total"
    assert THAI.search(answer["body"]["message"])
    assert "10" in answer["body"]["message"]
    results = org.get(f"/api/v1/assemblies/{aid}/votes/{ids['vote']}/results").json()
    assert results["results"]["ballots"] == 0
    page.context.close()

    # Without JavaScript, the plain form: two options ranked 1 → a Thai page, nothing stored.
    aid, code, ids = open_vote(org, "ranking")
    plain = phone(browser, server, code, javascript=False)
    for label, rank in (("พอเพียง", "1"), ("วินัย", "1"), ("สุจริต", "2")):
        row(plain, label).locator("select").select_option(rank)
    plain.locator("[data-field=vote-submit]").click()
    expect(plain.locator("body")).to_contain_text("มีตัวเลือกสองตัวได้อันดับเดียวกัน")
    assert stored(org, aid, ids)[ids["วินัย"]]["mentions"] == 0
    plain.context.close()
