"""Security headers on every response, including static files and unrouted 404s.

Litestar's `response_headers` reach route handlers only: a file under /static/ or a 404 for a
path no route knows went out without them. A `before_send` hook sees every response start.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

HSTS_SECONDS = 365 * 24 * 3600  # a year: the usual value once a site is sure it stays on HTTPS
NO_STORE_PREFIXES = ("/organize", "/console/", "/present/", "/followup/")
"""Staff pages show live join codes, seat codes, reporting links and names: never kept in a
browser's or a shared computer's cache, where the next user of the hall laptop could page back
to them. (A page that sets its own Cache-Control, a report's photo, keeps it.)"""

Hook = Callable[[Any, Any], Awaitable[None]]


def security_headers_hook(headers: Mapping[str, str], *, behind_tls: bool) -> Hook:
    """A before-send hook adding `headers` (and HSTS behind TLS) where a response lacks them."""
    always = [(k.lower().encode(), v.encode()) for k, v in headers.items()]
    if behind_tls:
        always.append((b"strict-transport-security", f"max-age={HSTS_SECONDS}".encode()))
    no_store = (b"cache-control", b"no-store")

    async def add_headers(message: Any, scope: Any) -> None:
        if message.get("type") != "http.response.start":
            return
        existing = list(message.get("headers") or [])
        present = {bytes(name).lower() for name, _ in existing}
        wanted = list(always)
        if scope.get("path", "").startswith(NO_STORE_PREFIXES):
            wanted.append(no_store)
        message["headers"] = existing + [(k, v) for k, v in wanted if k not in present]

    return add_headers
