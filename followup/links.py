"""An agency's reporting link: a secret in a URL (and its QR code) that lets whoever holds it
report on that agency's targets from a phone, with no account.

Like a seat code or a device token, only a hash of the token is stored: the token is shown
once, when issued, and issuing again (rotating) makes the old link stop working at once, as
revoking does. A token has 256 random bits, so a plain SHA-256 cannot be reversed or guessed
(`assembly.security.token_hash`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from assembly.errors import Conflict, Forbidden, NotFound
from assembly.runtime import Runtime
from assembly.security import new_token, token_hash
from assembly.services import Actor, authorized, refusal_error
from assembly.steps import Action, Role, refusal
from assembly.timeutil import utcnow
from followup.models import FollowupAgency
from followup.setup import agency_in, agency_view, emit_progress

HINT_CHARS = 4  # the token's last characters, shown to staff to tell printed links apart
MAX_TOKEN_CHARS = 100  # a token is 43 characters; longer input is not looked up at all


@dataclass(frozen=True)
class IssuedLink:
    """A newly issued link: `token` is shown this once and never stored."""

    agency: dict[str, Any]
    token: str


async def issue_link(rt: Runtime, *, actor: Actor, assembly_id: int, agency_id: int) -> IssuedLink:
    """A new reporting link for the agency; an older one stops working (rotation), and a
    revoked agency gets a working link again."""
    token = new_token()
    async with rt.transaction() as (session, outbox):
        assembly, _ = await authorized(session, assembly_id, actor, Action.MANAGE_FOLLOWUP)
        agency = await agency_in(session, assembly.id, agency_id)
        agency.link_hash = token_hash(token)
        agency.link_hint = token[-HINT_CHARS:]
        agency.link_issued_at = utcnow()
        agency.revoked_at = None
        await emit_progress(outbox, assembly.id, "link", agency_id=agency.id)
        return IssuedLink(agency_view(agency), token)


async def revoke_link(
    rt: Runtime, *, actor: Actor, assembly_id: int, agency_id: int
) -> dict[str, Any]:
    """The agency's link stops working (a lost phone); its reports stay."""
    async with rt.transaction() as (session, outbox):
        assembly, _ = await authorized(session, assembly_id, actor, Action.MANAGE_FOLLOWUP)
        agency = await agency_in(session, assembly.id, agency_id)
        if agency.link_hash is None:
            raise Conflict("no_link", "This agency has no reporting link yet.")
        if agency.revoked_at is None:
            agency.revoked_at = utcnow()
            await emit_progress(outbox, assembly.id, "link", agency_id=agency.id)
        return agency_view(agency)


async def reporter_agency(session: AsyncSession, token: str) -> FollowupAgency:
    """The agency whose live link this is, checked against the rules table as a `reporter`;
    404 `invalid_link` for an unknown token, 403 `link_revoked` for a revoked one."""
    token = (token or "").strip()
    agency = None
    if token and len(token) <= MAX_TOKEN_CHARS:
        agency = await session.scalar(
            select(FollowupAgency).where(FollowupAgency.link_hash == token_hash(token))
        )
    if agency is None:
        raise NotFound(
            "invalid_link", "This reporting link is not valid. Ask the working group for a new one."
        )
    if agency.revoked_at is not None:
        raise Forbidden(
            "link_revoked",
            "This reporting link was revoked. Ask the working group for a new one.",
        )
    # The rules table is the one place that says who may report: with the table as shipped
    # this never refuses, but a table that took REPORT_PROGRESS from reporters would close
    # every link here instead of being silently ignored (the authorization grid checks it).
    reason = refusal(Role.REPORTER, Action.REPORT_PROGRESS)
    if reason is not None:
        raise refusal_error(reason, Actor())
    return agency
