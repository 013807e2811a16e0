"""Next year's assembly starts from the evidence (seed framework ๔ step ๗, พัฒนาและขยายผล):
made from this year's, with the same networks, and with the unfinished items as draft agenda
items: their unfinished activities, and their indicators with last year's latest value as the
new baseline. The new assembly remembers the old one, so its collect step can show last
year's board and lessons, proposals can be tagged continue / change / stop against last
year's items, and the agenda document can show each carried indicator year on year.

An item is unfinished when any of its activities is neither done nor cancelled, or any of its
indicators has not reached its target (no data counts as not reached).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from assembly.errors import Conflict, Forbidden, InvalidInput, NotFound
from assembly.networks import NetworkSpec
from assembly.runtime import Runtime
from assembly.services import (
    WITH_STRUCTURE,
    Actor,
    add_assembly,
    authorize,
    authorized,
    get_assembly,
)
from assembly.steps import Action, Role
from assembly.timeutil import thai_today
from deliberation.agenda.drafting import check_content
from deliberation.models import AgendaItem, Proposal
from followup.board import FINISHED, board_input
from followup.models import (
    CarriedItem,
    CarriedOver,
    FollowupSettings,
    FollowupTarget,
    ProposalContinuity,
)
from followup.progress import ItemProgress, ProgressBoard, Track, build_board
from followup.setup import settings_of

TAGS = ("continue", "change", "stop")
"""A proposal against last year's item: ทำต่อ (continue it), ปรับ (change it), ยุติ (stop it)."""


def unfinished(item: ItemProgress) -> bool:
    """Any activity neither done nor cancelled, or any indicator not reached."""
    return any(a.status not in FINISHED for a in item.activities) or any(
        i.track != Track.REACHED for i in item.indicators
    )


def _draft_content(item: ItemProgress) -> dict[str, Any]:
    """The carried item as drafting's content: its unfinished activities under their plans,
    and every indicator with its latest value (as typed) as the new baseline."""
    plans: dict[str, list[dict[str, Any]]] = {}
    for activity in item.activities:
        if activity.status in FINISHED:
            continue
        plans.setdefault(activity.activity.plan or item.item.title, []).append(
            {
                "what": activity.activity.what,
                "lead_agency": activity.activity.agency,
                "contact": activity.activity.person,
            }
        )
    return {
        "goal": item.item.goal,
        "virtues": list(item.item.virtues),
        "plans": [
            {"name": name[:300], "activities": activities} for name, activities in plans.items()
        ],
        "indicators": [
            {
                "name": i.indicator.name,
                "unit": i.indicator.unit,
                "baseline": (i.latest_text or i.indicator.baseline_text)[:100],
                "target": i.indicator.target_text,
                "reporting_agency": i.indicator.agency,
            }
            for i in item.indicators
        ],
    }


async def carry_over(
    rt: Runtime,
    *,
    actor: Actor,
    assembly_id: int,
    name: str | None = None,
    held_on: dt.date | None = None,
    today: dt.date | None = None,
) -> dict[str, Any]:
    """Next year's assembly from this one (by its organizer, an organizer account): the same
    networks, the default steps, and the unfinished items as draft agenda items. Returns the
    new assembly's id and join code and the items carried over (with last year's item id)."""
    day = today or thai_today()
    async with rt.transaction() as (session, _):
        assembly, standing = await authorized(
            session, assembly_id, actor, Action.MANAGE_FOLLOWUP, WITH_STRUCTURE
        )
        if standing.role != Role.ORGANIZER:
            raise Forbidden("organizer_only", "Only organizers can create assemblies.")
        made = await session.scalar(
            select(CarriedOver.assembly_id).where(CarriedOver.previous_id == assembly.id)
        )
        if made is not None:
            raise Conflict(
                "next_year_exists",
                "Next year's assembly was already made from this one (number %(id)s).",
                id=made,
            )
        settings = await settings_of(session, assembly.id)
        board = build_board(await board_input(session, assembly, settings, day))
        new = await add_assembly(
            session,
            actor=actor,
            name=name or assembly.name,
            province=assembly.province,
            held_on=held_on,
            venue=assembly.venue,
            networks=[NetworkSpec(n.key, n.name_th, n.name_en, n.color) for n in assembly.networks],
        )
        session.add(CarriedOver(assembly_id=new.id, previous_id=assembly.id))
        known = {n.key for n in assembly.networks}
        carried = []
        for position, item in enumerate(i for i in board.items if unfinished(i)):
            content = check_content(_draft_content(item), known)
            draft = AgendaItem(
                assembly_id=new.id,
                issue_id=None,
                position=position,
                title=item.item.title[:200],
                mechanism=[],
                version=1,
                adopted=False,
                **content,
            )
            session.add(draft)
            await session.flush()
            session.add(CarriedItem(item_id=draft.id, previous_target_id=item.item_id))
            carried.append({"id": draft.id, "title": draft.title, "previous_item_id": item.item_id})
        return {"assembly_id": new.id, "join_code": new.join_code, "items": carried}


async def previous_assembly_id(session: AsyncSession, assembly_id: int) -> int | None:
    """The assembly this one was carried over from, if it was (and still exists)."""
    row = await session.get(CarriedOver, assembly_id)
    return row.previous_id if row is not None else None


async def previous_board(
    rt: Runtime, *, actor: Actor, assembly_id: int, today: dt.date | None = None
) -> ProgressBoard | None:
    """Last year's progress board and lessons, without personal data, for everyone in this
    assembly (its collect step shows it); None when it was not carried over."""
    async with rt.read() as session:
        await authorized(session, assembly_id, actor, Action.VIEW_ASSEMBLY)
        previous_id = await previous_assembly_id(session, assembly_id)
        if previous_id is None:
            return None
        previous = await get_assembly(session, previous_id)
        settings = await session.get(FollowupSettings, previous_id)
        if settings is None:
            return None
        data = await board_input(session, previous, settings, today or thai_today(), public=True)
    return build_board(data)


async def _previous_item(session: AsyncSession, assembly_id: int, item_id: int) -> int:
    previous_id = await previous_assembly_id(session, assembly_id)
    target = await session.get(FollowupTarget, item_id)
    if (
        previous_id is None
        or target is None
        or target.assembly_id != previous_id
        or target.kind != "item"
    ):
        raise NotFound("previous_item_not_found", "Last year's agenda has no such item.")
    return target.id


async def tag_proposal(
    rt: Runtime,
    *,
    actor: Actor,
    assembly_id: int,
    proposal_id: int,
    previous_item_id: int | None,
    tag: str | None,
) -> dict[str, Any]:
    """Tag a proposal continue / change / stop against one of last year's items (None and
    None: untag). Its author may while proposals are collected; staff may any time."""
    if (tag is None) != (previous_item_id is None):
        raise InvalidInput("invalid_tag", "Choose last year's item and continue, change or stop.")
    if tag is not None and tag not in TAGS:
        raise InvalidInput("invalid_tag", "Choose last year's item and continue, change or stop.")
    async with rt.transaction() as (session, _):
        assembly = await get_assembly(session, assembly_id, WITH_STRUCTURE)
        proposal = await session.get(Proposal, proposal_id)
        if proposal is None or proposal.assembly_id != assembly.id:
            raise NotFound("proposal_not_found", "This proposal does not exist.")
        standing = await authorize(session, assembly, actor, Action.VIEW_ASSEMBLY)
        if not standing.is_staff:
            standing = await authorize(session, assembly, actor, Action.SUBMIT_PROPOSAL)
            if standing.participant is None or proposal.participant_id != standing.participant.id:
                raise Forbidden("not_your_proposal", "Only its author can tag this proposal.")
        row = await session.get(ProposalContinuity, proposal.id)
        if previous_item_id is None or tag is None:
            if row is not None:
                await session.delete(row)
            return {"proposal_id": proposal.id, "previous_item_id": None, "tag": None}
        target_id = await _previous_item(session, assembly.id, previous_item_id)
        if row is None:
            row = ProposalContinuity(proposal_id=proposal.id, previous_target_id=target_id, tag=tag)
            session.add(row)
        else:
            row.previous_target_id, row.tag = target_id, tag
        return {"proposal_id": proposal.id, "previous_item_id": target_id, "tag": tag}


async def proposal_tags(session: AsyncSession, assembly_id: int) -> dict[int, tuple[int, str]]:
    """{proposal id: (last year's item id, tag)} of the assembly's tagged proposals."""
    rows = await session.execute(
        select(
            ProposalContinuity.proposal_id,
            ProposalContinuity.previous_target_id,
            ProposalContinuity.tag,
        )
        .join(Proposal, Proposal.id == ProposalContinuity.proposal_id)
        .where(Proposal.assembly_id == assembly_id)
    )
    return {proposal_id: (target_id, tag) for proposal_id, target_id, tag in rows.all()}


async def tags(rt: Runtime, *, actor: Actor, assembly_id: int) -> dict[int, tuple[int, str]]:
    """`proposal_tags` for those in this assembly (what the proposals' pages show)."""
    async with rt.read() as session:
        await authorized(session, assembly_id, actor, Action.VIEW_ASSEMBLY)
        return await proposal_tags(session, assembly_id)


@dataclass(frozen=True)
class YearOnYear:
    """One carried indicator of a draft item: last year's values beside this year's draft."""

    item_id: int  # this year's agenda item
    indicator: str
    unit: str
    last_baseline: str  # last year's baseline, as typed
    last_target: str
    last_latest: str  # last year's latest measured value ("" when none was reported)
    last_track: Track
    baseline: str  # this year's baseline (last year's latest, unless edited since)
    target: str


async def year_on_year_values(
    session: AsyncSession, assembly_id: int, today: dt.date
) -> list[YearOnYear]:
    """Per carried indicator (matched by name within its carried item), last year's baseline,
    target and latest value beside this year's: what the agenda document shows year on year.
    Empty for an assembly that was not carried over."""
    previous_id = await previous_assembly_id(session, assembly_id)
    if previous_id is None:
        return []
    previous = await get_assembly(session, previous_id)
    settings = await session.get(FollowupSettings, previous_id)
    if settings is None:
        return []
    board = build_board(await board_input(session, previous, settings, today, public=True))
    last_year = {item.item_id: item for item in board.items}
    rows = await session.execute(
        select(AgendaItem, CarriedItem.previous_target_id)
        .join(CarriedItem, CarriedItem.item_id == AgendaItem.id)
        .where(AgendaItem.assembly_id == assembly_id)
        .order_by(AgendaItem.position, AgendaItem.id)
    )
    values = []
    for item, previous_target_id in rows.all():
        last = last_year.get(previous_target_id)
        if last is None:
            continue
        by_name = {i.indicator.name: i for i in last.indicators}
        for indicator in item.indicators or []:
            before = by_name.get(indicator.get("name", ""))
            if before is None:
                continue
            values.append(
                YearOnYear(
                    item_id=item.id,
                    indicator=before.indicator.name,
                    unit=before.indicator.unit,
                    last_baseline=before.indicator.baseline_text,
                    last_target=before.indicator.target_text,
                    last_latest=before.latest_text,
                    last_track=before.track,
                    baseline=str(indicator.get("baseline", "")),
                    target=str(indicator.get("target", "")),
                )
            )
    return values


async def year_on_year(
    rt: Runtime, *, actor: Actor, assembly_id: int, today: dt.date | None = None
) -> list[YearOnYear]:
    """`year_on_year_values` for those who see this assembly's agenda."""
    async with rt.read() as session:
        await authorized(session, assembly_id, actor, Action.VIEW_ASSEMBLY)
        return await year_on_year_values(session, assembly_id, today or thai_today())
