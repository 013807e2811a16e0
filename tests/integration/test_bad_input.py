"""Every refusal of the foundation: a 4xx with an English code in the API, a Thai message on the
page, and nothing half-written in the database."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import pytest
from litestar.exceptions import WebSocketDisconnect

from assembly.limits import WRONG_CODES_PER_DEVICE

if TYPE_CHECKING:
    from conftest import Person, World


def proposals_of(world: World) -> list[dict[str, object]]:
    return world.facilitator.get(f"/api/v1/assemblies/{world.id}/snapshot").json()["proposals"]


def test_a_wrong_join_code_is_refused_in_the_api_and_on_the_page(
    world: World, stranger: Person
) -> None:
    wrong = "00000000" if world.code != "00000000" else "11111111"
    person_api = stranger.post("/api/v1/join", json={"code": wrong, "network": "media"})
    assert (person_api.status_code, person_api.json()["error"]) == (404, "unknown_join_code")
    assert person_api.json()["message"] == "ไม่พบสมัชชาที่ใช้รหัสนี้ กรุณาตรวจสอบรหัสอีกครั้ง"
    page = stranger.get(f"/j/{wrong}")
    assert page.status_code == 404
    assert "ไม่พบสมัชชาที่ใช้รหัสนี้" in page.text
    short = stranger.get("/", params={"code": "12"})
    assert short.status_code == 400
    assert "รหัสเข้าร่วมมี ๘ หลัก" in short.text


def test_a_closed_join_code_is_gone(world: World, stranger: Person) -> None:
    closed = world.organizer.patch(
        f"/api/v1/assemblies/{world.id}",
        json={"name": "สมัชชา", "province": "ทดสอบ", "join_open": False},
    )
    assert closed.status_code == 200
    refused = stranger.post("/api/v1/join", json={"code": world.code, "network": "media"})
    assert (refused.status_code, refused.json()["error"]) == (410, "join_closed")
    assert world.facilitator.get(f"/api/v1/assemblies/{world.id}/snapshot").json()["joined"] == 0


def test_joining_without_a_network_is_refused(world: World, stranger: Person) -> None:
    api = stranger.post("/api/v1/join", json={"code": world.code})
    assert (api.status_code, api.json()["error"]) == (400, "network_required")
    page = stranger.post(f"/j/{world.code}", data={"network": "no-such-network"})
    assert page.status_code == 400
    assert "กรุณาเลือกเครือข่ายของคุณ" in page.text
    assert world.facilitator.get(f"/api/v1/assemblies/{world.id}/snapshot").json()["joined"] == 0


@pytest.mark.parametrize(
    ("text", "code"),
    [("", "proposal_empty"), ("   \u200b  ", "proposal_empty"), ("ก" * 301, "proposal_too_long")],
)
def test_empty_and_overlong_proposals_are_refused(world: World, text: str, code: str) -> None:
    phone = world.phone()
    world.open("collect")
    api = phone.post(f"/api/v1/assemblies/{world.id}/proposals", json={"text": text})
    assert (api.status_code, api.json()["error"]) == (400, code)
    page = phone.post(f"/a/{world.id}/proposals", data={"text": text})
    assert page.status_code == 400
    assert ("กรุณาเขียนข้อเสนอก่อนส่ง" if code == "proposal_empty" else "ไม่เกิน 300 ตัวอักษร") in page.text
    assert proposals_of(world) == []


def test_a_double_submitted_form_stores_one_proposal(world: World) -> None:
    phone = world.phone()
    world.open("collect")
    form = {"text": "กดส่งสองครั้ง", "client_key": "form-key-123456"}
    first = phone.post(f"/a/{world.id}/proposals", data=form, follow_redirects=False)
    second = phone.post(f"/a/{world.id}/proposals", data=form, follow_redirects=False)
    assert (first.status_code, second.status_code) == (303, 303)
    assert [p["text"] for p in proposals_of(world)] == ["กดส่งสองครั้ง"]


def test_a_proposal_to_a_closed_step_is_refused(world: World) -> None:
    phone = world.phone()
    world.open("collect")
    world.facilitator.post(f"/api/v1/assemblies/{world.id}/steps/{world.step_id('collect')}/close")
    api = phone.post(f"/api/v1/assemblies/{world.id}/proposals", json={"text": "ส่งช้าไป"})
    assert (api.status_code, api.json()["error"]) == (409, "step_closed")
    assert api.json()["message"] == "ขั้นตอนนี้ปิดแล้ว"
    world.open("vote")
    wrong_step = phone.post(f"/api/v1/assemblies/{world.id}/proposals", json={"text": "ส่งช้าไป"})
    assert (wrong_step.status_code, wrong_step.json()["error"]) == (409, "wrong_step")
    assert proposals_of(world) == []


def test_a_participant_cannot_reach_facilitator_actions(world: World) -> None:
    phone = world.phone()
    collect = world.step_id("collect")
    attempts = [
        phone.post(f"/api/v1/assemblies/{world.id}/steps/{collect}/open", json={}),
        phone.patch(f"/api/v1/assemblies/{world.id}", json={"name": "x", "province": "y"}),
        phone.post(f"/api/v1/assemblies/{world.id}/facilitators", json={"username": "fac"}),
    ]
    for response in attempts:
        assert response.status_code == 403, response.text
        assert response.json()["error"] in {"staff_only", "organizer_only"}
    page = phone.post(f"/console/{world.id}/steps/{collect}/open", data={})
    assert page.status_code == 403
    assert "เฉพาะวิทยากรกระบวนการ" in page.text
    console = phone.get(f"/console/{world.id}")
    assert (console.status_code, "staff_only" in console.text) == (403, True)
    assert world.facilitator.get(f"/api/v1/assemblies/{world.id}/snapshot").json()["step"] is None


def test_a_facilitator_of_another_assembly_is_a_stranger(
    world: World, sign_up: Callable[[str, str], Person]
) -> None:
    stranger = sign_up("other", "facilitator")
    response = stranger.post(
        f"/api/v1/assemblies/{world.id}/steps/{world.step_id('collect')}/open", json={}
    )
    assert (response.status_code, response.json()["error"]) == (403, "not_in_assembly")
    assert stranger.get(f"/console/{world.id}").status_code == 403
    assert (
        world.facilitator.patch(
            f"/api/v1/assemblies/{world.id}", json={"name": "x", "province": "y"}
        ).json()["error"]
        == "organizer_only"
    )


def test_nobody_at_all_is_asked_to_join_or_log_in(world: World, stranger: Person) -> None:
    response = stranger.post(f"/api/v1/assemblies/{world.id}/proposals", json={"text": "x"})
    assert (response.status_code, response.json()["error"]) == (401, "not_authenticated")
    with pytest.raises(WebSocketDisconnect) as closed, stranger.socket(world.id) as socket:
        socket.receive_json(timeout=2)
    assert closed.value.code == 4403


def test_malformed_requests_get_a_code_not_a_crash(world: World, stranger: Person) -> None:
    phone = world.phone()
    cases = [
        phone.post(f"/api/v1/assemblies/{world.id}/proposals", content=b"{not json"),
        phone.post(f"/api/v1/assemblies/{world.id}/proposals", json={"txt": "typo in field"}),
        phone.post(f"/api/v1/assemblies/{world.id}/proposals", json={"text": 42}),
        world.facilitator.post(
            f"/api/v1/assemblies/{world.id}/steps/{world.step_id('collect')}/open",
            json={"minutes": 100000},
        ),
        phone.post("/api/v1/assemblies/999999/proposals", json={"text": "x"}),
        phone.post(f"/api/v1/assemblies/{world.id}/proposals/999999/support"),
        stranger.get("/no/such/page"),
    ]
    for response in cases:
        assert 400 <= response.status_code < 500, (response.status_code, response.text)
        assert (
            response.json()["error"]
            if response.headers["content-type"].startswith("application/json")
            else "ขออภัย" in response.text
        )
    assert proposals_of(world) == []


def test_bad_logins_are_refused_the_same_way(world: World, stranger: Person) -> None:
    for body in ({"username": "org", "password": "wrong"}, {"username": "nobody", "password": "x"}):
        response = stranger.post("/api/v1/login", json=body)
        assert (response.status_code, response.json()["error"]) == (401, "bad_credentials")
    page = stranger.post("/login", data={"username": "org", "password": "wrong"})
    assert page.status_code == 401
    assert "ชื่อผู้ใช้หรือรหัสผ่านไม่ถูกต้อง" in page.text


def test_password_guessing_is_slowed_per_account(world: World, stranger: Person) -> None:
    for _ in range(5):
        wrong = stranger.post("/api/v1/login", json={"username": "fac", "password": "guess"})
        assert wrong.status_code == 401
    blocked = stranger.post("/api/v1/login", json={"username": "fac", "password": "guess"})
    assert (blocked.status_code, blocked.json()["error"]) == (429, "too_many_attempts")
    assert blocked.json()["message"].startswith("ลองหลายครั้งเกินไป")
    other = stranger.post(
        "/api/v1/login", json={"username": "org", "password": "correct horse battery"}
    )
    assert other.status_code == 200


def test_a_device_guessing_join_codes_is_refused_and_nobody_else(
    world: World, stranger: Person
) -> None:
    stranger.cookies.set("samatcha_device", "a-phone-that-guesses")
    codes = [f"{n:08d}" for n in range(12) if f"{n:08d}" != world.code][
        : WRONG_CODES_PER_DEVICE.amount
    ]
    for code in codes:
        guessed = stranger.post("/api/v1/join", json={"code": code, "network": "media"})
        assert (guessed.status_code, guessed.json()["error"]) == (404, "unknown_join_code")
    blocked = stranger.post("/api/v1/join", json={"code": world.code, "network": "media"})
    assert (blocked.status_code, blocked.json()["error"]) == (429, "too_many_attempts")
    assert stranger.get("/", params={"code": world.code}).status_code == 429
    # Another phone on the same Wi-Fi address, and the link on the projector, still work.
    assert world.phone("religion")
    link = world.client.get(f"/j/{world.code}")
    assert link.status_code == 200


def test_a_form_posted_without_its_csrf_token_is_refused(world: World) -> None:
    phone = world.phone()
    world.open("collect")
    phone.get(f"/a/{world.id}")  # the page sets the CSRF cookie
    world.client.cookies = phone.cookies
    forged = world.client.post(f"/a/{world.id}/proposals", data={"text": "ปลอม"})
    assert forged.status_code == 403
    assert "หน้านี้หมดอายุแล้ว" in forged.text
    scripted = world.client.post(
        f"/a/{world.id}/proposals", data={"text": "ปลอม"}, headers={"X-Requested-With": "fetch"}
    )
    assert (scripted.status_code, scripted.json()["error"]) == (403, "csrf_failed")
    assert proposals_of(world) == []
    world.client.cookies = phone.cookies
    not_json = world.client.post(
        f"/api/v1/assemblies/{world.id}/proposals",
        content=b'{"text": "from a cross-site form"}',
        headers={"Content-Type": "text/plain"},
    )
    assert not_json.status_code == 415, not_json.text
    assert proposals_of(world) == []


def test_a_participant_flooding_proposals_is_slowed_with_a_thai_message(world: World) -> None:
    flooder, neighbour = world.phone("media"), world.phone("religion")
    world.open("collect")
    url = f"/api/v1/assemblies/{world.id}/proposals"
    statuses = [flooder.post(url, json={"text": f"สแปม {i}"}).status_code for i in range(12)]
    assert statuses == [201] * 10 + [429, 429]
    refused = flooder.post(url, json={"text": "อีกข้อ"})
    assert refused.json()["error"] == "too_many_proposals"
    assert refused.json()["message"] == "ส่งเร็วเกินไป กรุณารอสักครู่แล้วส่งใหม่"
    resend = flooder.post(url, json={"text": "ส่งซ้ำ", "client_key": "flood-resend-1"})
    assert resend.status_code == 429  # a new key is a new proposal: it waits too
    assert neighbour.post(url, json={"text": "ไม่เกี่ยวกัน"}).status_code == 201
    assert len(proposals_of(world)) == 11
