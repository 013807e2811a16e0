"""Server-rendered pages and their plain forms: everything works without JavaScript.

Forms POST and redirect. The JavaScript module submits the same forms with
`X-Requested-With: fetch`, and then gets 204 instead of a redirect: the socket brings the change.
"""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import segno
from litestar import Controller, Request, Response, get, post
from litestar.channels import ChannelsPlugin
from litestar.di import Provide
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_204_NO_CONTENT, HTTP_303_SEE_OTHER

from assembly import joining, seats, services
from assembly.errors import DomainError, InvalidInput
from assembly.i18n import translate
from assembly.models import Assembly
from assembly.security import new_token, token_hash
from assembly.steps import Action, Role, StepKind, refusal
from assembly.web.context import (
    SESSION_COOKIE,
    CurrentActor,
    cleared_session_cookie,
    device_token,
    guesser_of,
    provide_actor,
    runtime_of,
    session_cookie,
)
from assembly.web.live import announce_logout
from assembly.web.snapshots import Snapshot, build_snapshot
from deliberation import proposals
from deliberation.activity import recent_activity

Form = URLEncodedBody[dict[str, str]]


def is_fetch(request: Request[Any, Any, Any]) -> bool:
    return request.headers.get("x-requested-with") == "fetch"


def done(request: Request[Any, Any, Any], path: str) -> Response[Any]:
    if is_fetch(request):
        return Response(None, status_code=HTTP_204_NO_CONTENT)
    return Redirect(path, status_code=HTTP_303_SEE_OTHER)


def join_url(request: Request[Any, Any, Any], assembly: Assembly | dict[str, Any]) -> str:
    code = assembly["join_code"] if isinstance(assembly, dict) else assembly.join_code
    base = runtime_of(request).settings.public_url or str(request.base_url).rstrip("/")
    return f"{base}/j/{code}"


def qr_svg(url: str, *, standalone: bool = False) -> str:
    """Inline, the SVG has only a viewBox so CSS sizes it; as a file, a printable 10 px module."""
    buffer = io.BytesIO()
    segno.make(url, error="m").save(
        buffer,
        kind="svg",
        scale=10 if standalone else 1,
        border=2,
        xmldecl=False,
        svgns=True,
        nl=False,
        omitsize=not standalone,
        dark="#0f172a",
    )
    return buffer.getvalue().decode()


def page(
    name: str, request: Request[Any, Any, Any], status_code: int = 200, **context: Any
) -> Template:
    return Template(name, context={"request": request, **context}, status_code=status_code)


def snapshot_page(
    name: str, request: Request[Any, Any, Any], snap: Snapshot, **context: Any
) -> Template:
    return page(
        name,
        request,
        state=snap.state,
        networks={n["key"]: n for n in snap.state["networks"]},
        form_key=new_token()[:32],
        **context,
    )


def _checkbox(form: dict[str, str], name: str) -> bool:
    return form.get(name) in {"on", "1", "true"}


def _date(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise InvalidInput("invalid_date", "Please enter a valid date.") from exc


def _int(value: str | None, field: str) -> int | None:
    if not value:
        return None
    try:
        return int(value)
    except ValueError as exc:
        raise InvalidInput(f"invalid_{field}", "Please enter a number.") from exc


async def _staff_snapshot(
    request: Request[Any, Any, Any], actor: CurrentActor, assembly_id: FromPath[int]
) -> Snapshot:
    """The snapshot behind a staff page, refused as the rules table refuses VIEW_CONSOLE."""
    snap = await build_snapshot(runtime_of(request), assembly_id=assembly_id, actor=actor)
    reason = refusal(snap.standing.role, Action.VIEW_CONSOLE)
    if reason is not None:
        raise services.refusal_error(reason, actor)
    return snap


class ParticipantPages(Controller):
    dependencies = {"actor": Provide(provide_actor)}
    include_in_schema = False

    @get("/")
    async def home(
        self, request: Request[Any, Any, Any], code: FromQuery[str | None] = None
    ) -> Response[Any]:
        if code:
            try:
                assembly = await joining.assembly_for_code(
                    runtime_of(request), code, guesser=guesser_of(request)
                )
            except DomainError as exc:
                # The same page again, the typed code still in its field and the reason
                # beside it, so a person fixes one digit instead of starting over.
                error = translate(exc.message, **exc.params)
                return page("home.html", request, exc.status_code, code=code[:20], error=error)
            return Redirect(f"/j/{assembly.join_code}", status_code=HTTP_303_SEE_OTHER)
        return page("home.html", request)

    @get("/help/results")
    async def results_help(self, request: Request[Any, Any, Any]) -> Template:
        """The longer text behind the one-line explanations of a vote's numbers."""
        return page("help_results.html", request)

    @get("/j/{code:str}")
    async def join_page(
        self,
        request: Request[Any, Any, Any],
        actor: CurrentActor,
        code: FromPath[str],
        seat: FromQuery[str | None] = None,
        change: FromQuery[bool] = False,
    ) -> Response[Any]:
        """`?seat=` (a seat card's QR link) fills in the seat code; a phone that already has
        a seat still sees the form then, since the card may move a seat to it. `?change=1`:
        a participant who tapped the wrong network picks again (the same seat moves)."""
        rt = runtime_of(request)
        assembly = await joining.assembly_for_code(
            rt, code, with_seat=bool(seat), guesser=guesser_of(request)
        )
        current = None
        if actor.device_hash and not seat:
            snap = await build_snapshot(rt, assembly_id=assembly.id, actor=actor)
            if snap.standing.participant is not None:
                if not (change and not assembly.seat_codes_required):
                    return Redirect(f"/a/{assembly.id}", status_code=HTTP_303_SEE_OTHER)
                current = snap.state["me"]["network"]
        return page(
            "join.html", request, assembly=assembly, seat_code=(seat or "")[:20], current=current
        )

    @post("/j/{code:str}")
    async def join(
        self, request: Request[Any, Any, Any], code: FromPath[str], data: Form
    ) -> Response[Any]:
        token, cookie = device_token(request)
        participant = await joining.join_assembly(
            runtime_of(request),
            join_code=code,
            device_hash=token_hash(token),
            network_key=data.get("network"),
            display_name=data.get("display_name", ""),
            organisation=data.get("organisation", ""),
            seat_code=data.get("seat_code"),
            guesser=guesser_of(request),
        )
        return Redirect(
            f"/a/{participant.assembly_id}",
            status_code=HTTP_303_SEE_OTHER,
            cookies=[cookie] if cookie else [],
        )

    @get("/a/{assembly_id:int}")
    async def participant_page(
        self, request: Request[Any, Any, Any], actor: CurrentActor, assembly_id: FromPath[int]
    ) -> Response[Any]:
        snap = await build_snapshot(runtime_of(request), assembly_id=assembly_id, actor=actor)
        if snap.standing.participant is None:
            return Redirect(f"/j/{snap.assembly.join_code}", status_code=HTTP_303_SEE_OTHER)
        # A wrong network can be fixed while joining is open, without a seat card deciding it.
        can_change = snap.assembly.join_open and not snap.assembly.seat_codes_required
        return snapshot_page("participant.html", request, snap, can_change_network=can_change)

    @post("/a/{assembly_id:int}/proposals")
    async def submit(
        self,
        request: Request[Any, Any, Any],
        actor: CurrentActor,
        assembly_id: FromPath[int],
        data: Form,
    ) -> Response[Any]:
        await proposals.submit_proposal(
            runtime_of(request),
            actor=actor,
            assembly_id=assembly_id,
            text=data.get("text", ""),
            client_key=data.get("client_key") or None,
        )
        return done(request, f"/a/{assembly_id}")

    @post("/a/{assembly_id:int}/proposals/{proposal_id:int}/support")
    async def support(
        self,
        request: Request[Any, Any, Any],
        actor: CurrentActor,
        assembly_id: FromPath[int],
        proposal_id: FromPath[int],
    ) -> Response[Any]:
        await proposals.support_proposal(
            runtime_of(request), actor=actor, assembly_id=assembly_id, proposal_id=proposal_id
        )
        return done(request, f"/a/{assembly_id}")


class StaffPages(Controller):
    dependencies = {"actor": Provide(provide_actor)}
    include_in_schema = False

    @get("/login")
    async def login_page(self, request: Request[Any, Any, Any]) -> Template:
        return page("login.html", request)

    @post("/login")
    async def login(self, request: Request[Any, Any, Any], data: Form) -> Response[Any]:
        rt = runtime_of(request)
        token = await services.log_in(
            rt, username=data.get("username", ""), password=data.get("password", "")
        )
        return Redirect(
            "/organize", status_code=HTTP_303_SEE_OTHER, cookies=[session_cookie(request, token)]
        )

    @post("/logout")
    async def logout(self, request: Request[Any, Any, Any]) -> Response[Any]:
        token = request.cookies.get(SESSION_COOKIE)
        if token:
            await services.log_out(runtime_of(request), token=token)
            announce_logout(request.app.plugins.get(ChannelsPlugin), token)
        return Redirect(
            "/login", status_code=HTTP_303_SEE_OTHER, cookies=[cleared_session_cookie(request)]
        )

    @get("/organize")
    async def dashboard(
        self, request: Request[Any, Any, Any], actor: CurrentActor
    ) -> Response[Any]:
        if actor.user is None:
            return Redirect("/login", status_code=HTTP_303_SEE_OTHER)
        rt = runtime_of(request)
        assemblies = await services.assemblies_for(rt, actor.user)
        return page(
            "dashboard.html",
            request,
            user=actor.user,
            assemblies=assemblies,
            demo=rt.settings.demo,
        )

    @post("/organize")
    async def create(
        self, request: Request[Any, Any, Any], actor: CurrentActor, data: Form
    ) -> Response[Any]:
        assembly = await services.create_assembly(
            runtime_of(request),
            actor=actor,
            name=data.get("name", ""),
            province=data.get("province", ""),
            held_on=_date(data.get("held_on")),
            venue=data.get("venue", ""),
        )
        return Redirect(f"/organize/{assembly.id}", status_code=HTTP_303_SEE_OTHER)

    @get("/organize/{assembly_id:int}")
    async def settings_page(
        self,
        request: Request[Any, Any, Any],
        actor: CurrentActor,
        assembly_id: FromPath[int],
        reset: FromQuery[int | None] = None,
    ) -> Template:
        """`?reset=<user id>`: where a password reset lands, to say it was done."""
        snap = await _staff_snapshot(request, actor, assembly_id)
        facilitators = await services.facilitators_of(runtime_of(request), assembly_id)
        url = join_url(request, snap.assembly)
        can_manage = snap.standing.role == Role.ORGANIZER
        return snapshot_page(
            "organize.html",
            request,
            snap,
            user=actor.user,
            can_manage=can_manage,
            facilitators=facilitators,
            reset_user=next((f for f in facilitators if f.id == reset), None),
            demo=runtime_of(request).settings.demo,
            step_kinds=list(StepKind),
            join_link=url,
            qr=qr_svg(url),
            seat_cards=await seats.seat_list(
                runtime_of(request), actor=actor, assembly_id=assembly_id
            )
            if can_manage
            else None,
        )

    @post("/organize/{assembly_id:int}/details")
    async def save_details(
        self,
        request: Request[Any, Any, Any],
        actor: CurrentActor,
        assembly_id: FromPath[int],
        data: Form,
    ) -> Response[Any]:
        await services.update_assembly(
            runtime_of(request),
            actor=actor,
            assembly_id=assembly_id,
            name=data.get("name", ""),
            province=data.get("province", ""),
            held_on=_date(data.get("held_on")),
            venue=data.get("venue", ""),
            join_open=_checkbox(data, "join_open"),
        )
        return done(request, f"/organize/{assembly_id}")

    @post("/organize/{assembly_id:int}/networks")
    async def save_network(
        self,
        request: Request[Any, Any, Any],
        actor: CurrentActor,
        assembly_id: FromPath[int],
        data: Form,
    ) -> Response[Any]:
        await services.save_network(
            runtime_of(request),
            actor=actor,
            assembly_id=assembly_id,
            key=data.get("key", ""),
            name_th=data.get("name_th", ""),
            name_en=data.get("name_en", ""),
            color=data.get("color", "#475569"),
        )
        return done(request, f"/organize/{assembly_id}")

    @post("/organize/{assembly_id:int}/steps")
    async def save_step(
        self,
        request: Request[Any, Any, Any],
        actor: CurrentActor,
        assembly_id: FromPath[int],
        data: Form,
    ) -> Response[Any]:
        await services.save_step(
            runtime_of(request),
            actor=actor,
            assembly_id=assembly_id,
            step_id=_int(data.get("step_id"), "step"),
            kind=data.get("kind", ""),
            title=data.get("title", ""),
            prompt=data.get("prompt", ""),
            show_others=_checkbox(data, "show_others"),
        )
        return done(request, f"/organize/{assembly_id}")

    @post("/organize/{assembly_id:int}/facilitators")
    async def add_facilitator(
        self,
        request: Request[Any, Any, Any],
        actor: CurrentActor,
        assembly_id: FromPath[int],
        data: Form,
    ) -> Response[Any]:
        await services.add_facilitator(
            runtime_of(request),
            actor=actor,
            assembly_id=assembly_id,
            username=data.get("username", ""),
        )
        return done(request, f"/organize/{assembly_id}")

    @post("/organize/{assembly_id:int}/facilitators/new")
    async def create_facilitator(
        self,
        request: Request[Any, Any, Any],
        actor: CurrentActor,
        assembly_id: FromPath[int],
        data: Form,
    ) -> Response[Any]:
        await services.create_facilitator(
            runtime_of(request),
            actor=actor,
            assembly_id=assembly_id,
            username=data.get("username", ""),
            display_name=data.get("display_name", ""),
            password=data.get("password", ""),
        )
        return done(request, f"/organize/{assembly_id}#facilitators")

    @post("/organize/{assembly_id:int}/facilitators/{user_id:int}/password")
    async def reset_facilitator_password(
        self,
        request: Request[Any, Any, Any],
        actor: CurrentActor,
        assembly_id: FromPath[int],
        user_id: FromPath[int],
        data: Form,
    ) -> Response[Any]:
        await services.reset_facilitator_password(
            runtime_of(request),
            actor=actor,
            assembly_id=assembly_id,
            user_id=user_id,
            password=data.get("password", ""),
        )
        return done(request, f"/organize/{assembly_id}?reset={user_id}#facilitators")

    @post("/organize/{assembly_id:int}/facilitators/{user_id:int}/remove")
    async def remove_facilitator(
        self,
        request: Request[Any, Any, Any],
        actor: CurrentActor,
        assembly_id: FromPath[int],
        user_id: FromPath[int],
    ) -> Response[Any]:
        await services.remove_facilitator(
            runtime_of(request), actor=actor, assembly_id=assembly_id, user_id=user_id
        )
        return done(request, f"/organize/{assembly_id}#facilitators")

    @post("/organize/{assembly_id:int}/purge")
    async def purge(
        self, request: Request[Any, Any, Any], actor: CurrentActor, assembly_id: FromPath[int]
    ) -> Response[Any]:
        await services.purge_personal_data(
            runtime_of(request), actor=actor, assembly_id=assembly_id
        )
        return done(request, f"/organize/{assembly_id}")

    @get("/console/{assembly_id:int}")
    async def console(
        self, request: Request[Any, Any, Any], actor: CurrentActor, assembly_id: FromPath[int]
    ) -> Template:
        snap = await _staff_snapshot(request, actor, assembly_id)
        activity = await recent_activity(runtime_of(request), actor=actor, assembly_id=assembly_id)
        return snapshot_page("console.html", request, snap, user=actor.user, activity=activity)

    @post("/console/{assembly_id:int}/steps/{step_id:int}/open")
    async def open_step(
        self,
        request: Request[Any, Any, Any],
        actor: CurrentActor,
        assembly_id: FromPath[int],
        step_id: FromPath[int],
        data: Form,
    ) -> Response[Any]:
        await services.open_step(
            runtime_of(request),
            actor=actor,
            assembly_id=assembly_id,
            step_id=step_id,
            minutes=_int(data.get("minutes"), "timer"),
            close_when_done=_checkbox(data, "close_when_done"),
        )
        return done(request, f"/console/{assembly_id}")

    @post("/console/{assembly_id:int}/steps/{step_id:int}/close")
    async def close_step(
        self,
        request: Request[Any, Any, Any],
        actor: CurrentActor,
        assembly_id: FromPath[int],
        step_id: FromPath[int],
    ) -> Response[Any]:
        await services.close_step(
            runtime_of(request), actor=actor, assembly_id=assembly_id, step_id=step_id
        )
        return done(request, f"/console/{assembly_id}")

    @post("/console/{assembly_id:int}/proposals/{proposal_id:int}")
    async def moderate(
        self,
        request: Request[Any, Any, Any],
        actor: CurrentActor,
        assembly_id: FromPath[int],
        proposal_id: FromPath[int],
        data: Form,
    ) -> Response[Any]:
        action = data.get("action")
        await proposals.moderate_proposal(
            runtime_of(request),
            actor=actor,
            assembly_id=assembly_id,
            proposal_id=proposal_id,
            hidden={"hide": True, "restore": False}.get(action or ""),
            text=data.get("text") if action == "edit" else None,
        )
        return done(request, f"/console/{assembly_id}#p{proposal_id}")

    @post("/console/{assembly_id:int}/presenter")
    async def presenter_screen(
        self,
        request: Request[Any, Any, Any],
        actor: CurrentActor,
        assembly_id: FromPath[int],
        data: Form,
    ) -> Response[Any]:
        """The console's switch for the projector: `view` (services.PRESENTER_VIEWS) and/or
        `qr` (show or hide)."""
        qr = data.get("qr")
        if qr not in (None, "show", "hide"):
            raise InvalidInput("invalid_presenter_qr", "Unknown presenter screen.")
        await services.set_presenter(
            runtime_of(request),
            actor=actor,
            assembly_id=assembly_id,
            view=data.get("view") or None,
            show_qr=None if qr is None else qr == "show",
        )
        return done(request, f"/console/{assembly_id}")

    @get("/present/{assembly_id:int}")
    async def presenter(
        self, request: Request[Any, Any, Any], actor: CurrentActor, assembly_id: FromPath[int]
    ) -> Template:
        snap = await _staff_snapshot(request, actor, assembly_id)
        url = join_url(request, snap.assembly)
        return snapshot_page("presenter.html", request, snap, join_link=url, qr=qr_svg(url))

    @get("/organize/{assembly_id:int}/qr.svg", media_type="image/svg+xml")
    async def qr(
        self, request: Request[Any, Any, Any], actor: CurrentActor, assembly_id: FromPath[int]
    ) -> str:
        snap = await _staff_snapshot(request, actor, assembly_id)
        return qr_svg(join_url(request, snap.assembly), standalone=True)
