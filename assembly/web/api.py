"""The JSON API under /api/v1: everything a phone, a console or a script can do.

The bodies here are also what the plain forms of `pages.py` decode into (`forms.form_body`),
and the use cases both call live here once: `log_in`, `join`, `save_step`, ...
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from litestar import Controller, Request, Response, get, patch, post, put
from litestar.channels import ChannelsPlugin
from litestar.datastructures import Cookie
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from assembly import joining, services
from assembly.errors import NotAuthenticated
from assembly.models import Assembly, Network, Participant, Step, User
from assembly.runtime import Runtime
from assembly.security import token_hash
from assembly.services import Actor
from assembly.steps import Action
from assembly.web.context import (
    SESSION_COOKIE,
    CurrentActor,
    CurrentRuntime,
    cleared_session_cookie,
    device_token,
    guesser_of,
    session_cookie,
)
from assembly.web.forms import arguments
from assembly.web.live import announce_logout
from assembly.web.rendering import checked_snapshot
from assembly.web.snapshots import build_snapshot
from deliberation import proposals


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


# ---------------------------------------------------------------- use cases (API and forms)


async def log_in(request: Request[Any, Any, Any], runtime: Runtime, data: LoginBody) -> Cookie:
    """The session cookie of a good login."""
    token = await services.log_in(runtime, username=data.username, password=data.password)
    return session_cookie(request, token)


async def log_out(request: Request[Any, Any, Any], runtime: Runtime) -> Cookie:
    """End the session (on every screen it has open); the cookie that forgets it."""
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        await services.log_out(runtime, token=token)
        announce_logout(request.app.plugins.get(ChannelsPlugin), token)
    return cleared_session_cookie(request)


async def join(
    request: Request[Any, Any, Any], runtime: Runtime, data: JoinBody
) -> tuple[Participant, list[Cookie]]:
    """Take a seat with a join code; the device-token cookie keeps it across reloads."""
    token, cookie = device_token(request)
    participant = await joining.join_assembly(
        runtime,
        join_code=data.code,
        device_hash=token_hash(token),
        network_key=data.network,
        display_name=data.display_name,
        organisation=data.organisation,
        seat_code=data.seat_code,
        guesser=guesser_of(request),
    )
    return participant, [cookie] if cookie else []


async def create_assembly(runtime: Runtime, actor: Actor, data: AssemblyBody) -> Assembly:
    return await services.create_assembly(
        runtime,
        actor=actor,
        name=data.name,
        province=data.province,
        held_on=data.held_on,
        venue=data.venue,
    )


async def update_assembly(
    runtime: Runtime, actor: Actor, assembly_id: int, data: AssemblyBody
) -> None:
    await services.update_assembly(runtime, actor=actor, assembly_id=assembly_id, **arguments(data))


async def save_network(
    runtime: Runtime, actor: Actor, assembly_id: int, key: str, data: NetworkBody
) -> Network:
    return await services.save_network(
        runtime, actor=actor, assembly_id=assembly_id, key=key, **arguments(data)
    )


async def save_step(
    runtime: Runtime, actor: Actor, assembly_id: int, step_id: int | None, data: StepBody
) -> Step:
    return await services.save_step(
        runtime, actor=actor, assembly_id=assembly_id, step_id=step_id, **arguments(data)
    )


async def open_step(
    runtime: Runtime, actor: Actor, assembly_id: int, step_id: int, data: OpenStepBody | None
) -> Step:
    body = data or OpenStepBody()
    return await services.open_step(
        runtime, actor=actor, assembly_id=assembly_id, step_id=step_id, **arguments(body)
    )


async def add_facilitator(
    runtime: Runtime, actor: Actor, assembly_id: int, data: FacilitatorBody
) -> User:
    return await services.add_facilitator(
        runtime, actor=actor, assembly_id=assembly_id, username=data.username
    )


async def submit_proposal(
    runtime: Runtime, actor: Actor, assembly_id: int, data: ProposalBody
) -> proposals.Submission:
    return await proposals.submit_proposal(
        runtime, actor=actor, assembly_id=assembly_id, **arguments(data)
    )


async def moderate(
    runtime: Runtime, actor: Actor, assembly_id: int, proposal_id: int, data: ModerateBody
) -> dict[str, Any]:
    return await proposals.moderate_proposal(
        runtime, actor=actor, assembly_id=assembly_id, proposal_id=proposal_id, **arguments(data)
    )


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
        self, request: Request[Any, Any, Any], runtime: CurrentRuntime, data: JSONBody[LoginBody]
    ) -> Response[dict[str, Any]]:
        cookie = await log_in(request, runtime, data)
        user = await services.user_for_token(runtime, cookie.value or "")
        return Response(_user_view(user), cookies=[cookie])

    @post("/logout", status_code=HTTP_200_OK)
    async def logout(
        self, request: Request[Any, Any, Any], runtime: CurrentRuntime
    ) -> Response[dict[str, Any]]:
        return Response({"ok": True}, cookies=[await log_out(request, runtime)])

    @post("/join", status_code=HTTP_200_OK)
    async def join(
        self, request: Request[Any, Any, Any], runtime: CurrentRuntime, data: JSONBody[JoinBody]
    ) -> Response[dict[str, Any]]:
        """Take a seat with a join code; the device-token cookie keeps it across reloads."""
        participant, cookies = await join(request, runtime, data)
        body = {"participant_id": participant.id, "assembly_id": participant.assembly_id}
        return Response(body, cookies=cookies)


class AssemblyApi(Controller):
    path = "/api/v1/assemblies"
    tags = ["assemblies"]

    @get("/")
    async def list_assemblies(
        self, runtime: CurrentRuntime, actor: CurrentActor
    ) -> list[dict[str, Any]]:
        if actor.user is None:
            raise NotAuthenticated("not_authenticated", "Please log in first.")
        assemblies = await services.assemblies_for(runtime, actor.user)
        return [services.assembly_view(a) for a in assemblies]

    @post("/", status_code=HTTP_201_CREATED)
    async def create(
        self, runtime: CurrentRuntime, actor: CurrentActor, data: JSONBody[AssemblyBody]
    ) -> dict[str, Any]:
        assembly = await create_assembly(runtime, actor, data)
        return (await build_snapshot(runtime, assembly_id=assembly.id, actor=actor)).state

    @get("/{assembly_id:int}/snapshot")
    async def snapshot(
        self, runtime: CurrentRuntime, actor: CurrentActor, assembly_id: FromPath[int]
    ) -> dict[str, Any]:
        """The state this caller sees: the same as the first message on the socket."""
        return (await checked_snapshot(runtime, actor, assembly_id, Action.VIEW_ASSEMBLY)).state

    @patch("/{assembly_id:int}")
    async def update(
        self,
        runtime: CurrentRuntime,
        actor: CurrentActor,
        assembly_id: FromPath[int],
        data: JSONBody[AssemblyBody],
    ) -> dict[str, Any]:
        await update_assembly(runtime, actor, assembly_id, data)
        return (await build_snapshot(runtime, assembly_id=assembly_id, actor=actor)).state

    @put("/{assembly_id:int}/networks/{key:str}")
    async def save_network(
        self,
        runtime: CurrentRuntime,
        actor: CurrentActor,
        assembly_id: FromPath[int],
        key: FromPath[str],
        data: JSONBody[NetworkBody],
    ) -> dict[str, Any]:
        network = await save_network(runtime, actor, assembly_id, key, data)
        return {
            "key": network.key,
            "name_th": network.name_th,
            "name_en": network.name_en,
            "color": network.color,
        }

    @post("/{assembly_id:int}/steps", status_code=HTTP_201_CREATED)
    async def add_step(
        self,
        runtime: CurrentRuntime,
        actor: CurrentActor,
        assembly_id: FromPath[int],
        data: JSONBody[StepBody],
    ) -> dict[str, Any] | None:
        return services.step_view(await save_step(runtime, actor, assembly_id, None, data))

    @patch("/{assembly_id:int}/steps/{step_id:int}")
    async def update_step(
        self,
        runtime: CurrentRuntime,
        actor: CurrentActor,
        assembly_id: FromPath[int],
        step_id: FromPath[int],
        data: JSONBody[StepBody],
    ) -> dict[str, Any] | None:
        return services.step_view(await save_step(runtime, actor, assembly_id, step_id, data))

    @post("/{assembly_id:int}/steps/{step_id:int}/open", status_code=HTTP_200_OK)
    async def open_step(
        self,
        runtime: CurrentRuntime,
        actor: CurrentActor,
        assembly_id: FromPath[int],
        step_id: FromPath[int],
        data: JSONBody[OpenStepBody | None] = None,
    ) -> dict[str, Any] | None:
        return services.step_view(await open_step(runtime, actor, assembly_id, step_id, data))

    @post("/{assembly_id:int}/steps/{step_id:int}/close", status_code=HTTP_200_OK)
    async def close_step(
        self,
        runtime: CurrentRuntime,
        actor: CurrentActor,
        assembly_id: FromPath[int],
        step_id: FromPath[int],
    ) -> dict[str, Any] | None:
        step = await services.close_step(
            runtime, actor=actor, assembly_id=assembly_id, step_id=step_id
        )
        return services.step_view(step)

    @post("/{assembly_id:int}/facilitators", status_code=HTTP_201_CREATED)
    async def add_facilitator(
        self,
        runtime: CurrentRuntime,
        actor: CurrentActor,
        assembly_id: FromPath[int],
        data: JSONBody[FacilitatorBody],
    ) -> dict[str, Any]:
        return _user_view(await add_facilitator(runtime, actor, assembly_id, data))

    @post("/{assembly_id:int}/purge-personal-data", status_code=HTTP_200_OK)
    async def purge_personal_data(
        self, runtime: CurrentRuntime, actor: CurrentActor, assembly_id: FromPath[int]
    ) -> dict[str, int]:
        """Forget participants' names and organisations; results stay, anonymous."""
        cleared = await services.purge_personal_data(runtime, actor=actor, assembly_id=assembly_id)
        return {"cleared": cleared}

    @post("/{assembly_id:int}/proposals", status_code=HTTP_201_CREATED)
    async def submit_proposal(
        self,
        runtime: CurrentRuntime,
        actor: CurrentActor,
        assembly_id: FromPath[int],
        data: JSONBody[ProposalBody],
    ) -> Response[dict[str, Any]]:
        """Idempotent by `client_key`: a resend answers 200 with the proposal first stored."""
        submission = await submit_proposal(runtime, actor, assembly_id, data)
        status = HTTP_201_CREATED if submission.created else HTTP_200_OK
        return Response(submission.proposal, status_code=status)

    @post("/{assembly_id:int}/proposals/{proposal_id:int}/support", status_code=HTTP_200_OK)
    async def support(
        self,
        runtime: CurrentRuntime,
        actor: CurrentActor,
        assembly_id: FromPath[int],
        proposal_id: FromPath[int],
    ) -> dict[str, Any]:
        return await proposals.support_proposal(
            runtime, actor=actor, assembly_id=assembly_id, proposal_id=proposal_id
        )

    @patch("/{assembly_id:int}/proposals/{proposal_id:int}")
    async def moderate(
        self,
        runtime: CurrentRuntime,
        actor: CurrentActor,
        assembly_id: FromPath[int],
        proposal_id: FromPath[int],
        data: JSONBody[ModerateBody],
    ) -> dict[str, Any]:
        return await moderate(runtime, actor, assembly_id, proposal_id, data)
