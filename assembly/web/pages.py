"""Server-rendered pages and their plain forms: everything works without JavaScript.

A form decodes into the JSON API's body (`forms.form_body`) and calls the same use case as the
API (`api.py`); it answers with a redirect, or 204 to the page's JavaScript (`rendering.done`).
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Template

from assembly import joining, paper, seats, services
from assembly.errors import DomainError, InvalidInput, NotFound
from assembly.i18n import translate
from assembly.settings import PROJECT_ROOT
from assembly.steps import Role, StepKind
from assembly.web.api import (
    AssemblyBody,
    FacilitatorBody,
    JoinBody,
    LoginBody,
    ModerateBody,
    NetworkBody,
    OpenStepBody,
    ProposalBody,
    StepBody,
    add_facilitator,
    create_assembly,
    join,
    log_in,
    log_out,
    moderate,
    open_step,
    save_network,
    save_step,
    submit_proposal,
    update_assembly,
)
from assembly.web.context import CurrentActor, CurrentRuntime, guesser_of
from assembly.web.forms import Form, form_body, form_int
from assembly.web.last_year import last_year_board
from assembly.web.rendering import (
    checked_snapshot,
    done,
    join_url,
    page,
    qr_svg,
    see_other,
    snapshot_page,
)
from assembly.web.snapshots import build_snapshot
from deliberation import proposals
from deliberation.activity import recent_activity
from voting import paper as paper_ballots

MODERATION = {"hide": {"hidden": True}, "restore": {"hidden": False}}
"""The console's moderation buttons (`action`) as the API's ModerateBody; `edit` sends `text`."""


PHONE_REGION_KINDS = frozenset(
    k.value
    for k in StepKind
    if (PROJECT_ROOT / "templates" / "steps" / f"{k.value}.phone.html").exists()
)
"""Step kinds with a section of their own on the phone (app.kind_templates' "phone")."""


class ParticipantPages(Controller):
    include_in_schema = False

    @get("/")
    async def home(
        self,
        request: Request[Any, Any, Any],
        runtime: CurrentRuntime,
        code: FromQuery[str | None] = None,
    ) -> Response[Any]:
        if code:
            try:
                assembly = await joining.assembly_for_code(
                    runtime, code, guesser=guesser_of(request)
                )
            except DomainError as exc:
                # The same page again, the typed code still in its field and the reason
                # beside it, so a person fixes one digit instead of starting over.
                error = translate(exc.message, **exc.params)
                return page("home.html", request, exc.status_code, code=code[:20], error=error)
            return see_other(f"/j/{assembly.join_code}")
        return page("home.html", request)

    @get("/help/results")
    async def results_help(self, request: Request[Any, Any, Any]) -> Template:
        """The longer text behind the one-line explanations of a vote's numbers."""
        return page("help_results.html", request)

    @get("/j/{code:str}")
    async def join_page(
        self,
        request: Request[Any, Any, Any],
        runtime: CurrentRuntime,
        actor: CurrentActor,
        code: FromPath[str],
        seat: FromQuery[str | None] = None,
        change: FromQuery[bool] = False,
    ) -> Response[Any]:
        """`?seat=` (a seat card's QR link) fills in the seat code; a phone that already has
        a seat still sees the form then, since the card may move a seat to it. `?change=1`:
        a participant who tapped the wrong network picks again (the same seat moves)."""
        assembly = await joining.assembly_for_code(
            runtime, code, with_seat=bool(seat), guesser=guesser_of(request)
        )
        current = None
        if actor.device_hash and not seat:
            snap = await build_snapshot(runtime, assembly_id=assembly.id, actor=actor)
            if snap.standing.participant is not None:
                if not (change and not assembly.seat_codes_required):
                    return see_other(f"/a/{assembly.id}")
                current = snap.state["me"]["network"]
        return page(
            "join.html", request, assembly=assembly, seat_code=(seat or "")[:20], current=current
        )

    @post("/j/{code:str}")
    async def join(
        self,
        request: Request[Any, Any, Any],
        runtime: CurrentRuntime,
        code: FromPath[str],
        data: Form,
    ) -> Response[Any]:
        participant, cookies = await join(request, runtime, form_body(JoinBody, data, code=code))
        return see_other(f"/a/{participant.assembly_id}", cookies=cookies)

    @get("/a/{assembly_id:int}")
    async def participant_page(
        self,
        request: Request[Any, Any, Any],
        runtime: CurrentRuntime,
        actor: CurrentActor,
        assembly_id: FromPath[int],
    ) -> Response[Any]:
        snap = await build_snapshot(runtime, assembly_id=assembly_id, actor=actor)
        if snap.standing.participant is None:
            return see_other(f"/j/{snap.assembly.join_code}")
        # A wrong network can be fixed while joining is open, without a seat card deciding it.
        can_change = snap.assembly.join_open and not snap.assembly.seat_codes_required
        last_year = await last_year_board(runtime, actor, assembly_id)
        return snapshot_page(
            "participant.html", request, snap, can_change_network=can_change, last_year=last_year
        )

    @get("/a/{assembly_id:int}/regions/{kind:str}")
    async def phone_region(
        self,
        request: Request[Any, Any, Any],
        runtime: CurrentRuntime,
        actor: CurrentActor,
        assembly_id: FromPath[int],
        kind: FromPath[str],
    ) -> Response[Any] | Template:
        """One step's section of the phone page alone (`steps/<kind>.phone.html`, the page's
        own template): what a phone swaps in after an agenda or vote event, instead of
        fetching and parsing its whole page."""
        if kind not in PHONE_REGION_KINDS:
            raise NotFound("not_found", "This page does not exist.")
        snap = await build_snapshot(runtime, assembly_id=assembly_id, actor=actor)
        if snap.standing.participant is None:
            return see_other(f"/j/{snap.assembly.join_code}")
        return snapshot_page("phone_region.html", request, snap, kind=kind)

    @post("/a/{assembly_id:int}/proposals")
    async def submit(
        self,
        request: Request[Any, Any, Any],
        runtime: CurrentRuntime,
        actor: CurrentActor,
        assembly_id: FromPath[int],
        data: Form,
    ) -> Response[Any]:
        await submit_proposal(runtime, actor, assembly_id, form_body(ProposalBody, data))
        return done(request, f"/a/{assembly_id}")

    @post("/a/{assembly_id:int}/proposals/{proposal_id:int}/support")
    async def support(
        self,
        request: Request[Any, Any, Any],
        runtime: CurrentRuntime,
        actor: CurrentActor,
        assembly_id: FromPath[int],
        proposal_id: FromPath[int],
    ) -> Response[Any]:
        await proposals.support_proposal(
            runtime, actor=actor, assembly_id=assembly_id, proposal_id=proposal_id
        )
        return done(request, f"/a/{assembly_id}")


class StaffPages(Controller):
    include_in_schema = False

    @get("/login")
    async def login_page(self, request: Request[Any, Any, Any]) -> Template:
        return page("login.html", request)

    @post("/login")
    async def login(
        self, request: Request[Any, Any, Any], runtime: CurrentRuntime, data: Form
    ) -> Response[Any]:
        cookie = await log_in(request, runtime, form_body(LoginBody, data))
        return see_other("/organize", cookies=[cookie])

    @post("/logout")
    async def logout(
        self, request: Request[Any, Any, Any], runtime: CurrentRuntime
    ) -> Response[Any]:
        return see_other("/login", cookies=[await log_out(request, runtime)])

    @get("/organize")
    async def dashboard(
        self, request: Request[Any, Any, Any], runtime: CurrentRuntime, actor: CurrentActor
    ) -> Response[Any]:
        if actor.user is None:
            return see_other("/login")
        assemblies = await services.assemblies_for(runtime, actor.user)
        return page(
            "dashboard.html",
            request,
            user=actor.user,
            assemblies=assemblies,
            demo=runtime.settings.demo,
        )

    @post("/organize")
    async def create(
        self, runtime: CurrentRuntime, actor: CurrentActor, data: Form
    ) -> Response[Any]:
        assembly = await create_assembly(runtime, actor, form_body(AssemblyBody, data))
        return see_other(f"/organize/{assembly.id}")

    @get("/organize/{assembly_id:int}")
    async def settings_page(
        self,
        request: Request[Any, Any, Any],
        runtime: CurrentRuntime,
        actor: CurrentActor,
        assembly_id: FromPath[int],
        reset: FromQuery[int | None] = None,
    ) -> Template:
        """`?reset=<user id>`: where a password reset lands, to say it was done."""
        snap = await checked_snapshot(runtime, actor, assembly_id)
        facilitators = await services.facilitators_of(runtime, assembly_id)
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
            demo=runtime.settings.demo,
            step_kinds=list(StepKind),
            join_link=url,
            qr=qr_svg(url),
            seat_cards=await seats.seat_list(runtime, actor=actor, assembly_id=assembly_id)
            if can_manage
            else None,
            assistants=await paper.assistants_of(runtime, assembly_id),
            paper_votes=await paper_ballots.paper_votes(
                runtime, actor=actor, assembly_id=assembly_id
            )
            if can_manage
            else [],
        )

    @post("/organize/{assembly_id:int}/details")
    async def save_details(
        self,
        request: Request[Any, Any, Any],
        runtime: CurrentRuntime,
        actor: CurrentActor,
        assembly_id: FromPath[int],
        data: Form,
    ) -> Response[Any]:
        await update_assembly(runtime, actor, assembly_id, form_body(AssemblyBody, data))
        return done(request, f"/organize/{assembly_id}")

    @post("/organize/{assembly_id:int}/networks")
    async def save_network(
        self,
        request: Request[Any, Any, Any],
        runtime: CurrentRuntime,
        actor: CurrentActor,
        assembly_id: FromPath[int],
        data: Form,
    ) -> Response[Any]:
        key = data.get("key", "")
        await save_network(runtime, actor, assembly_id, key, form_body(NetworkBody, data))
        return done(request, f"/organize/{assembly_id}")

    @post("/organize/{assembly_id:int}/steps")
    async def save_step(
        self,
        request: Request[Any, Any, Any],
        runtime: CurrentRuntime,
        actor: CurrentActor,
        assembly_id: FromPath[int],
        data: Form,
    ) -> Response[Any]:
        step_id = form_int(data.get("step_id"), "step_id")
        await save_step(runtime, actor, assembly_id, step_id, form_body(StepBody, data))
        return done(request, f"/organize/{assembly_id}")

    @post("/organize/{assembly_id:int}/facilitators")
    async def add_facilitator(
        self,
        request: Request[Any, Any, Any],
        runtime: CurrentRuntime,
        actor: CurrentActor,
        assembly_id: FromPath[int],
        data: Form,
    ) -> Response[Any]:
        await add_facilitator(runtime, actor, assembly_id, form_body(FacilitatorBody, data))
        return done(request, f"/organize/{assembly_id}")

    @post("/organize/{assembly_id:int}/facilitators/new")
    async def create_facilitator(
        self,
        request: Request[Any, Any, Any],
        runtime: CurrentRuntime,
        actor: CurrentActor,
        assembly_id: FromPath[int],
        data: Form,
    ) -> Response[Any]:
        await services.create_facilitator(
            runtime,
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
        runtime: CurrentRuntime,
        actor: CurrentActor,
        assembly_id: FromPath[int],
        user_id: FromPath[int],
        data: Form,
    ) -> Response[Any]:
        await services.reset_facilitator_password(
            runtime,
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
        runtime: CurrentRuntime,
        actor: CurrentActor,
        assembly_id: FromPath[int],
        user_id: FromPath[int],
    ) -> Response[Any]:
        await services.remove_facilitator(
            runtime, actor=actor, assembly_id=assembly_id, user_id=user_id
        )
        return done(request, f"/organize/{assembly_id}#facilitators")

    @post("/organize/{assembly_id:int}/purge")
    async def purge(
        self,
        request: Request[Any, Any, Any],
        runtime: CurrentRuntime,
        actor: CurrentActor,
        assembly_id: FromPath[int],
    ) -> Response[Any]:
        await services.purge_personal_data(runtime, actor=actor, assembly_id=assembly_id)
        return done(request, f"/organize/{assembly_id}")

    @get("/console/{assembly_id:int}")
    async def console(
        self,
        request: Request[Any, Any, Any],
        runtime: CurrentRuntime,
        actor: CurrentActor,
        assembly_id: FromPath[int],
    ) -> Template:
        snap = await checked_snapshot(runtime, actor, assembly_id)
        activity = await recent_activity(runtime, actor=actor, assembly_id=assembly_id)
        last_year = await last_year_board(runtime, actor, assembly_id)
        return snapshot_page(
            "console.html", request, snap, user=actor.user, activity=activity, last_year=last_year
        )

    @post("/console/{assembly_id:int}/steps/{step_id:int}/open")
    async def open_step(
        self,
        request: Request[Any, Any, Any],
        runtime: CurrentRuntime,
        actor: CurrentActor,
        assembly_id: FromPath[int],
        step_id: FromPath[int],
        data: Form,
    ) -> Response[Any]:
        await open_step(runtime, actor, assembly_id, step_id, form_body(OpenStepBody, data))
        return done(request, f"/console/{assembly_id}")

    @post("/console/{assembly_id:int}/steps/{step_id:int}/close")
    async def close_step(
        self,
        request: Request[Any, Any, Any],
        runtime: CurrentRuntime,
        actor: CurrentActor,
        assembly_id: FromPath[int],
        step_id: FromPath[int],
    ) -> Response[Any]:
        await services.close_step(runtime, actor=actor, assembly_id=assembly_id, step_id=step_id)
        return done(request, f"/console/{assembly_id}")

    @post("/console/{assembly_id:int}/proposals/{proposal_id:int}")
    async def moderate(
        self,
        request: Request[Any, Any, Any],
        runtime: CurrentRuntime,
        actor: CurrentActor,
        assembly_id: FromPath[int],
        proposal_id: FromPath[int],
        data: Form,
    ) -> Response[Any]:
        action = data.get("action") or ""
        edit = {"text": data.get("text")} if action == "edit" else {}
        body = ModerateBody(**MODERATION.get(action, {}), **edit)
        await moderate(runtime, actor, assembly_id, proposal_id, body)
        return done(request, f"/console/{assembly_id}#p{proposal_id}")

    @post("/console/{assembly_id:int}/presenter")
    async def presenter_screen(
        self,
        request: Request[Any, Any, Any],
        runtime: CurrentRuntime,
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
            runtime,
            actor=actor,
            assembly_id=assembly_id,
            view=data.get("view") or None,
            show_qr=None if qr is None else qr == "show",
        )
        return done(request, f"/console/{assembly_id}")

    @get("/present/{assembly_id:int}")
    async def presenter(
        self,
        request: Request[Any, Any, Any],
        runtime: CurrentRuntime,
        actor: CurrentActor,
        assembly_id: FromPath[int],
    ) -> Template:
        snap = await checked_snapshot(runtime, actor, assembly_id)
        url = join_url(request, snap.assembly)
        return snapshot_page("presenter.html", request, snap, join_link=url, qr=qr_svg(url))

    @get("/organize/{assembly_id:int}/qr.svg", media_type="image/svg+xml")
    async def qr(
        self,
        request: Request[Any, Any, Any],
        runtime: CurrentRuntime,
        actor: CurrentActor,
        assembly_id: FromPath[int],
    ) -> str:
        snap = await checked_snapshot(runtime, actor, assembly_id)
        return qr_svg(join_url(request, snap.assembly), standalone=True)
