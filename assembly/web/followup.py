"""Handlers of the year after the assembly (issue 18), the staff side: setting the follow-up
up, the progress board, its downloads, the public progress page, and the JSON API.

Thin: parse, call one use case of `followup.setup`, `followup.links`, `followup.reports`,
`followup.board` or `followup.next_year`, answer. JSON under
/api/v1/assemblies/{id}/followup (staff) and /api/v1/reporting/{token} (a reporting link);
the setup page and its forms under /organize/{id}/followup (organizer, secretary); the board
and its downloads under /followup/{id} (whoever may see progress); the public page under
/progress/{id} (anyone, while the organizer has it switched on). docs/follow-up.md walks
through them.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import datetime as dt
import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.response import Template
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from assembly.errors import Conflict
from assembly.runtime import Runtime
from assembly.services import Actor
from assembly.steps import Action, Role, refusal
from assembly.web.context import (
    MAX_REQUEST_BYTES,
    CurrentActor,
    CurrentRuntime,
    RowId,
    runtime_of,
)
from assembly.web.forms import Form, checked, form_body, form_int
from assembly.web.rendering import DOCX, done, download, page, qr_svg, see_other
from assembly.web.snapshots import build_snapshot
from followup import board as board_module
from followup import links, next_year, reports, setup
from followup.charts import bullet_chart, indicator_chart, track_sentence
from followup.photos import MAX_PHOTO_BYTES, MAX_PHOTOS, invalid_photo, too_large
from followup.progress import (
    STATUS_LABELS,
    TRACK_LABELS,
    ActivityStatus,
    ProgressBoard,
    Track,
)

REPORT_MAX_BYTES = MAX_PHOTOS * (MAX_PHOTO_BYTES * 4 // 3 + 4) + MAX_REQUEST_BYTES
"""A report in JSON: its text, and its photos in base64 (a third larger than their bytes)."""
REPORTING_PATH = "/r/"
"""Where a reporting link's phone page lives (assembly/web/reporting.py): /r/{token}."""

# ---------------------------------------------------------------- bodies


@dataclass
class StartBody:
    fiscal_year: str | None = None
    """A Buddhist-era year (2570); a Common-Era one (2027) is converted. Empty: the fiscal
    year of today."""


@dataclass
class RoundBody:
    due: str
    """ISO date (2027-01-15)."""
    label: str = ""


@dataclass
class RoundsBody:
    fiscal_year: str | None = None
    rounds: list[RoundBody] | None = None
    """Omitted: quarterly rounds of the fiscal year."""


@dataclass
class MemberBody:
    name: str
    network: str = ""
    """A network key of this assembly, e.g. `government`."""
    agency: str = ""
    role: str = "member"
    """`chair`, `secretary` or `member`."""
    contact: str = ""
    username: str | None = None
    """An account for the member: new with `password`, an existing one without."""
    password: str | None = None


@dataclass
class AgencyBody:
    name: str
    network: str = ""


@dataclass
class AssignBody:
    agency_id: RowId | None = None
    """None: the agency of the target's parent answers for it."""
    person: str = ""


@dataclass
class PublicBody:
    public: bool = False


@dataclass
class NoteBody:
    target_id: RowId
    worked: str = ""
    not_worked: str = ""
    change: str = ""
    author: str = ""


@dataclass
class NextYearBody:
    name: str | None = None
    held_on: dt.date | None = None


@dataclass
class ReportBody:
    target_id: RowId
    client_key: str | None = None
    """The phone's key for this report: a resend answers with the report already stored."""
    round: int | None = None
    status: str = ""
    """An activity's: `not_started`, `in_progress`, `done`, `cancelled`."""
    done: str = ""
    people_reached: int | str | None = None
    money_spent: int | str | None = None
    value: str = ""
    """An indicator's value as measured ("ร้อยละ ๘๐", "1,200 คน")."""
    measured_on: str | None = None
    source: str = ""
    note: str = ""
    worked: str = ""
    not_worked: str = ""
    change: str = ""
    photos: list[str] = field(default_factory=list)
    """Up to two photos, base64 (JPEG, PNG or WebP); re-encoded on the server."""


# ---------------------------------------------------------------- shared


def plain(value: Any) -> Any:
    """A board (frozen dataclasses, dates, enums, mappings keyed by enums) as JSON data."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, Mapping):
        return {str(plain(k)): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [plain(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def can_manage(role: Role) -> bool:
    return refusal(role, Action.MANAGE_FOLLOWUP) is None


def board_context(board: ProgressBoard, *, public: bool = False) -> dict[str, Any]:
    """What the board templates show, with each indicator's charts drawn once."""
    charts = {
        ind.target_id: {
            "line": indicator_chart(ind, board.rounds, today=board.today),
            "bullet": bullet_chart(ind),
            "sentence": track_sentence(ind),
        }
        for item in board.items
        for ind in item.indicators
    }
    return {
        "board": board,
        "charts": charts,
        "public": public,
        "tracks": list(Track),
        "statuses": list(ActivityStatus),
        "track_labels": TRACK_LABELS,
        "status_labels": STATUS_LABELS,
    }


async def progress_docx(
    rt: Runtime, actor: Actor, assembly_id: int, round: int | None
) -> Response[bytes]:
    body = await board_module.progress_report_docx(
        rt, actor=actor, assembly_id=assembly_id, round_number=round
    )
    name = f"progress-{assembly_id}-round-{round}.docx" if round else f"progress-{assembly_id}.docx"
    return download(body, DOCX, name)


async def progress_csv(rt: Runtime, actor: Actor, assembly_id: int) -> Response[bytes]:
    body = await board_module.progress_csv(rt, actor=actor, assembly_id=assembly_id)
    return download(body, "text/csv", f"progress-{assembly_id}-reports.csv")


def reporting_url(request: Request[Any, Any, Any], token: str) -> str:
    base = runtime_of(request).settings.public_url or str(request.base_url).rstrip("/")
    return f"{base}{REPORTING_PATH}{token}"


def _photos(encoded: list[str]) -> list[bytes]:
    photos = []
    for text in encoded:
        if len(text) > MAX_PHOTO_BYTES * 4 // 3 + 4:  # base64 of the largest photo allowed
            raise too_large()
        try:
            photos.append(base64.b64decode(text, validate=True))
        except (binascii.Error, ValueError) as exc:
            raise invalid_photo() from exc
    return photos


def _member_arguments(body: MemberBody) -> dict[str, Any]:
    return {
        "name": body.name,
        "network_key": body.network,
        "agency": body.agency,
        "role": body.role,
        "contact": body.contact,
        "username": body.username or None,
        "password": body.password or None,
    }


def _rounds_from_form(form: Mapping[str, str]) -> list[dict[str, str]] | None:
    """`due_1`, `label_1`, `due_2`, … as rounds; rows left empty are dropped; None when the
    form carries no round at all (quarterly rounds then)."""
    rounds = []
    for n in range(1, setup.MAX_ROUNDS + 1):
        due = (form.get(f"due_{n}") or "").strip()
        label = (form.get(f"label_{n}") or "").strip()
        if due or label:
            rounds.append({"due": due, "label": label})
    return rounds or None


# ---------------------------------------------------------------- JSON API


class FollowupApi(Controller):
    path = "/api/v1/assemblies/{assembly_id:int}/followup"
    tags = ["follow-up"]

    @get("/")
    async def read(
        self, runtime: CurrentRuntime, actor: CurrentActor, assembly_id: FromPath[int]
    ) -> dict[str, Any]:
        """Settings (null before the start), members, agencies (no tokens), targets."""
        return await setup.followup_view(runtime, actor=actor, assembly_id=assembly_id)

    @post("/start", status_code=HTTP_200_OK)
    async def start(
        self,
        runtime: CurrentRuntime,
        actor: CurrentActor,
        assembly_id: FromPath[int],
        data: JSONBody[StartBody],
    ) -> dict[str, Any]:
        """Freeze the adopted items into targets (again: only the items adopted since)."""
        return await setup.start_followup(
            runtime, actor=actor, assembly_id=assembly_id, fiscal_year=data.fiscal_year
        )

    @post("/rounds", status_code=HTTP_200_OK)
    async def rounds(
        self,
        runtime: CurrentRuntime,
        actor: CurrentActor,
        assembly_id: FromPath[int],
        data: JSONBody[RoundsBody],
    ) -> dict[str, Any]:
        """The fiscal year and its reporting rounds (omitted: quarterly)."""
        given = [dataclasses.asdict(r) for r in data.rounds] if data.rounds is not None else None
        return await setup.set_rounds(
            runtime,
            actor=actor,
            assembly_id=assembly_id,
            fiscal_year=data.fiscal_year,
            rounds=given,
        )

    @post("/members", status_code=HTTP_201_CREATED)
    async def add_member(
        self,
        runtime: CurrentRuntime,
        actor: CurrentActor,
        assembly_id: FromPath[int],
        data: JSONBody[MemberBody],
    ) -> dict[str, Any]:
        """A working-group member, with an account or without."""
        return await setup.add_member(
            runtime, actor=actor, assembly_id=assembly_id, **_member_arguments(data)
        )

    @post("/members/{member_id:int}", status_code=HTTP_200_OK)
    async def update_member(
        self,
        runtime: CurrentRuntime,
        actor: CurrentActor,
        assembly_id: FromPath[int],
        member_id: FromPath[int],
        data: JSONBody[MemberBody],
    ) -> dict[str, Any]:
        """A member's details and role (their account's role here follows)."""
        return await setup.update_member(
            runtime,
            actor=actor,
            assembly_id=assembly_id,
            member_id=member_id,
            **_member_arguments(data),
        )

    @post("/members/{member_id:int}/remove", status_code=HTTP_200_OK)
    async def remove_member(
        self,
        runtime: CurrentRuntime,
        actor: CurrentActor,
        assembly_id: FromPath[int],
        member_id: FromPath[int],
    ) -> dict[str, Any]:
        await setup.remove_member(
            runtime, actor=actor, assembly_id=assembly_id, member_id=member_id
        )
        return {"removed": member_id}

    @post("/agencies", status_code=HTTP_201_CREATED)
    async def add_agency(
        self,
        runtime: CurrentRuntime,
        actor: CurrentActor,
        assembly_id: FromPath[int],
        data: JSONBody[AgencyBody],
    ) -> dict[str, Any]:
        return await setup.add_agency(
            runtime, actor=actor, assembly_id=assembly_id, name=data.name, network_key=data.network
        )

    @post(
        "/agencies/{agency_id:int}/link",
        status_code=HTTP_201_CREATED,
        response_headers={"Cache-Control": "no-store"},
    )
    async def issue_link(
        self,
        request: Request[Any, Any, Any],
        runtime: CurrentRuntime,
        actor: CurrentActor,
        assembly_id: FromPath[int],
        agency_id: FromPath[int],
    ) -> dict[str, Any]:
        """A new reporting link (an older one stops working). `token` and `url` are shown
        this once: only a hash is kept."""
        issued = await links.issue_link(
            runtime, actor=actor, assembly_id=assembly_id, agency_id=agency_id
        )
        return {
            "agency": issued.agency,
            "token": issued.token,
            "url": reporting_url(request, issued.token),
        }

    @post("/agencies/{agency_id:int}/revoke", status_code=HTTP_200_OK)
    async def revoke_link(
        self,
        runtime: CurrentRuntime,
        actor: CurrentActor,
        assembly_id: FromPath[int],
        agency_id: FromPath[int],
    ) -> dict[str, Any]:
        return await links.revoke_link(
            runtime, actor=actor, assembly_id=assembly_id, agency_id=agency_id
        )

    @post("/targets/{target_id:int}", status_code=HTTP_200_OK)
    async def assign(
        self,
        runtime: CurrentRuntime,
        actor: CurrentActor,
        assembly_id: FromPath[int],
        target_id: FromPath[int],
        data: JSONBody[AssignBody],
    ) -> dict[str, Any]:
        """Who answers for an item, plan, activity or indicator: an agency and a person."""
        return await setup.assign_target(
            runtime,
            actor=actor,
            assembly_id=assembly_id,
            target_id=target_id,
            agency_id=data.agency_id,
            person=data.person,
        )

    @post("/public", status_code=HTTP_200_OK)
    async def public(
        self,
        runtime: CurrentRuntime,
        actor: CurrentActor,
        assembly_id: FromPath[int],
        data: JSONBody[PublicBody],
    ) -> dict[str, Any]:
        """Switch the public progress page (/progress/{id}) on or off."""
        return await setup.set_public_page(
            runtime, actor=actor, assembly_id=assembly_id, public=data.public
        )

    @post("/notes", status_code=HTTP_201_CREATED)
    async def note(
        self,
        runtime: CurrentRuntime,
        actor: CurrentActor,
        assembly_id: FromPath[int],
        data: JSONBody[NoteBody],
    ) -> dict[str, Any]:
        """A learning note of the working group on a target."""
        return await setup.add_note(
            runtime,
            actor=actor,
            assembly_id=assembly_id,
            target_id=data.target_id,
            author=data.author,
            worked=data.worked,
            not_worked=data.not_worked,
            change=data.change,
        )

    @get("/board")
    async def board(
        self, runtime: CurrentRuntime, actor: CurrentActor, assembly_id: FromPath[int]
    ) -> dict[str, Any]:
        """The progress board: items with their indicators (track, progress, points),
        activities by status, lessons, overdue reports by agency, counts, the rule."""
        found = await board_module.gather_board(runtime, actor=actor, assembly_id=assembly_id)
        result: dict[str, Any] = plain(found)
        return result

    @get("/report.docx", media_type=DOCX)
    async def report_docx(
        self,
        runtime: CurrentRuntime,
        actor: CurrentActor,
        assembly_id: FromPath[int],
        round: FromQuery[int | None] = None,
    ) -> Response[bytes]:
        """The progress report of a round (default: the last one due) as DOCX."""
        return await progress_docx(runtime, actor, assembly_id, round)

    @get("/reports.csv", media_type="text/csv")
    async def reports_csv(
        self, runtime: CurrentRuntime, actor: CurrentActor, assembly_id: FromPath[int]
    ) -> Response[bytes]:
        """Every report of the year, one row each, with its lessons."""
        return await progress_csv(runtime, actor, assembly_id)

    @post("/next-year", status_code=HTTP_201_CREATED)
    async def next_year(
        self,
        runtime: CurrentRuntime,
        actor: CurrentActor,
        assembly_id: FromPath[int],
        data: JSONBody[NextYearBody],
    ) -> dict[str, Any]:
        """Next year's assembly: the same networks, the unfinished items as drafts."""
        return await next_year.carry_over(
            runtime, actor=actor, assembly_id=assembly_id, name=data.name, held_on=data.held_on
        )


class ReportingApi(Controller):
    """What a reporting link's holder may do: no account, the link's token in the path."""

    path = "/api/v1/reporting/{token:str}"
    tags = ["follow-up"]

    @get("/")
    async def read(self, runtime: CurrentRuntime, token: FromPath[str]) -> dict[str, Any]:
        """The agency, the rounds, and the activities and indicators it reports on."""
        return await reports.reporting_view(runtime, token=token)

    @post("/reports", status_code=HTTP_201_CREATED, request_max_body_size=REPORT_MAX_BYTES)
    async def submit(
        self, runtime: CurrentRuntime, token: FromPath[str], data: JSONBody[ReportBody]
    ) -> dict[str, Any]:
        """One report; `stored: false` when this client key's report was already stored."""
        return await reports.submit_report(
            runtime,
            token=token,
            target_id=data.target_id,
            client_key=data.client_key,
            round_number=data.round,
            status=data.status,
            done=data.done,
            people_reached=data.people_reached,
            money_spent=data.money_spent,
            value=data.value,
            measured_on=data.measured_on,
            source=data.source,
            note=data.note,
            worked=data.worked,
            not_worked=data.not_worked,
            change=data.change,
            photos=_photos(data.photos),
        )


# ---------------------------------------------------------------- pages


async def _setup_page(
    request: Request[Any, Any, Any], rt: Runtime, actor: Actor, assembly_id: int, **extra: Any
) -> Template:
    view = await setup.followup_view(rt, actor=actor, assembly_id=assembly_id)
    snap = await build_snapshot(rt, assembly_id=assembly_id, actor=actor)
    agencies = {a["id"]: a for a in view["agencies"]}
    return page(
        "followup_setup.html",
        request,
        state=snap.state,
        user=actor.user,
        assembly_id=assembly_id,
        view=view,
        agencies=agencies,
        networks={n["key"]: n for n in snap.state["networks"]},
        can_manage=can_manage(snap.standing.role),
        is_organizer=snap.standing.role == Role.ORGANIZER,
        member_roles=setup.MEMBER_ROLES,
        **extra,
    )


class FollowupPages(Controller):
    include_in_schema = False

    @get("/organize/{assembly_id:int}/followup")
    async def setup_page(
        self,
        request: Request[Any, Any, Any],
        runtime: CurrentRuntime,
        actor: CurrentActor,
        assembly_id: FromPath[int],
    ) -> Template:
        """The setup page: organizers and secretaries change it, other viewers read it."""
        return await _setup_page(request, runtime, actor, assembly_id)

    @post("/organize/{assembly_id:int}/followup/start")
    async def start(
        self,
        request: Request[Any, Any, Any],
        runtime: CurrentRuntime,
        actor: CurrentActor,
        assembly_id: FromPath[int],
        data: Form,
    ) -> Response[Any]:
        body = form_body(StartBody, data)
        await setup.start_followup(
            runtime, actor=actor, assembly_id=assembly_id, fiscal_year=body.fiscal_year
        )
        return done(request, f"/organize/{assembly_id}/followup#rounds")

    @post("/organize/{assembly_id:int}/followup/rounds")
    async def rounds(
        self,
        request: Request[Any, Any, Any],
        runtime: CurrentRuntime,
        actor: CurrentActor,
        assembly_id: FromPath[int],
        data: Form,
    ) -> Response[Any]:
        quarterly = checked(data, "quarterly")
        await setup.set_rounds(
            runtime,
            actor=actor,
            assembly_id=assembly_id,
            fiscal_year=(data.get("fiscal_year") or "").strip() or None,
            rounds=None if quarterly else _rounds_from_form(data),
        )
        return done(request, f"/organize/{assembly_id}/followup#rounds")

    @post("/organize/{assembly_id:int}/followup/members")
    async def add_member(
        self,
        request: Request[Any, Any, Any],
        runtime: CurrentRuntime,
        actor: CurrentActor,
        assembly_id: FromPath[int],
        data: Form,
    ) -> Response[Any]:
        body = form_body(MemberBody, data)
        await setup.add_member(
            runtime, actor=actor, assembly_id=assembly_id, **_member_arguments(body)
        )
        return done(request, f"/organize/{assembly_id}/followup#members")

    @post("/organize/{assembly_id:int}/followup/members/{member_id:int}")
    async def update_member(
        self,
        request: Request[Any, Any, Any],
        runtime: CurrentRuntime,
        actor: CurrentActor,
        assembly_id: FromPath[int],
        member_id: FromPath[int],
        data: Form,
    ) -> Response[Any]:
        body = form_body(MemberBody, data)
        await setup.update_member(
            runtime,
            actor=actor,
            assembly_id=assembly_id,
            member_id=member_id,
            **_member_arguments(body),
        )
        return done(request, f"/organize/{assembly_id}/followup#members")

    @post("/organize/{assembly_id:int}/followup/members/{member_id:int}/remove")
    async def remove_member(
        self,
        request: Request[Any, Any, Any],
        runtime: CurrentRuntime,
        actor: CurrentActor,
        assembly_id: FromPath[int],
        member_id: FromPath[int],
    ) -> Response[Any]:
        await setup.remove_member(
            runtime, actor=actor, assembly_id=assembly_id, member_id=member_id
        )
        return done(request, f"/organize/{assembly_id}/followup#members")

    @post("/organize/{assembly_id:int}/followup/agencies")
    async def add_agency(
        self,
        request: Request[Any, Any, Any],
        runtime: CurrentRuntime,
        actor: CurrentActor,
        assembly_id: FromPath[int],
        data: Form,
    ) -> Response[Any]:
        body = form_body(AgencyBody, data)
        await setup.add_agency(
            runtime, actor=actor, assembly_id=assembly_id, name=body.name, network_key=body.network
        )
        return done(request, f"/organize/{assembly_id}/followup#agencies")

    @post("/organize/{assembly_id:int}/followup/agencies/{agency_id:int}/link")
    async def issue_link(
        self,
        request: Request[Any, Any, Any],
        runtime: CurrentRuntime,
        actor: CurrentActor,
        assembly_id: FromPath[int],
        agency_id: FromPath[int],
    ) -> Template:
        """The new link and its QR code, shown this once on a printable page."""
        issued = await links.issue_link(
            runtime, actor=actor, assembly_id=assembly_id, agency_id=agency_id
        )
        snap = await build_snapshot(runtime, assembly_id=assembly_id, actor=actor)
        url = reporting_url(request, issued.token)
        return page(
            "followup_link.html",
            request,
            state=snap.state,
            user=actor.user,
            assembly_id=assembly_id,
            agency=issued.agency,
            url=url,
            qr=qr_svg(url),
        )

    @post("/organize/{assembly_id:int}/followup/agencies/{agency_id:int}/revoke")
    async def revoke_link(
        self,
        request: Request[Any, Any, Any],
        runtime: CurrentRuntime,
        actor: CurrentActor,
        assembly_id: FromPath[int],
        agency_id: FromPath[int],
    ) -> Response[Any]:
        await links.revoke_link(runtime, actor=actor, assembly_id=assembly_id, agency_id=agency_id)
        return done(request, f"/organize/{assembly_id}/followup#agencies")

    @post("/organize/{assembly_id:int}/followup/targets/{target_id:int}")
    async def assign(
        self,
        request: Request[Any, Any, Any],
        runtime: CurrentRuntime,
        actor: CurrentActor,
        assembly_id: FromPath[int],
        target_id: FromPath[int],
        data: Form,
    ) -> Response[Any]:
        await setup.assign_target(
            runtime,
            actor=actor,
            assembly_id=assembly_id,
            target_id=target_id,
            agency_id=form_int(data.get("agency_id"), "agency_id"),
            person=data.get("person", ""),
        )
        return done(request, f"/organize/{assembly_id}/followup#target-{target_id}")

    @post("/organize/{assembly_id:int}/followup/public")
    async def public(
        self,
        request: Request[Any, Any, Any],
        runtime: CurrentRuntime,
        actor: CurrentActor,
        assembly_id: FromPath[int],
        data: Form,
    ) -> Response[Any]:
        await setup.set_public_page(
            runtime, actor=actor, assembly_id=assembly_id, public=checked(data, "public")
        )
        return done(request, f"/organize/{assembly_id}/followup#public")

    @post("/organize/{assembly_id:int}/followup/next-year")
    async def next_year(
        self,
        request: Request[Any, Any, Any],
        runtime: CurrentRuntime,
        actor: CurrentActor,
        assembly_id: FromPath[int],
        data: Form,
    ) -> Response[Any]:
        body = form_body(NextYearBody, data)
        made = await next_year.carry_over(
            runtime,
            actor=actor,
            assembly_id=assembly_id,
            name=(body.name or "").strip() or None,
            held_on=body.held_on,
        )
        return see_other(f"/organize/{made['assembly_id']}")

    # ------------------------------------------------------------ the board

    @get("/followup/{assembly_id:int}")
    async def board_page(
        self,
        request: Request[Any, Any, Any],
        runtime: CurrentRuntime,
        actor: CurrentActor,
        assembly_id: FromPath[int],
    ) -> Response[Any]:
        """The progress board, for a laptop, a projector and paper. Before the follow-up has
        started, those who may start it are sent to its setup page (the console links here
        from the assembly day on); others are told it has not started."""
        try:
            found = await board_module.gather_board(runtime, actor=actor, assembly_id=assembly_id)
        except Conflict as exc:
            snap = await build_snapshot(runtime, assembly_id=assembly_id, actor=actor)
            if exc.code == "followup_not_started" and can_manage(snap.standing.role):
                return see_other(f"/organize/{assembly_id}/followup")
            raise
        snap = await build_snapshot(runtime, assembly_id=assembly_id, actor=actor)
        return page(
            "followup_board.html",
            request,
            state=snap.state,
            user=actor.user,
            assembly_id=assembly_id,
            can_manage=can_manage(snap.standing.role),
            default_round=found.report_round(),
            **board_context(found),
        )

    @get("/followup/{assembly_id:int}/region")
    async def board_region(
        self,
        request: Request[Any, Any, Any],
        runtime: CurrentRuntime,
        actor: CurrentActor,
        assembly_id: FromPath[int],
    ) -> Template:
        """The board alone, fetched again by the page when a report arrives."""
        found = await board_module.gather_board(runtime, actor=actor, assembly_id=assembly_id)
        return page(
            "followup_board_region.html",
            request,
            assembly_id=assembly_id,
            **board_context(found),
        )

    @post("/followup/{assembly_id:int}/notes")
    async def note(
        self,
        request: Request[Any, Any, Any],
        runtime: CurrentRuntime,
        actor: CurrentActor,
        assembly_id: FromPath[int],
        data: Form,
    ) -> Response[Any]:
        body = form_body(NoteBody, data)
        await setup.add_note(
            runtime,
            actor=actor,
            assembly_id=assembly_id,
            target_id=body.target_id,
            author=body.author,
            worked=body.worked,
            not_worked=body.not_worked,
            change=body.change,
        )
        return done(request, f"/followup/{assembly_id}#item-{body.target_id}")

    @get("/followup/{assembly_id:int}/report.docx")
    async def report_docx(
        self,
        runtime: CurrentRuntime,
        actor: CurrentActor,
        assembly_id: FromPath[int],
        round: FromQuery[str | None] = None,
    ) -> Response[bytes]:
        return await progress_docx(runtime, actor, assembly_id, form_int(round, "round"))

    @get("/followup/{assembly_id:int}/reports.csv")
    async def reports_csv(
        self, runtime: CurrentRuntime, actor: CurrentActor, assembly_id: FromPath[int]
    ) -> Response[bytes]:
        return await progress_csv(runtime, actor, assembly_id)

    @get("/followup/{assembly_id:int}/photos/{photo_id:int}")
    async def photo(
        self,
        runtime: CurrentRuntime,
        actor: CurrentActor,
        assembly_id: FromPath[int],
        photo_id: FromPath[int],
    ) -> Response[bytes]:
        """A report's photo: always a JPEG this server re-encoded, never what was uploaded."""
        found = await reports.photo(
            runtime, actor=actor, assembly_id=assembly_id, photo_id=photo_id
        )
        return Response(
            found.data,
            media_type="image/jpeg",
            headers={"Cache-Control": "no-store"},
        )

    # ------------------------------------------------------------ public

    @get("/progress/{assembly_id:int}")
    async def public_page(
        self, request: Request[Any, Any, Any], runtime: CurrentRuntime, assembly_id: FromPath[int]
    ) -> Template:
        """The province's progress for anyone, without personal data; 404 when switched off."""
        found = await board_module.public_board(runtime, assembly_id=assembly_id)
        return page("followup_public.html", request, **board_context(found, public=True))


FOLLOWUP_ROUTES: list[Any] = [FollowupApi, ReportingApi, FollowupPages]
