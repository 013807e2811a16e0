"""Issue 18, a whole year after the assembly on a real database (SQLite and PostgreSQL), through
the follow-up's use cases: the adopted agenda frozen into targets, the working group with its
accounts, agencies and their reporting links, four quarterly rounds of reports from several
agencies (one late, one resent from an outbox, one with a photo), a revoked and a rotated
link, a bad photo that stores nothing, the progress board, and next year's assembly carrying
the unfinished items over."""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
import io
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import pytest
from docx import Document
from PIL import Image
from sqlalchemy import func, select

from assembly import joining, services
from assembly.db import Database
from assembly.errors import Conflict, DomainError, Forbidden, InvalidInput, NotFound
from assembly.events import Event, EventType, LiveUpdate
from assembly.models import User
from assembly.runtime import Runtime
from assembly.settings import Settings
from assembly.steps import Role
from deliberation import proposals
from deliberation.agenda import consent, drafting
from deliberation.models import AgendaItem
from followup import board as board_module
from followup import links, next_year, reports, setup
from followup.models import FollowupPhoto, FollowupReport
from followup.progress import ActivityStatus, Track

PASSWORD = "รหัสผ่านคณะทำงาน1"
START = dt.date(2026, 10, 5)  # fiscal year 2570: 1 Oct 2026 - 30 Sep 2027
EDUCATION = "สำนักงานเขตพื้นที่การศึกษา"
CULTURE = "สำนักงานวัฒนธรรมจังหวัด"
COMMUNITY = "สำนักงานพัฒนาชุมชนจังหวัด"
SCHOOL = "โรงเรียนบ้านหนองบัว"

ITEMS: tuple[tuple[str, dict[str, Any]], ...] = (
    (
        "ร้านค้าความซื่อสัตย์ในโรงเรียน",
        {
            "goal": "นักเรียนซื่อสัตย์ต่อตนเองและผู้อื่น",
            "virtues": ["ซื่อสัตย์"],
            "plans": [
                {
                    "name": "ขยายร้านค้าความซื่อสัตย์",
                    "lead_agency": CULTURE,
                    "activities": [
                        {
                            "what": "อบรมครูผู้ดูแลร้านค้า",
                            "lead_agency": EDUCATION,
                            "budget": "50,000",
                            "when": {"months": [11, 12]},
                        },
                        {"what": "เปิดร้านค้าในโรงเรียนใหม่", "lead_agency": EDUCATION},
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
                    "activities": [{"what": "จัดกิจกรรมจิตอาสาเดือนละครั้ง", "lead_agency": COMMUNITY}],
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
)


class Recorded:
    """An event sink that keeps what was published (after each commit)."""

    def __init__(self) -> None:
        self.events: list[Event] = []

    def publish(self, events: Sequence[Event]) -> None:
        self.events.extend(events)

    def publish_live(self, update: LiveUpdate) -> None:
        return None


def on(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, 9, 30, tzinfo=dt.UTC)


def photo_with_gps() -> bytes:
    """A 2400x1800 JPEG from a phone, with its position in the EXIF."""
    image = Image.new("RGB", (2400, 1800), (200, 120, 40))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = (13.0, 45.0, 0.0)
    gps[3] = "E"
    gps[4] = (100.0, 30.0, 0.0)
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


async def _count(rt: Runtime, model: Any) -> int:
    async with rt.read() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def _refused(call: Awaitable[Any], error: type[DomainError], code: str) -> None:
    with pytest.raises(error) as refused:
        await call
    assert refused.value.code == code


Year = Callable[[Runtime, services.Actor, int], Awaitable[None]]


async def _assembly_with_adopted_agenda(rt: Runtime) -> tuple[services.Actor, int, list[int]]:
    """An organizer's assembly whose two items are drafted and adopted; a third is drafted."""
    organizer_user = await services.create_user(
        rt, username="organizer", display_name="ผู้จัด", role="organizer", password=PASSWORD
    )
    organizer = services.Actor(user=organizer_user)
    assembly = await services.create_assembly(
        rt, actor=organizer, name="สมัชชาคุณธรรมจังหวัดทดสอบ", province="ทดสอบ"
    )
    async with rt.read() as session:
        loaded = await services.get_assembly(session, assembly.id, services.WITH_STRUCTURE)
        steps = {s.kind: s.id for s in loaded.steps}
    await services.open_step(rt, actor=organizer, assembly_id=assembly.id, step_id=steps["draft"])
    item_ids = []
    for title, content in (*ITEMS, ("วาระที่ยังไม่รับรอง", {})):
        item = (
            await drafting.create_agenda_items(
                rt, actor=organizer, assembly_id=assembly.id, title=title
            )
        )[0]
        if content:
            await drafting.edit_agenda_item(
                rt,
                actor=organizer,
                assembly_id=assembly.id,
                item_id=item["id"],
                version=item["version"],
                content=content,
            )
        item_ids.append(item["id"])
    await services.open_step(rt, actor=organizer, assembly_id=assembly.id, step_id=steps["adopt"])
    for item_id in item_ids[:2]:
        await consent.set_adopted(
            rt, actor=organizer, assembly_id=assembly.id, item_id=item_id, adopted=True
        )
    return organizer, assembly.id, item_ids


def _run(settings: Settings, year: Callable[..., Awaitable[None]]) -> None:
    async def main() -> None:
        db = Database(settings.resolved_database_url)
        rt = Runtime(db=db, sink=Recorded(), settings=settings)
        try:
            organizer, assembly_id, item_ids = await _assembly_with_adopted_agenda(rt)
            await year(rt, organizer, assembly_id, item_ids)
        finally:
            await db.dispose()

    asyncio.run(main())


def test_a_year_of_follow_up(settings: Settings) -> None:
    async def year(
        rt: Runtime, organizer: services.Actor, assembly_id: int, item_ids: list[int]
    ) -> None:
        sink = rt.sink
        assert isinstance(sink, Recorded)
        a = assembly_id

        # ---- start: the two adopted items frozen, quarterly rounds of fiscal year 2570
        started = await setup.start_followup(rt, actor=organizer, assembly_id=a, today=START)
        assert started["settings"]["fiscal_year"] == 2570
        assert [r["due"] for r in started["settings"]["rounds"]] == [
            "2027-01-15",
            "2027-04-15",
            "2027-07-15",
            "2027-10-15",
        ]
        kinds = [t["kind"] for t in started["added"]]
        first_item = ["item", "plan", "activity", "activity", "indicator"]
        assert kinds == [*first_item, "item", "plan", "activity", "indicator"]
        training = next(t for t in started["added"] if t["name"] == "อบรมครูผู้ดูแลร้านค้า")
        assert (training["budget"], training["deadline"]) == (50000, "2026-12-31")
        assert sink.events[-1].type == EventType.PROGRESS_CHANGED
        assert sink.events[-1].public is None  # phones get a tick
        again = await setup.start_followup(rt, actor=organizer, assembly_id=a, today=START)
        assert again["added"] == []

        # ---- the working group: a secretary and a member with accounts, one without
        chair = await setup.add_member(
            rt,
            actor=organizer,
            assembly_id=a,
            name="นางสาวประธาน ใจดี",
            network_key="government",
            agency=CULTURE,
            role="secretary",
            contact="081-000-0000",
            username="เลขาคณะทำงาน",
            password=PASSWORD,
        )
        member = await setup.add_member(
            rt,
            actor=organizer,
            assembly_id=a,
            name="นายกรรมการ มีสุข",
            network_key="civil_society",
            role="member",
            username="กรรมการหนึ่ง",
            password=PASSWORD,
        )
        delegate = await setup.add_member(rt, actor=organizer, assembly_id=a, name="นางผู้แทน ชุมชน")
        assert delegate["user_id"] is None
        delegate = await setup.update_member(
            rt,
            actor=organizer,
            assembly_id=a,
            member_id=delegate["id"],
            name="นางผู้แทน ชุมชน",
            network_key="religion",
            role="chair",
            username="ผู้แทนชุมชน",
            password=PASSWORD,
        )
        assert (delegate["username"], delegate["role"]) == ("ผู้แทนชุมชน", "chair")
        await setup.remove_member(rt, actor=organizer, assembly_id=a, member_id=delegate["id"])
        await _refused(
            setup.add_member(
                rt, actor=organizer, assembly_id=a, name="ผู้จัดเอง", username="organizer"
            ),
            Conflict,
            "account_has_role",
        )
        await _refused(
            setup.add_member(rt, actor=organizer, assembly_id=a, name="ก", role="boss"),
            InvalidInput,
            "invalid_member_role",
        )
        async with rt.read() as session:
            assembly = await services.get_assembly(session, a)
            secretary_user = await session.get(User, chair["user_id"])
            member_user = await session.get(User, member["user_id"])
            assert secretary_user is not None
            assert member_user is not None
            secretary = services.Actor(user=secretary_user)
            working = services.Actor(user=member_user)
            assert (await services.standing_in(session, assembly, secretary)).role == (
                Role.SECRETARY
            )
            assert (await services.standing_in(session, assembly, working)).role == (
                Role.WORKING_GROUP
            )
        assert [x.id for x in await services.assemblies_for(rt, member_user)] == [a]
        async with rt.read() as session:
            removed = await session.scalar(select(User).where(User.username == "ผู้แทนชุมชน"))
            assert removed is not None
            assert (
                await services.standing_in(session, assembly, services.Actor(user=removed))
            ).role == (Role.ANONYMOUS)

        # ---- agencies: the agenda's came along; the secretary adds a school and assigns it
        view = await setup.followup_view(rt, actor=working, assembly_id=a)
        agencies = {x["name"]: x["id"] for x in view["agencies"]}
        assert set(agencies) == {EDUCATION, CULTURE, COMMUNITY}
        await _refused(
            setup.add_agency(rt, actor=working, assembly_id=a, name=SCHOOL),
            Forbidden,
            "secretary_only",
        )
        school = await setup.add_agency(rt, actor=secretary, assembly_id=a, name=SCHOOL)
        agencies[SCHOOL] = school["id"]
        targets = {t["name"]: t for t in view["targets"]}
        new_shop = targets["เปิดร้านค้าในโรงเรียนใหม่"]
        await setup.assign_target(
            rt,
            actor=secretary,
            assembly_id=a,
            target_id=new_shop["id"],
            agency_id=school["id"],
            person="ครูสมศรี",
        )
        tokens = {
            name: (
                await links.issue_link(rt, actor=secretary, assembly_id=a, agency_id=agency_id)
            ).token
            for name, agency_id in agencies.items()
        }
        view = await setup.followup_view(rt, actor=organizer, assembly_id=a)
        assert all(x["link"] and len(x["link_hint"]) == 4 for x in view["agencies"])
        answered_by = {t["name"]: t["answered_by"] for t in view["targets"]}
        assert answered_by["เปิดร้านค้าในโรงเรียนใหม่"] == school["id"]
        assert answered_by["ขยายร้านค้าความซื่อสัตย์"] == agencies[CULTURE]
        assert answered_by["ร้านค้าความซื่อสัตย์ในโรงเรียน"] is None
        assert not any(tokens[x["name"]] in str(x) for x in view["agencies"])
        page = await reports.reporting_view(
            rt, token=tokens[EDUCATION], today=dt.date(2026, 12, 20)
        )
        assert page["current_round"] == 1
        assert [t["name"] for t in page["targets"]] == [
            "อบรมครูผู้ดูแลร้านค้า",
            "จำนวนโรงเรียนที่มีร้านค้าความซื่อสัตย์",
        ]
        page = await reports.reporting_view(rt, token=tokens[SCHOOL])
        assert [t["name"] for t in page["targets"]] == ["เปิดร้านค้าในโรงเรียนใหม่"]

        # ---- four quarterly rounds, each sent before its due date but one
        schools = ["15", "25", "35", "45"]  # target 50 by the year's end: not reached
        households = ["ร้อยละ ๓๐", "ร้อยละ ๔๐", "ร้อยละ ๕๐", "ร้อยละ ๖๐"]
        days = [
            dt.date(2027, 1, 10),
            dt.date(2027, 4, 20),
            dt.date(2027, 7, 5),
            dt.date(2027, 10, 1),
        ]
        indicator_1 = targets["จำนวนโรงเรียนที่มีร้านค้าความซื่อสัตย์"]["id"]
        indicator_2 = targets["ครัวเรือนที่ร่วมกิจกรรมจิตอาสา"]["id"]
        volunteering = targets["จัดกิจกรรมจิตอาสาเดือนละครั้ง"]["id"]
        late = []
        for number, (day, value_1, value_2) in enumerate(
            zip(days, schools, households, strict=True), start=1
        ):
            sent = await reports.submit_report(
                rt,
                token=tokens[EDUCATION],
                target_id=indicator_1,
                round_number=number,
                client_key=f"edu-ind-{number}",
                value=value_1,
                measured_on=day,
                source="ระบบข้อมูลโรงเรียน",
                now=on(day),
            )
            late.append(sent["late"])
            await reports.submit_report(
                rt,
                token=tokens[COMMUNITY],
                target_id=indicator_2,
                client_key=f"com-ind-{number}",
                round_number=number,
                value=value_2,
                measured_on=day,
                now=on(day),
            )
            await reports.submit_report(
                rt,
                token=tokens[COMMUNITY],
                target_id=volunteering,
                client_key=f"com-act-{number}",
                round_number=number,
                status="done" if number == 4 else "in_progress",
                done="จัดกิจกรรมครบทุกเดือน",
                people_reached="๑,๒๐๐ คน",
                money_spent="12,500 บาท",
                worked="ผู้นำชุมชนชวนกันเอง",
                not_worked="ฝนตกบ่อย",
                change="ย้ายไปจัดในศาลาวัด",
                now=on(day),
            )
        assert late == [False, True, False, False]  # round 2 was due on 15 April
        rows = await reports.reporting_view(rt, token=tokens[COMMUNITY], today=days[-1])
        assert {t["name"]: t["reported_rounds"] for t in rows["targets"]} == {
            "จัดกิจกรรมจิตอาสาเดือนละครั้ง": [1, 2, 3, 4],
            "ครัวเรือนที่ร่วมกิจกรรมจิตอาสา": [1, 2, 3, 4],
        }
        async with rt.read() as session:
            stored = await session.scalar(
                select(FollowupReport).where(FollowupReport.client_key == "com-act-1")
            )
            assert stored is not None
            assert (stored.people_reached, stored.money_spent, stored.round) == (1200, 12500, 1)

        # ---- a resend from the outbox is stored once
        reports_before = await _count(rt, FollowupReport)
        first = await reports.submit_report(
            rt,
            token=tokens[SCHOOL],
            target_id=new_shop["id"],
            client_key="school-outbox-1",
            status="in_progress",
            done="เตรียมชั้นวางของ",
            photos=[photo_with_gps()],
            now=on(dt.date(2027, 3, 1)),
        )
        resent = await reports.submit_report(
            rt,
            token=tokens[SCHOOL],
            target_id=new_shop["id"],
            client_key="school-outbox-1",
            status="in_progress",
            done="เตรียมชั้นวางของ",
            photos=[photo_with_gps()],
            now=on(dt.date(2027, 3, 2)),
        )
        assert (first["stored"], resent["stored"], resent["id"]) == (True, False, first["id"])
        assert first["round"] == 2
        assert await _count(rt, FollowupReport) == reports_before + 1
        assert await _count(rt, FollowupPhoto) == 1

        # ---- the photo: a JPEG of at most 1600 px, without EXIF (no GPS position)
        kept = await reports.photo(rt, actor=working, assembly_id=a, photo_id=first["photo_ids"][0])
        image = Image.open(io.BytesIO(kept.data))
        assert image.format == "JPEG"
        assert (image.width, image.height) == (kept.width, kept.height) == (1600, 1200)
        assert not image.getexif()
        assert b"Exif" not in kept.data
        assert b"PhoneMaker" not in kept.data
        await _refused(
            reports.photo(
                rt, actor=services.Actor(), assembly_id=a, photo_id=first["photo_ids"][0]
            ),
            DomainError,
            "not_authenticated",
        )

        # ---- bad input: nothing half-stored
        photos_before, reports_before = (
            await _count(rt, FollowupPhoto),
            await _count(rt, FollowupReport),
        )
        await _refused(
            reports.submit_report(
                rt,
                token=tokens[SCHOOL],
                target_id=new_shop["id"],
                status="done",
                photos=[photo_with_gps(), b"GIF89a but not really an image"],
            ),
            InvalidInput,
            "invalid_photo",
        )
        await _refused(
            reports.submit_report(
                rt, token=tokens[SCHOOL], target_id=new_shop["id"], status="finished"
            ),
            InvalidInput,
            "invalid_status",
        )
        await _refused(
            reports.submit_report(
                rt,
                token=tokens[SCHOOL],
                target_id=new_shop["id"],
                status="done",
                people_reached="many",
            ),
            InvalidInput,
            "invalid_people_reached",
        )
        await _refused(
            reports.submit_report(rt, token=tokens[EDUCATION], target_id=indicator_1, value=""),
            InvalidInput,
            "value_required",
        )
        await _refused(
            reports.submit_report(rt, token=tokens[SCHOOL], target_id=indicator_2, value="1"),
            Forbidden,
            "not_your_target",
        )
        await _refused(
            reports.submit_report(
                rt, token=tokens[SCHOOL], target_id=new_shop["id"], status="done", round_number=9
            ),
            InvalidInput,
            "invalid_round",
        )
        assert await _count(rt, FollowupPhoto) == photos_before
        assert await _count(rt, FollowupReport) == reports_before

        # ---- a revoked link is refused; a rotated one replaces the old
        await links.revoke_link(rt, actor=secretary, assembly_id=a, agency_id=school["id"])
        await _refused(
            reports.submit_report(
                rt, token=tokens[SCHOOL], target_id=new_shop["id"], status="done"
            ),
            Forbidden,
            "link_revoked",
        )
        await _refused(reports.reporting_view(rt, token="made-up"), NotFound, "invalid_link")
        rotated = await links.issue_link(
            rt, actor=secretary, assembly_id=a, agency_id=agencies[EDUCATION]
        )
        await _refused(
            reports.reporting_view(rt, token=tokens[EDUCATION]), NotFound, "invalid_link"
        )
        assert (await reports.reporting_view(rt, token=rotated.token))["agency"]["name"] == (
            EDUCATION
        )

        # ---- a learning note of the working group; the public page switch
        await setup.add_note(
            rt,
            actor=working,
            assembly_id=a,
            target_id=targets["ร้านค้าความซื่อสัตย์ในโรงเรียน"]["id"],
            worked="ครูเป็นแบบอย่าง",
            change="ให้นักเรียนดูแลร้านเอง",
        )
        await _refused(
            setup.set_public_page(rt, actor=working, assembly_id=a, public=True),
            Forbidden,
            "secretary_only",
        )
        assert (await setup.set_public_page(rt, actor=secretary, assembly_id=a, public=True))[
            "public_page"
        ]

        # ---- an item adopted later is added by starting again, and only it
        await consent.set_adopted(
            rt, actor=organizer, assembly_id=a, item_id=item_ids[2], adopted=True
        )
        again = await setup.start_followup(rt, actor=organizer, assembly_id=a)
        assert [t["name"] for t in again["added"]] == ["วาระที่ยังไม่รับรอง"]

        await _after_the_year(rt, organizer, secretary, working, a)

    _run(settings, year)


async def _after_the_year(
    rt: Runtime,
    organizer: services.Actor,
    secretary: services.Actor,
    working: services.Actor,
    assembly_id: int,
) -> None:
    """The board at the end of the year, next year's assembly, and rounds set by hand."""
    a = assembly_id
    end = dt.date(2027, 10, 20)

    # ---- the board: tracks by the rule, activities by status, overdue, lessons, late
    board = await board_module.gather_board(rt, actor=working, assembly_id=a, today=end)
    shop, volunteering, later = board.items
    assert (later.item.title, later.indicators, later.activities) == ("วาระที่ยังไม่รับรอง", (), ())
    tracks = {i.name: i.track for item in board.items for i in item.indicators}
    # 10 -> 50 by the end of the fiscal year; 45 on 1 October is 7/8 of the way at the end of
    # the path: behind by less than 0.25, so at risk. 20 -> 60 per cent, 60 measured: reached.
    assert tracks == {
        "จำนวนโรงเรียนที่มีร้านค้าความซื่อสัตย์": Track.AT_RISK,
        "ครัวเรือนที่ร่วมกิจกรรมจิตอาสา": Track.REACHED,
    }
    assert [i.latest_text for i in shop.indicators] == ["45"]
    statuses = {x.activity.what: x.status for item in board.items for x in item.activities}
    assert statuses == {
        "อบรมครูผู้ดูแลร้านค้า": ActivityStatus.NOT_STARTED,
        "เปิดร้านค้าในโรงเรียนใหม่": ActivityStatus.IN_PROGRESS,
        "จัดกิจกรรมจิตอาสาเดือนละครั้ง": ActivityStatus.DONE,
    }
    opening = next(x for x in shop.activities if x.activity.what == "เปิดร้านค้าในโรงเรียนใหม่")
    assert (opening.activity.agency, opening.activity.person) == (SCHOOL, "ครูสมศรี")
    assert len(opening.photo_ids) == 1
    assert volunteering.people_reached == 4 * 1200
    assert volunteering.money_spent == 4 * 12500
    overdue = {x.agency: x.missing for x in board.overdue}
    assert overdue[EDUCATION] == 4  # the training was never reported
    assert overdue[SCHOOL] == 3  # the shop was reported in round 2 only
    assert COMMUNITY not in overdue
    assert board.counts.late_reports == 3  # round 2 of the three sent on 20 April
    assert [lesson.change for lesson in volunteering.lessons] == ["ย้ายไปจัดในศาลาวัด"] * 4
    assert [lesson.worked for lesson in shop.lessons] == ["ครูเป็นแบบอย่าง"]

    # ---- the quarterly report, opened with python-docx; every report in the CSV
    docx = await board_module.progress_report_docx(
        rt, actor=working, assembly_id=a, round_number=4, today=end
    )
    document = Document(io.BytesIO(docx))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "ไตรมาสที่ ๔" in text
    assert "ทดสอบ" in text
    assert len(document.inline_shapes) == 2  # one chart per indicator
    cells = {c.text for t in document.tables for row in t.rows for c in row.cells}
    assert "จำนวนโรงเรียนที่มีร้านค้าความซื่อสัตย์" in " ".join(cells)
    await _refused(
        board_module.progress_report_docx(rt, actor=working, assembly_id=a, round_number=9),
        NotFound,
        "round_not_found",
    )
    rows = list(
        csv.reader(
            io.StringIO(
                (await board_module.progress_csv(rt, actor=working, assembly_id=a)).decode(
                    "utf-8-sig"
                )
            )
        )
    )
    # a header, every report, and the working group's note (a lesson of no report)
    assert len(rows) == 1 + await _count(rt, FollowupReport) + 1

    # ---- the public page: the same numbers, no names of people, no photos
    public = await board_module.public_board(rt, assembly_id=a, today=end)
    assert [i.track for item in public.items for i in item.indicators] == list(tracks.values())
    assert "ครูสมศรี" not in repr(public)
    assert "นายกรรมการ" not in repr(public)
    assert all(not x.photo_ids for item in public.items for x in item.activities)
    await _refused(
        board_module.gather_board(rt, actor=services.Actor(), assembly_id=a),
        DomainError,
        "not_authenticated",
    )

    # ---- next year's assembly: same networks, the unfinished item carried with its values
    await _refused(
        next_year.carry_over(rt, actor=secretary, assembly_id=a, today=end),
        Forbidden,
        "organizer_only",
    )
    made = await next_year.carry_over(
        rt, actor=organizer, assembly_id=a, name="สมัชชาคุณธรรมจังหวัดทดสอบ ปี ๒๕๗๑", today=end
    )
    assert [x["title"] for x in made["items"]] == ["ร้านค้าความซื่อสัตย์ในโรงเรียน"]
    assert made["items"][0]["previous_item_id"] == shop.item_id
    new_id = made["assembly_id"]
    # a second press (a double tap, a reload) makes no second assembly
    await _refused(
        next_year.carry_over(rt, actor=organizer, assembly_id=a, today=end),
        Conflict,
        "next_year_exists",
    )
    async with rt.read() as session:
        old = await services.get_assembly(session, a, services.WITH_STRUCTURE)
        new = await services.get_assembly(session, new_id, services.WITH_STRUCTURE)
        assert [n.key for n in new.networks] == [n.key for n in old.networks]
        assert [s.kind for s in new.steps] == [s.kind for s in old.steps]
        item = await session.get(AgendaItem, made["items"][0]["id"])
        assert item is not None
        assert (item.adopted, item.assembly_id) == (False, new_id)
        assert [(i["name"], i["baseline"], i["target"]) for i in item.indicators] == [
            ("จำนวนโรงเรียนที่มีร้านค้าความซื่อสัตย์", "45", "50")
        ]
        assert [a["what"] for p in item.plans for a in p["activities"]] == [
            "อบรมครูผู้ดูแลร้านค้า",
            "เปิดร้านค้าในโรงเรียนใหม่",
        ]
    last_year = await next_year.previous_board(rt, actor=organizer, assembly_id=new_id, today=end)
    assert last_year is not None
    assert [i.item.title for i in last_year.items] == [i.item.title for i in board.items]
    assert await next_year.previous_board(rt, actor=organizer, assembly_id=a) is None
    [row] = await next_year.year_on_year(rt, actor=organizer, assembly_id=new_id, today=end)
    assert (row.last_baseline, row.last_target, row.last_latest, row.baseline) == (
        "10",
        "50",
        "45",
        "45",
    )
    assert row.last_track == Track.AT_RISK

    # ---- proposals of next year tagged against last year's items
    async with rt.read() as session:
        new = await services.get_assembly(session, new_id, services.WITH_STRUCTURE)
        collect = next(s.id for s in new.steps if s.kind == "collect")
    await services.open_step(rt, actor=organizer, assembly_id=new_id, step_id=collect)
    for device in ("phone-1", "phone-2"):
        await joining.join_assembly(
            rt, join_code=new.join_code, device_hash=device, network_key="education"
        )
    author, other = services.Actor(device_hash="phone-1"), services.Actor(device_hash="phone-2")
    proposal = await proposals.submit_proposal(
        rt, actor=author, assembly_id=new_id, text="ขยายร้านค้าความซื่อสัตย์ให้ครบทุกอำเภอ"
    )
    proposal_id = proposal.proposal["id"]
    tagged = await next_year.tag_proposal(
        rt,
        actor=author,
        assembly_id=new_id,
        proposal_id=proposal_id,
        previous_item_id=shop.item_id,
        tag="continue",
    )
    assert tagged["tag"] == "continue"
    await _refused(
        next_year.tag_proposal(
            rt,
            actor=other,
            assembly_id=new_id,
            proposal_id=proposal_id,
            previous_item_id=shop.item_id,
            tag="stop",
        ),
        Forbidden,
        "not_your_proposal",
    )
    await _refused(
        next_year.tag_proposal(
            rt,
            actor=organizer,
            assembly_id=new_id,
            proposal_id=proposal_id,
            previous_item_id=volunteering.indicators[0].target_id,
            tag="change",
        ),
        NotFound,
        "previous_item_not_found",
    )
    await next_year.tag_proposal(
        rt,
        actor=organizer,
        assembly_id=new_id,
        proposal_id=proposal_id,
        previous_item_id=shop.item_id,
        tag="change",
    )
    assert await next_year.tags(rt, actor=author, assembly_id=new_id) == {
        proposal_id: (shop.item_id, "change")
    }

    # ---- rounds set by hand; the secretary may, the working group may not start again
    await _refused(
        setup.start_followup(rt, actor=working, assembly_id=a),
        Forbidden,
        "secretary_only",
    )
    rounds = await setup.set_rounds(
        rt,
        actor=secretary,
        assembly_id=a,
        rounds=[
            {"label": "ครึ่งปีแรก", "due": "2027-04-15"},
            {"label": "ครึ่งปีหลัง", "due": "๒๐๒๗-๑๐-๑๕"},
        ],
    )
    assert [(r["number"], r["due"]) for r in rounds["rounds"]] == [
        (1, "2027-04-15"),
        (2, "2027-10-15"),
    ]
    await _refused(
        setup.set_rounds(
            rt,
            actor=secretary,
            assembly_id=a,
            rounds=[{"due": "2027-04-15"}, {"due": "2027-01-15"}],
        ),
        InvalidInput,
        "rounds_out_of_order",
    )
