"""The Litestar application factory."""

from __future__ import annotations

import asyncio
import base64
import gc
import hashlib
import logging
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from litestar import Litestar, Request, Response, get
from litestar.channels.backends.memory import MemoryChannelsBackend
from litestar.channels.backends.redis import RedisChannelsPubSubBackend
from litestar.config.compression import CompressionConfig
from litestar.config.csrf import CSRFConfig
from litestar.datastructures import State
from litestar.exceptions import HTTPException, PermissionDeniedException, ValidationException
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import YamlRenderPlugin
from litestar.params import FromPath, FromQuery
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.response import Redirect, Template
from litestar.static_files import create_static_files_router
from litestar.status_codes import HTTP_303_SEE_OTHER
from litestar.template import TemplateConfig

from assembly import services
from assembly.db import Database
from assembly.errors import DomainError
from assembly.i18n import LANGUAGES, current_language, gettext_, ngettext_, translate
from assembly.limits import Throttles
from assembly.runtime import Runtime
from assembly.settings import PROJECT_ROOT, Settings
from assembly.steps import STEP_KIND_LABELS, StepKind
from assembly.web.agenda import AGENDA_ROUTES
from assembly.web.api import AssemblyApi, SessionApi
from assembly.web.context import (
    DEPENDENCIES,
    LANGUAGE_COOKIE,
    MAX_REQUEST_BYTES,
    before_request,
)
from assembly.web.fanout import Hub, channels_plugin
from assembly.web.followup import FOLLOWUP_ROUTES
from assembly.web.headers import security_headers_hook
from assembly.web.last_year import LAST_YEAR_ROUTES
from assembly.web.live import (
    ChannelsSink,
    SocketCounts,
    live_socket,
    supervise_channels,
    watch_missed_events,
)
from assembly.web.openapi import document_api_errors
from assembly.web.pages import ParticipantPages, StaffPages
from assembly.web.paper import PAPER_ROUTES
from assembly.web.rendering import thai_day
from assembly.web.reporting import REPORTING_ROUTES
from assembly.web.review import REVIEW_ROUTES
from assembly.web.review import start_up as warm_up_text_processing
from assembly.web.seats import SEAT_ROUTES
from assembly.web.snapshots import StepViews
from assembly.web.voting import VOTING_ROUTES
from deliberation.agenda.render_html import STYLE as AGENDA_STYLE
from deliberation.vectors import pretokenise_recent
from voting.screens import network_favourites

logger = logging.getLogger("samatcha")

SUBSCRIBER_BACKLOG = 2_000  # events a slow phone may lag by before the oldest are dropped;
# it then sees a gap in sequence numbers and asks for a snapshot instead of falling further behind
LANGUAGE_COOKIE_MAX_AGE = 365 * 24 * 3600
# No inline scripts, nothing from another host, never inside another site's frame. Style
# attributes carry each network's colour (organizers choose it), so they are allowed; the only
# <style> element allowed is the printable agenda's own, by its hash (old browsers that do not
# know style-src-elem fall back to style-src).
_AGENDA_STYLE_SHA256 = base64.b64encode(hashlib.sha256(AGENDA_STYLE.encode()).digest()).decode()
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        f"style-src-elem 'self' 'sha256-{_AGENDA_STYLE_SHA256}'; style-src-attr 'unsafe-inline'; "
        "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; "
        "form-action 'self'; object-src 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}
GC_THRESHOLDS = (50_000, 20, 100)  # fewer young collections under a burst of requests
COMPRESS_FROM_BYTES = 1024  # a hall's Wi-Fi is the bottleneck, not the server's CPU
STEP_SWEEP_SECONDS = 2.0  # a step set to close at 0:00 closes within this much of it


def kind_templates() -> dict[str, list[str]]:
    """For each screen, the step kinds with a section of their own: `steps/<kind>.<screen>.html`.
    A phone in a step kind without one is told to follow the main screen."""
    folder = PROJECT_ROOT / "templates" / "steps"
    return {
        screen: [k.value for k in StepKind if (folder / f"{k.value}.{screen}.html").exists()]
        for screen in ("phone", "console", "presenter")
    }


def template_environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(PROJECT_ROOT / "templates"),
        autoescape=select_autoescape(["html", "svg"]),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_callables(gettext=gettext_, ngettext=ngettext_, newstyle=True)  # type: ignore[attr-defined]
    env.globals["current_language"] = current_language.get
    env.globals["step_kind_labels"] = STEP_KIND_LABELS
    env.globals["kind_templates"] = kind_templates()
    env.globals["network_favourites"] = network_favourites
    env.filters["thai_day"] = thai_day
    env.globals["features"] = sorted(
        path.stem for path in (PROJECT_ROOT / "static").glob("*.js") if path.stem != "samatcha"
    )
    # Thai stays readable UTF-8 (half the bytes of \u escapes); tojson still escapes < > & '.
    env.policies["json.dumps_kwargs"] = {"ensure_ascii": False, "default": str}
    return env


def _wants_json(request: Request[Any, Any, Any]) -> bool:
    return (
        request.url.path.startswith("/api/") or request.headers.get("x-requested-with") == "fetch"
    )


def _error_response(
    request: Request[Any, Any, Any], status: int, code: str, message: str, **extra: Any
) -> Response[Any]:
    if _wants_json(request):
        return Response({"error": code, "message": message, **extra}, status_code=status)
    referer = request.headers.get("referer", "")
    back = referer if referer.startswith(str(request.base_url)) else None
    context = {"request": request, "message": message, "code": code, "back": back}
    return Template("error.html", context=context, status_code=status)


def on_domain_error(request: Request[Any, Any, Any], exc: DomainError) -> Response[Any]:
    return _error_response(request, exc.status_code, exc.code, translate(exc.message, **exc.params))


def on_validation_error(request: Request[Any, Any, Any], exc: ValidationException) -> Response[Any]:
    return _error_response(
        request,
        400,
        "invalid_request",
        gettext_("The request is incomplete or malformed."),
        detail=exc.extra,
    )


def on_undecodable_body(request: Request[Any, Any, Any], exc: UnicodeDecodeError) -> Response[Any]:
    """Bytes that are not UTF-8 where text was promised (msgspec raises this, not a DecodeError,
    for a JSON body with invalid UTF-8): the sender's mistake, not ours."""
    message = gettext_("The request is incomplete or malformed.")
    return _error_response(request, 400, "invalid_encoding", message)


def on_recursion_error(request: Request[Any, Any, Any], exc: RecursionError) -> Response[Any]:
    """A JSON body nested deeper than the decoder follows (100,000 `[`): the sender's mistake,
    answered like any malformed body, with no traceback in the log. Any other RecursionError
    is a bug and handled as one."""
    if "deserializing" not in str(exc):
        return on_unexpected_error(request, exc)
    message = gettext_("The request is incomplete or malformed.")
    return _error_response(request, 400, "invalid_json", message)


_HTTP_CODES = {404: "not_found", 405: "method_not_allowed", 413: "too_large"}


def on_http_error(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    status = exc.status_code
    if isinstance(exc, PermissionDeniedException) and "CSRF" in str(exc.detail):
        message = gettext_("This page has expired. Please reload it and try again.")
        return _error_response(request, 403, "csrf_failed", message)
    if status >= 500:
        return _error_response(
            request, status, "server_error", gettext_("Something went wrong. Please try again.")
        )
    code = _HTTP_CODES.get(status, "bad_request")
    if status == 404:
        message = gettext_("This page does not exist.")
    elif status == 413:  # a body over the limit, refused while it was being read
        message = gettext_("This is too much to send at once.")
    else:
        message = gettext_("The request is incomplete or malformed.")
    return _error_response(request, status, code, message)


@get("/healthz", include_in_schema=False)
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@get("/lang/{language:str}", include_in_schema=False)
async def switch_language(
    request: Request[Any, Any, Any], language: FromPath[str], next: FromQuery[str] = "/"
) -> Response[Any]:
    """Remember the chosen language in a cookie and go back where the switch was pressed."""
    target = next if next.startswith("/") and not next.startswith("//") else "/"
    response = Redirect(target, status_code=HTTP_303_SEE_OTHER)
    if language in LANGUAGES:
        response.set_cookie(
            LANGUAGE_COOKIE,
            language,
            max_age=LANGUAGE_COOKIE_MAX_AGE,
            samesite="lax",
            httponly=True,
        )
    return response


def on_unexpected_error(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """A bug: log it whole, and still answer the person in their language."""
    # The route's template, not the path: a reporting link's path is its year-long secret.
    route = request.scope.get("path_template") or request.url.path
    logger.exception("unhandled error on %s %s", request.method, route, exc_info=exc)
    message = gettext_("Something went wrong. Please try again.")
    return _error_response(request, 500, "server_error", message)


def create_app(settings: Settings | None = None) -> Litestar:
    settings = settings or Settings.from_env()
    backend = (
        RedisChannelsPubSubBackend(
            redis=_redis(settings.redis_url), key_prefix=channel_prefix(settings)
        )
        if settings.redis_url
        else MemoryChannelsBackend()
    )
    channels = channels_plugin(
        backend,
        arbitrary_channels_allowed=True,
        subscriber_max_backlog=SUBSCRIBER_BACKLOG,
        subscriber_backlog_strategy="dropleft",
    )
    database = Database(
        settings.resolved_database_url, sqlite_synchronous=settings.sqlite_synchronous
    )
    runtime = Runtime(
        db=database,
        sink=ChannelsSink(channels),
        settings=settings,
        throttles=Throttles(settings.redis_url),
    )

    step_views = StepViews(runtime.sink, runtime)  # a step change's view, built once
    runtime.sink = step_views

    supervisor: list[asyncio.Task[None]] = []
    hub = Hub(channels, backlog=SUBSCRIBER_BACKLOG)

    def tune_garbage_collector() -> None:
        """Python's full collections paused ballot acknowledgements ~250 ms under load
        (benchmarks/ballots.py: p99 250 ms, 2,800/s; with this, p99 30 ms, 3,850/s). The objects
        alive after start-up live as long as the process: freeze them out of collections."""
        if gc.get_freeze_count() == 0:
            gc.collect()
            gc.freeze()
            gc.set_threshold(*GC_THRESHOLDS)

    async def start_supervisor() -> None:
        supervisor.append(asyncio.create_task(supervise_channels(channels)))
        supervisor.append(asyncio.create_task(watch_missed_events(hub, runtime)))
        supervisor.append(asyncio.create_task(close_steps_on_time(runtime)))
        supervisor.append(asyncio.create_task(pretokenise_recent(runtime)))

    async def stop() -> None:
        for task in supervisor:
            task.cancel()
        # Wait for them to unwind before the engines close: a task cancelled inside a read
        # rolls its session back on aiosqlite's thread, and after `dispose()` that answer
        # never comes, so shutdown hung (seen in tests that start and stop an app at once).
        await asyncio.gather(*supervisor, return_exceptions=True)
        await step_views.close()
        await runtime.throttles.close()
        await database.dispose()

    app = Litestar(
        route_handlers=[
            SessionApi,
            AssemblyApi,
            ParticipantPages,
            StaffPages,
            live_socket,
            *REVIEW_ROUTES,
            *VOTING_ROUTES,
            *AGENDA_ROUTES,
            *SEAT_ROUTES,
            *PAPER_ROUTES,
            *REPORTING_ROUTES,
            *LAST_YEAR_ROUTES,
            *FOLLOWUP_ROUTES,
            healthz,
            switch_language,
            create_static_files_router(
                path="/static", directories=[PROJECT_ROOT / "static"], cache_control=None
            ),
        ],
        plugins=[channels],
        dependencies=DEPENDENCIES,
        request_max_body_size=MAX_REQUEST_BYTES,  # chunked bodies too; imports allow more
        template_config=TemplateConfig(
            instance=JinjaTemplateEngine.from_environment(template_environment())
        ),
        openapi_config=OpenAPIConfig(
            title="Samatcha API",
            version="1",
            path="/schema",
            # The schema as data only: the browsable UIs load their scripts from a CDN.
            render_plugins=[YamlRenderPlugin()],
        ),
        exception_handlers={
            DomainError: on_domain_error,
            ValidationException: on_validation_error,
            UnicodeDecodeError: on_undecodable_body,
            RecursionError: on_recursion_error,
            HTTPException: on_http_error,
            Exception: on_unexpected_error,
        },
        csrf_config=CSRFConfig(
            secret=settings.resolved_secret_key(),
            # The JSON API takes only application/json (no cross-site form can send it) and
            # SameSite cookies; sockets check their Origin.
            exclude=["/api/", "/ws/"],
            cookie_httponly=True,
            cookie_secure=settings.behind_tls,
            cookie_samesite="lax",
        ),
        compression_config=CompressionConfig(backend="gzip", minimum_size=COMPRESS_FROM_BYTES),
        before_request=before_request,
        before_send=[security_headers_hook(SECURITY_HEADERS, behind_tls=settings.behind_tls)],
        on_startup=[tune_garbage_collector, start_supervisor, warm_up_text_processing],
        on_shutdown=[stop],
        state=State(
            {
                "runtime": runtime,
                "sockets": SocketCounts(),
                "hub": hub,
            }
        ),
    )
    document_api_errors(app)
    return app


async def close_steps_on_time(runtime: Runtime) -> None:
    """Close the steps whose timer ran out and that were opened to close by themselves. A
    failed round (the database busy a moment) is logged and the next one tries again."""
    while True:
        await asyncio.sleep(STEP_SWEEP_SECONDS)
        try:
            await services.close_due_steps(runtime)
        except asyncio.CancelledError:
            raise
        except Exception:
            logger.exception("closing steps whose time is up failed")


def channel_prefix(settings: Settings) -> str:
    """Redis pub/sub channels are global to a Redis server (not per database number): two
    installations (or test runs) sharing one Redis must not hear each other's assemblies, whose
    ids are the same small numbers. The database names the installation."""
    digest = hashlib.sha256(settings.resolved_database_url.encode()).hexdigest()[:12]
    return f"SAMATCHA_{digest}"


def _redis(url: str) -> Any:
    from redis.asyncio import Redis

    return Redis.from_url(url)
