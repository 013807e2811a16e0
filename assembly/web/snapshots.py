"""Snapshots: the whole state one viewer sees, from one read transaction.

The same dict renders the page (server side), answers `GET .../snapshot`, and is the first
message on every (re)connected socket, so all three always agree.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from assembly.models import Assembly, Participant
from assembly.runtime import Runtime
from assembly.services import (
    ROW_ONLY,
    WITH_STRUCTURE,
    Actor,
    Standing,
    assembly_view,
    current_step,
    get_assembly,
    network_counts,
    presenter_view,
    standing_in,
    step_view,
)
from deliberation.agenda.drafting import agenda_for_snapshot, my_agenda
from deliberation.curation import issues_for_snapshot
from deliberation.proposals import my_proposals, proposals_for_snapshot
from voting.services import my_ballot, votes_for_snapshot

SharedPart = Callable[..., Awaitable[dict[str, Any]]]
PersonalPart = Callable[[AsyncSession, Assembly, Participant], Awaitable[dict[str, Any]]]

# Each context adds its part of what a viewer sees. Shared parts, `async (session, assembly, *,
# staff) -> dict`, are the same for every phone at one seq (so phones share one copy); personal
# parts, `async (session, assembly, participant) -> dict`, add what only that phone sees, merged
# one level deep (a personal `vote` adds `my_ballot` to the shared `vote`).
SHARED_PARTS: tuple[SharedPart, ...] = (
    proposals_for_snapshot,
    issues_for_snapshot,
    votes_for_snapshot,
    agenda_for_snapshot,
)
PERSONAL_PARTS: tuple[PersonalPart, ...] = (my_proposals, my_ballot, my_agenda)


@dataclass(frozen=True)
class Snapshot:
    assembly: Assembly
    standing: Standing
    state: dict[str, Any]

    @property
    def is_staff(self) -> bool:
        return self.standing.is_staff


async def assembly_seq(rt: Runtime, assembly_id: int) -> int | None:
    """The last event number of an assembly: tells whether a snapshot is still current."""
    async with rt.read() as session:
        return await session.scalar(select(Assembly.seq).where(Assembly.id == assembly_id))


async def standing_now(rt: Runtime, *, assembly_id: int, actor: Actor) -> tuple[Standing, int]:
    """Who the actor is here and the assembly's seq: all a screen whose state is already at that
    seq needs to go on without a snapshot (a hall reconnecting after a restart)."""
    async with rt.read() as session:
        assembly = await get_assembly(session, assembly_id, ROW_ONLY)
        return await standing_in(session, assembly, actor), assembly.seq


async def build_snapshot(rt: Runtime, *, assembly_id: int, actor: Actor) -> Snapshot:
    """A phone (no login) reads its assembly's row and its own part only: the public part, and
    the assembly's networks and steps, are built once per seq and shared by every phone, so a
    hall resyncing at once after a step change costs one build plus a few small reads each."""
    async with rt.read() as session:
        if actor.user is None:
            row = await get_assembly(session, assembly_id, ROW_ONLY)
            standing = await standing_in(session, row, actor)
            public, assembly = await rt.shared_snapshots.get(
                assembly_id, row.seq, lambda: _public_part(session, row)
            )
            state = dict(public)
        else:  # staff, or a participant who is also logged in: few, built whole
            assembly = await get_assembly(session, assembly_id, WITH_STRUCTURE)
            standing = await standing_in(session, assembly, actor)
            state = await _shared_state(session, assembly, staff=standing.is_staff)
            if standing.is_staff:
                state["steps"] = [step_view(s) for s in assembly.steps]
                state["presenter"] = presenter_view(assembly)
        state["role"] = standing.role.value
        participant = standing.participant
        if participant is not None:
            network = next(n for n in assembly.networks if n.id == participant.network_id)
            state["me"] = {
                "participant_id": participant.id,
                "network": network.key,
                "display_name": participant.display_name,
            }
            if not standing.is_staff:
                for personal in PERSONAL_PARTS:
                    _merge(state, await personal(session, assembly, participant))
    return Snapshot(assembly, standing, state)


async def _public_part(
    session: AsyncSession, assembly: Assembly
) -> tuple[dict[str, Any], Assembly]:
    """What every phone sees, with the assembly it was read from (its networks and steps
    loaded; shared read-only by the phones' snapshots). Built in the first caller's session:
    the callers waiting for it hold theirs, so a session of its own could wait for ever."""
    await session.refresh(assembly, ["networks", "steps"])
    return await _shared_state(session, assembly, staff=False), assembly


async def _shared_state(
    session: AsyncSession, assembly: Assembly, *, staff: bool
) -> dict[str, Any]:
    networks = await network_counts(session, assembly)
    state: dict[str, Any] = {
        "seq": assembly.seq,
        "assembly": assembly_view(assembly),
        "networks": networks,
        "joined": sum(n["joined"] for n in networks),
        "step": step_view(current_step(assembly)),
    }
    for part in SHARED_PARTS:
        state.update(await part(session, assembly, staff=staff))
    return state


def _merge(state: dict[str, Any], personal: dict[str, Any]) -> None:
    """Add a personal part without touching the shared dicts (other phones hold them too)."""
    for key, value in personal.items():
        if key not in state:
            state[key] = value
        elif isinstance(state[key], dict) and isinstance(value, dict):
            state[key] = {**state[key], **value}
