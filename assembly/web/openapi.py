"""What the OpenAPI schema says about errors: every /api/ operation can be refused by the shared
exception handlers of `assembly.web.app`, always with the same JSON envelope.

Litestar documents only a 400 with its own default body (`status_code`, `detail`), which is not
what the app answers; the fuzz test (tests/integration/test_api_fuzz.py) holds the schema to
the answers, so the envelope and the codes are declared here, once, for every operation.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar import Litestar
from litestar.openapi.datastructures import ResponseSpec
from litestar.routes import HTTPRoute


@dataclass
class ApiError:
    """The body of every refusal. Some codes add fields (a stale edit carries `current` and
    `yours`; a malformed request carries `detail`)."""

    error: str
    """An English code a client can branch on, e.g. `step_not_open`."""
    message: str
    """The same, for people, in the caller's language (Thai by default)."""


# Status codes the shared handlers answer with: a DomainError's own code (400 invalid input,
# 401 not logged in or joined, 403 not allowed, 404 no such thing, 409 conflict with the
# current state, 410 join closed, 415 not JSON, 429 too many attempts) and Litestar's own
# (400 malformed body, 413 body too large).
API_ERRORS: dict[int, str] = {
    400: "Invalid or malformed input",
    401: "Not logged in, or not joined",
    403: "Not allowed for this caller, in this step, or from another website's page",
    404: "No such assembly, step, proposal, issue, vote or item",
    409: "In conflict with the current state (a step not open, a stale edit, a duplicate)",
    410: "No longer possible (joining closed)",
    413: "Request body too large",
    415: "The API accepts JSON only",
    429: "Too many attempts",
}


def document_api_errors(app: Litestar) -> None:
    """Declare the error envelope for every status code on every /api/ operation."""
    responses = {
        status: ResponseSpec(data_container=ApiError, description=text, generate_examples=False)
        for status, text in API_ERRORS.items()
    }
    for route in app.routes:
        if isinstance(route, HTTPRoute) and route.path.startswith("/api/"):
            for handler in route.route_handlers:
                own: dict[int, Any] = dict(handler.responses or {})
                handler.responses = {**responses, **own}
