"""What every handler needs from a connection: the runtime, the actor, the language, cookies."""

from __future__ import annotations

import ipaddress
from typing import Annotated, Any
from urllib.parse import urlsplit

import msgspec
from litestar import Request
from litestar.connection import ASGIConnection
from litestar.datastructures import Cookie, State
from litestar.di import NamedDependency, Provide
from litestar.params import Parameter, SkipValidation

from assembly.errors import DomainError, Forbidden, NotFound, UnsupportedMediaType
from assembly.i18n import current_language, pick_language
from assembly.limits import Guesser
from assembly.runtime import Runtime
from assembly.security import issued_device_token, new_device_token, token_hash
from assembly.services import Actor, user_for_token

SESSION_COOKIE = "samatcha_session"
DEVICE_COOKIE = "samatcha_device"
LANGUAGE_COOKIE = "samatcha_lang"
DEVICE_COOKIE_MAX_AGE = 365 * 24 * 3600  # a phone keeps its seat across a multi-day assembly
SESSION_COOKIE_MAX_AGE = 14 * 24 * 3600


CurrentActor = NamedDependency[Actor]
"""Handler parameter `actor`: who sends the request, resolved once from its cookies."""
CurrentRuntime = NamedDependency[SkipValidation[Runtime]]
"""Handler parameter `runtime`: the database, the event sink and the settings of this app."""


def runtime_of(connection: ASGIConnection[Any, Any, Any, Any]) -> Runtime:
    rt: Runtime = connection.app.state.runtime
    return rt


def provide_runtime(state: State) -> Runtime:
    rt: Runtime = state.runtime
    return rt


async def provide_actor(request: Request[Any, Any, Any], runtime: SkipValidation[Runtime]) -> Actor:
    """Takes `runtime` (unused: `actor_of` reads it from the app) so that Litestar resolves the
    two dependencies one after the other: two independent ones are resolved in an anyio task
    group, a task per request, which was 5% of the server's CPU at 2,000 ballots/s."""
    return await actor_of(request)


DEPENDENCIES = {
    "runtime": Provide(provide_runtime, sync_to_thread=False),
    "actor": Provide(provide_actor),
}
"""The app's dependencies: every handler takes `runtime` and `actor` as parameters."""


async def actor_of(connection: ASGIConnection[Any, Any, Any, Any]) -> Actor:
    cached: Actor | None = connection.scope.get("state", {}).get("actor")
    if cached is not None:
        return cached
    token = connection.cookies.get(SESSION_COOKIE)
    user = await user_for_token(runtime_of(connection), token) if token else None
    # Only a token this server issued is a device: a made-up cookie is no one.
    device = issued_device_token(
        runtime_of(connection).device_key(), connection.cookies.get(DEVICE_COOKIE)
    )
    actor = Actor(user=user, device_hash=token_hash(device) if device else None)
    connection.scope.setdefault("state", {})["actor"] = actor
    return actor


def client_address(connection: ASGIConnection[Any, Any, Any, Any]) -> str:
    """The client's address for per-client limits; an IPv6 client is its /64, which one
    machine usually has whole."""
    host = connection.client.host if connection.client else ""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host or "unknown"
    if address.version == 6:
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def guesser_of(connection: ASGIConnection[Any, Any, Any, Any]) -> Guesser:
    """Who is trying a join or seat code, for the wrong-code limits."""
    device = connection.cookies.get(DEVICE_COOKIE)
    return Guesser(device=token_hash(device) if device else None, client=client_address(connection))


def set_language(connection: ASGIConnection[Any, Any, Any, Any]) -> str:
    language = pick_language(
        connection.query_params.get("lang"), connection.cookies.get(LANGUAGE_COOKIE)
    )
    current_language.set(language)
    return language


# The JSON API's defence against cross-site requests: a state-changing request carries JSON
# (which no cross-site form can send without a CORS preflight, and none is granted) or no body,
# and a request carrying our cookies from a page of another origin is refused outright.
JSON_MEDIA_TYPE = "application/json"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
UPLOAD_OPT = "takes_upload"
"""`opt` key of the API handlers that take a multipart file upload instead of JSON."""


# Row ids are 32-bit integers in PostgreSQL: a larger id in a path names nothing, and is refused
# as such before the query overflows (SQLite and asyncpg both raise on it).
MAX_ROW_ID = 2**31 - 1
RowId = Annotated[int, msgspec.Meta(ge=1, le=MAX_ROW_ID), Parameter(ge=1, le=MAX_ROW_ID)]
"""An id in a JSON body: refused with 400 when out of range (msgspec), and the range documented
in the OpenAPI schema (Parameter)."""


MAX_REQUEST_BYTES = 1024 * 1024
"""The largest body a form or the JSON API takes: a whole agenda item with its plans and
indicators is a few KiB. Imports set a larger limit on their own handlers."""


class RequestTooLarge(DomainError):
    status_code = 413


def _body_limit(request: Request[Any, Any, Any]) -> int:
    own = request.route_handler.request_max_body_size  # set on the handler itself, or Empty
    return own if isinstance(own, int) else MAX_REQUEST_BYTES


async def before_request(request: Request[Any, Any, Any]) -> None:
    set_language(request)
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > _body_limit(request):
        raise RequestTooLarge("too_large", "This is too much to send at once.")
    if any(isinstance(v, int) and abs(v) > MAX_ROW_ID for v in request.path_params.values()):
        raise NotFound("not_found", "This page does not exist.")
    if request.url.path.startswith("/api/") and request.method not in SAFE_METHODS:
        check_api_request(request)


def _has_body(request: Request[Any, Any, Any]) -> bool:
    length = request.headers.get("content-length")
    if length is not None:
        return length.strip() not in ("", "0")
    return "transfer-encoding" in request.headers


def check_api_request(request: Request[Any, Any, Any]) -> None:
    """JSON or no body (multipart only where the handler takes an upload); no cookie-carrying
    request from another origin."""
    declared = request.headers.get("content-type")
    media = declared.split(";", 1)[0].strip().lower() if declared is not None else None
    upload = bool(request.route_handler.opt.get(UPLOAD_OPT)) and media == "multipart/form-data"
    if not upload and media != JSON_MEDIA_TYPE and (media or _has_body(request)):
        raise UnsupportedMediaType("json_only", "The API accepts JSON only.")
    origin = request.headers.get("origin")
    with_cookies = SESSION_COOKIE in request.cookies or DEVICE_COOKIE in request.cookies
    if origin is not None and with_cookies and not _same_origin(request, origin):
        raise Forbidden("cross_origin", "This request came from another website.")


def _same_origin(request: Request[Any, Any, Any], origin: str) -> bool:
    """The Origin names this server: as the browser reached it (Host), or its public URL."""
    netloc = urlsplit(origin.strip()).netloc.lower()
    if not netloc:
        return False  # "null": a sandboxed frame or a file
    public = urlsplit(runtime_of(request).settings.public_url).netloc.lower()
    return netloc in {request.headers.get("host", "").lower(), public} - {""}


def _cookie(request: Request[Any, Any, Any], key: str, value: str, max_age: int) -> Cookie:
    secure = runtime_of(request).settings.behind_tls
    return Cookie(
        key=key,
        value=value,
        max_age=max_age,
        httponly=True,
        samesite="lax",
        secure=secure,
        path="/",
    )


def device_token(request: Request[Any, Any, Any]) -> tuple[str, Cookie | None]:
    """The phone's device token, and the cookie to set when it has none this server issued
    (none yet, or one the client made up): the server always mints it (HttpOnly, SameSite=Lax,
    Secure behind TLS)."""
    key = runtime_of(request).device_key()
    existing = issued_device_token(key, request.cookies.get(DEVICE_COOKIE))
    if existing:
        return existing, None
    token = new_device_token(key)
    return token, _cookie(request, DEVICE_COOKIE, token, DEVICE_COOKIE_MAX_AGE)


def session_cookie(request: Request[Any, Any, Any], token: str) -> Cookie:
    return _cookie(request, SESSION_COOKIE, token, SESSION_COOKIE_MAX_AGE)


def cleared_session_cookie(request: Request[Any, Any, Any]) -> Cookie:
    return _cookie(request, SESSION_COOKIE, "", 0)
