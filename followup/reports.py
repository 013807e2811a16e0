"""Use cases of reporting: what a reporting link's phone page shows, and a report sent from it.

A report is stored exactly once per client key of its agency: a phone on a weak connection
keeps the report in its outbox and sends it again until it hears back, and a resend answers
with the report already stored (`stored: False`) instead of a second one. Photos are checked
and re-encoded before the transaction starts, so a bad photo refuses the whole report and
nothing of it is stored.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from assembly.errors import Forbidden, InvalidInput, NotFound
from assembly.i18n import N_
from assembly.models import Assembly
from assembly.runtime import Runtime
from assembly.services import Actor, authorized
from assembly.steps import Action
from assembly.thai_format import BUDDHIST_ERA_OFFSET, arabic_digits
from assembly.timeutil import as_utc, thai_date, thai_today, utcnow
from deliberation.agenda.drafting import MAX_BUDGET_BAHT, check_whole_number
from deliberation.agenda.items import check_text
from deliberation.proposals import CLIENT_KEY_PATTERN
from followup.links import reporter_agency
from followup.models import FollowupPhoto, FollowupReport, FollowupSettings, FollowupTarget
from followup.photos import MAX_PHOTOS, CleanPhoto, clean_photo
from followup.progress import ActivityStatus
from followup.setup import (
    ancestor_of_kind,
    effective_agency,
    emit_progress,
    one_line,
    round_of,
    settings_of,
    targets_of,
)

STATUSES = tuple(status.value for status in ActivityStatus)
"""ยังไม่เริ่ม, กำลังดำเนินการ, เสร็จแล้ว, ยกเลิก/ปรับแผน."""
MAX_TEXT_CHARS = 2000  # what was done, a note, each of the lessons: a paragraph
MAX_VALUE_CHARS = 100  # "ร้อยละ ๘๐", "1,200 คน"
MAX_SOURCE_CHARS = 300
MAX_PEOPLE = 100_000_000  # more than the country: a typo
MAX_BAHT = MAX_BUDGET_BAHT  # as for a drafted budget
REPORTABLE = ("activity", "indicator")
MIN_BUDDHIST_YEAR = 2400  # a date's year past it was typed in the Buddhist era
MEASURED_BEFORE_DAYS = 366
"""A measurement may predate the fiscal year by up to a year (a survey of last year); one
older than that is a mistyped year."""
COUNT_UNITS = ("บาท", "คน", "ราย")  # "1,200 คน", "50,000 บาท": the words dropped


def _date(value: object) -> dt.date | None:
    """A date as typed; a year past MIN_BUDDHIST_YEAR was typed in the Buddhist era (Thai
    phones often show 2570) and is converted."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.date):
        day = value
    else:
        try:
            day = dt.date.fromisoformat(arabic_digits(str(value)).strip())
        except ValueError as exc:
            raise InvalidInput("invalid_date", "Please enter a valid date.") from exc
    if day.year > MIN_BUDDHIST_YEAR:
        try:
            day = day.replace(year=day.year - BUDDHIST_ERA_OFFSET)
        except ValueError as exc:  # 29 February of a year that has none
            raise InvalidInput("invalid_date", "Please enter a valid date.") from exc
    return day


def _due(rounds: Sequence[Mapping[str, Any]], number: int) -> dt.date:
    for entry in rounds:
        if int(entry["number"]) == number:
            return dt.date.fromisoformat(entry["due"])
    raise InvalidInput("invalid_round", "Choose one of the reporting rounds.")


def earliest_measurement(settings: FollowupSettings) -> dt.date:
    """The first day a measurement may be of: a year before the fiscal year starts."""
    starts = dt.date(settings.fiscal_year - BUDDHIST_ERA_OFFSET - 1, 10, 1)
    return starts - dt.timedelta(days=MEASURED_BEFORE_DAYS)


def report_view(report: FollowupReport, photo_ids: Sequence[int] = ()) -> dict[str, Any]:
    return {
        "id": report.id,
        "target_id": report.target_id,
        "agency_id": report.agency_id,
        "round": report.round,
        "status": report.status,
        "done": report.done,
        "people_reached": report.people_reached,
        "money_spent": report.money_spent,
        "value": report.value_text,
        "measured_on": report.measured_on.isoformat() if report.measured_on else None,
        "source": report.source,
        "note": report.note,
        "worked": report.worked,
        "not_worked": report.not_worked,
        "change": report.change,
        "late": report.late,
        "created_at": report.created_at,
        "photo_ids": list(photo_ids),
    }


async def _photo_ids(session: AsyncSession, report_id: int) -> list[int]:
    return list(
        await session.scalars(
            select(FollowupPhoto.id)
            .where(FollowupPhoto.report_id == report_id)
            .order_by(FollowupPhoto.position)
        )
    )


def _fields(
    kind: str,
    *,
    status: str,
    done: str,
    people_reached: object,
    money_spent: object,
    value: str,
    measured_on: object,
    source: str,
    note: str,
    worked: str,
    not_worked: str,
    change: str,
    today: dt.date,
    earliest: dt.date,
) -> dict[str, Any]:
    """The report's columns, checked for its target's kind."""
    lessons = {
        "worked": check_text(worked, "worked", MAX_TEXT_CHARS),
        "not_worked": check_text(not_worked, "not_worked", MAX_TEXT_CHARS),
        "change": check_text(change, "change", MAX_TEXT_CHARS),
    }
    if kind == "activity":
        if status not in STATUSES:
            raise InvalidInput(
                "invalid_status",
                "Choose not started, in progress, done, or cancelled/changed.",
            )
        return {
            "status": status,
            "done": check_text(done, "done", MAX_TEXT_CHARS),
            "people_reached": check_whole_number(
                people_reached,
                field="people_reached",
                limit=MAX_PEOPLE,
                code="invalid_people_reached",
                message=N_("Write the number of people as a whole number, e.g. 120."),
                units=COUNT_UNITS,
            ),
            "money_spent": check_whole_number(
                money_spent,
                field="money_spent",
                limit=MAX_BAHT,
                code="invalid_money_spent",
                message=N_("Write the money spent in baht, e.g. 50000."),
                units=COUNT_UNITS,
            ),
            **lessons,
        }
    measured = _date(measured_on) or today
    if measured > today + dt.timedelta(days=1):  # a day of slack for time zones
        raise InvalidInput("measured_in_future", "The measurement date cannot be in the future.")
    if measured < earliest:
        raise InvalidInput(
            "measured_too_early",
            "The measurement date is long before this fiscal year. Check the year.",
        )
    return {
        "value_text": one_line(value, "value", MAX_VALUE_CHARS, required=True),
        "measured_on": measured,
        "source": one_line(source, "source", MAX_SOURCE_CHARS),
        "note": check_text(note, "note", MAX_TEXT_CHARS),
        **lessons,
    }


async def submit_report(
    rt: Runtime,
    *,
    token: str,
    target_id: int,
    client_key: str | None = None,
    round_number: int | None = None,
    status: str = "",
    done: str = "",
    people_reached: int | str | None = None,
    money_spent: int | str | None = None,
    value: str = "",
    measured_on: dt.date | str | None = None,
    source: str = "",
    note: str = "",
    worked: str = "",
    not_worked: str = "",
    change: str = "",
    photos: Sequence[bytes] = (),
    now: dt.datetime | None = None,
) -> dict[str, Any]:
    """A report on one of the link's agency's activities (status, what was done, people
    reached, money spent) or indicators (value, date measured, source, note), with what was
    learnt and up to two photos. `round_number` defaults to the first round not yet due; the report
    is late when made after its round's due date. Returns the report's view with `stored`
    (False: this client key's report was already stored, and nothing new was)."""
    if client_key is not None and not CLIENT_KEY_PATTERN.match(client_key):
        raise InvalidInput("invalid_client_key", "The request key is malformed.")
    if len(photos) > MAX_PHOTOS:
        raise InvalidInput(
            "too_many_photos", "At most %(limit)s photos per report.", limit=MAX_PHOTOS
        )
    at = as_utc(now) if now is not None else utcnow()
    if client_key is not None and photos:
        # A resend from an outbox carries its photos again: answer it before decoding them.
        async with rt.read() as session:
            agency = await reporter_agency(session, token)
            earlier = await _earlier(session, agency.id, client_key)
            if earlier is not None:
                return {
                    **report_view(earlier, await _photo_ids(session, earlier.id)),
                    "stored": False,
                }
    # Decoding a photo takes a core for a moment: off the event loop, before the transaction.
    cleaned: list[CleanPhoto] = [await asyncio.to_thread(clean_photo, data) for data in photos]
    given = {
        "status": status,
        "done": done,
        "people_reached": people_reached,
        "money_spent": money_spent,
        "value": value,
        "measured_on": measured_on,
        "source": source,
        "note": note,
        "worked": worked,
        "not_worked": not_worked,
        "change": change,
    }
    try:
        return await _store(rt, token, target_id, client_key, round_number, cleaned, at, given)
    except IntegrityError:
        # The same client key raced itself in (two workers): the first one is the report.
        if client_key is None:
            raise
        async with rt.read() as session:
            agency = await reporter_agency(session, token)
            earlier = await _earlier(session, agency.id, client_key)
            if earlier is None:
                raise
            return {
                **report_view(earlier, await _photo_ids(session, earlier.id)),
                "stored": False,
            }


async def _earlier(session: AsyncSession, agency_id: int, client_key: str) -> FollowupReport | None:
    return await session.scalar(
        select(FollowupReport).where(
            FollowupReport.agency_id == agency_id, FollowupReport.client_key == client_key
        )
    )


async def _store(
    rt: Runtime,
    token: str,
    target_id: int,
    client_key: str | None,
    round_number: int | None,
    photos: list[CleanPhoto],
    at: dt.datetime,
    given: Mapping[str, Any],
) -> dict[str, Any]:
    async with rt.transaction() as (session, outbox):
        agency = await reporter_agency(session, token)
        day = thai_date(at)  # the report's day is the day in Thailand, not in UTC
        if client_key is not None:
            earlier = await _earlier(session, agency.id, client_key)
            if earlier is not None:
                return {
                    **report_view(earlier, await _photo_ids(session, earlier.id)),
                    "stored": False,
                }
        settings = await settings_of(session, agency.assembly_id)
        target = await session.get(FollowupTarget, target_id)
        if target is None or target.assembly_id != agency.assembly_id:
            raise NotFound("target_not_found", "This target does not exist.")
        if target.kind not in REPORTABLE:
            raise InvalidInput("not_reportable", "Reports are made on an activity or an indicator.")
        by_id = {t.id: t for t in await targets_of(session, agency.assembly_id)}
        if effective_agency(target, by_id) != agency.id:
            raise Forbidden("not_your_target", "This target is not one of your agency's.")
        number = round_number if round_number is not None else round_of(settings.rounds, day)
        due = _due(settings.rounds, number)
        fields = _fields(target.kind, today=day, earliest=earliest_measurement(settings), **given)
        report = FollowupReport(
            assembly_id=agency.assembly_id,
            target_id=target.id,
            agency_id=agency.id,
            round=number,
            client_key=client_key,
            late=day > due,
            created_at=at,
            **{
                "status": "",
                "done": "",
                "value_text": "",
                "source": "",
                "note": "",
                **fields,
            },
        )
        session.add(report)
        await session.flush()
        for position, photo in enumerate(photos):
            session.add(
                FollowupPhoto(
                    report_id=report.id,
                    position=position,
                    data=photo.data,
                    width=photo.width,
                    height=photo.height,
                )
            )
        await session.flush()
        await emit_progress(outbox, agency.assembly_id, "report", target_id=target.id, round=number)
        return {**report_view(report, await _photo_ids(session, report.id)), "stored": True}


async def reporting_view(
    rt: Runtime, *, token: str, today: dt.date | None = None
) -> dict[str, Any]:
    """What the link's phone page shows: the agency, the assembly, the rounds (and the one a
    report goes to by default), and the agency's activities and indicators with the rounds
    each was already reported in."""
    day = today or thai_today()
    async with rt.read() as session:
        agency = await reporter_agency(session, token)
        assembly = await session.get(Assembly, agency.assembly_id)
        assert assembly is not None  # the agency's foreign key
        settings = await settings_of(session, agency.assembly_id)
        targets = await targets_of(session, agency.assembly_id)
        by_id = {t.id: t for t in targets}
        reported: dict[int, set[int]] = {}
        for target_id, number in await session.execute(
            select(FollowupReport.target_id, FollowupReport.round).where(
                FollowupReport.agency_id == agency.id
            )
        ):
            reported.setdefault(target_id, set()).add(number)
        own = []
        for target in targets:
            if target.kind not in REPORTABLE or effective_agency(target, by_id) != agency.id:
                continue
            item = ancestor_of_kind(target, by_id, "item")
            plan = ancestor_of_kind(target, by_id, "plan")
            own.append(
                {
                    "id": target.id,
                    "kind": target.kind,
                    "name": target.name,
                    "item": item.name if item else "",
                    "plan": plan.name if plan else "",
                    "unit": target.unit,
                    "baseline": target.baseline_text,
                    "target": target.target_text,
                    "deadline": target.deadline.isoformat() if target.deadline else None,
                    "person": target.person,
                    "reported_rounds": sorted(reported.get(target.id, ())),
                }
            )
        return {
            "agency": {"id": agency.id, "name": agency.name},
            "assembly": {
                "id": assembly.id,
                "name": assembly.name,
                "province": assembly.province,
            },
            "fiscal_year": settings.fiscal_year,
            "rounds": list(settings.rounds),
            "current_round": round_of(settings.rounds, day),
            "statuses": list(STATUSES),
            "targets": own,
        }


async def photo(rt: Runtime, *, actor: Actor, assembly_id: int, photo_id: int) -> CleanPhoto:
    """A stored photo (always a JPEG this server made) for those who see the board."""
    async with rt.read() as session:
        await authorized(session, assembly_id, actor, Action.VIEW_PROGRESS)
        row = await session.scalar(
            select(FollowupPhoto)
            .join(FollowupReport, FollowupReport.id == FollowupPhoto.report_id)
            .where(FollowupPhoto.id == photo_id, FollowupReport.assembly_id == assembly_id)
        )
        if row is None:
            raise NotFound("photo_not_found", "This photo does not exist.")
        return CleanPhoto(row.data, row.width, row.height)


async def reporter_photo(rt: Runtime, *, token: str, photo_id: int) -> CleanPhoto:
    """A photo of one of the link's agency's own reports, shown back on its phone page so the
    reporter sees what the server kept (the re-encoded JPEG, never the upload); another
    agency's photo is as unknown as one that does not exist."""
    async with rt.read() as session:
        agency = await reporter_agency(session, token)
        row = await session.scalar(
            select(FollowupPhoto)
            .join(FollowupReport, FollowupReport.id == FollowupPhoto.report_id)
            .where(FollowupPhoto.id == photo_id, FollowupReport.agency_id == agency.id)
        )
        if row is None:
            raise NotFound("photo_not_found", "This photo does not exist.")
        return CleanPhoto(row.data, row.width, row.height)
