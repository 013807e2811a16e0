"""Handlers of strict mode: seat codes for official votes (the rules live in assembly/seats.py).

Thin: parse, call one use case, answer. JSON under /api/v1/assemblies/{id}/seats; plain forms
under /organize/{id}/seats that redirect back to the settings page; the printable sheet of join
cards and the CSV list for the organizer.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from litestar import Controller, Request, Response, get, post, put
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.response import Template
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from assembly import seats
from assembly.runtime import Runtime
from assembly.services import Actor
from assembly.web.context import CurrentActor, CurrentRuntime
from assembly.web.forms import Form, form_body
from assembly.web.rendering import done, join_url, page, qr_svg
from deliberation.agenda.render_csv import render_csv

CARDS_PER_SHEET = 12  # 3 x 4 cards of 70 x 74 mm on one A4 page: a QR still scans at 30 mm
CSV_HEADER = (
    "เลขที่บัตร",
    "รหัสเครือข่าย",
    "เครือข่าย",
    "รหัสที่นั่ง",
    "สถานะ",
    "ย้ายเครื่อง (ครั้ง)",
    "ใช้ครั้งแรกเมื่อ (UTC)",
    "ลิงก์เข้าร่วม",
)


@dataclass
class SeatBatchBody:
    network: str
    """The network key every card of the batch fixes, e.g. `civil_society`."""
    count: int
    """How many cards, 1 to 1,000."""


@dataclass
class StrictModeBody:
    required: bool
    """True: phones join only with a seat code."""


def _seat_json(seat: seats.SeatView) -> dict[str, Any]:
    view = asdict(seat)
    view["claimed_at"] = seat.claimed_at.isoformat() if seat.claimed_at else None
    return view


def _list_json(listing: seats.SeatList) -> dict[str, Any]:
    return {
        "required": listing.required,
        "networks": [asdict(n) for n in listing.networks],
        "seats": [_seat_json(s) for s in listing.seats],
    }


def card_link(request: Request[Any, Any, Any], join_code: str, code: str) -> str:
    """What a card's QR code opens: the join page with the seat code filled in."""
    return f"{join_url(request, {'join_code': join_code})}?seat={code.replace('-', '')}"


async def generate(
    runtime: Runtime, actor: Actor, assembly_id: int, data: SeatBatchBody
) -> list[seats.SeatView]:
    return await seats.generate_seat_codes(
        runtime, actor=actor, assembly_id=assembly_id, network_key=data.network, count=data.count
    )


async def set_required(
    runtime: Runtime, actor: Actor, assembly_id: int, data: StrictModeBody
) -> None:
    await seats.set_seat_codes_required(
        runtime, actor=actor, assembly_id=assembly_id, required=data.required
    )


class SeatApi(Controller):
    path = "/api/v1/assemblies/{assembly_id:int}/seats"
    tags = ["seats"]

    @get("/")
    async def list_seats(
        self, runtime: CurrentRuntime, actor: CurrentActor, assembly_id: FromPath[int]
    ) -> dict[str, Any]:
        """Every seat card with its code and status (`unused`, `in_use`, `revoked`)."""
        listing = await seats.seat_list(runtime, actor=actor, assembly_id=assembly_id)
        return _list_json(listing)

    @post("/", status_code=HTTP_201_CREATED)
    async def generate(
        self,
        runtime: CurrentRuntime,
        actor: CurrentActor,
        assembly_id: FromPath[int],
        data: JSONBody[SeatBatchBody],
    ) -> dict[str, Any]:
        made = await generate(runtime, actor, assembly_id, data)
        return {"seats": [_seat_json(s) for s in made]}

    @put("/required", status_code=HTTP_200_OK)
    async def set_required(
        self,
        runtime: CurrentRuntime,
        actor: CurrentActor,
        assembly_id: FromPath[int],
        data: JSONBody[StrictModeBody],
    ) -> dict[str, bool]:
        """Strict mode on or off."""
        await set_required(runtime, actor, assembly_id, data)
        return {"required": data.required}

    @post("/{number:int}/revoke", status_code=HTTP_200_OK)
    async def revoke(
        self,
        runtime: CurrentRuntime,
        actor: CurrentActor,
        assembly_id: FromPath[int],
        number: FromPath[int],
    ) -> dict[str, Any]:
        """A lost card: its code stops working; its seat keeps its ballots, held by no phone."""
        await seats.revoke_seat_code(runtime, actor=actor, assembly_id=assembly_id, number=number)
        return {"number": number, "status": seats.SeatStatus.REVOKED}

    @post("/{number:int}/reissue", status_code=HTTP_200_OK)
    async def reissue(
        self,
        runtime: CurrentRuntime,
        actor: CurrentActor,
        assembly_id: FromPath[int],
        number: FromPath[int],
    ) -> dict[str, Any]:
        """A replacement card for the same seat, with a new code."""
        seat = await seats.reissue_seat_code(
            runtime, actor=actor, assembly_id=assembly_id, number=number
        )
        return _seat_json(seat)


class SeatPages(Controller):
    path = "/organize/{assembly_id:int}/seats"
    include_in_schema = False

    @post("/required")
    async def set_required(
        self,
        request: Request[Any, Any, Any],
        runtime: CurrentRuntime,
        actor: CurrentActor,
        assembly_id: FromPath[int],
        data: Form,
    ) -> Response[Any]:
        await set_required(runtime, actor, assembly_id, form_body(StrictModeBody, data))
        return done(request, f"/organize/{assembly_id}#seats")

    @post("/")
    async def generate(
        self,
        request: Request[Any, Any, Any],
        runtime: CurrentRuntime,
        actor: CurrentActor,
        assembly_id: FromPath[int],
        data: Form,
    ) -> Response[Any]:
        await generate(runtime, actor, assembly_id, form_body(SeatBatchBody, data))
        return done(request, f"/organize/{assembly_id}#seats")

    @post("/{number:int}/revoke")
    async def revoke(
        self,
        request: Request[Any, Any, Any],
        runtime: CurrentRuntime,
        actor: CurrentActor,
        assembly_id: FromPath[int],
        number: FromPath[int],
    ) -> Response[Any]:
        await seats.revoke_seat_code(runtime, actor=actor, assembly_id=assembly_id, number=number)
        return done(request, f"/organize/{assembly_id}#seat-{number}")

    @post("/{number:int}/reissue")
    async def reissue(
        self,
        request: Request[Any, Any, Any],
        runtime: CurrentRuntime,
        actor: CurrentActor,
        assembly_id: FromPath[int],
        number: FromPath[int],
    ) -> Response[Any]:
        await seats.reissue_seat_code(runtime, actor=actor, assembly_id=assembly_id, number=number)
        return done(request, f"/organize/{assembly_id}#seat-{number}")

    @get("/cards")
    async def cards(
        self,
        request: Request[Any, Any, Any],
        runtime: CurrentRuntime,
        actor: CurrentActor,
        assembly_id: FromPath[int],
        network: FromQuery[str | None] = None,
        unused: FromQuery[bool] = False,
    ) -> Template:
        """The A4 sheet of join cards, to print from the browser; revoked cards are left out."""
        listing = await seats.seat_list(runtime, actor=actor, assembly_id=assembly_id)
        wanted = [
            s
            for s in listing.seats
            if s.status != seats.SeatStatus.REVOKED
            and (network is None or s.network == network)
            and (not unused or s.status == seats.SeatStatus.UNUSED)
        ]
        cards = [
            {"seat": s, "qr": qr_svg(card_link(request, listing.join_code, s.code))} for s in wanted
        ]
        return page(
            "seat_cards.html",
            request,
            listing=listing,
            networks={n.key: n for n in listing.networks},
            sheets=[cards[i : i + CARDS_PER_SHEET] for i in range(0, len(cards), CARDS_PER_SHEET)],
            join_link=join_url(request, {"join_code": listing.join_code}),
            assembly_id=assembly_id,
        )

    @get("/list.csv")
    async def csv(
        self,
        request: Request[Any, Any, Any],
        runtime: CurrentRuntime,
        actor: CurrentActor,
        assembly_id: FromPath[int],
    ) -> Response[bytes]:
        """Every card: number, network, code, status, moves; Excel opens it with Thai intact."""
        listing = await seats.seat_list(runtime, actor=actor, assembly_id=assembly_id)
        names = {n.key: n.name_th for n in listing.networks}
        rows = [
            (
                s.number,
                s.network,
                names.get(s.network, s.network),
                s.code,
                s.status,
                s.moves,
                s.claimed_at.isoformat(timespec="seconds") if s.claimed_at else "",
                card_link(request, listing.join_code, s.code),
            )
            for s in listing.seats
        ]
        return Response(
            render_csv(rows, CSV_HEADER),
            media_type="text/csv",
            headers={
                "Content-Disposition": f'attachment; filename="seats-{assembly_id}.csv"',
                "Cache-Control": "no-store",
            },
        )


SEAT_ROUTES: list[Any] = [SeatApi, SeatPages]
