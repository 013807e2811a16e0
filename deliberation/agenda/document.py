"""The provincial moral agenda as plain frozen values, what it still lacks, and its one layout.

Why a layout here and not in each renderer: the governor receives the DOCX, the facilitators
print the HTML page, and both must say the same thing in the same order. `layout(doc)` turns
the model into a flat sequence of blocks (title page, numbered headings, paragraphs, lists,
tables, notices) with every number and date already written the Thai official way; each
renderer only maps blocks to its format. A document that is not finished yet (no votes, no
adopted items, an indicator without a unit, ...) still lays out: `missing_parts(doc)` says what
is missing, in Thai, and the layout states it on the title page and where the part would be.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from assembly.networks import DEFAULT_NETWORKS
from assembly.thai_format import (
    BUDDHIST_ERA_OFFSET,
    THAI_MONTHS,
    THAI_MONTHS_SHORT,
    arabic_digits,
    thai_date,
    thai_digits,
    thai_number,
)

# --------------------------------------------------------------------------------------------
# The model: what the database side fills in
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DocumentOptions:
    """How numbers and years are written; Thai official documents use both by default."""

    thai_numerals: bool = True  # ๑ ๒ ๓ in headings, counts, dates and indicator values
    buddhist_era: bool = True  # พ.ศ. ๒๕๖๙ rather than ค.ศ. 2026


@dataclass(frozen=True)
class Cover:
    """The title page: which assembly, where, when, by whom, and why it was held."""

    assembly_name: str
    province: str  # "พิจิตร" or "จังหวัดพิจิตร"; the title adds "จังหวัด" when needed
    date: dt.date | None = None
    venue: str = ""
    organizer: str = ""
    background: str = ""  # ความเป็นมา; blank lines separate paragraphs


@dataclass(frozen=True)
class NetworkParticipation:
    """How many people of one network joined; its order is the order of network columns."""

    key: str  # "government", "business", ... (assembly.networks keys) or an organizer's own
    name: str  # Thai name shown in the document
    joined: int
    share: float  # of all participants, 0..1

    def __post_init__(self) -> None:
        _check_count(self.joined, "joined")
        _check_share(self.share, "share")


@dataclass(frozen=True)
class TargetVirtue:
    """A target virtue (คุณธรรมเป้าหมาย) the assembly chose, with its vote result if voted on."""

    name: str
    votes: int | None = None
    score: float | None = None


@dataclass(frozen=True)
class NetworkShare:
    """Share of one network's voters who supported an option; None when it had no voters."""

    key: str
    share: float | None

    def __post_init__(self) -> None:
        if self.share is not None:
            _check_share(self.share, "share")


@dataclass(frozen=True)
class IssueResult:
    """One prioritised issue (ประเด็น) and its vote result; equal ranks mean a tie."""

    rank: int
    title: str
    value: float  # the method's own measure: dots, approvals, mean score, points
    support: tuple[NetworkShare, ...] = ()
    consensus_score: float | None = None  # cross-network consensus, 0..1 (voting.consensus)
    consensus_rank: int | None = None


@dataclass(frozen=True)
class NetworkTurnout:
    """How many of one network's participants voted in one vote."""

    key: str
    joined: int
    voted: int


@dataclass(frozen=True)
class Prioritisation:
    """A vote that counts for the agenda (prioritising issues, choosing virtues, ...)."""

    method: str  # Thai name of the method, e.g. "ลงคะแนนแบบติดดาว (๓ ดาวต่อคน)"
    voters: int
    issues: tuple[IssueResult, ...]
    value_label: str = "คะแนน"  # what IssueResult.value counts, as a column header
    subject: str = ""  # what was voted on: "ประเด็น", "คุณธรรมเป้าหมาย", or the vote's own words
    turnout: tuple[NetworkTurnout, ...] = ()
    note: str = ""  # e.g. "รอบที่สอง จาก ๓ อันดับแรกของการลงคะแนนครั้งที่ ๑"

    def __post_init__(self) -> None:
        _check_count(self.voters, "voters")


@dataclass(frozen=True)
class SetAsideVote:
    """A vote held but not counted for the agenda: a trial, a discarded one, or not marked."""

    number: int  # the vote's order in the assembly, 1 = first vote held
    method: str
    voters: int
    standing: str  # "trial", "discarded", or "" (held, not marked counted)


@dataclass(frozen=True)
class Timing:
    """When something happens or is due: months, a fiscal year, a date, or a note."""

    months: tuple[int, ...] = ()  # calendar months 1..12 in the order they run (10, 11, 12, 1)
    fiscal_year: int | None = None  # Thai fiscal year, Buddhist era (2570 = Oct 2026-Sep 2027)
    date: dt.date | None = None  # an exact day, e.g. a deadline
    note: str = ""  # anything else, e.g. "ทุกวันพระ"
    quarter: int | None = None  # fiscal quarter 1..4 (ไตรมาส ๑ = ต.ค.–ธ.ค.)

    def __post_init__(self) -> None:
        if any(not 1 <= month <= 12 for month in self.months):
            raise ValueError(f"months must be 1..12, got {self.months!r}")
        if self.quarter is not None and not 1 <= self.quarter <= 4:
            raise ValueError(f"quarter must be 1..4, got {self.quarter!r}")

    @property
    def is_empty(self) -> bool:
        return not (
            self.months or self.fiscal_year or self.date or self.note.strip() or self.quarter
        )


@dataclass(frozen=True)
class Activity:
    """One activity (กิจกรรม) of a plan: what, who (networks and agencies), when."""

    what: str
    networks: tuple[str, ...] = ()  # network keys
    agencies: tuple[str, ...] = ()  # named agencies or organisations
    when: Timing = field(default_factory=Timing)
    budget: int | None = None  # บาท; None: not stated, 0: needs no budget
    funding: str = ""  # แหล่งงบประมาณ: งบจังหวัด, อปท., หน่วยงาน, ภาคเอกชน, ไม่ใช้งบประมาณ
    lead_agency: str = ""  # หน่วยงานรับผิดชอบหลัก
    contact: str = ""  # ผู้ประสานงาน: a name and a phone number


@dataclass(frozen=True)
class Plan:
    """A plan or project (แผนงาน/โครงการ) with its activities; its budget is theirs summed."""

    name: str
    activities: tuple[Activity, ...] = ()
    lead_agency: str = ""
    contact: str = ""

    @property
    def budget(self) -> int | None:
        """The activities' budgets summed; None when no activity states one."""
        stated = [a.budget for a in self.activities if a.budget is not None]
        return sum(stated) if stated else None


@dataclass(frozen=True)
class LastYear:
    """An indicator carried over from last year's agenda: last year's values as typed, and
    how it ended (the follow-up's track, in Thai), shown beside this year's."""

    baseline: str = ""
    target: str = ""
    latest: str = ""  # the last value reported; "" when none was
    track: str = ""  # "ตามแผน", "เสี่ยง", ...


@dataclass(frozen=True)
class Indicator:
    """A success indicator (ตัวชี้วัด). Values are text as drafted ("40", "ครบ ๖ เครือข่าย")."""

    name: str
    unit: str = ""  # หน่วยนับ: ร้อยละ, แห่ง, คน
    baseline: str = ""
    target: str = ""
    deadline: Timing = field(default_factory=Timing)
    data_source: str = ""
    network: str = ""  # key of the responsible network
    reporting_agency: str = ""  # หน่วยงานที่รายงานผล
    last_year: LastYear | None = None  # carried over from last year's agenda (year on year)


@dataclass(frozen=True)
class ConsentCount:
    """One network's answers in the consent round."""

    network: str  # key
    agree: int = 0  # เห็นด้วย
    can_live_with: int = 0  # ยอมรับได้
    objecting: int = 0  # คัดค้าน

    def __post_init__(self) -> None:
        for name in ("agree", "can_live_with", "objecting"):
            _check_count(getattr(self, name), name)

    @property
    def total(self) -> int:
        return self.agree + self.can_live_with + self.objecting


HANDLING_NAMES = {
    "amended": "แก้ไขวาระตามข้อคัดค้านแล้ว",
    "answered": "บันทึกไว้และชี้แจงแล้ว",
    "withdrawn": "ผู้คัดค้านถอนข้อคัดค้าน",
}
NOT_HANDLED = "ยังไม่ได้พิจารณา"


@dataclass(frozen=True)
class Objection:
    """An objection raised in the consent round, with its reason and how it was handled."""

    network: str  # key
    reason: str
    handling: str = ""  # "", amended, answered, withdrawn (HANDLING_NAMES)
    note: str = ""  # the facilitator's answer or what was amended


@dataclass(frozen=True)
class AdoptionRule:
    """How an item is adopted in this assembly (deliberation.agenda.consent.check_rule)."""

    kind: str = "no_objection"  # or "threshold"
    threshold: int = 80  # per cent agreeing or living with it, in every network that answered

    def describe(self, thai_numerals: bool = True) -> str:
        if self.kind == "threshold":
            share = thai_number(self.threshold, thai_numerals)
            return (
                f"ผู้ตอบที่เห็นด้วยหรือยอมรับได้ไม่น้อยกว่าร้อยละ {share} ในทุกเครือข่ายที่ร่วมตอบ "
                "และพิจารณาข้อคัดค้านทุกข้อแล้ว"
            )
        return "ไม่มีข้อคัดค้านที่ยังไม่ได้พิจารณา (ข้อคัดค้านทุกข้อได้รับการแก้ไข ชี้แจง หรือถอนแล้ว)"


@dataclass(frozen=True)
class ConsentResult:
    """The consent round (agree / can live with it / object) of one agenda item."""

    adopted: bool  # the facilitator's declaration that the round adopted the item
    counts: tuple[ConsentCount, ...] = ()
    objections: tuple[Objection, ...] = ()


@dataclass(frozen=True)
class MechanismMember:
    """Who drives an item (step 5 of the framework: a working group from several networks)."""

    network: str  # key
    person: str = ""  # a name or a position, e.g. "ผู้อำนวยการสำนักงานวัฒนธรรมจังหวัด"
    organisation: str = ""
    role: str = ""  # ประธาน, เลขานุการ, ผู้ประสานงาน


@dataclass(frozen=True)
class AgendaItem:
    """One item of the agenda: the goal, plans, activities and indicators agreed for an issue."""

    title: str  # the issue it answers
    goal: str = ""  # เป้าหมาย
    virtues: tuple[str, ...] = ()
    plans: tuple[Plan, ...] = ()
    indicators: tuple[Indicator, ...] = ()
    consent: ConsentResult | None = None  # None: no consent round yet
    mechanism: tuple[MechanismMember, ...] = ()

    @property
    def adopted(self) -> bool:
        return self.consent is not None and self.consent.adopted


@dataclass(frozen=True)
class Proposal:
    """A proposal (ข้อเสนอ) as a participant wrote it; network "" when unknown (paper)."""

    text: str
    network: str = ""
    supporters: int = 0


@dataclass(frozen=True)
class ProposalGroup:
    """The proposals that make up one issue, for the appendix."""

    issue: str
    proposals: tuple[Proposal, ...] = ()


@dataclass(frozen=True)
class Signatory:
    """One line of the approval block: who proposes or endorses the agenda, as entered."""

    role: str  # "ผู้เสนอ", "ผู้เห็นชอบ"
    name: str = ""  # blank: a dotted line to sign and fill in by hand
    position: str = ""


ANNEX_CHOICES = ("all", "issues", "none")


@dataclass(frozen=True)
class AgendaDocument:
    """Everything the exported agenda says, in the order it says it."""

    cover: Cover
    participation: tuple[NetworkParticipation, ...] = ()
    virtues: tuple[TargetVirtue, ...] = ()
    prioritisation: Prioritisation | None = None  # the issues vote that counts; None: no vote
    items: tuple[AgendaItem, ...] = ()
    proposals: tuple[ProposalGroup, ...] = ()
    options: DocumentOptions = field(default_factory=DocumentOptions)
    prepared_on: dt.date | None = None  # "จัดทำเมื่อ" on the title page; no clock in here
    votes: tuple[Prioritisation, ...] = ()  # every counted vote; () falls back to prioritisation
    set_aside: tuple[SetAsideVote, ...] = ()  # votes held but not counted
    rule: AdoptionRule = field(default_factory=AdoptionRule)
    approval: tuple[Signatory, ...] = ()
    annex: str = "all"  # ANNEX_CHOICES: what the appendix lists
    announced_on: dt.date | None = None  # "ประกาศ ณ วันที่" of the announcement
    emblem: bytes | None = None  # PNG or JPEG for the announcement's head; None: left out


def _check_count(value: int, name: str) -> None:
    if value < 0:
        raise ValueError(f"{name} must not be negative, got {value}")


def _check_share(value: float, name: str) -> None:
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"{name} must be within 0..1, got {value}")


# --------------------------------------------------------------------------------------------
# What is missing
# --------------------------------------------------------------------------------------------

MISSING_DATE = "ยังไม่ได้ระบุวันที่จัดสมัชชา"
MISSING_PARTICIPATION = "ยังไม่มีข้อมูลผู้เข้าร่วมจำแนกตามเครือข่าย"
MISSING_VIRTUES = "ยังไม่ได้เลือกคุณธรรมเป้าหมาย"
MISSING_VOTES = "ยังไม่มีผลการลงคะแนนจัดลำดับความสำคัญของประเด็น"
MISSING_ITEMS = "ยังไม่มีวาระที่ร่วมกันกำหนดเป้าหมาย แผนงาน กิจกรรม และตัวชี้วัด"
MISSING_ADOPTION = "ยังไม่มีวาระที่ผ่านการรับรองฉันทามติ"
MISSING_PROPOSALS = "ยังไม่มีข้อเสนอสำหรับภาคผนวก"
# A title quoted in a sentence is cut here so one long draft cannot swamp the list.
QUOTE_LIMIT = 60
# The title page lists at most this many missing parts (the rest are counted), so a barely
# started document still fits its title page; each part is also stated where it belongs.
MAX_MISSING_ON_TITLE_PAGE = 10


def missing_parts(doc: AgendaDocument) -> list[str]:
    """What the document still lacks, as Thai sentences, in document order; [] when complete."""
    options = doc.options
    missing: list[str] = []
    if doc.cover.date is None:
        missing.append(MISSING_DATE)
    if not doc.participation:
        missing.append(MISSING_PARTICIPATION)
    if not doc.virtues:
        missing.append(MISSING_VIRTUES)
    if doc.prioritisation is None or not doc.prioritisation.issues:
        missing.append(MISSING_VOTES)
    if not doc.items:
        missing.append(MISSING_ITEMS)
    elif not any(item.adopted for item in doc.items):
        missing.append(MISSING_ADOPTION)
    for index, item in enumerate(doc.items, start=1):
        missing.extend(item_missing_parts(item, index, options))
    if doc.annex != "none" and not any(group.proposals for group in doc.proposals):
        missing.append(MISSING_PROPOSALS)
    return missing


def item_missing_parts(item: AgendaItem, index: int, options: DocumentOptions) -> list[str]:
    """What one agenda item lacks; `index` is its number in the document."""
    where = f"วาระที่ {thai_number(index, options.thai_numerals)}"
    missing: list[str] = []
    if not item.adopted:
        missing.append(f"{where} {_quote(item.title)} ยังไม่ผ่านการรับรองฉันทามติ")
    if not item.goal.strip():
        missing.append(f"{where} ยังไม่มีเป้าหมาย")
    if not item.plans:
        missing.append(f"{where} ยังไม่มีแผนงาน/โครงการ")
    for plan in item.plans:
        if not plan.activities:
            missing.append(f"แผนงาน/โครงการ {_quote(plan.name)} ใน{where} ยังไม่มีกิจกรรม")
        for activity in plan.activities:
            if not activity.networks and not activity.agencies:
                missing.append(f"กิจกรรม {_quote(activity.what)} ใน{where} ยังไม่ระบุผู้รับผิดชอบ")
    if not item.indicators:
        missing.append(f"{where} ยังไม่มีตัวชี้วัดความสำเร็จ")
    for indicator in item.indicators:
        name = f"ตัวชี้วัด {_quote(indicator.name)} ใน{where}"
        if not indicator.target.strip():
            missing.append(f"{name} ยังไม่มีค่าเป้าหมาย")
        elif not indicator.unit.strip():
            missing.append(f"{name} มีค่าเป้าหมายแต่ไม่มีหน่วยนับ")
        if indicator.deadline.is_empty:
            missing.append(f"{name} ยังไม่มีกำหนดเวลา")
        if not indicator.network:
            missing.append(f"{name} ยังไม่ระบุเครือข่ายที่รับผิดชอบ")
    if not item.mechanism:
        missing.append(f"{where} ยังไม่มีกลไกการขับเคลื่อน (ผู้รับผิดชอบจากแต่ละเครือข่าย)")
    return missing


def _quote(text: str) -> str:
    flat = " ".join(text.split())
    if len(flat) > QUOTE_LIMIT:
        flat = flat[: QUOTE_LIMIT - 1] + "…"
    return f"“{flat}”"


# --------------------------------------------------------------------------------------------
# The layout: blocks every renderer walks in order
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TitlePage:
    """The title page: the agenda's name, the assembly, and a line each for date, venue, ..."""

    title: str
    subtitle: str
    lines: tuple[str, ...]


@dataclass(frozen=True)
class Heading:
    """A numbered heading; level 1 sections, 2 subsections, 3 the parts of an agenda item."""

    number: str  # "๔.", "๔.๑", "๔.๑.๒" or "" (the appendix)
    text: str
    level: Literal[1, 2, 3]
    page_break: bool = False  # major sections start on a new page

    @property
    def full_text(self) -> str:
        return f"{self.number} {self.text}" if self.number else self.text


@dataclass(frozen=True)
class Paragraph:
    """Body text, optionally led by a bold label ("ผลการรับรอง:")."""

    text: str
    label: str = ""


@dataclass(frozen=True)
class Bullets:
    """A short unnumbered list."""

    items: tuple[str, ...]


@dataclass(frozen=True)
class Table:
    """A table with one header row (repeated on every page) and an optional bold total row."""

    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    widths: tuple[int, ...]  # relative column widths
    numeric: tuple[bool, ...]  # numeric columns are centred
    total: tuple[str, ...] = ()
    landscape: bool = False  # too wide for A4 portrait: the DOCX turns its page(s)

    def __post_init__(self) -> None:
        columns = len(self.header)
        rows = (*self.rows, self.total) if self.total else self.rows
        if len(self.widths) != columns or len(self.numeric) != columns:
            raise ValueError("widths and numeric must have one entry per column")
        if any(len(row) != columns for row in rows):
            raise ValueError("every row must have one cell per column")


@dataclass(frozen=True)
class Notice:
    """A visible statement that a part is missing, where that part would be."""

    text: str


@dataclass(frozen=True)
class Signatures:
    """Signature lines, each (role, name, position); a blank name leaves a line to fill in."""

    lines: tuple[tuple[str, str, str], ...]


Block = TitlePage | Heading | Paragraph | Bullets | Table | Notice | Signatures

SET_ASIDE_NAMES = {
    "trial": "การลงคะแนนทดลอง",
    "discarded": "ยกเลิก ไม่นับผล",
    "": "ไม่ได้กำหนดให้นับผล",
}
SIGNATURE_LINE = "(ลงชื่อ)........................................"
BLANK_NAME = "(........................................)"

DASH = "–"  # an empty cell: nothing to report, rather than a blank that looks like an error
DRAFT_MARK = "(ร่าง ยังไม่ผ่านการรับรอง)"
PROVINCE_PREFIX = "จังหวัด"
# Bangkok is not a จังหวัด: its agenda is "วาระคุณธรรมกรุงเทพมหานคร".
NOT_A_PROVINCE = frozenset({"กรุงเทพมหานคร", "กรุงเทพฯ"})
# A zero-width space marks where a long Thai word may wrap in a narrow column; without it
# LibreOffice split "สื่อมวลชน" as "สื่อมวลช|น" in a per-network column.
WORD_BREAK = "\u200b"
# Short column headers for the six networks, so a per-network table fits A4 portrait.
SHORT_NETWORK_NAMES: dict[str, str] = {
    "government": "ภาครัฐ",
    "business": "ธุรกิจ",
    "civil_society": f"ประชา{WORD_BREAK}สังคม",
    "education": f"การ{WORD_BREAK}ศึกษา",
    "religion": "ศาสนา",
    "media": f"สื่อ{WORD_BREAK}มวลชน",
}
UNKNOWN_NETWORK = "ไม่ระบุเครือข่าย"
FISCAL_YEAR = "ปีงบประมาณ"
FISCAL_YEAR_SHORT = "ปีงบฯ"  # tables: the full word does not fit a narrow column unbroken
# Characters XML 1.0 forbids (C0 controls but tab and newline, lone surrogates, U+FFFE/FFFF):
# one pasted from a spreadsheet would make Word refuse the whole DOCX.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_WORD = re.compile(r"\S+")
_LATIN = re.compile("[A-Za-z]")  # a word with Latin letters is a code or an address: keep 0-9


def clean_text(text: str) -> str:
    """Text safe for every format: newlines normalised, XML-forbidden characters dropped."""
    return _NOT_XML.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def agenda_title(cover: Cover) -> str:
    """The agenda's name, "วาระคุณธรรมจังหวัดพิจิตร", from "พิจิตร" or "จังหวัดพิจิตร"."""
    province = cover.province.strip()
    if province in NOT_A_PROVINCE or province.startswith(PROVINCE_PREFIX):
        return f"วาระคุณธรรม{province}"
    return f"วาระคุณธรรม{PROVINCE_PREFIX}{province}"


def document_digits(text: str) -> str:
    """Thai digits throughout a text, except in words with Latin letters (COVID-19, URLs)."""
    return _WORD.sub(lambda m: m[0] if _LATIN.search(m[0]) else thai_digits(m[0]), text)


def layout(doc: AgendaDocument) -> tuple[Block, ...]:
    """The document as blocks in reading order, numbers and dates already formatted.

    Digits in the participants' own text follow the document's choice too (Thai digits or
    Arabic), so a heading never mixes "ครั้งที่ 1" with "๑."; the CSV keeps text as typed.
    """
    thai = doc.options.thai_numerals
    return tuple(_clean_block(block, thai) for block in _Layout(doc).blocks())


def _clean_block(block: Block, thai: bool) -> Block:
    changes = {
        f.name: _clean_value(getattr(block, f.name), thai)
        for f in dataclasses.fields(block)
        if f.name not in {"level", "page_break", "widths", "numeric", "landscape"}
    }
    return dataclasses.replace(block, **changes)


def _clean_value(value: object, thai: bool) -> object:
    if isinstance(value, str):
        text = clean_text(value)
        return document_digits(text) if thai else arabic_digits(text)
    if isinstance(value, tuple):
        return tuple(_clean_value(item, thai) for item in value)
    return value


class _Layout:
    """Walks the model once; keeps section numbering and network names in one place."""

    def __init__(self, doc: AgendaDocument) -> None:
        self.doc = doc
        self.options = doc.options
        self.names = network_names(doc)
        self.section = 0

    # numbers, dates ---------------------------------------------------------------------

    def n(self, value: int) -> str:
        return thai_number(value, self.options.thai_numerals, grouping=True)

    def digits(self, text: str) -> str:
        return thai_digits(text) if self.options.thai_numerals else text

    def percent(self, share: float | None, decimals: int = 1) -> str:
        return DASH if share is None else self.digits(f"{share * 100:.{decimals}f}")

    def value(self, value: float) -> str:
        if float(value).is_integer():
            return self.n(int(value))
        return self.digits(f"{value:,.2f}")

    def date(self, date: dt.date, month: Literal["long", "short"] = "long") -> str:
        return format_date(date, self.options, month=month)

    def timing(self, timing: Timing, *, compact: bool = False) -> str:
        return format_timing(timing, self.options, compact=compact)

    def network(self, key: str) -> str:
        return self.names.get(key, key) if key else UNKNOWN_NETWORK

    def short_network(self, key: str) -> str:
        return SHORT_NETWORK_NAMES.get(key) or self.network(key)

    def short_networks(self, keys: Iterable[str]) -> str:
        return ", ".join(self.short_network(key) for key in keys)

    def heading(self, text: str, *, page_break: bool = False) -> Heading:
        self.section += 1
        return Heading(self.n(self.section) + ".", text, 1, page_break)

    def sub(self, *parts: int) -> str:
        return ".".join(self.n(part) for part in (self.section, *parts))

    # sections ----------------------------------------------------------------------------

    def blocks(self) -> Iterable[Block]:
        yield from self.title_page()
        yield from self.background()
        yield from self.participation()
        yield from self.virtues()
        yield from self.prioritisation()
        yield from self.agenda()
        yield from self.approval()
        yield from self.appendix()

    def title_page(self) -> Iterable[Block]:
        cover = self.doc.cover
        lines = []
        if cover.date is not None:
            lines.append(f"วันที่ {self.date(cover.date)}")
        if cover.venue.strip():
            lines.append(f"ณ {cover.venue.strip()}")
        if cover.organizer.strip():
            lines.append(f"จัดโดย {cover.organizer.strip()}")
        if self.doc.prepared_on is not None:
            lines.append(f"จัดทำเมื่อ {self.date(self.doc.prepared_on)}")
        yield TitlePage(agenda_title(cover), cover.assembly_name.strip(), tuple(lines))
        missing = missing_parts(self.doc)
        if missing:
            yield Notice(f"ฉบับร่าง: เอกสารนี้ยังไม่สมบูรณ์ ยังขาด {self.n(len(missing))} รายการ ดังนี้")
            shown = missing[:MAX_MISSING_ON_TITLE_PAGE]
            rest = len(missing) - len(shown)
            if rest:
                shown.append(f"และอีก {self.n(rest)} รายการ (ระบุไว้ในแต่ละหัวข้อ)")
            yield Bullets(tuple(shown))

    def background(self) -> Iterable[Block]:
        text = self.doc.cover.background.strip()
        if not text:
            return
        yield self.heading("ความเป็นมา", page_break=True)
        for part in re.split(r"\n\s*\n", text):
            yield Paragraph(part.strip())

    def participation(self) -> Iterable[Block]:
        rows = self.doc.participation
        # The first section after the title page starts a page whether or not there is a
        # background to read.
        yield self.heading("ผู้เข้าร่วมสมัชชาจำแนกตามเครือข่าย", page_break=self.section == 0)
        if not rows:
            yield Notice(MISSING_PARTICIPATION)
            return
        total = sum(row.joined for row in rows)
        yield Paragraph(f"ผู้เข้าร่วมทั้งสิ้น {self.n(total)} คน จาก {self.n(len(rows))} เครือข่าย ดังนี้")
        yield Table(
            header=("ที่", "เครือข่าย", "จำนวน (คน)", "ร้อยละ"),
            rows=tuple(
                (self.n(i), row.name, self.n(row.joined), self.percent(row.share))
                for i, row in enumerate(rows, start=1)
            ),
            widths=(12, 88, 30, 30),
            numeric=(True, False, True, True),
            total=("", "รวม", self.n(total), self.percent(min(1.0, sum(r.share for r in rows)))),
        )

    def virtues(self) -> Iterable[Block]:
        virtues = self.doc.virtues
        yield self.heading("คุณธรรมเป้าหมาย")
        if not virtues:
            yield Notice(MISSING_VIRTUES)
            return
        has_votes = any(v.votes is not None for v in virtues)
        has_score = any(v.score is not None for v in virtues)
        if not (has_votes or has_score):
            yield Paragraph("ที่ประชุมเลือกคุณธรรมเป้าหมาย ได้แก่ " + " ".join(v.name for v in virtues))
            return
        header, widths, numeric = ["ที่", "คุณธรรมเป้าหมาย"], [12, 88], [True, False]
        if has_votes:
            header, widths, numeric = [*header, "จำนวนเสียง"], [*widths, 30], [*numeric, True]
        if has_score:
            header, widths, numeric = [*header, "คะแนน"], [*widths, 30], [*numeric, True]
        rows = []
        for i, virtue in enumerate(virtues, start=1):
            row = [self.n(i), virtue.name]
            if has_votes:
                row.append(DASH if virtue.votes is None else self.n(virtue.votes))
            if has_score:
                row.append(DASH if virtue.score is None else self.value(virtue.score))
            rows.append(tuple(row))
        yield Table(tuple(header), tuple(rows), tuple(widths), tuple(numeric))

    def prioritisation(self) -> Iterable[Block]:
        yield self.heading("ประเด็นสำคัญและผลการจัดลำดับความสำคัญ")
        votes = self.doc.votes or ((self.doc.prioritisation,) if self.doc.prioritisation else ())
        votes = tuple(vote for vote in votes if vote.issues)
        if not votes:
            yield Notice(MISSING_VOTES)
        elif len(votes) == 1 and not self.doc.votes:
            yield from self.vote_report(votes[0], 0)
        else:
            yield Paragraph(
                f"ที่ประชุมกำหนดให้ใช้ผลการลงคะแนน {self.n(len(votes))} ครั้ง ในการจัดทำวาระ ดังนี้"
            )
            for number, vote in enumerate(votes, start=1):
                yield from self.vote_report(vote, number)
        if self.doc.set_aside:
            yield Paragraph("การลงคะแนนต่อไปนี้ไม่นำมาใช้ในการจัดทำวาระ", label="การลงคะแนนที่ไม่นับผล:")
            yield Bullets(
                tuple(
                    f"การลงคะแนนครั้งที่ {self.n(v.number)} {v.method} "
                    f"ผู้ลงคะแนน {self.n(v.voters)} คน: {SET_ASIDE_NAMES.get(v.standing, v.standing)}"
                    for v in self.doc.set_aside
                )
            )

    def vote_report(self, vote: Prioritisation, number: int) -> Iterable[Block]:
        """One counted vote: method and turnout, ranking with consensus, support per network.
        `number` 0: the only vote, reported under the section's own subheadings."""
        base = (number,) if number else ()
        if number:
            subject = vote.subject or "ประเด็น"
            yield Heading(self.sub(number), f"ผลการลงคะแนนเรื่อง{subject}", 2)
        text = (
            f"{vote.method} ผู้ลงคะแนน {self.n(vote.voters)} คน "
            f"จัดลำดับ {self.n(len(vote.issues))} ตัวเลือก"
        )
        # a label keeps the sentence on the page of the turnout table it introduces
        yield Paragraph(f"{text} {vote.note}".strip(), label="วิธีลงคะแนน:")
        if vote.turnout:
            yield Table(
                header=("เครือข่าย", "ผู้เข้าร่วม (คน)", "ผู้ลงคะแนน (คน)", "ร้อยละ"),
                rows=tuple(
                    (
                        self.network(t.key),
                        self.n(t.joined),
                        self.n(t.voted),
                        self.percent(t.voted / t.joined if t.joined else None),
                    )
                    for t in vote.turnout
                ),
                widths=(70, 30, 30, 24),
                numeric=(False, True, True, True),
                total=(
                    "รวม",
                    self.n(sum(t.joined for t in vote.turnout)),
                    self.n(sum(t.voted for t in vote.turnout)),
                    self.percent(
                        min(1.0, sum(t.voted for t in vote.turnout) / joined)
                        if (joined := sum(t.joined for t in vote.turnout))
                        else None
                    ),
                ),
            )
        yield Heading(self.sub(*base, 1), "ผลการจัดลำดับความสำคัญ", 3 if number else 2)
        yield Table(
            header=(
                "อันดับ",
                vote.subject or "ประเด็น",
                vote.value_label,
                "ค่า\nฉันทามติ",  # a greedy line break would give "ค่าฉันทา|มติ"
                "อันดับ\nฉันทามติ",
            ),
            rows=tuple(
                (
                    self.n(issue.rank),
                    issue.title,
                    self.value(issue.value),
                    DASH
                    if issue.consensus_score is None
                    else self.digits(f"{issue.consensus_score:.2f}"),
                    DASH if issue.consensus_rank is None else self.n(issue.consensus_rank),
                )
                for issue in vote.issues
            ),
            widths=(16, 70, 22, 24, 28),
            numeric=(True, False, True, True, True),
        )
        yield Paragraph(
            f"ค่าฉันทามติ ({self.n(0)} ถึง {self.n(1)}) สูงเมื่อทุกเครือข่ายสนับสนุนประเด็นนั้น "
            "ประเด็นที่ได้รับการสนับสนุนจากหลายเครือข่ายจึงอยู่อันดับสูงกว่าประเด็นที่มีเสียงจากเครือข่ายเดียว"
        )
        if not any(issue.support for issue in vote.issues):
            return  # no ballots by network to show: no table of dashes
        keys = self.support_columns(vote.issues)
        yield Heading(
            self.sub(*base, 2),
            "การสนับสนุนจำแนกตามเครือข่าย (ร้อยละของผู้ลงคะแนนในเครือข่าย)",
            3 if number else 2,
        )
        # The name column takes what the numbers leave: a percentage needs 3 digits, the
        # names of the issues wrap at most onto two lines instead of three.
        header = (vote.subject or "ประเด็น", *(self.short_network(key) for key in keys))
        numeric = (False, *(True for _ in keys))
        rows = tuple(
            (issue.title, *(self.percent(_share(issue, key), 0) for key in keys))
            for issue in vote.issues
        )
        yield self.fitted(header, rows, numeric)

    def support_columns(self, issues: Sequence[IssueResult]) -> tuple[str, ...]:
        keys = [row.key for row in self.doc.participation] or [n.key for n in DEFAULT_NETWORKS]
        for issue in issues:
            keys.extend(s.key for s in issue.support if s.key not in keys)
        return tuple(keys)

    def agenda(self) -> Iterable[Block]:
        yield self.heading(agenda_title(self.doc.cover), page_break=True)
        if not self.doc.items:
            yield Notice(MISSING_ITEMS)
            return
        adopted = sum(item.adopted for item in self.doc.items)
        yield Paragraph(
            "ที่ประชุมสมัชชาได้ร่วมกันกำหนดเป้าหมาย แผนงาน กิจกรรม และตัวชี้วัดความสำเร็จร่วมกัน "
            f"จำนวน {self.n(len(self.doc.items))} วาระ ผ่านการรับรองฉันทามติแล้ว "
            f"{self.n(adopted)} วาระ ดังนี้"
        )
        yield Paragraph(
            self.doc.rule.describe(self.options.thai_numerals), label="เกณฑ์การรับรองวาระ:"
        )
        budgets = [plan.budget for item in self.doc.items for plan in item.plans]
        stated = [b for b in budgets if b is not None]
        if stated:
            yield Paragraph(f"งบประมาณรวมทุกวาระ {self.baht(sum(stated))} บาท", label="งบประมาณ:")
        for index, item in enumerate(self.doc.items, start=1):
            yield from self.item(index, item)

    def item(self, index: int, item: AgendaItem) -> Iterable[Block]:
        title = f"วาระที่ {self.n(index)} {item.title.strip()}"
        yield Heading(self.sub(index), title if item.adopted else f"{title} {DRAFT_MARK}", 2)
        missing = item_missing_parts(item, index, self.options)
        if missing:
            yield Notice("ยังขาด: " + " · ".join(missing))

        yield Heading(self.sub(index, 1), "เป้าหมาย", 3)
        yield Paragraph(item.goal.strip()) if item.goal.strip() else Notice("ยังไม่มีเป้าหมาย")

        yield Heading(self.sub(index, 2), "คุณธรรมเป้าหมาย", 3)
        if item.virtues:
            yield Paragraph(" ".join(item.virtues))
        else:
            yield Paragraph("ตามคุณธรรมเป้าหมายของจังหวัด")

        yield Heading(self.sub(index, 3), "แผนงาน/โครงการ และกิจกรรม", 3)
        if not item.plans:
            yield Notice("ยังไม่มีแผนงาน/โครงการ")
        for number, plan in enumerate(item.plans, start=1):
            yield Paragraph(plan.name.strip(), label=f"แผนงาน/โครงการที่ {self.n(number)}:")
            owner = " ".join(
                part
                for part in (
                    plan.lead_agency.strip(),
                    f"ผู้ประสานงาน {plan.contact.strip()}" if plan.contact.strip() else "",
                )
                if part
            )
            if owner:
                yield Paragraph(owner, label="หน่วยงานรับผิดชอบ:")
            if not plan.activities:
                yield Notice("ยังไม่มีกิจกรรม")
                continue
            total = plan.budget
            header = ("ที่", "กิจกรรม", "ผู้รับผิดชอบ", "ช่วงเวลา", "งบประมาณ\n(บาท)", "แหล่ง\nงบประมาณ")
            numeric = (True, False, False, False, True, False)
            rows = tuple(
                (
                    self.n(i),
                    activity.what,
                    self.responsible(activity),
                    self.timing(activity.when, compact=True),
                    DASH if activity.budget is None else self.baht(activity.budget),
                    activity.funding or DASH,
                )
                for i, activity in enumerate(plan.activities, start=1)
            )
            sums = (
                "",
                "รวม",
                "",
                "",
                DASH if total is None else self.baht(total),
                "",
            )
            yield self.fitted(header, rows, numeric, sums)

        yield Heading(self.sub(index, 4), "ตัวชี้วัดความสำเร็จ", 3)
        if item.indicators:
            yield self.indicator_table(item.indicators)
        else:
            yield Notice("ยังไม่มีตัวชี้วัดความสำเร็จ")

        yield Heading(self.sub(index, 5), "ผลการรับรองฉันทามติ", 3)
        yield from self.consent(item.consent)

        yield Heading(self.sub(index, 6), "กลไกการขับเคลื่อน", 3)
        if not item.mechanism:
            yield Notice("ยังไม่มีกลไกการขับเคลื่อน (ผู้รับผิดชอบจากแต่ละเครือข่าย)")
            return
        yield Table(
            header=("ที่", "เครือข่าย", "ผู้รับผิดชอบ", "หน่วยงาน/องค์กร", "บทบาท"),
            rows=tuple(
                (
                    self.n(i),
                    self.short_network(member.network),
                    member.person or DASH,
                    member.organisation or DASH,
                    member.role or DASH,
                )
                for i, member in enumerate(item.mechanism, start=1)
            ),
            widths=(10, 28, 45, 45, 32),
            numeric=(True, False, False, False, False),
        )

    def fitted(
        self,
        header: tuple[str, ...],
        rows: tuple[tuple[str, ...], ...],
        numeric: tuple[bool, ...],
        total: tuple[str, ...] = (),
    ) -> Table:
        """A table sized by its content, on a landscape page when portrait is too narrow."""
        every = (*rows, total) if total else rows
        wide = too_wide(header, every, numeric)
        units = LANDSCAPE_UNITS if wide else LINE_UNITS
        widths = fit_columns(header, every, numeric, units)
        return Table(header, rows, widths, numeric, total, landscape=wide)

    def baht(self, amount: int) -> str:
        return self.n(amount)

    def responsible(self, activity: Activity) -> str:
        """Networks, then the lead agency and related ones, then the contact: one per line."""
        lines = [
            self.short_networks(activity.networks),
            activity.lead_agency.strip(),
            ", ".join(a for a in activity.agencies if a != activity.lead_agency),
            f"ติดต่อ {activity.contact.strip()}" if activity.contact.strip() else "",
        ]
        return "\n".join(line for line in lines if line) or DASH

    def last_year(self, last: LastYear | None) -> str:
        """Year on year in the indicator's own cell (the table has no room for a column):
        last year's baseline, latest value and target, and how it ended."""
        if last is None:
            return ""
        parts = [
            f"ค่าฐาน {self.digits(last.baseline) or DASH}",
            f"ล่าสุด {self.digits(last.latest) or 'ไม่มีรายงาน'}",
            f"เป้าหมาย {self.digits(last.target) or DASH}",
        ]
        ended = f" ({last.track})" if last.track else ""
        return "\nปีที่แล้ว: " + " · ".join(parts) + ended

    def indicator_table(self, indicators: Sequence[Indicator]) -> Table:
        # Seven columns are the most A4 portrait holds at 14 pt without breaking Thai words
        # mid-word, so the number leads the indicator's name instead of a "ที่" column.
        header = (
            "ตัวชี้วัด",
            "หน่วยนับ",
            "ค่าฐาน",
            "ค่าเป้าหมาย",
            "กำหนดเวลา",
            "แหล่งข้อมูล",
            "ผู้รับผิดชอบ",
        )
        numeric = (False, True, True, True, False, False, False)
        rows = tuple(
            (
                f"{self.n(i)}. {indicator.name}" + self.last_year(indicator.last_year),
                indicator.unit or DASH,
                self.digits(indicator.baseline) or DASH,
                self.digits(indicator.target) or DASH,
                self.timing(indicator.deadline, compact=True),
                indicator.data_source or DASH,
                "\n".join(
                    part
                    for part in (
                        self.short_network(indicator.network) if indicator.network else "",
                        indicator.reporting_agency.strip(),
                    )
                    if part
                )
                or DASH,
            )
            for i, indicator in enumerate(indicators, start=1)
        )
        return self.fitted(header, rows, numeric)

    def consent(self, consent: ConsentResult | None) -> Iterable[Block]:
        if consent is None:
            yield Notice("ยังไม่ได้จัดการรับรองฉันทามติ")
            return
        yield Paragraph(
            "ที่ประชุมรับรองวาระนี้แล้ว" if consent.adopted else "ที่ประชุมยังไม่รับรองวาระนี้",
            label="ผลการรับรอง:",
        )
        if consent.counts:
            totals = ConsentCount(
                "",
                sum(c.agree for c in consent.counts),
                sum(c.can_live_with for c in consent.counts),
                sum(c.objecting for c in consent.counts),
            )
            yield Table(
                header=("เครือข่าย", "เห็นด้วย", "ยอมรับได้", "คัดค้าน", "รวม"),
                rows=tuple(
                    (
                        self.network(c.network),
                        self.n(c.agree),
                        self.n(c.can_live_with),
                        self.n(c.objecting),
                        self.n(c.total),
                    )
                    for c in consent.counts
                ),
                widths=(72, 22, 22, 22, 22),
                numeric=(False, True, True, True, True),
                total=(
                    "รวม",
                    self.n(totals.agree),
                    self.n(totals.can_live_with),
                    self.n(totals.objecting),
                    self.n(totals.total),
                ),
            )
        if consent.objections:
            yield Paragraph("", label="ข้อคัดค้าน เหตุผล และการพิจารณา:")
            yield Table(
                header=("ที่", "เครือข่าย", "เหตุผลที่คัดค้าน", "การพิจารณา"),
                rows=tuple(
                    (
                        self.n(i),
                        self.short_network(o.network) if o.network else UNKNOWN_NETWORK,
                        o.reason.strip(),
                        HANDLING_NAMES.get(o.handling, NOT_HANDLED)
                        + (f"\n{o.note.strip()}" if o.note.strip() else ""),
                    )
                    for i, o in enumerate(consent.objections, start=1)
                ),
                widths=(8, 24, 64, 64),
                numeric=(True, False, False, False),
            )

    def approval(self) -> Iterable[Block]:
        yield self.heading("การเสนอและการให้ความเห็นชอบ")
        signatories = self.doc.approval or (Signatory("ผู้เสนอ"), Signatory("ผู้เห็นชอบ"))
        yield Paragraph(
            f"ที่ประชุมสมัชชาคุณธรรม{self.province()}ได้ร่วมกันจัดทำและรับรอง{agenda_title(self.doc.cover)}"
            "ข้างต้น จึงเสนอเพื่อโปรดพิจารณาให้ความเห็นชอบและประกาศใช้ต่อไป"
        )
        yield Signatures(
            tuple((sig.role, sig.name.strip(), sig.position.strip()) for sig in signatories)
        )

    def province(self) -> str:
        return agenda_title(self.doc.cover).removeprefix("วาระคุณธรรม")

    def appendix(self) -> Iterable[Block]:
        if self.doc.annex == "none":
            return
        groups = [group for group in self.doc.proposals if group.proposals]
        title = (
            "ภาคผนวก ข้อเสนอในประเด็นสำคัญ"
            if self.doc.annex == "issues"
            else "ภาคผนวก ข้อเสนอทั้งหมดจำแนกตามประเด็น"
        )
        yield Heading("", title, 1, page_break=True)
        if not groups:
            yield Notice(MISSING_PROPOSALS)
            return
        total = sum(len(group.proposals) for group in groups)
        yield Paragraph(f"ข้อเสนอทั้งสิ้น {self.n(total)} ข้อ จัดเป็น {self.n(len(groups))} ประเด็น ดังนี้")
        known = len(self.support_columns(()))
        yield Table(
            header=("ที่", "ประเด็น", "ข้อเสนอ", "ผู้สนับสนุน", "เครือข่ายที่เสนอ"),
            rows=tuple(
                (
                    self.n(i),
                    group.issue,
                    self.n(len(group.proposals)),
                    self.n(sum(p.supporters for p in group.proposals)),
                    f"{self.n(len({p.network for p in group.proposals if p.network}))}"
                    f" จาก {self.n(known)}",
                )
                for i, group in enumerate(groups, start=1)
            ),
            widths=(10, 80, 20, 24, 26),
            numeric=(True, False, True, True, True),
            total=(
                "",
                "รวม",
                self.n(total),
                self.n(sum(p.supporters for g in groups for p in g.proposals)),
                "",
            ),
        )
        for i, group in enumerate(groups, start=1):
            count = self.n(len(group.proposals))
            yield Heading("", f"ประเด็นที่ {self.n(i)} {group.issue.strip()} ({count} ข้อเสนอ)", 2)
            yield Table(
                header=("ที่", "ข้อเสนอ", "เครือข่าย", "ผู้สนับสนุน"),
                rows=tuple(
                    (self.n(j), p.text, self.short_network(p.network), self.n(p.supporters))
                    for j, p in enumerate(group.proposals, start=1)
                ),
                widths=(10, 100, 26, 24),
                numeric=(True, False, False, True),
            )


# Thai marks above and below a consonant take no width of their own.
_ZERO_WIDTH = re.compile("[\u0e31\u0e34-\u0e3a\u0e47-\u0e4e\u200b]")
LINE_UNITS = 58  # TH Sarabun 14 pt characters (bold, wide digits) across a 16 cm table, measured
SHORT_LINE = 14  # a cell line this short (a date, an amount, a funding source) never wraps
CELL_PADDING_UNITS = 1.5
MIN_TEXT = 10  # a column of long text, where there is room: names wrap, not crumble
SQUEEZED_TEXT = 4  # ... and where there is none
WHOLE_HEADER = 8  # a header part this short is one word ("งบประมาณ"): never split


def display_length(text: str) -> int:
    """Characters that take width: tone marks and vowels above or below do not."""
    return len(_ZERO_WIDTH.sub("", text))


LANDSCAPE_UNITS = round(LINE_UNITS * 24.7 / 16)  # A4 landscape: 24.7 cm between margins
LANDSCAPE_SLACK = 8


def too_wide(header: Sequence[str], rows: Sequence[Sequence[str]], numeric: Sequence[bool]) -> bool:
    """Whether the columns need clearly more than A4 portrait gives without wrapping what must
    not; a table a little too wide stays portrait and wraps a header (the seven indicator
    columns need about 61 units: "ค่าเป้า/หมาย" on two lines beats a turned page)."""
    return sum(_column_needs(header, rows, numeric)[0]) > LINE_UNITS + LANDSCAPE_SLACK


def fit_columns(
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    numeric: Sequence[bool],
    units: int = LINE_UNITS,
) -> tuple[int, ...]:
    """Relative column widths sized by their content: numbers and short lines (dates, amounts,
    a funding source) get what they need not to wrap, the header's longest line included;
    long text columns share the rest by how much they hold, so a name column is wide and a
    number column narrow (LibreOffice split "๑๒|๐,๐๐๐" in an even split)."""
    needs, weights = _column_needs(header, rows, numeric, MIN_TEXT)
    spare = units - sum(needs)
    total_weight = sum(weights)
    if spare <= 0 and total_weight:
        # Too little room: short columns keep what they need ("หมู่บ้าน" never breaks), the
        # long-text columns share the rest, each at least a squeezed minimum.
        # a short column's header may take two lines here ("ค่า/เป้าหมาย"), its cells may not
        needs = [
            n if w else max(cell, head if head <= WHOLE_HEADER else head / 2) + CELL_PADDING_UNITS
            for n, w, cell, head in zip(needs, weights, *_short_parts(header, rows), strict=True)
        ]
        short = sum(n for n, w in zip(needs, weights, strict=True) if not w)
        room = max(units - short, 0)
        text = sum(n for n, w in zip(needs, weights, strict=True) if w)
        squeezed = SQUEEZED_TEXT + CELL_PADDING_UNITS
        return tuple(
            round((max(squeezed, room * n / text) if w else n) * 10)
            for n, w in zip(needs, weights, strict=True)
        )
    if spare <= 0 or not total_weight:
        return tuple(max(1, round(n * 10)) for n in needs)
    return tuple(
        round((need + spare * weight / total_weight) * 10)
        for need, weight in zip(needs, weights, strict=True)
    )


def _short_parts(
    header: Sequence[str], rows: Sequence[Sequence[str]]
) -> tuple[list[int], list[int]]:
    """Per column: its longest cell line and its header's longest part."""
    cells, heads = [], []
    for c in range(len(header)):
        lines = [line for row in rows for line in row[c].split("\n") if line]
        cells.append(max((display_length(line) for line in lines), default=1))
        heads.append(max(display_length(p) for p in re.split(f"[\n{WORD_BREAK}]", header[c])))
    return cells, heads


def _column_needs(
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    numeric: Sequence[bool],
    text_min: float = SQUEEZED_TEXT,
) -> tuple[list[float], list[float]]:
    """Per column: the width its short content needs unwrapped, and its share of long text."""
    needs: list[float] = []
    weights: list[float] = []
    for c in range(len(header)):
        cells = [row[c] for row in rows]
        lines = [line for cell in cells for line in cell.split("\n") if line]
        longest = max((display_length(line) for line in lines), default=1)
        # a header may wrap where it has a line break or a WORD_BREAK ("ประชา|สังคม")
        head = max(display_length(part) for part in re.split(f"[\n{WORD_BREAK}]", header[c]))
        short = numeric[c] or longest <= SHORT_LINE
        need = max(head if short else min(head, SHORT_LINE), longest if short else text_min)
        needs.append(need + CELL_PADDING_UNITS)
        weights.append(
            0 if short else sum(display_length(cell) for cell in cells) / max(1, len(cells))
        )
    return needs, weights


def _share(issue: IssueResult, key: str) -> float | None:
    for support in issue.support:
        if support.key == key:
            return support.share
    return None


def network_names(doc: AgendaDocument) -> dict[str, str]:
    """Network key → Thai name: the six defaults, overridden by the assembly's own names."""
    names = {spec.key: spec.name_th for spec in DEFAULT_NETWORKS}
    names.update({row.key: row.name for row in doc.participation})
    return names


def format_date(
    date: dt.date,
    options: DocumentOptions,
    *,
    month: Literal["long", "short"] = "long",
    compact: bool = False,
) -> str:
    """A date in Thai: ``๒๗ พฤศจิกายน พ.ศ. ๒๕๖๙``, or ``ค.ศ. 2026`` without the Buddhist era.

    compact drops "พ.ศ." (``๓๐ ก.ย. ๒๕๗๐``), as Thai tables do; "ค.ศ." always stays.
    """
    if options.buddhist_era:
        return thai_date(date, thai_numerals=options.thai_numerals, month=month, era=not compact)
    name = (THAI_MONTHS if month == "long" else THAI_MONTHS_SHORT)[date.month - 1]
    text = f"{date.day} {name} ค.ศ. {date.year}"
    return thai_digits(text) if options.thai_numerals else text


def format_year(buddhist: int, options: DocumentOptions, *, compact: bool = False) -> str:
    """A Buddhist-era year as ``พ.ศ. ๒๕๗๐`` (compact: ``๒๕๗๐``), or ``ค.ศ. 2027``."""
    if options.buddhist_era:
        text = str(buddhist) if compact else f"พ.ศ. {buddhist}"
    else:
        text = f"ค.ศ. {buddhist - BUDDHIST_ERA_OFFSET}"
    return thai_digits(text) if options.thai_numerals else text


def format_months(months: Sequence[int]) -> str:
    """Short Thai month names, runs joined by a dash: (10, 11, 12, 2) → ``ต.ค.–ธ.ค., ก.พ.``."""
    runs: list[list[int]] = []
    for month in months:
        if runs and month == runs[-1][-1] % 12 + 1:
            runs[-1].append(month)
        else:
            runs.append([month])
    parts = []
    for run in runs:
        first, last = THAI_MONTHS_SHORT[run[0] - 1], THAI_MONTHS_SHORT[run[-1] - 1]
        parts.append(first if len(run) == 1 else f"{first}–{last}")
    return ", ".join(parts)


def format_timing(timing: Timing, options: DocumentOptions, *, compact: bool = False) -> str:
    """``ต.ค.–ธ.ค. ปีงบประมาณ พ.ศ. ๒๕๗๐``; compact, for table cells, one part a line:
    ``ต.ค.–ธ.ค.\\nปีงบฯ ๒๕๗๐``; a dash when nothing is set."""
    parts = []
    if timing.quarter is not None:
        number = thai_number(timing.quarter, options.thai_numerals)
        parts.append(f"ไตรมาส {number}" if compact else f"ไตรมาสที่ {number}")
    if timing.months:
        parts.append(format_months(timing.months))
    if timing.fiscal_year is not None:
        label = FISCAL_YEAR_SHORT if compact else FISCAL_YEAR
        parts.append(f"{label} {format_year(timing.fiscal_year, options, compact=compact)}")
    if timing.date is not None:
        parts.append(format_date(timing.date, options, month="short", compact=compact))
    if timing.note.strip():
        parts.append(timing.note.strip())
    # In a narrow table cell each part gets its own line rather than breaking mid-phrase.
    return ("\n" if compact else " ").join(parts) or DASH
