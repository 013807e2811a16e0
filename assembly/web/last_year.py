"""Handlers of next year's assembly starting from the evidence (issue 18, seed ๔ step ๗):
last year's progress and lessons, folded into the collect step of the phone and the console
and on a page of their own, and the facilitator's page that tags proposals continue / change /
stop (ทำต่อ / ปรับ / หยุด) against last year's items.

Tagging is the facilitator's, in review: in a hall, participants write one idea in a sentence
or two and are not asked to classify it; the facilitator, reading proposals grouped, sees which
of last year's items each one continues, changes or stops (`followup.next_year.tag_proposal`
lets the author tag too; no phone form does, yet).

Thin: read, call one use case, render. The rules live in followup/next_year.py and
followup/continuity.py.
"""

from __future__ import annotations

import time
from typing import Any

from litestar import Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Template

from assembly.errors import InvalidInput
from assembly.runtime import Runtime
from assembly.services import Actor, authorized
from assembly.steps import Action
from assembly.web.context import CurrentActor, CurrentRuntime
from assembly.web.forms import Form, row_id
from assembly.web.rendering import checked_snapshot, done, page
from followup import next_year
from followup.continuity import continuity_view, tag_in_review
from followup.progress import ProgressBoard

BOARD_FRESH_SECONDS = 60.0
"""Last year's board changes rarely once this year's assembly meets (a late report at most);
a hall of 1,000 phones opening the collect step together gathers it once a minute, not 1,000
times."""
LESSONS_FOLDED = 3  # newest lessons per item in the folded section; the page shows them all
TAG_LABELS = {"continue": "ทำต่อ", "change": "ปรับ", "stop": "หยุด"}
"""`followup.next_year.TAGS` as the hall says them."""


async def last_year_board(runtime: Runtime, actor: Actor, assembly_id: int) -> ProgressBoard | None:
    """Last year's board (without personal data) for this year's assembly, None when it was
    not carried over. The actor is checked every time (one small read); the board is built
    once per BOARD_FRESH_SECONDS for everyone, and phones asking meanwhile wait for that one."""
    async with runtime.read() as session:
        await authorized(session, assembly_id, actor, Action.VIEW_ASSEMBLY)
    return await runtime.shared_snapshots.get(
        ("last_year", assembly_id),
        int(time.monotonic() // BOARD_FRESH_SECONDS),
        lambda: next_year.previous_board(runtime, actor=actor, assembly_id=assembly_id),
    )


@get("/a/{assembly_id:int}/last-year", include_in_schema=False)
async def last_year_page(
    request: Request[Any, Any, Any],
    runtime: CurrentRuntime,
    actor: CurrentActor,
    assembly_id: FromPath[int],
) -> Template:
    """Last year's progress and every lesson, for anyone in this year's assembly."""
    board = await last_year_board(runtime, actor, assembly_id)
    return page(
        "reporting_last_year.html",
        request,
        board=board,
        assembly_id=assembly_id,
        lessons_shown=None,
    )


@get("/console/{assembly_id:int}/continuity", include_in_schema=False)
async def continuity_page(
    request: Request[Any, Any, Any],
    runtime: CurrentRuntime,
    actor: CurrentActor,
    assembly_id: FromPath[int],
) -> Template:
    """Each proposal with the tag it has against last year's items, and a form to change it."""
    snap = await checked_snapshot(runtime, actor, assembly_id)
    view = await continuity_view(runtime, actor=actor, assembly_id=assembly_id)
    return page(
        "reporting_continuity.html",
        request,
        state=snap.state,
        view=view,
        tag_labels=TAG_LABELS,
    )


def _choice(value: str) -> tuple[int | None, str | None]:
    """ "<last year's item id>:<tag>", or blank for no tag."""
    value = value.strip()
    if not value:
        return None, None
    item, _, tag = value.partition(":")
    number = row_id(item)
    if number is None:
        raise InvalidInput("invalid_tag", "Choose last year's item and continue, change or stop.")
    return number, tag


@post("/console/{assembly_id:int}/proposals/{proposal_id:int}/continuity", include_in_schema=False)
async def tag_proposal(
    request: Request[Any, Any, Any],
    runtime: CurrentRuntime,
    actor: CurrentActor,
    assembly_id: FromPath[int],
    proposal_id: FromPath[int],
    data: Form,
) -> Response[Any]:
    item_id, tag = _choice(str(data.get("choice", "")))
    await tag_in_review(
        runtime,
        actor=actor,
        assembly_id=assembly_id,
        proposal_id=proposal_id,
        previous_item_id=item_id,
        tag=tag,
    )
    return done(request, f"/console/{assembly_id}/continuity#p{proposal_id}")


LAST_YEAR_ROUTES = [last_year_page, continuity_page, tag_proposal]
