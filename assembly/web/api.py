"""The JSON API under /api/v1: everything a phone, a console or a script can do."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from litestar import Controller, Request, Response, get, patch, post, put
from litestar.channels import ChannelsPlugin
from litestar.di import Provide
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from assembly import services
from assembly.errors import NotAuthenticated
from assembly.live import build_snapshot
from assembly.security import token_hash
from assembly.steps import Action, refusal
from assembly.web.context import (
    CurrentActor,
    cleared_session_cookie,
    device_token,
    guesser_of,
    provide_actor,
    runtime_of,
    session_cookie,
)
from assembly.web.live import announce_logout
from deliberation import services as deliberation


@dataclass
class LoginBody:
    username: str
    password: str


@dataclass
class AssemblyBody:
    name: str
    province: str
    held_on: date | None = None
    venue: str = ""
    join_open: bool = True


@dataclass
class NetworkBody:
    name_th: str
    name_en: str = ""
    color: str = "#475569"


@dataclass
class StepBody:
    kind: str
    title: str
    prompt: str = ""
    show_others: bool = True


@dataclass
class OpenStepBody:
    minutes: int | None = None
    """Optional countdown shown on every screen."""
    close_when_done: bool = False
    """With a countdown: close the step by itself when it reaches zero."""


@dataclass
class FacilitatorBody:
    username: str


@dataclass
class JoinBody:
    code: str
    network: str | None = None
    display_name: str = ""
    organisation: str = ""
    seat_code: str | None = None
    """The code on a printed seat card: required in strict mode, and then fixes the network;
    the same code on another device moves the seat (and its ballots) there."""


@dataclass
class ProposalBody:
    text: str
    client_key: str | None = None
    """Made by the client once per proposal; a resend with the same key stores nothing new."""


@dataclass
class ModerateBody:
    hidden: bool | None = None
    text: str | None = None


def _user_view(user: Any) -> dict[str, Any]:
    return {
        "id": user.id,
        "username": user.username,
        "display_name": user.display_name,
        "role": user.role,
    }


class SessionApi(Controller):
    path = "/api/v1"
    tags = ["session"]

    @post("/login", status_code=HTTP_200_OK)
    async def login(
        self, request: Request[Any, Any, Any], data: JSONBody[LoginBody]
    ) -> Response[dict[str, Any]]:
        rt = runtime_of(request)
        token = await services.log_in(rt, username=data.username, password=data.password)
        user = await services.user_for_token(rt, token)
        return Response(_user_view(user), cookies=[session_cookie(request, token)])

    @post("/logout", status_code=HTTP_200_OK)
    async def logout(self, request: Request[Any, Any, Any]) -> Response[dict[str, Any]]:
        token = request.cookies.get("samatcha_session")
        if token:
            await services.log_out(runtime_of(request), token=token)
            announce_logout(request.app.plugins.get(ChannelsPlugin), token)
        return Response({"ok": True}, cookies=[cleared_session_cookie(request)])

    @post("/join", status_code=HTTP_200_OK)
    async def join(
        self, request: Request[Any, Any, Any], data: JSONBody[JoinBody]
    ) -> Response[dict[str, Any]]:
        """Take a seat with a join code; the device-token cookie keeps it across reloads."""
        token, cookie = device_token(request)
        participant = await services.join_assembly(
            runtime_of(request),
            join_code=data.code,
            device_hash=token_hash(token),
            network_key=data.network,
            display_name=data.display_name,
            organisation=data.organisation,
            seat_code=data.seat_code,
            guesser=guesser_of(request),
        )
        body = {"participant_id": participant.id, "assembly_id": participant.assembly_id}
        return Response(body, cookies=[cookie] if cookie else [])


class AssemblyApi(Controller):
    path = "/api/v1/assemblies"
    tags = ["assemblies"]
    dependencies = {"actor": Provide(provide_actor)}

    @get("/")
    async def list_assemblies(
        self, request: Request[Any, Any, Any], actor: CurrentActor
    ) -> list[dict[str, Any]]:
        if actor.user is None:
            raise NotAuthenticated("not_authenticated", "Please log in first.")
        assemblies = await services.assemblies_for(runtime_of(request), actor.user)
        return [services.assembly_view(a) for a in assemblies]

    @post("/", status_code=HTTP_201_CREATED)
    async def create(
        self, request: Request[Any, Any, Any], actor: CurrentActor, data: JSONBody[AssemblyBody]
    ) -> dict[str, Any]:
        assembly = await services.create_assembly(
            runtime_of(request),
            actor=actor,
            name=data.name,
            province=data.province,
            held_on=data.held_on,
            venue=data.venue,
        )
        return (
            await build_snapshot(runtime_of(request), assembly_id=assembly.id, actor=actor)
        ).state

    @get("/{assembly_id:int}/snapshot")
    async def snapshot(
        self, request: Request[Any, Any, Any], actor: CurrentActor, assembly_id: FromPath[int]
    ) -> dict[str, Any]:
        """The state this caller sees: the same as the first message on the socket."""
        snap = await build_snapshot(runtime_of(request), assembly_id=assembly_id, actor=actor)
        reason = refusal(snap.standing.role, Action.VIEW_ASSEMBLY)
        if reason is not None:
            raise services.refusal_error(reason, actor)
        return snap.state

    @patch("/{assembly_id:int}")
    async def update(
        self,
        request: Request[Any, Any, Any],
        actor: CurrentActor,
        assembly_id: FromPath[int],
        data: JSONBody[AssemblyBody],
    ) -> dict[str, Any]:
        await services.update_assembly(
            runtime_of(request),
            actor=actor,
            assembly_id=assembly_id,
            name=data.name,
            province=data.province,
            held_on=data.held_on,
            venue=data.venue,
            join_open=data.join_open,
        )
        return (
            await build_snapshot(runtime_of(request), assembly_id=assembly_id, actor=actor)
        ).state

    @put("/{assembly_id:int}/networks/{key:str}")
    async def save_network(
        self,
        request: Request[Any, Any, Any],
        actor: CurrentActor,
        assembly_id: FromPath[int],
        key: FromPath[str],
        data: JSONBody[NetworkBody],
    ) -> dict[str, Any]:
        network = await services.save_network(
            runtime_of(request),
            actor=actor,
            assembly_id=assembly_id,
            key=key,
            name_th=data.name_th,
            name_en=data.name_en,
            color=data.color,
        )
        return {
            "key": network.key,
            "name_th": network.name_th,
            "name_en": network.name_en,
            "color": network.color,
        }

    @post("/{assembly_id:int}/steps", status_code=HTTP_201_CREATED)
    async def add_step(
        self,
        request: Request[Any, Any, Any],
        actor: CurrentActor,
        assembly_id: FromPath[int],
        data: JSONBody[StepBody],
    ) -> dict[str, Any] | None:
        step = await services.save_step(
            runtime_of(request),
            actor=actor,
            assembly_id=assembly_id,
            step_id=None,
            kind=data.kind,
            title=data.title,
            prompt=data.prompt,
            show_others=data.show_others,
        )
        return services.step_view(step)

    @patch("/{assembly_id:int}/steps/{step_id:int}")
    async def update_step(
        self,
        request: Request[Any, Any, Any],
        actor: CurrentActor,
        assembly_id: FromPath[int],
        step_id: FromPath[int],
        data: JSONBody[StepBody],
    ) -> dict[str, Any] | None:
        step = await services.save_step(
            runtime_of(request),
            actor=actor,
            assembly_id=assembly_id,
            step_id=step_id,
            kind=data.kind,
            title=data.title,
            prompt=data.prompt,
            show_others=data.show_others,
        )
        return services.step_view(step)

    @post("/{assembly_id:int}/steps/{step_id:int}/open", status_code=HTTP_200_OK)
    async def open_step(
        self,
        request: Request[Any, Any, Any],
        actor: CurrentActor,
        assembly_id: FromPath[int],
        step_id: FromPath[int],
        data: JSONBody[OpenStepBody | None] = None,
    ) -> dict[str, Any] | None:
        step = await services.open_step(
            runtime_of(request),
            actor=actor,
            assembly_id=assembly_id,
            step_id=step_id,
            minutes=data.minutes if data else None,
            close_when_done=bool(data and data.close_when_done),
        )
        return services.step_view(step)

    @post("/{assembly_id:int}/steps/{step_id:int}/close", status_code=HTTP_200_OK)
    async def close_step(
        self,
        request: Request[Any, Any, Any],
        actor: CurrentActor,
        assembly_id: FromPath[int],
        step_id: FromPath[int],
    ) -> dict[str, Any] | None:
        step = await services.close_step(
            runtime_of(request), actor=actor, assembly_id=assembly_id, step_id=step_id
        )
        return services.step_view(step)

    @post("/{assembly_id:int}/facilitators", status_code=HTTP_201_CREATED)
    async def add_facilitator(
        self,
        request: Request[Any, Any, Any],
        actor: CurrentActor,
        assembly_id: FromPath[int],
        data: JSONBody[FacilitatorBody],
    ) -> dict[str, Any]:
        user = await services.add_facilitator(
            runtime_of(request), actor=actor, assembly_id=assembly_id, username=data.username
        )
        return _user_view(user)

    @post("/{assembly_id:int}/purge-personal-data", status_code=HTTP_200_OK)
    async def purge_personal_data(
        self, request: Request[Any, Any, Any], actor: CurrentActor, assembly_id: FromPath[int]
    ) -> dict[str, int]:
        """Forget participants' names and organisations; results stay, anonymous."""
        cleared = await services.purge_personal_data(
            runtime_of(request), actor=actor, assembly_id=assembly_id
        )
        return {"cleared": cleared}

    @post("/{assembly_id:int}/proposals", status_code=HTTP_201_CREATED)
    async def submit_proposal(
        self,
        request: Request[Any, Any, Any],
        actor: CurrentActor,
        assembly_id: FromPath[int],
        data: JSONBody[ProposalBody],
    ) -> Response[dict[str, Any]]:
        """Idempotent by `client_key`: a resend answers 200 with the proposal first stored."""
        submission = await deliberation.submit_proposal(
            runtime_of(request),
            actor=actor,
            assembly_id=assembly_id,
            text=data.text,
            client_key=data.client_key,
        )
        return Response(
            submission.proposal, status_code=HTTP_201_CREATED if submission.created else HTTP_200_OK
        )

    @post("/{assembly_id:int}/proposals/{proposal_id:int}/support", status_code=HTTP_200_OK)
    async def support(
        self,
        request: Request[Any, Any, Any],
        actor: CurrentActor,
        assembly_id: FromPath[int],
        proposal_id: FromPath[int],
    ) -> dict[str, Any]:
        return await deliberation.support_proposal(
            runtime_of(request), actor=actor, assembly_id=assembly_id, proposal_id=proposal_id
        )

    @patch("/{assembly_id:int}/proposals/{proposal_id:int}")
    async def moderate(
        self,
        request: Request[Any, Any, Any],
        actor: CurrentActor,
        assembly_id: FromPath[int],
        proposal_id: FromPath[int],
        data: JSONBody[ModerateBody],
    ) -> dict[str, Any]:
        return await deliberation.moderate_proposal(
            runtime_of(request),
            actor=actor,
            assembly_id=assembly_id,
            proposal_id=proposal_id,
            hidden=data.hidden,
            text=data.text,
        )
