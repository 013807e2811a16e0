"""Handlers of an agency's reporting link: the phone page a responsible person opens from the
link or its QR code, with no account, and the report it sends (the rules live in
followup/reports.py and followup/links.py).

Thin: read the form, call one use case, answer. The page's script (static/pages/reporting.js)
keeps each report in an outbox on the phone and sends it as multipart/form-data with
`X-Requested-With: fetch`: the answer is JSON (201 stored, 200 already stored under its
client key; a refusal is 4xx with the English code, the Thai message and the field it is
about). Without JavaScript the same form posts and the page comes back, with the message
next to the field or with "sent".
"""

from __future__ import annotations

import secrets
from typing import Any

from litestar import Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.params import FromPath
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from assembly.errors import DomainError, InvalidInput
from assembly.i18n import translate
from assembly.timeutil import thai_today
from assembly.web.context import CurrentRuntime
from assembly.web.forms import row_id
from assembly.web.rendering import is_fetch, page, see_other, thai_day
from followup import reports
from followup.photos import MAX_PHOTO_BYTES, MAX_PHOTOS, invalid_photo

REPORT_MAX_BYTES = MAX_PHOTOS * MAX_PHOTO_BYTES + 256 * 1024
"""Two full-size photos and the text around them (the page's script shrinks photos to about
300 KB each before they wait in the outbox; a form sent without it carries the originals)."""
TEXT_FIELDS = (
    "status",
    "done",
    "people_reached",
    "money_spent",
    "value",
    "measured_on",
    "source",
    "note",
    "worked",
    "not_worked",
    "change",
)
FIELD_OF_CODE = {
    "invalid_status": "status",
    "invalid_date": "measured_on",
    "measured_in_future": "measured_on",
    "measured_too_early": "measured_on",
    "invalid_photo": "photos",
    "photo_too_large": "photos",
    "too_many_photos": "photos",
    "invalid_round": "round",
}
"""Refusals whose use case names no field: the field the message belongs next to."""
LINK_REFUSALS = ("invalid_link", "link_revoked")
NO_STORE = {"Cache-Control": "no-store, private"}
"""The page and its answers carry the link's agency and its reports: no cache keeps them."""


def _field(exc: DomainError) -> str | None:
    named = exc.params.get("field")
    return str(named) if named else FIELD_OF_CODE.get(exc.code)


async def _page_context(runtime: Any, token: str) -> dict[str, Any]:
    view = await reports.reporting_view(runtime, token=token)
    labels = {r["number"]: r["label"] for r in view["rounds"]}
    current = next((r for r in view["rounds"] if r["number"] == view["current_round"]), None)
    return {
        "view": view,
        "token": token,
        "current": current,
        "due_text": thai_day(current["due"]) if current else "",
        "round_labels": labels,
        "deadline_text": thai_day,
        "today": thai_today().isoformat(),
        "max_photos": MAX_PHOTOS,
        # A key per form: a plain form sent twice (a double tap) is stored once too.
        "client_keys": {t["id"]: secrets.token_urlsafe(16) for t in view["targets"]},
        "max_photo_mb": MAX_PHOTO_BYTES // (1024 * 1024),
    }


@get("/r/{token:str}", include_in_schema=False, response_headers=NO_STORE)
async def reporting_page(
    request: Request[Any, Any, Any], runtime: CurrentRuntime, token: FromPath[str]
) -> Response[Any]:
    """The agency's own activities and indicators, the round a report goes to and its due
    date, and a form for each; an unknown link is 404 and a revoked one 403, in Thai."""
    context = await _page_context(runtime, token)
    sent = request.query_params.get("sent", "")
    return page("reporting.html", request, sent=sent, **context)


async def _photos(form: Any) -> list[bytes]:
    """The chosen photos' bytes; an empty file input sends an empty part, which is no photo."""
    photos = []
    for part in form.getall("photos", []):
        if isinstance(part, UploadFile):
            data = await part.read()
            if data:
                photos.append(data)
        elif part:  # text where a file belongs
            raise invalid_photo()
    return photos


def _target_id(form: Any) -> int:
    number = row_id(form.get("target_id", ""))
    if number is None:
        raise InvalidInput("target_not_found", "This target does not exist.")
    return number


def _round(form: Any) -> int | None:
    """The round chosen (a late report for last quarter); blank: the use case's default."""
    raw = str(form.get("round", "")).strip()
    if not raw:
        return None
    number = row_id(raw)
    if number is None:
        raise InvalidInput("invalid_round", "Choose one of the reporting rounds.")
    return number


@post(
    "/r/{token:str}/reports",
    include_in_schema=False,
    request_max_body_size=REPORT_MAX_BYTES,
    response_headers=NO_STORE,
)
async def send_report(
    request: Request[Any, Any, Any], runtime: CurrentRuntime, token: FromPath[str]
) -> Response[Any]:
    """One report (multipart/form-data: target_id, client_key, the fields of its kind, up to
    two `photos`), stored once per client key."""
    form = await request.form()
    given = {name: str(form.get(name, "")) for name in TEXT_FIELDS}
    try:
        target_id = _target_id(form)
        photos = await _photos(form)
        stored = await reports.submit_report(
            runtime,
            token=token,
            target_id=target_id,
            round_number=_round(form),
            client_key=str(form.get("client_key", "")).strip() or None,
            photos=photos,
            **given,
        )
    except DomainError as exc:
        message = translate(exc.message, **exc.params)
        field = _field(exc)
        if exc.code in LINK_REFUSALS:
            raise  # the error page, or JSON to the script: nothing about the agency
        if is_fetch(request):
            body = {"error": exc.code, "message": message, "field": field}
            return Response(body, status_code=exc.status_code)
        context = await _page_context(runtime, token)
        refused = {"target_id": form.get("target_id"), "field": field, "message": message}
        return page(
            "reporting.html",
            request,
            status_code=exc.status_code,
            refused=refused,
            given=given,
            **context,
        )
    if is_fetch(request):
        status = HTTP_201_CREATED if stored["stored"] else HTTP_200_OK
        return Response(stored, status_code=status)
    return see_other(f"/r/{token}?sent={stored['target_id']}")


@get("/r/{token:str}/photos/{photo_id:int}", include_in_schema=False)
async def reported_photo(
    runtime: CurrentRuntime, token: FromPath[str], photo_id: FromPath[int]
) -> Response[bytes]:
    """A photo of the agency's own report as the server keeps it: a JPEG it made itself, sent
    as image/jpeg whatever was uploaded (no EXIF, no location)."""
    photo = await reports.reporter_photo(runtime, token=token, photo_id=photo_id)
    return Response(
        photo.data,
        media_type="image/jpeg",
        headers={"Cache-Control": "no-store", "Content-Disposition": "inline"},
    )


REPORTING_ROUTES = [reporting_page, send_report, reported_photo]
