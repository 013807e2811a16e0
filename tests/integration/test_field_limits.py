"""Maximum sizes: every text field one character over its limit, and a body far over the
request limit, is refused with a 4xx and an English code, in the JSON API and in the plain
forms, and nothing is stored."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest

from assembly.services import FIELD_LIMITS, MAX_PASSWORD_CHARS
from assembly.web.context import MAX_REQUEST_BYTES
from deliberation.agenda.consent import MAX_REASON_CHARS
from deliberation.agenda.drafting import MAX_GOAL_CHARS, MAX_SUGGESTION_CHARS, MAX_TITLE_CHARS
from deliberation.agenda.gather import MAX_BACKGROUND_CHARS, MAX_ORGANIZER_CHARS
from deliberation.curation import MAX_GROUP_TITLE
from voting.services import MAX_LABEL_CHARS

if TYPE_CHECKING:
    from conftest import Person, World

PROPOSAL_LIMIT = 300  # the integration settings' max_proposal_chars
FETCH = {"X-Requested-With": "fetch"}


def over(limit: int) -> str:
    """One Thai character over the limit (a consonant: one code point, never cleaned away)."""
    return "ก" * (limit + 1)


@pytest.fixture
def stage(world: World) -> dict[str, Any]:
    """Every place a text can be sent to: a proposal in a group, a draft vote, an agenda item;
    the draft step open, a phone joined."""
    api = f"/api/v1/assemblies/{world.id}"
    author, phone = world.phone("religion"), world.phone("media")
    world.open("collect")
    proposal = author.post(f"{api}/proposals", json={"text": "ร้านค้าความซื่อสัตย์"}).json()["id"]
    group = world.facilitator.post(
        f"{api}/proposals/{proposal}/group", json={"group_id": "new"}
    ).json()["groups"][0]["id"]
    world.open("draft")
    item = world.facilitator.post(f"{api}/agenda/items", json={"title": "วาระ"}).json()[0]["id"]
    return {"api": api, "phone": phone, "proposal": proposal, "group": group, "item": item}


def stored_state(world: World) -> Any:
    """What a facilitator sees: a refused request must leave it exactly as it was."""
    api = f"/api/v1/assemblies/{world.id}"
    return (
        world.facilitator.get(f"{api}/snapshot").json(),
        world.facilitator.get(f"{api}/agenda").json(),
        world.facilitator.get(f"{api}/groups").json(),
    )


def json_cases(world: World, stage: dict[str, Any]) -> list[tuple[str, str, str, dict[str, Any]]]:
    """(who, method, url, body) with one field one character over its limit."""
    api, item = stage["api"], stage["item"]
    details = {"name": "สมัชชา", "province": "ทดสอบ"}
    step = {"kind": "collect", "title": "ขั้นตอน"}
    return [
        ("organizer", "PATCH", api, {**details, "name": over(FIELD_LIMITS["name"])}),
        ("organizer", "PATCH", api, {**details, "province": over(FIELD_LIMITS["province"])}),
        ("organizer", "PATCH", api, {**details, "venue": over(FIELD_LIMITS["venue"])}),
        (
            "organizer",
            "PUT",
            f"{api}/networks/media",
            {"name_th": over(FIELD_LIMITS["network_name"])},
        ),
        (
            "organizer",
            "PUT",
            f"{api}/networks/media",
            {"name_th": "สื่อ", "name_en": over(FIELD_LIMITS["network_name"])},
        ),
        ("organizer", "POST", f"{api}/steps", {**step, "title": over(FIELD_LIMITS["title"])}),
        ("organizer", "POST", f"{api}/steps", {**step, "prompt": over(FIELD_LIMITS["prompt"])}),
        (
            "stranger",
            "POST",
            "/api/v1/join",
            {"code": world.code, "network": "media", "display_name": over(80)},
        ),
        (
            "stranger",
            "POST",
            "/api/v1/join",
            {"code": world.code, "network": "media", "organisation": over(120)},
        ),
        (
            "facilitator",
            "PATCH",
            f"{api}/proposals/{stage['proposal']}",
            {"text": over(PROPOSAL_LIMIT)},
        ),
        (
            "facilitator",
            "PATCH",
            f"{api}/groups/{stage['group']}",
            {"title": over(MAX_GROUP_TITLE)},
        ),
        ("facilitator", "POST", f"{api}/agenda/items", {"title": over(MAX_TITLE_CHARS)}),
        (
            "facilitator",
            "PATCH",
            f"{api}/agenda/items/{item}",
            {"version": 1, "title": over(MAX_TITLE_CHARS)},
        ),
        (
            "facilitator",
            "PATCH",
            f"{api}/agenda/items/{item}",
            {"version": 1, "goal": over(MAX_GOAL_CHARS)},
        ),
        (
            "phone",
            "POST",
            f"{api}/agenda/items/{item}/suggestions",
            {"part": "goal", "text": over(MAX_SUGGESTION_CHARS)},
        ),
        (
            "phone",
            "POST",
            f"{api}/agenda/items/{item}/suggestions",
            {"part": "goal", "text": "ข้อแนะ", "client_key": "k" * 65},
        ),
    ]


def test_every_json_text_field_one_over_its_limit_is_refused(
    world: World, stage: dict[str, Any], stranger: Person
) -> None:
    people = {
        "organizer": world.organizer,
        "facilitator": world.facilitator,
        "phone": stage["phone"],
        "stranger": stranger,
    }
    before = stored_state(world)
    for who, method, url, body in json_cases(world, stage):
        response = people[who].request(method, url, json=body)
        assert response.status_code == 400, (url, body.keys(), response.text)
        assert response.json()["error"].endswith(("_too_long", "invalid_client_key")), (
            url,
            response.json(),
        )
    assert stored_state(world) == before


def test_the_fields_of_other_steps_are_limited_too(world: World, stage: dict[str, Any]) -> None:
    api, phone = stage["api"], stage["phone"]
    before = stored_state(world)
    world.open("collect")
    proposal = phone.post(f"{api}/proposals", json={"text": over(PROPOSAL_LIMIT)})
    world.open("vote")
    vote = world.facilitator.post(
        f"{api}/votes/", json={"method": "approval", "options": ["ก", over(MAX_LABEL_CHARS)]}
    )
    world.open("adopt")
    consent = phone.post(
        f"{api}/agenda/items/{stage['item']}/consent",
        json={"answer": "object", "reason": over(MAX_REASON_CHARS)},
    )
    refused = [(r.status_code, r.json()["error"]) for r in (proposal, vote, consent)]
    assert refused == [
        (400, "proposal_too_long"),
        (400, "option_too_long"),
        (400, "reason_too_long"),
    ]
    after = stored_state(world)
    assert after[0]["proposals"] == before[0]["proposals"]
    assert after[1] == before[1]
    assert after[0].get("vote") == before[0].get("vote")


def test_the_plain_forms_refuse_the_same_fields(world: World, stage: dict[str, Any]) -> None:
    a, phone = world.id, stage["phone"]
    before = stored_state(world)
    cases: list[tuple[Person, str, dict[str, str]]] = [
        (world.organizer, f"/organize/{a}/details", {"name": over(200), "province": "ทดสอบ"}),
        (world.organizer, f"/organize/{a}/networks", {"key": "media", "name_th": over(200)}),
        (world.organizer, f"/organize/{a}/steps", {"kind": "collect", "title": over(200)}),
        (
            world.organizer,
            f"/organize/{a}/export/settings",
            {"background": over(MAX_BACKGROUND_CHARS)},
        ),
        (
            world.organizer,
            f"/organize/{a}/export/settings",
            {"organizer": over(MAX_ORGANIZER_CHARS)},
        ),
        (
            world.facilitator,
            f"/console/{a}/proposals/{stage['proposal']}",
            {"action": "edit", "text": over(PROPOSAL_LIMIT)},
        ),
        (
            world.facilitator,
            f"/console/{a}/groups/{stage['group']}",
            {"action": "rename", "title": over(MAX_GROUP_TITLE)},
        ),
        (world.facilitator, f"/console/{a}/agenda/items", {"title": over(MAX_TITLE_CHARS)}),
        (
            phone,
            f"/a/{a}/agenda/items/{stage['item']}/suggestions",
            {"part": "goal", "text": over(MAX_SUGGESTION_CHARS)},
        ),
        (phone, f"/j/{world.code}", {"network": "media", "display_name": over(80)}),
    ]
    for person, url, form in cases:
        response = person.post(url, data=form, headers=FETCH)
        assert response.status_code == 400, (url, response.text)
        assert response.json()["error"].endswith("_too_long"), (url, response.json())
        page = person.post(url, data=form)  # without JavaScript: the error page, in Thai
        assert page.status_code == 400, url
        assert "ยาว" in page.text or "เกิน" in page.text, url
    assert stored_state(world) == before


def test_a_huge_body_is_refused_whole_with_413(
    world: World, stage: dict[str, Any], sign_up: Callable[[str, str], Person]
) -> None:
    api, phone = stage["api"], stage["phone"]
    world.open("collect")
    before = stored_state(world)
    huge = "ก" * (2 * 1024 * 1024 // 3 + 1)  # 2 MiB of UTF-8
    assert len(huge.encode()) > MAX_REQUEST_BYTES
    attempts = [
        phone.post(f"{api}/proposals", json={"text": huge}),
        world.organizer.patch(api, json={"name": huge, "province": "ทดสอบ"}),
        phone.post(f"/a/{world.id}/proposals", data={"text": huge}, headers=FETCH),
        world.facilitator.post(f"{api}/similar", json={"text": huge}),
        phone.post("/api/v1/join", json={"code": world.code, "network": "media", "x": huge}),
    ]
    for response in attempts:
        assert response.status_code == 413, response.text[:200]
        assert response.json()["error"] == "too_large"
    page = phone.post(f"/a/{world.id}/proposals", data={"text": huge})
    assert page.status_code == 413
    assert "ใหญ่เกินไป" in page.text
    assert stored_state(world) == before


def test_logins_with_absurd_names_or_passwords_are_refused_before_any_work(
    world: World, stranger: Person
) -> None:
    for body in (
        {"username": "o" * 41, "password": "correct horse battery"},
        {"username": "org", "password": "x" * (MAX_PASSWORD_CHARS + 1)},
        {"username": "org\u0000", "password": "correct horse battery"},
    ):
        response = stranger.post("/api/v1/login", json=body)
        assert (response.status_code, response.json()["error"]) == (401, "bad_credentials")
    ok = stranger.post(
        "/api/v1/login", json={"username": "org", "password": "correct horse battery"}
    )
    assert ok.status_code == 200
