"""Proposal cards entered by table assistants, through the phone's own use case.

The card is claimed once for a paper participant (assembly/paper.py), then each proposal
written on it goes through `submit_proposal` on that participant's behalf (the same checks,
limits, events and clustering as a phone's), each with a client key made from the card number,
so a resend of the same entry never makes a duplicate. See docs/paper.md.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from typing import Any

from assembly import paper
from assembly.errors import InvalidInput
from assembly.runtime import Runtime
from assembly.services import Actor
from assembly.steps import Action
from deliberation.agenda.consent import give_consent
from deliberation.proposals import check_proposal_text, submit_proposal, support_proposal

MAX_PROPOSALS_PER_CARD = 3  # the printed card has three proposals' worth of lines


@dataclass(frozen=True)
class PaperProposals:
    card: int
    participant_id: int
    proposals: list[dict[str, Any]]
    replay: bool


def _texts(rt: Runtime, texts: list[str]) -> list[str]:
    written = [t for t in texts if (t or "").strip()]
    if not written:
        raise InvalidInput("proposal_empty", "Please write your proposal first.")
    if len(written) > MAX_PROPOSALS_PER_CARD:
        raise InvalidInput(
            "too_many_on_card",
            "A card holds at most %(limit)s proposals.",
            limit=MAX_PROPOSALS_PER_CARD,
        )
    return [check_proposal_text(t, rt.settings.max_proposal_chars) for t in written]


async def enter_proposal_card(
    rt: Runtime,
    *,
    actor: Actor,
    assembly_id: int,
    number: int,
    texts: list[str],
    person: paper.PaperPerson | None = None,
    same_as: int | None = None,
    client_key: str | None = None,
) -> PaperProposals:
    """Enter a proposal card once: the person (new, or the one of an earlier card) and the
    proposals typed from it."""
    cleaned = _texts(rt, texts)
    claim = await paper.claim_card(
        rt,
        actor=actor,
        assembly_id=assembly_id,
        number=number,
        kind="proposal",
        action=Action.ENTER_PAPER_PROPOSALS,
        person=person,
        same_as=same_as,
        client_key=client_key,
        content=json.dumps(cleaned, ensure_ascii=False),
    )
    on_behalf = dataclasses.replace(actor, paper_participant_id=claim.participant_id)
    stored: list[dict[str, Any]] = []
    try:
        for i, text in enumerate(cleaned):
            submission = await submit_proposal(
                rt,
                actor=on_behalf,
                assembly_id=assembly_id,
                text=text,
                client_key=f"paper-card-{number}-{i}",
            )
            stored.append(submission.proposal)
    except BaseException:
        if not stored:  # nothing of the card is in: it stays blank, to be entered again
            await paper.release_claim(rt, claim)
        raise
    return PaperProposals(number, claim.participant_id, stored, claim.replay)


async def correct_proposal_card(
    rt: Runtime,
    *,
    actor: Actor,
    assembly_id: int,
    number: int,
    person: paper.PaperPerson,
) -> int:
    """Correct who a proposal card is for (network, name, organisation), with an audit line;
    its proposals' wording is fixed by the facilitator's moderation, as for a phone's."""
    participant_id, _ = await paper.begin_correction(
        rt,
        actor=actor,
        assembly_id=assembly_id,
        number=number,
        kind="proposal",
        action=Action.ENTER_PAPER,
        person=person,
        before="",
        # The network only: names stay in `participants`, where the PDPA purge clears them.
        after=json.dumps({"network": person.network}),
    )
    return participant_id


async def person_of_card(rt: Runtime, *, actor: Actor, assembly_id: int, number: int) -> Actor:
    """The assistant acting for the paper participant an entered card belongs to."""
    card = await paper.card_view(rt, actor=actor, assembly_id=assembly_id, number=number)
    if not card.entered or card.participant_id is None:
        raise InvalidInput(
            "same_as_not_entered", "The earlier card has not been entered yet: enter it first."
        )
    return dataclasses.replace(actor, paper_participant_id=card.participant_id)


async def support_for_card(
    rt: Runtime, *, actor: Actor, assembly_id: int, number: int, proposal_id: int
) -> dict[str, Any]:
    """A paper participant's support (ticked on their card, or said to the assistant), through
    the phone's own use case: once per participant, in the steps a phone may support."""
    on_behalf = await person_of_card(rt, actor=actor, assembly_id=assembly_id, number=number)
    return await support_proposal(
        rt, actor=on_behalf, assembly_id=assembly_id, proposal_id=proposal_id
    )


async def consent_for_card(
    rt: Runtime,
    *,
    actor: Actor,
    assembly_id: int,
    number: int,
    item_id: int,
    answer: str,
    reason: str = "",
) -> dict[str, Any]:
    """A paper participant's consent answer for one agenda item, through the phone's own use
    case (one answer per participant and item, an objection needs a reason)."""
    on_behalf = await person_of_card(rt, actor=actor, assembly_id=assembly_id, number=number)
    return await give_consent(
        rt, actor=on_behalf, assembly_id=assembly_id, item_id=item_id, answer=answer, reason=reason
    )
