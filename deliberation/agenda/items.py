"""An agenda item's shared basics: checked text, the item itself, its view and the event that
carries every item. Drafting (`drafting.py`) and consent (`consent.py`) both build on these.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from assembly.errors import InvalidInput, NotFound
from assembly.events import Outbox
from assembly.text import clean_text
from deliberation.models import AgendaItem, WorkingGroupMember


def check_text(value: object, field: str, limit: int, *, required: bool = False) -> str:
    """Typed text as stored: cleaned, required or not, at most `limit` characters."""
    text = clean_text(str(value or ""))
    if required and not text:
        raise InvalidInput(f"{field}_required", "Please fill in this field.", field=field)
    if len(text) > limit:
        raise InvalidInput(
            f"{field}_too_long",
            "This text is too long: at most %(limit)s characters.",
            field=field,
            limit=limit,
        )
    return text


async def item_in(session: AsyncSession, assembly_id: int, item_id: int) -> AgendaItem:
    """The assembly's item, locked for the change; 404 for another assembly's."""
    item = await session.get(AgendaItem, item_id, with_for_update=True)
    if item is None or item.assembly_id != assembly_id:
        raise NotFound("item_not_found", "This agenda item does not exist.")
    return item


def item_view(item: AgendaItem, members: int = 0) -> dict[str, Any]:
    return {
        "id": item.id,
        "issue_id": item.issue_id,
        "position": item.position,
        "title": item.title,
        "goal": item.goal,
        "virtues": list(item.virtues or []),
        "plans": list(item.plans or []),
        "indicators": list(item.indicators or []),
        "mechanism": list(item.mechanism or []),
        "version": item.version,
        "adopted": item.adopted,
        "members": members,
    }


async def agenda_items(session: AsyncSession, assembly_id: int) -> list[AgendaItem]:
    return list(
        await session.scalars(
            select(AgendaItem)
            .where(AgendaItem.assembly_id == assembly_id)
            .order_by(AgendaItem.position, AgendaItem.id)
        )
    )


async def group_counts(session: AsyncSession, assembly_id: int) -> dict[int, int]:
    rows = await session.execute(
        select(WorkingGroupMember.item_id, func.count())
        .where(WorkingGroupMember.assembly_id == assembly_id)
        .group_by(WorkingGroupMember.item_id)
    )
    return {item_id: int(count) for item_id, count in rows.all()}


async def items_view(session: AsyncSession, assembly_id: int) -> list[dict[str, Any]]:
    counts = await group_counts(session, assembly_id)
    return [item_view(i, counts.get(i.id, 0)) for i in await agenda_items(session, assembly_id)]


async def emit_agenda_changed(outbox: Outbox, assembly_id: int) -> None:
    """`agenda.changed`: every item (their versions too) to everyone."""
    await outbox.session.flush()
    payload = {"items": await items_view(outbox.session, assembly_id)}
    await outbox.emit(assembly_id, "agenda.changed", payload, payload)
