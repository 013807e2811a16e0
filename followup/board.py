"""Gather the progress board: one read transaction turns the follow-up's tables into
`progress.BoardInput`, then the pure `build_board` does the rest (the rule, roll-ups, overdue).

Ids: a board's `item_id` is the id of the item's frozen target (`FollowupTarget` of kind
"item"), not of the agenda item: it stays when the agenda item is edited or deleted, and it is
what next year's assembly points back at (`followup.next_year`).

The public page and next year's collect step show the same board without personal data:
`public=True` leaves out people's names, photos and the working group's own notes' authors.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable, Mapping, Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from assembly.errors import NotFound
from assembly.models import Assembly
from assembly.runtime import Runtime
from assembly.services import Actor, authorized, get_assembly
from assembly.steps import Action
from assembly.timeutil import thai_date, thai_today
from deliberation.models import AgendaDocumentSettings
from followup.models import (
    FollowupAgency,
    FollowupNote,
    FollowupPhoto,
    FollowupReport,
    FollowupSettings,
    FollowupTarget,
)
from followup.progress import (
    ActivityInput,
    ActivityReport,
    ActivityStatus,
    BoardInput,
    Expected,
    IndicatorInput,
    ItemInput,
    Lesson,
    Measurement,
    ProgressBoard,
    Round,
    build_board,
)
from followup.render_csv import reports_csv
from followup.render_docx import render_progress_docx
from followup.setup import (
    ancestor_of_kind,
    effective_agency,
    lineage,
    settings_of,
    targets_of,
)

WORKING_GROUP_NAME = "คณะทำงาน"  # who a learning note is from when its author is left out
FINISHED = (ActivityStatus.DONE, ActivityStatus.CANCELLED)


def rounds_of(settings: FollowupSettings) -> tuple[Round, ...]:
    return tuple(
        Round(int(r["number"]), str(r["label"]), dt.date.fromisoformat(r["due"]))
        for r in settings.rounds
    )


def _item_of(target: FollowupTarget, by_id: Mapping[int, FollowupTarget]) -> FollowupTarget:
    """The item a target belongs to (else its topmost ancestor: every frozen tree has an item
    at its top, but a board never fails on one that does not)."""
    return ancestor_of_kind(target, by_id, "item") or list(lineage(target, by_id))[-1]


async def board_input(
    session: AsyncSession,
    assembly: Assembly,
    settings: FollowupSettings,
    today: dt.date,
    *,
    public: bool = False,
) -> BoardInput:
    """What the board is built from, read in the caller's (read) transaction."""
    targets = await targets_of(session, assembly.id)
    by_id = {t.id: t for t in targets}
    agencies = {
        a.id: a.name
        for a in await session.scalars(
            select(FollowupAgency).where(FollowupAgency.assembly_id == assembly.id)
        )
    }
    reports = list(
        await session.scalars(
            select(FollowupReport)
            .where(FollowupReport.assembly_id == assembly.id)
            .order_by(FollowupReport.created_at, FollowupReport.id)
        )
    )
    photos: dict[int, list[int]] = {}
    if not public:
        for report_id, photo_id in await session.execute(
            select(FollowupPhoto.report_id, FollowupPhoto.id)
            .join(FollowupReport, FollowupReport.id == FollowupPhoto.report_id)
            .where(FollowupReport.assembly_id == assembly.id)
            .order_by(FollowupPhoto.report_id, FollowupPhoto.position)
        ):
            photos.setdefault(report_id, []).append(photo_id)
    notes = list(
        await session.scalars(
            select(FollowupNote)
            .where(FollowupNote.assembly_id == assembly.id)
            .order_by(FollowupNote.created_at, FollowupNote.id)
        )
    )

    def agency_name(target: FollowupTarget) -> str:
        agency_id = effective_agency(target, by_id)
        return agencies.get(agency_id, "") if agency_id is not None else ""

    def person(target: FollowupTarget) -> str:
        return "" if public else target.person

    by_target: dict[int, list[FollowupReport]] = {}
    for report in reports:
        by_target.setdefault(report.target_id, []).append(report)

    items, activities, indicators = [], [], []
    for target in targets:
        item = _item_of(target, by_id)
        if target.kind == "item":
            items.append(
                ItemInput(
                    target.id,
                    target.name,
                    target.detail,
                    tuple(target.virtues or ()),
                    agency_name(target),
                    person(target),
                )
            )
        elif target.kind == "activity":
            parent = by_id.get(target.parent_id) if target.parent_id else None
            activities.append(
                ActivityInput(
                    target.id,
                    item.id,
                    parent.name if parent is not None and parent.kind == "plan" else "",
                    target.name,
                    agency_name(target),
                    person(target),
                    target.budget,
                    tuple(
                        ActivityReport(
                            r.round,
                            thai_date(r.created_at),
                            ActivityStatus(r.status),
                            r.done,
                            r.people_reached,
                            r.money_spent,
                            tuple(photos.get(r.id, ())),
                            agencies.get(r.agency_id, ""),
                            r.late,
                            r.id,
                        )
                        for r in by_target.get(target.id, ())
                    ),
                )
            )
        elif target.kind == "indicator":
            indicators.append(
                IndicatorInput(
                    target.id,
                    item.id,
                    target.name,
                    target.unit,
                    target.baseline_text,
                    target.target_text,
                    target.deadline,
                    agency_name(target),
                    person(target),
                    tuple(
                        Measurement(
                            r.round,
                            r.measured_on or thai_date(r.created_at),
                            r.value_text,
                            r.source,
                            "" if public else r.note,
                            agencies.get(r.agency_id, ""),
                            r.late,
                            r.id,
                        )
                        for r in by_target.get(target.id, ())
                    ),
                )
            )

    lessons = [
        Lesson(
            _item_of(by_id[r.target_id], by_id).id,
            by_id[r.target_id].name,
            agencies.get(r.agency_id, ""),
            thai_date(r.created_at),
            r.worked,
            r.not_worked,
            r.change,
            r.id,
        )
        for r in reports
        if r.worked or r.not_worked or r.change
    ]
    lessons += [
        Lesson(
            _item_of(by_id[n.target_id], by_id).id,
            by_id[n.target_id].name,
            WORKING_GROUP_NAME if public or not n.author else n.author,
            thai_date(n.created_at),
            n.worked,
            n.not_worked,
            n.change,
        )
        for n in notes
    ]
    rounds = rounds_of(settings)
    return BoardInput(
        assembly_id=assembly.id,
        title=assembly.name,
        province=assembly.province,
        fiscal_year=settings.fiscal_year,
        started_on=settings.started_on,
        today=today,
        rounds=rounds,
        items=tuple(items),
        activities=tuple(activities),
        indicators=tuple(indicators),
        lessons=tuple(lessons),
        expected=_expected(targets, by_id, rounds, settings.started_on, agency_name, by_target),
        reported=frozenset((agencies.get(r.agency_id, ""), r.round, r.target_id) for r in reports),
    )


def _expected(
    targets: Sequence[FollowupTarget],
    by_id: Mapping[int, FollowupTarget],
    rounds: Sequence[Round],
    started_on: dt.date,
    agency_name: Callable[[FollowupTarget], str],
    by_target: Mapping[int, Sequence[FollowupReport]],
) -> tuple[Expected, ...]:
    """Every activity and indicator with an agency owes a report in each round due after the
    follow-up started; an activity reported done or cancelled owes nothing after that round."""
    owed = []
    for target in targets:
        if target.kind not in ("activity", "indicator"):
            continue
        agency = agency_name(target)
        if not agency:
            continue
        finished_in = min(
            (
                r.round
                for r in by_target.get(target.id, ())
                if target.kind == "activity" and r.status in FINISHED
            ),
            default=None,
        )
        for entry in rounds:
            if entry.due < started_on:
                continue
            if finished_in is not None and entry.number > finished_in:
                continue
            owed.append(Expected(agency, entry.number, target.id, target.name))
    return tuple(owed)


async def gather_board(
    rt: Runtime, *, actor: Actor, assembly_id: int, today: dt.date | None = None
) -> ProgressBoard:
    """The progress board, for those who may see it (the working group, staff)."""
    async with rt.read() as session:
        assembly, _ = await authorized(session, assembly_id, actor, Action.VIEW_PROGRESS)
        settings = await settings_of(session, assembly.id)
        data = await board_input(session, assembly, settings, today or thai_today())
    return build_board(data)


async def public_board(
    rt: Runtime, *, assembly_id: int, today: dt.date | None = None
) -> ProgressBoard:
    """The board without personal data, for anyone, while the organizer has the public page
    switched on; 404 `no_public_page` otherwise (as if there were none)."""
    async with rt.read() as session:
        assembly = await get_assembly(session, assembly_id)
        settings = await session.get(FollowupSettings, assembly.id)
        if settings is None or not settings.public_page:
            raise NotFound("no_public_page", "This assembly has no public progress page.")
        data = await board_input(session, assembly, settings, today or thai_today(), public=True)
    return build_board(data)


async def progress_report_docx(
    rt: Runtime,
    *,
    actor: Actor,
    assembly_id: int,
    round_number: int | None = None,
    today: dt.date | None = None,
    charts: bool = True,
) -> bytes:
    """The quarterly progress report (DOCX) for a round (default: the last round due by
    today, or the first), numbers written as the agenda document writes them. Drawing the
    charts takes a core for a moment: off the event loop."""
    day = today or thai_today()
    async with rt.read() as session:
        assembly, _ = await authorized(session, assembly_id, actor, Action.VIEW_PROGRESS)
        settings = await settings_of(session, assembly.id)
        data = await board_input(session, assembly, settings, day)
        document = await session.get(AgendaDocumentSettings, assembly.id)
    board = build_board(data)
    if round_number is None:
        round_number = board.report_round()
    elif board.round(round_number) is None:
        raise NotFound("round_not_found", "Choose one of the reporting rounds.")
    thai_numerals = document.thai_numerals if document is not None else True
    return await asyncio.to_thread(
        render_progress_docx, board, round_number, thai_numerals=thai_numerals, charts=charts
    )


async def progress_csv(
    rt: Runtime, *, actor: Actor, assembly_id: int, today: dt.date | None = None
) -> bytes:
    """Every report as a CSV row, with its lessons."""
    return reports_csv(await gather_board(rt, actor=actor, assembly_id=assembly_id, today=today))
