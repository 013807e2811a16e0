"""Page images of a sample quarterly progress report, rendered by LibreOffice.

Half a year after a province's assembly, through the real use cases on a real SQLite database:
three adopted items, agencies reporting through their links in rounds 1 and 2 (one report
late, lessons, an over-budget activity, an agency that never reported), then the DOCX of
round 2 exactly as the board's download makes it. Run from the repository root (needs
`soffice` and `pdftoppm`; Debian: libreoffice-writer-nogui, poppler-utils, fonts-thai-tlwg):

    .venv/bin/python -m benchmarks.progress_pages /tmp/progress-pages

It writes progress.docx, its PDF and one PNG per page (100 dpi) to the folder given; pick the
pages for docs/screenshots/followup-docx-*.png from there.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from assembly import services
from assembly.db import Database
from assembly.runtime import DiscardEvents, Runtime
from assembly.schema import upgrade_database
from assembly.settings import Settings
from deliberation.agenda import consent, drafting
from followup import board, links, reports, setup

START = dt.date(2026, 10, 5)  # fiscal year 2570
REPORTED_ON = dt.date(2027, 4, 20)  # a few days after round 2 was due
EDUCATION = "สำนักงานเขตพื้นที่การศึกษาประถมศึกษาน่าน เขต 1"
CULTURE = "สำนักงานวัฒนธรรมจังหวัดน่าน"
COMMUNITY = "สำนักงานพัฒนาชุมชนจังหวัดน่าน"
MONKS = "คณะสงฆ์จังหวัดน่าน"
ITEMS: tuple[tuple[str, dict[str, Any]], ...] = (
    (
        "ร้านค้าความซื่อสัตย์ในโรงเรียน",
        {
            "goal": "นักเรียนซื่อสัตย์ต่อตนเองและผู้อื่น",
            "virtues": ["ซื่อสัตย์"],
            "plans": [
                {
                    "name": "ขยายร้านค้าความซื่อสัตย์",
                    "lead_agency": EDUCATION,
                    "activities": [
                        {"what": "อบรมครูผู้ดูแลร้านค้า", "budget": "50,000"},
                        {"what": "เปิดร้านค้าในโรงเรียนใหม่ 40 แห่ง", "budget": "120,000"},
                    ],
                }
            ],
            "indicators": [
                {
                    "name": "จำนวนโรงเรียนที่มีร้านค้าความซื่อสัตย์",
                    "unit": "แห่ง",
                    "baseline": "10",
                    "target": "50",
                    "reporting_agency": EDUCATION,
                }
            ],
        },
    ),
    (
        "จิตอาสาพัฒนาชุมชน",
        {
            "goal": "ครัวเรือนร่วมกิจกรรมจิตอาสา",
            "virtues": ["จิตอาสา"],
            "plans": [
                {
                    "name": "ชุมชนคุณธรรม",
                    "lead_agency": COMMUNITY,
                    "activities": [{"what": "จัดกิจกรรมจิตอาสาเดือนละครั้ง", "budget": "30,000"}],
                }
            ],
            "indicators": [
                {
                    "name": "ครัวเรือนที่ร่วมกิจกรรมจิตอาสา",
                    "unit": "ร้อยละ",
                    "baseline": "ร้อยละ ๒๐",
                    "target": "ร้อยละ ๖๐",
                    "reporting_agency": COMMUNITY,
                }
            ],
        },
    ),
    (
        "วัดประชารัฐสร้างสุข",
        {
            "goal": "วัดเป็นศูนย์กลางชุมชนคุณธรรม",
            "virtues": ["พอเพียง", "กตัญญู"],
            "plans": [
                {
                    "name": "วัด ๕ ส",
                    "lead_agency": MONKS,
                    "activities": [{"what": "อบรมพระวิทยากร", "budget": "20,000"}],
                }
            ],
            "indicators": [
                {
                    "name": "วัดที่ผ่านเกณฑ์วัด ๕ ส",
                    "unit": "วัด",
                    "baseline": "35",
                    "target": "100",
                    "reporting_agency": CULTURE,
                },
                {
                    "name": "ผู้สูงอายุที่ร่วมกิจกรรมที่วัดต่อเดือน",
                    "unit": "คน",
                    "baseline": "1,200",
                    "target": "3,000",
                    "reporting_agency": MONKS,
                },
            ],
        },
    ),
)


def at(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, 10, 0, tzinfo=dt.UTC)


async def a_half_year(rt: Runtime) -> bytes:
    user = await services.create_user(
        rt, username="org", display_name="ผู้จัด", role="organizer", password="sample-secret-1"
    )
    org = services.Actor(user=user)
    assembly = await services.create_assembly(
        rt, actor=org, name="สมัชชาคุณธรรมจังหวัดน่าน ๒๕๖๙", province="น่าน"
    )
    a = assembly.id
    async with rt.read() as session:
        loaded = await services.get_assembly(session, a, services.WITH_STRUCTURE)
        steps = {s.kind: s.id for s in loaded.steps}
    await services.open_step(rt, actor=org, assembly_id=a, step_id=steps["draft"])
    ids = []
    for title, content in ITEMS:
        item = (await drafting.create_agenda_items(rt, actor=org, assembly_id=a, title=title))[0]
        await drafting.edit_agenda_item(
            rt, actor=org, assembly_id=a, item_id=item["id"], version=1, content=content
        )
        ids.append(item["id"])
    await services.open_step(rt, actor=org, assembly_id=a, step_id=steps["adopt"])
    for item_id in ids:
        await consent.set_adopted(rt, actor=org, assembly_id=a, item_id=item_id, adopted=True)
    await setup.start_followup(rt, actor=org, assembly_id=a, fiscal_year="2570", today=START)
    view = await setup.followup_view(rt, actor=org, assembly_id=a)
    agencies = {x["name"]: x["id"] for x in view["agencies"]}
    targets = {t["name"]: t["id"] for t in view["targets"]}
    token = {
        name: (await links.issue_link(rt, actor=org, assembly_id=a, agency_id=agency_id)).token
        for name, agency_id in agencies.items()
    }

    async def report(agency: str, target: str, day: dt.date, number: int, **body: Any) -> None:
        await reports.submit_report(
            rt,
            token=token[agency],
            target_id=targets[target],
            round=number,
            now=at(day),
            **body,
        )

    schools = "จำนวนโรงเรียนที่มีร้านค้าความซื่อสัตย์"
    households = "ครัวเรือนที่ร่วมกิจกรรมจิตอาสา"
    temples = "วัดที่ผ่านเกณฑ์วัด ๕ ส"
    for number, day, value in ((1, dt.date(2027, 1, 10), "16"), (2, dt.date(2027, 4, 8), "27")):
        await report(
            EDUCATION,
            schools,
            day,
            number,
            value=f"{value} แห่ง",
            measured_on=day.isoformat(),
            source="ทะเบียนโรงเรียน สพป.น่าน เขต 1",
        )
    await report(
        EDUCATION,
        "อบรมครูผู้ดูแลร้านค้า",
        dt.date(2027, 1, 10),
        1,
        status="done",
        done="อบรมครู 60 คน จาก 30 โรงเรียน",
        people_reached="60",
        money_spent="42,500",
        worked="ครูพี่เลี้ยงจากโรงเรียนที่มีร้านแล้วช่วยโรงเรียนใหม่ได้ดี",
        not_worked="บางโรงเรียนไม่มีพื้นที่ตั้งร้าน",
        change="ใช้มุมห้องสมุดเป็นร้านค้าแทน",
    )
    await report(
        EDUCATION,
        "เปิดร้านค้าในโรงเรียนใหม่ 40 แห่ง",
        dt.date(2027, 4, 8),
        2,
        status="in_progress",
        done="เปิดแล้ว 17 แห่ง",
        money_spent="61,000",
    )
    for number, day, value in (
        (1, dt.date(2027, 1, 14), "ร้อยละ ๒๔"),
        (2, dt.date(2027, 4, 19), "ร้อยละ ๒๖"),
    ):
        await report(
            COMMUNITY,
            households,
            day,
            number,
            value=value,
            measured_on=day.isoformat(),
            source="สำรวจครัวเรือน พช.",
        )
    await report(
        COMMUNITY,
        "จัดกิจกรรมจิตอาสาเดือนละครั้ง",
        dt.date(2027, 4, 19),
        2,
        status="in_progress",
        done="จัดแล้ว 6 ครั้ง ใน 12 หมู่บ้าน",
        people_reached="1,450",
        money_spent="34,000",
        worked="ผู้นำชุมชนชวนกันเอง",
        not_worked="ช่วงเก็บเกี่ยวคนมาน้อย",
        change="ย้ายไปจัดวันอาทิตย์เย็น",
    )
    await report(
        CULTURE,
        temples,
        dt.date(2027, 1, 12),
        1,
        value="48 วัด",
        measured_on="2027-01-05",
        source="ผลประเมินวัด ๕ ส",
    )
    await report(
        CULTURE,
        temples,
        dt.date(2027, 4, 12),
        2,
        value="71 วัด",
        measured_on="2027-04-01",
        source="ผลประเมินวัด ๕ ส",
    )
    # The monks' network has not reported yet: it shows in the overdue list.
    return await board.progress_report_docx(
        rt, actor=org, assembly_id=a, round_number=2, today=REPORTED_ON
    )


def main(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as data:
        url = f"sqlite+aiosqlite:///{data}/sample.sqlite3"
        upgrade_database(url)

        async def run() -> bytes:
            db = Database(url)
            try:
                settings = Settings(database_url=url, data_dir=Path(data))
                return await a_half_year(Runtime(db=db, sink=DiscardEvents(), settings=settings))
            finally:
                await db.dispose()

        body = asyncio.run(run())
    path = folder / "progress.docx"
    path.write_bytes(body)
    subprocess.run(
        ["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(folder), str(path)],
        check=True,
        capture_output=True,
    )
    subprocess.run(
        ["pdftoppm", "-r", "100", "-png", str(folder / "progress.pdf"), str(folder / "progress")],
        check=True,
    )
    print(sorted(p.name for p in folder.glob("progress-*.png")))


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/progress-pages"))
