"""Ballot cards entered by table assistants: the same validation and exactly-once writer.

A ballot card is claimed for a paper participant (assembly/paper.py: the card number is unique
in the assembly, a second entry is refused), then `cast_ballot` runs on that participant's
behalf, so a paper ballot is checked and stored exactly as a phone's. A refused ballot undoes
the claim. A correction re-casts the card's ballot (a newer client_seq replaces the stored one)
and leaves an audit line: who, when, the ballot before and after. See docs/paper.md.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from sqlalchemy import select

from assembly import paper
from assembly.errors import Conflict, InvalidInput
from assembly.runtime import Runtime
from assembly.services import Actor, authorized
from assembly.steps import Action
from voting.methods import method_from_params
from voting.models import Ballot, Vote, VoteStatus
from voting.results import raw_ballot
from voting.services import (
    BallotReceipt,
    _vote_definition,
    _vote_in,
    ballot_from_form,
    cast_ballot,
    check_ballot,
    definition_view,
    new_client_seq,
)


@dataclass(frozen=True)
class PaperBallot:
    """What the assistant is told once the card's ballot is durably stored."""

    card: int
    vote_id: int
    participant_id: int
    receipt: BallotReceipt | None
    replay: bool
    corrected: bool


async def print_ballot_cards(
    rt: Runtime, *, actor: Actor, assembly_id: int, vote_id: int, count: int
) -> list[int]:
    """Number `count` ballot cards of this vote (its options and method are printed on them)."""
    async with rt.transaction() as (session, _):
        assembly, _ = await authorized(session, assembly_id, actor, Action.MANAGE_ASSEMBLY)
        vote = await _vote_in(session, assembly, vote_id)
        return await paper.add_cards(session, assembly.id, "ballot", vote.id, count)


async def vote_of_card(rt: Runtime, *, actor: Actor, assembly_id: int, number: int) -> int:
    card = await paper.card_view(rt, actor=actor, assembly_id=assembly_id, number=number)
    if card.kind != "ballot" or card.vote_id is None:
        raise Conflict("wrong_card", "This card is not for this; check its number.")
    return card.vote_id


async def _stored(rt: Runtime, vote_id: int, participant_id: int) -> tuple[str, int] | None:
    async with rt.read() as session:
        row = (
            await session.execute(
                select(Ballot.content, Ballot.client_seq).where(
                    Ballot.vote_id == vote_id, Ballot.participant_id == participant_id
                )
            )
        ).first()
        return (row[0], row[1]) if row else None


async def enter_ballot_card(
    rt: Runtime,
    *,
    actor: Actor,
    assembly_id: int,
    number: int,
    ballot: object,
    person: paper.PaperPerson | None = None,
    same_as: int | None = None,
    client_key: str | None = None,
) -> PaperBallot:
    """Enter a ballot card once, for a new paper participant or the one an earlier card was
    entered for; answers after the ballot's commit."""
    vote_id = await vote_of_card(rt, actor=actor, assembly_id=assembly_id, number=number)
    definition = await _vote_definition(rt, assembly_id, vote_id)
    if definition.status != VoteStatus.OPEN:
        raise Conflict("vote_not_open", "This vote is not open.")
    content = check_ballot(definition, ballot)  # a wrong card is refused before it is claimed
    claim = await paper.claim_card(
        rt,
        actor=actor,
        assembly_id=assembly_id,
        number=number,
        kind="ballot",
        action=Action.ENTER_PAPER_BALLOT,
        vote_id=vote_id,
        person=person,
        same_as=same_as,
        client_key=client_key,
        content=content,
    )
    if claim.replay and await _stored(rt, vote_id, claim.participant_id) is not None:
        return PaperBallot(number, vote_id, claim.participant_id, None, True, False)
    on_behalf = dataclasses.replace(actor, paper_participant_id=claim.participant_id)
    try:
        receipt = await cast_ballot(
            rt,
            actor=on_behalf,
            assembly_id=assembly_id,
            vote_id=vote_id,
            ballot=ballot,
            client_seq=new_client_seq(),
        )
    except BaseException:
        await paper.release_claim(rt, claim)
        raise
    return PaperBallot(number, vote_id, claim.participant_id, receipt, claim.replay, False)


async def correct_ballot_card(
    rt: Runtime,
    *,
    actor: Actor,
    assembly_id: int,
    number: int,
    ballot: object,
    person: paper.PaperPerson | None = None,
) -> PaperBallot:
    """Replace an entered card's ballot (and the person's network, name, organisation if
    given); the card's audit trail records who changed it, when, and the ballot before."""
    vote_id = await vote_of_card(rt, actor=actor, assembly_id=assembly_id, number=number)
    definition = await _vote_definition(rt, assembly_id, vote_id)
    if definition.status != VoteStatus.OPEN:
        raise Conflict("vote_not_open", "This vote is not open.")
    content = check_ballot(definition, ballot)
    card = await paper.card_view(rt, actor=actor, assembly_id=assembly_id, number=number)
    earlier = (
        await _stored(rt, vote_id, card.participant_id) if card.participant_id is not None else None
    )
    participant_id, change_id = await paper.begin_correction(
        rt,
        actor=actor,
        assembly_id=assembly_id,
        number=number,
        kind="ballot",
        action=Action.ENTER_PAPER_BALLOT,
        person=person,
        before=earlier[0] if earlier else "",
        after=content,
    )
    on_behalf = dataclasses.replace(actor, paper_participant_id=participant_id)
    try:
        receipt = await cast_ballot(
            rt,
            actor=on_behalf,
            assembly_id=assembly_id,
            vote_id=vote_id,
            ballot=ballot,
            client_seq=max(new_client_seq(), (earlier[1] + 1) if earlier else 0),
        )
    except BaseException:
        await paper.undo_correction(rt, change_id)
        raise
    return PaperBallot(number, vote_id, participant_id, receipt, False, True)


async def ballot_from_card_form(
    rt: Runtime, *, assembly_id: int, vote_id: int, form: dict[str, str]
) -> object:
    """The ballot as the assistant typed it in the phone's own ballot fields (o<option id>)."""
    definition = await _vote_definition(rt, assembly_id, vote_id)
    return ballot_from_form(definition.method.kind, definition.option_ids, form)


async def paper_votes(rt: Runtime, *, actor: Actor, assembly_id: int) -> list[dict[str, object]]:
    """The assembly's votes, for the organizer's card printing form."""
    async with rt.read() as session:
        assembly, _ = await authorized(session, assembly_id, actor, Action.MANAGE_ASSEMBLY)
        votes = await session.scalars(
            select(Vote).where(Vote.assembly_id == assembly.id).order_by(Vote.id)
        )
        return [
            {"id": v.id, "method": v.method, "status": v.status, "options": len(v.options)}
            for v in votes
        ]


def check_same_as(text: str | None) -> int | None:
    """The "same person as card #" field: empty, or a card number."""
    value = (text or "").strip().lstrip("#")
    if not value:
        return None
    if not value.isdigit():
        raise InvalidInput("invalid_card_number", "Type the number printed on the card.")
    return int(value)


async def ballot_card(
    rt: Runtime, *, actor: Actor, assembly_id: int, number: int
) -> tuple[paper.CardView, dict[str, object], object | None]:
    """A ballot card as the assistant's form shows it: the card, its vote, and the ballot
    entered from it so far (None while blank)."""
    card = await paper.card_view(rt, actor=actor, assembly_id=assembly_id, number=number)
    async with rt.read() as session:
        vote = await session.get(Vote, card.vote_id) if card.vote_id else None
        if vote is None:
            raise Conflict("wrong_card", "This card is not for this; check its number.")
        view = definition_view(vote)
    stored = await _stored(rt, vote.id, card.participant_id) if card.participant_id else None
    mine = raw_ballot(method_from_params(vote.method, vote.params), stored[0]) if stored else None
    return card, view, mine


async def vote_for_sheet(
    rt: Runtime, *, actor: Actor, assembly_id: int, vote_id: int
) -> dict[str, object]:
    """The vote a sheet of ballot cards prints: its step's title (a hall may hold several votes),
    method, parameters and numbered options."""
    async with rt.read() as session:
        assembly, _ = await authorized(session, assembly_id, actor, Action.MANAGE_ASSEMBLY)
        vote = await _vote_in(session, assembly, vote_id)
        title = next((s.title for s in assembly.steps if s.id == vote.step_id), "")
        return {**definition_view(vote), "title": title}
