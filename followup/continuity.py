"""Next year's assembly reads last year's: the facilitator's continuity page (last year's
items and which of this year's proposals are tagged continue / change / stop against them;
the tagging itself is `followup.next_year.tag_proposal`), and the agenda document with last
year's indicator values beside this year's (issue 18, seed ๔ step ๗)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

from assembly.runtime import Runtime
from assembly.services import Actor, authorized
from assembly.steps import Action
from assembly.timeutil import thai_today
from deliberation.agenda.document import AgendaDocument, LastYear
from deliberation.agenda.gather import gather_document
from followup.models import FollowupTarget
from followup.next_year import (
    TAGS,
    previous_assembly_id,
    proposal_tags,
    tag_proposal,
    year_on_year_values,
)


async def continuity_view(rt: Runtime, *, actor: Actor, assembly_id: int) -> dict[str, Any]:
    """Last year's items (none when this assembly was not carried over), the tags of this
    year's proposals, and the choice of tags; for the staff of this assembly."""
    async with rt.read() as session:
        await authorized(session, assembly_id, actor, Action.VIEW_CONSOLE)
        previous_id = await previous_assembly_id(session, assembly_id)
        items: list[dict[str, Any]] = []
        if previous_id is not None:
            rows = await session.scalars(
                select(FollowupTarget)
                .where(FollowupTarget.assembly_id == previous_id, FollowupTarget.kind == "item")
                .order_by(FollowupTarget.position, FollowupTarget.id)
            )
            items = [{"id": t.id, "name": t.name} for t in rows]
        tags = await proposal_tags(session, assembly_id)
    return {
        "previous_assembly_id": previous_id,
        "last_items": items,
        "tags": {pid: {"item_id": item_id, "tag": tag} for pid, (item_id, tag) in tags.items()},
        "choices": list(TAGS),
    }


async def agenda_document_year_on_year(
    rt: Runtime, *, actor: Actor, assembly_id: int, today: dt.date | None = None
) -> AgendaDocument:
    """The agenda document for an export (staff of the assembly, in any step), with each
    indicator carried over from last year's agenda showing last year's baseline, latest
    value, target and how it ended. The one use case that gathers the document for an export
    (deliberation cannot read last year's follow-up, so it lives here)."""
    async with rt.read() as session:
        await authorized(session, assembly_id, actor, Action.VIEW_CONSOLE)
        carried: dict[int, dict[str, LastYear]] = {}
        for value in await year_on_year_values(session, assembly_id, today or thai_today()):
            carried.setdefault(value.item_id, {})[value.indicator] = LastYear(
                baseline=value.last_baseline,
                target=value.last_target,
                latest=value.last_latest,
                track=value.last_track.label,
            )
        return await gather_document(session, assembly_id, last_year=carried)


async def tag_in_review(
    rt: Runtime,
    *,
    actor: Actor,
    assembly_id: int,
    proposal_id: int,
    previous_item_id: int | None,
    tag: str | None,
) -> dict[str, Any]:
    """`tag_proposal` from the console's continuity page: for the staff of this assembly only
    (an author tags through `tag_proposal` itself, while proposals are collected)."""
    async with rt.read() as session:
        await authorized(session, assembly_id, actor, Action.VIEW_CONSOLE)
    return await tag_proposal(
        rt,
        actor=actor,
        assembly_id=assembly_id,
        proposal_id=proposal_id,
        previous_item_id=previous_item_id,
        tag=tag,
    )
