"""The JSON API fuzzed with schemathesis against its own OpenAPI schema, in-process.

Every operation of /schema/openapi.json gets generated requests — valid and invalid bodies,
known and unknown ids — sent by a participant, a facilitator and the organizer of a prepared
assembly (proposals, an issue, a vote, an agenda item, a suggestion), so the requests reach the
real handlers rather than stopping at 401/404. Each answer must be no 5xx, a documented status
code and content type, and a body that matches the schema declared for that code.

Requests go through the same Litestar TestClient as every other integration test (one app, one
lifespan, the test's own database); schemathesis generates the cases and runs its checks.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import httpx
import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

if TYPE_CHECKING:
    from conftest import Person, World
    from litestar.testing import TestClient

BASE_URL = "http://testserver.local"
# Enough to hit every branch of the small bodies (a few fields each) and stay well under a
# minute for the ~40 operations × 3 identities; derandomised, so a failure reproduces.
EXAMPLES_PER_OPERATION = 15
MIN_SUCCESSES = 5  # 2xx answers each identity must get: proof it got past authentication
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
SESSION_PATHS = ("/api/v1/logout", "/api/v1/login")
# Path segments that name an action: the fuzzer sends the real ones as well as random strings.
CHANGES = ("open", "close", "reveal", "hide", "support", "accept", "dismiss")


@dataclass
class Prepared:
    """An assembly with something behind every id the API takes."""

    world: World
    phone: Person
    ids: dict[str, list[Any]]
    """Real values for path parameters, by name."""


def _ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def _make_issue(world: World, title: str, members: list[int]) -> int:
    """Group these proposals and make the group an issue, as a facilitator curates."""
    api = f"/api/v1/assemblies/{world.id}"
    state = _ok(
        world.facilitator.post(f"{api}/proposals/{members[0]}/group", json={"group_id": "new"})
    )
    group = next(g for g in state["groups"] if members[0] in g["members"])
    for other in members[1:]:
        _ok(
            world.facilitator.post(f"{api}/proposals/{other}/group", json={"group_id": group["id"]})
        )
    group = next(
        g for g in _ok(world.facilitator.get(f"{api}/groups"))["groups"] if g["id"] == group["id"]
    )
    _ok(
        world.facilitator.patch(
            f"{api}/groups/{group['id']}",
            json={"version": group["version"], "title": title, "is_issue": True},
        )
    )
    return int(group["id"])


@pytest.fixture
def prepared(world: World) -> Prepared:
    api = f"/api/v1/assemblies/{world.id}"
    world.open("collect")
    phone = world.phone("education", display_name="ครูสมศรี", organisation="โรงเรียนบ้านนา")
    other = world.phone("religion")
    proposals = [
        _ok(p.post(f"{api}/proposals", json={"text": text}), 201)["id"]
        for p, text in (
            (phone, "ขยะในตลาดสดล้นทุกวัน"),
            (other, "ชุมชนไม่คัดแยกขยะ"),
            (other, "เด็กขี่มอเตอร์ไซค์ไม่สวมหมวกกันน็อก"),
        )
    ]
    world.open("review")
    groups = [
        _make_issue(world, title, members)
        for title, members in (("ขยะล้นเมือง", proposals[:2]), ("วินัยจราจร", proposals[2:]))
    ]
    world.open("vote")
    vote = _ok(
        world.facilitator.post(
            f"{api}/votes", json={"method": "approval", "params": {}, "subject": "issues"}
        ),
        201,
    )
    _ok(world.facilitator.post(f"{api}/votes/{vote['id']}/open"))
    world.open("draft")
    items = _ok(world.facilitator.post(f"{api}/agenda/items", json={"issue_ids": groups}), 201)
    suggestion = _ok(
        phone.post(
            f"{api}/agenda/items/{items[0]['id']}/suggestions",
            json={"part": "goal", "text": "ลดขยะลงครึ่งหนึ่ง"},
        ),
        201,
    )
    ids = {
        "assembly_id": [world.id],
        "step_id": [s["id"] for s in world.assembly["steps"]],
        "proposal_id": proposals,
        "group_id": groups,
        "vote_id": [vote["id"]],
        "item_id": [items[0]["id"]],
        "suggestion_id": [suggestion["id"]],
        "key": ["education", "religion", "government"],
        "change": list(CHANGES),
    }
    return Prepared(world, phone, ids)


def _known_path_parameters(operation: Any, ids: dict[str, list[Any]]) -> st.SearchStrategy[dict]:
    """Real ids (and action names) for the operation's path parameters."""
    names = [p.name for p in operation.path_parameters]
    return st.fixed_dictionaries({n: st.sampled_from(ids[n]) for n in names if n in ids})


def _cases(operation: Any, ids: dict[str, list[Any]]) -> st.SearchStrategy[Any]:
    """Mostly requests on things that exist; some on random ids; some with invalid input."""
    known = _known_path_parameters(operation, ids)
    return st.one_of(
        known.flatmap(lambda p: operation.as_strategy(path_parameters=p)),
        known.flatmap(lambda p: operation.as_strategy(GenerationMode.NEGATIVE, path_parameters=p)),
        operation.as_strategy(),
    )


def _send(client: TestClient[Any], person: Person, case: Any) -> httpx.Response:
    """The case through the app's own test client, with this person's cookies (and no others:
    a cookie set by the answer, say by a fuzzed login, does not change who asks next).

    Schemathesis serialises a case for `requests`; `requests` encodes it (JSON, raw bytes,
    multipart with odd values) and httpx sends those exact bytes."""
    kwargs = case.as_transport_kwargs(base_url=BASE_URL)
    kwargs.pop("cookies", None)
    wire = requests.Request(**kwargs).prepare()
    client.cookies = httpx.Cookies(person.cookies)
    return client.request(
        str(wire.method), str(wire.url), headers=dict(wire.headers), content=wire.body
    )


def _open_step_for(prepared: Prepared, path: str) -> None:
    """Open the step in which the operation is allowed (the fuzzer itself may have opened or
    closed steps and votes), so that valid requests reach the use case, not `wrong_step`."""
    world = prepared.world
    if "/agenda" in path:
        kind = "adopt" if path.endswith(("/consent", "/adopt")) else "draft"
    elif "/votes" in path:
        kind = "vote"
    elif "/groups" in path or path.endswith(("/group", "/imports")):
        kind = "review"
    elif "/proposals" in path or "/similar" in path:
        kind = "collect"
    else:
        return
    # Best effort: a step already open, or a vote already open, answers 409, which is fine.
    api = f"/api/v1/assemblies/{world.id}"
    world.facilitator.post(f"{api}/steps/{world.step_id(kind)}/open", json={})
    if kind == "vote":
        world.facilitator.post(f"{api}/votes/{prepared.ids['vote_id'][0]}/open")


def _fuzz(client: TestClient[Any], prepared: Prepared, people: dict[str, Person]) -> None:
    raw = client.get("/schema/openapi.json")
    assert raw.status_code == 200
    schema = schemathesis.openapi.from_dict(raw.json())
    failures: list[str] = []
    answered = {who: Counter[int]() for who in people}
    operations = [result.ok() for result in schema.get_all_operations()]
    # Logging out (or in as someone else) changes who asks next: those go last.
    operations.sort(key=lambda op: op.path in SESSION_PATHS)
    for operation in operations:
        _open_step_for(prepared, operation.path)

        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            derandomize=True,
            database=None,
            # Schema-driven data is large and slow to generate by Hypothesis's standards.
            suppress_health_check=[
                HealthCheck.too_slow,
                HealthCheck.filter_too_much,
                HealthCheck.data_too_large,
                HealthCheck.large_base_example,
            ],
        )
        @given(case=_cases(operation, prepared.ids), who=st.sampled_from(sorted(people)))
        def run(case: Any, who: str) -> None:
            response = _send(client, people[who], case)
            answered[who][response.status_code // 100] += 1
            case.validate_response(response, checks=CHECKS)

        try:
            run()
        except (Exception, BaseExceptionGroup) as exc:
            failures.append(f"{operation.method.upper()} {operation.path}: {exc}"[:3000])
    assert not failures, "\n\n".join(failures)
    # The fuzzer reached the handlers as each person, not only the refusals in front of them.
    for who, classes in answered.items():
        assert classes[2] >= MIN_SUCCESSES, (who, dict(classes))


def test_the_api_answers_every_generated_request_as_its_schema_says(
    client: TestClient[Any], prepared: Prepared
) -> None:
    people = {
        "participant": prepared.phone,
        "facilitator": prepared.world.facilitator,
        "organizer": prepared.world.organizer,
    }
    _fuzz(client, prepared, people)
