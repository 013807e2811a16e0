"""A participant's phone at 360×740 in real Chromium, used the way people use it (issue 12):
numbers typed on the keyboard into a budget ballot, the dot ballot's − value +, no sideways
scrolling for any network in any step, text kept across a reload until sent, the similar-
proposal hint, blank and over-long proposals, issues opened in review, a mistyped join code
and a wrong network fixed.

The organizer's and facilitator's part (an assembly, its steps, a vote, issues) is set up
through their API, as the other phone tests do; everything the participant does is tapped and
typed, and what the screen shows is asserted. The API is only read back.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest
from playwright.sync_api import expect

from tests.e2e.test_agenda_in_browser import Api, ok, to_draft_step

if TYPE_CHECKING:
    from conftest import Audit, Server

LIVE = 8_000  # ms: phones refetch a section at a random moment within 2 s
PHONE = {"width": 360, "height": 740}
NETWORKS = ["government", "business", "civil_society", "education", "religion", "media"]
BUDGET_OPTIONS = ["ขยะล้นเมือง", "วินัยจราจร", "ทุจริตในหน่วยงาน", "ยาเสพติดในชุมชน"]


@pytest.fixture
def api(server: Server) -> Iterator[Api]:
    made = Api(server)
    yield made
    made.close()


def phone(browser: Any, server: Server, code: str, network: str) -> Any:
    context = browser.new_context(viewport=PHONE, locale="th-TH", is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(f"{server.url}/j/{code}")
    page.locator(f"button[name=network][value={network}]").tap()
    expect(page.locator("[data-region=connection]")).to_have_attribute("data-state", "online")
    return page


def open_vote(api: Api, method: str, options: list[str], params: dict[str, Any]) -> dict[str, Any]:
    api.open("vote")
    vote = ok(
        api.facilitator.post(
            api.path("/votes"), json={"method": method, "params": params, "options": options}
        ),
        201,
    )
    ok(api.facilitator.post(api.path(f"/votes/{vote['id']}/open")))
    return dict(vote)


def row(page: Any, label: str) -> Any:
    return page.locator(".vote-option", has_text=label)


def type_points(page: Any, label: str, points: str) -> None:
    """Tap the field, clear what is there with the keyboard, type the number."""
    field = row(page, label).locator("input[type=number]")
    field.tap()
    page.keyboard.press("Control+A")
    page.keyboard.press("Backspace")
    if points:
        page.keyboard.type(points)


def shown_points(page: Any) -> dict[str, str]:
    return {
        label: row(page, label).locator("input[type=number]").input_value()
        for label in BUDGET_OPTIONS
    }


def my_ballot(page: Any, api: Api) -> dict[str, int]:
    """The ballot the server stored for this phone, read through its own snapshot."""
    snapshot = page.request.get(f"{api.server.url}{api.path('/snapshot')}").json()
    mine = snapshot["vote"]["my_ballot"]
    return {} if mine is None else {str(k): int(v) for k, v in mine["ballot"].items()}


def no_sideways_scroll(page: Any) -> int:
    return int(page.evaluate("() => document.documentElement.scrollWidth"))


# ---------------------------------------------------------------- defect 1: the budget ballot


def test_a_budget_ballot_keeps_exactly_the_numbers_typed(
    browser: Any, server: Server, api: Api, screenshot_dir: Path
) -> None:
    vote = open_vote(api, "budget", BUDGET_OPTIONS, {"total": 100})
    ids = {o["label"]: str(o["id"]) for o in vote["options"]}
    page = phone(browser, server, api.code, "civil_society")
    form = page.locator("form[data-ballot][data-method=budget]")
    expect(form).to_have_attribute("data-enhanced", "1", timeout=LIVE)
    summary = page.locator("[data-field=vote-summary]")
    submit = page.locator("[data-field=vote-submit]")

    # Nothing chosen yet: 0 everywhere, not pre-split, and nothing to send.
    assert shown_points(page) == dict.fromkeys(BUDGET_OPTIONS, "")
    expect(summary).to_have_text("เหลืออีก 100 คะแนน")
    expect(submit).to_be_disabled()

    type_points(page, "ขยะล้นเมือง", "50")
    type_points(page, "วินัยจราจร", "30")
    expect(summary).to_have_text("เหลืออีก 20 คะแนน")
    expect(submit).to_be_disabled()
    type_points(page, "ทุจริตในหน่วยงาน", "20")
    expect(summary).to_have_text("ครบ 100 คะแนนแล้ว")
    assert shown_points(page) == {
        "ขยะล้นเมือง": "50",
        "วินัยจราจร": "30",
        "ทุจริตในหน่วยงาน": "20",
        "ยาเสพติดในชุมชน": "",
    }

    # A slider moves its own option only: the total goes over, the others stay as typed.
    slider = row(page, "ยาเสพติดในชุมชน").locator("input[type=range]")
    slider.scroll_into_view_if_needed()
    box = slider.bounding_box()
    assert box is not None
    page.touchscreen.tap(box["x"] + box["width"] * 0.3, box["y"] + box["height"] / 2)
    over = int(row(page, "ยาเสพติดในชุมชน").locator("input[type=number]").input_value())
    assert over > 0
    expect(summary).to_have_text(f"เกินมา {over} คะแนน")
    expect(submit).to_be_disabled()
    assert shown_points(page)["ขยะล้นเมือง"] == "50"
    assert shown_points(page)["วินัยจราจร"] == "30"
    assert shown_points(page)["ทุจริตในหน่วยงาน"] == "20"
    page.screenshot(path=screenshot_dir / "phone-budget-over-360.png", full_page=True)
    expect(page.locator("[data-field=vote-saved]")).to_have_text("ยังไม่ได้ส่ง")
    type_points(page, "ยาเสพติดในชุมชน", "")
    expect(summary).to_have_text("ครบ 100 คะแนนแล้ว")
    expect(submit).to_be_enabled()
    page.screenshot(path=screenshot_dir / "phone-budget-typed-360.png", full_page=True)
    submit.tap()
    expect(page.locator("[data-field=vote-saved]")).to_have_text("✓ บันทึกแล้ว", timeout=LIVE)
    assert my_ballot(page, api) == {
        ids["ขยะล้นเมือง"]: 50,
        ids["วินัยจราจร"]: 30,
        ids["ทุจริตในหน่วยงาน"]: 20,
    }

    page.reload()
    expect(form).to_have_attribute("data-enhanced", "1", timeout=LIVE)
    assert shown_points(page) == {
        "ขยะล้นเมือง": "50",
        "วินัยจราจร": "30",
        "ทุจริตในหน่วยงาน": "20",
        "ยาเสพติดในชุมชน": "",
    }
    expect(summary).to_have_text("ครบ 100 คะแนนแล้ว")

    # 50/50 with the others emptied: saved as typed, not 100/0.
    type_points(page, "วินัยจราจร", "50")
    expect(summary).to_have_text("เกินมา 20 คะแนน")
    type_points(page, "ทุจริตในหน่วยงาน", "0")
    expect(summary).to_have_text("ครบ 100 คะแนนแล้ว")
    submit.tap()
    expect(page.locator("[data-field=vote-saved]")).to_have_text("✓ บันทึกแล้ว", timeout=LIVE)
    assert my_ballot(page, api) == {ids["ขยะล้นเมือง"]: 50, ids["วินัยจราจร"]: 50}
    page.reload()
    expect(form).to_have_attribute("data-enhanced", "1", timeout=LIVE)
    assert shown_points(page) == {
        "ขยะล้นเมือง": "50",
        "วินัยจราจร": "50",
        "ทุจริตในหน่วยงาน": "",
        "ยาเสพติดในชุมชน": "",
    }

    # Under budget: blocked, the remainder said; the saved ballot stays what it was.
    type_points(page, "วินัยจราจร", "30")
    expect(summary).to_have_text("เหลืออีก 20 คะแนน")
    expect(submit).to_be_disabled()
    assert my_ballot(page, api) == {ids["ขยะล้นเมือง"]: 50, ids["วินัยจราจร"]: 50}
    page.context.close()


# ---------------------------------------------------------------- defect 7: the dot ballot


def test_the_dot_ballot_keeps_minus_value_plus_on_one_row_at_360(
    browser: Any, server: Server, api: Api, screenshot_dir: Path
) -> None:
    labels = ["ส่งเสริมร้านค้าความซื่อสัตย์ในโรงเรียน", "วินัยจราจร", "ขยะล้นเมือง"]
    open_vote(api, "dot", labels, {"dots": 5, "max_per_option": 3})
    page = phone(browser, server, api.code, "media")
    expect(page.locator("form[data-ballot][data-method=dot]")).to_have_attribute(
        "data-enhanced", "1", timeout=LIVE
    )
    for label in labels:
        buttons = row(page, label).locator(".vote-tap")
        minus, plus = buttons.nth(0), buttons.nth(1)
        value = row(page, label).locator("input[type=number]")
        boxes = [b.bounding_box() for b in (minus, value, plus)]
        assert all(b is not None for b in boxes)
        centres = [b["y"] + b["height"] / 2 for b in boxes if b]
        assert max(centres) - min(centres) < 4, (label, boxes)
        lefts = [b["x"] for b in boxes if b]
        assert lefts == sorted(lefts), (label, boxes)  # − then the value then +
        assert minus.text_content() == "−"
        assert plus.text_content() == "+"
    plus = row(page, labels[0]).locator(".vote-tap").nth(1)
    plus.tap()
    plus.tap()
    expect(row(page, labels[0]).locator("input[type=number]")).to_have_value("2")
    row(page, labels[0]).locator(".vote-tap").nth(0).tap()
    expect(row(page, labels[0]).locator("input[type=number]")).to_have_value("1")
    assert no_sideways_scroll(page) <= PHONE["width"]
    page.screenshot(path=screenshot_dir / "phone-dot-360.png", full_page=True)
    page.context.close()


# ---------------------------------------------------------------- defect 6: no sideways scroll


def test_no_network_makes_a_phone_scroll_sideways_in_any_step(
    browser: Any, server: Server, api: Api, screenshot_dir: Path
) -> None:
    phones = {network: phone(browser, server, api.code, network) for network in NETWORKS}
    civil = phones["civil_society"]
    badge = civil.locator(".bar [data-field=network]")
    expect(badge).to_have_text("ภาคประชาสังคม")
    expect(badge).to_have_attribute("title", "ภาคประชาสังคม ชุมชน ครอบครัว เด็กและเยาวชน")
    api.open("collect")
    for network, page in phones.items():
        expect(page.locator("[data-field=submit]")).to_be_enabled(timeout=LIVE)
        page.locator("#proposal-text").tap()
        page.keyboard.type(f"ข้อเสนอจาก{network} ให้ทุกหน่วยงานเปิดเผยข้อมูลงบประมาณ")
        page.locator("[data-field=submit]").tap()
        expect(page.locator("[data-region=mine] .proposal")).to_have_count(1, timeout=LIVE)
    expect(civil.locator("[data-region=others] .proposal")).to_have_count(5, timeout=LIVE)
    kinds = ["collect", "review", "vote", "draft", "adopt"]
    for kind in kinds:
        if kind != "collect":
            api.open(kind)
        if kind == "vote":
            open_vote(api, "dot", BUDGET_OPTIONS, {"dots": 3})
        for network, page in phones.items():
            expect(page.locator(f"[data-show-kind={kind}]")).to_be_visible(timeout=LIVE)
            if kind == "vote":
                expect(page.locator("form[data-ballot]")).to_have_attribute(
                    "data-enhanced", "1", timeout=LIVE
                )
            width = no_sideways_scroll(page)
            assert width <= PHONE["width"], (network, kind, width)
            assert page.locator(".bar .lang").bounding_box()["x"] + 30 <= PHONE["width"]
        civil.screenshot(path=screenshot_dir / f"phone-civil-society-{kind}-360.png")
    for page in phones.values():
        page.context.close()


# ---------------------------------------------------------------- defect 8: drafts kept


def test_text_being_typed_survives_a_reload_until_it_is_sent(
    browser: Any, server: Server, api: Api
) -> None:
    page = phone(browser, server, api.code, "religion")
    api.open("collect")
    box = page.locator("#proposal-text")
    expect(page.locator("[data-field=submit]")).to_be_enabled(timeout=LIVE)
    box.tap()
    page.keyboard.type("วัดเป็นศูนย์กลางการเรียนรู้คุณธรรมของชุมชน")
    page.reload()
    expect(box).to_have_value("วัดเป็นศูนย์กลางการเรียนรู้คุณธรรมของชุมชน")
    page.locator("[data-field=submit]").tap()
    expect(page.locator("[data-region=mine] .text").first).to_have_text(
        "วัดเป็นศูนย์กลางการเรียนรู้คุณธรรมของชุมชน", timeout=LIVE
    )
    page.reload()
    expect(page.locator("[data-region=mine] .proposal")).to_have_count(1)
    expect(box).to_have_value("")

    items = to_draft_step(api)
    page.reload()
    suggestion = page.locator(f"#suggest-{items[0]['id']}")
    expect(suggestion).to_be_visible(timeout=LIVE)
    suggestion.tap()
    page.keyboard.type("ตั้งจุดคัดแยกขยะทุกตลาด")
    page.reload()
    expect(suggestion).to_have_value("ตั้งจุดคัดแยกขยะทุกตลาด")
    suggestion.locator("xpath=..").get_by_role("button", name="ส่งข้อเสนอแนะ").tap()
    expect(page.locator(f"#item-{items[0]['id']} [data-field=text]").first).to_have_text(
        "ตั้งจุดคัดแยกขยะทุกตลาด", timeout=LIVE
    )
    page.reload()
    expect(suggestion).to_have_value("")

    api.open("adopt")
    page.reload()
    reason = page.locator(f"#reason-{items[0]['id']}")
    expect(reason).to_be_visible(timeout=LIVE)
    reason.tap()
    page.keyboard.type("งบประมาณของเทศบาลไม่พอ")
    page.reload()
    expect(reason).to_have_value("งบประมาณของเทศบาลไม่พอ")
    consent = page.locator(f"#consent-{items[0]['id']}")
    consent.get_by_role("radio", name="คัดค้าน").check()
    consent.locator("button[type=submit]").tap()
    expect(consent.locator("[data-field=send-state]")).to_have_text("✓ บันทึกแล้ว", timeout=LIVE)
    kept = page.evaluate(
        "(k) => localStorage.getItem(k)", f"samatcha.draft.{api.id}.reason-{items[0]['id']}"
    )
    assert kept is None
    page.context.close()


# ---------------------------------------------------------------- defect 9: the phone's part


def test_the_similar_hint_counts_blank_text_and_a_long_paste(
    browser: Any, server: Server, api: Api, screenshot_dir: Path
) -> None:
    api.open("collect")
    author = api.phone("education")
    ok(
        author.post(api.path("/proposals"), json={"text": "สวมหมวกกันน็อกทุกครั้งเมื่อขี่มอเตอร์ไซค์"}),
        201,
    )
    author.close()
    page = phone(browser, server, api.code, "media")
    box = page.locator("#proposal-text")

    box.tap()
    page.keyboard.type("ใส่หมวกกันน็อกทุกครั้งที่ขับขี่จักรยานยนต์")
    hint = page.locator("[data-region=similar] li").first
    expect(hint).to_be_visible(timeout=LIVE)
    expect(hint.locator("[data-field=supports]")).to_have_text("0")
    hint.locator("button").tap()
    expect(hint.locator("button")).to_be_disabled(timeout=LIVE)
    expect(hint.locator("[data-field=supports]")).to_have_text("1", timeout=LIVE)

    # Only spaces: a Thai message, nothing sent.
    box.fill("")
    page.keyboard.type("     ")
    page.locator("[data-field=submit]").tap()
    expect(page.locator("[data-field=propose-error]")).to_have_text("กรุณาพิมพ์ข้อเสนอก่อนส่ง")
    expect(page.locator("[data-region=mine] .proposal")).to_have_count(0)

    # A 760-character paste is kept whole; the count and a message say it is too long.
    long_text = ("ขอให้ทุกหน่วยงานเปิดเผยงบประมาณ " * 30)[:760]
    box.fill("")
    box.tap()
    page.keyboard.insert_text(long_text)
    expect(box).to_have_value(long_text)
    expect(page.locator("[data-field=counter]")).to_have_text("เกินมา 260 ตัวอักษร")
    expect(page.locator("[data-field=propose-error]")).to_contain_text("ไม่เกิน 500 ตัวอักษร")
    page.screenshot(path=screenshot_dir / "phone-long-paste-360.png", full_page=True)
    page.locator("[data-field=submit]").tap()
    expect(box).to_have_value(long_text)
    expect(page.locator("[data-region=mine] .proposal")).to_have_count(0)
    # The person shortens it and sends.
    box.tap()
    page.keyboard.press("Control+A")
    page.keyboard.insert_text(long_text[:480])
    expect(page.locator("[data-field=propose-error]")).to_be_hidden()
    page.locator("[data-field=submit]").tap()
    expect(page.locator("[data-region=mine] .proposal")).to_have_count(1, timeout=LIVE)
    assert no_sideways_scroll(page) <= PHONE["width"]
    page.context.close()


# ---------------------------------------------------------------- the phone in review


def test_a_phone_in_review_opens_an_issue_and_finds_its_own_proposal(
    browser: Any, server: Server, api: Api, screenshot_dir: Path, audit: Audit
) -> None:
    api.open("collect")
    page = phone(browser, server, api.code, "civil_society")
    expect(page.locator("[data-field=submit]")).to_be_enabled(timeout=LIVE)
    page.locator("#proposal-text").tap()
    page.keyboard.type("เด็กขี่มอเตอร์ไซค์ไม่สวมหมวกกันน็อก")
    page.locator("[data-field=submit]").tap()
    expect(page.locator("[data-region=mine] .proposal")).to_have_count(1, timeout=LIVE)
    other = api.phone("government")
    ok(other.post(api.path("/proposals"), json={"text": "ตำรวจตั้งด่านตรวจหมวกกันน็อกหน้าโรงเรียน"}), 201)
    other.close()
    proposals = ok(api.facilitator.get(api.path("/snapshot")))["proposals"]
    ids = [p["id"] for p in proposals]
    api.open("review")
    state = ok(
        api.facilitator.post(api.path(f"/proposals/{ids[0]}/group"), json={"group_id": "new"})
    )
    group = next(g for g in state["groups"] if ids[0] in g["members"])
    ok(api.facilitator.post(api.path(f"/proposals/{ids[1]}/group"), json={"group_id": group["id"]}))
    group = next(
        g for g in ok(api.facilitator.get(api.path("/groups")))["groups"] if g["id"] == group["id"]
    )
    ok(
        api.facilitator.patch(
            api.path(f"/groups/{group['id']}"),
            json={"version": group["version"], "title": "วินัยจราจร", "is_issue": True},
        )
    )

    expect(page.locator("[data-show-kind=review]")).to_be_visible(timeout=LIVE)
    expect(page.locator("[data-region=rv-mine] [data-field=where]")).to_have_text(
        "ข้อเสนอของฉันอยู่ในประเด็น: วินัยจราจร", timeout=LIVE
    )
    issue = page.locator("[data-region=rv-issues] .rv-issue", has_text="วินัยจราจร")
    expect(issue.locator("[data-field=mine-tag]")).to_be_visible()
    issue.locator("summary").tap()
    listed = issue.locator("[data-field=proposals] .proposal")
    expect(listed).to_have_count(2, timeout=LIVE)
    mine = listed.filter(has_text="เด็กขี่มอเตอร์ไซค์ไม่สวมหมวกกันน็อก")
    expect(mine.locator("[data-field=mine]")).to_have_text("ของฉัน")
    expect(listed.filter(has_text="ตำรวจตั้งด่าน").locator("[data-field=mine]")).to_be_hidden()
    assert no_sideways_scroll(page) <= PHONE["width"]
    audit(page, "phone, review, an issue opened")
    page.screenshot(path=screenshot_dir / "phone-review-issue-360.png", full_page=True)

    # After a reload the server-rendered page says the same.
    page.reload()
    expect(page.locator("[data-region=rv-mine] [data-field=where]")).to_have_text(
        "ข้อเสนอของฉันอยู่ในประเด็น: วินัยจราจร"
    )
    page.context.close()


# ---------------------------------------------------------------- joining


def test_a_wrong_join_code_stays_in_the_field_and_a_wrong_network_is_fixed(
    browser: Any, server: Server, api: Api, screenshot_dir: Path, audit: Audit
) -> None:
    wrong = "000000" if api.code != "000000" else "111111"
    context = browser.new_context(viewport=PHONE, locale="th-TH", is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(server.url)
    page.locator("#code").tap()
    page.keyboard.type(wrong)
    page.get_by_role("button", name="ต่อไป").tap()
    expect(page.locator("#code")).to_have_value(wrong)
    expect(page.locator("#code-error")).to_have_text("ไม่พบสมัชชาที่ใช้รหัสนี้ กรุณาตรวจสอบรหัสอีกครั้ง")
    audit(page, "home page, a wrong join code")
    page.screenshot(path=screenshot_dir / "phone-wrong-code-360.png")
    page.locator("#code").tap()
    page.keyboard.press("Control+A")
    page.keyboard.type(api.code)
    page.get_by_role("button", name="ต่อไป").tap()
    expect(page).to_have_url(re.compile(rf"/j/{api.code}$"))

    page.locator("button[name=network][value=business]").tap()  # meant education
    expect(page).to_have_url(re.compile(rf"/a/{api.id}$"))
    expect(page.locator(".bar [data-field=network]")).to_have_text("ภาคธุรกิจ")
    page.get_by_role("link", name="เลือกเครือข่ายผิด? เปลี่ยน").tap()
    expect(page.locator("button[name=network][value=business]")).to_have_attribute(
        "aria-pressed", "true"
    )
    audit(page, "join page, changing the network")
    page.screenshot(path=screenshot_dir / "phone-change-network-360.png", full_page=True)
    page.locator("button[name=network][value=education]").tap()
    expect(page).to_have_url(re.compile(rf"/a/{api.id}$"))
    expect(page.locator(".bar [data-field=network]")).to_have_text("องค์กรการศึกษา")
    joined = ok(api.facilitator.get(api.path("/snapshot")))["networks"]
    assert {n["key"]: n["joined"] for n in joined}["business"] == 0
    assert {n["key"]: n["joined"] for n in joined}["education"] == 1

    # After the first proposal the network is what it carries: no more changing.
    api.open("collect")
    change = page.locator("[data-region=change-network]")
    expect(change).to_be_visible(timeout=LIVE)
    expect(page.locator("[data-field=submit]")).to_be_enabled(timeout=LIVE)
    audit(page, "phone, collect, before the first proposal")
    page.locator("#proposal-text").tap()
    page.keyboard.type("โรงเรียนมีร้านค้าความซื่อสัตย์")
    page.locator("[data-field=submit]").tap()
    expect(change).to_be_hidden(timeout=LIVE)
    page.reload()
    expect(change).to_be_hidden()
    context.close()


def test_the_join_code_form_says_what_is_wrong_without_javascript(server: Server) -> None:
    with httpx.Client(base_url=server.url) as client:
        answer = client.get("/", params={"code": "12"})
    assert answer.status_code == 400
    assert 'value="12"' in answer.text
    assert "รหัสเข้าร่วมมี ๘ หลัก" in answer.text
