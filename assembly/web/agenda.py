"""Handlers of the draft and adopt steps and of the agenda export.

Thin: parse, call one use case of `deliberation.agenda.drafting`, `deliberation.agenda.consent` or
`deliberation.agenda.gather`, answer. JSON under /api/v1/assemblies/{id}/agenda; plain forms under
/a/{id}/agenda/... (phones) and /console/{id}/agenda/... (facilitators) that redirect, or answer
204 to the page's JavaScript; downloads under /organize/{id}/export.* (staff of the assembly).
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from typing import Any

from litestar import Controller, Request, Response, get, patch, post
from litestar.params import FromPath, JSONBody
from litestar.response import Template
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from assembly.errors import NotFound
from assembly.i18n import translate
from assembly.runtime import Runtime
from assembly.services import Actor
from assembly.steps import Role
from assembly.web.context import CurrentActor, CurrentRuntime, RowId
from assembly.web.forms import Form, arguments, checked, form_body
from assembly.web.rendering import DOCX, checked_snapshot, done, download, page
from deliberation.agenda import consent, drafting
from deliberation.agenda.archive import export_archive
from deliberation.agenda.attendance import attendance_csv, attendance_layout, attendance_sheet
from deliberation.agenda.document import agenda_title, missing_parts
from deliberation.agenda.gather import (
    APPROVAL_FIELDS,
    CSV_TABLES,
    agenda_csv,
    method_name,
    save_document_settings,
    save_emblem,
)
from deliberation.agenda.pdf import convert_to_pdf, no_pdf, pdf_converter
from deliberation.agenda.render_docx import (
    render_announcement_docx,
    render_blocks_docx,
    render_docx,
)
from deliberation.agenda.render_html import html_page, render_html
from deliberation.agenda.render_markdown import render_markdown
from followup.continuity import agenda_document_year_on_year
from voting.services import votes_overview


@dataclass
class ItemsBody:
    issue_ids: list[RowId] = field(default_factory=list)
    top: int | None = None
    """Take the n best-ranked issues of the issues vote."""
    title: str | None = None
    """An item of its own, not from an issue."""


@dataclass
class ItemBody:
    version: int
    """The item's version the edit was made on: an older one is refused with 409 stale_edit."""
    title: str | None = None
    goal: str | None = None
    virtues: list[str] | None = None
    plans: list[dict[str, Any]] | None = None
    indicators: list[dict[str, Any]] | None = None
    mechanism: list[dict[str, Any]] | None = None


@dataclass
class SuggestionBody:
    part: str
    text: str
    client_key: str | None = None


@dataclass
class GroupBody:
    item_id: RowId | None = None


@dataclass
class ConsentBody:
    answer: str
    reason: str = ""


@dataclass
class AdoptBody:
    adopted: bool = True


@dataclass
class HandlingBody:
    handling: str
    """amended, answered (with `note`, the answer given), withdrawn, or "" (not yet)."""
    note: str = ""


@dataclass
class RuleBody:
    rule: str
    """no_objection, or threshold (with `threshold`, per cent in every network)."""
    threshold: int | None = None


def _stale_response(exc: drafting.StaleEdit) -> Response[Any]:
    return Response(
        {
            "error": exc.code,
            "message": translate(exc.message),
            "current": exc.current,
            "yours": exc.yours,
            "kept_suggestion_id": exc.kept,
        },
        status_code=exc.status_code,
    )


# ---------------------------------------------------------------- use cases (API and forms)


async def create_items(
    runtime: Runtime, actor: Actor, assembly_id: int, data: ItemsBody
) -> list[dict[str, Any]]:
    return await drafting.create_agenda_items(
        runtime,
        actor=actor,
        assembly_id=assembly_id,
        issue_ids=list(data.issue_ids),
        top=data.top,
        title=data.title,
    )


async def edit_item(
    runtime: Runtime, actor: Actor, assembly_id: int, item_id: int, data: ItemBody
) -> dict[str, Any]:
    """Only the parts given change."""
    content = {
        key: getattr(data, key)
        for key in ("title", "goal", "virtues", "plans", "indicators", "mechanism")
        if getattr(data, key) is not None
    }
    return await drafting.edit_agenda_item(
        runtime,
        actor=actor,
        assembly_id=assembly_id,
        item_id=item_id,
        version=data.version,
        content=content,
    )


async def choose_group(
    runtime: Runtime, actor: Actor, assembly_id: int, data: GroupBody
) -> int | None:
    return await drafting.choose_working_group(
        runtime, actor=actor, assembly_id=assembly_id, item_id=data.item_id
    )


async def suggest(
    runtime: Runtime, actor: Actor, assembly_id: int, item_id: int, data: SuggestionBody
) -> dict[str, Any]:
    return await drafting.suggest(
        runtime, actor=actor, assembly_id=assembly_id, item_id=item_id, **arguments(data)
    )


async def give_consent(
    runtime: Runtime, actor: Actor, assembly_id: int, item_id: int, data: ConsentBody
) -> dict[str, Any]:
    return await consent.give_consent(
        runtime, actor=actor, assembly_id=assembly_id, item_id=item_id, **arguments(data)
    )


async def adopt(
    runtime: Runtime, actor: Actor, assembly_id: int, item_id: int, data: AdoptBody
) -> dict[str, Any]:
    return await consent.set_adopted(
        runtime, actor=actor, assembly_id=assembly_id, item_id=item_id, adopted=data.adopted
    )


async def handle_objection(
    runtime: Runtime, actor: Actor, assembly_id: int, objection_id: int, data: HandlingBody
) -> dict[str, Any]:
    return await consent.handle_objection(
        runtime, actor=actor, assembly_id=assembly_id, objection_id=objection_id, **arguments(data)
    )


async def set_rule(
    runtime: Runtime, actor: Actor, assembly_id: int, data: RuleBody
) -> dict[str, Any]:
    return await consent.set_adoption_rule(
        runtime, actor=actor, assembly_id=assembly_id, **arguments(data)
    )


async def change_suggestion(
    rt: Runtime, actor: Actor, assembly_id: int, suggestion_id: int, change: str
) -> dict[str, Any]:
    if change == "support":
        return await drafting.support_suggestion(
            rt, actor=actor, assembly_id=assembly_id, suggestion_id=suggestion_id
        )
    if change in ("accept", "dismiss"):
        return await drafting.accept_suggestion(
            rt,
            actor=actor,
            assembly_id=assembly_id,
            suggestion_id=suggestion_id,
            accept=change == "accept",
        )
    raise NotFound("not_found", "This page does not exist.")


class AgendaApi(Controller):
    path = "/api/v1/assemblies/{assembly_id:int}/agenda"
    tags = ["agenda"]

    @get("/")
    async def read(
        self, runtime: CurrentRuntime, actor: CurrentActor, assembly_id: FromPath[int]
    ) -> dict[str, Any]:
        return await drafting.read_agenda(runtime, actor=actor, assembly_id=assembly_id)

    @post("/items", status_code=HTTP_201_CREATED)
    async def create_items(
        self,
        runtime: CurrentRuntime,
        actor: CurrentActor,
        assembly_id: FromPath[int],
        data: JSONBody[ItemsBody],
    ) -> list[dict[str, Any]]:
        return await create_items(runtime, actor, assembly_id, data)

    @patch("/items/{item_id:int}")
    async def edit_item(
        self,
        runtime: CurrentRuntime,
        actor: CurrentActor,
        assembly_id: FromPath[int],
        item_id: FromPath[int],
        data: JSONBody[ItemBody],
    ) -> Response[Any]:
        """Only the fields given change. 409 `stale_edit` carries `current` (the item now),
        `yours` (what was sent, cleaned) and `kept_suggestion_id` (where yours is kept)."""
        try:
            item = await edit_item(runtime, actor, assembly_id, item_id, data)
        except drafting.StaleEdit as exc:
            return _stale_response(exc)
        return Response(item, status_code=HTTP_200_OK)

    @post("/items/{item_id:int}/remove", status_code=HTTP_200_OK)
    async def remove_item(
        self,
        runtime: CurrentRuntime,
        actor: CurrentActor,
        assembly_id: FromPath[int],
        item_id: FromPath[int],
    ) -> dict[str, Any]:
        await drafting.remove_agenda_item(
            runtime, actor=actor, assembly_id=assembly_id, item_id=item_id
        )
        return {"removed": item_id}

    @post("/group", status_code=HTTP_200_OK)
    async def choose_group(
        self,
        runtime: CurrentRuntime,
        actor: CurrentActor,
        assembly_id: FromPath[int],
        data: JSONBody[GroupBody],
    ) -> dict[str, Any]:
        return {"item_id": await choose_group(runtime, actor, assembly_id, data)}

    @post("/items/{item_id:int}/suggestions", status_code=HTTP_201_CREATED)
    async def suggest(
        self,
        runtime: CurrentRuntime,
        actor: CurrentActor,
        assembly_id: FromPath[int],
        item_id: FromPath[int],
        data: JSONBody[SuggestionBody],
    ) -> dict[str, Any]:
        return await suggest(runtime, actor, assembly_id, item_id, data)

    @post("/suggestions/{suggestion_id:int}/{change:str}", status_code=HTTP_200_OK)
    async def change_suggestion(
        self,
        runtime: CurrentRuntime,
        actor: CurrentActor,
        assembly_id: FromPath[int],
        suggestion_id: FromPath[int],
        change: FromPath[str],
    ) -> dict[str, Any]:
        """`support` (participants), `accept` or `dismiss` (facilitators)."""
        return await change_suggestion(runtime, actor, assembly_id, suggestion_id, change)

    @post("/items/{item_id:int}/consent", status_code=HTTP_200_OK)
    async def give_consent(
        self,
        runtime: CurrentRuntime,
        actor: CurrentActor,
        assembly_id: FromPath[int],
        item_id: FromPath[int],
        data: JSONBody[ConsentBody],
    ) -> dict[str, Any]:
        return await give_consent(runtime, actor, assembly_id, item_id, data)

    @post("/items/{item_id:int}/adopt", status_code=HTTP_200_OK)
    async def adopt(
        self,
        runtime: CurrentRuntime,
        actor: CurrentActor,
        assembly_id: FromPath[int],
        item_id: FromPath[int],
        data: JSONBody[AdoptBody],
    ) -> dict[str, Any]:
        return await adopt(runtime, actor, assembly_id, item_id, data)

    @post("/objections/{objection_id:int}", status_code=HTTP_200_OK)
    async def handle_objection(
        self,
        runtime: CurrentRuntime,
        actor: CurrentActor,
        assembly_id: FromPath[int],
        objection_id: FromPath[int],
        data: JSONBody[HandlingBody],
    ) -> dict[str, Any]:
        """How the facilitator handled one objection (the id is in the consent results)."""
        return await handle_objection(runtime, actor, assembly_id, objection_id, data)

    @post("/rule", status_code=HTTP_200_OK)
    async def set_rule(
        self,
        runtime: CurrentRuntime,
        actor: CurrentActor,
        assembly_id: FromPath[int],
        data: JSONBody[RuleBody],
    ) -> dict[str, Any]:
        """The adoption rule, enforced when an item is adopted (409 adoption_rule_not_met)."""
        return await set_rule(runtime, actor, assembly_id, data)

    @get("/document")
    async def document(
        self, runtime: CurrentRuntime, actor: CurrentActor, assembly_id: FromPath[int]
    ) -> dict[str, Any]:
        """What the exported document would contain: its title and what is still missing."""
        doc = await agenda_document_year_on_year(runtime, actor=actor, assembly_id=assembly_id)
        return {
            "title": agenda_title(doc.cover),
            "items": len(doc.items),
            "adopted": sum(item.adopted for item in doc.items),
            "missing": missing_parts(doc),
        }


class AgendaPages(Controller):
    include_in_schema = False

    # ------------------------------------------------------------ phones

    @post("/a/{assembly_id:int}/agenda/group")
    async def choose_group(
        self,
        request: Request[Any, Any, Any],
        runtime: CurrentRuntime,
        actor: CurrentActor,
        assembly_id: FromPath[int],
        data: Form,
    ) -> Response[Any]:
        await choose_group(runtime, actor, assembly_id, form_body(GroupBody, data))
        return done(request, f"/a/{assembly_id}#agenda")

    @post("/a/{assembly_id:int}/agenda/items/{item_id:int}/suggestions")
    async def suggest(
        self,
        request: Request[Any, Any, Any],
        runtime: CurrentRuntime,
        actor: CurrentActor,
        assembly_id: FromPath[int],
        item_id: FromPath[int],
        data: Form,
    ) -> Response[Any]:
        await suggest(runtime, actor, assembly_id, item_id, form_body(SuggestionBody, data))
        return done(request, f"/a/{assembly_id}#item-{item_id}")

    @post("/a/{assembly_id:int}/agenda/suggestions/{suggestion_id:int}/support")
    async def support(
        self,
        request: Request[Any, Any, Any],
        runtime: CurrentRuntime,
        actor: CurrentActor,
        assembly_id: FromPath[int],
        suggestion_id: FromPath[int],
    ) -> Response[Any]:
        await drafting.support_suggestion(
            runtime, actor=actor, assembly_id=assembly_id, suggestion_id=suggestion_id
        )
        return done(request, f"/a/{assembly_id}#agenda")

    @post("/a/{assembly_id:int}/agenda/items/{item_id:int}/consent")
    async def give_consent(
        self,
        request: Request[Any, Any, Any],
        runtime: CurrentRuntime,
        actor: CurrentActor,
        assembly_id: FromPath[int],
        item_id: FromPath[int],
        data: Form,
    ) -> Response[Any]:
        await give_consent(runtime, actor, assembly_id, item_id, form_body(ConsentBody, data))
        return done(request, f"/a/{assembly_id}#consent-{item_id}")

    # ------------------------------------------------------------ console

    @post("/console/{assembly_id:int}/agenda/items")
    async def create_items(
        self,
        request: Request[Any, Any, Any],
        runtime: CurrentRuntime,
        actor: CurrentActor,
        assembly_id: FromPath[int],
        data: Form,
    ) -> Response[Any]:
        issue_ids = [
            int(key.removeprefix("issue-"))
            for key, value in data.items()
            if key.startswith("issue-") and key.removeprefix("issue-").isdigit() and value
        ]
        body = form_body(ItemsBody, data, issue_ids=issue_ids)
        await create_items(runtime, actor, assembly_id, body)
        return done(request, f"/console/{assembly_id}#agenda")

    @post("/console/{assembly_id:int}/agenda/items/{item_id:int}")
    async def edit_item(
        self,
        request: Request[Any, Any, Any],
        runtime: CurrentRuntime,
        actor: CurrentActor,
        assembly_id: FromPath[int],
        item_id: FromPath[int],
        data: Form,
    ) -> Response[Any]:
        body = form_body(ItemBody, data, **drafting.content_from_form(data))
        await edit_item(runtime, actor, assembly_id, item_id, body)
        return done(request, f"/console/{assembly_id}#item-{item_id}")

    @post("/console/{assembly_id:int}/agenda/items/{item_id:int}/remove")
    async def remove_item(
        self,
        request: Request[Any, Any, Any],
        runtime: CurrentRuntime,
        actor: CurrentActor,
        assembly_id: FromPath[int],
        item_id: FromPath[int],
    ) -> Response[Any]:
        await drafting.remove_agenda_item(
            runtime, actor=actor, assembly_id=assembly_id, item_id=item_id
        )
        return done(request, f"/console/{assembly_id}#agenda")

    @post("/console/{assembly_id:int}/agenda/items/{item_id:int}/adopt")
    async def adopt(
        self,
        request: Request[Any, Any, Any],
        runtime: CurrentRuntime,
        actor: CurrentActor,
        assembly_id: FromPath[int],
        item_id: FromPath[int],
        data: Form,
    ) -> Response[Any]:
        await adopt(runtime, actor, assembly_id, item_id, form_body(AdoptBody, data))
        return done(request, f"/console/{assembly_id}#consent-{item_id}")

    @post("/console/{assembly_id:int}/agenda/objections/{objection_id:int}")
    async def handle_objection(
        self,
        request: Request[Any, Any, Any],
        runtime: CurrentRuntime,
        actor: CurrentActor,
        assembly_id: FromPath[int],
        objection_id: FromPath[int],
        data: Form,
    ) -> Response[Any]:
        result = await handle_objection(
            runtime, actor, assembly_id, objection_id, form_body(HandlingBody, data)
        )
        return done(request, f"/console/{assembly_id}#consent-{result['item_id']}")

    @post("/console/{assembly_id:int}/agenda/rule")
    async def set_rule(
        self,
        request: Request[Any, Any, Any],
        runtime: CurrentRuntime,
        actor: CurrentActor,
        assembly_id: FromPath[int],
        data: Form,
    ) -> Response[Any]:
        await set_rule(runtime, actor, assembly_id, form_body(RuleBody, data))
        return done(request, f"/console/{assembly_id}#agenda")

    @post("/console/{assembly_id:int}/agenda/suggestions/{suggestion_id:int}/{change:str}")
    async def change_suggestion(
        self,
        request: Request[Any, Any, Any],
        runtime: CurrentRuntime,
        actor: CurrentActor,
        assembly_id: FromPath[int],
        suggestion_id: FromPath[int],
        change: FromPath[str],
    ) -> Response[Any]:
        await change_suggestion(runtime, actor, assembly_id, suggestion_id, change)
        return done(request, f"/console/{assembly_id}#agenda")

    # ------------------------------------------------------------ export

    @get("/organize/{assembly_id:int}/export")
    async def export_page(
        self,
        request: Request[Any, Any, Any],
        runtime: CurrentRuntime,
        actor: CurrentActor,
        assembly_id: FromPath[int],
    ) -> Template:
        snap = await checked_snapshot(runtime, actor, assembly_id)
        doc = await agenda_document_year_on_year(runtime, actor=actor, assembly_id=assembly_id)
        from deliberation.agenda.gather import read_document_settings

        return page(
            "export.html",
            request,
            state=snap.state,
            user=actor.user,
            title=agenda_title(doc.cover),
            missing=missing_parts(doc),
            items=len(doc.items),
            adopted=sum(item.adopted for item in doc.items),
            settings=await read_document_settings(runtime, assembly_id=assembly_id),
            can_manage=snap.standing.role == Role.ORGANIZER,
            tables=CSV_TABLES,
            pdf=pdf_converter(runtime) is not None,
            votes=[
                {**vote, "method": method_name(vote["method"], vote["params"])}
                for vote in await votes_overview(runtime, actor=actor, assembly_id=assembly_id)
            ],
        )

    @post("/organize/{assembly_id:int}/export/settings")
    async def save_settings(
        self,
        request: Request[Any, Any, Any],
        runtime: CurrentRuntime,
        actor: CurrentActor,
        assembly_id: FromPath[int],
        data: Form,
    ) -> Response[Any]:
        await save_document_settings(
            runtime,
            actor=actor,
            assembly_id=assembly_id,
            background=data.get("background", ""),
            organizer=data.get("organizer", ""),
            thai_numerals=checked(data, "thai_numerals"),
            buddhist_era=checked(data, "buddhist_era"),
            annex=data.get("annex") or None,
            approval={key: data[key] for key in APPROVAL_FIELDS if key in data},
            announced_on=data.get("announced_on"),
        )
        return done(request, f"/organize/{assembly_id}/export")

    @post("/organize/{assembly_id:int}/export/emblem")
    async def save_emblem(
        self,
        request: Request[Any, Any, Any],
        runtime: CurrentRuntime,
        actor: CurrentActor,
        assembly_id: FromPath[int],
    ) -> Response[Any]:
        """The announcement's emblem: a multipart form with `emblem` (a PNG or JPEG file), or
        `remove` to take it out."""
        form = await request.form()
        upload = form.get("emblem")
        image: bytes | None = None
        if upload is not None and hasattr(upload, "read"):
            image = await upload.read() or None
        await save_emblem(
            runtime,
            actor=actor,
            assembly_id=assembly_id,
            image=image,
            remove=bool(form.get("remove")),
        )
        return done(request, f"/organize/{assembly_id}/export")

    @get("/organize/{assembly_id:int}/export/{filename:str}")
    async def export_table(
        self,
        runtime: CurrentRuntime,
        actor: CurrentActor,
        assembly_id: FromPath[int],
        filename: FromPath[str],
    ) -> Response[bytes]:
        """`proposals.csv`, `issues.csv`, `votes.csv` or `indicators.csv`."""
        table = filename.removesuffix(".csv")
        if not filename.endswith(".csv"):
            raise NotFound("not_found", "This page does not exist.")
        body = await agenda_csv(runtime, actor=actor, assembly_id=assembly_id, table=table)
        return download(body, "text/csv", f"agenda-{assembly_id}-{table}.csv")

    @get("/organize/{assembly_id:int}/{filename:str}")
    async def export(
        self,
        runtime: CurrentRuntime,
        actor: CurrentActor,
        assembly_id: FromPath[int],
        filename: FromPath[str],
    ) -> Response[bytes]:
        """`export.docx`, `export.html`, `export.md`, `export.json` (the assembly, anonymised),
        `export-full.json` (organizer only: everything, for `samatcha import-archive`) and
        `export.pdf` (where LibreOffice is installed)."""
        body, media, name = await export_file(runtime, actor, assembly_id, filename)
        inline = filename in ("export.html", "attendance.html")
        return download(body, media, name, inline=inline)


async def export_file(
    rt: Runtime, actor: Actor, assembly_id: int, filename: str
) -> tuple[bytes, str, str]:
    stem = f"agenda-{assembly_id}"
    if filename in ("export.json", "export-full.json"):
        # The anonymised archive for every staff member; the full one (personal data, who
        # voted what) only for the organizer, under a name that says so.
        full = filename == "export-full.json"
        archive = await export_archive(rt, actor=actor, assembly_id=assembly_id, full=full)
        body = json.dumps(archive, ensure_ascii=False, indent=1).encode("utf-8")
        name = (
            f"assembly-{assembly_id}-FULL-personal-data.json"
            if full
            else f"assembly-{assembly_id}.json"
        )
        return body, "application/json; charset=utf-8", name
    if filename.startswith("attendance."):
        sheet = await attendance_sheet(rt, actor=actor, assembly_id=assembly_id)
        title = "บัญชีรายชื่อผู้เข้าร่วม"
        if filename == "attendance.csv":
            return attendance_csv(sheet), "text/csv", f"attendance-{assembly_id}.csv"
        if filename == "attendance.html":
            return (
                html_page(title, attendance_layout(sheet)).encode("utf-8"),
                "text/html",
                f"attendance-{assembly_id}.html",
            )
        if filename == "attendance.docx":
            body = await asyncio.to_thread(
                render_blocks_docx,
                attendance_layout(sheet),
                title,
                thai_numerals=sheet.options.thai_numerals,
            )
            return body, DOCX, f"attendance-{assembly_id}.docx"
        raise NotFound("not_found", "This page does not exist.")
    if filename in ("announcement.docx", "announcement.pdf"):
        command = pdf_converter(rt)
        if filename.endswith(".pdf") and command is None:
            raise no_pdf()
        doc = await agenda_document_year_on_year(rt, actor=actor, assembly_id=assembly_id)
        body = await asyncio.to_thread(render_announcement_docx, doc)
        if filename.endswith(".docx"):
            return body, DOCX, f"announcement-{assembly_id}.docx"
        assert command is not None
        pdf = await convert_to_pdf(rt, command, body)
        return pdf, "application/pdf", f"announcement-{assembly_id}.pdf"
    kinds = {
        "export.docx": "docx",
        "export.html": "html",
        "export.md": "md",
        "export.pdf": "pdf",
    }
    kind = kinds.get(filename)
    if kind is None:
        raise NotFound("not_found", "This page does not exist.")
    command = pdf_converter(rt)
    if kind == "pdf" and command is None:
        raise no_pdf()
    doc = await agenda_document_year_on_year(rt, actor=actor, assembly_id=assembly_id)
    if kind == "html":
        return render_html(doc).encode("utf-8"), "text/html", f"{stem}.html"
    if kind == "md":
        return render_markdown(doc).encode("utf-8"), "text/markdown", f"{stem}.md"
    docx = await asyncio.to_thread(render_docx, doc)  # python-docx is CPU work: not on the loop
    if kind == "docx":
        return docx, DOCX, f"{stem}.docx"
    pdf = await convert_to_pdf(rt, command, docx)
    return pdf, "application/pdf", f"{stem}.pdf"


AGENDA_ROUTES: list[Any] = [AgendaApi, AgendaPages]
