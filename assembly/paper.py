"""Paper cards and table assistants: the kernel's part of taking part without a phone.

An organizer grants table assistants for one assembly and prints numbered cards (a proposal
card, or a ballot card of one vote) whose QR code names the card, not the person. An assistant
enters a card for a paper participant (`participants.source == "paper"`, a seat no device holds):
the card is claimed once (its number is unique in the assembly, and a claimed card refuses a
second entry), then the feature's own use case runs on the participant's behalf (a ballot through
the same validation and exactly-once writer as a phone's: voting/paper.py; proposals:
deliberation/paper.py). If that use case refuses, the claim is undone. A correction keeps the
card and records who changed it, when, and what it held before (`paper_card_changes`).
See docs/paper.md.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from assembly.errors import Conflict, InvalidInput, NotFound
from assembly.models import (
    Assembly,
    Network,
    PaperCard,
    PaperCardChange,
    PaperStack,
    Participant,
    TableAssistant,
    User,
)
from assembly.runtime import Runtime
from assembly.services import (
    Actor,
    _add_user,
    authorized,
    clean_field,
    clean_username,
    emit_joined,
)
from assembly.steps import Action, Role
from assembly.timeutil import utcnow

PAPER = "paper"
KINDS = ("proposal", "ballot")
MAX_CARDS_PER_BATCH = 500
MAX_CARD_NUMBER = 10**6
CLIENT_KEY_CHARS = 64


@dataclass(frozen=True)
class PaperPerson:
    """Who a card is for, as the assistant types it: the network ticked on the card (required),
    and a name and organisation if the person wrote them."""

    network: str
    display_name: str = ""
    organisation: str = ""


@dataclass(frozen=True)
class CardView:
    number: int
    kind: str
    vote_id: int | None
    entered: bool
    participant_id: int | None
    network: str | None
    display_name: str
    organisation: str
    entered_by: str | None
    entered_at: datetime | None
    corrected_by: str | None
    corrected_at: datetime | None


@dataclass(frozen=True)
class Claim:
    """A card bound to a paper participant, before the feature's use case ran for it."""

    card_id: int
    participant_id: int
    new_participant: bool
    replay: bool
    """The same entry (same client key) was stored before: acknowledged, not entered twice."""


# ---------------------------------------------------------------- assistants


async def create_assistant(
    rt: Runtime,
    *,
    actor: Actor,
    assembly_id: int,
    username: str,
    display_name: str,
    password: str,
) -> User:
    """A new table-assistant account, granted for this assembly only, made by its organizer."""
    async with rt.transaction() as (session, _):
        assembly, _ = await authorized(session, assembly_id, actor, Action.MANAGE_ASSEMBLY)
        user = await _add_user(
            session,
            username=username,
            display_name=display_name,
            role=Role.ASSISTANT,
            password=password,
        )
        session.add(TableAssistant(assembly_id=assembly.id, user_id=user.id))
    return user


async def add_assistant(rt: Runtime, *, actor: Actor, assembly_id: int, username: str) -> User:
    """Grant an existing assistant account this assembly too."""
    async with rt.transaction() as (session, _):
        assembly, _ = await authorized(session, assembly_id, actor, Action.MANAGE_ASSEMBLY)
        user = await session.scalar(select(User).where(User.username == clean_username(username)))
        if user is None or user.role != Role.ASSISTANT:
            raise NotFound("assistant_not_found", "No assistant account has this username.")
        if await session.get(TableAssistant, (assembly.id, user.id)) is None:
            session.add(TableAssistant(assembly_id=assembly.id, user_id=user.id))
    return user


async def remove_assistant(rt: Runtime, *, actor: Actor, assembly_id: int, user_id: int) -> None:
    """Take the role away; the cards the assistant entered keep naming them."""
    async with rt.transaction() as (session, _):
        assembly, _ = await authorized(session, assembly_id, actor, Action.MANAGE_ASSEMBLY)
        if await session.get(TableAssistant, (assembly.id, user_id)) is None:
            raise NotFound("assistant_not_found", "This assistant is not in this assembly.")
        await session.execute(
            delete(TableAssistant).where(
                TableAssistant.assembly_id == assembly.id, TableAssistant.user_id == user_id
            )
        )


async def assistants_of(rt: Runtime, assembly_id: int) -> list[User]:
    async with rt.read() as session:
        return await _assistants(session, assembly_id)


async def _assistants(session: AsyncSession, assembly_id: int) -> list[User]:
    query = (
        select(User)
        .join(TableAssistant, TableAssistant.user_id == User.id)
        .where(TableAssistant.assembly_id == assembly_id)
        .order_by(User.username)
    )
    return list((await session.scalars(query)).all())


# ---------------------------------------------------------------- printing


def check_count(count: int) -> int:
    if not isinstance(count, int) or not 1 <= count <= MAX_CARDS_PER_BATCH:
        raise InvalidInput(
            "invalid_card_count",
            "Print between 1 and %(limit)s cards at a time.",
            limit=MAX_CARDS_PER_BATCH,
        )
    return count


async def add_cards(
    session: AsyncSession, assembly_id: int, kind: str, vote_id: int | None, count: int
) -> list[int]:
    """Number `count` new cards after the assembly's highest number, in the caller's
    transaction (the unique (assembly, number) refuses a concurrent batch's numbers)."""
    if kind not in KINDS:
        raise InvalidInput("invalid_card_kind", "Choose proposal cards or ballot cards.")
    check_count(count)
    highest = await session.scalar(
        select(func.coalesce(func.max(PaperCard.number), 0)).where(
            PaperCard.assembly_id == assembly_id
        )
    )
    numbers = list(range(int(highest or 0) + 1, int(highest or 0) + 1 + count))
    session.add_all(
        PaperCard(assembly_id=assembly_id, number=n, kind=kind, vote_id=vote_id) for n in numbers
    )
    await session.flush()
    return numbers


async def print_proposal_cards(
    rt: Runtime, *, actor: Actor, assembly_id: int, count: int
) -> list[int]:
    async with rt.transaction() as (session, _):
        assembly, _ = await authorized(session, assembly_id, actor, Action.MANAGE_ASSEMBLY)
        return await add_cards(session, assembly.id, "proposal", None, count)


async def printed_cards(
    rt: Runtime, *, actor: Actor, assembly_id: int, kind: str, vote_id: int | None = None
) -> tuple[Assembly, list[int]]:
    """The numbers of the printed cards of one kind (ballot cards of one vote), for the sheet."""
    async with rt.read() as session:
        assembly, _ = await authorized(session, assembly_id, actor, Action.MANAGE_ASSEMBLY)
        query = select(PaperCard.number).where(
            PaperCard.assembly_id == assembly.id, PaperCard.kind == kind
        )
        if vote_id is not None:
            query = query.where(PaperCard.vote_id == vote_id)
        numbers = list(await session.scalars(query.order_by(PaperCard.number)))
        await session.refresh(assembly, ["networks", "steps"])
        return assembly, numbers


# ---------------------------------------------------------------- entering


def check_card_number(number: int) -> int:
    if not isinstance(number, int) or not 1 <= number <= MAX_CARD_NUMBER:
        raise InvalidInput("invalid_card_number", "Type the number printed on the card.")
    return number


def _check_client_key(client_key: str | None) -> str | None:
    if client_key is None:
        return None
    key = client_key.strip()
    if not key or len(key) > CLIENT_KEY_CHARS or not key.isascii():
        raise InvalidInput("invalid_client_key", "The request key is malformed.")
    return key


async def _card(session: AsyncSession, assembly_id: int, number: int) -> PaperCard:
    card = await session.scalar(
        select(PaperCard).where(
            PaperCard.assembly_id == assembly_id, PaperCard.number == check_card_number(number)
        )
    )
    if card is None:
        raise NotFound("card_not_found", "No card with this number was printed for this assembly.")
    return card


async def _network(session: AsyncSession, assembly: Assembly, key: str) -> Network:
    network = await session.scalar(
        select(Network).where(Network.assembly_id == assembly.id, Network.key == key)
    )
    if network is None:
        raise InvalidInput("network_required", "Tick the network written on the card.")
    return network


async def _new_paper_participant(
    session: AsyncSession, assembly: Assembly, person: PaperPerson
) -> Participant:
    network = await _network(session, assembly, person.network)
    participant = Participant(
        assembly_id=assembly.id,
        network_id=network.id,
        # No device ever holds this seat: a random value no device token hashes to.
        device_hash=f"paper-{secrets.token_hex(29)}",
        display_name=clean_field(person.display_name, "display_name"),
        organisation=clean_field(person.organisation, "organisation"),
        source=PAPER,
    )
    session.add(participant)
    await session.flush()
    return participant


async def _person_of_card(session: AsyncSession, assembly: Assembly, number: int) -> Participant:
    """The paper participant an earlier card was entered for ("same person as card #n")."""
    earlier = await _card(session, assembly.id, number)
    participant = (
        await session.get(Participant, earlier.participant_id) if earlier.participant_id else None
    )
    if earlier.entered_at is None or participant is None or participant.source != PAPER:
        raise InvalidInput(
            "same_as_not_entered", "The earlier card has not been entered yet: enter it first."
        )
    return participant


async def claim_card(
    rt: Runtime,
    *,
    actor: Actor,
    assembly_id: int,
    number: int,
    kind: str,
    action: Action,
    vote_id: int | None = None,
    person: PaperPerson | None = None,
    same_as: int | None = None,
    client_key: str | None = None,
    content: str = "",
) -> Claim:
    """Bind a card to a new paper participant (`person`) or to the one an earlier card was
    entered for (`same_as`), once: a card already entered is refused (`card_already_entered`),
    unless this is a resend of the same entry (same `client_key`). `action` is the assistant's
    action the card stands for; the rules table decides it (step kind, step open)."""
    key = _check_client_key(client_key)
    async with rt.transaction() as (session, outbox):
        assembly, _ = await authorized(session, assembly_id, actor, action)
        assert actor.user is not None  # the rules table lets only assistants enter cards
        card = await _card(session, assembly.id, number)
        if card.kind != kind or (vote_id is not None and card.vote_id != vote_id):
            raise Conflict("wrong_card", "This card is not for this; check its number.")
        if card.entered_at is not None:
            if key is not None and card.client_key == key and card.participant_id is not None:
                return Claim(card.id, card.participant_id, False, True)
            raise Conflict(
                "card_already_entered",
                "Card #%(number)s has already been entered. To change it, use Correct.",
                number=card.number,
            )
        if (person is None) == (same_as is None):
            raise InvalidInput("network_required", "Tick the network written on the card.")
        if person is not None:
            participant = await _new_paper_participant(session, assembly, person)
        else:
            assert same_as is not None
            participant = await _person_of_card(session, assembly, same_as)
            if kind == "ballot":
                twice = await session.scalar(
                    select(PaperCard.number).where(
                        PaperCard.vote_id == card.vote_id,
                        PaperCard.participant_id == participant.id,
                        PaperCard.entered_at.is_not(None),
                    )
                )
                if twice is not None:
                    raise Conflict(
                        "person_already_voted",
                        "This person's ballot is already entered (card #%(number)s): "
                        "correct that card instead.",
                        number=twice,
                    )
        now = utcnow()
        claimed = await session.execute(
            update(PaperCard)
            .where(PaperCard.id == card.id, PaperCard.entered_at.is_(None))
            .values(participant_id=participant.id, entered_by=actor.user.id, entered_at=now)
            .values(client_key=key)
        )
        if not claimed.rowcount:  # type: ignore[attr-defined]
            raise Conflict(
                "card_already_entered",
                "Card #%(number)s has already been entered. To change it, use Correct.",
                number=card.number,
            )
        session.add(
            PaperCardChange(card_id=card.id, user_id=actor.user.id, change="entered", after=content)
        )
        if person is not None:
            await emit_joined(session, outbox, assembly.id)
        return Claim(card.id, participant.id, person is not None, False)


async def release_claim(rt: Runtime, claim: Claim) -> None:
    """Undo a claim whose use case refused (the vote closed meanwhile, a limit): the card is
    blank again and a participant made for it goes."""
    if claim.replay:
        return
    async with rt.transaction() as (session, outbox):
        card = await session.get(PaperCard, claim.card_id)
        if card is None:
            return
        await session.execute(delete(PaperCardChange).where(PaperCardChange.card_id == card.id))
        card.participant_id = None
        card.entered_by = None
        card.entered_at = None
        card.client_key = None
        if claim.new_participant:
            await session.execute(delete(Participant).where(Participant.id == claim.participant_id))
            await emit_joined(session, outbox, card.assembly_id)


async def begin_correction(
    rt: Runtime,
    *,
    actor: Actor,
    assembly_id: int,
    number: int,
    kind: str,
    action: Action,
    person: PaperPerson | None,
    before: str,
    after: str,
) -> tuple[int, int]:
    """Record a correction of an entered card (who, when, what it held and holds now) and apply
    a corrected network, name or organisation; returns (participant id, change id) so the
    feature's use case can re-enter the card's content for the same participant."""
    async with rt.transaction() as (session, outbox):
        assembly, _ = await authorized(session, assembly_id, actor, action)
        assert actor.user is not None
        card = await _card(session, assembly.id, number)
        if card.kind != kind:
            raise Conflict("wrong_card", "This card is not for this; check its number.")
        participant = (
            await session.get(Participant, card.participant_id) if card.participant_id else None
        )
        if card.entered_at is None or participant is None:
            raise Conflict("card_not_entered", "This card has not been entered yet.")
        if person is not None:
            network = await _network(session, assembly, person.network)
            moved = network.id != participant.network_id
            participant.network_id = network.id
            participant.display_name = clean_field(person.display_name, "display_name")
            participant.organisation = clean_field(person.organisation, "organisation")
            if moved:
                await emit_joined(session, outbox, assembly.id)
        card.corrected_by = actor.user.id
        card.corrected_at = utcnow()
        change = PaperCardChange(
            card_id=card.id, user_id=actor.user.id, change="corrected", before=before, after=after
        )
        session.add(change)
        await session.flush()
        return participant.id, change.id


async def undo_correction(rt: Runtime, change_id: int) -> None:
    """The correction's use case refused: its audit line goes (the card keeps what it held)."""
    async with rt.transaction() as (session, _):
        await session.execute(delete(PaperCardChange).where(PaperCardChange.id == change_id))


async def card_view(rt: Runtime, *, actor: Actor, assembly_id: int, number: int) -> CardView:
    """A card as the assistant looks it up (typed or scanned): kind, vote, whether entered."""
    async with rt.read() as session:
        assembly, _ = await authorized(session, assembly_id, actor, Action.ENTER_PAPER)
        card = await _card(session, assembly.id, number)
        return (await card_views(session, assembly.id, [card]))[0]


async def card_views(
    session: AsyncSession, assembly_id: int, cards: list[PaperCard]
) -> list[CardView]:
    users = {
        u.id: u.display_name or u.username
        for u in await session.scalars(
            select(User).where(
                User.id.in_({c.entered_by for c in cards} | {c.corrected_by for c in cards})
            )
        )
    }
    people = {
        p.id: p
        for p in await session.scalars(
            select(Participant).where(Participant.id.in_({c.participant_id for c in cards}))
        )
    }
    rows = await session.execute(
        select(Network.id, Network.key).where(Network.assembly_id == assembly_id)
    )
    keys = dict(rows.all())
    views = []
    for card in cards:
        person = people.get(card.participant_id or 0)
        views.append(
            CardView(
                number=card.number,
                kind=card.kind,
                vote_id=card.vote_id,
                entered=card.entered_at is not None,
                participant_id=card.participant_id,
                network=keys.get(person.network_id) if person else None,
                display_name=person.display_name if person else "",
                organisation=person.organisation if person else "",
                entered_by=users.get(card.entered_by or 0),
                entered_at=card.entered_at,
                corrected_by=users.get(card.corrected_by or 0),
                corrected_at=card.corrected_at,
            )
        )
    return views


async def card_history(
    rt: Runtime, *, actor: Actor, assembly_id: int, number: int
) -> list[dict[str, Any]]:
    """A card's audit trail, oldest first: who entered and corrected it, when, before/after."""
    async with rt.read() as session:
        assembly, _ = await authorized(session, assembly_id, actor, Action.VIEW_ASSEMBLY)
        card = await _card(session, assembly.id, number)
        rows = await session.execute(
            select(PaperCardChange, User.username)
            .outerjoin(User, User.id == PaperCardChange.user_id)
            .where(PaperCardChange.card_id == card.id)
            .order_by(PaperCardChange.id)
        )
        return [
            {
                "change": change.change,
                "by": username,
                "at": change.changed_at.isoformat(),
                "before": json.loads(change.before) if change.before else None,
                "after": json.loads(change.after) if change.after else None,
            }
            for change, username in rows.all()
        ]


# ---------------------------------------------------------------- stacks


async def mark_stack_entered(
    rt: Runtime, *, actor: Actor, assembly_id: int, vote_id: int, entered: bool = True
) -> None:
    """The assistant says every ballot card of their stack for this vote is entered."""
    async with rt.transaction() as (session, _):
        assembly, _ = await authorized(session, assembly_id, actor, Action.ENTER_PAPER)
        assert actor.user is not None
        card = await session.scalar(
            select(PaperCard.id).where(
                PaperCard.assembly_id == assembly.id, PaperCard.vote_id == vote_id
            )
        )
        if card is None:
            raise NotFound("vote_not_found", "This vote has no paper ballot cards.")
        await session.execute(
            delete(PaperStack).where(
                PaperStack.vote_id == vote_id, PaperStack.user_id == actor.user.id
            )
        )
        if entered:
            session.add(PaperStack(vote_id=vote_id, user_id=actor.user.id))


async def paper_status(session: AsyncSession, assembly_id: int, vote_id: int) -> dict[str, Any]:
    """For the console: ballot cards printed and entered for the vote, and which assistants
    have said their stack is entered."""
    printed, entered = (
        await session.execute(
            select(func.count(), func.count(PaperCard.entered_at)).where(
                PaperCard.assembly_id == assembly_id, PaperCard.vote_id == vote_id
            )
        )
    ).one()
    done = set(
        await session.scalars(select(PaperStack.user_id).where(PaperStack.vote_id == vote_id))
    )
    assistants = await _assistants(session, assembly_id)
    return {
        "printed": int(printed),
        "entered": int(entered),
        "assistants": [
            {"username": u.username, "name": u.display_name or u.username, "done": u.id in done}
            for u in assistants
        ],
        "stacks_pending": sum(1 for u in assistants if u.id not in done) if printed else 0,
    }
