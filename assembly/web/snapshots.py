"""Snapshots: the whole state one viewer sees, from one read transaction.

The same dict renders the page (server side), answers `GET .../snapshot`, and is the first
message on every (re)connected socket, so all three always agree.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from assembly.events import Event, EventSink, EventType, LiveUpdate
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
from assembly.steps import StepKind
from deliberation.agenda.drafting import agenda_for_snapshot, agenda_holders, my_agenda
from deliberation.curation import issues_for_snapshot
from deliberation.proposals import my_proposals, proposal_holders, proposals_for_snapshot
from voting.services import ballot_holders, my_ballot, votes_for_snapshot

logger = logging.getLogger("samatcha")

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
PersonalHolders = Callable[[AsyncSession, Assembly], Awaitable[set[int] | None]]
# For each personal part, who has anything in it in the current step (None: the part reads
# nothing in this step). A step change's view (`build_view`) names them, so every other phone
# knows its own part is the blank one without asking.
PERSONAL_HOLDERS: tuple[tuple[tuple[str, ...], PersonalHolders, tuple[StepKind, ...]], ...] = (
    (("mine", "supported"), proposal_holders, (StepKind.COLLECT, StepKind.REVIEW)),
    (("vote",), ballot_holders, ()),
    (("agenda",), agenda_holders, ()),
)
"""Each personal part: its snapshot keys, who holds it, and the step kinds in which it is the
same reading whatever the step (a phone going from one to another keeps what it has: its own
proposals and supports do not change from collect to review; a ballot belongs to a step's
vote, so nothing carries over)."""
VIEW_HOLDERS_MAX = 500
"""More holders than this and the view says `holders: null` (every phone asks for its own
part): a reopened vote every phone voted in must not make the view itself big."""


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


async def build_view(rt: Runtime, *, assembly_id: int) -> dict[str, Any]:
    """What a step change shows every phone, built once for the whole hall: the shared part of
    the snapshot at the assembly's seq now (`state`), the personal part a phone without any
    data of its own has in this step (`blank`), and for each personal part who does have some
    (`holders`, None when too many to list) and the step kinds between which a phone keeps
    what it has (`same_in`). A holder that cannot keep its part asks for it (`personal_part`)."""
    async with rt.read() as session:
        row = await get_assembly(session, assembly_id, ROW_ONLY)
        public, assembly = await rt.shared_snapshots.get(
            assembly_id, row.seq, lambda: _public_part(session, row)
        )
        parts = []
        for keys, holders_of, same_in in PERSONAL_HOLDERS:
            holders = await holders_of(session, assembly) or set()
            parts.append(
                {
                    "keys": list(keys),
                    "holders": sorted(holders) if len(holders) <= VIEW_HOLDERS_MAX else None,
                    "same_in": [kind.value for kind in same_in],
                }
            )
        blank: dict[str, Any] = {}
        nobody = Participant(id=0, assembly_id=assembly_id)  # never stored: reads find nothing
        for personal in PERSONAL_PARTS:
            _merge(blank, await personal(session, assembly, nobody))
    return {
        "seq": public["seq"],
        "state": public,
        "blank": blank,
        "parts": parts,
    }


async def personal_part(
    rt: Runtime, *, assembly_id: int, actor: Actor
) -> tuple[Standing, int, dict[str, Any]]:
    """A phone's own part of its snapshot alone (its proposals and supports, its ballot, its
    agenda answers): what a phone named in a step change's view asks for, a few small reads
    with the assembly's networks and steps shared from the public part."""
    async with rt.read() as session:
        row = await get_assembly(session, assembly_id, ROW_ONLY)
        standing = await standing_in(session, row, actor)
        _, assembly = await rt.shared_snapshots.get(
            assembly_id, row.seq, lambda: _public_part(session, row)
        )
        personal: dict[str, Any] = {}
        if standing.participant is not None and not standing.is_staff:
            for part in PERSONAL_PARTS:
                _merge(personal, await part(session, assembly, standing.participant))
    return standing, row.seq, personal


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


class StepViews:
    """The event sink, plus: after a committed step change, the new step's view is built once
    (`build_view`) and sent to every phone as a `view` live update, right behind the event.
    Phones used to ask each for its own snapshot, spread over seconds to spare the server.

    Step changes coming faster than a view is built coalesce into one more build. A view that
    fails to build is logged; phones then ask for a snapshot after a short wait.
    """

    def __init__(self, inner: EventSink, rt: Runtime) -> None:
        self.inner, self.rt = inner, rt
        self._building: dict[int, asyncio.Task[None]] = {}
        self._again: set[int] = set()

    def publish(self, events: Sequence[Event]) -> None:
        self.inner.publish(events)
        for assembly_id in {
            e.assembly_id for e in events if e.type == EventType.STEP_CHANGED and e.public
        }:
            if assembly_id in self._building:
                self._again.add(assembly_id)
            else:
                task = asyncio.get_running_loop().create_task(self._send_views(assembly_id))
                self._building[assembly_id] = task

    def publish_live(self, update: LiveUpdate) -> None:
        self.inner.publish_live(update)

    async def close(self) -> None:
        """At shutdown, before the database closes: no view is read from a closing pool."""
        tasks = list(self._building.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def _send_views(self, assembly_id: int) -> None:
        try:
            while True:
                self._again.discard(assembly_id)
                try:
                    view = await build_view(self.rt, assembly_id=assembly_id)
                except Exception:  # the phones' fallback (a snapshot each) still holds
                    logger.exception("step view of assembly %s not built", assembly_id)
                else:
                    self.inner.publish_live(
                        LiveUpdate(assembly_id, EventType.VIEW, None, view, seq=view["seq"])
                    )
                if assembly_id not in self._again:
                    return
        finally:
            self._building.pop(assembly_id, None)
