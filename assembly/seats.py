"""Strict mode for official votes: printed seat codes, one seat per code, one device per seat.

With strict mode on, the plain join code no longer admits anyone: a phone joins only with a
seat code, which fixes its network. The code binds one seat (a participant row, with its
proposals, supports, ballots and consent answers) to the device that last joined with it.
Joining with the same code on another device *moves* the seat there; the old device is no
longer in the assembly, so a ballot is never duplicated. Why codes are derived rather than
stored, and what revoking means: docs/security.md, "Seat codes".
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from assembly import services
from assembly.errors import Conflict, Forbidden, Gone, InvalidInput, NotFound
from assembly.events import EventType, Outbox
from assembly.limits import LOCAL, Guesser
from assembly.models import Assembly, Participant, SeatCode
from assembly.runtime import Runtime
from assembly.services import Actor
from assembly.steps import Action
from assembly.thai_format import arabic_digits
from assembly.timeutil import utcnow

SEAT_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
"""Digits and capitals minus the look-alikes 0/O, 1/I/L and U/V: what a hall reads off a card
in dim light and types on a phone without asking which one it was."""
SEAT_CODE_LENGTH = 8
"""30^8 ≈ 6.6 x 10^11 codes: at the join-code brute-force limit (60 wrong a minute for the
whole server) a guesser needs about 10,000 years to find one of 5,000 cards."""
SEAT_CODE_GROUP = 4  # printed and shown as K7QM-3XHD: two groups are easy to read out and copy
MAX_SEATS_PER_BATCH = 1000  # one network of a national assembly in one go
MAX_SEATS_PER_ASSEMBLY = 5000  # "a few thousand" at the largest assemblies, with spares
RELEASED_DEVICE_PREFIX = "released:"
"""A seat whose card was revoked keeps its participant row (and ballots) under a device hash
no phone can have: real ones are 64 hex digits."""
MAX_TYPED_CODE = 40  # room for spaces and dashes around the 8 characters, not for a novel

_CODE_CONTEXT = b"samatcha seat code v1:"
_HASH_CONTEXT = b"samatcha seat lookup v1:"


class SeatStatus:
    UNUSED = "unused"
    IN_USE = "in_use"
    REVOKED = "revoked"


# ---------------------------------------------------------------- pure: codes


def derive_code(secret: str, nonce: str) -> str:
    """The printed code of a card: a keyed hash of its stored nonce, in the seat alphabet.

    Deterministic, so the sheet prints again identically; unguessable without the secret key.
    """
    digest = hmac.new(secret.encode(), _CODE_CONTEXT + nonce.encode(), hashlib.sha256).digest()
    number = int.from_bytes(digest, "big")  # 256 bits: the modulo bias below is negligible
    base = len(SEAT_CODE_ALPHABET)
    chars = []
    for _ in range(SEAT_CODE_LENGTH):
        number, index = divmod(number, base)
        chars.append(SEAT_CODE_ALPHABET[index])
    return "".join(chars)


def code_hash(secret: str, code: str) -> str:
    """How a typed code is looked up: the table stores this, never the code."""
    return hmac.new(secret.encode(), _HASH_CONTEXT + code.encode(), hashlib.sha256).hexdigest()


def normalise_code(text: str) -> str | None:
    """A typed or scanned code in canonical form, or None when it cannot be a seat code.

    Case, spaces, dashes and Thai digits are forgiven (phones type them all).
    """
    cleaned = arabic_digits(text or "").upper()
    code = "".join(ch for ch in cleaned if not ch.isspace() and ch not in "-_.")
    if len(code) != SEAT_CODE_LENGTH or any(ch not in SEAT_CODE_ALPHABET for ch in code):
        return None
    return code


def format_code(code: str) -> str:
    """As printed: K7QM-3XHD."""
    return "-".join(code[i : i + SEAT_CODE_GROUP] for i in range(0, len(code), SEAT_CODE_GROUP))


def released_device() -> str:
    return RELEASED_DEVICE_PREFIX + secrets.token_hex(16)


def is_released(device_hash: str) -> bool:
    return device_hash.startswith(RELEASED_DEVICE_PREFIX)


# ---------------------------------------------------------------- views


@dataclass(frozen=True)
class SeatView:
    """One card as the organizer sees it (and as the sheet and the CSV print it)."""

    number: int
    code: str
    """Formatted, K7QM-3XHD."""
    network: str
    status: str
    moves: int
    claimed_at: datetime | None


@dataclass(frozen=True)
class NetworkSeats:
    key: str
    name_th: str
    name_en: str
    color: str
    total: int
    unused: int
    in_use: int
    revoked: int


@dataclass(frozen=True)
class SeatList:
    """What the organizer's page, the printed sheet and the CSV show."""

    assembly_name: str
    join_code: str
    required: bool
    seats: list[SeatView]
    networks: list[NetworkSeats]


def _status(seat: SeatCode, device_hash: str | None) -> str:
    if seat.revoked_at is not None:
        return SeatStatus.REVOKED
    if seat.participant_id is None or device_hash is None or is_released(device_hash):
        return SeatStatus.UNUSED  # a replacement card not used yet still holds its seat
    return SeatStatus.IN_USE


def _secret(rt: Runtime) -> str:
    return rt.settings.resolved_secret_key()


# ---------------------------------------------------------------- organizer's use cases


async def _managed(session: AsyncSession, assembly_id: int, actor: Actor) -> Assembly:
    assembly, _ = await services.authorized(session, assembly_id, actor, Action.MANAGE_ASSEMBLY)
    return assembly


async def set_seat_codes_required(
    rt: Runtime, *, actor: Actor, assembly_id: int, required: bool
) -> None:
    """Turn strict mode on or off. Seats already taken stay with their devices either way."""
    async with rt.transaction() as (session, _):
        assembly = await _managed(session, assembly_id, actor)
        assembly.seat_codes_required = required


async def generate_seat_codes(
    rt: Runtime, *, actor: Actor, assembly_id: int, network_key: str, count: int
) -> list[SeatView]:
    """`count` new cards for one network, numbered after the assembly's last card."""
    if (
        not isinstance(count, int)
        or isinstance(count, bool)
        or not 0 < count <= MAX_SEATS_PER_BATCH
    ):
        raise InvalidInput(
            "invalid_seat_count",
            "Make between 1 and %(limit)s cards at a time.",
            limit=MAX_SEATS_PER_BATCH,
        )
    secret = _secret(rt)
    async with rt.transaction() as (session, _):
        assembly = await _managed(session, assembly_id, actor)
        network = next((n for n in assembly.networks if n.key == network_key), None)
        if network is None:
            raise InvalidInput("network_required", "Please choose your network.")
        existing, last = (
            await session.execute(
                select(func.count(), func.coalesce(func.max(SeatCode.number), 0)).where(
                    SeatCode.assembly_id == assembly.id
                )
            )
        ).one()
        if existing + count > MAX_SEATS_PER_ASSEMBLY:
            raise Conflict(
                "too_many_seats",
                "An assembly can have at most %(limit)s seat cards.",
                limit=MAX_SEATS_PER_ASSEMBLY,
            )
        fresh = await _fresh_codes(session, secret, count)
        seats = [
            SeatCode(
                assembly_id=assembly.id,
                number=last + i,
                network_id=network.id,
                nonce=nonce,
                code_hash=code_hash(secret, code),
                moves=0,
            )
            for i, (nonce, code) in enumerate(fresh, start=1)
        ]
        session.add_all(seats)
    return [
        SeatView(s.number, format_code(code), network.key, SeatStatus.UNUSED, 0, None)
        for s, (_, code) in zip(seats, fresh, strict=True)
    ]


async def _fresh_codes(session: AsyncSession, secret: str, count: int) -> list[tuple[str, str]]:
    """(nonce, code) pairs whose codes no card on this server has (a clash is ~1 in 10^8 per
    card among thousands, but a clash must never put two seats behind one code)."""
    chosen: dict[str, tuple[str, str]] = {}
    while len(chosen) < count:
        batch = {}
        for _ in range(count - len(chosen)):
            nonce = secrets.token_hex(16)
            code = derive_code(secret, nonce)
            batch[code_hash(secret, code)] = (nonce, code)
        taken = set(
            await session.scalars(
                select(SeatCode.code_hash).where(SeatCode.code_hash.in_(list(batch)))
            )
        )
        chosen.update((h, pair) for h, pair in batch.items() if h not in taken)
    return list(chosen.values())


async def seat_list(rt: Runtime, *, actor: Actor, assembly_id: int) -> SeatList:
    """Every card with its code and status, and the counts per network."""
    secret = _secret(rt)
    async with rt.read() as session:
        assembly = await _managed(session, assembly_id, actor)
        rows = (
            await session.execute(
                select(SeatCode, Participant.device_hash)
                .outerjoin(Participant, Participant.id == SeatCode.participant_id)
                .where(SeatCode.assembly_id == assembly.id)
                .order_by(SeatCode.number)
            )
        ).all()
    keys = {n.id: n.key for n in assembly.networks}
    seats = [
        SeatView(
            seat.number,
            format_code(derive_code(secret, seat.nonce)),
            keys[seat.network_id],
            _status(seat, device),
            seat.moves,
            seat.claimed_at,
        )
        for seat, device in rows
    ]
    networks = []
    for n in assembly.networks:
        mine = [s.status for s in seats if s.network == n.key]
        networks.append(
            NetworkSeats(
                n.key,
                n.name_th,
                n.name_en,
                n.color,
                len(mine),
                mine.count(SeatStatus.UNUSED),
                mine.count(SeatStatus.IN_USE),
                mine.count(SeatStatus.REVOKED),
            )
        )
    return SeatList(
        assembly.name, assembly.join_code, assembly.seat_codes_required, seats, networks
    )


async def revoke_seat_code(rt: Runtime, *, actor: Actor, assembly_id: int, number: int) -> None:
    """A lost card: its code stops working, and the device holding its seat loses it.

    The seat keeps its proposals and ballots, held by no device, until the organizer gives
    its owner a replacement card (`reissue_seat_code`).
    """
    async with rt.transaction() as (session, outbox):
        assembly = await _managed(session, assembly_id, actor)
        seat = await _seat(session, assembly.id, number)
        seat.revoked_at = utcnow()
        await _release(session, outbox, assembly.id, seat)


async def reissue_seat_code(
    rt: Runtime, *, actor: Actor, assembly_id: int, number: int
) -> SeatView:
    """A replacement card for the same seat: a new code (the old one stops working); the first
    phone that joins with it takes the seat over, ballots included."""
    secret = _secret(rt)
    async with rt.transaction() as (session, outbox):
        assembly = await _managed(session, assembly_id, actor)
        seat = await _seat(session, assembly.id, number)
        await _release(session, outbox, assembly.id, seat)
        [(nonce, code)] = await _fresh_codes(session, secret, 1)
        seat.nonce, seat.code_hash, seat.revoked_at = nonce, code_hash(secret, code), None
        network = next(n.key for n in assembly.networks if n.id == seat.network_id)
    return SeatView(
        number, format_code(code), network, SeatStatus.UNUSED, seat.moves, seat.claimed_at
    )


async def _seat(session: AsyncSession, assembly_id: int, number: int) -> SeatCode:
    seat = await session.scalar(
        select(SeatCode)
        .where(SeatCode.assembly_id == assembly_id, SeatCode.number == number)
        .with_for_update()
    )
    if seat is None:
        raise NotFound("seat_not_found", "This seat card does not exist.")
    return seat


async def _release(session: AsyncSession, outbox: Outbox, assembly_id: int, seat: SeatCode) -> None:
    """No device holds the seat any more; a phone that held it is told (its socket closes)."""
    if seat.participant_id is None:
        return
    participant = await session.get(Participant, seat.participant_id)
    if participant is None or is_released(participant.device_hash):
        return
    participant.device_hash = released_device()
    await _emit_seat_moved(outbox, assembly_id, participant.id, seat.number)


async def _emit_seat_moved(
    outbox: Outbox, assembly_id: int, participant_id: int, number: int
) -> None:
    await outbox.emit(
        assembly_id,
        EventType.SEAT_MOVED,
        {"participant_id": participant_id, "seat": number},
        {"participant_id": participant_id},
    )


# ---------------------------------------------------------------- joining with a code


async def take_seat(
    rt: Runtime,
    *,
    assembly_id: int,
    device_hash: str,
    seat_code: str,
    display_name: str = "",
    organisation: str = "",
    guesser: Guesser = LOCAL,
) -> Participant:
    """Join with a seat code: take the card's seat, or move it here from another device.

    Without a code (strict mode), only a device that already holds a seat gets back in. A
    device holding another seat of this assembly cannot take a second one.
    """
    typed = (seat_code or "").strip()
    if not typed:
        return await _held_seat(rt, assembly_id, device_hash)
    code = normalise_code(typed) if len(typed) <= MAX_TYPED_CODE else None
    if code is None:
        raise InvalidInput(
            "invalid_seat_code",
            "A seat code has 8 letters and digits, as printed on your card.",
        )
    lookup = code_hash(_secret(rt), code)
    try:
        async with rt.throttles.code_guess(guesser) as guess:
            try:
                async with rt.transaction() as (session, outbox):
                    participant = await _claim(session, outbox, assembly_id, lookup, device_hash)
                    participant.display_name = display_name or participant.display_name
                    participant.organisation = organisation or participant.organisation
                    return participant
            except _WrongCode as wrong:
                guess.wrong()
                raise wrong.error from None
    except IntegrityError as exc:  # the same device or card joining twice at the same instant
        raise Conflict("already_joined", "You have already joined. Please reload.") from exc


class _WrongCode(Exception):
    """A code that admits nobody: counted against the brute-force limit, then refused."""

    def __init__(self, error: Exception) -> None:
        super().__init__(str(error))
        self.error = error


async def _claim(
    session: AsyncSession, outbox: Outbox, assembly_id: int, lookup: str, device_hash: str
) -> Participant:
    seat = await session.scalar(
        select(SeatCode)
        .where(SeatCode.code_hash == lookup, SeatCode.assembly_id == assembly_id)
        .with_for_update()
    )
    if seat is None:
        raise _WrongCode(
            NotFound("unknown_seat_code", "This seat code is not valid here. Please check it.")
        )
    if seat.revoked_at is not None:
        raise _WrongCode(
            Gone(
                "seat_code_revoked",
                "This seat card has been cancelled. Please ask the organizer for a new one.",
            )
        )
    mine = await _participant_of(session, assembly_id, device_hash)
    if mine is not None and mine.id == seat.participant_id:
        return mine  # the same phone again: nothing moves
    if mine is not None:
        raise Conflict(
            "already_seated",
            "This phone already holds another seat in this assembly. One phone, one seat: "
            "please give this card back to the organizer.",
        )
    participant = (
        await session.get(Participant, seat.participant_id) if seat.participant_id else None
    )
    if participant is None:
        participant = Participant(
            assembly_id=assembly_id,
            network_id=seat.network_id,
            device_hash=device_hash,
        )
        session.add(participant)
        await session.flush()
        seat.participant_id = participant.id
        seat.claimed_at = utcnow()
        await services.emit_joined(session, outbox, assembly_id)
        return participant
    held = not is_released(participant.device_hash)
    participant.device_hash = device_hash
    await session.flush()
    if held:  # another phone had it: count the move and tell that phone
        seat.moves += 1
        await _emit_seat_moved(outbox, assembly_id, participant.id, seat.number)
    return participant


async def _participant_of(
    session: AsyncSession, assembly_id: int, device_hash: str
) -> Participant | None:
    return await session.scalar(
        select(Participant).where(
            Participant.assembly_id == assembly_id, Participant.device_hash == device_hash
        )
    )


async def _held_seat(rt: Runtime, assembly_id: int, device_hash: str) -> Participant:
    async with rt.read() as session:
        mine = await _participant_of(session, assembly_id, device_hash)
    if mine is None:
        raise Forbidden(
            "seat_code_required",
            "This assembly admits participants with a seat card only. Please scan the QR code "
            "on your card or type the code printed on it.",
        )
    return mine


async def holds_seat(rt: Runtime, *, participant_id: int, device_hash: str | None) -> bool:
    """Does this device still hold this seat? (Asked by an open socket after a seat moved.)"""
    if device_hash is None:
        return False
    async with rt.read() as session:
        held = await session.scalar(
            select(Participant.id).where(
                Participant.id == participant_id, Participant.device_hash == device_hash
            )
        )
    return held is not None


_SEAT_MOVED_MARK = f'"type":"{EventType.SEAT_MOVED}"'.encode()


def moved_participant(message: bytes) -> int | None:
    """The participant a published `seat.moved` event is about, else None; cheap for the
    thousands of other events an open socket forwards."""
    if _SEAT_MOVED_MARK not in message:
        return None
    data = json.loads(message).get("data") or {}
    participant_id = data.get("participant_id")
    return participant_id if isinstance(participant_id, int) else None
