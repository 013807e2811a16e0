"""Snapshots: the whole state one viewer sees, from one read transaction.

The same dict renders the page (server side), answers `GET .../snapshot`, and is the first
message on every (re)connected socket, so all three always agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from assembly.models import Assembly
from assembly.runtime import Runtime
from assembly.services import (
    Actor,
    Standing,
    assembly_view,
    current_step,
    get_assembly,
    network_counts,
    standing_in,
    step_view,
)
from assembly.steps import Role
from deliberation.curation import issues_for_snapshot
from deliberation.drafting import agenda_for_snapshot
from deliberation.services import proposals_for_snapshot
from voting.services import votes_for_snapshot

# Each context adds its part of what a viewer sees: `async (session, assembly, *, staff,
# participant) -> dict` with keys of its own.
SNAPSHOT_PARTS = (
    proposals_for_snapshot,
    issues_for_snapshot,
    votes_for_snapshot,
    agenda_for_snapshot,
)


@dataclass(frozen=True)
class Snapshot:
    assembly: Assembly
    standing: Standing
    state: dict[str, Any]

    @property
    def is_staff(self) -> bool:
        return self.standing.role in (Role.FACILITATOR, Role.ORGANIZER)


async def assembly_seq(rt: Runtime, assembly_id: int) -> int | None:
    """The last event number of an assembly: tells whether a snapshot is still current."""
    async with rt.read() as session:
        return await session.scalar(select(Assembly.seq).where(Assembly.id == assembly_id))


async def build_snapshot(rt: Runtime, *, assembly_id: int, actor: Actor) -> Snapshot:
    async with rt.read() as session:
        assembly = await get_assembly(session, assembly_id)
        standing = await standing_in(session, assembly, actor)
        staff = standing.role in (Role.FACILITATOR, Role.ORGANIZER)
        networks = await network_counts(session, assembly)
        state: dict[str, Any] = {
            "seq": assembly.seq,
            "role": standing.role.value,
            "assembly": assembly_view(assembly),
            "networks": networks,
            "joined": sum(n["joined"] for n in networks),
            "step": step_view(current_step(assembly)),
        }
        if staff:
            state["steps"] = [step_view(s) for s in assembly.steps]
        participant = standing.participant
        if participant is not None:
            network = next(n for n in assembly.networks if n.id == participant.network_id)
            state["me"] = {
                "participant_id": participant.id,
                "network": network.key,
                "display_name": participant.display_name,
            }
        for part in SNAPSHOT_PARTS:
            state.update(await part(session, assembly, staff=staff, participant=participant))
    return Snapshot(assembly, standing, state)
