"""The provincial announcement (ประกาศจังหวัด… เรื่อง วาระคุณธรรมจังหวัด…) drawn from the agenda.

Why a separate, short model: what is announced is not the agenda's report but the official
one- or two-page form a governor signs: heading, subject, a body stating what the assembly of
the six networks adopted (target virtues and the goals of the adopted items), "ประกาศ ณ วันที่",
and the signature block. The words follow Thai official announcements (ระเบียบงานสารบรรณ); the
renderer (`render_docx.render_announcement_docx`) only places them. Only adopted items are
announced: a draft item is not the province's word yet.
"""

from __future__ import annotations

from dataclasses import dataclass

from assembly.thai_format import arabic_digits, thai_number
from deliberation.agenda.document import (
    AgendaDocument,
    agenda_title,
    document_digits,
    format_date,
    network_names,
)

DOTTED_DATE = "........ เดือน .................... พ.ศ. ........"
DOTTED_NAME = "(........................................)"
GOVERNOR = "ผู้ว่าราชการ"  # + "จังหวัดพิจิตร", or "กรุงเทพมหานคร"


@dataclass(frozen=True)
class Announcement:
    """The announcement's text, every number already written the document's way."""

    heading: str  # ประกาศจังหวัดพิจิตร
    subject: str  # เรื่อง วาระคุณธรรมจังหวัดพิจิตร
    paragraphs: tuple[str, ...]  # the body before the points
    points: tuple[str, ...]  # ๑. ... ๒. ... (numbered lines of what is announced)
    closing: tuple[str, ...]  # the body after the points
    date_line: str  # ประกาศ ณ วันที่ ...
    signer_name: str  # "(นาย…)" or a dotted line
    signer_position: str
    emblem: bytes | None = None


def announcement(doc: AgendaDocument) -> Announcement:
    """The announcement of an agenda; what is not decided yet is left as dotted lines."""
    options = doc.options
    thai = options.thai_numerals

    def n(value: int) -> str:
        return thai_number(value, thai)

    def text(value: str) -> str:
        return document_digits(value) if thai else arabic_digits(value)

    title = agenda_title(doc.cover)
    province = title.removeprefix("วาระคุณธรรม")
    names = network_names(doc)
    taking_part = [names.get(p.key, p.key) for p in doc.participation if p.joined] or list(
        names.values()
    )
    held = f" เมื่อวันที่ {format_date(doc.cover.date, options)}" if doc.cover.date else ""
    venue = f" ณ {doc.cover.venue.strip()}" if doc.cover.venue.strip() else ""
    paragraphs = (
        text(
            f"ด้วย{province}ร่วมกับภาคีเครือข่าย {n(len(taking_part))} ภาคส่วน ได้แก่ "
            f"{' '.join(taking_part)} ได้จัดสมัชชาคุณธรรม{held}{venue} "
            "เพื่อร่วมกันกำหนดคุณธรรมเป้าหมาย เป้าหมาย แผนงาน กิจกรรม และตัวชี้วัดความสำเร็จ "
            "ซึ่งที่ประชุมได้รับรองโดยฉันทามติแล้ว"
        ),
        text(f"เพื่อให้การส่งเสริมคุณธรรมของ{province}เป็นไปในทิศทางเดียวกัน {province}จึงประกาศ{title} ดังนี้"),
    )
    points: list[str] = []
    virtues = [v.name for v in doc.virtues]
    if virtues:
        points.append(f"{n(len(points) + 1)}. คุณธรรมเป้าหมาย ได้แก่ {' '.join(virtues)}")
    adopted = [item for item in doc.items if item.adopted]
    for item in adopted:
        goal = " ".join(item.goal.split())
        line = f"{n(len(points) + 1)}. {item.title.strip()}"
        points.append(text(f"{line} เป้าหมาย: {goal}" if goal else line))
    if not adopted:
        points.append(f"{n(len(points) + 1)}. ...........................................")
    closing = (
        text(
            "ขอให้ส่วนราชการ องค์กรปกครองส่วนท้องถิ่น ภาคเอกชน ภาคประชาสังคม สถาบันการศึกษา "
            f"สถาบันศาสนา และสื่อมวลชน ร่วมกันขับเคลื่อน{title}ตามแผนงานและกิจกรรมที่กำหนด "
            "ให้บรรลุผลตามตัวชี้วัดความสำเร็จ"
        ),
        "ทั้งนี้ ตั้งแต่บัดนี้เป็นต้นไป",
    )
    date_line = (
        f"ประกาศ ณ วันที่ {format_date(doc.announced_on, options)}"
        if doc.announced_on
        else f"ประกาศ ณ วันที่ {DOTTED_DATE}"
    )
    endorser = doc.approval[-1] if doc.approval else None
    name = endorser.name.strip() if endorser else ""
    position = endorser.position.strip() if endorser and endorser.position.strip() else ""
    return Announcement(
        heading=f"ประกาศ{province}",
        subject=f"เรื่อง {title}",
        paragraphs=paragraphs,
        points=tuple(points),
        closing=closing,
        date_line=date_line,
        signer_name=f"({name})" if name else DOTTED_NAME,
        signer_position=text(position or f"{GOVERNOR}{province}"),
        emblem=doc.emblem,
    )
