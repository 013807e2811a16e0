"""Bursts the facilitator should see, and hiding all of one participant's proposals at once.

In open mode (no seat codes) whoever has the join code can take as many seats as they can send
requests: each join gets a fresh server-issued device token, and the per-participant flood limit
(10 proposals a minute) then applies per seat. The server cannot tell a script's seats from a
hall's phones behind one Wi-Fi address, so it shows the facilitator the pattern instead (joins
and proposals per minute, and the participants who send in bursts), and one action hides
everything a participant sent.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from assembly.errors import NotFound
from assembly.events import EventType
from assembly.models import Participant
from assembly.runtime import Runtime
from assembly.services import Actor, authorized, current_step, network_keys
from assembly.steps import Action
from assembly.timeutil import THAI_TIME, as_utc, utcnow
from deliberation.models import Proposal
from deliberation.proposals import proposal_view, shown_to_participants

ACTIVITY_MINUTES = 10
"""Minutes shown, newest first: long enough to see a burst start and end."""
BURST_PROPOSALS = 5
"""Proposals from one participant within BURST_SECONDS that flag them. A person writing by thumb
sends one or two a minute; a script at the flood limit sends ten."""
BURST_SECONDS = 60
FLAG_LOOKBACK = timedelta(hours=2)
"""How far back a burst still flags its sender: about one collect step."""


def _minute(moment: datetime) -> datetime:
    return moment.replace(second=0, microsecond=0)


def _largest_burst(times: list[datetime]) -> int:
    """Most of `times` (sorted) inside any BURST_SECONDS window."""
    best = start = 0
    for end, moment in enumerate(times):
        while (moment - times[start]).total_seconds() >= BURST_SECONDS:
            start += 1
        best = max(best, end - start + 1)
    return best


async def recent_activity(
    rt: Runtime, *, actor: Actor, assembly_id: int, now: datetime | None = None
) -> dict[str, Any]:
    """Joins and proposals per minute for the last ACTIVITY_MINUTES, and the participants who
    sent BURST_PROPOSALS or more within a minute (flagged), most bursty first."""
    now = now or utcnow()
    async with rt.read() as session:
        await authorized(session, assembly_id, actor, Action.VIEW_CONSOLE)
        participants = {
            row.id: row
            for row in (
                await session.execute(
                    select(
                        Participant.id,
                        Participant.network_id,
                        Participant.display_name,
                        Participant.joined_at,
                    ).where(Participant.assembly_id == assembly_id)
                )
            ).all()
        }
        sent = (
            await session.execute(
                select(Proposal.participant_id, Proposal.created_at, Proposal.hidden).where(
                    Proposal.assembly_id == assembly_id, Proposal.participant_id.is_not(None)
                )
            )
        ).all()
        keys = await network_keys(session, assembly_id)
    newest = _minute(now)
    minutes = [newest - timedelta(minutes=i) for i in range(ACTIVITY_MINUTES)]
    joins: dict[datetime, int] = defaultdict(int)
    proposals: dict[datetime, int] = defaultdict(int)
    for row in participants.values():
        joins[_minute(as_utc(row.joined_at))] += 1
    by_sender: dict[int, list[datetime]] = defaultdict(list)
    visible: dict[int, int] = defaultdict(int)
    for participant_id, created_at, hidden in sent:
        moment = as_utc(created_at)
        proposals[_minute(moment)] += 1
        if now - moment <= FLAG_LOOKBACK:
            by_sender[participant_id].append(moment)
        if not hidden:
            visible[participant_id] += 1
    flagged = []
    for participant_id, times in by_sender.items():
        burst = _largest_burst(sorted(times))
        row = participants.get(participant_id)
        if burst < BURST_PROPOSALS or row is None:
            continue
        flagged.append(
            {
                "participant_id": participant_id,
                "network": keys.get(row.network_id),
                "display_name": row.display_name,
                "joined_at": as_utc(row.joined_at).isoformat(),
                "joined_clock": as_utc(row.joined_at).astimezone(THAI_TIME).strftime("%H:%M"),
                "burst": burst,
                "proposals": len(times),
                "visible": visible.get(participant_id, 0),
            }
        )
    flagged.sort(key=lambda f: (-f["burst"], -f["proposals"], f["participant_id"]))
    return {
        "minutes": [
            {
                "minute": m.isoformat(),
                "clock": m.astimezone(THAI_TIME).strftime("%H:%M"),
                "joins": joins.get(m, 0),
                "proposals": proposals.get(m, 0),
            }
            for m in minutes
        ],
        "bursts": flagged,
        "burst_proposals": BURST_PROPOSALS,
        "burst_seconds": BURST_SECONDS,
    }


async def hide_participant(
    rt: Runtime, *, actor: Actor, assembly_id: int, participant_id: int
) -> dict[str, Any]:
    """Hide every proposal this participant sent, in one transaction; phones stop showing them
    at once (the events go out after the commit). Hidden proposals stay restorable one by one.
    Returns how many were hidden."""
    async with rt.transaction() as (session, outbox):
        assembly, _ = await authorized(session, assembly_id, actor, Action.MODERATE_PROPOSAL)
        participant = await session.get(Participant, participant_id)
        if participant is None or participant.assembly_id != assembly.id:
            raise NotFound("participant_not_found", "This participant does not exist.")
        shown = list(
            await session.scalars(
                select(Proposal)
                .where(Proposal.participant_id == participant.id, Proposal.hidden.is_(False))
                .order_by(Proposal.id)
            )
        )
        keys = await network_keys(session, assembly.id)
        step = current_step(assembly)
        for proposal in shown:
            proposal.hidden = True
        await session.flush()
        for proposal in shown:
            view = proposal_view(proposal, keys.get(proposal.network_id or 0))
            public = (
                {"proposal": view}
                if shown_to_participants(step, proposal)
                else {"proposal": {"id": proposal.id, "hidden": True}}
            )
            await outbox.emit(assembly.id, EventType.PROPOSAL_UPDATED, {"proposal": view}, public)
        if any(p.group_id for p in shown):  # group and issue counts leave hidden ones out
            from deliberation.curation import emit_groups_changed

            await emit_groups_changed(session, outbox, assembly.id)
    return {"participant_id": participant_id, "hidden": len(shown)}
