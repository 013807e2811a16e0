"""What the page handlers share: rendering a page, answering a form, the join link and its QR.

Forms POST and redirect. The JavaScript module submits the same forms with
`X-Requested-With: fetch`, and then gets 204 instead of a redirect: the socket brings the change.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import segno
from litestar import Request, Response
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_204_NO_CONTENT, HTTP_303_SEE_OTHER

from assembly.models import Assembly
from assembly.runtime import Runtime
from assembly.security import new_token
from assembly.services import Actor, refusal_error
from assembly.steps import Action, refusal
from assembly.thai_format import thai_date
from assembly.web.context import runtime_of
from assembly.web.snapshots import Snapshot, build_snapshot


def thai_day(value: dt.date | str | None) -> str:
    """A date on a screen as a Thai hall reads it, ``15 ม.ค. พ.ศ. 2570``, never ISO; screens
    keep Arabic digits (documents use Thai ones)."""
    if not value:
        return ""
    day = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])
    return thai_date(day, thai_numerals=False, month="short")


DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def download(body: bytes, media: str, name: str, *, inline: bool = False) -> Response[bytes]:
    """A file to save (or, `inline`, to open in the browser), never kept by a cache: exports
    carry an assembly's own data."""
    disposition = "inline" if inline else "attachment"
    return Response(
        body,
        media_type=media,
        headers={
            "Content-Disposition": f'{disposition}; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )


def is_fetch(request: Request[Any, Any, Any]) -> bool:
    return request.headers.get("x-requested-with") == "fetch"


def done(request: Request[Any, Any, Any], path: str) -> Response[Any]:
    """A form's answer: back to `path`, or 204 to the page's JavaScript."""
    if is_fetch(request):
        return Response(None, status_code=HTTP_204_NO_CONTENT)
    return Redirect(path, status_code=HTTP_303_SEE_OTHER)


def see_other(path: str, **kwargs: Any) -> Redirect:
    return Redirect(path, status_code=HTTP_303_SEE_OTHER, **kwargs)


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


async def checked_snapshot(
    runtime: Runtime, actor: Actor, assembly_id: int, action: Action = Action.VIEW_CONSOLE
) -> Snapshot:
    """The snapshot behind a page or the API's state, refused as the rules table refuses
    `action` (staff pages: VIEW_CONSOLE)."""
    snap = await build_snapshot(runtime, assembly_id=assembly_id, actor=actor)
    reason = refusal(snap.standing.role, action)
    if reason is not None:
        raise refusal_error(reason, actor)
    return snap
