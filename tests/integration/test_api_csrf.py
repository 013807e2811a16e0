"""Issue 13, items 4 and 5: the JSON API takes JSON only, refuses cookie-carrying requests from
another origin, and answers a body nested too deep with a 400 instead of a crash."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from conftest import Person, World

BODY = b'{"username": "fac2"}'


def facilitators_url(world: World) -> str:
    return f"/api/v1/assemblies/{world.id}/facilitators"


def assemblies_of(person: Person) -> list[int]:
    return [a["id"] for a in person.get("/api/v1/assemblies/").json()]


@pytest.mark.parametrize(
    "content_type",
    [
        "multipart/form-data; boundary=x",
        "TEXT/PLAIN",
        "text/plain",
        "text/html",
        "image/png",
        "Application/X-WWW-Form-Urlencoded",
        "application/jsonp",
        None,
    ],
)
def test_a_state_change_with_a_body_that_is_not_json_is_refused(
    world: World, sign_up: Callable[[str, str], Person], content_type: str | None
) -> None:
    fac2 = sign_up("fac2", "facilitator")
    headers = {"Origin": "http://evil.example"}
    if content_type is not None:
        headers["Content-Type"] = content_type
    forged = world.organizer.post(facilitators_url(world), content=BODY, headers=headers)
    assert (forged.status_code, forged.json()["error"]) == (415, "json_only"), forged.text
    same_site = world.organizer.post(
        facilitators_url(world),
        content=BODY,
        headers={**headers, "Origin": "http://testserver.local"},
    )
    assert (same_site.status_code, same_site.json()["error"]) == (415, "json_only")
    assert world.id not in assemblies_of(fac2)
    added = world.organizer.post(
        facilitators_url(world),
        content=BODY,
        headers={"Content-Type": "Application/JSON; charset=UTF-8"},
    )
    assert added.status_code == 201, added.text  # the media type's case and parameters: ignored
    assert world.id in assemblies_of(fac2)


def test_a_cookie_carrying_request_from_another_origin_is_refused(
    world: World, sign_up: Callable[[str, str], Person], stranger: Person
) -> None:
    fac2 = sign_up("fac2", "facilitator")
    for origin in ("http://evil.example", "null", "http://testserver.local.evil.example"):
        forged = world.organizer.post(
            facilitators_url(world), json={"username": "fac2"}, headers={"Origin": origin}
        )
        assert (forged.status_code, forged.json()["error"]) == (403, "cross_origin"), origin
        assert forged.json()["message"] == "คำขอนี้มาจากเว็บไซต์อื่น จึงไม่ได้รับการดำเนินการ"
    assert world.id not in assemblies_of(fac2)
    phone = world.phone()
    url = f"/api/v1/assemblies/{world.id}/proposals"
    world.open("collect")
    foreign = phone.post(
        url, json={"text": "ข้อเสนอปลอม"}, headers={"Origin": "http://evil.example"}
    )
    assert (foreign.status_code, foreign.json()["error"]) == (403, "cross_origin")
    own = phone.post(url, json={"text": "ข้อเสนอจริง"}, headers={"Origin": "http://testserver.local"})
    assert own.status_code == 201, own.text
    # Without our cookies there is nobody to act as: another site's page may send a join code.
    joined = stranger.post(
        "/api/v1/join",
        json={"code": world.code, "network": "media"},
        headers={"Origin": "http://evil.example"},
    )
    assert joined.status_code == 200, joined.text


def test_a_state_change_that_takes_no_body_needs_no_content_type(world: World) -> None:
    step = world.step_id("collect")
    url = f"/api/v1/assemblies/{world.id}/steps/{step}"
    opened = world.facilitator.post(f"{url}/open")
    assert opened.status_code == 200, opened.text
    closed = world.facilitator.post(f"{url}/close", content=b"", headers={"Content-Length": "0"})
    assert closed.status_code == 200, closed.text


@pytest.mark.parametrize("path", ["/api/v1/join", "/api/v1/login"])
def test_json_nested_too_deep_is_a_400_with_a_code_and_no_traceback(
    world: World, stranger: Person, caplog: pytest.LogCaptureFixture, path: str
) -> None:
    with caplog.at_level(logging.INFO, logger="samatcha"):
        for body in (b"[" * 100_000, b'{"code": ' + b"[" * 100_000):
            deep = stranger.post(path, content=body, headers={"Content-Type": "application/json"})
            assert (deep.status_code, deep.json()["error"]) == (400, "invalid_json"), deep.text
    assert not [r for r in caplog.records if r.name == "samatcha" and r.levelno >= logging.ERROR]
    assert "Traceback" not in caplog.text
