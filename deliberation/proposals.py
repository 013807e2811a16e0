"""Use cases of deliberation: proposals and supports."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from assembly.errors import Conflict, InvalidInput, NotFound, TooManyRequests
from assembly.events import EventType, Outbox
from assembly.group_commit import commit_grouped
from assembly.models import Assembly, Participant, Step
from assembly.runtime import Runtime
from assembly.services import Actor, authorized, current_step, network_keys
from assembly.steps import Action, Role, StepKind, is_allowed
from assembly.text import clean_text
from assembly.timeutil import as_utc
from deliberation.curation import emit_groups_changed, place_arrivals
from deliberation.models import Proposal, Support
from deliberation.vectors import schedule_embedding

CLIENT_KEY_PATTERN = re.compile(r"^[A-Za-z0-9_\-]{8,64}$")


@dataclass(frozen=True)
class Submission:
    proposal: dict[str, Any]
    created: bool
    """False when this client key was already stored: a resend, not a second proposal."""


def proposal_view(proposal: Proposal, network_key: str | None) -> dict[str, Any]:
    return {
        "id": proposal.id,
        "text": proposal.text,
        "network": network_key,
        "supports": proposal.support_count,
        "hidden": proposal.hidden,
        "edited": proposal.edited,
        "created_at": as_utc(proposal.created_at).isoformat(),
    }


def shown_to_participants(step: Step | None, proposal: Proposal) -> bool:
    return step is not None and step.show_others and not proposal.hidden


def check_proposal_text(text: str, max_chars: int) -> str:
    cleaned = clean_text(text or "")
    if not cleaned:
        raise InvalidInput("proposal_empty", "Please write your proposal first.")
    if len(cleaned) > max_chars:
        raise InvalidInput(
            "proposal_too_long",
            "Your proposal is too long: at most %(limit)s characters.",
            limit=max_chars,
        )
    return cleaned


async def submit_proposal(
    rt: Runtime, *, actor: Actor, assembly_id: int, text: str, client_key: str | None = None
) -> Submission:
    """Store a proposal once per client key, so a phone's resend never makes a duplicate."""
    cleaned = check_proposal_text(text, rt.settings.max_proposal_chars)
    if client_key is not None and not CLIENT_KEY_PATTERN.match(client_key):
        raise InvalidInput("invalid_client_key", "The request key is malformed.")

    async def store(session: AsyncSession, outbox: Outbox) -> Submission:
        assembly, standing = await authorized(session, assembly_id, actor, Action.SUBMIT_PROPOSAL)
        participant = standing.participant
        assert participant is not None  # the rules table lets only participants submit
        keys = await network_keys(session, assembly.id)
        if client_key is not None:
            earlier = await session.scalar(
                select(Proposal).where(
                    Proposal.participant_id == participant.id, Proposal.client_key == client_key
                )
            )
            if earlier is not None:
                return Submission(proposal_view(earlier, keys.get(earlier.network_id or 0)), False)
        if not rt.limits.proposals.allow(str(participant.id)):
            raise TooManyRequests(
                "too_many_proposals", "You are sending very fast. Please wait a moment."
            )
        step = current_step(assembly)
        proposal = Proposal(
            assembly_id=assembly.id,
            step_id=step.id if step else None,
            participant_id=participant.id,
            network_id=participant.network_id,
            text=cleaned,
            client_key=client_key,
            hidden=False,
            edited=False,
            support_count=0,
        )
        session.add(proposal)
        await session.flush()
        view = proposal_view(proposal, keys.get(participant.network_id))
        await outbox.emit(
            assembly.id,
            EventType.PROPOSAL_CREATED,
            {"proposal": view},
            {"proposal": view} if shown_to_participants(step, proposal) else None,
        )
        return Submission(view, True)

    # Shares its transaction and commit with the proposals (+1s, answers) sent meanwhile.
    submission = await commit_grouped(rt, store)
    if not submission.created:
        return submission
    _embed_later(rt, assembly_id, submission.proposal["id"])
    return submission


def _embed_later(rt: Runtime, assembly_id: int, proposal_id: int) -> None:
    """Vector and group placement happen in the background: the phone is answered first."""
    schedule_embedding(rt, assembly_id, [proposal_id], then=place_arrivals)


async def _proposal_in(session: AsyncSession, assembly: Assembly, proposal_id: int) -> Proposal:
    proposal = await session.get(Proposal, proposal_id)
    if proposal is None or proposal.assembly_id != assembly.id:
        raise NotFound("proposal_not_found", "This proposal does not exist.")
    return proposal


async def support_proposal(
    rt: Runtime, *, actor: Actor, assembly_id: int, proposal_id: int
) -> dict[str, Any]:
    """+1 once per participant; a second support of the same proposal changes nothing."""

    async def store(session: AsyncSession, outbox: Outbox) -> dict[str, Any]:
        assembly, standing = await authorized(session, assembly_id, actor, Action.SUPPORT_PROPOSAL)
        participant = standing.participant
        assert participant is not None
        if not rt.limits.supports.allow(str(participant.id)):
            raise TooManyRequests(
                "too_many_supports", "You are sending very fast. Please wait a moment."
            )
        proposal = await _proposal_in(session, assembly, proposal_id)
        step = current_step(assembly)
        if not shown_to_participants(step, proposal) and proposal.participant_id != participant.id:
            raise NotFound("proposal_not_found", "This proposal does not exist.")
        if proposal.participant_id == participant.id:
            raise Conflict("own_proposal", "You cannot support your own proposal.")
        keys = await network_keys(session, assembly.id)
        if await session.get(Support, (proposal.id, participant.id)) is not None:
            return proposal_view(proposal, keys.get(proposal.network_id or 0))
        session.add(Support(proposal_id=proposal.id, participant_id=participant.id))
        await session.execute(
            update(Proposal)
            .where(Proposal.id == proposal.id)
            .values(support_count=Proposal.support_count + 1)
        )
        await session.refresh(proposal)
        payload = {"id": proposal.id, "supports": proposal.support_count}
        await outbox.emit(assembly.id, EventType.PROPOSAL_SUPPORTED, payload, payload)
        return proposal_view(proposal, keys.get(proposal.network_id or 0))

    return await commit_grouped(rt, store)  # one commit with the others sent meanwhile


async def moderate_proposal(
    rt: Runtime,
    *,
    actor: Actor,
    assembly_id: int,
    proposal_id: int,
    hidden: bool | None = None,
    text: str | None = None,
) -> dict[str, Any]:
    """Hide, restore or correct a typo; participants stop seeing a hidden proposal at once."""
    async with rt.transaction() as (session, outbox):
        assembly, _ = await authorized(session, assembly_id, actor, Action.MODERATE_PROPOSAL)
        proposal = await _proposal_in(session, assembly, proposal_id)
        if text is not None:
            cleaned = check_proposal_text(text, rt.settings.max_proposal_chars)
            if cleaned != proposal.text:
                proposal.text = cleaned
                proposal.edited = True
        regrouped = hidden is not None and hidden != proposal.hidden and proposal.group_id
        if hidden is not None:
            proposal.hidden = hidden
        await session.flush()
        keys = await network_keys(session, assembly.id)
        view = proposal_view(proposal, keys.get(proposal.network_id or 0))
        shown = shown_to_participants(current_step(assembly), proposal)
        public = {"proposal": view} if shown else {"proposal": {"id": proposal.id, "hidden": True}}
        await outbox.emit(assembly.id, EventType.PROPOSAL_UPDATED, {"proposal": view}, public)
        if regrouped:  # its group's counts (and an issue's) change with it
            await emit_groups_changed(session, outbox, assembly.id)
        return view


async def proposals_for_snapshot(
    session: AsyncSession, assembly: Assembly, *, staff: bool
) -> dict[str, Any]:
    """The proposals a viewer sees: all for staff; for phones, what the current step shows."""
    keys = await network_keys(session, assembly.id)
    step = current_step(assembly)
    query = select(Proposal).where(Proposal.assembly_id == assembly.id).order_by(Proposal.id)
    if not staff:
        if step is None or not step.show_others:
            return {"proposals": []}
        query = query.where(Proposal.hidden.is_(False))
    return {
        "proposals": [
            proposal_view(p, keys.get(p.network_id or 0)) for p in await session.scalars(query)
        ]
    }


async def my_proposals(
    session: AsyncSession, assembly: Assembly, participant: Participant
) -> dict[str, Any]:
    """A phone's own proposals (hidden ones too) and the ids it supports, in the steps that
    show them (a phone resyncs on every step change, so the other steps skip the reads)."""
    step = current_step(assembly)
    if step is None or not is_allowed(
        Role.PARTICIPANT, Action.SUPPORT_PROPOSAL, StepKind(step.kind), step_open=True
    ):
        return {"mine": [], "supported": []}
    keys = {network.id: network.key for network in assembly.networks}  # loaded with it
    mine = await session.scalars(
        select(Proposal).where(Proposal.participant_id == participant.id).order_by(Proposal.id)
    )
    supported = await session.scalars(
        select(Support.proposal_id).where(Support.participant_id == participant.id)
    )
    return {
        "mine": [proposal_view(p, keys.get(p.network_id or 0)) for p in mine],
        "supported": sorted(supported.all()),
    }


async def proposal_holders(session: AsyncSession, assembly: Assembly) -> set[int] | None:
    """Who has a part in `my_proposals` now (None: nobody's part is read in this step), so a
    step change's view tells the other phones theirs is empty without each asking."""
    step = current_step(assembly)
    if step is None or not is_allowed(
        Role.PARTICIPANT, Action.SUPPORT_PROPOSAL, StepKind(step.kind), step_open=True
    ):
        return None
    authors = await session.scalars(
        select(Proposal.participant_id).where(
            Proposal.assembly_id == assembly.id, Proposal.participant_id.is_not(None)
        )
    )
    supporters = await session.scalars(
        select(Support.participant_id)
        .join(Proposal, Proposal.id == Support.proposal_id)
        .where(Proposal.assembly_id == assembly.id)
    )
    return {int(i) for i in authors.all() if i is not None} | set(supporters.all())
