"""Events: what phones and screens are told after a change commits.

Every event carries the assembly's next sequence number, taken in the same transaction as the
change, so a client that sees a gap knows it missed something and asks for a snapshot. An event
has a payload for staff (console, presenter) and one for participants; where participants must
not see a change (a hidden proposal's text) they get a bare tick that only advances the sequence.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from assembly.models import Assembly


class EventType(StrEnum):
    """Every type a socket carries, each documented in docs/realtime.md (a test checks both ways).

    Sequenced events (`Event.type`) and replaceable live updates (`LiveUpdate.type`) share one
    name space: a screen matches on the name alone.
    """

    # the assembly and its steps
    PARTICIPANTS_CHANGED = "participants.changed"
    STEP_CHANGED = "step.changed"
    ASSEMBLY_CHANGED = "assembly.changed"
    PRESENTER_CHANGED = "presenter.changed"
    SEAT_MOVED = "seat.moved"
    """Participant `participant_id` is no longer held by the device that held it."""
    TICK = "tick"
    """In place of a change participants must not see: it only advances their sequence."""
    VIEW = "view"
    """Live update (phones): after a step change, the new step's shared view, built once."""
    # proposals (collect) and their grouping (review)
    PROPOSAL_CREATED = "proposal.created"
    PROPOSAL_UPDATED = "proposal.updated"
    PROPOSAL_SUPPORTED = "proposal.supported"
    PROPOSAL_GROUPED = "proposal.grouped"
    PROPOSALS_IMPORTED = "proposals.imported"
    GROUPS_CHANGED = "groups.changed"
    # vote
    VOTE_CHANGED = "vote.changed"
    TALLY = "tally"
    """Live update: a vote's running results."""
    TURNOUT = "turnout"
    """Live update: who has voted, per network (staff)."""
    # draft, adopt
    AGENDA_CHANGED = "agenda.changed"
    AGENDA_SUGGESTION = "agenda.suggestion"
    AGENDA_GROUPS = "agenda.groups"
    CONSENT = "consent"
    """Live update: the running answers to the agenda's consent questions (staff)."""
    # the year after the assembly (followup/)
    PROGRESS_CHANGED = "progress.changed"
    """The follow-up changed (setup, a report, a note): staff screens refetch the board."""


@dataclass(frozen=True)
class Event:
    assembly_id: int
    seq: int
    type: EventType
    staff: dict[str, Any]
    public: dict[str, Any] | None
    """None: participants get a tick that only advances their sequence number."""

    def message(self, *, staff: bool, ts: float) -> str:
        """`ts` is when the event left this process, for measuring fan-out latency."""
        if staff:
            kind, data = self.type, self.staff
        elif self.public is None:
            kind, data = EventType.TICK, {}
        else:
            kind, data = self.type, self.public
        return json.dumps(
            {"seq": self.seq, "type": kind, "ts": round(ts * 1000), "data": data},
            ensure_ascii=False,
            separators=(",", ":"),
            default=str,
        )


@dataclass(frozen=True)
class LiveUpdate:
    """A high-rate, replaceable view (a running tally): no sequence number, never replayed.

    Each one supersedes the previous of its type, so losing one costs nothing; the snapshot
    holds the same view for a screen that (re)connects.
    """

    assembly_id: int
    type: EventType
    staff: dict[str, Any] | None
    """None: staff screens are not sent this update at all."""
    public: dict[str, Any] | None
    """None: participants are not sent this update at all."""
    seq: int | None = None
    """The seq the update's view is at, when it has one (a step's `view`): it then leads the
    message, so a socket whose snapshot is already at or past it skips it, like an event."""

    def message(self, *, staff: bool, ts: float) -> str | None:
        data = self.staff if staff else self.public
        if data is None:
            return None
        head = {} if self.seq is None else {"seq": self.seq}
        return json.dumps(
            {**head, "live": self.type, "ts": round(ts * 1000), "data": data},
            ensure_ascii=False,
            separators=(",", ":"),
            default=str,
        )


class EventSink(Protocol):
    """Where committed events go; the web layer backs it with Litestar Channels."""

    def publish(self, events: Sequence[Event]) -> None: ...

    def publish_live(self, update: LiveUpdate) -> None: ...


class Outbox:
    """Collects a transaction's events; the database publishes them once the commit succeeded."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.events: list[Event] = []

    async def emit(
        self,
        assembly_id: int,
        type: EventType,
        staff: dict[str, Any],
        public: dict[str, Any] | None,
    ) -> Event:
        result = await self.session.execute(
            update(Assembly)
            .where(Assembly.id == assembly_id)
            .values(seq=Assembly.seq + 1)
            .returning(Assembly.seq)
        )
        event = Event(assembly_id, result.scalar_one(), type, staff, public)
        self.events.append(event)
        return event
