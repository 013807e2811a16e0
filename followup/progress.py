"""Progress of an adopted agenda over the year: the on-track rule, roll-ups and overdue reports.

Pure: `gather` (followup/board.py) reads the database once into a `BoardInput`; `build_board`
turns it into a `ProgressBoard` that the board page, the charts, the DOCX and the CSV all read,
so they never disagree on a number. No framework, no session, no clock (today is an input).

The rule (seed framework ๔ step ๗, "ตรวจสอบว่าผลที่เกิดขึ้น… มากน้อยเพียงใด"), shown to people as
`RULE_TEXT`: a straight path from the baseline at the start of follow-up to the target at the
indicator's deadline (or the end of the fiscal year). Worked example: baseline ร้อยละ ๖๐, target
ร้อยละ ๘๐, a 12-month year; a value of 66 measured after 6 months is progress 0.30 against an
expected 0.50: 0.30 < 0.50 - 0.10, but >= 0.50 - 0.25, so "at risk".
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import TypeVar

from assembly.thai_format import BUDDHIST_ERA_OFFSET, arabic_digits

# ---------------------------------------------------------------------------------------------
# Vocabulary


class ActivityStatus(StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]


STATUS_LABELS: dict[ActivityStatus, str] = {
    ActivityStatus.NOT_STARTED: "ยังไม่เริ่ม",
    ActivityStatus.IN_PROGRESS: "กำลังดำเนินการ",
    ActivityStatus.DONE: "เสร็จแล้ว",
    ActivityStatus.CANCELLED: "ยกเลิก/ปรับแผน",
}


class Track(StrEnum):
    REACHED = "reached"
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    OFF_TRACK = "off_track"
    NO_DATA = "no_data"
    NOT_MEASURABLE = "not_measurable"

    @property
    def label(self) -> str:
        return TRACK_LABELS[self]


TRACK_LABELS: dict[Track, str] = {
    Track.REACHED: "บรรลุเป้าหมาย",
    Track.ON_TRACK: "ตามแผน",
    Track.AT_RISK: "เสี่ยง",
    Track.OFF_TRACK: "ล่าช้า/ไม่เป็นไปตามแผน",
    Track.NO_DATA: "ยังไม่มีรายงาน",
    Track.NOT_MEASURABLE: "วัดเป็นตัวเลขไม่ได้",
}

# Worst first: an item's overall track is the first of these that any of its measured
# indicators has (one indicator off track makes the item off track, however many are fine).
MEASURED_TRACKS: tuple[Track, ...] = (
    Track.OFF_TRACK,
    Track.AT_RISK,
    Track.ON_TRACK,
    Track.REACHED,
)

# How far behind the straight path an indicator may be and still count as on track / at risk,
# as a share of the whole way from baseline to target. 0.10 forgives one quarter's report that
# came in a little low; 0.25 is a whole quarter behind on a one-year path.
ON_TRACK_SLACK = 0.10
AT_RISK_SLACK = 0.25
# Floating-point room for "progress >= threshold" (2/3 of the way computed two ways differ by
# 1e-16; no person reads a difference of one in a billion).
_EPSILON = 1e-9

RULE_TEXT = (
    "เกณฑ์การประเมิน: ลากเส้นตรงจากค่าฐาน (ณ วันเริ่มติดตามผล) ไปยังค่าเป้าหมาย "
    "(ณ กำหนดเวลาของตัวชี้วัด หรือวันสิ้นปีงบประมาณหากไม่ได้กำหนด) "
    "ความก้าวหน้า = สัดส่วนของระยะทางจากค่าฐานถึงค่าเป้าหมายที่ค่าล่าสุดทำได้ "
    "(ใช้ได้ทั้งเป้าหมายที่ต้องเพิ่มขึ้นและลดลง) "
    "ค่าที่ควรเป็น = สัดส่วนของเวลาที่ผ่านไป ณ วันที่วัดค่าล่าสุด "
    "บรรลุเป้าหมาย เมื่อความก้าวหน้าถึงร้อยละ ๑๐๐; "
    "ตามแผน เมื่อความก้าวหน้าไม่ต่ำกว่าค่าที่ควรเป็นเกินร้อยละ ๑๐; "
    "เสี่ยง เมื่อต่ำกว่าไม่เกินร้อยละ ๒๕; "
    "ล่าช้า/ไม่เป็นไปตามแผน เมื่อต่ำกว่านั้น"
)

# ---------------------------------------------------------------------------------------------
# Inputs: what gather reads from the database


@dataclass(frozen=True)
class Round:
    """A reporting round of the fiscal year, e.g. quarter 1 due 15 January."""

    number: int
    label: str
    due: dt.date


@dataclass(frozen=True)
class Measurement:
    """One indicator report: the value as typed (parsed here, never at input time)."""

    round: int
    measured_on: dt.date
    value_text: str
    source: str
    note: str
    agency: str
    late: bool
    report_id: int | None = None  # the stored report: joins its lesson in the CSV


@dataclass(frozen=True)
class ActivityReport:
    round: int
    reported_on: dt.date
    status: ActivityStatus
    done: str
    people_reached: int | None
    money_spent: int | None
    photo_ids: tuple[int, ...]
    agency: str
    late: bool
    report_id: int | None = None  # the stored report: joins its lesson in the CSV


@dataclass(frozen=True)
class Lesson:
    """What was learnt, on any report (seed step ๖: the outcome and the learning matter)."""

    item_id: int
    target_name: str
    agency: str
    reported_on: dt.date
    worked: str
    not_worked: str
    change: str
    report_id: int | None = None
    """The report it was written on; None for a working group's note (a row of its own)."""


@dataclass(frozen=True)
class IndicatorInput:
    target_id: int
    item_id: int
    name: str
    unit: str
    baseline_text: str
    target_text: str
    deadline: dt.date | None
    agency: str
    person: str
    measurements: tuple[Measurement, ...]


@dataclass(frozen=True)
class ActivityInput:
    target_id: int
    item_id: int
    plan: str
    what: str
    agency: str
    person: str
    budget: int | None
    reports: tuple[ActivityReport, ...]


@dataclass(frozen=True)
class ItemInput:
    item_id: int
    title: str
    goal: str
    virtues: tuple[str, ...]
    agency: str
    person: str


@dataclass(frozen=True)
class Expected:
    """A report an agency owes for one round."""

    agency: str
    round: int
    target_id: int
    target_name: str


@dataclass(frozen=True)
class BoardInput:
    assembly_id: int
    title: str
    province: str
    fiscal_year: int  # พ.ศ., e.g. 2570 = 1 Oct 2026 – 30 Sep 2027
    started_on: dt.date
    today: dt.date
    rounds: tuple[Round, ...]
    items: tuple[ItemInput, ...]
    activities: tuple[ActivityInput, ...]
    indicators: tuple[IndicatorInput, ...]
    lessons: tuple[Lesson, ...]
    expected: tuple[Expected, ...]
    reported: frozenset[tuple[str, int, int]]  # (agency, round, target_id) that have a report


# ---------------------------------------------------------------------------------------------
# Outputs


@dataclass(frozen=True)
class Point:
    """One measured value on an indicator's chart."""

    round: int
    measured_on: dt.date
    value: float
    agency: str
    late: bool


@dataclass(frozen=True)
class IndicatorProgress:
    indicator: IndicatorInput
    baseline: float | None  # parsed from baseline_text; None: not a number
    target: float | None
    starts_on: dt.date  # the path's start: the board's started_on
    ends_on: dt.date  # the path's end: the deadline, or the end of the fiscal year
    points: tuple[Point, ...]  # numeric measurements, oldest first
    latest: Point | None  # the newest numeric measurement
    latest_text: str  # the newest measurement as typed ("" when none), even if not a number
    progress: float | None  # share of the way baseline -> target of the latest value (raw)
    expected: float | None  # share of the time elapsed at the latest measurement, 0..1
    expected_now: float | None  # the value the straight path gives for today
    track: Track

    @property
    def target_id(self) -> int:
        return self.indicator.target_id

    @property
    def name(self) -> str:
        return self.indicator.name


@dataclass(frozen=True)
class ActivityProgress:
    activity: ActivityInput
    status: ActivityStatus  # the latest report's; not_started when nothing was reported
    latest: ActivityReport | None
    people_reached: int  # summed over the reports: each counts those reached in its round
    money_spent: int  # summed over the reports
    budget: int | None
    over_budget: bool
    photo_ids: tuple[int, ...]  # every report's photos, oldest report first

    @property
    def target_id(self) -> int:
        return self.activity.target_id


@dataclass(frozen=True)
class ItemProgress:
    item: ItemInput
    indicators: tuple[IndicatorProgress, ...]
    activities: tuple[ActivityProgress, ...]
    activities_by_status: Mapping[ActivityStatus, int]  # every status, 0 included
    share_done: float | None  # done / activities not cancelled; None when there are none
    indicators_by_track: Mapping[Track, int]  # every track, 0 included
    track: Track  # the worst measured track; no_data / not_measurable when nothing measured
    budget: int  # summed over the activities that have one
    money_spent: int
    people_reached: int
    lessons: tuple[Lesson, ...]  # newest first

    @property
    def item_id(self) -> int:
        return self.item.item_id


@dataclass(frozen=True)
class OverdueRound:
    round: Round
    target_names: tuple[str, ...]  # the targets this agency has not reported for the round


@dataclass(frozen=True)
class OverdueAgency:
    agency: str
    rounds: tuple[OverdueRound, ...]

    @property
    def missing(self) -> int:
        return sum(len(r.target_names) for r in self.rounds)


@dataclass(frozen=True)
class BoardCounts:
    items: int
    indicators: int
    activities: int
    by_track: Mapping[Track, int]
    by_status: Mapping[ActivityStatus, int]
    measurements: int
    activity_reports: int
    late_reports: int
    overdue_reports: int  # expected reports missing after their round's due date
    overdue_agencies: int
    lessons: int
    budget: int
    money_spent: int
    people_reached: int


@dataclass(frozen=True)
class ProgressBoard:
    assembly_id: int
    title: str
    province: str
    fiscal_year: int
    started_on: dt.date
    today: dt.date
    rounds: tuple[Round, ...]
    current_round: Round | None  # the first round not yet due (None after the last due date)
    items: tuple[ItemProgress, ...]
    overdue: tuple[OverdueAgency, ...]  # agencies by name
    counts: BoardCounts
    rule_text: str = RULE_TEXT

    def item(self, item_id: int) -> ItemProgress:
        for item in self.items:
            if item.item_id == item_id:
                return item
        raise KeyError(item_id)

    def round(self, number: int) -> Round | None:
        return next((r for r in self.rounds if r.number == number), None)

    def report_round(self) -> int:
        """The round a progress report is for unless one is chosen: the last one due by
        today, or the first."""
        due = [r.number for r in self.rounds if r.due <= self.today]
        return due[-1] if due else self.rounds[0].number


# ---------------------------------------------------------------------------------------------
# Numbers as people type them

# One number: grouped thousands (1,200) or plain digits, optional decimals, a minus only where
# it cannot be a range's dash ("80-90" is 80, "-5" is -5).
_NUMBER = re.compile(r"(?<![\d.,])(-(?=\d))?((?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?)(?![\d,]*\d)")
_DASH_AFTER_DIGIT = re.compile(r"(?<=\d)-")


def parse_number(text: str) -> float | None:
    """The first number in what someone typed: "ร้อยละ ๘๐" -> 80, "1,200 คน" -> 1200,
    "80%" -> 80, "12.5 ตัน" -> 12.5; None when there is no number ("ไม่มีข้อมูล").

    The first, because baselines are written "ร้อยละ 60 (ปี 2568)": the year follows the value.
    Units and words are ignored: a baseline and its target are in the same unit.
    """
    cleaned = arabic_digits(text or "").replace("\u2212", "-")
    cleaned = _DASH_AFTER_DIGIT.sub(" ", cleaned)  # "80-90": a range, not 80 and -90
    match = _NUMBER.search(cleaned)
    if match is None:
        return None
    value = float(match.group(2).replace(",", ""))
    if not math.isfinite(value):  # 400 nines typed into a phone: not a measurement
        return None
    return -value if match.group(1) else value


# ---------------------------------------------------------------------------------------------
# The rule

K = TypeVar("K")


DUE_DAY = 15  # a quarter's report is due on the 15th of the month after it (brief, issue 18)


def fiscal_year_end(fiscal_year: int) -> dt.date:
    """The last day of a Thai fiscal year named in พ.ศ.: FY 2570 ends 30 September 2027."""
    return dt.date(fiscal_year - BUDDHIST_ERA_OFFSET, 9, 30)


def default_rounds(fiscal_year: int) -> tuple[Round, ...]:
    """Four quarterly rounds of a fiscal year (พ.ศ.), each due on DUE_DAY of the month after
    its quarter: quarter 1 (Oct–Dec) is due 15 January. Labels are stored with Arabic digits,
    "ไตรมาสที่ 1"; the page and the DOCX write them in Thai digits where they write numbers so."""
    end_year = fiscal_year - BUDDHIST_ERA_OFFSET
    dues = tuple(dt.date(end_year, month, DUE_DAY) for month in (1, 4, 7, 10))
    return tuple(
        Round(number=n, label=f"ไตรมาสที่ {n}", due=due) for n, due in enumerate(dues, start=1)
    )


def time_share(on: dt.date, starts_on: dt.date, ends_on: dt.date) -> float:
    """Share of the path's time elapsed on a date, 0..1 (1 when the path has no length)."""
    length = (ends_on - starts_on).days
    if length <= 0:
        return 1.0
    return min(1.0, max(0.0, (on - starts_on).days / length))


def progress_share(value: float, baseline: float, target: float) -> float:
    """Share of the way from baseline to target that value has gone; works for falling
    targets (baseline 20 accidents, target 10: 15 is 0.5). Not clamped: below the baseline
    is negative, past the target above 1. A target equal to its baseline is "keep it": 1 when
    the value is the target, else 0."""
    if target == baseline:
        return 1.0 if value == target else 0.0
    return (value - baseline) / (target - baseline)


def judge(progress: float, expected: float) -> Track:
    """The rule's verdict for a progress share against the expected share of time."""
    if progress >= 1.0 - _EPSILON:
        return Track.REACHED
    if progress >= expected - ON_TRACK_SLACK - _EPSILON:
        return Track.ON_TRACK
    if progress >= expected - AT_RISK_SLACK - _EPSILON:
        return Track.AT_RISK
    return Track.OFF_TRACK


def indicator_progress(
    indicator: IndicatorInput, *, started_on: dt.date, fiscal_year: int, today: dt.date
) -> IndicatorProgress:
    """One indicator against the rule."""
    baseline = parse_number(indicator.baseline_text)
    target = parse_number(indicator.target_text)
    ends_on = indicator.deadline or fiscal_year_end(fiscal_year)
    ordered = sorted(indicator.measurements, key=lambda m: (m.measured_on, m.round))
    points = tuple(
        Point(m.round, m.measured_on, value, m.agency, m.late)
        for m in ordered
        if (value := parse_number(m.value_text)) is not None
    )
    latest = points[-1] if points else None
    latest_text = ordered[-1].value_text if ordered else ""
    progress = expected = expected_now = None
    if baseline is None or target is None:
        track = Track.NOT_MEASURABLE
    else:
        share_now = time_share(today, started_on, ends_on)
        expected_now = baseline + (target - baseline) * share_now
        if latest is None:
            track = Track.NO_DATA
        else:
            progress = progress_share(latest.value, baseline, target)
            expected = time_share(latest.measured_on, started_on, ends_on)
            track = judge(progress, expected)
    return IndicatorProgress(
        indicator=indicator,
        baseline=baseline,
        target=target,
        starts_on=started_on,
        ends_on=ends_on,
        points=points,
        latest=latest,
        latest_text=latest_text,
        progress=progress,
        expected=expected,
        expected_now=expected_now,
        track=track,
    )


def activity_progress(activity: ActivityInput) -> ActivityProgress:
    """One activity: its latest status and what its reports add up to.

    Rounds come first: a late report on round 1 sent after round 2's "done" is not the
    activity's latest word. A second report in the same round corrects the first (people and
    money are what the round reached, not more of it): only the last of each round counts."""
    reports = sorted(activity.reports, key=lambda r: (r.round, r.reported_on))
    latest = reports[-1] if reports else None
    per_round = list({r.round: r for r in reports}.values())  # the last report of each round
    spent = sum(r.money_spent or 0 for r in per_round)
    return ActivityProgress(
        activity=activity,
        status=latest.status if latest else ActivityStatus.NOT_STARTED,
        latest=latest,
        people_reached=sum(r.people_reached or 0 for r in per_round),
        money_spent=spent,
        budget=activity.budget,
        over_budget=activity.budget is not None and spent > activity.budget,
        photo_ids=tuple(pid for r in reports for pid in r.photo_ids),
    )


def overall_track(tracks: Iterable[Track]) -> Track:
    """The worst measured track; no_data when something could be measured but nothing was
    reported; not_measurable when nothing can be measured (or there is nothing)."""
    seen = set(tracks)
    for track in MEASURED_TRACKS:
        if track in seen:
            return track
    return Track.NO_DATA if Track.NO_DATA in seen else Track.NOT_MEASURABLE


def _count(keys: Iterable[K], values: Iterable[K]) -> dict[K, int]:
    counts = dict.fromkeys(keys, 0)
    for value in values:
        counts[value] += 1
    return counts


def item_progress(
    item: ItemInput,
    indicators: tuple[IndicatorProgress, ...],
    activities: tuple[ActivityProgress, ...],
    lessons: tuple[Lesson, ...],
) -> ItemProgress:
    by_status = _count(ActivityStatus, (a.status for a in activities))
    active = len(activities) - by_status[ActivityStatus.CANCELLED]
    return ItemProgress(
        item=item,
        indicators=indicators,
        activities=activities,
        activities_by_status=by_status,
        share_done=by_status[ActivityStatus.DONE] / active if active else None,
        indicators_by_track=_count(Track, (i.track for i in indicators)),
        track=overall_track(i.track for i in indicators),
        budget=sum(a.budget or 0 for a in activities),
        money_spent=sum(a.money_spent for a in activities),
        people_reached=sum(a.people_reached for a in activities),
        lessons=tuple(sorted(lessons, key=lambda lesson: lesson.reported_on, reverse=True)),
    )


def overdue_reports(data: BoardInput) -> tuple[OverdueAgency, ...]:
    """Reports owed and missing after their round's due date, per agency: a round is overdue
    for an agency when today is past its due date and one of its expected reports is not in."""
    rounds = {r.number: r for r in data.rounds}
    missing: dict[str, dict[int, list[str]]] = {}
    for owed in data.expected:
        due_round = rounds.get(owed.round)
        if due_round is None or data.today <= due_round.due:
            continue
        if (owed.agency, owed.round, owed.target_id) in data.reported:
            continue
        names = missing.setdefault(owed.agency, {}).setdefault(owed.round, [])
        if owed.target_name not in names:
            names.append(owed.target_name)
    return tuple(
        OverdueAgency(
            agency=agency,
            rounds=tuple(
                OverdueRound(rounds[number], tuple(names))
                for number, names in sorted(by_round.items())
            ),
        )
        for agency, by_round in sorted(missing.items())
    )


def build_board(data: BoardInput) -> ProgressBoard:
    """The whole board: every item with its indicators and activities, overdue reports, counts.

    Items keep the input's order; targets of an item not in `data.items` are left out.
    """
    indicators = [
        indicator_progress(
            i, started_on=data.started_on, fiscal_year=data.fiscal_year, today=data.today
        )
        for i in data.indicators
    ]
    activities = [activity_progress(a) for a in data.activities]
    items = tuple(
        item_progress(
            item,
            tuple(i for i in indicators if i.indicator.item_id == item.item_id),
            tuple(a for a in activities if a.activity.item_id == item.item_id),
            tuple(lesson for lesson in data.lessons if lesson.item_id == item.item_id),
        )
        for item in data.items
    )
    overdue = overdue_reports(data)
    shown_indicators = [i for item in items for i in item.indicators]
    shown_activities = [a for item in items for a in item.activities]
    counts = BoardCounts(
        items=len(items),
        indicators=len(shown_indicators),
        activities=len(shown_activities),
        by_track=_count(Track, (i.track for i in shown_indicators)),
        by_status=_count(ActivityStatus, (a.status for a in shown_activities)),
        measurements=sum(len(i.indicator.measurements) for i in shown_indicators),
        activity_reports=sum(len(a.activity.reports) for a in shown_activities),
        late_reports=sum(m.late for i in shown_indicators for m in i.indicator.measurements)
        + sum(r.late for a in shown_activities for r in a.activity.reports),
        overdue_reports=sum(agency.missing for agency in overdue),
        overdue_agencies=len(overdue),
        lessons=sum(len(item.lessons) for item in items),
        budget=sum(item.budget for item in items),
        money_spent=sum(item.money_spent for item in items),
        people_reached=sum(item.people_reached for item in items),
    )
    by_due = sorted(data.rounds, key=lambda r: r.due)
    current = next((r for r in by_due if r.due >= data.today), None)
    return ProgressBoard(
        assembly_id=data.assembly_id,
        title=data.title,
        province=data.province,
        fiscal_year=data.fiscal_year,
        started_on=data.started_on,
        today=data.today,
        rounds=data.rounds,
        current_round=current,
        items=items,
        overdue=overdue,
        counts=counts,
    )
