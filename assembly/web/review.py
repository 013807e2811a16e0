"""Handlers of the review step: similar-while-typing, clustering, curation, imports.

Thin: parse, call one use case in deliberation.curation / deliberation.imports, answer. The
console's plain forms POST here and redirect (or answer 204 to `X-Requested-With: fetch`);
static/review.js uses the JSON API under /api/v1.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar import Controller, Request, Response, get, patch, post
from litestar.connection import ASGIConnection
from litestar.datastructures import UploadFile
from litestar.params import FromPath, FromQuery, JSONBody, MultipartBody
from litestar.response import Template
from litestar.status_codes import HTTP_200_OK
from litestar.types import ASGIApp, Receive, Scope, Send

from assembly.errors import DomainError, InvalidInput
from assembly.i18n import translate
from assembly.runtime import Runtime
from assembly.services import Actor
from assembly.steps import Action
from assembly.web.context import (
    MAX_ROW_ID,
    UPLOAD_OPT,
    CurrentActor,
    CurrentRuntime,
    RowId,
    actor_of,
    runtime_of,
    set_language,
)
from assembly.web.forms import Form, arguments, form_body
from assembly.web.rendering import checked_snapshot, done, page
from deliberation import curation
from deliberation.activity import hide_participant, recent_activity
from deliberation.imports import ImportReport, RowIssue, check_importer, import_proposals

UPLOAD_LIMIT = 32 * 1024 * 1024  # above the import's own 20 MB check, so it can say so in Thai


@dataclass
class SimilarBody:
    text: str = ""


@dataclass
class ClusterBody:
    granularity: float | None = None
    n_clusters: int | None = None
    version: int | None = None
    """The grouping version the facilitator saw; a newer one answers 409."""
    change: str | None = None
    """"fewer" or "more": nudge the last granularity."""


@dataclass
class GroupBody:
    version: int | None = None
    title: str | None = None
    hidden: bool | None = None
    is_issue: bool | None = None
    locked: bool | None = None


@dataclass
class MergeBody:
    into: RowId
    version: int | None = None
    into_version: int | None = None


@dataclass
class SplitBody:
    proposal_ids: list[RowId] | None = None
    version: int | None = None


def _nudge(change: str | None) -> int:
    if change in (None, "", "same"):
        return 0
    if change not in ("fewer", "more"):
        raise InvalidInput("invalid_change", "Choose fewer or more groups.")
    return -1 if change == "fewer" else 1


def _optional_int(value: Any, field: str) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise InvalidInput(f"invalid_{field}", "Please enter a number.")
    try:
        number = int(value)
    except (TypeError, ValueError) as exc:
        raise InvalidInput(f"invalid_{field}", "Please enter a number.") from exc
    if abs(number) > MAX_ROW_ID:  # no row has it, and the query would overflow
        raise InvalidInput(f"invalid_{field}", "Please enter a number.")
    return number


def _move_args(body: dict[str, Any]) -> dict[str, Any]:
    """{"group_id": id | null | "new", "from_group": id | null (optional)}."""
    target = body.get("group_id")
    args: dict[str, Any] = {"new_group": target == "new"}
    args["group_id"] = None if target == "new" else _optional_int(target, "group")
    if "from_group" in body:
        args["from_group_id"] = _optional_int(body["from_group"], "group")
    return args


def _target_args(target: Any) -> dict[str, Any]:
    """A move's target: a group id, None (the unsorted tray) or "new"."""
    return {
        "new_group": target == "new",
        "group_id": None if target == "new" else _optional_int(target, "group"),
    }


def _ids(values: list[Any]) -> list[int]:
    """Proposal ids from a form or a JSON list; an empty or non-numeric one is refused."""
    ids = [_optional_int(v, "proposal") for v in values[: curation.MAX_MOVED_AT_ONCE + 1]]
    if any(i is None for i in ids):
        raise InvalidInput("invalid_proposal", "Please enter a number.")
    return [i for i in ids if i is not None]


def report_view(report: ImportReport) -> dict[str, Any]:
    def issue(item: RowIssue) -> dict[str, Any]:
        return {
            "row": item.row,
            "error": item.code,
            "message": translate(item.message, **item.params),
            "text": item.text,
        }

    return {
        "filename": report.filename,
        "total_rows": report.total_rows,
        "imported": report.imported,
        "text_column": report.text_column,
        "network_column": report.network_column,
        "rejected": [issue(i) for i in report.rejected],
        "warnings": [issue(i) for i in report.warnings],
    }


async def _upload(data: dict[str, Any]) -> tuple[bytes, str]:
    upload = data.get("file")
    if not isinstance(upload, UploadFile):
        raise InvalidInput("file_required", "Please choose a CSV or XLSX file.")
    return await upload.read(), upload.filename or "upload.csv"


def importer_first(app: ASGIApp) -> ASGIApp:
    """Middleware of the upload handlers: who is asking is checked (401/403/404) before any
    byte of the upload is read. It runs outside the CSRF check, which reads a form's whole body
    to find its token; guards would run only after that."""

    async def check(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope.get("method") == "POST":
            connection: ASGIConnection[Any, Any, Any, Any] = ASGIConnection(scope)
            set_language(connection)
            assembly_id = connection.path_params["assembly_id"]
            if 1 <= assembly_id <= MAX_ROW_ID:  # before_request answers 404 for others
                actor = await actor_of(connection)
                await check_importer(runtime_of(connection), actor=actor, assembly_id=assembly_id)
        await app(scope, receive, send)

    return check


def _text(data: dict[str, Any], name: str) -> str | None:
    value = data.get(name)
    return value.strip() or None if isinstance(value, str) else None


# ---------------------------------------------------------------- use cases (API and forms)


async def similar(runtime: Runtime, actor: Actor, assembly_id: int, text: str) -> dict[str, Any]:
    found = await curation.similar_proposals(
        runtime, actor=actor, assembly_id=assembly_id, text=text
    )
    return {"similar": found}


async def cluster(
    runtime: Runtime, actor: Actor, assembly_id: int, data: ClusterBody | None
) -> dict[str, Any]:
    body = data or ClusterBody()
    return await curation.cluster_proposals(
        runtime,
        actor=actor,
        assembly_id=assembly_id,
        granularity=body.granularity,
        n_clusters=body.n_clusters,
        version=body.version,
        nudge=_nudge(body.change),
    )


async def update_group(
    runtime: Runtime, actor: Actor, assembly_id: int, group_id: int, data: GroupBody
) -> dict[str, Any]:
    return await curation.update_group(
        runtime, actor=actor, assembly_id=assembly_id, group_id=group_id, **arguments(data)
    )


async def merge(
    runtime: Runtime, actor: Actor, assembly_id: int, group_id: int, data: MergeBody
) -> dict[str, Any]:
    return await curation.merge_groups(
        runtime,
        actor=actor,
        assembly_id=assembly_id,
        group_id=group_id,
        into_group_id=data.into,
        version=data.version,
        into_version=data.into_version,
    )


async def split(
    runtime: Runtime, actor: Actor, assembly_id: int, group_id: int, data: SplitBody | None
) -> dict[str, Any]:
    body = data or SplitBody()
    return await curation.split_group(
        runtime,
        actor=actor,
        assembly_id=assembly_id,
        group_id=group_id,
        proposal_ids=body.proposal_ids or (),
        version=body.version,
    )


async def move(
    runtime: Runtime, actor: Actor, assembly_id: int, proposal_id: int, data: dict[str, Any]
) -> dict[str, Any]:
    """`data`: {"group_id": id | null (unsorted) | "new", "from_group": id | null}."""
    return await curation.move_proposal(
        runtime, actor=actor, assembly_id=assembly_id, proposal_id=proposal_id, **_move_args(data)
    )


async def move_many(
    runtime: Runtime, actor: Actor, assembly_id: int, proposal_ids: Any, target: Any
) -> dict[str, Any]:
    """Proposal ids (a list) to a group id, None (the unsorted tray) or "new"."""
    if not isinstance(proposal_ids, list):
        raise InvalidInput("invalid_proposal", "Please enter a number.")
    return await curation.move_proposals(
        runtime,
        actor=actor,
        assembly_id=assembly_id,
        proposal_ids=_ids(proposal_ids),
        **_target_args(target),
    )


async def import_file(
    runtime: Runtime, actor: Actor, assembly_id: int, data: dict[str, Any]
) -> ImportReport:
    content, filename = await _upload(data)
    return await import_proposals(
        runtime,
        actor=actor,
        assembly_id=assembly_id,
        data=content,
        filename=filename,
        text_column_name=_text(data, "text_column"),
        network_column_name=_text(data, "network_column"),
    )


class ReviewApi(Controller):
    path = "/api/v1/assemblies"
    tags = ["review"]

    @post("/{assembly_id:int}/similar", status_code=HTTP_200_OK)
    async def similar(
        self,
        runtime: CurrentRuntime,
        actor: CurrentActor,
        assembly_id: FromPath[int],
        data: JSONBody[SimilarBody],
    ) -> dict[str, Any]:
        """Up to three visible proposals that say what the draft says (typing pause: 400 ms)."""
        return await similar(runtime, actor, assembly_id, data.text)

    @get("/{assembly_id:int}/similar")
    async def similar_get(
        self,
        runtime: CurrentRuntime,
        actor: CurrentActor,
        assembly_id: FromPath[int],
        text: FromQuery[str] = "",
    ) -> dict[str, Any]:
        return await similar(runtime, actor, assembly_id, text)

    @get("/{assembly_id:int}/issues/{issue_id:int}/proposals")
    async def issue_proposals(
        self,
        runtime: CurrentRuntime,
        actor: CurrentActor,
        assembly_id: FromPath[int],
        issue_id: FromPath[int],
    ) -> dict[str, Any]:
        """An issue's visible proposals: what a phone shows when a participant opens it."""
        return await curation.issue_proposals(
            runtime, actor=actor, assembly_id=assembly_id, issue_id=issue_id
        )

    @get("/{assembly_id:int}/groups")
    async def groups(
        self, runtime: CurrentRuntime, actor: CurrentActor, assembly_id: FromPath[int]
    ) -> dict[str, Any]:
        return await curation.read_grouping(runtime, actor=actor, assembly_id=assembly_id)

    @post("/{assembly_id:int}/groups/cluster", status_code=HTTP_200_OK)
    async def cluster(
        self,
        runtime: CurrentRuntime,
        actor: CurrentActor,
        assembly_id: FromPath[int],
        data: JSONBody[ClusterBody | None] = None,
    ) -> dict[str, Any]:
        return await cluster(runtime, actor, assembly_id, data)

    @patch("/{assembly_id:int}/groups/{group_id:int}")
    async def update_group(
        self,
        runtime: CurrentRuntime,
        actor: CurrentActor,
        assembly_id: FromPath[int],
        group_id: FromPath[int],
        data: JSONBody[GroupBody],
    ) -> dict[str, Any]:
        return await update_group(runtime, actor, assembly_id, group_id, data)

    @post("/{assembly_id:int}/groups/{group_id:int}/merge", status_code=HTTP_200_OK)
    async def merge(
        self,
        runtime: CurrentRuntime,
        actor: CurrentActor,
        assembly_id: FromPath[int],
        group_id: FromPath[int],
        data: JSONBody[MergeBody],
    ) -> dict[str, Any]:
        return await merge(runtime, actor, assembly_id, group_id, data)

    @post("/{assembly_id:int}/groups/{group_id:int}/split", status_code=HTTP_200_OK)
    async def split(
        self,
        runtime: CurrentRuntime,
        actor: CurrentActor,
        assembly_id: FromPath[int],
        group_id: FromPath[int],
        data: JSONBody[SplitBody | None] = None,
    ) -> dict[str, Any]:
        return await split(runtime, actor, assembly_id, group_id, data)

    @post("/{assembly_id:int}/proposals/{proposal_id:int}/group", status_code=HTTP_200_OK)
    async def move(
        self,
        runtime: CurrentRuntime,
        actor: CurrentActor,
        assembly_id: FromPath[int],
        proposal_id: FromPath[int],
        data: JSONBody[dict[str, Any]],
    ) -> dict[str, Any]:
        """Body: {"group_id": id | null (unsorted) | "new", "from_group": id | null}."""
        return await move(runtime, actor, assembly_id, proposal_id, data)

    @post("/{assembly_id:int}/proposals/group", status_code=HTTP_200_OK)
    async def move_many(
        self,
        runtime: CurrentRuntime,
        actor: CurrentActor,
        assembly_id: FromPath[int],
        data: JSONBody[dict[str, Any]],
    ) -> dict[str, Any]:
        """Body: {"proposal_ids": [id, ...], "group_id": id | null (unsorted) | "new"}."""
        ids, target = data.get("proposal_ids"), data.get("group_id")
        return await move_many(runtime, actor, assembly_id, ids, target)

    @get("/{assembly_id:int}/activity")
    async def activity(
        self, runtime: CurrentRuntime, actor: CurrentActor, assembly_id: FromPath[int]
    ) -> dict[str, Any]:
        """Joins and proposals per minute, and participants who send in bursts (staff)."""
        return await recent_activity(runtime, actor=actor, assembly_id=assembly_id)

    @post("/{assembly_id:int}/participants/{participant_id:int}/hide", status_code=HTTP_200_OK)
    async def hide_participant(
        self,
        runtime: CurrentRuntime,
        actor: CurrentActor,
        assembly_id: FromPath[int],
        participant_id: FromPath[int],
    ) -> dict[str, Any]:
        """Hide every proposal of one participant (a flood from one seat), in one action."""
        return await hide_participant(
            runtime, actor=actor, assembly_id=assembly_id, participant_id=participant_id
        )

    @post(
        "/{assembly_id:int}/imports",
        status_code=HTTP_200_OK,
        request_max_body_size=UPLOAD_LIMIT,
        middleware=[importer_first],
        opt={UPLOAD_OPT: True},
    )
    async def import_file(
        self,
        runtime: CurrentRuntime,
        actor: CurrentActor,
        assembly_id: FromPath[int],
        data: MultipartBody[dict[str, Any]],
    ) -> dict[str, Any]:
        """Multipart: `file` (CSV or XLSX), optional `text_column`, `network_column`."""
        return report_view(await import_file(runtime, actor, assembly_id, data))


GROUP_FLAGS: dict[str, dict[str, bool]] = {
    "hide": {"hidden": True},
    "show": {"hidden": False},
    "issue": {"is_issue": True},
    "unissue": {"is_issue": False},
    "lock": {"locked": True},
    "unlock": {"locked": False},
}
"""The console's group buttons (`action`) that set one flag of the API's GroupBody."""


class ReviewPages(Controller):
    include_in_schema = False

    @post("/console/{assembly_id:int}/participants/{participant_id:int}/hide")
    async def hide_participant_form(
        self,
        request: Request[Any, Any, Any],
        runtime: CurrentRuntime,
        actor: CurrentActor,
        assembly_id: FromPath[int],
        participant_id: FromPath[int],
    ) -> Response[Any]:
        await hide_participant(
            runtime, actor=actor, assembly_id=assembly_id, participant_id=participant_id
        )
        return done(request, f"/console/{assembly_id}#activity")

    @get("/organize/{assembly_id:int}/import")
    async def import_form(
        self,
        request: Request[Any, Any, Any],
        runtime: CurrentRuntime,
        actor: CurrentActor,
        assembly_id: FromPath[int],
    ) -> Template:
        snap = await checked_snapshot(runtime, actor, assembly_id, Action.MANAGE_ASSEMBLY)
        return page(
            "import.html", request, state=snap.state, user=actor.user, report=None, error=None
        )

    @post(
        "/organize/{assembly_id:int}/import",
        request_max_body_size=UPLOAD_LIMIT,
        middleware=[importer_first],
    )
    async def import_upload(
        self,
        request: Request[Any, Any, Any],
        runtime: CurrentRuntime,
        actor: CurrentActor,
        assembly_id: FromPath[int],
        data: MultipartBody[dict[str, Any]],
    ) -> Template:
        """Render the per-row report; a file-level refusal re-renders the form with why."""
        snap = await checked_snapshot(runtime, actor, assembly_id, Action.MANAGE_ASSEMBLY)
        shown: dict[str, Any] = {"state": snap.state, "user": actor.user}
        try:
            report = await import_file(runtime, actor, assembly_id, data)
        except DomainError as error:
            why = {"code": error.code, "message": translate(error.message, **error.params)}
            return page("import.html", request, error.status_code, **shown, report=None, error=why)
        return page("import.html", request, **shown, report=report_view(report), error=None)

    @post("/console/{assembly_id:int}/groups/cluster")
    async def cluster(
        self,
        request: Request[Any, Any, Any],
        runtime: CurrentRuntime,
        actor: CurrentActor,
        assembly_id: FromPath[int],
        data: Form,
    ) -> Response[Any]:
        await cluster(runtime, actor, assembly_id, form_body(ClusterBody, data))
        return done(request, f"/console/{assembly_id}#groups")

    @post("/console/{assembly_id:int}/groups/{group_id:int}")
    async def curate(
        self,
        request: Request[Any, Any, Any],
        runtime: CurrentRuntime,
        actor: CurrentActor,
        assembly_id: FromPath[int],
        group_id: FromPath[int],
    ) -> Response[Any]:
        """One form per group; `action` says which change (the button pressed)."""
        form = await request.form()
        action = form.get("action") or ""
        where = (runtime, actor, assembly_id, group_id)
        if action == "rename":
            await update_group(*where, form_body(GroupBody, form, title=form.get("title")))
        elif action in GROUP_FLAGS:
            flag = GROUP_FLAGS[action]
            await update_group(*where, form_body(GroupBody, form, **flag, title=None))
        elif action == "merge":
            if _optional_int(form.get("into"), "group") is None:
                raise InvalidInput("merge_target_required", "Choose the group to merge into.")
            await merge(*where, form_body(MergeBody, form))
        elif action == "split":
            await split(*where, form_body(SplitBody, form))
        else:
            raise InvalidInput("invalid_action", "Unknown action.")
        return done(request, f"/console/{assembly_id}#g{group_id}")

    @post("/console/{assembly_id:int}/proposals/group")
    async def move_many(
        self,
        request: Request[Any, Any, Any],
        runtime: CurrentRuntime,
        actor: CurrentActor,
        assembly_id: FromPath[int],
    ) -> Response[Any]:
        """The board's "move the ticked proposals" form: `proposal_ids` (repeated), `group_id`."""
        form = await request.form()
        ids, target = list(form.getall("proposal_ids", [])), form.get("group_id") or None
        await move_many(runtime, actor, assembly_id, ids, target)
        return done(request, f"/console/{assembly_id}#groups")

    @post("/console/{assembly_id:int}/proposals/{proposal_id:int}/group")
    async def move(
        self,
        request: Request[Any, Any, Any],
        runtime: CurrentRuntime,
        actor: CurrentActor,
        assembly_id: FromPath[int],
        proposal_id: FromPath[int],
        data: Form,
    ) -> Response[Any]:
        await move(runtime, actor, assembly_id, proposal_id, dict(data))
        return done(request, f"/console/{assembly_id}#p{proposal_id}")


def start_up() -> None:
    """Load the embedder and the tokeniser in a background thread (app `on_startup`)."""
    from deliberation.vectors import warm_up

    warm_up()


REVIEW_ROUTES: list[Any] = [ReviewApi, ReviewPages]
