"""The rehearsal: one whole assembly, run through the browser only, the way people run it.

An organizer creates the assembly for a province on the organizer page, adds the facilitator
and sets the steps (collect, review, three votes, draft, adopt); the facilitator runs the console
at 1366×768 and the presenter at 1920×1080; twelve phones at 360×740 from all six networks join
by typing the code (one by the QR code's link), type Thai proposals, vote three times (dots,
a ranking, and a budget typed on the keyboard), draft and adopt; the organizer downloads every
export. Everything is done with clicks, taps and typing; the server is only *read* (results,
exports) to compare with a recount of exactly the ballots typed here.

After each action the test asserts what the screens show. Screen checks that do not stop the
assembly (a page wider than its viewport, a presenter taller than 1080 px, a number on a screen)
are collected per stage and reported together at the end, so one run names every defect a hall
would meet; a step the assembly cannot go on without fails at once. Where a known defect
blocks the way, the test does what the facilitator in issue 12 did (reloads the console,
unfolds the vote setup), notes the defect, and goes on. Screenshots, in the order taken:
`screenshot_dir/rehearsal-NN-<screen>-<stage>.png`.
"""

from __future__ import annotations

import csv
import io
import json
import re
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import docx
from playwright.sync_api import expect

if TYPE_CHECKING:
    from conftest import Server

LIVE = 8_000  # ms a live update may take (phones refetch a section within 2 s)
CLUSTER = 30_000  # ms: the first clustering loads the embedding model
QUICK = 2_000  # ms for a check of what is already on the screen
CONSOLE = {"width": 1366, "height": 768}
PRESENTER = {"width": 1920, "height": 1080}
PHONE = {"width": 360, "height": 740}
NETWORKS = ["government", "business", "civil_society", "education", "religion", "media"]
NETWORK_TH = {
    "government": "ภาครัฐ",
    "business": "ภาคธุรกิจ เอกชน",
    "civil_society": "ภาคประชาสังคม ชุมชน ครอบครัว เด็กและเยาวชน",
    "education": "องค์กรการศึกษา",
    "religion": "องค์กรศาสนา",
    "media": "สื่อมวลชน",
}
PROVINCE = "ลำปาง"
NAME = "สมัชชาคุณธรรมจังหวัดลำปาง ครั้งที่ 1"

# Four topics a hall talks about; the facilitator names the issues after them.
TOPICS = {
    "waste": "ขยะและสิ่งแวดล้อมในชุมชน",
    "traffic": "วินัยจราจรและหมวกกันน็อก",
    "honesty": "ความโปร่งใสและการต่อต้านทุจริต",
    "elders": "ความกตัญญูและการดูแลผู้สูงอายุ",
}
PROPOSALS: list[tuple[str, str]] = [
    ("waste", "ขยะในตลาดสดล้นถังทุกเช้า ควรมีจุดคัดแยกขยะ"),
    ("traffic", "เด็กนักเรียนขี่มอเตอร์ไซค์ไม่สวมหมวกกันน็อก"),
    ("honesty", "เปิดเผยงบประมาณของ อบต. ให้ชาวบ้านตรวจสอบได้"),
    ("elders", "ส่งเสริมให้ลูกหลานกลับมาดูแลพ่อแม่ผู้สูงอายุ"),
    ("waste", "ชุมชนเผาขยะริมถนน ควันรบกวนโรงเรียน"),
    ("traffic", "รณรงค์ให้สวมหมวกกันน๊อคทุกครั้งที่ขับขี่"),  # the typo the facilitator fixes
    ("honesty", "ติดประกาศการใช้เงินกองทุนหมู่บ้านให้ทุกคนเห็น"),
    ("elders", "ตั้งชมรมจิตอาสาเยี่ยมผู้สูงอายุที่อยู่ลำพัง"),
    ("waste", "ร้านค้างดให้ถุงพลาสติก ใช้ถุงผ้าแทน"),
    ("traffic", "ตำรวจตั้งด่านตรวจเมาแล้วขับช่วงเทศกาล"),
    ("honesty", "ร้องเรียนเรื่องสินบนในหน่วยงานแล้วไม่มีใครตอบ"),
    ("elders", "วัดจัดกิจกรรมรดน้ำดำหัวผู้สูงอายุทุกปี"),
    ("waste", "ธนาคารขยะในโรงเรียนให้เด็กนำขวดมาแลกแต้ม"),
    ("traffic", "ทางม้าลายหน้าโรงเรียนไม่มีใครหยุดรถให้"),
    ("honesty", "จัดซื้อจัดจ้างของเทศบาลต้องประกาศผลทางออนไลน์"),
    ("elders", "อาสาสมัครพาผู้สูงอายุไปโรงพยาบาลตามนัด"),
    ("waste", "แม่น้ำวังมีขยะพลาสติกลอยเต็ม ต้องช่วยกันเก็บ"),
    ("traffic", "ขับรถย้อนศรบนถนนสายหลักจนเกิดอุบัติเหตุบ่อย"),
    ("honesty", "ข้าราชการต้องแสดงบัญชีทรัพย์สินต่อสาธารณะ"),
    ("elders", "สอนเด็กให้รู้จักกตัญญูต่อปู่ย่าตายาย"),
    ("waste", "คัดแยกขยะอินทรีย์ทำปุ๋ยหมักในหมู่บ้าน"),
    ("traffic", "จอดรถบนทางเท้าจนคนเดินต้องลงไปเดินบนถนน"),
    ("honesty", "ให้สื่อท้องถิ่นติดตามโครงการที่ใช้งบประมาณรัฐ"),
    ("elders", "ศูนย์ดูแลผู้สูงอายุกลางวันในตำบล"),
]
TYPO, FIXED = "หมวกกันน๊อค", "หมวกกันน็อก"
SPAM = "ขายครีมผิวขาว ราคาถูก สนใจทักไลน์ 555"
SPAM_PHONE = 11

# The three votes, as each phone casts them, by topic (None: this phone does not vote).
DOTS: list[dict[str, int] | None] = [
    {"waste": 3, "traffic": 2},
    {"traffic": 3, "honesty": 1, "elders": 1},
    {"waste": 1, "traffic": 1, "honesty": 1, "elders": 2},
    {"honesty": 3, "waste": 2},
    {"elders": 2, "traffic": 3},
    {"traffic": 3, "waste": 2},
    {"waste": 3, "elders": 1},
    {"honesty": 2, "traffic": 2, "waste": 1},
    {"elders": 3},
    {"traffic": 2, "honesty": 2},
    {"waste": 1, "traffic": 3, "elders": 1},
    None,
]
RANKINGS: list[list[str] | None] = [
    ["honesty", "waste", "traffic"],
    ["waste", "honesty", "elders", "traffic"],
    ["honesty", "traffic", "waste"],
    ["elders", "honesty", "waste"],
    ["waste", "honesty", "traffic", "elders"],
    None,
    ["honesty", "elders", "waste"],
    ["traffic", "honesty", "waste", "elders"],
    ["honesty", "waste", "elders"],
    ["waste", "traffic", "honesty"],
    ["elders", "waste", "honesty", "traffic"],
    ["honesty", "waste", "traffic"],
]
BUDGETS: list[dict[str, int] | None] = [
    {"elders": 50, "waste": 30, "honesty": 20},
    {"elders": 60, "traffic": 40},
    {"waste": 25, "traffic": 25, "honesty": 25, "elders": 25},
    {"elders": 60, "honesty": 40},  # types 60 + 50 first, reads "เกินมา 10", then fixes 40
    {"honesty": 100},
    {"elders": 70, "waste": 30},
    None,
    {"elders": 50, "traffic": 50},  # the issue's "50/50 saved as 100/0"
    {"waste": 40, "elders": 35, "honesty": 25},
    {"traffic": 80, "elders": 20},
    {"elders": 45, "honesty": 30, "waste": 25},
    {"waste": 50, "elders": 30, "traffic": 20},
]
GOAL = "ผู้สูงอายุที่อยู่ลำพังทุกคนมีอาสาสมัครไปเยี่ยมเดือนละ 2 ครั้ง ภายในปี 2570"
PLAN = "ลูกหลานกตัญญู ดูแลผู้สูงอายุ"
INDICATOR = "ร้อยละของผู้สูงอายุที่อยู่ลำพังที่ได้รับการเยี่ยม"
OBJECTION = "ยังไม่มีงบประมาณรองรับในปีนี้"

WIDTH = "() => [document.documentElement.scrollWidth, window.innerWidth]"
HEIGHT = "() => [document.documentElement.scrollHeight, window.innerHeight]"


# ---------------------------------------------------------------- the recount, done here


def recount_points(ballots: list[dict[str, int]], options: list[str]) -> dict[str, int]:
    """Dots or budget points: the sum of what was typed, per option."""
    total = Counter({o: 0 for o in options})
    for ballot in ballots:
        total.update(ballot)
    return dict(total)


def recount_borda(ballots: list[list[str]], options: list[str]) -> dict[str, float]:
    """Borda with partial ballots (docs/voting.md): n-1, n-2, … for the ranked options, and
    the points left shared equally by the unranked ones."""
    n = len(options)
    points = dict.fromkeys(options, 0.0)
    for ranking in ballots:
        for place, option in enumerate(ranking):
            points[option] += n - 1 - place
        rest = [o for o in options if o not in ranking]
        for option in rest:
            points[option] += (n - len(ranking) - 1) / 2
    return points


def recount_schulze(ballots: list[list[str]], options: list[str]) -> dict[str, int]:
    """Schulze ranks (winning votes, widest paths): 1 + how many options beat this one."""

    def place(ranking: list[str], option: str) -> int:
        return ranking.index(option) if option in ranking else len(options)

    d = {
        (a, b): sum(place(r, a) < place(r, b) for r in ballots)
        for a in options
        for b in options
        if a != b
    }
    p = {(a, b): d[a, b] if d[a, b] > d[b, a] else 0 for (a, b) in d}
    for k in options:
        for i in options:
            for j in options:
                if len({i, j, k}) == 3:
                    p[i, j] = max(p[i, j], min(p[i, k], p[k, j]))
    return {o: 1 + sum(p[b, o] > p[o, b] for b in options if b != o) for o in options}


def competition_ranks(values: dict[str, float]) -> dict[str, int]:
    return {o: 1 + sum(w > v for w in values.values()) for o, v in values.items()}


def number(value: float) -> str:
    """As the results list prints a value."""
    return str(int(value)) if value == int(value) else f"{value:.1f}"


# ---------------------------------------------------------------- the people and their screens


@dataclass
class Hall:
    server: Server
    shots: Path
    problems: list[str] = field(default_factory=list)
    stage: str = ""
    shot_number: int = 0
    phones: list[Any] = field(default_factory=list)
    networks: list[str] = field(default_factory=list)
    console: Any = None
    presenter: Any = None
    organizer: Any = None
    assembly_id: int = 0
    code: str = ""
    issue_of: dict[str, str] = field(default_factory=dict)  # topic -> issue title on screen
    item_id: str = ""  # the top agenda item's element id, item-N

    # -- soft checks: a defect a hall would see, noted, and the assembly goes on
    def note(self, problem: str) -> None:
        self.problems.append(f"[{self.stage}] {problem}")

    def soft(self, what: str, check: Callable[[], Any]) -> bool:
        try:
            check()
        except AssertionError as error:
            lines = [ln.strip() for ln in str(error).strip().splitlines()]
            said = [ln for ln in lines[1:] if ln.startswith(("Actual value", "got ", "assert"))]
            self.note(f"{what}: {' | '.join(lines[:1] + said[:1])}")
            return False
        return True

    def screens(self, *, phones: list[Any] | None = None) -> None:
        """No page wider than its viewport; the presenter no taller than the projector."""
        pages = [p for p in (self.console, self.presenter, self.organizer) if p is not None]
        for page in pages + (self.phones if phones is None else phones):
            width, inner = page.evaluate(WIDTH)
            if width > inner:
                self.note(f"{self.who(page)} is {width} px wide in a {inner} px viewport")
        if self.presenter is not None:
            height, inner = self.presenter.evaluate(HEIGHT)
            if height > inner:
                self.note(f"presenter is {height} px tall on a {inner} px projector")

    def who(self, page: Any) -> str:
        if page is self.console:
            return "console"
        if page is self.presenter:
            return "presenter"
        if page is self.organizer:
            return "organizer page"
        index = self.phones.index(page)
        return f"phone {index} ({self.networks[index]})"

    def shot(self, what: str, page: Any) -> None:
        self.shot_number += 1
        page.screenshot(path=self.shots / f"rehearsal-{self.shot_number:02d}-{what}.png")

    @contextmanager
    def step(self, name: str) -> Iterator[None]:
        """A stage: a hard failure inside it names the stage."""
        self.stage = name
        started = time.monotonic()
        try:
            yield
        except Exception as error:
            raise AssertionError(
                f"stage {name!r} failed: {error}\n(earlier screen defects: {self.problems})"
            ) from error
        print(f"stage {name}: {time.monotonic() - started:.1f} s")


def login(browser: Any, server: Server, username: str, viewport: dict[str, int]) -> Any:
    context = browser.new_context(viewport=viewport, locale="th-TH", accept_downloads=True)
    page = context.new_page()
    page.goto(f"{server.url}/login")
    page.get_by_label("ชื่อผู้ใช้").fill(username)
    page.get_by_label("รหัสผ่าน").fill(server.password)
    page.get_by_role("button", name="เข้าสู่ระบบ").click()
    expect(page).to_have_url(re.compile(r"/organize$"))
    return page


def step_row(console: Any, title: str) -> Any:
    return console.locator("[data-region=steps] li", has_text=title)


def open_step(hall: Hall, title: str) -> None:
    row = step_row(hall.console, title)
    row.get_by_role("button", name=re.compile(r"^เปิด")).click()
    expect(row).to_have_attribute("data-status", "open", timeout=LIVE)
    expect(hall.console.locator("[data-region=step] [data-field=title]")).to_have_text(
        title, timeout=LIVE
    )
    if row.get_attribute("data-kind") == "vote":  # its section is fetched anew for this step
        opened = re.compile(rf"\|{row.get_attribute('data-id')}\|open$")
        expect(hall.console.locator("[data-region=vote]")).to_have_attribute(
            "data-signature", opened, timeout=LIVE
        )


def vote_row(page: Any, label: str) -> Any:
    return page.locator(".vote-option", has_text=label)


def _option_values(form: Any) -> tuple[list[str], list[str]]:
    """The options' labels and the values in their fields, read at once."""
    pairs = form.locator(".vote-option").evaluate_all(
        "(rows) => rows.map((r) => [r.querySelector('label').textContent.trim(),"
        " r.querySelector('input').value])"
    )
    return [p[0] for p in pairs], [p[1] for p in pairs]


# ---------------------------------------------------------------- the stages


def organizer_creates_the_assembly(hall: Hall, browser: Any) -> None:
    org = hall.organizer = login(browser, hall.server, "org", CONSOLE)
    new = org.locator("form[action='/organize']")
    new.locator("#name").fill(NAME)
    new.locator("#province").fill(PROVINCE)
    new.locator("#held_on").fill("2027-01-20")
    new.locator("#venue").fill("หอประชุมเทศบาลนครลำปาง")
    new.get_by_role("button", name="สร้าง").click()
    expect(org).to_have_url(re.compile(r"/organize/\d+$"))
    hall.assembly_id = int(org.url.rsplit("/", 1)[1])
    expect(org.locator("h1")).to_have_text(NAME)
    expect(org.locator("#province")).to_have_value(PROVINCE)
    hall.code = org.locator("strong.code").first.inner_text().strip()
    assert re.fullmatch(r"\d{8}", hall.code), hall.code

    # the facilitator
    org.locator("#fac-username").fill("fac")
    org.locator("#fac-username").press("Enter")
    expect(org.locator("code", has_text="fac")).to_be_visible()
    expect(org.locator("#fac-username")).to_have_value("")

    # the steps: collect, review, three votes, draft, adopt
    rows = org.locator("ol.steps-edit > li")
    expect(rows).to_have_count(5)

    def edit(index: int, kind: str, title: str, prompt: str) -> None:
        row = org.locator("ol.steps-edit > li").nth(index)
        row.locator("select[name=kind]").select_option(kind)
        row.locator("input[name=title]").fill(title)
        row.locator("textarea[name=prompt]").fill(prompt)
        row.get_by_role("button", name="บันทึก").click()
        saved = org.locator("ol.steps-edit > li").nth(index)
        expect(saved.locator("select[name=kind]")).to_have_value(kind)
        expect(saved.locator("input[name=title]")).to_have_value(title)
        expect(saved.locator("textarea[name=prompt]")).to_have_value(prompt)

    def add(kind: str, title: str, prompt: str) -> None:
        org.locator("#kind-new").select_option(kind)
        org.locator("#title-new").fill(title)
        org.locator("#prompt-new").fill(prompt)
        org.locator("#title-new").locator("xpath=ancestor::form").get_by_role(
            "button", name="เพิ่ม"
        ).click()
        last = org.locator("ol.steps-edit > li").last
        expect(last.locator("input[name=title]")).to_have_value(title)
        expect(last.locator("select[name=kind]")).to_have_value(kind)
        expect(last.locator("textarea[name=prompt]")).to_have_value(prompt)

    edit(2, "vote", "ลงคะแนนแบบติดจุด", "ติดจุดให้ประเด็นที่จังหวัดควรขับเคลื่อนก่อน")
    edit(3, "vote", "จัดอันดับประเด็น", "เรียงประเด็นจากสำคัญที่สุดลงไป")
    edit(4, "vote", "แบ่งงบ 100 คะแนน", "แบ่ง 100 คะแนนให้ประเด็นตามน้ำหนักที่ควรได้")
    add("draft", "ร่างวาระคุณธรรม", "ร่วมกันร่างเป้าหมาย แผนงาน และตัวชี้วัด")
    add("adopt", "รับรองวาระคุณธรรม", "แสดงความเห็นต่อวาระแต่ละข้อ")
    expect(rows).to_have_count(7)
    kinds = [rows.nth(i).locator("select[name=kind]").input_value() for i in range(7)]
    assert kinds == ["collect", "review", "vote", "vote", "vote", "draft", "adopt"], kinds
    hall.screens(phones=[])
    org.set_viewport_size({"width": 1366, "height": 768})
    hall.shot("organizer-settings", org)


def facilitator_opens_console_and_presenter(hall: Hall, browser: Any) -> None:
    console = hall.console = login(browser, hall.server, "fac", CONSOLE)
    card = console.locator("li.card", has_text=NAME)
    card.get_by_role("link", name="แผงควบคุม").click()
    expect(console).to_have_url(re.compile(rf"/console/{hall.assembly_id}$"))
    expect(console.locator("[data-region=connection]")).to_have_attribute("data-state", "online")
    expect(console.locator("[data-region=steps] li")).to_have_count(7)
    with console.expect_popup() as popup:
        console.get_by_role("link", name="จอนำเสนอ").click()
    presenter = hall.presenter = popup.value
    presenter.set_viewport_size(PRESENTER)
    expect(presenter.locator(".code.huge")).to_have_text(hall.code)
    expect(presenter.locator("[data-region=connection]")).to_have_attribute("data-state", "online")
    hall.screens()
    hall.shot("console-start", console)
    hall.shot("presenter-start", presenter)


HEADER = """() => {
  const box = (sel) => document.querySelector(sel)?.getBoundingClientRect();
  const inside = (r) => !!r && r.width > 0 && r.left >= 0 && r.right <= window.innerWidth;
  return ['header [data-field=assembly-name]', 'header [data-field=network]', 'header .lang']
    .filter((sel) => !inside(box(sel)));
}"""


def phones_join(hall: Hall, browser: Any) -> None:
    join_link = hall.presenter.locator(".join-url").inner_text().strip()
    assert join_link.endswith(f"/j/{hall.code}"), join_link
    for index in range(12):  # everyone at once: each opens the page and types the code
        network = NETWORKS[index % 6]
        context = browser.new_context(
            viewport=PHONE, locale="th-TH", is_mobile=True, has_touch=True
        )
        phone = context.new_page()
        hall.phones.append(phone)
        hall.networks.append(network)
        if index == 0:  # the QR code's link
            phone.goto(join_link)
        else:  # the code, typed on the home page
            phone.goto(hall.server.url)
            phone.locator("#code").fill(hall.code)
            phone.get_by_role("button", name="ต่อไป").tap()
    for phone, network in zip(hall.phones, hall.networks, strict=True):
        expect(phone.locator("h1")).to_have_text(NAME)
        phone.get_by_role("button", name=NETWORK_TH[network], exact=True).tap()
    for index, phone in enumerate(hall.phones):
        expect(phone).to_have_url(re.compile(rf"/a/{hall.assembly_id}$"))
        expect(phone.locator("[data-region=connection]")).to_have_attribute("data-state", "online")
        hall.soft(
            f"phone {index} ({hall.networks[index]}): assembly name, network badge and EN "
            "fit in the header",
            lambda p=phone: _equal(p.evaluate(HEADER), []),
        )
    expect(hall.console.locator("h2 [data-field=joined]")).to_have_text("12", timeout=LIVE)
    expect(hall.presenter.locator("h2 [data-field=joined]")).to_have_text("12", timeout=LIVE)
    for screen in (hall.console, hall.presenter):
        counts = screen.locator("[data-region=networks]").first
        expect(counts.locator("li[data-key=media] .num")).to_have_text("2", timeout=LIVE)
        hall.soft(
            f"{hall.who(screen)} counts 2 phones in every network",
            lambda c=counts: _equal(c.evaluate(TURNOUT), dict.fromkeys(NETWORKS, "2")),
        )
    hall.screens()
    hall.shot("phone-joined-civil-society", hall.phones[2])
    hall.shot("presenter-joined", hall.presenter)


def collect(hall: Hall) -> None:
    console = hall.console
    row = step_row(console, "ค้นหาความจริงของพื้นที่")
    row.locator("input[name=minutes]").fill("20")
    open_step(hall, "ค้นหาความจริงของพื้นที่")
    for phone in hall.phones:
        expect(phone.locator("[data-field=submit]")).to_be_enabled(timeout=LIVE)
        expect(phone.locator("[data-region=step] [data-field=timer]")).to_be_visible()
    sent: list[tuple[int, str]] = []
    for round_ in range(2):
        for index, phone in enumerate(hall.phones):
            _, text = PROPOSALS[round_ * 12 + index]
            phone.locator("#proposal-text").fill(text)
            phone.get_by_role("button", name="ส่งข้อเสนอ").tap()
            sent.append((index, text))
    spammer = hall.phones[SPAM_PHONE]
    spammer.locator("#proposal-text").fill(SPAM)
    spammer.get_by_role("button", name="ส่งข้อเสนอ").tap()
    for index, phone in enumerate(hall.phones):
        mine = [t for i, t in sent if i == index] + ([SPAM] if index == SPAM_PHONE else [])
        listed = phone.locator("[data-region=mine] .proposal:not(.pending)")
        expect(listed).to_have_count(len(mine), timeout=LIVE)
        texts = phone.locator("[data-region=mine] .text").all_inner_texts()
        assert sorted(t.strip() for t in texts) == sorted(mine), texts
        expect(phone.locator("#proposal-text")).to_have_value("")
    expect(console.locator("[data-field=proposal-count]")).to_have_text("25", timeout=LIVE)
    expect(console.locator("[data-region=feed] > li")).to_have_count(25, timeout=LIVE)
    expect(hall.presenter.locator("[data-region=wall] li", has_text=SPAM)).to_have_count(
        1, timeout=LIVE
    )
    hall.shot("phone-collect", hall.phones[0])
    hall.shot("presenter-collect", hall.presenter)

    # a phone supports another's proposal
    supporter = hall.phones[4]
    other = supporter.locator("[data-region=others] li", has_text=PROPOSALS[0][1])
    other.get_by_role("button").tap()
    expect(other.get_by_role("button")).to_have_attribute("aria-pressed", "true", timeout=LIVE)
    expect(console.locator("[data-region=feed] li", has_text=PROPOSALS[0][1])).to_contain_text(
        "+1", timeout=LIVE
    )

    # the facilitator hides the spam and fixes the typo, from the console
    spam = console.locator("[data-region=feed] > li", has_text=SPAM)
    spam.get_by_role("button", name="ซ่อน").click()
    hidden = hall.soft(
        "console 'ซ่อน' moves the spam out of the feed into the folded hidden list",
        lambda: (
            expect(spam).to_have_count(0, timeout=5_000),
            expect(console.locator("[data-region=feed-hidden] > li", has_text=SPAM)).to_have_count(
                1, timeout=5_000
            ),
        ),
    )
    if hidden:
        hall.soft(
            "the presenter drops the hidden spam",
            lambda: expect(
                hall.presenter.locator("[data-region=wall] li", has_text=SPAM)
            ).to_have_count(0, timeout=LIVE),
        )
        hall.soft(
            "the author's phone says it was hidden",
            lambda: expect(spammer.locator("[data-region=mine] li", has_text=SPAM)).to_contain_text(
                "วิทยากรซ่อนข้อเสนอนี้", timeout=LIVE
            ),
        )
    typo = console.locator("[data-region=feed] > li", has_text=TYPO)
    typo.locator("summary", has_text="แก้คำผิด").click()
    fixed_text = next(t for _, t in PROPOSALS if TYPO in t).replace(TYPO, FIXED)
    typo.locator("textarea[name=text]").fill(fixed_text)
    typo.get_by_role("button", name="บันทึก").click()
    hall.soft(
        "console 'แก้คำผิด → บันทึก' saves the fix",
        lambda: expect(
            console.locator("[data-region=feed] > li [data-field=text]", has_text=fixed_text)
        ).to_have_count(1, timeout=5_000),
    )
    hall.screens()
    hall.shot("console-collect", console)


def review(hall: Hall) -> None:
    console = hall.console
    open_step(hall, "จัดกลุ่มประเด็น")
    board = console.locator("[data-show-kind=review]")
    expect(board).to_be_visible()
    board.get_by_role("button", name="จัดกลุ่ม", exact=True).click()
    groups = board.locator("[data-region=groups] > li")
    expect(groups.first).to_be_visible(timeout=CLUSTER)
    hall.shot("console-clustered", console)

    # the facilitator reads each group and names it after what most of it is about
    topic_of = {text: topic for topic, text in PROPOSALS}
    topic_of[next(t for _, t in PROPOSALS if TYPO in t).replace(TYPO, FIXED)] = "traffic"

    def majority(group: Any) -> tuple[str | None, int]:
        texts = group.locator("li.rv-member [data-field=text]").all_inner_texts()
        counted = Counter(topic_of.get(t.strip()) for t in texts)
        counted.pop(None, None)
        if not counted:
            return None, 0
        topic, count = counted.most_common(1)[0]
        return topic, count

    group_ids = [g.get_attribute("data-id") for g in groups.all()]
    chosen: dict[str, str] = {}
    best: dict[str, int] = {}
    for gid in group_ids:
        topic, count = majority(board.locator(f"#g{gid}"))
        if topic and count > best.get(topic, 0):
            chosen[topic], best[topic] = str(gid), count
    assert set(chosen) == set(TOPICS), f"clustering lost a topic: {chosen}"
    for topic, gid in chosen.items():
        group = board.locator(f"#g{gid}")
        group.locator("[data-field=title]").fill(TOPICS[topic])
        group.get_by_role("button", name="เปลี่ยนชื่อ").click()
        expect(group.locator("[data-field=title]")).to_have_value(TOPICS[topic], timeout=LIVE)
        group.get_by_role("button", name="ตั้งเป็นประเด็น").click()
        expect(group.locator("[data-field=issue-flag]")).to_be_visible(timeout=LIVE)
        hall.issue_of[topic] = TOPICS[topic]
    expect(board.locator("[data-field=issue-count]")).to_have_text("4", timeout=LIVE)

    # move one proposal: one the clustering put in another topic's issue, if any
    misplaced = [
        (member, topic_of[text.strip()])
        for topic, gid in chosen.items()
        for member, text in zip(
            board.locator(f"#g{gid} li.rv-member").all(),
            board.locator(f"#g{gid} li.rv-member [data-field=text]").all_inner_texts(),
            strict=True,
        )
        if topic_of.get(text.strip(), topic) != topic
    ]
    stray, home = (
        misplaced[0]
        if misplaced
        else (board.locator(f"#g{chosen['waste']} li.rv-member").last, "traffic")
    )
    target = chosen[home]
    member_id = stray.get_attribute("data-id")
    stray.locator("[data-field=pick]").check()  # tick it, then move what is ticked
    board.locator("[data-field=bulk-target]").select_option(target)
    board.locator("#rv-bulk button[type=submit]").click()
    expect(board.locator(f"#g{target} li#m{member_id}")).to_be_visible(timeout=LIVE)
    expect(board.locator(f"#g{target} [data-field=title]")).to_have_value(TOPICS[home])

    # the spam is hidden, so it is nowhere on the board
    hall.soft(
        "the hidden spam is not on the review board",
        lambda: expect(board.locator("li.rv-member:not(.is-hidden)", has_text=SPAM)).to_have_count(
            0, timeout=QUICK
        ),
    )
    for title in TOPICS.values():
        expect(hall.presenter.locator("[data-show-kind=review]")).to_contain_text(
            title, timeout=LIVE
        )
        for phone in (hall.phones[0], hall.phones[2]):
            expect(phone.locator("[data-region=rv-issues]")).to_contain_text(title, timeout=LIVE)
    hall.screens()
    hall.shot("console-review", console)
    hall.shot("presenter-review", hall.presenter)
    hall.shot("phone-review", hall.phones[2])


def set_up_vote(hall: Hall, step_title: str, method: str, fill: Callable[[Any], None]) -> None:
    """Open the vote step; the setup offers the curated issues, ticked by default."""
    console = hall.console
    open_step(hall, step_title)
    setup = console.locator("[data-show-kind=vote] form[action$='/votes']")
    fresh = hall.soft(
        "the new vote step shows its own vote setup, unfolded (not the previous step's vote)",
        lambda: expect(setup).to_be_visible(timeout=QUICK * 2),
    )
    if not fresh:  # the facilitator unfolds "ตั้งค่าการลงคะแนน" by hand
        hall.shot("console-next-vote-step-stale", console)
        console.locator("[data-show-kind=vote] summary", has_text="ตั้งค่าการลงคะแนน").click()
        expect(setup).to_be_visible()
    # Issue 12, defect 3: the curated issues are the default subject of a vote after review.
    # Assumed UI: the existing radio input[name=subject][value=issues], checked by default.
    issues = setup.locator("input[name=subject][value=issues]")
    offered = issues.count() == 1 and issues.is_checked()
    hall.soft(
        "vote setup offers the assembly's issues, ticked by default",
        lambda: _equal(offered, True),
    )
    if issues.count() == 0:  # what the facilitator in the issue did: reload, then tick it
        console.reload()
        setup = console.locator("[data-show-kind=vote] form[action$='/votes']")
        expect(issues).to_be_visible()
    issues.check()
    setup.locator(f"input[name=method][value={method}]").check()
    fill(setup)
    setup.get_by_role("button", name="บันทึกการตั้งค่าการลงคะแนน").click()
    ready = console.locator("[data-show-kind=vote] .card", has_text="เปิดการลงคะแนน")
    for title in TOPICS.values():
        expect(ready).to_contain_text(title, timeout=LIVE)
    ready.get_by_role("button", name="เปิดการลงคะแนน").click()
    expect(console.locator("[data-field=vote-status]")).to_have_text("เปิดอยู่", timeout=LIVE)


def close_and_reveal(hall: Hall) -> None:
    console = hall.console
    console.get_by_role("button", name="ปิดการลงคะแนน").click()
    expect(console.locator("[data-field=vote-status]")).to_have_text("ปิดแล้ว", timeout=LIVE)
    console.get_by_role("button", name="เปิดเผยผล").click()
    expect(console.locator("[data-show-kind=vote] h2").first).to_contain_text(
        "แสดงผล", timeout=LIVE
    )


def server_results(hall: Hall) -> tuple[int, dict[str, Any]]:
    """The current vote's id and its results, read back through the API."""
    snap = hall.console.request.get(
        f"{hall.server.url}/api/v1/assemblies/{hall.assembly_id}/snapshot"
    ).json()
    vote_id = int(snap["vote"]["id"])
    read = hall.console.request.get(
        f"{hall.server.url}/api/v1/assemblies/{hall.assembly_id}/votes/{vote_id}/results"
    ).json()
    return vote_id, read["results"]


READ_RESULTS = """(region) => [...region.querySelectorAll('[data-list=ranking] li')].map((li) => [
  li.querySelector('[data-field=label]').textContent.trim(),
  li.querySelector('[data-field=rank]').textContent.trim(),
  li.querySelector('[data-field=value]').textContent.trim(),
  li.querySelector('[data-field=schulze]').hidden
    ? null : li.querySelector('[data-field=schulze]').textContent.trim(),
])"""

# The projector shows the top results large and pages the rest (no charts): its own rows.
READ_PRESENTER_RESULTS = """(region) => [...region.querySelectorAll(
    '[data-screen=step] .top-list li, [data-screen=step] .rest-list li')].map((li) => {
  const small = li.querySelector('.vote-s');
  const value = li.querySelector('.vote-v').cloneNode(true);
  value.querySelector('.vote-s')?.remove();
  const text = (selector) => li.querySelector(selector).textContent.trim();
  return [text('.vote-l'), text('.vote-r'), value.textContent.trim(),
          small ? small.textContent.trim().replace(/\\s+/g, ' ') : null];
})"""


def check_results(
    hall: Hall,
    name: str,
    expected: dict[str, float],
    voters: list[int],
    schulze: dict[str, int] | None = None,
) -> None:
    """Server, console, presenter and a phone show the recount of the typed ballots."""
    vote_id, results = server_results(hall)
    by_label = {line["label"]: line for line in results["ranking"]}
    server = {topic: by_label[TOPICS[topic]]["value"] for topic in TOPICS}
    hall.soft(f"{name}: the server's tally equals the recount", lambda: _equal(server, expected))
    hall.soft(
        f"{name}: the server counted {len(voters)} ballots",
        lambda: _equal(results["ballots"], len(voters)),
    )
    ranks = competition_ranks(expected)
    want = {
        TOPICS[t]: (
            ranks[t],
            number(v),
            None if schulze is None else f"ชูลเซอ {schulze[t]}",
        )
        for t, v in expected.items()
    }
    for screen in (hall.console, hall.presenter, hall.phones[voters[0]]):
        on_projector = screen is hall.presenter
        region = screen.locator(
            "[data-region=vote]" if on_projector else "[data-region=vote-results]"
        ).first
        count = "[data-field=vote-voted]" if on_projector else "[data-field=ballot-count]"
        counted = hall.soft(
            f"{name}: {hall.who(screen)} shows {len(voters)} ballots",
            lambda r=region, c=count: expect(r.locator(c).first).to_have_text(
                str(len(voters)), timeout=LIVE
            ),
        )
        if on_projector:  # the revealed results come with the section fetched after the reveal
            counted = hall.soft(
                f"{name}: the presenter shows the revealed results",
                lambda r=region: expect(
                    r.locator("[data-screen=step] .top-list li").first
                ).to_be_visible(timeout=LIVE),
            )
        if not counted:
            continue
        rows = region.evaluate(READ_PRESENTER_RESULTS if on_projector else READ_RESULTS)
        shown = {
            label: (int(rank.lstrip("=")), value, schulze_text)
            for label, rank, value, schulze_text in rows
        }
        hall.soft(
            f"{name}: {hall.who(screen)} shows the recount (rank, value, Schulze)",
            lambda s=shown: _equal(s, want),
        )
        text = screen.locator("[data-show-kind=vote]").inner_text()
        hall.soft(
            f"{name}: no 'None' on {hall.who(screen)}", lambda t=text: _equal("None" in t, False)
        )
    # the recount export holds exactly the ballots typed
    exported = hall.console.request.get(
        f"{hall.server.url}/a/{hall.assembly_id}/votes/{vote_id}/export/vote.json"
    )
    assert exported.ok, exported.status
    hall.soft(
        f"{name}: vote.json holds {len(voters)} ballots",
        lambda: _equal(len(exported.json()["ballots"]), len(voters)),
    )


def _equal(actual: Any, expected: Any) -> None:
    assert actual == expected, f"got {actual!r}, expected {expected!r}"


TURNOUT = """(region) => Object.fromEntries([...region.querySelectorAll('li[data-key]')].map(
  (li) => [li.dataset.key, li.querySelector('.num').textContent.replace(/\\s+/g, '')]))"""


def check_turnout(hall: Hall, name: str, voters: list[int], *, reload: bool = False) -> None:
    """Each network's own count, live and after a reload of the console and the presenter."""
    voted = Counter(hall.networks[i] for i in voters)
    want = {key: f"{voted[key]}/2" for key in NETWORKS}
    for screen in (hall.console, hall.presenter):
        expect(screen.locator("[data-field=vote-voted]").first).to_have_text(
            str(len(voters)), timeout=LIVE
        )
    for reloaded in (False, True) if reload else (False,):
        if reloaded:
            hall.console.reload()
            hall.presenter.reload()
        for screen in (hall.console, hall.presenter):
            region = screen.locator("[data-region=vote-turnout]").first
            expect(region).to_be_visible()
            if not reloaded:
                line = region.locator(f"li[data-key={NETWORKS[0]}] [data-field=voted]")
                expect(line).to_have_text(str(voted[NETWORKS[0]]), timeout=LIVE)
            hall.soft(
                f"{name}: {hall.who(screen)} turnout per network "
                f"{'after a reload' if reloaded else 'live'}",
                lambda r=region: _equal(r.evaluate(TURNOUT), want),
            )


def dot_vote(hall: Hall) -> None:
    def fill(setup: Any) -> None:
        setup.locator("input[name=dot_dots]").fill("5")
        setup.locator("input[name=dot_max_per_option]").fill("3")

    set_up_vote(hall, "ลงคะแนนแบบติดจุด", "dot", fill)
    voters = [i for i, b in enumerate(DOTS) if b is not None]
    for index in voters:
        phone, ballot = hall.phones[index], DOTS[index]
        assert ballot is not None
        form = phone.locator("form[data-ballot][data-method=dot]")
        expect(form).to_have_attribute("data-enhanced", "1", timeout=LIVE)
        for topic, dots in ballot.items():
            for _ in range(dots):
                phone.get_by_role("button", name=f"เพิ่ม 1 จุดให้: {TOPICS[topic]}").tap()
        if index == 2:  # changes their mind: one dot back from elders, then onto it again
            phone.get_by_role("button", name=f"เอาออก 1 จุดจาก: {TOPICS['elders']}").tap()
            phone.get_by_role("button", name=f"เพิ่ม 1 จุดให้: {TOPICS['elders']}").tap()
        shown = {k: v or "0" for k, v in zip(*_option_values(form), strict=True)}
        assert shown == {TOPICS[t]: str(ballot.get(t, 0)) for t in TOPICS}, shown
        expect(form.locator("[data-field=vote-summary]")).to_contain_text(
            str(5 - sum(ballot.values()))
        )
        if index == 2:
            hall.shot("phone-dot-ballot", phone)
            row = vote_row(phone, TOPICS["traffic"])
            minus = row.get_by_role("button", name=re.compile("^เอาออก")).bounding_box()
            plus = row.get_by_role("button", name=re.compile("^เพิ่ม")).bounding_box()
            value = row.locator("input").bounding_box()
            assert minus is not None
            assert plus is not None
            assert value is not None
            hall.soft(
                "dot ballot at 360 px: −, value and + on one line, in that order",
                lambda m=minus, v=value, p=plus: _equal(
                    (
                        abs(m["y"] - v["y"]) < 10 and abs(v["y"] - p["y"]) < 10,
                        m["x"] < v["x"] < p["x"],
                    ),
                    (True, True),
                ),
            )
        phone.get_by_role("button", name="บันทึกการลงคะแนน").tap()
        expect(form.locator("[data-field=vote-saved]")).to_have_text("✓ บันทึกแล้ว", timeout=LIVE)
    check_turnout(hall, "dots", voters, reload=True)
    close_and_reveal(hall)
    typed = [b for b in DOTS if b is not None]
    check_results(hall, "dots", recount_points(typed, list(TOPICS)), voters)
    hall.screens()
    hall.shot("console-dot-results", hall.console)
    hall.shot("presenter-dot-results", hall.presenter)


def ranking_vote(hall: Hall) -> None:
    set_up_vote(
        hall,
        "จัดอันดับประเด็น",
        "ranking",
        lambda s: s.locator("input[name=ranking_min_ranked]").fill("3"),
    )
    voters = [i for i, b in enumerate(RANKINGS) if b is not None]
    for index in voters:
        phone, ranking = hall.phones[index], RANKINGS[index]
        assert ranking is not None
        form = phone.locator("form[data-ballot][data-method=ranking]")
        expect(form).to_have_attribute("data-enhanced", "1", timeout=LIVE)
        for topic in ranking:
            phone.get_by_role("button", name=f"จัดเป็นอันดับถัดไป: {TOPICS[topic]}").tap()
        ranks = form.locator(".vote-rankbtn").evaluate_all(
            "(bs) => bs.map((b) => [b.textContent.trim(), b.dataset.rank || ''])"
        )
        want = {TOPICS[t]: str(ranking.index(t) + 1) if t in ranking else "" for t in TOPICS}
        assert dict(ranks) == want, ranks
        phone.get_by_role("button", name="บันทึกการลงคะแนน").tap()
        expect(form.locator("[data-field=vote-saved]")).to_have_text("✓ บันทึกแล้ว", timeout=LIVE)
        if index == 0:
            hall.shot("phone-ranking-ballot", phone)
    typed = [b for b in RANKINGS if b is not None]
    options = list(TOPICS)
    # live, before the close: the console's own tally, no "None" for Schulze
    live_results = hall.console.locator("[data-region=vote-results]").first
    expect(live_results.locator("[data-field=ballot-count]")).to_have_text(
        str(len(voters)), timeout=LIVE
    )
    expect(live_results.locator("[data-list=ranking] li")).to_have_count(4, timeout=LIVE)
    shown = {label: schulze for label, _, _, schulze in live_results.evaluate(READ_RESULTS)}
    hall.soft(
        "ranking, live: the console shows each option's Schulze rank",
        lambda: _equal(
            shown,
            {TOPICS[t]: f"ชูลเซอ {r}" for t, r in recount_schulze(typed, options).items()},
        ),
    )
    check_turnout(hall, "ranking", voters)
    close_and_reveal(hall)
    check_results(
        hall,
        "ranking",
        recount_borda(typed, options),
        voters,
        schulze=recount_schulze(typed, options),
    )
    hall.screens()
    hall.shot("console-ranking-results", hall.console)
    hall.shot("presenter-ranking-results", hall.presenter)


def budget_vote(hall: Hall) -> None:
    set_up_vote(hall, "แบ่งงบ 100 คะแนน", "budget", lambda s: None)
    voters = [i for i, b in enumerate(BUDGETS) if b is not None]
    for index in voters:
        phone, ballot = hall.phones[index], BUDGETS[index]
        assert ballot is not None
        form = phone.locator("form[data-ballot][data-method=budget]")
        expect(form).to_have_attribute("data-enhanced", "1", timeout=LIVE)
        summary = form.locator("[data-field=vote-summary]")
        submit = form.get_by_role("button", name="บันทึกการลงคะแนน")
        fields = {t: vote_row(phone, TOPICS[t]).locator("input[type=number]") for t in TOPICS}
        hall.soft(
            f"budget, phone {index}: the ballot starts at 0 everywhere",
            lambda f=fields: _equal(
                {t: f[t].input_value() in ("", "0") for t in TOPICS}, dict.fromkeys(TOPICS, True)
            ),
        )
        typed = dict(ballot)
        if index == 3:  # too many first: 60 + 50
            typed = {"elders": 60, "honesty": 50}

        def type_points(topic: str, points: int, fields: dict[str, Any] = fields) -> None:
            fields[topic].fill(str(points))  # a thumb on the number keypad, then "next"
            fields[topic].press("Tab")

        def state(summary: Any = summary, submit: Any = submit) -> tuple[str, bool]:
            return summary.inner_text(), submit.is_disabled()

        # Issue 12, defect 1, as the issue words it: the fields keep what is typed, the
        # remainder reads "เหลืออีก N คะแนน" / "เกินมา N คะแนน" in the summary line
        # ([data-field=vote-summary], assumed to stay), and sending is blocked until the
        # total is exactly 100.
        total = 0
        for topic, points in typed.items():
            type_points(topic, points)
            total += points
            if total < 100:  # the page reacts at once: read it, do not wait
                text, blocked = state()
                hall.soft(
                    f"budget, phone {index}: 'เหลืออีก {100 - total} คะแนน' and sending "
                    f"blocked after typing {points} for {topic}",
                    lambda t=text, b=blocked, left=100 - total: _equal(
                        (f"เหลืออีก {left} คะแนน" in t, b), (True, True)
                    ),
                )
        if index == 3:
            text, blocked = state()
            hall.soft(
                "budget, phone 3: 'เกินมา 10 คะแนน' at 110 points, sending blocked",
                lambda t=text, b=blocked: _equal(("เกินมา 10 คะแนน" in t, b), (True, True)),
            )
            hall.shot("phone-budget-over", phone)
            type_points("honesty", 40)
        hall.soft(
            f"budget, phone {index}: the fields keep what was typed {ballot}",
            lambda f=fields, b=ballot: _equal(
                {t: int(f[t].input_value() or 0) for t in TOPICS},
                {t: b.get(t, 0) for t in TOPICS},
            ),
        )
        if index == 0:
            hall.shot("phone-budget-typed", phone)
        expect(submit).to_be_enabled()
        submit.tap()
        expect(form.locator("[data-field=vote-saved]")).to_have_text("✓ บันทึกแล้ว", timeout=LIVE)
        hall.soft(
            f"budget, phone {index}: after sending, the fields still show {ballot}",
            lambda f=fields, b=ballot: _equal(
                {t: int(f[t].input_value() or 0) for t in TOPICS},
                {t: b.get(t, 0) for t in TOPICS},
            ),
        )
    check_turnout(hall, "budget", voters)
    close_and_reveal(hall)
    typed_ballots = [b for b in BUDGETS if b is not None]
    check_results(hall, "budget", recount_points(typed_ballots, list(TOPICS)), voters)
    hall.screens()
    hall.shot("console-budget-results", hall.console)
    hall.shot("presenter-budget-results", hall.presenter)


def budget_order() -> list[str]:
    points = recount_points([b for b in BUDGETS if b is not None], list(TOPICS))
    return sorted(points, key=lambda t: -points[t])


def draft(hall: Hall) -> None:
    console = hall.console
    open_step(hall, "ร่างวาระคุณธรรม")
    region = console.locator("[data-region=agenda-draft]")
    expect(region).to_be_visible(timeout=LIVE)
    region.locator("#agenda-top").fill("2")
    region.get_by_role("button", name="เพิ่มวาระ").click()
    items = region.locator("article[id^=item-]")
    expect(items).to_have_count(2, timeout=LIVE)
    top, second = budget_order()[:2]
    hall.soft(
        "agenda items follow the budget vote's order",
        lambda: (
            expect(items.nth(0).locator("input[name=title]")).to_have_value(TOPICS[top]),
            expect(items.nth(1).locator("input[name=title]")).to_have_value(TOPICS[second]),
        ),
    )
    first = region.locator(
        "article[id^=item-]", has=console.locator(f"input[name=title][value='{TOPICS[top]}']")
    )
    item_id = hall.item_id = str(first.get_attribute("id"))
    form = first.locator("form").first
    form.locator("[name=goal]").fill(GOAL)
    form.locator("[name=virtues]").fill("กตัญญู, จิตอาสา")
    form.locator("[name=plan0-name]").fill(PLAN)
    form.locator("[name=plan0-act0-what]").fill("ตั้งชมรมจิตอาสาเยี่ยมบ้านทุกตำบล")
    form.locator("[name=plan0-act0-net-government]").check()
    form.locator("[name=plan0-act0-net-civil_society]").check()
    form.locator("[name=ind0-name]").fill(INDICATOR)
    form.locator("[name=ind0-unit]").fill("ร้อยละ")
    form.locator("[name=ind0-baseline]").fill("35")
    form.locator("[name=ind0-target]").fill("90")
    form.locator("[name=mem0-network]").select_option("religion")
    form.locator("[name=mem0-person]").fill("เจ้าคณะจังหวัดลำปาง")
    form.get_by_role("button", name="บันทึกวาระนี้").click()
    saved = console.locator(f"#{item_id} form").first
    expect(saved.locator("[name=goal]")).to_have_value(GOAL, timeout=LIVE)
    expect(saved.locator("[name=plan0-name]")).to_have_value(PLAN)
    expect(saved.locator("[name=ind0-name]")).to_have_value(INDICATOR)
    expect(saved.locator("[name=ind0-target]")).to_have_value("90")
    expect(saved.locator("[name=plan0-act0-net-civil_society]")).to_be_checked()
    expect(hall.presenter.locator("[data-region=agenda-draft]")).to_contain_text(GOAL, timeout=LIVE)
    # a phone suggests an indicator; the console sees it live
    phone = hall.phones[4]
    card = phone.locator(f"[data-region=agenda-draft] #{item_id}")
    expect(card).to_contain_text(GOAL, timeout=LIVE)
    card.locator("select[name=part]").select_option("indicator")
    card.locator("textarea[name=text]").fill("จำนวนอาสาสมัครที่ผ่านการอบรมดูแลผู้สูงอายุ")
    card.get_by_role("button", name="ส่งข้อเสนอแนะ").tap()
    expect(card.locator("textarea[name=text]")).to_have_value("", timeout=LIVE)
    expect(console.locator(f"#{item_id} .proposals li")).to_contain_text(
        "จำนวนอาสาสมัครที่ผ่านการอบรมดูแลผู้สูงอายุ", timeout=LIVE
    )
    hall.screens()
    hall.shot("console-draft", console)
    hall.shot("presenter-draft", hall.presenter)
    hall.shot("phone-draft", phone)
    return None


def adopt(hall: Hall) -> None:
    console = hall.console
    open_step(hall, "รับรองวาระคุณธรรม")
    item = console.locator(
        f"[data-region=agenda-adopt] #{hall.item_id.replace('item-', 'consent-')}"
    )
    expect(item).to_be_visible(timeout=LIVE)
    consent = hall.item_id.replace("item-", "consent-")
    answers = {0: "เห็นด้วย", 1: "เห็นด้วย", 2: "ยอมรับได้", 3: "เห็นด้วย", 4: "คัดค้าน", 5: "เห็นด้วย"}
    for index, answer in answers.items():
        phone = hall.phones[index]
        card = phone.locator(f"[data-region=agenda-adopt] #{consent}")
        expect(card).to_contain_text(GOAL, timeout=LIVE)
        card.get_by_role("radio", name=answer).check()
        if answer == "คัดค้าน":
            card.locator("textarea[name=reason]").fill(OBJECTION)
        card.get_by_role("button", name="ส่งความเห็น").tap()
        expect(card.locator("[data-field=send-state]")).to_contain_text("✓", timeout=LIVE)
        if answer == "คัดค้าน":
            expect(card.locator("textarea[name=reason]")).to_have_value(OBJECTION)
            hall.shot("phone-adopt", phone)
    table = item.locator("table.consent-results")
    expect(table.locator("tfoot")).to_contain_text("4", timeout=LIVE)
    for index, answer in answers.items():
        column = {"เห็นด้วย": 1, "ยอมรับได้": 2, "คัดค้าน": 3}[answer]
        cell = table.locator(f"tbody tr[data-key={NETWORKS[index]}] td").nth(column)
        expect(cell).to_have_text("1", timeout=LIVE)
    expect(item.locator("[data-list=objections] li")).to_contain_text(OBJECTION)
    # the assembly's rule: every objection handled before the item is adopted
    handling = item.locator("form.objection-handling")
    handling.locator("select[name=handling]").select_option("answered")
    handling.locator("textarea[name=note]").fill("คณะทำงานจะทบทวนงบประมาณก่อนเริ่มกิจกรรม")
    handling.get_by_role("button", name="บันทึกการพิจารณา").click()
    expect(item.locator("[data-list=rule-problems]")).to_have_count(0, timeout=LIVE)
    item.get_by_role("button", name="รับรองวาระนี้").click()
    expect(item.locator(".consent-adopted")).to_be_visible(timeout=LIVE)
    expect(hall.phones[0].locator(f"#{consent} .consent-adopted")).to_be_visible(timeout=LIVE)
    hall.screens()
    hall.shot("console-adopt", console)
    hall.shot("presenter-adopt", hall.presenter)


def exports(hall: Hall) -> None:
    org = hall.organizer
    org.goto(f"{hall.server.url}/organize/{hall.assembly_id}")
    org.get_by_role("link", name="ส่งออกวาระ").first.click()
    expect(org).to_have_url(re.compile(rf"/organize/{hall.assembly_id}/export$"))
    expect(org.locator("main")).to_contain_text(PROVINCE)
    hall.shot("organizer-export", org)
    top = TOPICS[budget_order()[0]]

    def download(name: str | re.Pattern[str]) -> bytes:
        with org.expect_download() as info:
            org.get_by_role("link", name=name).click()
        return Path(info.value.path()).read_bytes()

    document = docx.Document(io.BytesIO(download(re.compile(r"^เอกสาร Word \(DOCX\)"))))
    arabic = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")  # the DOCX prints Thai numerals
    text = "\n".join(p.text for p in document.paragraphs).translate(arabic)
    cells = "\n".join(c.text for t in document.tables for r in t.rows for c in r.cells).translate(
        arabic
    )
    assert top in text, "the DOCX names the top issue"
    assert GOAL in text + cells
    assert PLAN in text + cells
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    first_item = next(h for h in headings if "วาระที่" in h).translate(arabic)
    hall.soft(
        "the DOCX's first agenda item is the budget vote's winner",
        lambda: _equal(top in first_item, True),
    )
    hall.soft("the hidden spam is not in the DOCX", lambda: _equal(SPAM in text + cells, False))

    with org.expect_popup() as popup:
        org.get_by_role("link", name=re.compile(r"^หน้าสำหรับพิมพ์")).click()
    printable = popup.value
    expect(printable.locator("body")).to_contain_text(top)
    assert GOAL in printable.locator("body").inner_text().translate(arabic)
    hall.shot("export-html", printable)
    printable.close()

    tables: dict[str, list[dict[str, str]]] = {}
    for table in ("proposals", "issues", "votes", "indicators"):
        body = download(f"{table}.csv").decode("utf-8-sig")
        tables[table] = list(csv.DictReader(io.StringIO(body)))
        assert tables[table], f"{table}.csv is empty"
    proposals = "\n".join(",".join(r.values()) for r in tables["proposals"])
    for _, text_ in PROPOSALS[:3]:
        assert text_ in proposals
    hall.soft("the hidden spam is not in proposals.csv", lambda: _equal(SPAM in proposals, False))
    assert any(INDICATOR in ",".join(r.values()) for r in tables["indicators"])

    votes = tables["votes"]
    by_vote: dict[str, dict[str, float]] = {}
    methods: dict[str, str] = {}
    statuses: set[str] = set()
    for row in votes:
        by_vote.setdefault(row["รหัสการลงคะแนน"], {})[row["ตัวเลือก"]] = float(row["ค่า"])
        methods[row["รหัสการลงคะแนน"]] = row["วิธีลงคะแนน"]
        statuses.add(row["สถานะ"])
    assert len(by_vote) == 3, by_vote.keys()
    dots_id, ranking_id, budget_id = sorted(by_vote, key=int)
    options = list(TOPICS)
    expected = {
        dots_id: recount_points([b for b in DOTS if b is not None], options),
        ranking_id: recount_borda([b for b in RANKINGS if b is not None], options),
        budget_id: recount_points([b for b in BUDGETS if b is not None], options),
    }
    for vid, recount in expected.items():
        hall.soft(
            f"votes.csv vote {vid} ({methods[vid]}) equals the recount",
            lambda v=vid, r=recount: _equal(
                by_vote[v], {TOPICS[t]: float(x) for t, x in r.items()}
            ),
        )
    hall.soft(
        "votes.csv names the dot method as the console does (ติดจุด)",
        lambda: _equal("ติดจุด" in methods[dots_id], True),
    )
    hall.soft(
        "votes.csv writes the status in Thai",
        lambda: _equal(statuses & {"closed", "open", "draft"}, set()),
    )

    archive = json.loads(download(re.compile(r"JSON ไม่ระบุตัวตน")).decode("utf-8"))
    assert archive, "the JSON archive is empty"
    dumped = json.dumps(archive, ensure_ascii=False)
    assert NAME in dumped
    assert GOAL in dumped
    assert "device_hash" not in dumped, "the staff archive carries no device secrets"
    hall.screens(phones=[])


def test_a_whole_assembly_through_the_browser(
    browser: Any, server: Server, screenshot_dir: Path
) -> None:
    for old in screenshot_dir.glob("rehearsal-*.png"):  # numbers of an earlier run mislead
        old.unlink()
    hall = Hall(server, screenshot_dir)
    started = time.monotonic()
    try:
        with hall.step("01 organizer creates the assembly"):
            organizer_creates_the_assembly(hall, browser)
        with hall.step("02 facilitator opens console and presenter"):
            facilitator_opens_console_and_presenter(hall, browser)
        with hall.step("03 twelve phones join"):
            phones_join(hall, browser)
        with hall.step("04 collect"):
            collect(hall)
        with hall.step("05 review and curation"):
            review(hall)
        with hall.step("06 dot vote"):
            dot_vote(hall)
        with hall.step("07 ranking vote"):
            ranking_vote(hall)
        with hall.step("08 budget vote typed on the keyboard"):
            budget_vote(hall)
        with hall.step("09 drafting"):
            draft(hall)
        with hall.step("10 adoption"):
            adopt(hall)
        with hall.step("11 every export"):
            exports(hall)
    finally:
        print(f"rehearsal: {time.monotonic() - started:.1f} s")
        contexts = {p.context for p in [*hall.phones, hall.console, hall.organizer] if p}
        for context in contexts:
            context.close()
    assert hall.problems == [], f"{len(hall.problems)} defects:\n" + "\n".join(hall.problems)
