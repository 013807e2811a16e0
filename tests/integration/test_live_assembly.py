"""A whole collect step through the real app: HTTP actions, socket snapshots and events."""

from __future__ import annotations

import asyncio
import json
import re
from html import unescape
from typing import TYPE_CHECKING, Any

import pytest
from litestar.exceptions import WebSocketDisconnect

from assembly.db import Database
from assembly.runtime import DiscardEvents, Runtime
from assembly.security import token_hash
from assembly.services import Actor
from assembly.settings import Settings
from assembly.web.snapshots import build_snapshot

if TYPE_CHECKING:
    from conftest import Person, World

RECEIVE_TIMEOUT = 5


def receive(socket: Any) -> dict[str, Any]:
    return socket.receive_json(timeout=RECEIVE_TIMEOUT)


def events_until(socket: Any, count: int) -> list[dict[str, Any]]:
    return [receive(socket) for _ in range(count)]


def embedded_snapshot(html: str) -> dict[str, Any]:
    match = re.search(r'<script type="application/json" id="snapshot">(.*?)</script>', html, re.S)
    assert match, "the page embeds its snapshot"
    return json.loads(unescape(match.group(1)))


def test_phones_from_several_networks_fill_a_collect_step_live(world: World) -> None:
    phones = [world.phone(n) for n in ("government", "education", "religion", "education")]
    with (
        world.facilitator.socket(world.id) as console,
        world.organizer.socket(world.id) as presenter,
    ):
        console_snapshot = receive(console)
        assert console_snapshot["type"] == "snapshot"
        assert console_snapshot["data"]["joined"] == 4
        counts = {n["key"]: n["joined"] for n in console_snapshot["data"]["networks"]}
        assert counts == {
            "government": 1,
            "business": 0,
            "civil_society": 0,
            "education": 2,
            "religion": 1,
            "media": 0,
        }
        receive(presenter)

        world.open("collect", minutes=10)
        texts = ["ใส่หมวกกันน็อกทุกครั้ง", "เปิดเผยงบประมาณ อบต.", "ร้านค้าความซื่อสัตย์ในโรงเรียน"]
        for phone, text in zip(phones, texts, strict=False):
            response = phone.post(f"/api/v1/assemblies/{world.id}/proposals", json={"text": text})
            assert response.status_code == 201, response.text
        late = world.phone("media")

        for socket in (console, presenter):
            events = events_until(socket, 5)
            assert [e["type"] for e in events] == [
                "step.changed",
                "proposal.created",
                "proposal.created",
                "proposal.created",
                "participants.changed",
            ]
            first = console_snapshot["seq"]
            assert [e["seq"] for e in events] == list(range(first + 1, first + 6))
            assert [e["data"]["proposal"]["text"] for e in events[1:4]] == texts
            assert events[0]["data"]["step"]["kind"] == "collect"
            assert events[0]["data"]["step"]["ends_at"] is not None
            assert events[4]["data"]["joined"] == 5
    assert late.get(f"/a/{world.id}").status_code == 200


def test_a_phone_sees_others_and_supports_once(world: World) -> None:
    author, supporter = world.phone("government"), world.phone("business")
    world.open("collect")
    created = author.post(f"/api/v1/assemblies/{world.id}/proposals", json={"text": "ลดขยะพลาสติก"})
    proposal_id = created.json()["id"]
    with supporter.socket(world.id) as phone_socket:
        snapshot = receive(phone_socket)["data"]
        assert [p["text"] for p in snapshot["proposals"]] == ["ลดขยะพลาสติก"]
        assert snapshot["me"]["network"] == "business"
        for _ in range(2):
            supported = supporter.post(
                f"/api/v1/assemblies/{world.id}/proposals/{proposal_id}/support"
            )
            assert supported.status_code == 200
            assert supported.json()["supports"] == 1
        event = receive(phone_socket)
        assert event["type"] == "proposal.supported"
        assert event["data"] == {"id": proposal_id, "supports": 1}
    own = author.post(f"/api/v1/assemblies/{world.id}/proposals/{proposal_id}/support")
    assert own.status_code == 409
    assert own.json()["error"] == "own_proposal"


def test_a_hidden_proposal_disappears_from_phones_but_not_from_the_console(world: World) -> None:
    author, reader = world.phone("media"), world.phone("religion")
    world.open("collect")
    proposal_id = author.post(
        f"/api/v1/assemblies/{world.id}/proposals", json={"text": "ข้อความไม่เหมาะสม"}
    ).json()["id"]
    with reader.socket(world.id) as phone_socket, world.facilitator.socket(world.id) as console:
        receive(phone_socket), receive(console)
        hidden = world.facilitator.patch(
            f"/api/v1/assemblies/{world.id}/proposals/{proposal_id}", json={"hidden": True}
        )
        assert hidden.status_code == 200
        to_phone, to_console = receive(phone_socket), receive(console)
        assert to_phone["data"]["proposal"] == {"id": proposal_id, "hidden": True}
        assert to_console["data"]["proposal"]["text"] == "ข้อความไม่เหมาะสม"
        assert to_console["data"]["proposal"]["hidden"] is True
    assert reader.get(f"/api/v1/assemblies/{world.id}/snapshot").json()["proposals"] == []
    mine = author.get(f"/api/v1/assemblies/{world.id}/snapshot").json()["mine"]
    assert mine[0]["hidden"] is True


def test_when_others_are_private_phones_get_ticks_not_texts(world: World) -> None:
    world.organizer.patch(
        f"/api/v1/assemblies/{world.id}/steps/{world.step_id('collect')}",
        json={"kind": "collect", "title": "เขียนคนเดียว", "prompt": "", "show_others": False},
    )
    author, reader = world.phone("media"), world.phone("religion")
    world.open("collect")
    with reader.socket(world.id) as phone_socket:
        before = receive(phone_socket)
        author.post(f"/api/v1/assemblies/{world.id}/proposals", json={"text": "ความลับ"})
        event = receive(phone_socket)
        assert event["type"] == "tick"
        assert event["seq"] == before["seq"] + 1
        assert "ความลับ" not in json.dumps(event, ensure_ascii=False)


def test_a_reconnecting_socket_gets_the_state_a_fresh_page_shows(world: World) -> None:
    phone = world.phone("education", display_name="สมชาย")
    world.open("collect")
    phone.post(f"/api/v1/assemblies/{world.id}/proposals", json={"text": "ครอบครัวกินข้าวด้วยกัน"})
    with phone.socket(world.id) as first:
        receive(first)
    world.phone("government")  # happens while the phone is disconnected
    with phone.socket(world.id) as again:
        snapshot = receive(again)
    page = phone.get(f"/a/{world.id}")
    assert page.status_code == 200
    assert embedded_snapshot(page.text) == snapshot["data"]
    assert snapshot["data"]["joined"] == 2
    assert "ครอบครัวกินข้าวด้วยกัน" in page.text
    console_page = world.facilitator.get(f"/console/{world.id}")
    with world.facilitator.socket(world.id) as console:
        assert embedded_snapshot(console_page.text) == receive(console)["data"]


def test_a_resent_proposal_is_stored_once(world: World) -> None:
    phone = world.phone()
    world.open("collect")
    body = {"text": "ส่งซ้ำเพราะเน็ตหลุด", "client_key": "outbox-key-0001"}
    first = phone.post(f"/api/v1/assemblies/{world.id}/proposals", json=body)
    second = phone.post(f"/api/v1/assemblies/{world.id}/proposals", json=body)
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["id"] == second.json()["id"]
    assert len(phone.get(f"/api/v1/assemblies/{world.id}/snapshot").json()["mine"]) == 1


def test_rejoining_on_the_same_device_keeps_one_seat(world: World) -> None:
    phone = world.phone("education")
    again = phone.post("/api/v1/join", json={"code": world.code, "network": "education"})
    page = phone.post(f"/j/{world.code}", data={"network": "education"}, follow_redirects=False)
    assert again.status_code == 200
    assert page.headers["location"] == f"/a/{world.id}"
    snapshot = world.facilitator.get(f"/api/v1/assemblies/{world.id}/snapshot").json()
    assert snapshot["joined"] == 1
    assert page.status_code == 303


def test_a_phone_follows_the_step_the_facilitator_opens(world: World) -> None:
    phone = world.phone()
    with phone.socket(world.id) as socket:
        assert receive(socket)["data"]["step"] is None
        world.open("collect")
        assert receive(socket)["data"]["step"]["kind"] == "collect"
        assert receive(socket)["live"] == "view"  # each step change is followed by its view
        world.open("vote")
        step = receive(socket)["data"]["step"]
        assert (step["kind"], step["status"]) == ("vote", "open")
        assert receive(socket)["data"]["state"]["step"]["kind"] == "vote"
        world.facilitator.post(f"/api/v1/assemblies/{world.id}/steps/{world.step_id('vote')}/close")
        assert receive(socket)["data"]["step"]["status"] == "closed"
    steps = world.facilitator.get(f"/api/v1/assemblies/{world.id}/snapshot").json()["steps"]
    assert {s["kind"]: s["status"] for s in steps}["collect"] == "closed"


def test_the_socket_answers_pings_and_ignores_nonsense(world: World) -> None:
    phone = world.phone()
    with phone.socket(world.id) as socket:
        receive(socket)
        socket.send_json({"type": "ping"})
        assert receive(socket) == {"type": "pong"}
        socket.send_text("not json at all")
        assert receive(socket)["data"]["error"] == "unknown_message"
        socket.send_json({"type": "ping"})
        assert receive(socket) == {"type": "pong"}


def test_phones_at_one_seq_share_the_public_part_but_keep_their_own(world: World) -> None:
    """Snapshots of phones reuse one public part per seq: nothing personal may travel in it."""
    world.organizer.patch(
        f"/api/v1/assemblies/{world.id}/steps/{world.step_id('collect')}",
        json={"kind": "collect", "title": "เขียนคนเดียว", "prompt": "", "show_others": False},
    )
    author, reader = world.phone("media"), world.phone("religion")
    world.open("collect")
    author.post(f"/api/v1/assemblies/{world.id}/proposals", json={"text": "ของฉันคนเดียว"})
    first = reader.get(f"/api/v1/assemblies/{world.id}/snapshot").json()
    second = author.get(f"/api/v1/assemblies/{world.id}/snapshot").json()
    again = reader.get(f"/api/v1/assemblies/{world.id}/snapshot").json()
    assert first["seq"] == second["seq"] == again["seq"]
    assert first == again
    assert first["mine"] == []
    assert first["me"]["network"] == "religion"
    assert [p["text"] for p in second["mine"]] == ["ของฉันคนเดียว"]
    assert second["me"]["network"] == "media"
    assert first["proposals"] == second["proposals"] == []
    world.phone("education")  # a change to the public part: the next seq builds it anew
    later = reader.get(f"/api/v1/assemblies/{world.id}/snapshot").json()
    assert later["seq"] > first["seq"]
    assert (first["joined"], later["joined"]) == (2, 3)


def test_a_screen_whose_state_is_current_reconnects_without_a_snapshot(
    world: World, stranger: Person
) -> None:
    """After a restart a hall reconnects at once: phones that missed nothing are told so."""
    phone, author = world.phone("education"), world.phone("media")
    world.open("collect")
    seq = phone.get(f"/api/v1/assemblies/{world.id}/snapshot").json()["seq"]
    with phone.socket(world.id, params={"since": seq}) as socket:
        assert receive(socket) == {"type": "current", "seq": seq}
        author.post(f"/api/v1/assemblies/{world.id}/proposals", json={"text": "ยังได้ยิน"})
        event = receive(socket)
        assert (event["type"], event["seq"]) == ("proposal.created", seq + 1)
    seq += 1
    # Staff always get a snapshot: it carries the live tallies they may have missed.
    with world.facilitator.socket(world.id, params={"since": seq}) as console:
        assert receive(console)["type"] == "snapshot"
    fresh = phone.get(f"/api/v1/assemblies/{world.id}/snapshot").json()
    for behind in (seq - 1, seq + 5, "abc", "", "²", "1" * 40):  # behind, or confused: snapshot
        with phone.socket(world.id, params={"since": behind}) as socket:
            assert receive(socket) == {"type": "snapshot", "seq": seq, "data": fresh}
    with (
        pytest.raises(WebSocketDisconnect) as closed,
        stranger.socket(world.id, params={"since": seq}) as socket,
    ):
        receive(socket)
    assert closed.value.code == 4403


def test_a_hall_asking_at_once_shares_one_public_part_without_waiting_on_itself(
    world: World, settings: Settings
) -> None:
    """More phones than the read pool has connections ask for a snapshot at a new seq at once
    (a step change): the one building the shared part must not need a connection of its own."""
    networks = ("government", "business", "civil_society", "education", "religion", "media")
    phones = [world.phone(networks[i % len(networks)]) for i in range(40)]
    world.open("collect")
    tokens = [str(phone.cookies["samatcha_device"]) for phone in phones]

    async def hall() -> list[dict[str, Any]]:
        db = Database(settings.resolved_database_url)
        rt = Runtime(db=db, sink=DiscardEvents(), settings=settings)
        try:
            async with asyncio.timeout(120):  # a deadlock fails here instead of hanging CI
                snapshots = await asyncio.gather(
                    *(
                        build_snapshot(
                            rt, assembly_id=world.id, actor=Actor(device_hash=token_hash(token))
                        )
                        for token in tokens
                    )
                )
        finally:
            await db.dispose()
        return [snapshot.state for snapshot in snapshots]

    states = asyncio.run(hall())
    assert sorted(s["me"]["participant_id"] for s in states) == sorted(
        phone.get(f"/api/v1/assemblies/{world.id}/snapshot").json()["me"]["participant_id"]
        for phone in phones
    )
    first = phones[0].get(f"/api/v1/assemblies/{world.id}/snapshot").json()
    assert states[0] == first
    shared = {k: v for k, v in first.items() if k not in ("me", "mine", "supported")}
    for state in states:
        assert {k: v for k, v in state.items() if k not in ("me", "mine", "supported")} == shared
