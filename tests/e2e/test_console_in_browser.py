"""The facilitator's console as a facilitator uses it (issue 12): a laptop at 1366×768 opened
from the first step, phones at 360×740, everything set up by clicking and typing in the pages.

Each test starts its own assembly on the module's shared server and browser."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from playwright.sync_api import expect

if TYPE_CHECKING:
    from conftest import Server

CONSOLE = {"width": 1366, "height": 768}
PHONE = {"width": 360, "height": 740}
LIVE = 15_000  # ms: a live change may wait for the clustering model's first load


def staff(browser: Any, server: Server, viewport: dict[str, int] = CONSOLE) -> Any:
    page = browser.new_context(viewport=viewport, locale="th-TH").new_page()
    page.goto(f"{server.url}/login")
    page.fill("#username", "org")
    page.fill("#password", server.password)
    page.click("button[type=submit]")
    expect(page).to_have_url(re.compile(r"/organize$"))
    return page


def new_assembly(page: Any, server: Server, name: str) -> tuple[int, str]:
    """The organizer creates an assembly on the dashboard and opens its console."""
    page.goto(f"{server.url}/organize")
    page.fill("#name", name)
    page.fill("#province", "น่าน")
    page.locator("form[action='/organize'] button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/organize/\d+$"))
    aid = int(page.url.rsplit("/", 1)[1])
    page.goto(f"{server.url}/console/{aid}")
    expect(page.locator("[data-region=connection]")).to_have_attribute("data-state", "online")
    code = page.locator(".code-line .code").inner_text().strip()
    return aid, code


def open_step(console: Any, kind: str, minutes: int | None = None) -> None:
    step = console.locator(f"[data-region=steps] li[data-kind={kind}]")
    if minutes is not None:
        step.locator("input[name=minutes]").fill(str(minutes))
    step.locator("[data-field=open-form] button").click()
    expect(step).to_have_attribute("data-status", "open", timeout=LIVE)
    if kind == "vote":  # the vote section is fetched anew for the step just opened
        opened = re.compile(rf"\|{step.get_attribute('data-id')}\|open$")
        expect(console.locator("[data-region=vote]")).to_have_attribute(
            "data-signature", opened, timeout=LIVE
        )


def phone(browser: Any, server: Server, code: str, network: str) -> Any:
    page = browser.new_context(
        viewport=PHONE, locale="th-TH", is_mobile=True, has_touch=True
    ).new_page()
    page.goto(f"{server.url}/j/{code}")
    page.click(f"button[name=network][value={network}]")
    expect(page.locator("[data-region=connection]")).to_have_attribute("data-state", "online")
    return page


def propose(page: Any, text: str) -> None:
    page.fill("#proposal-text", text)
    page.locator("[data-propose] button[type=submit]").click()
    expect(page.locator("[data-region=mine] [data-field=text]", has_text=text)).to_have_count(
        1, timeout=LIVE
    )


# ---------------------------------------------------------------- defect 2: moderation


def test_the_console_hides_a_proposal_and_fixes_a_typo(
    browser: Any, server: Server, screenshot_dir: Path
) -> None:
    console = staff(browser, server)
    aid, code = new_assembly(console, server, "สมัชชาคุณธรรมจังหวัดน่าน ซ่อนและแก้คำผิด")
    open_step(console, "collect")
    author = phone(browser, server, code, "education")
    reader = phone(browser, server, code, "media")
    propose(author, "ทดสอบระบบ ไม่ใช่ข้อเสนอจริง")
    propose(author, "ส่งเสริมร้านค้าความซื่อสัดย์ในโรงเรียน")
    feed = console.locator("[data-region=feed]")
    others = reader.locator("[data-region=others]")
    expect(others).to_contain_text("ทดสอบระบบ", timeout=LIVE)

    spam = feed.locator("li", has_text="ทดสอบระบบ")
    spam.locator("[data-field=moderate]").click()
    expect(feed.locator("li", has_text="ทดสอบระบบ")).to_have_count(0, timeout=LIVE)
    expect(others).not_to_contain_text("ทดสอบระบบ", timeout=LIVE)
    hidden = console.locator("[data-region=feed-hidden]")
    expect(console.locator("[data-field=hidden-count]")).to_have_text("1")
    expect(author.locator("[data-region=mine] li", has_text="ทดสอบระบบ")).to_contain_text(
        "ซ่อน", timeout=LIVE
    )

    typo = feed.locator("li", has_text="ซื่อสัดย์")
    typo.locator("summary").click()
    typo.locator("textarea").fill("ส่งเสริมร้านค้าความซื่อสัตย์ในโรงเรียน")
    typo.locator("details form button[type=submit]").click()
    expect(feed.locator("[data-field=text]", has_text="ซื่อสัตย์ในโรงเรียน")).to_have_count(
        1, timeout=LIVE
    )
    expect(others).to_contain_text("ความซื่อสัตย์ในโรงเรียน", timeout=LIVE)
    expect(others).not_to_contain_text("ซื่อสัดย์")
    console.screenshot(path=str(screenshot_dir / "console-moderation-1366.png"))

    # Restore from the folded list of hidden proposals: it comes back for everyone.
    console.locator(".feed-hidden > summary").click()
    hidden.locator("li", has_text="ทดสอบระบบ").locator("[data-field=moderate]").click()
    expect(feed.locator("li", has_text="ทดสอบระบบ")).to_have_count(1, timeout=LIVE)
    expect(others).to_contain_text("ทดสอบระบบ", timeout=LIVE)
    assert aid > 0


# ---------------------------------------------------------------- defects 4 and 5: vote results

OPTIONS = ["ความซื่อสัตย์", "จิตอาสา", "ความรับผิดชอบ", "ความพอเพียง"]
HALL = ["government", "government", "education", "media"]  # 2 + 1 + 1 phones


def set_up_vote(console: Any, method: str, options: list[str] | None = None) -> None:
    """Fill the console's vote setup form and open the vote, as a facilitator does."""
    setup = console.locator("[data-region=vote] form[action$='/votes']")
    if options is not None:
        setup.locator("input[name=subject][value=options]").check()
        setup.locator("textarea[name=options]").fill("\n".join(options))
    setup.locator(f"input[name=method][value={method}]").check()
    setup.locator("button[type=submit]").click()
    console.locator("[data-region=vote] button", has_text="เปิดการลงคะแนน").click()
    expect(console.locator("[data-field=vote-status]")).to_have_text("เปิดอยู่", timeout=LIVE)


def rank(page: Any, labels: list[str]) -> None:
    for label in labels:
        page.locator(".vote-rankbtn", has_text=label).click()
    page.locator("[data-field=vote-submit]").click()
    expect(page.locator("[data-field=vote-saved]")).to_contain_text("✓", timeout=LIVE)


def test_ranking_results_and_turnout_per_network_live_and_after_a_reload(
    browser: Any, server: Server, screenshot_dir: Path
) -> None:
    console = staff(browser, server)
    aid, code = new_assembly(console, server, "สมัชชาคุณธรรมจังหวัดน่าน ผลจัดอันดับ")
    open_step(console, "collect")
    phones = [phone(browser, server, code, network) for network in HALL]
    presenter = staff(browser, server, {"width": 1920, "height": 1080})
    open_step(console, "vote")
    set_up_vote(console, "ranking", OPTIONS)
    for page in phones:
        expect(page.locator(".vote-rankbtn").first).to_be_visible(timeout=LIVE)
    rank(phones[0], OPTIONS[:3])
    rank(phones[1], [OPTIONS[1], OPTIONS[0], OPTIONS[2]])
    rank(phones[2], [OPTIONS[0], OPTIONS[2], OPTIONS[1]])

    # Live: every Schulze place reads "ชูลเซอ <number>", never "None".
    rows = console.locator("[data-list=ranking] li")
    expect(console.locator("[data-field=ballot-count]")).to_have_text("3", timeout=LIVE)
    expect(rows).to_have_count(len(OPTIONS))
    schulze = rows.locator("[data-field=schulze]")
    for text in schulze.all_inner_texts():
        assert re.fullmatch(r"ชูลเซอ \d+", text.strip()), text
    first = rows.first
    expect(first.locator("[data-field=label]")).to_have_text(OPTIONS[0])
    expect(first.locator("[data-field=schulze]")).to_have_text("ชูลเซอ 1")
    console.screenshot(path=str(screenshot_dir / "console-ranking-live-1366.png"), full_page=True)

    # After a reload, each network shows its own voters out of its own phones.
    expected = {"government": "2 / 2", "education": "1 / 1", "media": "0 / 1", "religion": "0 / 0"}
    for page in (console, presenter):
        page.goto(f"{server.url}/{'console' if page is console else 'present'}/{aid}")
        expect(page.locator("[data-region=connection]")).to_have_attribute("data-state", "online")
        turnout = page.locator("[data-region=vote-turnout]")
        for key, text in expected.items():
            expect(turnout.locator(f"li[data-key={key}] .num")).to_have_text(text)
        expect(page.locator("[data-field=vote-voted]")).to_have_text("3")
    for text in console.locator("[data-list=ranking] [data-field=schulze]").all_inner_texts():
        assert re.fullmatch(r"ชูลเซอ \d+", text.strip()), text
    console.screenshot(path=str(screenshot_dir / "console-turnout-1366.png"), full_page=True)


# ---------------------------------------------------------------- defect 3: the vote's subject

THEMES = [
    "รณรงค์ให้ใส่หมวกกันน็อกทุกครั้งที่ขับขี่จักรยานยนต์",
    "สวมหมวกกันน็อกทุกครั้งเมื่อขี่มอเตอร์ไซค์",
    "เปิดเผยงบประมาณของ อบต. ให้ประชาชนตรวจสอบได้",
    "ติดประกาศการใช้งบประมาณหมู่บ้านให้ทุกคนเห็น",
]


def test_a_console_open_since_collect_offers_the_curated_issues_as_the_vote(
    browser: Any, server: Server, screenshot_dir: Path
) -> None:
    console = staff(browser, server)
    new_assembly_id, code = new_assembly(console, server, "สมัชชาคุณธรรมจังหวัดน่าน ประเด็น")
    open_step(console, "collect")
    author = phone(browser, server, code, "religion")
    for text in THEMES:
        propose(author, text)
    expect(console.locator("[data-region=feed] li")).to_have_count(len(THEMES), timeout=LIVE)

    open_step(console, "review")
    board = console.locator("[data-show-kind=review]")
    board.locator("button[name=change][value=same]").click()
    groups = board.locator("[data-region=groups] > li")
    expect(groups.first).to_be_visible(timeout=LIVE)
    first = groups.first
    first.locator("[data-field=title]").fill("ความปลอดภัยทางถนน")
    first.locator("button[value=rename]").click()
    expect(first.locator("[data-field=title]")).to_have_value("ความปลอดภัยทางถนน", timeout=LIVE)
    first.locator("button[data-field=issue]").click()
    expect(first.locator("[data-field=issue-flag]")).to_be_visible(timeout=LIVE)
    second = groups.nth(1)
    second.locator("button[data-field=issue]").click()
    expect(second.locator("[data-field=issue-flag]")).to_be_visible(timeout=LIVE)
    second_title = second.locator("[data-field=title]").input_value()

    open_step(console, "vote")
    setup = console.locator("[data-field=vote-setup]")
    expect(setup.locator("input[name=subject][value=issues]")).to_be_checked(timeout=LIVE)
    expect(setup.locator("[data-field=setup-issues] li")).to_have_text(
        ["ความปลอดภัยทางถนน", second_title]
    )
    expect(setup.locator("textarea[name=options]")).to_have_value("")
    setup.screenshot(path=str(screenshot_dir / "console-vote-setup-issues-1366.png"))
    setup.locator("input[name=method][value=dot]").check()
    setup.locator("button[type=submit]").click()
    ready = console.locator("[data-region=vote] .card", has_text="เปิดการลงคะแนน")
    expect(ready).to_contain_text("ความปลอดภัยทางถนน")
    expect(ready).to_contain_text(second_title)
    expect(console.locator("[data-region=vote]")).not_to_contain_text("พอเพียง")
    assert new_assembly_id > 0


# ---------------------------------------------------------------- the review board at 200

NETWORKS = ["government", "business", "civil_society", "education", "religion", "media"]
TOPICS = [
    "รณรงค์ให้ใส่หมวกกันน็อกทุกครั้งที่ขับขี่จักรยานยนต์ใน{}",
    "เปิดเผยงบประมาณของ อบต. ให้ประชาชน{}ตรวจสอบได้",
    "ตั้งร้านค้าความซื่อสัตย์ในโรงเรียนของ{}",
    "จัดกิจกรรมจิตอาสาพัฒนาวัดและชุมชน{}ทุกเดือน",
    "ลดการใช้ถุงพลาสติกในตลาดสดของ{}",
    "ส่งเสริมการอ่านหนังสือในครอบครัวของ{}",
    "ตั้งกองทุนช่วยเหลือผู้สูงอายุที่อยู่ลำพังใน{}",
    "อบรมเยาวชนเรื่องการใช้สื่อออนไลน์อย่างรู้เท่าทันใน{}",
]
PLACES = [
    "อำเภอเมือง",
    "อำเภอปัว",
    "อำเภอท่าวังผา",
    "อำเภอเวียงสา",
    "อำเภอนาน้อย",
    "ตำบลในเวียง",
    "ตำบลดู่ใต้",
    "ตำบลผาสิงห์",
    "หมู่บ้านน้ำเกี๋ยน",
    "หมู่บ้านบ่อสวก",
    "เขตเทศบาล",
    "ชุมชนริมน่าน",
    "บ้านหนองแดง",
    "บ้านสะเกิน",
    "บ้านนาซาว",
    "บ้านดอนแก้ว",
    "บ้านห้วยยื่น",
    "บ้านป่าแลวหลวง",
    "บ้านศรีนาป่าน",
    "บ้านไชยสถาน",
    "บ้านเชียงของ",
    "บ้านม่วงตึ๊ด",
    "บ้านนาปัง",
    "บ้านกองควาย",
    "บ้านฝายแก้ว",
]


def proposals_csv(folder: Path) -> tuple[Path, list[tuple[str, str]]]:
    rows = [
        (topic.format(place), NETWORKS[(i + j) % len(NETWORKS)])
        for i, topic in enumerate(TOPICS)
        for j, place in enumerate(PLACES)
    ]
    path = folder / "proposals-200.csv"
    lines = ["ข้อเสนอ,เครือข่าย"] + [f"{text},{network}" for text, network in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path, rows


def test_the_review_board_at_200_proposals_finds_sorts_filters_and_moves_several(
    browser: Any, server: Server, screenshot_dir: Path, tmp_path: Path
) -> None:
    console = staff(browser, server)
    aid, code = new_assembly(console, server, "สมัชชาคุณธรรมจังหวัดน่าน 200 ข้อเสนอ")
    open_step(console, "collect")
    csv_path, rows = proposals_csv(tmp_path)
    assert len(rows) == 200
    console.goto(f"{server.url}/organize/{aid}/import")
    console.set_input_files("#file", str(csv_path))
    console.locator("form[enctype] button[type=submit]").click()
    expect(console.locator("[data-region=import-report] [data-field=imported]")).to_have_text("200")

    # Two phones support proposals: the order "most supported first" has something to show.
    popular, second = rows[3][0], rows[60][0]
    for network in ("government", "media"):
        handset = phone(browser, server, code, network)
        handset.locator("[data-region=others] li", has_text=popular).locator("button").click()
        expect(
            handset.locator("[data-region=others] li", has_text=popular).locator("button")
        ).to_be_disabled(timeout=LIVE)
    handset.locator("[data-region=others] li", has_text=second).locator("button").click()
    expect(
        handset.locator("[data-region=others] li", has_text=second).locator("button")
    ).to_be_disabled(timeout=LIVE)

    console.goto(f"{server.url}/console/{aid}")
    open_step(console, "review")
    board = console.locator("[data-show-kind=review]")
    board.locator("button[name=change][value=same]").click()
    groups = board.locator("[data-region=groups] > li")
    expect(groups.first).to_be_visible(timeout=60_000)
    members = board.locator(".rv-member")
    expect(members).to_have_count(200, timeout=LIVE)
    expect(board.locator("select[data-field=move]")).to_have_count(0)  # no drop-down per row
    console.screenshot(path=str(screenshot_dir / "console-review-200-1366.png"))
    compact = console.evaluate("document.documentElement.scrollHeight")
    board.locator("[data-field=rv-compact]").uncheck()
    full = console.evaluate("document.documentElement.scrollHeight")
    console.screenshot(
        path=str(screenshot_dir / "console-review-200-full-1366.png"), full_page=True
    )
    board.locator("[data-field=rv-compact]").check()
    assert compact < full * 0.7, (compact, full)
    console.screenshot(
        path=str(screenshot_dir / "console-review-200-compact-1366.png"), full_page=True
    )

    # Search: only proposals with every typed word stay on the board.
    board.locator("[data-field=rv-search]").fill("หมวกกันน็อก ปัว")
    shown = board.locator(".rv-member:visible")
    expect(shown).to_have_count(1)
    expect(shown.first).to_contain_text("หมวกกันน็อก")
    expect(board.locator("[data-field=rv-shown]")).to_have_text("1")
    board.locator("[data-field=rv-search]").fill("หมวกกันน็อก")
    expect(shown).to_have_count(len(PLACES))

    # Filter by network, with the search: each shown row carries that network.
    board.locator("[data-field=rv-network]").select_option("media")
    wanted = [t for t, n in rows if "หมวกกันน็อก" in t and n == "media"]
    expect(shown).to_have_count(len(wanted))
    for key in shown.evaluate_all("(rows) => rows.map((r) => r.dataset.network)"):
        assert key == "media"
    board.locator("[data-field=rv-network]").select_option("")
    board.locator("[data-field=rv-search]").fill("")
    expect(shown).to_have_count(200)

    # Most supported first, in every list on the board.
    board.locator("[data-field=rv-sort]").select_option("support")
    lists = board.locator(".rv-members")
    for k in range(lists.count()):
        counts = (
            lists.nth(k)
            .locator(".rv-member")
            .evaluate_all("(rows) => rows.map((r) => Number(r.dataset.supports))")
        )
        assert counts == sorted(counts, reverse=True), counts
    holder = board.locator(".rv-members", has=console.locator(".rv-member", has_text=popular))
    expect(holder.locator(".rv-member").first).to_contain_text(popular)
    expect(holder.locator(".rv-member").first.locator("[data-field=supports]")).to_have_text("+2")

    # Tick three proposals from different places on the board, one move into the last group.
    target = groups.last
    target_id = target.get_attribute("data-id")
    outside = board.locator(f".rv-member:not([data-group='{target_id}'])")
    picked = [outside.nth(i).get_attribute("data-id") for i in (0, 40, 120)]
    for pid in picked:
        board.locator(f"#m{pid} [data-field=pick]").check()
    expect(board.locator("[data-field=picked-count]")).to_have_text("3")
    board.locator("[data-field=bulk-target]").select_option(target_id)
    board.locator("#rv-bulk button[type=submit]").click()
    for pid in picked:
        expect(board.locator(f"#g{target_id} #m{pid}")).to_have_count(1, timeout=LIVE)
    expect(board.locator("[data-field=picked-count]")).to_have_text("0")
    expect(members).to_have_count(200)
    console.screenshot(path=str(screenshot_dir / "console-review-200-moved-1366.png"))


# ---------------------------------------------------------------- defect 9: time up, the bullet


def test_time_up_warns_on_every_screen_and_can_close_the_step(
    browser: Any, server: Server, screenshot_dir: Path
) -> None:
    console = staff(browser, server)
    aid, code = new_assembly(console, server, "สมัชชาคุณธรรมจังหวัดน่าน หมดเวลา")

    # The organizer page: "no facilitator yet" is a sentence, not a list item with a bullet.
    console.goto(f"{server.url}/organize/{aid}")
    empty = console.get_by_text("ยังไม่มีวิทยากรกระบวนการ")
    expect(empty).to_be_visible()
    assert empty.evaluate("(el) => el.closest('ul, ol') === null")

    # Every screen runs the browser's own clock, which the test moves on (the server's does not).
    presenter = staff(browser, server, {"width": 1920, "height": 1080})
    handset = browser.new_context(
        viewport=PHONE, locale="th-TH", is_mobile=True, has_touch=True
    ).new_page()
    for page in (console, presenter, handset):
        page.clock.install()
    console.goto(f"{server.url}/console/{aid}")
    presenter.goto(f"{server.url}/present/{aid}")
    handset.goto(f"{server.url}/j/{code}")
    handset.click("button[name=network][value=business]")
    screens = (console, presenter, handset)
    for page in screens:
        expect(page.locator("[data-region=connection]")).to_have_attribute("data-state", "online")

    open_step(console, "collect", minutes=1)
    for page in screens:
        timer = page.locator("[data-region=step] [data-field=timer]")
        expect(timer).to_contain_text("1:00", timeout=LIVE)  # "เหลือเวลา 1:00" or 0:59
    for page in screens:
        page.clock.fast_forward("00:40")  # two jumps: the socket's heartbeat keeps it alive
    console.wait_for_timeout(500)
    for page in screens:
        page.clock.fast_forward("00:25")
    for page in screens:
        timer = page.locator("[data-region=step] [data-field=timer]")
        expect(timer).to_have_text("หมดเวลาแล้ว")
        expect(timer).to_have_class(re.compile(r"time-up"))
        expect(timer).to_have_attribute("role", "alert")
    handset.screenshot(path=str(screenshot_dir / "phone-time-up-360.png"))
    console.screenshot(path=str(screenshot_dir / "console-time-up-1366.png"))
    # Without the option the step stays open: the facilitator decides.
    collect = console.locator("[data-region=steps] li[data-kind=collect]")
    expect(collect).to_have_attribute("data-status", "open")

    # "Close when time is up": ticked when opening, every screen says the step closes.
    collect.locator("[data-field=close-form] button").click()
    expect(collect).to_have_attribute("data-status", "closed", timeout=LIVE)
    collect.locator("input[name=minutes]").fill("1")
    collect.locator("input[name=close_when_done]").check()
    collect.locator("[data-field=open-form] button").click()
    expect(collect).to_have_attribute("data-status", "open", timeout=LIVE)
    for page in screens:
        page.clock.fast_forward("01:05")
        expect(page.locator("[data-region=step] [data-field=timer]")).to_have_text(
            "หมดเวลาแล้ว · ขั้นตอนนี้ปิดแล้ว", timeout=LIVE
        )
    handset.screenshot(path=str(screenshot_dir / "phone-time-up-closing-360.png"))
