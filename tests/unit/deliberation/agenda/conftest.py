"""A realistic Thai agenda document (Phichit, November 2026) for the agenda renderer tests."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import replace

import pytest

from assembly.thai_format import fiscal_quarter
from deliberation.agenda.document import (
    Activity,
    AgendaDocument,
    AgendaItem,
    ConsentCount,
    ConsentResult,
    Cover,
    DocumentOptions,
    Indicator,
    IssueResult,
    MechanismMember,
    NetworkParticipation,
    NetworkShare,
    Objection,
    Plan,
    Prioritisation,
    Proposal,
    ProposalGroup,
    TargetVirtue,
    Timing,
)
from deliberation.agenda.render_docx import render_docx

ASSEMBLY_DAY = dt.date(2026, 11, 27)
NETWORK_KEYS = ("government", "business", "civil_society", "education", "religion", "media")


def _shares(*values: float | None) -> tuple[NetworkShare, ...]:
    return tuple(NetworkShare(key, value) for key, value in zip(NETWORK_KEYS, values, strict=True))


def build_sample(**changes: object) -> AgendaDocument:
    """A complete document; keyword arguments replace top-level fields."""
    joined = (48, 21, 37, 29, 15, 10)
    total = sum(joined)
    names = (
        "ภาครัฐ",
        "ภาคธุรกิจ เอกชน",
        "ภาคประชาสังคม ชุมชน ครอบครัว เด็กและเยาวชน",
        "องค์กรการศึกษา",
        "องค์กรศาสนา",
        "สื่อมวลชน",
    )
    waste = AgendaItem(
        title="ขยะล้นเมืองและการคัดแยกขยะในชุมชน",
        goal="ชุมชนในจังหวัดพิจิตรคัดแยกขยะต้นทางและลดขยะที่ส่งไปบ่อกำจัดลงร้อยละ 30 ภายในปี 2570",
        virtues=("พอเพียง", "วินัย", "จิตอาสา"),
        plans=(
            Plan(
                name="โครงการบ้าน วัด โรงเรียน ร่วมใจคัดแยกขยะ (บวร.)",
                activities=(
                    Activity(
                        what="อบรมแกนนำคัดแยกขยะประจำหมู่บ้าน หมู่บ้านละ 5 คน",
                        networks=("government", "civil_society"),
                        agencies=("สำนักงานทรัพยากรธรรมชาติและสิ่งแวดล้อมจังหวัดพิจิตร",),
                        when=Timing(months=(12, 1), fiscal_year=2570),
                    ),
                    Activity(
                        what="ตั้งธนาคารขยะในโรงเรียนและวัด",
                        networks=("education", "religion"),
                        agencies=("สำนักงานเขตพื้นที่การศึกษาประถมศึกษาพิจิตร เขต 1",),
                        when=Timing(months=(1, 2, 3), fiscal_year=2570),
                    ),
                ),
            ),
            Plan(
                name="แผนงานสื่อสารรณรงค์ “พิจิตรเมืองสะอาด”",
                activities=(
                    Activity(
                        what="รายการวิทยุชุมชนและเพจเฟซบุ๊กเผยแพร่ชุมชนต้นแบบเดือนละครั้ง",
                        networks=("media",),
                        when=Timing(months=(10, 11, 12, 1, 2, 3, 4, 5, 6, 7, 8, 9)),
                    ),
                ),
            ),
        ),
        indicators=(
            Indicator(
                name="ปริมาณขยะที่ส่งไปบ่อกำจัดลดลง",
                unit="ร้อยละ",
                baseline="0",
                target="30",
                deadline=Timing(date=dt.date(2027, 9, 30)),
                data_source="รายงานปริมาณขยะขององค์กรปกครองส่วนท้องถิ่น",
                network="government",
            ),
            Indicator(
                name="หมู่บ้านที่มีธนาคารขยะ",
                unit="หมู่บ้าน",
                baseline="12",
                target="120",
                deadline=Timing(fiscal_year=2570),
                data_source="สำนักงานพัฒนาชุมชนจังหวัด",
                network="civil_society",
            ),
        ),
        consent=ConsentResult(
            adopted=True,
            counts=(
                ConsentCount("government", agree=40, can_live_with=6, objecting=0),
                ConsentCount("business", agree=15, can_live_with=5, objecting=1),
                ConsentCount("civil_society", agree=33, can_live_with=3, objecting=0),
                ConsentCount("education", agree=25, can_live_with=4, objecting=0),
                ConsentCount("religion", agree=14, can_live_with=1, objecting=0),
                ConsentCount("media", agree=9, can_live_with=1, objecting=0),
            ),
            objections=(Objection("business", "ต้นทุนรถเก็บขยะแยกประเภทสูงสำหรับผู้ประกอบการรายย่อย"),),
        ),
        mechanism=(
            MechanismMember(
                "government", "ผู้อำนวยการสำนักงานวัฒนธรรมจังหวัดพิจิตร", "สำนักงานวัฒนธรรมจังหวัด", "ประธาน"
            ),
            MechanismMember("religion", "พระครูสังฆรักษ์", "วัดท่าหลวง", "ที่ปรึกษา"),
            MechanismMember("media", "นางสาวสมใจ ใจดี", "สถานีวิทยุชุมชนคนพิจิตร", "ผู้ประสานงาน"),
        ),
    )
    traffic = AgendaItem(
        title="วินัยจราจรและการสวมหมวกนิรภัย",
        goal="ผู้ขับขี่รถจักรยานยนต์สวมหมวกนิรภัยร้อยละ 80",
        virtues=("วินัย",),
        plans=(
            Plan(
                name="โครงการหมวกกันน็อกครบ 100%",
                activities=(
                    Activity(
                        what="ด่านชุมชนหน้าโรงเรียนทุกเช้าวันจันทร์",
                        networks=("education", "government"),
                        agencies=("ตำรวจภูธรจังหวัดพิจิตร",),
                        when=Timing(note="ทุกวันจันทร์ ตลอดปีการศึกษา"),
                    ),
                ),
            ),
        ),
        indicators=(
            Indicator(
                name="ผู้ขับขี่รถจักรยานยนต์ที่สวมหมวกนิรภัย",
                unit="ร้อยละ",
                baseline="43",
                target="80",
                deadline=Timing(fiscal_year=2570),
                data_source="การสำรวจของมูลนิธิไทยโรดส์",
                network="government",
            ),
        ),
        consent=ConsentResult(
            adopted=True,
            counts=(ConsentCount("government", agree=30, can_live_with=2),),
        ),
        mechanism=(MechanismMember("government", "ผู้กำกับการตำรวจภูธรจังหวัด", "ตำรวจภูธรจังหวัดพิจิตร"),),
    )
    sample = AgendaDocument(
        cover=Cover(
            assembly_name="สมัชชาคุณธรรมจังหวัดพิจิตร ครั้งที่ 1 ประจำปี 2569",
            province="พิจิตร",
            date=ASSEMBLY_DAY,
            venue="หอประชุมศาลากลางจังหวัดพิจิตร",
            organizer="สำนักงานวัฒนธรรมจังหวัดพิจิตร ร่วมกับศูนย์คุณธรรม (องค์การมหาชน)",
            background=(
                "จังหวัดพิจิตรร่วมขับเคลื่อนจังหวัดคุณธรรมตามแผนแม่บทส่งเสริมคุณธรรมแห่งชาติ\n\n"
                "สมัชชาครั้งนี้ใช้กระบวนการสมัชชาคุณธรรมเพื่อให้ได้เป้าหมาย แผนงาน กิจกรรม "
                "และตัวชี้วัดความสำเร็จร่วมกันของเครือข่าย ๖ ภาคส่วน"
            ),
        ),
        participation=tuple(
            NetworkParticipation(key, name, count, count / total)
            for key, name, count in zip(NETWORK_KEYS, names, joined, strict=True)
        ),
        virtues=(
            TargetVirtue("พอเพียง", votes=92),
            TargetVirtue("วินัย", votes=81),
            TargetVirtue("สุจริต", votes=77),
            TargetVirtue("จิตอาสา", votes=64),
        ),
        prioritisation=Prioritisation(
            method="ลงคะแนนแบบติดจุด คนละ 3 จุด",
            voters=152,
            value_label="จำนวนจุด",
            issues=(
                IssueResult(1, waste.title, 212, _shares(0.8, 0.6, 0.9, 0.7, 0.8, 0.6), 0.73, 1),
                IssueResult(2, traffic.title, 187, _shares(0.9, 0.4, 0.5, 0.8, 0.2, 0.7), 0.55, 2),
                IssueResult(
                    3,
                    "การทุจริตและความโปร่งใสในหน่วยงาน",
                    150,
                    _shares(0.3, 0.7, 0.6, 0.4, 0.5, 0.9),
                    0.54,
                    3,
                ),
                IssueResult(
                    3,
                    "เยาวชนกับยาเสพติดและอบายมุข",
                    150,
                    _shares(0.2, 0.1, 0.95, 0.9, 0.6, None),
                    0.31,
                    4,
                ),
            ),
        ),
        items=(waste, traffic),
        proposals=(
            ProposalGroup(
                waste.title,
                (
                    Proposal("ขยะล้นถังหน้าตลาดสดทุกเช้า", "civil_society", 14),
                    Proposal("โรงเรียนควรสอนคัดแยกขยะจริงจัง", "education", 9),
                    Proposal("วัดเป็นจุดรับขยะรีไซเคิลได้", "religion", 6),
                ),
            ),
            ProposalGroup(
                traffic.title,
                (
                    Proposal("เด็กนักเรียนไม่สวมหมวกกันน็อก", "education", 11),
                    Proposal("ด่านตรวจเฉพาะช่วงเทศกาล", "", 2),
                ),
            ),
        ),
        options=DocumentOptions(),
        prepared_on=dt.date(2026, 11, 28),
    )
    return replace(sample, **changes)  # type: ignore[arg-type]


def one_quarter(months: tuple[int, ...]) -> int | None:
    """The fiscal quarter all these months fall in, if they fall in one."""
    quarters = {fiscal_quarter(month) for month in months}
    return quarters.pop() if len(quarters) == 1 else None


@pytest.fixture
def sample_document() -> AgendaDocument:
    """A complete agenda document with Thai numerals and Buddhist-era dates."""
    return build_sample()


@pytest.fixture(scope="session")
def sample_docx() -> bytes:
    """The sample rendered once as DOCX (rendering is the slow part; reading it is cheap)."""
    return render_docx(build_sample())


@pytest.fixture
def make_document() -> Callable[..., AgendaDocument]:
    """The sample factory: make_document(items=(), prioritisation=None) for partial documents."""
    return build_sample


def build_adoptable() -> AgendaDocument:
    """The sample as issue 17 wants it: budgets, agencies and contacts, a handled objection,
    two counted votes and a trial, the approval block and the announcement's date."""
    from deliberation.agenda.document import (
        AdoptionRule,
        NetworkTurnout,
        SetAsideVote,
        Signatory,
    )

    sample = build_sample()
    waste, traffic = sample.items
    budgets = iter((85_000, 120_000, 0))
    funding = iter(("งบจังหวัด", "อปท.", "ไม่ใช้งบประมาณ"))
    plans = tuple(
        replace(
            plan,
            lead_agency="สำนักงานทรัพยากรธรรมชาติและสิ่งแวดล้อมจังหวัดพิจิตร" if n == 0 else "",
            contact="นายสมชาย รักษ์ดี 056-612-345" if n == 0 else "",
            activities=tuple(
                replace(
                    a,
                    budget=next(budgets),
                    funding=next(funding),
                    lead_agency=a.agencies[0] if a.agencies else "ประชาสัมพันธ์จังหวัดพิจิตร",
                    contact="กองสาธารณสุข 056-611-111" if n == 0 else "",
                    when=replace(a.when, quarter=one_quarter(a.when.months) if n == 0 else None),
                )
                for a in plan.activities
            ),
        )
        for n, plan in enumerate(waste.plans)
    )
    indicators = tuple(replace(i, reporting_agency="สำนักงานท้องถิ่นจังหวัด") for i in waste.indicators)
    assert waste.consent is not None
    consent = replace(
        waste.consent,
        objections=tuple(
            replace(o, handling="amended", note="เพิ่มงบสนับสนุนรถเก็บขยะจาก อปท.")
            for o in waste.consent.objections
        ),
    )
    waste = replace(waste, plans=plans, indicators=indicators, consent=consent)
    turnout = tuple(NetworkTurnout(p.key, p.joined, p.joined - 3) for p in sample.participation)
    assert sample.prioritisation is not None
    issues_vote = replace(sample.prioritisation, subject="ประเด็น", turnout=turnout)
    virtues_vote = replace(
        sample.prioritisation,
        method="ลงคะแนนเห็นชอบ (เลือกได้ไม่เกิน 2 ข้อ)",
        subject="คุณธรรมเป้าหมาย",
        value_label="จำนวนเสียง",
        turnout=turnout,
        issues=tuple(
            IssueResult(i, v.name, float(v.votes or 0), (), None, None)
            for i, v in enumerate(sample.virtues, start=1)
        ),
    )
    return replace(
        sample,
        items=(waste, traffic),
        votes=(issues_vote, virtues_vote),
        set_aside=(SetAsideVote(2, "ลงคะแนนแบบติดจุด (3 จุดต่อคน)", 2, "trial"),),
        rule=AdoptionRule("threshold", 75),
        approval=(
            Signatory("ผู้เสนอ", "นายสมศักดิ์ ใจงาม", "ประธานคณะทำงานขับเคลื่อนสมัชชาคุณธรรมจังหวัดพิจิตร"),
            Signatory("ผู้เห็นชอบ", "นายวิชัย ธรรมดี", "ผู้ว่าราชการจังหวัดพิจิตร"),
        ),
        announced_on=dt.date(2026, 12, 15),
    )


@pytest.fixture(scope="session")
def adoptable_document() -> AgendaDocument:
    return build_adoptable()
