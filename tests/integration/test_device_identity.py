"""Issue 13, device identity: the server issues the device token at join and accepts no other;
the facilitator sees bursts of joins and proposals and hides one participant's all at once."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
from litestar.testing import TestClient

from assembly.settings import Settings
from assembly.web.app import create_app

if TYPE_CHECKING:
    from tests.integration.conftest import Person, World

RECEIVE_TIMEOUT = 5
MADE_UP = "a-script-made-this-up-0001"


def _set_cookie(response: httpx.Response) -> str:
    headers = [
        v for v in response.headers.get_list("set-cookie") if v.startswith("samatcha_device=")
    ]
    assert len(headers) == 1, response.headers.get_list("set-cookie")
    return headers[0]


def _script_phone(world: World, cookie: str) -> Person:
    """A script's client: it sends whatever device cookie it likes."""
    person = type(world.organizer)(world.client)
    person.cookies.set("samatcha_device", cookie, domain="testserver.local")
    return person


def test_a_made_up_device_cookie_is_replaced_by_one_the_server_issues(world: World) -> None:
    script = _script_phone(world, MADE_UP)
    joined = script.post("/api/v1/join", json={"code": world.code, "network": "media"})
    assert joined.status_code == 200, joined.text
    header = _set_cookie(joined)
    issued = str(script.cookies["samatcha_device"])
    assert issued != MADE_UP
    assert re.fullmatch(r"[A-Za-z0-9_\-]{43}\.[0-9a-f]{32}", issued)
    assert "HttpOnly" in header
    assert "SameSite=lax" in header.replace("Lax", "lax")
    assert "Secure" not in header  # plain HTTP on a hall's Wi-Fi
    world.open("collect")
    sent = script.post(f"/api/v1/assemblies/{world.id}/proposals", json={"text": "ข้อเสนอจริง"})
    assert sent.status_code == 201, "the issued token holds the seat"

    # The made-up value is no one: not a participant, and no seat was made for it.
    again = _script_phone(world, MADE_UP)
    refused = again.post(f"/api/v1/assemblies/{world.id}/proposals", json={"text": "ข้อเสนอปลอม"})
    assert refused.status_code == 401, refused.text
    # An issued token with one character changed is no one either.
    forged = issued[:-1] + ("0" if issued[-1] != "0" else "1")
    tampered = _script_phone(world, forged)
    refused = tampered.post(f"/api/v1/assemblies/{world.id}/proposals", json={"text": "แก้โทเคน"})
    assert refused.status_code == 401, refused.text
    snapshot = world.facilitator.get(f"/api/v1/assemblies/{world.id}/snapshot").json()
    assert snapshot["joined"] == 1
    assert [p["text"] for p in snapshot["proposals"]] == ["ข้อเสนอจริง"]


def test_the_issued_token_keeps_the_seat_across_reloads_rejoins_and_sockets(world: World) -> None:
    phone = world.phone("education")
    token = str(phone.cookies["samatcha_device"])
    rejoin = phone.post("/api/v1/join", json={"code": world.code, "network": "education"})
    assert rejoin.status_code == 200
    assert "samatcha_device=" not in " ".join(rejoin.headers.get_list("set-cookie"))
    assert str(phone.cookies["samatcha_device"]) == token
    assert phone.get(f"/a/{world.id}").status_code == 200  # not sent back to the join page
    with phone.socket(world.id) as socket:
        first = socket.receive_json(timeout=RECEIVE_TIMEOUT)
    assert first["type"] == "snapshot"
    assert first["data"]["me"] is not None
    assert world.facilitator.get(f"/api/v1/assemblies/{world.id}/snapshot").json()["joined"] == 1


def test_behind_tls_the_device_cookie_is_secure(tmp_path: Path, database_url: str) -> None:
    from tests.integration.conftest import create_account, logged_in

    settings = Settings(
        database_url=database_url, data_dir=tmp_path, public_url="https://samatcha.example.go.th"
    )
    with TestClient(create_app(settings), base_url="https://samatcha.example.go.th") as client:
        create_account(settings, "org", "organizer")
        organizer = logged_in(client, "org")
        made = organizer.post("/api/v1/assemblies/", json={"name": "สมัชชา", "province": "ทดสอบ"})
        code = made.json()["assembly"]["join_code"]
        client.cookies.clear()
        joined = client.post("/api/v1/join", json={"code": code, "network": "media"})
        assert joined.status_code == 200, joined.text
        assert "Secure" in _set_cookie(joined)


# ---------------------------------------------------------------- bursts and hiding


def _flood(world: World, seats: int, per_seat: int) -> list[Person]:
    """What the probe's script did: a fresh seat (no cookie, so the server issues one) for
    every `per_seat` proposals, as fast as it can."""
    scripts = []
    for s in range(seats):
        script = world.phone("business")
        for i in range(per_seat):
            sent = script.post(
                f"/api/v1/assemblies/{world.id}/proposals", json={"text": f"สแปม {s}-{i} ซื้อเลย"}
            )
            assert sent.status_code == 201, sent.text
        scripts.append(script)
    return scripts


def _participant_id(person: Person, world: World) -> int:
    return int(person.get(f"/api/v1/assemblies/{world.id}/snapshot").json()["me"]["participant_id"])


def test_the_console_shows_bursts_and_hides_one_participants_proposals_at_once(
    world: World,
) -> None:
    world.open("collect")
    honest = world.phone("religion")
    honest.post(f"/api/v1/assemblies/{world.id}/proposals", json={"text": "วัดเป็นศูนย์กลางชุมชน"})
    scripts = _flood(world, seats=3, per_seat=10)

    activity = world.facilitator.get(f"/api/v1/assemblies/{world.id}/activity")
    assert activity.status_code == 200, activity.text
    data = activity.json()
    now = data["minutes"][0]
    assert sum(m["joins"] for m in data["minutes"][:2]) == 4
    assert sum(m["proposals"] for m in data["minutes"][:2]) == 31
    flagged = {b["participant_id"]: b for b in data["bursts"]}
    script_ids = [_participant_id(s, world) for s in scripts]
    assert set(flagged) == set(script_ids), "the honest phone is not flagged"
    assert all(flagged[i]["burst"] == 10 and flagged[i]["visible"] == 10 for i in script_ids)
    assert re.fullmatch(r"\d\d:\d\d", now["clock"])

    console = world.facilitator.get(f"/console/{world.id}")
    assert "ส่งถี่ผิดปกติ" in console.text
    assert console.text.count("ซ่อนข้อเสนอทั้งหมดของผู้นี้") == 3

    with honest.socket(world.id) as socket:
        socket.receive_json(timeout=RECEIVE_TIMEOUT)  # the snapshot
        hidden = world.facilitator.post(
            f"/api/v1/assemblies/{world.id}/participants/{script_ids[0]}/hide"
        )
        assert hidden.status_code == 200, hidden.text
        assert hidden.json() == {"participant_id": script_ids[0], "hidden": 10}
        events = [socket.receive_json(timeout=RECEIVE_TIMEOUT) for _ in range(10)]
    assert {e["type"] for e in events} == {"proposal.updated"}
    assert all(e["data"]["proposal"]["hidden"] for e in events)

    # The plain form on the console does the same for the next one.
    form = world.facilitator.post(
        f"/console/{world.id}/participants/{script_ids[1]}/hide", data={}, follow_redirects=False
    )
    assert form.status_code == 303
    assert form.headers["location"] == f"/console/{world.id}#activity"

    shown = honest.get(f"/api/v1/assemblies/{world.id}/snapshot").json()["proposals"]
    texts = [p["text"] for p in shown]
    assert "วัดเป็นศูนย์กลางชุมชน" in texts
    assert not any(t.startswith(("สแปม 0-", "สแปม 1-")) for t in texts)
    assert sum(t.startswith("สแปม 2-") for t in texts) == 10, "only the two chosen were hidden"
    after = world.facilitator.get(f"/api/v1/assemblies/{world.id}/activity").json()
    assert {b["participant_id"]: b["visible"] for b in after["bursts"]} == {
        script_ids[0]: 0,
        script_ids[1]: 0,
        script_ids[2]: 10,
    }
    # Hiding is refused for a participant of no assembly here, and for a phone.
    missing = world.facilitator.post(f"/api/v1/assemblies/{world.id}/participants/999999/hide")
    assert (missing.status_code, missing.json()["error"]) == (404, "participant_not_found")
    phone = honest.post(f"/api/v1/assemblies/{world.id}/participants/{script_ids[2]}/hide")
    assert phone.status_code == 403
