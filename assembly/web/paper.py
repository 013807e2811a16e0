"""Handlers of paper participation: table assistants, printed cards, entering a card.

Thin: parse, call one use case, answer. JSON under /api/v1/assemblies/{id}/paper; the
assistant's page and form under /a/{id}/paper; the organizer's forms and the printable A4 sheet
under /organize/{id}/paper. The rules live in assembly/paper.py, voting/paper.py and
deliberation/paper.py; docs/paper.md walks through them.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.response import Template
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from assembly import paper
from assembly.errors import Conflict, InvalidInput, NotFound
from assembly.runtime import Runtime
from assembly.services import Actor
from assembly.steps import Action
from assembly.web.context import CurrentActor, CurrentRuntime, RowId
from assembly.web.forms import Form, checked, form_body
from assembly.web.rendering import checked_snapshot, done, page, qr_svg, snapshot_page
from deliberation import paper as paper_proposals
from voting import paper as paper_ballots

CARDS_PER_SHEET = 4  # 2 x 2 cards of A6 (105 x 148.5 mm) on one A4 page: room to write


@dataclass
class PersonBody:
    network: str
    """The network key ticked on the card, e.g. `religion`."""
    display_name: str = ""
    organisation: str = ""


@dataclass
class CardEntryBody:
    person: PersonBody | None = None
    """A new paper participant; or `same_as`: the number of an earlier card of the same person."""
    same_as: int | None = None
    proposals: list[str] = field(default_factory=list)
    """A proposal card: the proposals typed from it (at most three)."""
    ballot: Any = None
    """A ballot card: the ballot as a phone sends it (voting/methods.py shapes)."""
    client_key: str | None = None
    """The entering device's key for this entry: a resend is acknowledged, not refused."""
    correct: bool = False
    """Replace what an already entered card holds (audited: who, when, before and after)."""


@dataclass
class AssistantBody:
    username: str
    password: str
    display_name: str = ""


@dataclass
class PrintBody:
    kind: str
    """`proposal` or `ballot`."""
    count: int
    vote_id: RowId | None = None
    """The vote of ballot cards."""


@dataclass
class SupportBody:
    proposal_id: RowId


@dataclass
class ConsentBody:
    item_id: RowId
    answer: str
    """`agree`, `can_live_with` or `object` (as a phone answers)."""
    reason: str = ""


@dataclass
class StackBody:
    entered: bool = True


def _card_json(card: paper.CardView) -> dict[str, Any]:
    view = asdict(card)
    for name in ("entered_at", "corrected_at"):
        view[name] = view[name].isoformat() if view[name] else None
    return view


async def enter_card(
    rt: Runtime, actor: Actor, assembly_id: int, number: int, data: CardEntryBody
) -> dict[str, Any]:
    """One call site for the JSON and the form: the card's kind decides which use case."""
    card = await paper.card_view(rt, actor=actor, assembly_id=assembly_id, number=number)
    person = paper.PaperPerson(**asdict(data.person)) if data.person else None
    if card.kind == "proposal":
        if data.correct:
            if person is None:
                raise InvalidInput("network_required", "Tick the network written on the card.")
            await paper_proposals.correct_proposal_card(
                rt, actor=actor, assembly_id=assembly_id, number=number, person=person
            )
            return {"card": number, "kind": "proposal", "corrected": True}
        entered = await paper_proposals.enter_proposal_card(
            rt,
            actor=actor,
            assembly_id=assembly_id,
            number=number,
            texts=list(data.proposals),
            person=person,
            same_as=data.same_as,
            client_key=data.client_key,
        )
        return {
            "card": number,
            "kind": "proposal",
            "participant_id": entered.participant_id,
            "proposals": entered.proposals,
            "replay": entered.replay,
        }
    if data.correct:
        result = await paper_ballots.correct_ballot_card(
            rt,
            actor=actor,
            assembly_id=assembly_id,
            number=number,
            ballot=data.ballot,
            person=person,
        )
    else:
        result = await paper_ballots.enter_ballot_card(
            rt,
            actor=actor,
            assembly_id=assembly_id,
            number=number,
            ballot=data.ballot,
            person=person,
            same_as=data.same_as,
            client_key=data.client_key,
        )
    return {
        "card": number,
        "kind": "ballot",
        "vote_id": result.vote_id,
        "participant_id": result.participant_id,
        "replay": result.replay,
        "corrected": result.corrected,
    }


async def print_cards(rt: Runtime, actor: Actor, assembly_id: int, data: PrintBody) -> list[int]:
    if data.kind == "ballot":
        if data.vote_id is None:
            raise InvalidInput("vote_required", "Choose the vote the ballot cards are for.")
        return await paper_ballots.print_ballot_cards(
            rt, actor=actor, assembly_id=assembly_id, vote_id=data.vote_id, count=data.count
        )
    if data.kind != "proposal":
        raise InvalidInput("invalid_card_kind", "Choose proposal cards or ballot cards.")
    return await paper.print_proposal_cards(
        rt, actor=actor, assembly_id=assembly_id, count=data.count
    )


class PaperApi(Controller):
    path = "/api/v1/assemblies/{assembly_id:int}/paper"
    tags = ["paper"]

    @post("/assistants", status_code=HTTP_201_CREATED)
    async def create_assistant(
        self,
        runtime: CurrentRuntime,
        actor: CurrentActor,
        assembly_id: FromPath[int],
        data: JSONBody[AssistantBody],
    ) -> dict[str, Any]:
        """A table-assistant account for this assembly (organizer only)."""
        user = await paper.create_assistant(
            runtime,
            actor=actor,
            assembly_id=assembly_id,
            username=data.username,
            display_name=data.display_name,
            password=data.password,
        )
        return {"id": user.id, "username": user.username, "role": user.role}

    @post("/cards", status_code=HTTP_201_CREATED)
    async def print_cards(
        self,
        runtime: CurrentRuntime,
        actor: CurrentActor,
        assembly_id: FromPath[int],
        data: JSONBody[PrintBody],
    ) -> dict[str, Any]:
        """Number new cards to print (organizer only); the sheet is /organize/{id}/paper/cards."""
        return {"numbers": await print_cards(runtime, actor, assembly_id, data)}

    @get("/cards/{number:int}")
    async def card(
        self,
        runtime: CurrentRuntime,
        actor: CurrentActor,
        assembly_id: FromPath[int],
        number: FromPath[int],
    ) -> dict[str, Any]:
        """A card as the assistant looks it up (typed or scanned)."""
        view = await paper.card_view(runtime, actor=actor, assembly_id=assembly_id, number=number)
        return _card_json(view)

    @post("/cards/{number:int}", status_code=HTTP_200_OK)
    async def enter(
        self,
        runtime: CurrentRuntime,
        actor: CurrentActor,
        assembly_id: FromPath[int],
        number: FromPath[int],
        data: JSONBody[CardEntryBody],
    ) -> dict[str, Any]:
        """Enter a card once (409 `card_already_entered` the second time) or correct it."""
        return await enter_card(runtime, actor, assembly_id, number, data)

    @get("/cards/{number:int}/history")
    async def history(
        self,
        runtime: CurrentRuntime,
        actor: CurrentActor,
        assembly_id: FromPath[int],
        number: FromPath[int],
    ) -> dict[str, Any]:
        """Who entered and corrected the card, when, and what it held before."""
        await checked_snapshot(runtime, actor, assembly_id)
        changes = await paper.card_history(
            runtime, actor=actor, assembly_id=assembly_id, number=number
        )
        return {"card": number, "changes": changes}

    @post("/cards/{number:int}/supports", status_code=HTTP_200_OK)
    async def support(
        self,
        runtime: CurrentRuntime,
        actor: CurrentActor,
        assembly_id: FromPath[int],
        number: FromPath[int],
        data: JSONBody[SupportBody],
    ) -> dict[str, Any]:
        """Support a proposal for the paper participant of an entered card."""
        return await paper_proposals.support_for_card(
            runtime,
            actor=actor,
            assembly_id=assembly_id,
            number=number,
            proposal_id=data.proposal_id,
        )

    @post("/cards/{number:int}/consent", status_code=HTTP_200_OK)
    async def consent(
        self,
        runtime: CurrentRuntime,
        actor: CurrentActor,
        assembly_id: FromPath[int],
        number: FromPath[int],
        data: JSONBody[ConsentBody],
    ) -> dict[str, Any]:
        """A consent answer for the paper participant of an entered card."""
        return await paper_proposals.consent_for_card(
            runtime,
            actor=actor,
            assembly_id=assembly_id,
            number=number,
            item_id=data.item_id,
            answer=data.answer,
            reason=data.reason,
        )

    @post("/votes/{vote_id:int}/stack", status_code=HTTP_200_OK)
    async def stack(
        self,
        runtime: CurrentRuntime,
        actor: CurrentActor,
        assembly_id: FromPath[int],
        vote_id: FromPath[int],
        data: JSONBody[StackBody],
    ) -> dict[str, Any]:
        """The assistant's stack of ballot cards for this vote is (or is not) all entered."""
        await paper.mark_stack_entered(
            runtime, actor=actor, assembly_id=assembly_id, vote_id=vote_id, entered=data.entered
        )
        return {"vote_id": vote_id, "entered": data.entered}


def _form_entry(form: dict[str, str], ballot: Any = None) -> CardEntryBody:
    network = form.get("network", "").strip()
    same_as = paper_ballots.check_same_as(form.get("same_as"))
    person = (
        PersonBody(network, form.get("display_name", ""), form.get("organisation", ""))
        if network and same_as is None
        else None
    )
    proposals = [form.get(f"proposal{i}", "") for i in range(1, 4)]
    return CardEntryBody(
        person=person,
        same_as=same_as,
        proposals=[p for p in proposals if p.strip()],
        ballot=ballot,
        client_key=form.get("client_key") or None,
        correct=checked(form, "correct"),
    )


class PaperPages(Controller):
    include_in_schema = False

    @get("/a/{assembly_id:int}/paper")
    async def assistant_page(
        self,
        request: Request[Any, Any, Any],
        runtime: CurrentRuntime,
        actor: CurrentActor,
        assembly_id: FromPath[int],
        card: FromQuery[str | None] = None,
        entered: FromQuery[int | None] = None,
    ) -> Template:
        """The table assistant's page: type or scan a card's number, then enter the card with
        the phone's own fields."""
        snap = await checked_snapshot(runtime, actor, assembly_id, Action.ENTER_PAPER)
        number = paper_ballots.check_same_as(card) if card else None
        context: dict[str, Any] = {"card": None, "vote": None, "mine": None, "error": None}
        if number is not None:
            try:
                view = await paper.card_view(
                    runtime, actor=actor, assembly_id=assembly_id, number=number
                )
                context["card"] = view
                if view.kind == "ballot":
                    _, context["vote"], context["mine"] = await paper_ballots.ballot_card(
                        runtime, actor=actor, assembly_id=assembly_id, number=number
                    )
            except (Conflict, InvalidInput, NotFound) as exc:
                context["error"] = exc
        return snapshot_page(
            "paper.html",
            request,
            snap,
            number=number,
            entered=entered,
            assembly_id=assembly_id,
            **context,
        )

    @post("/a/{assembly_id:int}/paper/cards/{number:int}")
    async def enter(
        self,
        request: Request[Any, Any, Any],
        runtime: CurrentRuntime,
        actor: CurrentActor,
        assembly_id: FromPath[int],
        number: FromPath[int],
        data: Form,
    ) -> Response[Any]:
        card = await paper.card_view(runtime, actor=actor, assembly_id=assembly_id, number=number)
        ballot = None
        if card.kind == "ballot" and card.vote_id is not None:
            ballot = await paper_ballots.ballot_from_card_form(
                runtime, assembly_id=assembly_id, vote_id=card.vote_id, form=data
            )
        await enter_card(runtime, actor, assembly_id, number, _form_entry(data, ballot))
        return done(request, f"/a/{assembly_id}/paper?entered={number}")

    @post("/a/{assembly_id:int}/paper/votes/{vote_id:int}/stack")
    async def stack(
        self,
        request: Request[Any, Any, Any],
        runtime: CurrentRuntime,
        actor: CurrentActor,
        assembly_id: FromPath[int],
        vote_id: FromPath[int],
        data: Form,
    ) -> Response[Any]:
        body = form_body(StackBody, data)
        await paper.mark_stack_entered(
            runtime, actor=actor, assembly_id=assembly_id, vote_id=vote_id, entered=body.entered
        )
        return done(request, f"/a/{assembly_id}/paper")

    @post("/a/{assembly_id:int}/paper/cards/{number:int}/supports/{proposal_id:int}")
    async def support(
        self,
        request: Request[Any, Any, Any],
        runtime: CurrentRuntime,
        actor: CurrentActor,
        assembly_id: FromPath[int],
        number: FromPath[int],
        proposal_id: FromPath[int],
    ) -> Response[Any]:
        await paper_proposals.support_for_card(
            runtime, actor=actor, assembly_id=assembly_id, number=number, proposal_id=proposal_id
        )
        return done(request, f"/a/{assembly_id}/paper?card={number}#supports")

    @post("/a/{assembly_id:int}/paper/cards/{number:int}/consent/{item_id:int}")
    async def consent(
        self,
        request: Request[Any, Any, Any],
        runtime: CurrentRuntime,
        actor: CurrentActor,
        assembly_id: FromPath[int],
        number: FromPath[int],
        item_id: FromPath[int],
        data: Form,
    ) -> Response[Any]:
        body = form_body(ConsentBody, data, item_id=item_id)
        await paper_proposals.consent_for_card(
            runtime,
            actor=actor,
            assembly_id=assembly_id,
            number=number,
            item_id=item_id,
            answer=body.answer,
            reason=body.reason,
        )
        return done(request, f"/a/{assembly_id}/paper?card={number}#consent")

    @post("/organize/{assembly_id:int}/paper/cards")
    async def print_cards(
        self,
        request: Request[Any, Any, Any],
        runtime: CurrentRuntime,
        actor: CurrentActor,
        assembly_id: FromPath[int],
        data: Form,
    ) -> Response[Any]:
        body = form_body(PrintBody, data)
        numbers = await print_cards(runtime, actor, assembly_id, body)
        query = f"kind={body.kind}&first={numbers[0]}"
        if body.vote_id is not None:
            query += f"&vote={body.vote_id}"
        return done(request, f"/organize/{assembly_id}/paper/cards?{query}")

    @get("/organize/{assembly_id:int}/paper/cards")
    async def sheet(
        self,
        request: Request[Any, Any, Any],
        runtime: CurrentRuntime,
        actor: CurrentActor,
        assembly_id: FromPath[int],
        kind: FromQuery[str] = "proposal",
        vote: FromQuery[int | None] = None,
        first: FromQuery[int] = 1,
    ) -> Template:
        """The A4 sheet of paper cards (4 to a page), from card number `first` on."""
        assembly, numbers = await paper.printed_cards(
            runtime, actor=actor, assembly_id=assembly_id, kind=kind, vote_id=vote
        )
        vote_view = None
        if kind == "ballot" and vote is not None:
            vote_view = await paper_ballots.vote_for_sheet(
                runtime, actor=actor, assembly_id=assembly_id, vote_id=vote
            )
        step_prompt = next(
            (s.prompt for s in assembly.steps if s.kind == "collect" and s.prompt), ""
        )
        base = str(request.base_url).rstrip("/")
        public = runtime.settings.public_url or base
        cards = [
            {"number": n, "qr": qr_svg(f"{public}/a/{assembly_id}/paper?card={n}")}
            for n in numbers
            if n >= first
        ]
        return page(
            "paper_cards.html",
            request,
            assembly=assembly,
            kind=kind,
            vote=vote_view,
            prompt=step_prompt,
            sheets=[cards[i : i + CARDS_PER_SHEET] for i in range(0, len(cards), CARDS_PER_SHEET)],
            assembly_id=assembly_id,
        )

    @post("/organize/{assembly_id:int}/assistants/new")
    async def create_assistant(
        self,
        request: Request[Any, Any, Any],
        runtime: CurrentRuntime,
        actor: CurrentActor,
        assembly_id: FromPath[int],
        data: Form,
    ) -> Response[Any]:
        body = form_body(AssistantBody, data)
        await paper.create_assistant(
            runtime,
            actor=actor,
            assembly_id=assembly_id,
            username=body.username,
            display_name=body.display_name,
            password=body.password,
        )
        return done(request, f"/organize/{assembly_id}#assistants")

    @post("/organize/{assembly_id:int}/assistants/{user_id:int}/remove")
    async def remove_assistant(
        self,
        request: Request[Any, Any, Any],
        runtime: CurrentRuntime,
        actor: CurrentActor,
        assembly_id: FromPath[int],
        user_id: FromPath[int],
    ) -> Response[Any]:
        await paper.remove_assistant(runtime, actor=actor, assembly_id=assembly_id, user_id=user_id)
        return done(request, f"/organize/{assembly_id}#assistants")


PAPER_ROUTES: list[Any] = [PaperApi, PaperPages]
