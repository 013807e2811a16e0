"""Paper cards in real Chromium (issue 20): the organizer grants a table assistant and prints the
cards; the assistant, on a 360-px phone, enters ten paper participants' proposal cards and their
ballot cards in two votes (approval, then score) while phones vote; a card entered twice is
refused, a correction is audited, and each vote's results equal a recount of its export with
the paper ballots in it, marked as paper."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest
from playwright.sync_api import expect

from voting.export import recount

if TYPE_CHECKING:
    from conftest import Audit, Server

PAPER_PEOPLE = 10
NETWORKS = ["religion", "civil_society", "education", "government", "business"]
OPTIONS = ["พอเพียง", "วินัย", "สุจริต", "จิตอาสา"]
ASSISTANT, ASSISTANT_PASSWORD = "ผู้ช่วยโต๊ะหนึ่ง", "รหัสผ่านผู้ช่วย123"
MM = 96 / 25.4  # CSS pixels per millimetre


@pytest.fixture
def org(server: Server) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=30) as client:
        client.post(
            "/api/v1/login", json={"username": "org", "password": server.password}
        ).raise_for_status()
        yield client


def logged_in(browser: Any, server: Server, username: str, password: str, **context: Any) -> Any:
    page = browser.new_context(locale="th-TH", **context).new_page()
    page.goto(f"{server.url}/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("button[type=submit]")
    expect(page).to_have_url(re.compile(r"/organize$"))
    return page


def phones(server: Server, code: str, count: int) -> list[httpx.Client]:
    made = []
    for i in range(count):
        client = httpx.Client(base_url=server.url, timeout=30)
        client.post(
            "/api/v1/join", json={"code": code, "network": NETWORKS[i % len(NETWORKS)]}
        ).raise_for_status()
        made.append(client)
    return made


def open_card(page: Any, number: int) -> None:
    page.fill("#card", str(number))
    page.get_by_role("button", name="เปิดบัตร").click()
    expect(page.locator("[data-paper-entry]")).to_have_attribute("data-card", str(number))


def save(page: Any, number: int) -> None:
    page.get_by_role("button", name="บันทึกบัตรนี้").click()
    expect(page.locator('[data-field="entered"]')).to_contain_text(f"บันทึกบัตร #{number} แล้ว")


def print_cards(page: Any, server: Server, aid: int, kind: str, count: int, vote: int = 0) -> None:
    page.goto(f"{server.url}/organize/{aid}#assistants")
    page.select_option("#paper-kind", kind)
    if vote:
        page.select_option("#paper-vote", str(vote))
    page.fill("#paper-count", str(count))
    page.get_by_role("button", name="ออกเลขและพิมพ์บัตร").click()
    expect(page).to_have_url(re.compile(rf"/organize/{aid}/paper/cards\?kind={kind}"))
    expect(page.locator(".paper-card")).to_have_count(count)


def card_size_and_shot(page: Any, path: Path) -> None:
    """The card is A6 (a quarter of A4) and its QR large enough to scan from a hand."""
    page.emulate_media(media="print")
    card = page.locator(".paper-card").first
    box = card.bounding_box()
    assert box is not None
    assert (round(box["width"] / MM), round(box["height"] / MM)) == (105, 148)
    qr = card.locator(".paper-qr svg").bounding_box()
    assert qr is not None
    assert qr["width"] / MM > 20
    sheet = page.locator(".sheet").first
    sheet.screenshot(path=str(path))
    page.emulate_media(media="screen")


def create_vote(
    org: httpx.Client, aid: int, method: str, params: dict[str, int]
) -> tuple[int, dict[str, str]]:
    vote = org.post(
        f"/api/v1/assemblies/{aid}/votes/",
        json={"method": method, "params": params, "options": OPTIONS},
    )
    vote.raise_for_status()
    return vote.json()["id"], {o["label"]: str(o["id"]) for o in vote.json()["options"]}


def recounted(org: httpx.Client, aid: int, vote: int) -> dict[str, Any]:
    document = org.get(f"/a/{aid}/votes/{vote}/export/vote.json").json()
    assert recount(document) == document["results"]
    live = org.get(f"/api/v1/assemblies/{aid}/votes/{vote}/results").json()["results"]
    assert live == document["results"]
    return document


def test_an_assistant_enters_ten_paper_participants_while_phones_vote(
    browser: Any, server: Server, org: httpx.Client, audit: Audit, screenshot_dir: Path
) -> None:
    created = org.post(
        "/api/v1/assemblies/", json={"name": "สมัชชาคุณธรรมจังหวัดน่าน", "province": "น่าน"}
    )
    created.raise_for_status()
    aid, code = created.json()["assembly"]["id"], created.json()["assembly"]["join_code"]
    steps = {s["kind"]: s["id"] for s in created.json()["steps"]}
    api = f"/api/v1/assemblies/{aid}"

    # The organizer grants a table assistant and prints ten proposal cards.
    organizer = logged_in(
        browser, server, "org", server.password, viewport={"width": 1000, "height": 1300}
    )
    organizer.goto(f"{server.url}/organize/{aid}#assistants")
    organizer.fill("#new-asst-username", ASSISTANT)
    organizer.fill("#new-asst-name", "คุณสมศรี โต๊ะหนึ่ง")
    organizer.fill("#new-asst-password", ASSISTANT_PASSWORD)
    organizer.locator("#assistants").get_by_role("button", name="สร้างบัญชี").click()
    expect(organizer.locator("#assistants")).to_contain_text(ASSISTANT)
    print_cards(organizer, server, aid, "proposal", PAPER_PEOPLE)
    card_size_and_shot(organizer, screenshot_dir / "paper-proposal-cards-a4.png")
    proposal_cards = list(range(1, PAPER_PEOPLE + 1))

    # Collect: the assistant types each proposal card for a new paper participant.
    org.post(f"{api}/steps/{steps['collect']}/open", json={}).raise_for_status()
    assistant = logged_in(
        browser,
        server,
        ASSISTANT,
        ASSISTANT_PASSWORD,
        viewport={"width": 360, "height": 740},
        is_mobile=True,
        has_touch=True,
    )
    assistant.get_by_role("link", name="บันทึกบัตรกระดาษ").click()
    expect(assistant.get_by_role("heading", name="บัตรกระดาษ")).to_be_visible()
    for i, number in enumerate(proposal_cards):
        open_card(assistant, number)
        assistant.locator(f"input[name=network][value={NETWORKS[i % len(NETWORKS)]}]").check()
        assistant.fill("#display_name", f"ผู้แทนหมู่บ้าน {i + 1}")
        assistant.fill("#proposal1", f"ข้อเสนอจากบัตรกระดาษใบที่ {i + 1} เรื่องความซื่อสัตย์ในชุมชน")
        if i == 0:
            audit(assistant, "paper proposal card, 360 px")
            assistant.screenshot(path=str(screenshot_dir / "paper-entry-360.png"), full_page=True)
        save(assistant, number)
    proposals = org.get(f"{api}/snapshot").json()
    assert sum(n["joined"] for n in proposals["networks"]) == PAPER_PEOPLE

    # Vote 1 (approval): phones vote while the assistant enters the ballot cards.
    org.post(f"{api}/steps/{steps['vote']}/open", json={}).raise_for_status()
    hall = phones(server, code, 4)
    expected: dict[str, int] = dict.fromkeys(OPTIONS, 0)
    vote1, ids1 = create_vote(org, aid, "approval", {})
    org.post(f"{api}/votes/{vote1}/open").raise_for_status()
    print_cards(organizer, server, aid, "ballot", PAPER_PEOPLE, vote=vote1)
    card_size_and_shot(organizer, screenshot_dir / "paper-ballot-cards-a4.png")
    vote_step = next(s for s in created.json()["steps"] if s["id"] == steps["vote"])
    expect(organizer.locator("[data-field=vote-title]").first).to_have_text(vote_step["title"])
    ballot_cards = list(range(PAPER_PEOPLE + 1, 2 * PAPER_PEOPLE + 1))
    for i, number in enumerate(ballot_cards):
        if i < len(hall):
            chosen = [OPTIONS[i % 4], OPTIONS[(i + 1) % 4]]
            hall[i].post(
                f"{api}/votes/{vote1}/ballot",
                json={"ballot": [ids1[o] for o in chosen], "client_seq": 1},
            ).raise_for_status()
            for o in chosen:
                expected[o] += 1
        open_card(assistant, number)
        assistant.fill("#same_as", str(proposal_cards[i]))
        choice = OPTIONS[i % 3]
        assistant.locator(".vote-option", has_text=choice).locator("input").check()
        expected[choice] += 1
        save(assistant, number)

    # The same card entered again (a second tab still showing it blank) is refused in Thai.
    blank = assistant.context.new_page()
    blank.goto(f"{server.url}/a/{aid}/paper?card={ballot_cards[0]}")
    expect(blank.locator('[data-field="already"]')).to_be_visible()  # an entered card says so
    print_cards(organizer, server, aid, "ballot", 1, vote=vote1)
    late_card = 2 * PAPER_PEOPLE + 1
    first_tab = assistant.context.new_page()
    first_tab.goto(f"{server.url}/a/{aid}/paper?card={late_card}")
    blank.goto(f"{server.url}/a/{aid}/paper?card={late_card}")
    for tab in (first_tab, blank):
        tab.locator("input[name=network][value=media]").check()
        tab.locator(".vote-option", has_text=OPTIONS[3]).locator("input").check()
    save(first_tab, late_card)
    expected[OPTIONS[3]] += 1
    blank.get_by_role("button", name="บันทึกบัตรนี้").click()
    expect(blank.locator('[data-field="entry-error"]')).to_have_text(
        f"บัตร #{late_card} ถูกบันทึกไปแล้ว หากต้องการเปลี่ยน ให้ใช้การแก้ไข"
    )

    # A correction: the card shows what it holds, the assistant fixes it, the change is audited.
    open_card(assistant, ballot_cards[1])
    fixed = assistant.locator(".vote-option", has_text=OPTIONS[1])
    expect(fixed.locator("input")).to_be_checked()
    fixed.locator("input").uncheck()
    assistant.locator(".vote-option", has_text=OPTIONS[2]).locator("input").check()
    expected[OPTIONS[1]] -= 1
    expected[OPTIONS[2]] += 1
    assistant.get_by_role("button", name="บันทึกการแก้ไข").click()
    expect(assistant.locator('[data-field="entered"]')).to_be_visible()
    history = org.get(f"{api}/paper/cards/{ballot_cards[1]}/history").json()["changes"]
    assert [(c["change"], c["by"]) for c in history] == [
        ("entered", ASSISTANT),
        ("corrected", ASSISTANT),
    ]

    # The console counts what is on paper; the facilitator types how many cards came back.
    organizer.goto(f"{server.url}/console/{aid}#vote")
    status = organizer.locator('[data-region="paper-status"]')
    expect(status).to_contain_text(
        f"บันทึกบัตรลงคะแนนกระดาษแล้ว {PAPER_PEOPLE + 1} จากที่พิมพ์ {PAPER_PEOPLE + 1} ใบ"
    )
    expect(status.locator(f'[data-assistant="{ASSISTANT}"]')).to_contain_text("กำลังบันทึก")
    expect(organizer.locator('[data-field="paper-count"]')).to_have_text(str(PAPER_PEOPLE + 1))
    status.locator("[data-handed-in]").fill(str(PAPER_PEOPLE + 3))
    expect(status.locator('[data-field="not-entered"]')).to_have_text("บัตรกระดาษยังไม่ได้บันทึก 2 ใบ")
    organizer.screenshot(path=str(screenshot_dir / "paper-console.png"))

    # The vote closes once the assistant says the stack is entered.
    refused = org.post(f"{api}/votes/{vote1}/close")
    assert refused.json()["error"] == "paper_stacks_pending"
    open_card(assistant, ballot_cards[0])
    assistant.get_by_role("button", name="บัตรลงคะแนนในชุดของฉันบันทึกครบแล้ว").click()
    org.post(f"{api}/votes/{vote1}/close").raise_for_status()
    document = recounted(org, aid, vote1)
    results = document["results"]
    assert results["ballots"] == len(hall) + PAPER_PEOPLE + 1
    assert results["paper_ballots"] == PAPER_PEOPLE + 1
    assert {line["label"]: line["value"] for line in results["ranking"]} == expected
    paper = [b for b in document["ballots"] if b["source"] == "paper"]
    assert sorted(b["card"] for b in paper) == [*ballot_cards, late_card]
    assert {b["entered_by"] for b in paper} == {ASSISTANT}
    assert [b["card"] for b in paper if b["corrected_by"]] == [ballot_cards[1]]

    # Vote 2 (score 0-5), the same ten people on their second ballot cards.
    vote2, ids2 = create_vote(org, aid, "score", {})
    org.post(f"{api}/votes/{vote2}/open").raise_for_status()
    print_cards(organizer, server, aid, "ballot", PAPER_PEOPLE, vote=vote2)
    card_size_and_shot(organizer, screenshot_dir / "paper-ballot-cards-score-a4.png")
    first_score = 2 * PAPER_PEOPLE + 2
    score_total: dict[str, int] = dict.fromkeys(OPTIONS, 0)
    for i in range(PAPER_PEOPLE):
        if i < len(hall):
            given = {OPTIONS[0]: 5, OPTIONS[2]: i}
            hall[i].post(
                f"{api}/votes/{vote2}/ballot",
                json={"ballot": {ids2[o]: s for o, s in given.items()}, "client_seq": 2},
            ).raise_for_status()
            for o, s in given.items():
                score_total[o] += s
        number = first_score + i
        open_card(assistant, number)
        assistant.fill("#same_as", str(proposal_cards[i]))
        scores = {OPTIONS[1]: 4, OPTIONS[3]: i % 6}
        for option, score in scores.items():
            assistant.locator(".vote-option", has_text=option).locator("input").fill(str(score))
            score_total[option] += score
        save(assistant, number)
    document = recounted(org, aid, vote2)
    results = document["results"]
    assert results["ballots"] == len(hall) + PAPER_PEOPLE
    assert sum(results["paper"].values()) == PAPER_PEOPLE
    assert {line["label"]: line["value"] for line in results["ranking"]} == score_total
    turnout = org.get(f"{api}/snapshot").json()["vote"]["turnout"]
    assert (turnout["voted"], turnout["paper"], turnout["joined"]) == (14, 10, 15)
    for client in hall:
        client.close()


def test_a_card_entered_offline_waits_on_the_device_and_is_counted_once(
    browser: Any, server: Server, org: httpx.Client
) -> None:
    created = org.post(
        "/api/v1/assemblies/", json={"name": "สมัชชาคุณธรรมจังหวัดแพร่", "province": "แพร่"}
    )
    created.raise_for_status()
    aid = created.json()["assembly"]["id"]
    steps = {s["kind"]: s["id"] for s in created.json()["steps"]}
    api = f"/api/v1/assemblies/{aid}"
    org.post(
        f"{api}/paper/assistants", json={"username": "ผู้ช่วยแพร่", "password": ASSISTANT_PASSWORD}
    ).raise_for_status()
    org.post(f"{api}/paper/cards", json={"kind": "proposal", "count": 1}).raise_for_status()
    org.post(f"{api}/steps/{steps['collect']}/open", json={}).raise_for_status()
    page = logged_in(
        browser, server, "ผู้ช่วยแพร่", ASSISTANT_PASSWORD, viewport={"width": 360, "height": 740}
    )
    page.goto(f"{server.url}/a/{aid}/paper")
    open_card(page, 1)
    page.locator("input[name=network][value=religion]").check()
    page.fill("#proposal1", "ศีลห้าในหมู่บ้าน")
    page.context.set_offline(True)
    page.get_by_role("button", name="บันทึกบัตรนี้").click()
    expect(page.locator('[data-field="outbox"]')).to_contain_text("บัตรรอส่ง 1 ใบ")
    assert org.get(f"{api}/paper/cards/1/history").json()["changes"] == []
    page.context.set_offline(False)  # the browser fires "online": the outbox sends it
    expect(page.locator('[data-field="entered"]')).to_contain_text("บันทึกบัตร #1 แล้ว")
    expect(page.locator('[data-field="outbox"]')).to_be_hidden()
    history = org.get(f"{api}/paper/cards/1/history").json()["changes"]
    assert [c["change"] for c in history] == ["entered"]
    proposals = org.get(f"{api}/snapshot").json()["proposals"]
    assert [p["text"] for p in proposals] == ["ศีลห้าในหมู่บ้าน"]
