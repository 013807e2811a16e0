"""SIGKILL the server in the middle of a vote, a join wave, a proposal wave or a +1 wave of
1,000 phones; nothing acknowledged is lost.

A real `samatcha serve` on a SQLite file takes proposals and ballots from 1,000 joined phones;
it is killed with SIGKILL while requests are in flight, restarted on the same file, and every
phone's outbox resends what it sent (the same keys). Afterwards the database holds every
acknowledged action exactly once, and every resend was answered without a second copy. In the
join wave, every phone answered before the kill gets its same seat back when it joins again with
its cookie, and no device holds two seats. In the proposal and +1 waves, every answered
proposal is stored once under its client key, and every +1 is one row.
"""

from __future__ import annotations

import asyncio
import hashlib
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest

if TYPE_CHECKING:
    from tests.conftest import RealServer, ServeSamatcha

PHONES = 1_000
PASSWORD = "crash-test-pass"
NETWORKS = ("government", "business", "civil_society", "education", "religion", "media")
KILL_AFTER_ACKS = 300  # ballots acknowledged before the kill: mid-vote, with more in flight


@pytest.fixture
def server(tmp_path: Path, serve_samatcha: ServeSamatcha) -> Iterator[RealServer]:
    running = serve_samatcha(tmp_path, password=PASSWORD, accounts=[("organizer", "org")])
    yield running
    running.stop()


@contextmanager
def _new_assembly(server: RealServer) -> Iterator[tuple[httpx.Client, dict[str, Any]]]:
    """The organizer, logged in, and the state of an assembly they just created."""
    with httpx.Client(base_url=server.url, timeout=10) as organizer:
        organizer.post(
            "/api/v1/login", json={"username": "org", "password": PASSWORD}
        ).raise_for_status()
        state = organizer.post(
            "/api/v1/assemblies/", json={"name": "ทดสอบ", "province": "ทดสอบ"}
        ).json()
        yield organizer, state


async def _join(client: httpx.AsyncClient, code: str, index: int) -> dict[str, Any]:
    """A phone's first visit: the server issues its device token, the cookie it keeps."""
    response = await client.post(
        "/api/v1/join",
        json={"code": code, "network": NETWORKS[index % len(NETWORKS)]},
        headers={"Cookie": ""},  # not the shared jar's: that holds other phones' tokens
    )
    response.raise_for_status()
    token = response.cookies["samatcha_device"]
    return {"cookie": f"samatcha_device={token}", **response.json()}


async def _send(
    base: str,
    phones: list[dict[str, Any]],
    path: str | list[str],
    bodies: list[dict[str, Any]],
    stop_after: int | None = None,
    on_stop: Any = None,
) -> dict[int, int]:
    """Send one request per phone (to `path`, or to its own in a list), 32 at a time; returns
    phone index -> HTTP status for every request that was answered (unanswered ones are what
    the outbox resends)."""
    answered: dict[int, int] = {}
    queue: asyncio.Queue[int] = asyncio.Queue()
    for index in range(len(phones)):
        queue.put_nowait(index)
    limits = httpx.Limits(max_connections=32)

    async def worker(client: httpx.AsyncClient) -> None:
        while not queue.empty():
            index = queue.get_nowait()
            try:
                response = await client.post(
                    path if isinstance(path, str) else path[index],
                    json=bodies[index],
                    headers={"Cookie": phones[index]["cookie"]},
                )
            except httpx.HTTPError:
                continue  # the server died under this request: not acknowledged
            answered[index] = response.status_code
            acks = sum(1 for status in answered.values() if status in (200, 201))
            if stop_after is not None and acks == stop_after:
                on_stop()

    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=10) as client:
        await asyncio.gather(*(worker(client) for _ in range(32)))
    return answered


def test_nothing_acknowledged_is_lost_when_the_server_is_killed(server: RealServer) -> None:
    with _new_assembly(server) as (organizer, state):
        assembly_id, code = state["assembly"]["id"], state["assembly"]["join_code"]
        steps = {s["kind"]: s["id"] for s in state["steps"]}
        organizer.post(f"/api/v1/assemblies/{assembly_id}/steps/{steps['vote']}/open", json={})
        vote = organizer.post(
            f"/api/v1/assemblies/{assembly_id}/votes",
            json={"method": "approval", "options": ["พอเพียง", "วินัย", "สุจริต", "จิตอาสา"]},
        ).json()
        organizer.post(
            f"/api/v1/assemblies/{assembly_id}/votes/{vote['id']}/open"
        ).raise_for_status()
        organizer_cookies = dict(organizer.cookies)

    async def join_all() -> list[dict[str, Any]]:
        limits = httpx.Limits(max_connections=16)
        async with httpx.AsyncClient(base_url=server.url, limits=limits, timeout=10) as client:
            semaphore = asyncio.Semaphore(16)

            async def one(index: int) -> dict[str, Any]:
                async with semaphore:
                    return await _join(client, code, index)

            return await asyncio.gather(*(one(i) for i in range(PHONES)))

    phones = asyncio.run(join_all())
    options = [o["id"] for o in vote["options"]]
    ballots = [
        {"ballot": [options[i % 4], options[(i + 1) % 4]], "client_seq": 1} for i in range(PHONES)
    ]
    path = f"/api/v1/assemblies/{assembly_id}/votes/{vote['id']}/ballot"

    first = asyncio.run(_send(server.url, phones, path, ballots, KILL_AFTER_ACKS, server.kill))
    acknowledged = {i for i, status in first.items() if status == 200}
    assert KILL_AFTER_ACKS <= len(acknowledged) < PHONES, "the kill came mid-vote"

    server.start()  # same file; the outboxes resend everything they sent, same client_seq
    again = asyncio.run(_send(server.url, phones, path, ballots))
    assert set(again.values()) == {200}, {s for s in again.values()}

    with httpx.Client(base_url=server.url, cookies=organizer_cookies, timeout=10) as organizer:
        results = organizer.get(f"/api/v1/assemblies/{assembly_id}/votes/{vote['id']}/results")
    assert results.json()["results"]["ballots"] == PHONES
    server.stop()
    with sqlite3.connect(server.folder / "samatcha.sqlite3") as db:
        rows = db.execute(
            "SELECT participant_id, count(*) FROM ballots WHERE vote_id = ? "
            "GROUP BY participant_id",
            (vote["id"],),
        ).fetchall()
    assert len(rows) == PHONES
    assert all(count == 1 for _, count in rows)
    stored = {participant for participant, _ in rows}
    assert {phones[i]["participant_id"] for i in acknowledged} <= stored


JOIN_KILL_AFTER_ACKS = 300  # joins answered before the kill: mid-wave, with more in flight


async def _join_wave(
    base: str,
    cookies: dict[int, str],
    code: str,
    stop_after: int | None = None,
    on_stop: Any = None,
) -> dict[int, int]:
    """Every phone joins, 32 at a time, with its device cookie if it has one; returns phone
    index -> the seat it was answered with, and keeps each new phone's cookie in `cookies`."""
    answered: dict[int, int] = {}
    queue: asyncio.Queue[int] = asyncio.Queue()
    for index in range(PHONES):
        queue.put_nowait(index)

    async def worker(client: httpx.AsyncClient) -> None:
        while not queue.empty():
            index = queue.get_nowait()
            try:
                response = await client.post(
                    "/api/v1/join",
                    json={"code": code, "network": NETWORKS[index % len(NETWORKS)]},
                    headers={"Cookie": cookies.get(index, "")},
                )
            except httpx.HTTPError:
                continue  # the server died under this request: not answered
            response.raise_for_status()
            if "samatcha_device" in response.cookies:
                cookies[index] = f"samatcha_device={response.cookies['samatcha_device']}"
            answered[index] = response.json()["participant_id"]
            if stop_after is not None and len(answered) == stop_after:
                on_stop()

    limits = httpx.Limits(max_connections=32)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=10) as client:
        await asyncio.gather(*(worker(client) for _ in range(32)))
    return answered


def test_no_answered_join_is_lost_or_doubled_when_the_server_is_killed(
    server: RealServer,
) -> None:
    with _new_assembly(server) as (_, state):
        assembly_id, code = state["assembly"]["id"], state["assembly"]["join_code"]

    cookies: dict[int, str] = {}
    first = asyncio.run(_join_wave(server.url, cookies, code, JOIN_KILL_AFTER_ACKS, server.kill))
    assert JOIN_KILL_AFTER_ACKS <= len(first) < PHONES, "the kill came mid-wave"

    server.start()  # same file; every phone joins (again): an answered one with its cookie
    again = asyncio.run(_join_wave(server.url, cookies, code))
    assert len(again) == PHONES
    assert all(again[i] == seat for i, seat in first.items()), "a phone lost its seat"
    server.stop()

    with sqlite3.connect(server.folder / "samatcha.sqlite3") as db:
        rows = dict(
            db.execute(
                "SELECT id, device_hash FROM participants WHERE assembly_id = ?", (assembly_id,)
            ).fetchall()
        )
    hashes = {
        i: hashlib.sha256(cookie.partition("=")[2].encode()).hexdigest()
        for i, cookie in cookies.items()
    }
    assert all(rows.get(seat) == hashes[i] for i, seat in again.items()), "seat and phone differ"
    assert len(set(rows.values())) == len(rows), "a device holds two seats"
    # Beyond the phones' seats, only joins committed while their answer was cut off by the kill.
    assert len(rows) - PHONES <= 32


PROPOSAL_KILL_AFTER_ACKS = 300  # proposals (then +1s) answered before each kill


def _killed_and_resent(
    server: RealServer,
    phones: list[dict[str, Any]],
    path: str | list[str],
    bodies: list[dict[str, Any]],
    answered: int,
) -> tuple[set[int], dict[int, int]]:
    """Every phone sends; the server is SIGKILLed after PROPOSAL_KILL_AFTER_ACKS answers,
    restarted on the same file, and every phone sends the same again (its outbox). Returns the
    phones answered `answered` before the kill, and every phone's status after the restart."""
    first = asyncio.run(
        _send(server.url, phones, path, bodies, PROPOSAL_KILL_AFTER_ACKS, server.kill)
    )
    acknowledged = {i for i, status in first.items() if status == answered}
    assert PROPOSAL_KILL_AFTER_ACKS <= len(acknowledged) < PHONES, "the kill came mid-wave"
    server.start()
    return acknowledged, asyncio.run(_send(server.url, phones, path, bodies))


def test_no_answered_proposal_or_support_is_lost_or_doubled_when_the_server_is_killed(
    server: RealServer,
) -> None:
    """Proposals and +1s go through the shared group commit (assembly/group_commit.py): the
    server is killed mid proposal wave and again mid +1 wave; the phones' outboxes resend with
    the same client keys. Every answered proposal is stored once under its key (a resend of
    an answered one is answered 200, the same proposal, not 201), every +1 is one row, and the
    support counts equal the rows."""
    with _new_assembly(server) as (organizer, state):
        assembly_id, code = state["assembly"]["id"], state["assembly"]["join_code"]
        collect = next(s["id"] for s in state["steps"] if s["kind"] == "collect")
        organizer.post(
            f"/api/v1/assemblies/{assembly_id}/steps/{collect}/open", json={}
        ).raise_for_status()

    cookies: dict[int, str] = {}
    asyncio.run(_join_wave(server.url, cookies, code))
    phones = [{"cookie": cookies[i]} for i in range(PHONES)]
    path = f"/api/v1/assemblies/{assembly_id}/proposals"
    bodies = [
        {"text": f"ข้อเสนอของโทรศัพท์ {i}", "client_key": f"crash-proposal-{i:05d}"}
        for i in range(PHONES)
    ]

    acknowledged, again = _killed_and_resent(server, phones, path, bodies, 201)
    assert set(again) == set(range(PHONES))
    assert all(again[i] == 200 for i in acknowledged), "an answered proposal was stored again"
    assert set(again.values()) <= {200, 201}

    def stored_proposals() -> dict[str, list[int]]:
        with sqlite3.connect(server.folder / "samatcha.sqlite3") as db:
            rows = db.execute(
                "SELECT client_key, id FROM proposals WHERE assembly_id = ?", (assembly_id,)
            ).fetchall()
        by_key: dict[str, list[int]] = {}
        for key, row_id in rows:
            by_key.setdefault(key, []).append(row_id)
        return by_key

    by_key = stored_proposals()
    assert len(by_key) == PHONES, "a proposal was lost"
    assert all(len(ids) == 1 for ids in by_key.values()), "a proposal was stored twice"
    ids = [by_key[f"crash-proposal-{i:05d}"][0] for i in range(PHONES)]

    support_paths = [f"{path}/{ids[(i + 1) % PHONES]}/support" for i in range(PHONES)]

    no_body: list[dict[str, Any]] = [{}] * PHONES
    _, again_supports = _killed_and_resent(server, phones, support_paths, no_body, 200)
    assert set(again_supports.values()) == {200}
    server.stop()

    with sqlite3.connect(server.folder / "samatcha.sqlite3") as db:
        supports = dict(
            db.execute("SELECT proposal_id, count(*) FROM supports GROUP BY proposal_id")
        )
        counts = dict(
            db.execute(
                "SELECT id, support_count FROM proposals WHERE assembly_id = ?", (assembly_id,)
            )
        )
    assert supports == {row_id: 1 for row_id in ids}, "a +1 was lost or stored twice"
    assert counts == supports, "a support count differs from its rows"
