"""Joining an assembly with its join code: a device gets its one seat (participant), choosing its
network, or through a printed seat card (`assembly/seats.py`).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import raiseload

from assembly.errors import Conflict, DomainError, Gone, InvalidInput, NotFound
from assembly.events import Outbox
from assembly.group_commit import GroupWriter, writer_of
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

logger = logging.getLogger("samatcha.joining")


async def assembly_for_code(
    rt: Runtime,
    join_code: str,
    *,
    with_seat: bool = False,
    guesser: Guesser = LOCAL,
    bare: bool = False,
) -> Assembly:
    """`with_seat`: a seat card is being used, which moves an existing seat, so it works after
    joining closed too (a replacement phone before the official vote). `guesser`: who asks,
    for the wrong-code limits (assembly/limits.py); a correct code never counts. `bare`: the
    assembly's own row only, without its networks and steps (a join needs neither, and in a
    join wave those two extra queries per phone were a fifth of the server's work)."""
    code = re.sub(r"\D", "", arabic_digits(join_code or ""))
    if len(code) not in (JOIN_CODE_DIGITS, LEGACY_JOIN_CODE_DIGITS):
        raise InvalidInput("invalid_join_code", "The join code has 8 digits.")
    by_code = select(Assembly).where(Assembly.join_code == code)
    if bare:
        by_code = by_code.options(raiseload("*"))
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
    with_seat = bool(seat_code and seat_code.strip())
    writer = writer_for(rt)
    code = re.sub(r"\D", "", arabic_digits(join_code or ""))
    known = None if with_seat or not rt.throttles.is_known_code(code) else writer.codes.get(code)
    if known is not None:  # a hall's crowd: the writer checks the code in its own transaction
        item = PendingJoin(
            known,
            device_hash,
            network_key or None,
            clean_field(display_name, "display_name"),
            clean_field(organisation, "organisation"),
            join_code=code,
        )
        try:
            return await writer.submit(item)
        except _LookAgain:
            writer.codes.pop(code, None)
    assembly = await assembly_for_code(
        rt, join_code, with_seat=with_seat, guesser=guesser, bare=True
    )
    name = clean_field(display_name, "display_name")
    org = clean_field(organisation, "organisation")
    if with_seat or assembly.seat_codes_required:
        return await take_seat(
            rt,
            assembly_id=assembly.id,
            device_hash=device_hash,
            seat_code=seat_code or "",
            display_name=name,
            organisation=org,
            guesser=guesser,
        )
    if len(writer.codes) >= MAX_CODES_KEPT:
        writer.codes.clear()
    writer.codes[code] = assembly.id
    return await writer.submit(
        PendingJoin(assembly.id, device_hash, network_key or None, name, org)
    )


class _LookAgain(Exception):
    """The writer found the remembered code no longer admits a plain join (strict mode, a
    deleted assembly): the join takes the full path, which says why."""


# ---------------------------------------------------------------- the join writer
#
# When the presenter shows the QR code, a whole hall joins within a minute. One transaction per
# join is one fsync per join under the process's one write lock, and each also counted the
# networks again for its `participants.changed` event; with a read of the join code per join
# besides, that was 27-124 joins/s (benchmarks/joins.py, docs/benchmarks.md). Here, as for
# ballots (voting/writer.py), joins that arrive while a commit is in flight wait in a queue, and
# the next transaction seats all of them with one commit and one event per assembly (the shared
# group commit of assembly/group_commit.py); a code already seen to work is checked in that
# transaction too. A join is answered only after its transaction committed (synchronous=FULL on
# SQLite), so an answered join is durable. One seat per (assembly, device) is the database's
# unique constraint, as before.

MAX_CODES_KEPT = 1000  # remembered join codes per process: far more assemblies than run at once


@dataclass
class PendingJoin:
    """A join whose code was checked, waiting for its group commit."""

    assembly_id: int
    device_hash: str
    network_key: str | None
    display_name: str
    organisation: str
    join_code: str | None = None
    """Set when the code was not looked up for this request (a code already seen to work):
    the writer checks it still opens this assembly for plain joins."""


async def seat_joins(
    session: AsyncSession, outbox: Outbox, batch: list[PendingJoin]
) -> list[Participant | DomainError | _LookAgain]:
    """Seat a batch in the caller's transaction: per join its seat, or the refusal. A refusal
    happens before anything is written, so it never spoils the others' seats."""
    results: list[Participant | DomainError | _LookAgain | None] = [None] * len(batch)
    by_assembly: dict[int, list[int]] = {}
    for i, item in enumerate(batch):
        by_assembly.setdefault(item.assembly_id, []).append(i)
    changed: set[int] = set()
    for assembly_id, indices in by_assembly.items():
        if any(batch[i].join_code for i in indices):
            row = (
                await session.execute(
                    select(
                        Assembly.join_code, Assembly.join_open, Assembly.seat_codes_required
                    ).where(Assembly.id == assembly_id)
                )
            ).first()
            for i in indices:
                if batch[i].join_code is None:
                    continue
                if row is None or row.join_code != batch[i].join_code or row.seat_codes_required:
                    results[i] = _LookAgain()
                elif not row.join_open:
                    results[i] = Gone(
                        "join_closed", "This assembly no longer accepts new participants."
                    )
            indices = [i for i in indices if results[i] is None]
        devices = sorted({batch[i].device_hash for i in indices})
        seats = {
            p.device_hash: p
            for p in await session.scalars(
                select(Participant).where(
                    Participant.assembly_id == assembly_id, Participant.device_hash.in_(devices)
                )
            )
        }
        carded = set(
            await session.scalars(
                select(SeatCode.participant_id).where(
                    SeatCode.participant_id.in_([p.id for p in seats.values()])
                )
            )
            if seats
            else ()
        )
        networks: dict[str, int] | None = None
        for i in indices:
            item = batch[i]
            existing = seats.get(item.device_hash)
            if existing is not None and (not item.network_key or existing.id in carded):
                results[i] = existing  # no network chosen, or a seat card fixed this one's
                continue
            if networks is None:
                rows = await session.execute(
                    select(Network.key, Network.id).where(Network.assembly_id == assembly_id)
                )
                networks = {key: network_id for key, network_id in rows.all()}
            network_id = networks.get(item.network_key or "")
            if network_id is None:
                results[i] = InvalidInput("network_required", "Please choose your network.")
                continue
            if existing is not None:
                if existing.network_id != network_id:
                    changed.add(assembly_id)
                existing.network_id = network_id
                existing.display_name = item.display_name or existing.display_name
                existing.organisation = item.organisation or existing.organisation
                results[i] = existing
                continue
            participant = Participant(
                assembly_id=assembly_id,
                network_id=network_id,
                device_hash=item.device_hash,
                display_name=item.display_name,
                organisation=item.organisation,
            )
            session.add(participant)
            seats[item.device_hash] = participant  # the same device twice in one batch: one seat
            changed.add(assembly_id)
            results[i] = participant
    await session.flush()
    for assembly_id in sorted(changed):
        await emit_joined(session, outbox, assembly_id)
    return [r for r in results if r is not None]


class JoinWriter(GroupWriter[PendingJoin, Participant | _LookAgain]):
    """The process's one join writer (per database), on the shared group commit."""

    name = "join"

    def __init__(self, rt: Runtime) -> None:
        super().__init__(rt)
        self.codes: dict[str, int] = {}
        """Join codes that opened an assembly for plain joins, and its id."""

    async def write_batch(
        self, session: AsyncSession, outbox: Outbox, batch: list[PendingJoin]
    ) -> list[Participant | _LookAgain | Exception]:
        return list(await seat_joins(session, outbox, batch))

    def lone_failure(self, exc: Exception) -> Exception:
        if isinstance(exc, IntegrityError):  # the same device joining at once in another worker
            return Conflict("already_joined", "You have already joined. Please reload.")
        return exc


def writer_for(rt: Runtime) -> JoinWriter:
    """This database's join writer on the running loop."""
    return writer_of(rt, JoinWriter)
