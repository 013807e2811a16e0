"""Every action × every role × every step kind, generated from the rules table.

`assembly/steps.py` says which roles may do each action in which step kinds; `refusal()` says
why not. Here every action has the concrete requests that perform it (JSON API, and the plain
form or page where there is one), and each is sent by nine people in every step kind, open
and closed: nobody there, a participant of this assembly, a participant of another one, a
facilitator of this / another assembly, the organizer of this / another assembly (organizer is
an account role; an organizer is the organizer of the assemblies they created), a table
assistant of this / another assembly (docs/paper.md). The answer must
be what `refusal()` says: allowed is never 401/403, refused carries the refusal's code.

A completeness test walks the app's routes: a new endpoint with no entry here fails it.
"""

from __future__ import annotations

import asyncio
import itertools
import re
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import httpx
import pytest
from litestar.exceptions import WebSocketDisconnect
from litestar.routes import HTTPRoute, WebSocketRoute
from sqlalchemy import select

from assembly import joining, paper, services
from assembly.db import Database
from assembly.errors import DomainError
from assembly.models import User
from assembly.runtime import DiscardEvents, Runtime
from assembly.settings import Settings
from assembly.steps import RULES, STAFF, Action, Refusal, Role, StepKind, refusal
from deliberation.agenda import consent, drafting
from followup import links, reports, setup

if TYPE_CHECKING:
    from conftest import Person, World

ROLES: dict[str, Role] = {
    "anonymous": Role.ANONYMOUS,
    "participant": Role.PARTICIPANT,
    "other_participant": Role.ANONYMOUS,
    "facilitator": Role.FACILITATOR,
    "other_facilitator": Role.ANONYMOUS,
    "organizer": Role.ORGANIZER,
    "other_organizer": Role.ANONYMOUS,
    "assistant": Role.ASSISTANT,
    "other_assistant": Role.ANONYMOUS,
    "secretary": Role.SECRETARY,
    "working_group": Role.WORKING_GROUP,
}
"""Each person of the grid, and the role the table gives them in *this* assembly. The
follow-up working group's accounts (docs/follow-up.md) are granted through its use case."""

ROLE_REFUSALS = {
    Refusal.NOT_IN_ASSEMBLY,
    Refusal.PARTICIPANTS_ONLY,
    Refusal.STAFF_ONLY,
    Refusal.ORGANIZER_ONLY,
    Refusal.ASSISTANTS_ONLY,
}
REFUSAL_CODES = {r.value for r in Refusal} | {"not_authenticated"}
_PLACEHOLDER = re.compile(r"\{(\w+):\w+\}")


@dataclass(frozen=True)
class Call:
    """One request that performs an action; `route` is the app's route path, filled from the
    world's ids (or `values`) when sent."""

    method: str
    route: str
    json: Any = None
    form: dict[str, str] | None = None
    files: dict[str, tuple[str, bytes, str]] | None = None
    values: dict[str, str] = field(default_factory=dict)
    steers: bool = False
    """Changes the current step: the grid puts its step back after it."""
    first: Action | None = None
    """An action the request is checked for before its own (the turnout chart reads the
    vote's results, for anyone in the assembly, before its turnout, for staff): a role that
    may not do it is refused with its reason."""

    def url(self, ids: dict[str, str]) -> str:
        return _PLACEHOLDER.sub(lambda m: {**ids, **self.values}[m[1]], self.route)


API = "/api/v1/assemblies/{assembly_id:int}"
JUNK_FILE = {"file": ("proposals.csv", b"\x00\x01\x02 not a table", "text/csv")}

CALLS: dict[Action, tuple[Call, ...]] = {
    Action.SUBMIT_PROPOSAL: (
        Call("POST", f"{API}/proposals", json={"text": "ข้อเสนอจากตาราง"}),
        Call("POST", "/a/{assembly_id:int}/proposals", form={"text": "ข้อเสนอจากแบบฟอร์ม"}),
    ),
    Action.SUPPORT_PROPOSAL: (
        Call("POST", f"{API}/proposals/{{proposal_id:int}}/support"),
        Call("POST", "/a/{assembly_id:int}/proposals/{proposal_id:int}/support"),
    ),
    Action.MODERATE_PROPOSAL: (
        Call("PATCH", f"{API}/proposals/{{proposal_id:int}}", json={"hidden": False}),
        Call(
            "POST",
            "/console/{assembly_id:int}/proposals/{proposal_id:int}",
            form={"action": "restore"},
        ),
        Call(
            "POST",
            f"{API}/participants/{{participant_id:int}}/hide",
            values={"participant_id": "999999"},
        ),
        Call(
            "POST",
            "/console/{assembly_id:int}/participants/{participant_id:int}/hide",
            form={},
            values={"participant_id": "999999"},
        ),
    ),
    Action.CURATE_ISSUES: (
        Call("GET", f"{API}/groups"),
        Call("POST", f"{API}/groups/cluster", json={"version": -1}),
        Call("PATCH", f"{API}/groups/{{group_id:int}}", json={"locked": True}),
        Call(
            "POST",
            f"{API}/groups/{{group_id:int}}/merge",
            json={"into": "{group}"},
            values={"group_id": "999999"},
        ),
        Call("POST", f"{API}/groups/{{group_id:int}}/split", json={"proposal_ids": [999999]}),
        Call("POST", f"{API}/proposals/{{proposal_id:int}}/group", json={"group_id": "{group}"}),
        Call("POST", "/console/{assembly_id:int}/groups/cluster", form={"version": "-1"}),
        Call("POST", "/console/{assembly_id:int}/groups/{group_id:int}", form={"action": "lock"}),
        Call(
            "POST",
            "/console/{assembly_id:int}/proposals/{proposal_id:int}/group",
            form={"group_id": "{group}"},
        ),
        Call(
            "POST",
            f"{API}/proposals/group",
            json={"proposal_ids": ["{proposal}"], "group_id": "{group}"},
        ),
        Call(
            "POST",
            "/console/{assembly_id:int}/proposals/group",
            form={"proposal_ids": "{proposal}", "group_id": "{group}"},
        ),
    ),
    Action.CAST_BALLOT: (
        Call("POST", f"{API}/votes/{{vote_id:int}}/ballot", json={"ballot": ["{option}"]}),
        Call("POST", "/a/{assembly_id:int}/votes/{vote_id:int}/ballot", form={"o{option}": "on"}),
    ),
    Action.RUN_VOTE: (
        Call("POST", f"{API}/votes", json={"method": "approval", "options": ["ก", "ข"]}),
        Call("POST", f"{API}/votes/{{vote_id:int}}/{{change:str}}", values={"change": "reveal"}),
        Call(
            "POST",
            "/console/{assembly_id:int}/votes",
            form={"method": "approval", "options": "ก\nข"},
        ),
        Call(
            "POST",
            "/console/{assembly_id:int}/votes/{vote_id:int}/{change:str}",
            values={"change": "reveal"},
        ),
    ),
    Action.MARK_VOTE: (
        Call("POST", f"{API}/votes/{{vote_id:int}}/{{change:str}}", values={"change": "trial"}),
        Call(
            "POST",
            "/console/{assembly_id:int}/votes/{vote_id:int}/{change:str}",
            values={"change": "trial"},
        ),
    ),
    Action.SUGGEST_DRAFT: (
        Call("POST", f"{API}/agenda/group", json={"item_id": "{item}"}),
        Call(
            "POST",
            f"{API}/agenda/items/{{item_id:int}}/suggestions",
            json={"part": "goal", "text": "ข้อแนะ"},
        ),
        Call(
            "POST",
            f"{API}/agenda/suggestions/{{suggestion_id:int}}/{{change:str}}",
            values={"change": "support"},
        ),
        Call("POST", "/a/{assembly_id:int}/agenda/group", form={"item_id": "{item}"}),
        Call(
            "POST",
            "/a/{assembly_id:int}/agenda/items/{item_id:int}/suggestions",
            form={"part": "goal", "text": "ข้อแนะจากแบบฟอร์ม"},
        ),
        Call("POST", "/a/{assembly_id:int}/agenda/suggestions/{suggestion_id:int}/support"),
    ),
    Action.EDIT_DRAFT: (
        Call("POST", f"{API}/agenda/items", json={"title": "วาระจากตาราง"}),
        Call(
            "PATCH", f"{API}/agenda/items/{{item_id:int}}", json={"version": 1, "goal": "เป้าหมาย"}
        ),
        Call("POST", f"{API}/agenda/items/{{item_id:int}}/remove", values={"item_id": "999999"}),
        Call(
            "POST",
            f"{API}/agenda/suggestions/{{suggestion_id:int}}/{{change:str}}",
            values={"change": "dismiss"},
        ),
        Call("POST", "/console/{assembly_id:int}/agenda/items", form={"title": "วาระจากแบบฟอร์ม"}),
        Call("POST", f"{API}/agenda/rule", json={"rule": "no_objection"}),
        Call("POST", "/console/{assembly_id:int}/agenda/rule", form={"rule": "no_objection"}),
        Call(
            "POST", "/console/{assembly_id:int}/agenda/items/{item_id:int}", form={"version": "1"}
        ),
        Call(
            "POST",
            "/console/{assembly_id:int}/agenda/items/{item_id:int}/remove",
            values={"item_id": "999999"},
        ),
        Call(
            "POST",
            "/console/{assembly_id:int}/agenda/suggestions/{suggestion_id:int}/{change:str}",
            values={"change": "dismiss"},
        ),
    ),
    Action.GIVE_CONSENT: (
        Call("POST", f"{API}/agenda/items/{{item_id:int}}/consent", json={"answer": "agree"}),
        Call(
            "POST",
            "/a/{assembly_id:int}/agenda/items/{item_id:int}/consent",
            form={"answer": "agree"},
        ),
    ),
    Action.ADOPT_ITEM: (
        Call("POST", f"{API}/agenda/items/{{item_id:int}}/adopt", json={"adopted": True}),
        Call(
            "POST",
            f"{API}/agenda/objections/{{objection_id:int}}",
            json={"handling": "withdrawn"},
            values={"objection_id": "999999"},
        ),
        Call(
            "POST",
            "/console/{assembly_id:int}/agenda/objections/{objection_id:int}",
            form={"handling": "withdrawn"},
            values={"objection_id": "999999"},
        ),
        Call(
            "POST",
            "/console/{assembly_id:int}/agenda/items/{item_id:int}/adopt",
            form={"adopted": "on"},
        ),
    ),
    Action.STEER_STEPS: (
        Call("POST", f"{API}/steps/{{step_id:int}}/open", json={}, steers=True),
        Call("POST", f"{API}/steps/{{step_id:int}}/close", steers=True),
        Call("POST", "/console/{assembly_id:int}/steps/{step_id:int}/open", form={}, steers=True),
        Call("POST", "/console/{assembly_id:int}/steps/{step_id:int}/close", steers=True),
        Call("POST", "/console/{assembly_id:int}/presenter", form={"view": "networks"}),
    ),
    Action.VIEW_CONSOLE: (
        Call("GET", "/console/{assembly_id:int}"),
        Call("GET", "/console/{assembly_id:int}/continuity"),
        Call(
            "POST",
            "/console/{assembly_id:int}/proposals/{proposal_id:int}/continuity",
            form={"choice": ""},
        ),
        Call("GET", f"{API}/activity"),
        Call("GET", "/present/{assembly_id:int}"),
        Call("GET", "/organize/{assembly_id:int}"),
        Call("GET", "/organize/{assembly_id:int}/qr.svg"),
        Call("GET", "/organize/{assembly_id:int}/export"),
        Call(
            "GET",
            "/organize/{assembly_id:int}/export/{filename:str}",
            values={"filename": "proposals.csv"},
        ),
        Call("GET", "/organize/{assembly_id:int}/{filename:str}", values={"filename": "export.md"}),
        Call("GET", f"{API}/agenda/document"),
        Call("GET", f"{API}/paper/cards/{{number:int}}/history", values={"number": "1"}),
        Call("GET", f"{API}/votes"),
        Call(
            "GET",
            "/a/{assembly_id:int}/votes/{vote_id:int}/charts/{chart:str}",
            values={"chart": "turnout.svg"},
            first=Action.VIEW_ASSEMBLY,
        ),
    ),
    Action.MANAGE_ASSEMBLY: (
        Call("PATCH", API, json={"name": "สมัชชาคุณธรรมจังหวัดทดสอบ", "province": "ทดสอบ"}),
        Call(
            "PUT",
            f"{API}/networks/{{key:str}}",
            json={"name_th": "สื่อมวลชน"},
            values={"key": "media"},
        ),
        Call("POST", f"{API}/steps", json={"kind": "collect", "title": "ขั้นตอนเพิ่ม"}),
        Call("PATCH", f"{API}/steps/{{step_id:int}}", json={"kind": "{kind}", "title": "ขั้นตอนนี้"}),
        Call("POST", f"{API}/facilitators", json={"username": "fac"}),
        Call("POST", f"{API}/purge-personal-data"),
        Call("POST", f"{API}/imports", files=JUNK_FILE),
        Call("GET", "/organize/{assembly_id:int}/import"),
        Call("POST", "/organize/{assembly_id:int}/import", form={}, files=JUNK_FILE),
        Call(
            "POST",
            "/organize/{assembly_id:int}/details",
            form={"name": "สมัชชาคุณธรรมจังหวัดทดสอบ", "province": "ทดสอบ", "join_open": "on"},
        ),
        Call(
            "POST",
            "/organize/{assembly_id:int}/networks",
            form={"key": "media", "name_th": "สื่อมวลชน"},
        ),
        Call(
            "POST",
            "/organize/{assembly_id:int}/steps",
            form={"step_id": "{step}", "kind": "{kind}", "title": "ขั้นตอนนี้", "show_others": "on"},
        ),
        Call("POST", "/organize/{assembly_id:int}/facilitators", form={"username": "fac"}),
        Call(
            "POST",
            "/organize/{assembly_id:int}/facilitators/new",
            form={"username": "ครูกริด", "password": "รหัสผ่านกริด123"},
        ),
        Call(
            "POST",
            "/organize/{assembly_id:int}/facilitators/{user_id:int}/password",
            form={"password": "รหัสผ่านกริด123"},
            values={"user_id": "999999"},
        ),
        Call(
            "POST",
            "/organize/{assembly_id:int}/facilitators/{user_id:int}/remove",
            values={"user_id": "999999"},
        ),
        Call("POST", "/organize/{assembly_id:int}/purge"),
        Call(
            "POST", "/organize/{assembly_id:int}/export/settings", form={"organizer": "จังหวัดทดสอบ"}
        ),
        Call(
            "POST",
            f"{API}/paper/assistants",
            json={"username": "ผู้ช่วยกริด", "password": "รหัสผ่านกริด123"},
        ),
        Call("POST", f"{API}/paper/cards", json={"kind": "proposal", "count": 1}),
        Call("GET", "/organize/{assembly_id:int}/paper/cards"),
        Call(
            "POST",
            "/organize/{assembly_id:int}/paper/cards",
            form={"kind": "proposal", "count": "1"},
        ),
        Call(
            "POST",
            "/organize/{assembly_id:int}/assistants/new",
            form={"username": "ผู้ช่วยกริดสอง", "password": "รหัสผ่านกริด123"},
        ),
        Call(
            "POST",
            "/organize/{assembly_id:int}/assistants/{user_id:int}/remove",
            values={"user_id": "999999"},
        ),
        Call("POST", "/organize/{assembly_id:int}/export/emblem", form={"remove": "1"}),
        Call("GET", f"{API}/seats"),
        Call("POST", f"{API}/seats", json={"network": "media", "count": 1}),
        Call("PUT", f"{API}/seats/required", json={"required": False}),
        Call("POST", f"{API}/seats/{{number:int}}/revoke", values={"number": "999999"}),
        Call("POST", f"{API}/seats/{{number:int}}/reissue", values={"number": "999999"}),
        Call("GET", "/organize/{assembly_id:int}/seats/cards"),
        Call("GET", "/organize/{assembly_id:int}/seats/list.csv"),
        Call("POST", "/organize/{assembly_id:int}/seats", form={"network": "media", "count": "1"}),
        Call("POST", "/organize/{assembly_id:int}/seats/required", form={}),
        Call(
            "POST",
            "/organize/{assembly_id:int}/seats/{number:int}/revoke",
            values={"number": "999999"},
        ),
        Call(
            "POST",
            "/organize/{assembly_id:int}/seats/{number:int}/reissue",
            values={"number": "999999"},
        ),
    ),
    Action.ENTER_PAPER: (
        Call("GET", "/a/{assembly_id:int}/paper"),
        Call("GET", f"{API}/paper/cards/{{number:int}}", values={"number": "999999"}),
        Call("POST", f"{API}/paper/votes/{{vote_id:int}}/stack", json={"entered": False}),
        Call("POST", "/a/{assembly_id:int}/paper/votes/{vote_id:int}/stack", form={}),
    ),
    Action.ENTER_PAPER_PROPOSALS: (
        Call(
            "POST",
            f"{API}/paper/cards/{{number:int}}",
            json={"person": {"network": "religion"}, "proposals": ["ข้อเสนอจากบัตร"]},
            values={"number": "1"},
        ),
        Call(
            "POST",
            "/a/{assembly_id:int}/paper/cards/{number:int}",
            form={"network": "religion", "proposal1": "ข้อเสนอจากบัตรแบบฟอร์ม"},
            values={"number": "1"},
        ),
    ),
    Action.ENTER_PAPER_BALLOT: (
        Call(
            "POST",
            f"{API}/paper/cards/{{number:int}}",
            json={"person": {"network": "religion"}, "ballot": ["{option}"]},
            values={"number": "2"},
        ),
    ),
    Action.ENTER_PAPER_SUPPORT: (
        Call(
            "POST",
            f"{API}/paper/cards/{{number:int}}/supports",
            json={"proposal_id": "{proposal}"},
            values={"number": "1"},
        ),
        Call(
            "POST",
            "/a/{assembly_id:int}/paper/cards/{number:int}/supports/{proposal_id:int}",
            values={"number": "1"},
        ),
    ),
    Action.ENTER_PAPER_CONSENT: (
        Call(
            "POST",
            f"{API}/paper/cards/{{number:int}}/consent",
            json={"item_id": "{item}", "answer": "agree"},
            values={"number": "1"},
        ),
        Call(
            "POST",
            "/a/{assembly_id:int}/paper/cards/{number:int}/consent/{item_id:int}",
            form={"answer": "agree"},
            values={"number": "1"},
        ),
    ),
    Action.VIEW_ASSEMBLY: (
        Call("GET", f"{API}/snapshot"),
        Call("GET", "/a/{assembly_id:int}/last-year"),
        Call("GET", f"{API}/similar"),
        Call("POST", f"{API}/similar", json={"text": "สั้น"}),
        Call("GET", f"{API}/agenda"),
        Call("GET", f"{API}/issues/{{issue_id:int}}/proposals", values={"issue_id": "999999"}),
        Call("GET", f"{API}/votes/{{vote_id:int}}/results"),
        Call(
            "GET",
            "/a/{assembly_id:int}/votes/{vote_id:int}/charts/{chart:str}",
            values={"chart": "ranking.svg"},
        ),
        Call(
            "GET",
            "/a/{assembly_id:int}/votes/{vote_id:int}/export/{name:str}",
            values={"name": "tally.csv"},
        ),
    ),
}
"""Action → the requests that perform it. Bodies are valid, so what answers is the rule; where
an allowed request would destroy the world (remove an item, merge a group) it names an id that
does not exist, which the use case looks up only after authorizing."""

PARTICIPANT_PAGE = ("GET", "/a/{assembly_id:int}")
"""The phone's page: a participant sees it, anyone else is sent to the join page."""
PHONE_REGION = ("GET", "/a/{assembly_id:int}/regions/{kind:str}")
"""One step's section of the phone's page: the same rule as the page."""

ACCOUNT_CALLS: tuple[tuple[str, str], ...] = (
    ("GET", "/api/v1/assemblies"),
    ("POST", "/api/v1/assemblies"),
    ("GET", "/organize"),
    ("POST", "/organize"),
)
"""Tied to an account, not to an assembly: tested on their own below."""

PUBLIC_ROUTES: frozenset[tuple[str, str]] = frozenset(
    {
        ("GET", "/"),
        ("GET", "/j/{code:str}"),
        ("POST", "/j/{code:str}"),
        ("GET", "/login"),
        ("POST", "/login"),
        ("POST", "/logout"),
        ("POST", "/api/v1/login"),
        ("POST", "/api/v1/logout"),
        ("POST", "/api/v1/join"),
        ("GET", "/healthz"),
        ("GET", "/help/results"),
        ("GET", "/lang/{language:str}"),
        ("GET", "/static/{file_path:path}"),
        ("GET", "/schema"),
        ("GET", "/schema/{path:str}"),
        ("GET", "/schema/openapi.json"),
        ("GET", "/schema/openapi.yaml"),
        ("GET", "/schema/openapi.yml"),
        ("GET", "/progress/{assembly_id:int}"),  # the public progress page, when switched on
    }
)
"""Open to anyone by design: joining, logging in, static files, health, the API schema."""

SOCKET_ROUTES = frozenset({("WS", "/ws/{assembly_id:int}")})
"""Covered by the handshake grid below."""

LINK_ROUTES = frozenset(
    {
        ("GET", "/r/{token:str}"),
        ("POST", "/r/{token:str}/reports"),
        ("GET", "/r/{token:str}/photos/{photo_id:int}"),
    }
)
"""An agency's reporting link (the `reporter`): the token in the path is the credential, no
account or cookie counts; its use cases are in the follow-up grid below, and its routes are
tested in test_followup_reporting.py (a revoked or unknown link, another agency's target)."""


def expected_refusal(key: Action, role: Role, kind: StepKind, step_open: bool) -> Refusal | None:
    return refusal(role, key, kind, step_open)


# ---------------------------------------------------------------- the world


@dataclass
class Grid:
    world: World
    people: dict[str, Person]
    ids: dict[str, str]
    fill: dict[str, str]
    """Values put into bodies: "{option}", "{group}", "{item}", "{proposal}", "{step}",
    "{kind}"."""
    seq: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    def set_step(self, kind: StepKind, step_open: bool) -> None:
        step_id = self.world.step_id(kind)
        self.world.open(kind)
        if not step_open:
            closed = self.world.facilitator.post(
                f"/api/v1/assemblies/{self.world.id}/steps/{step_id}/close"
            )
            assert closed.status_code == 200, closed.text
        self.ids["step_id"] = str(step_id)
        self.fill.update(step=str(step_id), kind=kind.value)

    def send(self, who: str, call: Call) -> httpx.Response:
        person = self.people[who]
        kwargs: dict[str, Any] = {"headers": {"X-Requested-With": "fetch"}}
        if call.json is not None:
            kwargs["json"] = self._filled(call.json)
            if "votes/{vote_id:int}/ballot" in call.route:
                kwargs["json"]["client_seq"] = next(self.seq)
        if call.form is not None:
            form = self._filled(call.form)
            if "/ballot" in call.route:
                form["client_seq"] = str(next(self.seq))
            kwargs["data"] = form
        if call.files is not None:
            kwargs["files"] = call.files
        return person.request(call.method, call.url(self.ids), **kwargs)

    def _filled(self, value: Any) -> Any:
        if isinstance(value, dict):
            return {self._filled(k): self._filled(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self._filled(v) for v in value]
        if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
            filled = self.fill[value[1:-1]]
            return int(filled) if value in ("{item}", "{group}", "{proposal}") else filled
        if isinstance(value, str) and "{option}" in value:
            return value.replace("{option}", self.fill["option"])
        return value


def _ok(response: httpx.Response) -> Any:
    assert response.status_code in (200, 201), response.text
    return response.json()


def _assistant(world: World, organizer: Person, api: str, username: str) -> Person:
    """A table-assistant account granted for the assembly at `api`, logged in."""
    password = "รหัสผ่านผู้ช่วย123"
    _ok(
        organizer.post(f"{api}/paper/assistants", json={"username": username, "password": password})
    )
    person = type(organizer)(world.client)
    _ok(person.post("/api/v1/login", json={"username": username, "password": password}))
    return person


def _working_group(
    world: World,
    sign_up: Callable[[str, str], Person],
    settings: Settings,
    username: str,
    member_role: str,
) -> Person:
    """A working-group account, made a member of this assembly's working group by its
    organizer through the follow-up's use case (its web layer is not needed for this)."""
    person = sign_up(username, Role.WORKING_GROUP.value)

    async def grant() -> None:
        db = Database(settings.resolved_database_url)
        try:
            rt = Runtime(db=db, sink=DiscardEvents(), settings=settings)
            async with rt.read() as session:
                organizer = await session.scalar(select(User).where(User.username == "org"))
            await setup.add_member(
                rt,
                actor=services.Actor(user=organizer),
                assembly_id=world.id,
                name=username,
                role=member_role,
                username=username,
            )
        finally:
            await db.dispose()

    asyncio.run(grant())
    return person


@pytest.fixture
def grid(world: World, sign_up: Callable[[str, str], Person], settings: Settings) -> Grid:
    """This assembly with a proposal in a group, an open (revealed) vote, an agenda item with a
    suggestion; another assembly with its own organizer, facilitator and participant."""
    PersonClass = type(world.organizer)
    other_organizer = sign_up("org2", "organizer")
    other = _ok(other_organizer.post("/api/v1/assemblies/", json={"name": "อื่น", "province": "อื่น"}))
    other_facilitator = sign_up("fac2", "facilitator")
    _ok(
        other_organizer.post(
            f"/api/v1/assemblies/{other['assembly']['id']}/facilitators", json={"username": "fac2"}
        )
    )
    other_participant = PersonClass(world.client)
    _ok(
        other_participant.post(
            "/api/v1/join", json={"code": other["assembly"]["join_code"], "network": "media"}
        )
    )

    participant, author = world.phone("media"), world.phone("religion")
    api = f"/api/v1/assemblies/{world.id}"
    assistant = _assistant(world, world.organizer, api, "ผู้ช่วยโต๊ะ")
    other_assistant = _assistant(
        world, other_organizer, f"/api/v1/assemblies/{other['assembly']['id']}", "ผู้ช่วยอื่น"
    )
    # Card 1 (proposals) and card 2 (a ballot of the vote below), entered where allowed.
    _ok(world.organizer.post(f"{api}/paper/cards", json={"kind": "proposal", "count": 1}))
    world.open("collect")
    proposal = _ok(author.post(f"{api}/proposals", json={"text": "ร้านค้าความซื่อสัตย์"}))["id"]
    world.open("review")
    moved = _ok(
        world.facilitator.post(f"{api}/proposals/{proposal}/group", json={"group_id": "new"})
    )
    group = moved["groups"][0]["id"]
    world.open("vote")
    vote = _ok(
        world.facilitator.post(f"{api}/votes/", json={"method": "approval", "options": ["ก", "ข"]})
    )
    _ok(world.facilitator.post(f"{api}/votes/{vote['id']}/open"))
    _ok(world.facilitator.post(f"{api}/votes/{vote['id']}/reveal"))
    _ok(
        world.organizer.post(
            f"{api}/paper/cards", json={"kind": "ballot", "vote_id": vote["id"], "count": 1}
        )
    )
    world.open("draft")
    item = _ok(world.facilitator.post(f"{api}/agenda/items", json={"title": "วาระที่หนึ่ง"}))[0]["id"]
    suggestion = _ok(
        author.post(f"{api}/agenda/items/{item}/suggestions", json={"part": "goal", "text": "เสนอ"})
    )["id"]
    people = {
        "anonymous": PersonClass(world.client),
        "participant": participant,
        "other_participant": other_participant,
        "facilitator": world.facilitator,
        "other_facilitator": other_facilitator,
        "organizer": world.organizer,
        "other_organizer": other_organizer,
        "assistant": assistant,
        "other_assistant": other_assistant,
        "secretary": _working_group(world, sign_up, settings, "เลขากริด", "secretary"),
        "working_group": _working_group(world, sign_up, settings, "คณะทำงานกริด", "member"),
    }
    ids = {
        "assembly_id": str(world.id),
        "proposal_id": str(proposal),
        "group_id": str(group),
        "vote_id": str(vote["id"]),
        "item_id": str(item),
        "suggestion_id": str(suggestion),
    }
    fill = {
        "option": vote["options"][0]["id"],
        "group": str(group),
        "item": str(item),
        "proposal": str(proposal),
    }
    return Grid(world, people, ids, fill)


# ---------------------------------------------------------------- the grid


def _verdict(
    response: httpx.Response, expected: Refusal | None, who: str, key: Action
) -> str | None:
    """None when the answer is what the table says, else what was wrong."""
    status = response.status_code
    is_json = response.headers.get("content-type", "").startswith("application/json")
    code = response.json().get("error") if is_json and status >= 400 else None
    if status >= 500:
        return f"server error {status}"
    if expected is None:
        if status in (401, 403) or code in REFUSAL_CODES:
            return f"refused ({status} {code}) but the table allows it"
        return None
    if who == "anonymous" and expected == Refusal.NOT_IN_ASSEMBLY:
        wanted = {(401, "not_authenticated"), (403, "not_in_assembly")}
    elif expected in ROLE_REFUSALS:
        wanted = {(403, expected.value)}
    elif key == Action.CAST_BALLOT:
        # The ballot writer checks the vote's own step (closed once another step opens), so a
        # ballot in another step is refused as step_closed rather than wrong_step.
        wanted = {(409, Refusal.WRONG_STEP.value), (409, Refusal.STEP_CLOSED.value)}
    else:
        wanted = {(409, expected.value)}
    if (status, code) not in wanted:
        return f"answered {status} {code}, expected one of {sorted(wanted)}"
    return None


def test_every_action_answers_every_role_in_every_step_as_the_rules_table_says(
    grid: Grid,
) -> None:
    """Actions tied to no step answer alike in every step: all their requests are sent in the
    first step kind, their first request in the others (the grid stays under a minute)."""
    wrong: list[str] = []
    for kind, step_open in itertools.product(StepKind, (True, False)):
        grid.set_step(kind, step_open)
        for key, calls in CALLS.items():
            rule = RULES[key]
            if not step_open and not rule.needs_open_step:
                continue  # staff actions and reads do not depend on the step being open
            if kind != StepKind.COLLECT and not rule.step_kinds:
                calls = calls[:1]
            for who, role in ROLES.items():
                for call in calls:
                    expected = (
                        call.first and expected_refusal(call.first, role, kind, step_open)
                    ) or expected_refusal(key, role, kind, step_open)
                    problem = _verdict(grid.send(who, call), expected, who, key)
                    if problem:
                        state = f"{kind} {'open' if step_open else 'closed'}"
                        wrong.append(
                            f"{key} {call.method} {call.route} by {who} in {state}: {problem}"
                        )
                    if call.steers:
                        grid.set_step(kind, step_open)
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("kind", ["", "vote", "draft", "adopt"])
def test_the_phone_page_shows_only_to_participants(grid: Grid, kind: str) -> None:
    method, route = PHONE_REGION if kind else PARTICIPANT_PAGE
    for who in ROLES:
        response = grid.people[who].request(
            method, Call(method, route, values={"kind": kind}).url(grid.ids), follow_redirects=False
        )
        if who == "participant":
            assert response.status_code == 200, who
        else:
            assert (response.status_code, response.headers["location"]) == (
                303,
                f"/j/{grid.world.code}",
            ), who


def test_account_routes_need_an_account_and_show_only_ones_own(grid: Grid) -> None:
    people, this = grid.people, int(grid.ids["assembly_id"])
    listed = {who: people[who].get("/api/v1/assemblies/") for who in ROLES}
    for who in ("anonymous", "participant", "other_participant"):
        assert (listed[who].status_code, listed[who].json()["error"]) == (401, "not_authenticated")
    for who in ("facilitator", "organizer", "assistant", "secretary", "working_group"):
        assert this in [a["id"] for a in _ok(listed[who])], who
    for who in ("other_facilitator", "other_organizer", "other_assistant"):
        assert this not in [a["id"] for a in _ok(listed[who])], who
    body = {"name": "สมัชชาใหม่", "province": "ใหม่"}
    for who, role in ROLES.items():
        created = people[who].post("/api/v1/assemblies/", json=body)
        page = people[who].post(
            "/organize", data=body, headers={"X-Requested-With": "fetch"}, follow_redirects=False
        )
        dashboard = people[who].get("/organize", follow_redirects=False)
        if "organizer" in who:
            assert (created.status_code, page.status_code, dashboard.status_code) == (
                201,
                303,
                200,
            ), who
        elif any(word in who for word in ("facilitator", "assistant", "secretary", "working")):
            assert (created.status_code, created.json()["error"]) == (403, "organizer_only"), who
            assert (page.status_code, page.json()["error"]) == (403, "organizer_only"), who
            assert dashboard.status_code == 200, who
        else:
            assert (created.status_code, created.json()["error"]) == (401, "not_authenticated"), who
            assert (page.status_code, page.json()["error"]) == (401, "not_authenticated"), who
            assert (dashboard.status_code, dashboard.headers["location"]) == (303, "/login"), who
        assert role is not None


# ---------------------------------------------------------------- the socket handshake


def test_the_socket_handshake_lets_in_only_this_assemblys_people(grid: Grid) -> None:
    for who, role in ROLES.items():
        person = grid.people[who]
        if (
            refusal(role, Action.VIEW_ASSEMBLY) is not None
            and refusal(role, Action.VIEW_PROGRESS) is not None
        ):
            with (
                pytest.raises(WebSocketDisconnect) as closed,
                person.socket(grid.world.id) as socket,
            ):
                socket.receive_json(timeout=5)
            assert closed.value.code == 4403, who
            continue
        if refusal(role, Action.VIEW_ASSEMBLY) is not None:
            # The working group's accounts: a progress board open on their screen listens on
            # the public stream (follow-up changes arrive as ticks), nothing staff-only.
            with person.socket(grid.world.id) as socket:
                snapshot = socket.receive_json(timeout=5)
            assert (snapshot["type"], snapshot["data"]) == ("snapshot", {}), who
            continue
        with person.socket(grid.world.id) as socket:
            snapshot = socket.receive_json(timeout=5)
        assert snapshot["type"] == "snapshot", who
        state = snapshot["data"]
        assert state["role"] == role.value, who
        assert state == person.get(f"/api/v1/assemblies/{grid.world.id}/snapshot").json(), who
        # Only staff get the list of steps (with their prompts before they open).
        assert ("steps" in state) == (role in STAFF), who


def test_a_socket_from_another_site_is_refused(grid: Grid) -> None:
    for who in ("participant", "facilitator", "organizer"):
        person = grid.people[who]
        with (
            pytest.raises(WebSocketDisconnect) as closed,
            person.socket(grid.world.id, headers={"Origin": "https://evil.example"}) as socket,
        ):
            socket.receive_json(timeout=5)
        assert closed.value.code == 4400, who
    with grid.people["participant"].socket(
        grid.world.id, headers={"Origin": "http://testserver.local"}
    ) as socket:
        assert socket.receive_json(timeout=5)["type"] == "snapshot"


# ---------------------------------------------------------------- completeness


def test_every_route_of_the_app_is_in_the_grid_or_public(client: Any) -> None:
    covered = {(c.method, c.route) for calls in CALLS.values() for c in calls}
    covered |= {PARTICIPANT_PAGE, PHONE_REGION, *ACCOUNT_CALLS, *PUBLIC_ROUTES, *SOCKET_ROUTES}
    covered |= LINK_ROUTES
    covered |= {(c.method, c.route) for calls in FOLLOWUP_HTTP.values() for c in calls}
    covered |= {*REPORTING_API_ROUTES, *NEXT_YEAR_ROUTES}
    routes: set[tuple[str, str]] = set()
    for route in client.app.routes:
        if isinstance(route, WebSocketRoute):
            routes.add(("WS", route.path))
        elif isinstance(route, HTTPRoute):
            routes |= {(m, route.path) for m in route.methods if m not in ("OPTIONS", "HEAD")}
    missing = sorted(routes - covered)
    assert not missing, f"routes with no authorization grid entry: {missing}"
    stale = sorted(covered - routes)
    assert not stale, f"grid entries for routes that no longer exist: {stale}"
    assert set(CALLS) | set(FOLLOWUP_CALLS) == set(Action), "every action of the table has requests"


# ---------------------------------------------------------------- the follow-up, by use case
# The year after the assembly (followup/) has its own roles: the working group's accounts
# (`secretary`, `working_group`) and the holder of an agency's reporting link (`reporter`, not
# an account). Its actions are checked here through the use cases themselves, for every
# person of the grid and those three (the answer is what `refusal()` says), and over HTTP,
# route by route, further below. A call that needs a reporting link gets the reporter's
# token, and nobody else has one.

FOLLOWUP_PASSWORD = "รหัสผ่านติดตามผล1"
FOLLOWUP_PEOPLE: dict[str, Role] = {
    "anonymous": Role.ANONYMOUS,
    "participant": Role.PARTICIPANT,
    "facilitator": Role.FACILITATOR,
    "organizer": Role.ORGANIZER,
    "other_organizer": Role.ANONYMOUS,
    "assistant": Role.ASSISTANT,
    "secretary": Role.SECRETARY,
    "working_group": Role.WORKING_GROUP,
    "reporter": Role.REPORTER,
}

FollowupCall = Callable[["FollowupWorld", Any], Awaitable[Any]]


@dataclass
class FollowupWorld:
    rt: Runtime
    assembly_id: int
    actors: dict[str, Any]
    token: str
    target_id: int
    agency_id: int
    names: Iterator[int] = field(default_factory=lambda: itertools.count(1))


def _f(call: Callable[..., Awaitable[Any]], **kwargs: Any) -> FollowupCall:
    async def run(world: FollowupWorld, actor: Any) -> Any:
        filled = {k: (v(world) if callable(v) else v) for k, v in kwargs.items()}
        return await call(world.rt, actor=actor, assembly_id=world.assembly_id, **filled)

    return run


def _link(call: Callable[..., Awaitable[Any]], **kwargs: Any) -> FollowupCall:
    async def run(world: FollowupWorld, token: Any) -> Any:
        filled = {k: (v(world) if callable(v) else v) for k, v in kwargs.items()}
        return await call(world.rt, token=token, **filled)

    return run


def _followup_calls() -> dict[Action, tuple[FollowupCall, ...]]:
    return {
        Action.MANAGE_FOLLOWUP: (
            _f(setup.start_followup),
            _f(setup.set_rounds, fiscal_year=2570),
            _f(setup.set_public_page, public=True),
            _f(setup.add_member, name=lambda w: f"กรรมการ {next(w.names)}"),
            _f(setup.update_member, member_id=999999, name="กรรมการ"),
            _f(setup.remove_member, member_id=999999),
            _f(setup.add_agency, name=lambda w: f"หน่วยงาน {next(w.names)}"),
            _f(links.revoke_link, agency_id=999999),
            _f(links.issue_link, agency_id=999999),
            _f(setup.assign_target, target_id=999999, agency_id=None),
        ),
        Action.VIEW_PROGRESS: (
            _f(setup.followup_view),
            _f(setup.add_note, target_id=lambda w: w.target_id, worked="ได้ผล"),
            _f(reports.photo, photo_id=999999),
        ),
        Action.REPORT_PROGRESS: (
            _link(reports.reporting_view),
            _link(
                reports.submit_report,
                target_id=lambda w: w.target_id,
                value="12",
                client_key=lambda w: f"grid-{next(w.names):04d}",
            ),
        ),
    }


FOLLOWUP_CALLS = (Action.MANAGE_FOLLOWUP, Action.VIEW_PROGRESS, Action.REPORT_PROGRESS)


async def _followup_world(rt: Runtime) -> FollowupWorld:
    """An assembly with an adopted item (one indicator) whose follow-up has started, and one
    account or device per person of the grid."""

    async def account(name: str, role: str) -> Any:
        user = await services.create_user(
            rt, username=name, display_name=name, role=role, password=FOLLOWUP_PASSWORD
        )
        return services.Actor(user=user)

    organizer = await account("org", "organizer")
    other_organizer = await account("org2", "organizer")
    assembly = await services.create_assembly(rt, actor=organizer, name="ก", province="ข")
    a = assembly.id
    async with rt.read() as session:
        loaded = await services.get_assembly(session, a, services.WITH_STRUCTURE)
        steps = {step.kind: step.id for step in loaded.steps}
    facilitator = await services.create_facilitator(
        rt,
        actor=organizer,
        assembly_id=a,
        username="fac",
        display_name="fac",
        password=FOLLOWUP_PASSWORD,
    )
    assistant = await paper.create_assistant(
        rt,
        actor=organizer,
        assembly_id=a,
        username="ast",
        display_name="ast",
        password=FOLLOWUP_PASSWORD,
    )
    await services.open_step(rt, actor=organizer, assembly_id=a, step_id=steps["collect"])
    await joining.join_assembly(
        rt, join_code=assembly.join_code, device_hash="p", network_key="media"
    )
    await services.open_step(rt, actor=organizer, assembly_id=a, step_id=steps["draft"])
    item = (await drafting.create_agenda_items(rt, actor=organizer, assembly_id=a, title="วาระ"))[0]
    await drafting.edit_agenda_item(
        rt,
        actor=organizer,
        assembly_id=a,
        item_id=item["id"],
        version=item["version"],
        content={"indicators": [{"name": "ตัวชี้วัด", "baseline": "1", "target": "9"}]},
    )
    await services.open_step(rt, actor=organizer, assembly_id=a, step_id=steps["adopt"])
    await consent.set_adopted(rt, actor=organizer, assembly_id=a, item_id=item["id"], adopted=True)
    started = await setup.start_followup(rt, actor=organizer, assembly_id=a)
    indicator = next(t for t in started["added"] if t["kind"] == "indicator")
    agency = await setup.add_agency(rt, actor=organizer, assembly_id=a, name="หน่วยงานรายงาน")
    await setup.assign_target(
        rt, actor=organizer, assembly_id=a, target_id=indicator["id"], agency_id=agency["id"]
    )
    token = (
        await links.issue_link(rt, actor=organizer, assembly_id=a, agency_id=agency["id"])
    ).token
    actors: dict[str, Any] = {
        "anonymous": services.Actor(),
        "participant": services.Actor(device_hash="p"),
        "facilitator": services.Actor(user=facilitator),
        "organizer": organizer,
        "other_organizer": other_organizer,
        "assistant": services.Actor(user=assistant),
        "reporter": services.Actor(),
    }
    for who, role in (("secretary", "secretary"), ("working_group", "member")):
        member = await setup.add_member(
            rt,
            actor=organizer,
            assembly_id=a,
            name=who,
            role=role,
            username=who,
            password=FOLLOWUP_PASSWORD,
        )
        async with rt.read() as session:
            actors[who] = services.Actor(user=await session.get(User, member["user_id"]))
    return FollowupWorld(rt, a, actors, token, indicator["id"], agency["id"])


def test_the_follow_up_answers_every_role_as_the_rules_table_says(settings: Settings) -> None:
    async def main() -> list[str]:
        db = Database(settings.resolved_database_url)
        rt = Runtime(db=db, sink=DiscardEvents(), settings=settings)
        wrong: list[str] = []
        try:
            world = await _followup_world(rt)
            for key, calls in _followup_calls().items():
                for who, role in FOLLOWUP_PEOPLE.items():
                    expected = refusal(role, key)
                    by_link = key == Action.REPORT_PROGRESS
                    for number, call in enumerate(calls):
                        if by_link:
                            subject: Any = world.token if who == "reporter" else ""
                        else:
                            subject = world.actors[who]
                        try:
                            await call(world, subject)
                            code = None
                        except DomainError as error:
                            code = error.code
                        if expected is None:
                            ok = code not in REFUSAL_CODES | {"invalid_link"}
                        elif by_link:
                            ok = code == "invalid_link"  # nobody else holds a link
                        elif who in ("anonymous", "reporter"):
                            ok = code == "not_authenticated"
                        else:
                            ok = code == expected.value
                        if not ok:
                            wrong.append(f"{key} call {number} by {who}: {code}, table: {expected}")
        finally:
            await db.dispose()
        return wrong

    wrong = asyncio.run(main())
    assert not wrong, "\n".join(wrong)


# ---------------------------------------------------------------- the follow-up, over HTTP
# Its routes (assembly/web/followup.py), each sent by every person of the grid: the answer
# is what `refusal()` says for the route's action. A reporting link's JSON routes answer to
# whoever holds the token (REPORTING_API_ROUTES, below); creating next year's assembly is the
# organizer's alone (NEXT_YEAR_ROUTES).

FU_API = "/api/v1/assemblies/{assembly_id:int}/followup"
FU_SETUP = "/organize/{assembly_id:int}/followup"
FU_BOARD = "/followup/{assembly_id:int}"
NONE = "999999"  # an id that does not exist: looked up only after authorizing
FOLLOWUP_HTTP: dict[Action, tuple[Call, ...]] = {
    Action.MANAGE_FOLLOWUP: (
        Call("POST", f"{FU_API}/start", json={}),
        Call("POST", f"{FU_API}/rounds", json={"fiscal_year": "2570"}),
        Call("POST", f"{FU_API}/public", json={"public": True}),
        Call("POST", f"{FU_API}/members", json={"name": "กรรมการจากตาราง"}),
        Call(
            "POST",
            f"{FU_API}/members/{{member_id:int}}",
            json={"name": "ก"},
            values={"member_id": NONE},
        ),
        Call("POST", f"{FU_API}/members/{{member_id:int}}/remove", values={"member_id": NONE}),
        Call("POST", f"{FU_API}/agencies", json={"name": "หน่วยงานจากตาราง"}),
        Call("POST", f"{FU_API}/agencies/{{agency_id:int}}/link", values={"agency_id": NONE}),
        Call("POST", f"{FU_API}/agencies/{{agency_id:int}}/revoke", values={"agency_id": NONE}),
        Call("POST", f"{FU_API}/targets/{{target_id:int}}", json={}, values={"target_id": NONE}),
        Call("POST", f"{FU_SETUP}/start", form={}),
        Call("POST", f"{FU_SETUP}/rounds", form={"quarterly": "on"}),
        Call("POST", f"{FU_SETUP}/public", form={"public": "on"}),
        Call("POST", f"{FU_SETUP}/members", form={"name": "กรรมการจากแบบฟอร์ม"}),
        Call(
            "POST",
            f"{FU_SETUP}/members/{{member_id:int}}",
            form={"name": "ก"},
            values={"member_id": NONE},
        ),
        Call("POST", f"{FU_SETUP}/members/{{member_id:int}}/remove", values={"member_id": NONE}),
        Call("POST", f"{FU_SETUP}/agencies", form={"name": "หน่วยงานจากแบบฟอร์ม"}),
        Call("POST", f"{FU_SETUP}/agencies/{{agency_id:int}}/link", values={"agency_id": NONE}),
        Call("POST", f"{FU_SETUP}/agencies/{{agency_id:int}}/revoke", values={"agency_id": NONE}),
        Call("POST", f"{FU_SETUP}/targets/{{target_id:int}}", form={}, values={"target_id": NONE}),
    ),
    Action.VIEW_PROGRESS: (
        Call("GET", FU_API),
        Call("GET", f"{FU_API}/board"),
        Call("GET", f"{FU_API}/report.docx"),
        Call("GET", f"{FU_API}/reports.csv"),
        Call("POST", f"{FU_API}/notes", json={"target_id": "{item}", "worked": "ได้ผล"}),
        Call("GET", FU_SETUP),
        Call("GET", FU_BOARD),
        Call("GET", f"{FU_BOARD}/region"),
        Call("GET", f"{FU_BOARD}/report.docx"),
        Call("GET", f"{FU_BOARD}/reports.csv"),
        Call("GET", f"{FU_BOARD}/photos/{{photo_id:int}}", values={"photo_id": NONE}),
        Call("POST", f"{FU_BOARD}/notes", form={"target_id": "{item}", "worked": "ได้ผล"}),
    ),
}
REPORTING_API_ROUTES = (
    ("GET", "/api/v1/reporting/{token:str}"),
    ("POST", "/api/v1/reporting/{token:str}/reports"),
)
NEXT_YEAR_ROUTES = (
    ("POST", f"{FU_API}/next-year"),
    ("POST", f"{FU_SETUP}/next-year"),
)


@pytest.fixture
def followup_grid(grid: Grid) -> Grid:
    """The grid's world (its secretary and working-group member included) with its item
    adopted, the follow-up started, and an agency with a reporting link."""
    world, api = grid.world, f"/api/v1/assemblies/{grid.world.id}"
    item = grid.ids["item_id"]
    world.open("draft")
    _ok(
        world.facilitator.patch(
            f"{api}/agenda/items/{item}",
            json={"version": 1, "indicators": [{"name": "ตัวชี้วัด", "baseline": "1", "target": "9"}]},
        )
    )
    world.open("adopt")
    _ok(world.facilitator.post(f"{api}/agenda/items/{item}/adopt", json={"adopted": True}))
    _ok(world.organizer.post(f"{api}/followup/start", json={}))
    view = _ok(world.organizer.get(f"{api}/followup/"))
    indicator = next(t for t in view["targets"] if t["kind"] == "indicator")
    agency = _ok(world.organizer.post(f"{api}/followup/agencies", json={"name": "หน่วยงานรายงาน"}))
    _ok(
        world.organizer.post(
            f"{api}/followup/targets/{indicator['id']}", json={"agency_id": agency["id"]}
        )
    )
    link = _ok(world.organizer.post(f"{api}/followup/agencies/{agency['id']}/link"))
    grid.fill.update(token=link["token"], indicator=str(indicator["id"]))
    return grid


def test_the_follow_up_routes_answer_every_role_as_the_rules_table_says(
    followup_grid: Grid,
) -> None:
    grid = followup_grid
    wrong: list[str] = []
    for key, calls in FOLLOWUP_HTTP.items():
        for who, role in ROLES.items():
            expected = refusal(role, key)
            for call in calls:
                response = grid.send(who, call)
                if expected in (Refusal.SECRETARY_ONLY, Refusal.WORKING_GROUP_ONLY):
                    code = response.json().get("error") if response.status_code >= 400 else None
                    problem = (
                        None
                        if (response.status_code, code) == (403, expected.value)
                        else f"answered {response.status_code} {code}, expected 403 {expected}"
                    )
                else:
                    problem = _verdict(response, expected, who, key)
                if problem:
                    wrong.append(f"{key} {call.method} {call.route} by {who}: {problem}")
    assert not wrong, "\n".join(wrong)


def test_a_reporting_link_answers_whoever_holds_it_and_only_them(followup_grid: Grid) -> None:
    grid = followup_grid
    token, indicator = grid.fill["token"], int(grid.fill["indicator"])
    anyone = grid.people["anonymous"]
    assert anyone.get(f"/api/v1/reporting/{token}/").status_code == 200
    sent = anyone.post(
        f"/api/v1/reporting/{token}/reports", json={"target_id": indicator, "value": "3"}
    )
    assert sent.status_code == 201, sent.text
    for who in ("organizer", "facilitator", "secretary", "participant"):
        answer = grid.people[who].get("/api/v1/reporting/not-the-token/")
        assert (answer.status_code, answer.json()["error"]) == (404, "invalid_link"), who
        answer = grid.people[who].post(
            "/api/v1/reporting/not-the-token/reports", json={"target_id": indicator, "value": "3"}
        )
        assert (answer.status_code, answer.json()["error"]) == (404, "invalid_link"), who


def test_only_the_organizer_creates_next_years_assembly(followup_grid: Grid) -> None:
    grid = followup_grid
    expected = {
        "anonymous": (401, "not_authenticated"),
        "participant": (403, "secretary_only"),
        "facilitator": (403, "secretary_only"),
        "other_organizer": (403, "not_in_assembly"),
        "working_group": (403, "secretary_only"),
        "secretary": (403, "organizer_only"),
    }
    for made, (method, route) in enumerate(NEXT_YEAR_ROUTES):
        for who, (status, code) in expected.items():
            call = Call(method, route, json={} if "/api/" in route else None, form=None)
            answer = grid.send(who, call)
            got = (answer.status_code, answer.json().get("error"))
            assert got == (status, code), (route, who, got)
        answer = grid.send("organizer", Call(method, route, json={} if "/api/" in route else None))
        if made:  # one next year per assembly: the second route finds it made
            assert (answer.status_code, answer.json().get("error")) == (409, "next_year_exists")
        else:
            assert answer.status_code in (200, 201), answer.status_code  # a form is sent on
