"""Joining an assembly with its join code: a device gets its one seat (participant), choosing its
network, or through a printed seat card (`assembly/seats.py`).
"""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from assembly.errors import Conflict, Gone, InvalidInput, NotFound
from assembly.limits import LOCAL, Guesser
from assembly.models import Assembly, Network, Participant, SeatCode
from assembly.runtime import Runtime
from assembly.seats import take_seat
from assembly.services import (
    JOIN_CODE_DIGITS,
    LEGACY_JOIN_CODE_DIGITS,
    clean_field,
    emit_joined,
)
from assembly.thai_format import arabic_digits


async def assembly_for_code(
    rt: Runtime,
    join_code: str,
    *,
    with_seat: bool = False,
    guesser: Guesser = LOCAL,
) -> Assembly:
    """`with_seat`: a seat card is being used, which moves an existing seat, so it works after
    joining closed too (a replacement phone before the official vote). `guesser`: who asks,
    for the wrong-code limits (assembly/limits.py); a correct code never counts."""
    code = re.sub(r"\D", "", arabic_digits(join_code or ""))
    if len(code) not in (JOIN_CODE_DIGITS, LEGACY_JOIN_CODE_DIGITS):
        raise InvalidInput("invalid_join_code", "The join code has 8 digits.")
    by_code = select(Assembly).where(Assembly.join_code == code)
    if rt.throttles.is_known_code(code):  # seen correct before: a hall's crowd skips the limits
        async with rt.read() as session:
            assembly = await session.scalar(by_code)
    else:
        async with rt.throttles.code_guess(guesser) as guess:
            async with rt.read() as session:
                assembly = await session.scalar(by_code)
            if assembly is None:
                guess.wrong()
    if assembly is None:
        raise NotFound("unknown_join_code", "No assembly has this join code. Please check it.")
    rt.throttles.remember_code(code)
    if not assembly.join_open and not with_seat:
        raise Gone("join_closed", "This assembly no longer accepts new participants.")
    return assembly


async def join_assembly(
    rt: Runtime,
    *,
    join_code: str,
    device_hash: str,
    network_key: str | None,
    display_name: str = "",
    organisation: str = "",
    seat_code: str | None = None,
    guesser: Guesser = LOCAL,
) -> Participant:
    """Give this device a seat; the same device joining again keeps its one seat.

    With a seat code, or in strict mode, the printed card decides the seat and its network
    (assembly/seats.py).
    """
    assembly = await assembly_for_code(
        rt, join_code, with_seat=bool(seat_code and seat_code.strip()), guesser=guesser
    )
    name = clean_field(display_name, "display_name")
    org = clean_field(organisation, "organisation")
    if (seat_code and seat_code.strip()) or assembly.seat_codes_required:
        return await take_seat(
            rt,
            assembly_id=assembly.id,
            device_hash=device_hash,
            seat_code=seat_code or "",
            display_name=name,
            organisation=org,
            guesser=guesser,
        )
    async with rt.transaction() as (session, outbox):
        existing = await session.scalar(
            select(Participant).where(
                Participant.assembly_id == assembly.id, Participant.device_hash == device_hash
            )
        )
        if existing is not None and not network_key:
            return existing
        if existing is not None and await session.scalar(
            select(SeatCode.id).where(SeatCode.participant_id == existing.id)
        ):
            return existing  # a seat card fixed this seat's network
        network = await session.scalar(
            select(Network).where(Network.assembly_id == assembly.id, Network.key == network_key)
        )
        if network is None:
            raise InvalidInput("network_required", "Please choose your network.")
        if existing is not None:
            moved = existing.network_id != network.id
            existing.network_id = network.id
            existing.display_name = name or existing.display_name
            existing.organisation = org or existing.organisation
            if moved:
                await emit_joined(session, outbox, assembly.id)
            return existing
        participant = Participant(
            assembly_id=assembly.id,
            network_id=network.id,
            device_hash=device_hash,
            display_name=name,
            organisation=org,
        )
        session.add(participant)
        try:
            await session.flush()
        except IntegrityError as exc:  # the same device joining twice at the same instant
            raise Conflict("already_joined", "You have already joined. Please reload.") from exc
        await emit_joined(session, outbox, assembly.id)
    return participant
