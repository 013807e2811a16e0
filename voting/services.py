"""Use cases of voting: votes, ballots, tallies."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from assembly.models import Assembly, Participant


async def votes_for_snapshot(
    session: AsyncSession,
    assembly: Assembly,
    *,
    staff: bool,
    participant: Participant | None,
) -> dict[str, Any]:
    """The votes part of a snapshot (filled in by the voting work)."""
    return {}
