"""Hostile traffic on one socket: binary frames, broken text, not JSON, not an object, unknown
types, oversized messages, a flood of resync requests. Each affects only that socket: the others
keep receiving events in order, the server stays healthy, nothing is stored."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from contextlib import ExitStack
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest
from litestar.exceptions import WebSocketDisconnect
from sqlalchemy import update
from sqlalchemy.ext.asyncio import create_async_engine

from assembly.limits import RESYNCS_PER_DEVICE, RESYNCS_PER_SOCKET, Limits
from assembly.models import UserSession
from assembly.settings import Settings
from assembly.timeutil import utcnow
from assembly.web.live import (
    CLOSE_LOGGED_OUT,
    CLOSE_NOT_ALLOWED,
    CLOSE_TOO_BIG,
    CLOSE_TOO_MANY,
    MAX_MESSAGE_BYTES,
    SOCKETS_PER_DEVICE,
)

if TYPE_CHECKING:
    from conftest import World

    from tests.conftest import ServeSamatcha

TIMEOUT = 5
SIMILAR_PER_MINUTE = Limits().similar.limit
UNKNOWN = {"type": "error", "data": {"error": "unknown_message"}}

HOSTILE_TEXT = [
    "not json at all",
    "",
    "[1, 2, 3]",
    '"resync"',
    "42",
    "null",
    '{"type": "nope"}',
    '{"type": 5}',
    '{"type": ["resync"]}',
    '{"type": "PING"}',
    '{"kind": "resync"}',
    "\x00\x00\x00",
    "\ud800 lone surrogate",
    "ก\u0e33\u200f" * 500,
    "[" * 60_000,  # parses to a RecursionError, within the size limit
    '{"type": "ping"' + " " * 1000,  # truncated
]
HOSTILE_BINARY = [b"\x00\x01\x02", b"\xff\xfe\xfd", b'{"type": "resync"}', b""]


def receive(socket: Any) -> dict[str, Any]:
    return socket.receive_json(timeout=TIMEOUT)


def answer(socket: Any, seen: list[int]) -> dict[str, Any]:
    """The socket's answer to what it sent; events arriving meanwhile go to `seen`."""
    while "seq" in (message := receive(socket)) and message.get("type") != "snapshot":
        seen.append(message["seq"])
    return message


def snapshot_seq(world: World) -> int:
    return int(world.facilitator.get(f"/api/v1/assemblies/{world.id}/snapshot").json()["seq"])


def proposal_texts(world: World) -> list[str]:
    state = world.facilitator.get(f"/api/v1/assemblies/{world.id}/snapshot").json()
    return [p["text"] for p in state["proposals"]]


def test_hostile_messages_are_answered_on_that_socket_and_change_nothing(world: World) -> None:
    abuser, neighbour = world.phone("media"), world.phone("religion")
    world.open("collect")
    start = snapshot_seq(world)
    texts: list[str] = []
    seen_by_abuser: list[int] = []
    with (
        abuser.socket(world.id) as bad,
        neighbour.socket(world.id) as good,
        world.facilitator.socket(world.id) as console,
    ):
        for s in (bad, good, console):
            assert receive(s)["type"] == "snapshot"
        for i, message in enumerate([*HOSTILE_TEXT, *HOSTILE_BINARY]):
            if isinstance(message, bytes):
                bad.send_bytes(message)
            else:
                bad.send_text(message)
            assert answer(bad, seen_by_abuser) == UNKNOWN, message[:40]
            if i % 5 == 0:  # real traffic in between, seen in order by everyone else
                texts.append(f"ข้อเสนอระหว่างการโจมตี {i}")
                sent = neighbour.post(
                    f"/api/v1/assemblies/{world.id}/proposals", json={"text": texts[-1]}
                )
                assert sent.status_code == 201, sent.text
        bad.send_json({"type": "ping"})
        assert answer(bad, seen_by_abuser) == {"type": "pong"}
        for s in (good, console):
            events = [receive(s) for _ in texts]
            assert [e["seq"] for e in events] == list(range(start + 1, start + 1 + len(texts)))
            assert [e["data"]["proposal"]["text"] for e in events] == texts
        # The abuser's own socket got the same events, in order, between its error answers.
        assert seen_by_abuser == list(range(start + 1, start + 1 + len(texts)))
    assert snapshot_seq(world) == start + len(texts)
    assert proposal_texts(world) == texts
    assert world.client.get("/healthz").json() == {"status": "ok"}


def test_a_message_over_the_size_limit_closes_only_that_socket(world: World) -> None:
    abuser, neighbour = world.phone("media"), world.phone("religion")
    world.open("collect")
    with neighbour.socket(world.id) as good:
        receive(good)
        for oversized in (
            "x" * (MAX_MESSAGE_BYTES + 1),
            "ก" * (MAX_MESSAGE_BYTES // 3 + 1),  # fewer characters, more bytes
            b"\x00" * (MAX_MESSAGE_BYTES + 1),
        ):
            with abuser.socket(world.id) as bad:
                receive(bad)
                if isinstance(oversized, bytes):
                    bad.send_bytes(oversized)
                else:
                    bad.send_text(oversized)
                with pytest.raises(WebSocketDisconnect) as closed:
                    receive(bad)
            assert closed.value.code == CLOSE_TOO_BIG
        with abuser.socket(world.id) as at_limit:
            receive(at_limit)
            at_limit.send_text("x" * MAX_MESSAGE_BYTES)  # exactly at the limit: just nonsense
            assert receive(at_limit) == UNKNOWN
        sent = abuser.post(f"/api/v1/assemblies/{world.id}/proposals", json={"text": "ยังอยู่"})
        assert sent.status_code == 201
        event = receive(good)
        assert (event["type"], event["data"]["proposal"]["text"]) == ("proposal.created", "ยังอยู่")
    assert world.client.get("/healthz").status_code == 200


def test_a_socket_to_an_id_beyond_any_row_is_refused_not_crashed(world: World) -> None:
    phone = world.phone("media")
    for assembly_id in (2**31, 2**63, -(2**63)):
        with (
            pytest.raises(WebSocketDisconnect) as closed,
            phone.socket(assembly_id) as socket,
        ):
            receive(socket)
        assert closed.value.code == CLOSE_NOT_ALLOWED
    assert world.client.get("/healthz").status_code == 200


def test_a_flood_of_resync_requests_is_limited_per_socket(world: World) -> None:
    flooder, neighbour = world.phone("media"), world.phone("religion")
    world.open("collect")
    limit, _ = RESYNCS_PER_SOCKET
    with (
        flooder.socket(world.id) as bad,
        flooder.socket(world.id) as second_tab,
        neighbour.socket(world.id) as good,
    ):
        for s in (bad, second_tab, good):
            receive(s)
        for _ in range(limit):
            bad.send_json({"type": "resync"})
            assert receive(bad)["type"] == "snapshot"
        for _ in range(3):
            bad.send_json({"type": "resync"})
            assert receive(bad) == {"type": "error", "data": {"error": "too_many_resyncs"}}
        bad.send_json({"type": "ping"})
        assert receive(bad) == {"type": "pong"}
        second_tab.send_json({"type": "resync"})  # the limit is this socket's, not the phone's
        assert receive(second_tab)["type"] == "snapshot"
        neighbour.post(f"/api/v1/assemblies/{world.id}/proposals", json={"text": "ปกติ"})
        for s in (good, bad, second_tab):
            assert receive(s)["data"]["proposal"]["text"] == "ปกติ"


def test_one_phone_holds_at_most_its_share_of_sockets(world: World) -> None:
    phone, neighbour = world.phone("media"), world.phone("religion")
    with ExitStack() as stack:
        mine = [stack.enter_context(phone.socket(world.id)) for _ in range(SOCKETS_PER_DEVICE)]
        for s in mine:
            assert receive(s)["type"] == "snapshot"
        with pytest.raises(WebSocketDisconnect) as refused, phone.socket(world.id) as extra:
            receive(extra)
        assert refused.value.code == CLOSE_TOO_MANY
        with neighbour.socket(world.id) as other:  # another phone is not affected
            assert receive(other)["type"] == "snapshot"
    codes: list[int] = []
    for _ in range(50):  # its sockets closed (the server notices a moment later): one again
        try:
            with phone.socket(world.id) as again:
                assert receive(again)["type"] == "snapshot"
                break
        except WebSocketDisconnect as closed:
            codes.append(closed.code)
            time.sleep(0.1)
    else:
        pytest.fail("the phone could not open a socket after closing all of its own")
    assert set(codes) <= {CLOSE_TOO_MANY}


def test_a_phone_s_sockets_share_one_resync_budget(world: World) -> None:
    phone, neighbour = world.phone("media"), world.phone("religion")
    per_socket, _ = RESYNCS_PER_SOCKET
    per_device, _ = RESYNCS_PER_DEVICE
    with ExitStack() as stack:
        sockets = [stack.enter_context(phone.socket(world.id)) for _ in range(SOCKETS_PER_DEVICE)]
        for s in sockets:
            receive(s)
        answers = []
        for s in sockets:
            for _ in range(per_socket):
                s.send_json({"type": "resync"})
                answers.append(receive(s)["type"])
        assert answers.count("snapshot") == per_device
        assert answers.count("error") == per_socket * SOCKETS_PER_DEVICE - per_device
        with neighbour.socket(world.id) as good:
            receive(good)
            good.send_json({"type": "resync"})
            assert receive(good)["type"] == "snapshot"


def test_similar_while_typing_is_limited_per_participant(world: World) -> None:
    typist, neighbour = world.phone("media"), world.phone("religion")
    world.open("collect")
    url = f"/api/v1/assemblies/{world.id}/similar"
    draft = {"text": "ควรมีถังขยะแยกประเภทในตลาด"}
    answers = [typist.post(url, json=draft).status_code for _ in range(SIMILAR_PER_MINUTE + 2)]
    assert answers == [200] * SIMILAR_PER_MINUTE + [429, 429]
    refused = typist.post(url, json=draft)
    assert refused.json()["error"] == "too_many_requests"
    assert refused.json()["message"] == "ส่งเร็วเกินไป กรุณารอสักครู่แล้วส่งใหม่"
    assert neighbour.post(url, json=draft).status_code == 200


def after_logout(console: Any) -> None:
    """Read until the socket closes: nothing staff-only may arrive before the close."""
    while True:
        message = receive(console)
        assert message.get("type") != "proposal.created", message


@pytest.mark.parametrize("how", ["api", "form"])
def test_a_staff_socket_closes_when_its_login_logs_out(world: World, how: str) -> None:
    phone = world.phone("media")
    world.open("collect")
    with world.facilitator.socket(world.id) as console:
        assert receive(console)["type"] == "snapshot"
        if how == "api":
            assert world.facilitator.post("/api/v1/logout").status_code == 200
        else:
            assert world.facilitator.post("/logout", data={}).status_code in (200, 303)
        phone.post(f"/api/v1/assemblies/{world.id}/proposals", json={"text": "หลังออกจากระบบ"})
        with pytest.raises(WebSocketDisconnect) as closed:
            after_logout(console)
        assert closed.value.code == CLOSE_LOGGED_OUT


def test_a_staff_socket_closes_when_its_login_expires(world: World, settings: Settings) -> None:
    async def expire_soon() -> None:
        engine = create_async_engine(settings.resolved_database_url)
        async with engine.begin() as connection:
            await connection.execute(
                update(UserSession).values(expires_at=utcnow() + timedelta(seconds=1))
            )
        await engine.dispose()

    with world.facilitator.socket(world.id) as console:
        assert receive(console)["type"] == "snapshot"
    asyncio.run(expire_soon())
    with world.organizer.socket(world.id) as console:  # opened with a second to live
        assert receive(console)["type"] == "snapshot"
        with pytest.raises(WebSocketDisconnect) as closed:
            receive(console)
        assert closed.value.code == CLOSE_LOGGED_OUT


# ---------------------------------------------------------------- a real server


@pytest.fixture
def served(tmp_path: Path, serve_samatcha: ServeSamatcha) -> Iterator[str]:
    """`samatcha serve` as run in a hall (uvicorn with the CLI's WebSocket settings)."""
    running = serve_samatcha(tmp_path, password="abuse-pass-1", accounts=[("organizer", "org")])
    yield running.url
    running.stop()


def test_the_served_app_closes_oversized_and_broken_frames_on_that_socket_only(
    served: str,
) -> None:
    from websockets.exceptions import ConnectionClosed
    from websockets.sync.client import connect

    with httpx.Client(base_url=served) as http, ExitStack() as sockets:
        logged = http.post("/api/v1/login", json={"username": "org", "password": "abuse-pass-1"})
        assert logged.status_code == 200, logged.text
        created = http.post("/api/v1/assemblies/", json={"name": "สมัชชา", "province": "ทดสอบ"})
        state = created.json()
        assembly_id, collect = state["assembly"]["id"], state["steps"][0]["id"]
        cookie = {"Cookie": f"samatcha_session={http.cookies['samatcha_session']}"}
        ws_url = f"ws://127.0.0.1:{served.rsplit(':', 1)[1]}/ws/{assembly_id}"

        def open_socket() -> Any:
            socket = sockets.enter_context(
                connect(ws_url, additional_headers=cookie, open_timeout=TIMEOUT)
            )
            assert '"type":"snapshot"' in socket.recv(timeout=TIMEOUT)
            return socket

        good = open_socket()
        too_big, broken = open_socket(), open_socket()
        too_big.send("x" * (MAX_MESSAGE_BYTES + 1))
        with pytest.raises(ConnectionClosed) as closed:
            too_big.recv(timeout=TIMEOUT)
        assert closed.value.rcvd is not None
        assert closed.value.rcvd.code == 1009
        broken.send(b"\xff\xfe not UTF-8", text=True)  # a text frame that is not UTF-8
        with pytest.raises(ConnectionClosed) as closed:
            broken.recv(timeout=TIMEOUT)
        assert closed.value.rcvd is not None
        assert closed.value.rcvd.code == 1007
        opened = http.post(f"/api/v1/assemblies/{assembly_id}/steps/{collect}/open", json={})
        assert opened.status_code == 200
        assert '"type":"step.changed"' in good.recv(timeout=TIMEOUT)
        good.send('{"type":"ping"}')
        assert good.recv(timeout=TIMEOUT) == '{"type":"pong"}'
        assert http.get("/healthz").json() == {"status": "ok"}
