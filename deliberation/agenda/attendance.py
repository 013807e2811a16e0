"""The attendance sheet (บัญชีลงเวลา/ลงลายมือชื่อผู้เข้าร่วม) official events need for
reimbursement: participants by network with name and organisation, counts per network, and a
printable sign-in sheet with a signature column.

Why here and in blocks: the sheet is laid out once (`attendance_layout`) with the agenda's
own block types, so the printable HTML and the DOCX render it as they render the agenda.
Who joined on paper (participants.source == "paper", entered by table assistants) is marked:
their signature on the printed sheet is their record of attendance.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from assembly.models import Participant
from assembly.runtime import Runtime
from assembly.services import Actor, authorized, get_assembly, network_counts
from assembly.steps import Action
from assembly.thai_format import thai_number
from deliberation.agenda.document import (
    DASH,
    Block,
    Cover,
    DocumentOptions,
    Heading,
    Paragraph,
    Table,
    TitlePage,
    agenda_title,
    document_digits,
    format_date,
)
from deliberation.agenda.gather import document_settings
from deliberation.agenda.render_csv import render_csv

SOURCE_NAMES = {"phone": "โทรศัพท์", "paper": "กระดาษ"}
PAPER_MARK = "กระดาษ"
# Blank rows per network at the end of the sheet, for people who arrive without a record.
BLANK_ROWS = 3


@dataclass(frozen=True)
class Attendee:
    network: str  # key
    name: str
    organisation: str
    source: str  # "phone" | "paper"


@dataclass(frozen=True)
class AttendanceSheet:
    cover: Cover
    networks: tuple[tuple[str, str, int], ...]  # (key, Thai name, joined) in assembly order
    attendees: tuple[Attendee, ...]
    options: DocumentOptions = field(default_factory=DocumentOptions)


def attendance_layout(sheet: AttendanceSheet) -> tuple[Block, ...]:
    """Title, counts per network, then per network a numbered sign-in table."""
    thai = sheet.options.thai_numerals

    def n(value: int) -> str:
        return thai_number(value, thai, grouping=True)

    lines = []
    if sheet.cover.date is not None:
        lines.append(f"วันที่ {format_date(sheet.cover.date, sheet.options)}")
    if sheet.cover.venue.strip():
        lines.append(f"ณ {sheet.cover.venue.strip()}")
    blocks: list[Block] = [
        TitlePage(
            "บัญชีรายชื่อผู้เข้าร่วมสมัชชาคุณธรรม",
            f"{sheet.cover.assembly_name.strip()} ({agenda_title(sheet.cover)})",
            tuple(lines),
        )
    ]
    total = sum(joined for _, _, joined in sheet.networks)
    paper = sum(1 for a in sheet.attendees if a.source == "paper")
    blocks.append(Heading("", "จำนวนผู้เข้าร่วมจำแนกตามเครือข่าย", 1))
    blocks.append(
        Table(
            header=("ที่", "เครือข่าย", "ผู้เข้าร่วม (คน)", "ร่วมทางกระดาษ (คน)"),
            rows=tuple(
                (
                    n(i),
                    name,
                    n(joined),
                    n(sum(1 for a in sheet.attendees if a.network == key and a.source == "paper")),
                )
                for i, (key, name, joined) in enumerate(sheet.networks, start=1)
            ),
            widths=(10, 80, 34, 36),
            numeric=(True, False, True, True),
            total=("", "รวม", n(total), n(paper)),
        )
    )
    for key, name, joined in sheet.networks:
        people = [a for a in sheet.attendees if a.network == key]
        blocks.append(
            Heading("", f"เครือข่าย{name.removeprefix('เครือข่าย')} ({n(joined)} คน)", 2, True)
        )
        blocks.append(
            Paragraph("ผู้ที่ร่วมทางกระดาษ (ทำเครื่องหมาย “กระดาษ”) โปรดลงลายมือชื่อ", label="หมายเหตุ:")
        )
        rows = [
            (
                n(i),
                person.name or DASH,
                person.organisation or DASH,
                SOURCE_NAMES.get(person.source, person.source),
                "",
            )
            for i, person in enumerate(people, start=1)
        ]
        rows += [(n(len(people) + j), "", "", "", "") for j in range(1, BLANK_ROWS + 1)]
        blocks.append(
            Table(
                header=("ที่", "ชื่อ-สกุล", "หน่วยงาน/องค์กร", "วิธีเข้าร่วม", "ลายมือชื่อ"),
                rows=tuple(rows),
                widths=(8, 46, 46, 20, 40),
                numeric=(True, False, False, True, False),
            )
        )
    if thai:
        return tuple(_digits(block) for block in blocks)
    return tuple(blocks)


def _digits(block: Block) -> Block:
    import dataclasses

    def fix(value: object) -> object:
        if isinstance(value, str):
            return document_digits(value)
        if isinstance(value, tuple):
            return tuple(fix(v) for v in value)
        return value

    names = {"level", "page_break", "widths", "numeric"}
    return dataclasses.replace(
        block,
        **{
            f.name: fix(getattr(block, f.name))
            for f in dataclasses.fields(block)
            if f.name not in names
        },
    )


ATTENDANCE_HEADER = ("ที่", "รหัสเครือข่าย", "เครือข่าย", "ชื่อ-สกุล", "หน่วยงาน/องค์กร", "วิธีเข้าร่วม")


def attendance_csv(sheet: AttendanceSheet) -> bytes:
    """One row per participant (those without a name included: they are counted)."""
    names = {key: name for key, name, _ in sheet.networks}
    rows: Sequence[tuple[object, ...]] = [
        (
            i,
            a.network,
            names.get(a.network, a.network),
            a.name,
            a.organisation,
            SOURCE_NAMES.get(a.source, a.source),
        )
        for i, a in enumerate(sheet.attendees, start=1)
    ]
    return render_csv(rows, ATTENDANCE_HEADER)


async def gather_attendance(session: AsyncSession, assembly_id: int) -> AttendanceSheet:
    assembly = await get_assembly(session, assembly_id)
    settings = await document_settings(session, assembly_id)
    counts = await network_counts(session, assembly)
    key_of = {n.id: n.key for n in assembly.networks}
    order = {n["key"]: i for i, n in enumerate(counts)}
    people = await session.scalars(
        select(Participant).where(Participant.assembly_id == assembly_id).order_by(Participant.id)
    )
    attendees = sorted(
        (
            Attendee(
                key_of.get(p.network_id, ""),
                (p.display_name or "").strip(),
                (p.organisation or "").strip(),
                p.source or "phone",
            )
            for p in people
        ),
        key=lambda a: order.get(a.network, len(order)),  # join order within a network
    )
    return AttendanceSheet(
        cover=Cover(
            assembly_name=assembly.name,
            province=assembly.province,
            date=assembly.held_on,
            venue=assembly.venue,
        ),
        networks=tuple((n["key"], n["name_th"], int(n["joined"])) for n in counts),
        attendees=tuple(attendees),
        options=DocumentOptions(settings.thai_numerals, settings.buddhist_era),
    )


async def attendance_sheet(rt: Runtime, *, actor: Actor, assembly_id: int) -> AttendanceSheet:
    """The sheet for staff of the assembly (names and organisations are personal data)."""
    async with rt.read() as session:
        await authorized(session, assembly_id, actor, Action.VIEW_CONSOLE)
        return await gather_attendance(session, assembly_id)
