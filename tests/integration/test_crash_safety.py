"""SIGKILL the server in the middle of a vote of 1,000 phones; nothing acknowledged is lost.

A real `samatcha serve` on a SQLite file takes proposals and ballots from 1,000 joined phones;
it is killed with SIGKILL while requests are in flight, restarted on the same file, and every
phone's outbox resends what it sent (the same keys). Afterwards the database holds every
acknowledged action exactly once, and every resend was answered without a second copy.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Iterator
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
    path: str,
    bodies: list[dict[str, Any]],
    stop_after: int | None = None,
    on_stop: Any = None,
) -> dict[int, int]:
    """Send one request per phone, 32 at a time; returns phone index -> HTTP status for every
    request that was answered (unanswered ones are what the outbox resends)."""
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
                    path, json=bodies[index], headers={"Cookie": phones[index]["cookie"]}
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
    with httpx.Client(base_url=server.url, timeout=10) as organizer:
        organizer.post(
            "/api/v1/login", json={"username": "org", "password": PASSWORD}
        ).raise_for_status()
        state = organizer.post(
            "/api/v1/assemblies/", json={"name": "ทดสอบ", "province": "ทดสอบ"}
        ).json()
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
