"""What the facilitator's continuity page reads: last year's items and which of this year's
proposals are tagged continue / change / stop against them (issue 18, seed ๔ step ๗). The
tagging itself is `followup.next_year.tag_proposal`."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from assembly.runtime import Runtime
from assembly.services import Actor, authorized
from assembly.steps import Action
from followup.models import FollowupTarget
from followup.next_year import TAGS, previous_assembly_id, proposal_tags


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
