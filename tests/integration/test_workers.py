"""Two real server processes sharing PostgreSQL and Redis: any worker serves any phone."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import httpx
import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

if TYPE_CHECKING:
    from tests.conftest import RealServer, ServeSamatcha

REDIS_URL = os.environ.get("SAMATCHA_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
POSTGRES_URL = os.environ.get(
    "SAMATCHA_TEST_DATABASE_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)
# How .ci/run and docs/deploy.md start the machine's Redis; the test restarts it the same way.
REDIS_START = [
    "redis-server",
    "--daemonize",
    "yes",
    "--bind",
    "127.0.0.1",
    "-::1",
    "--port",
    "6379",
    "--save",
    "",
    "--appendonly",
    "no",
    "--dir",
    "/var/lib/redis",
    "--logfile",
    "/var/log/redis/ci.log",
]
PASSWORD = "workers-test-pass"
# test_workers.py restarts the machine's Redis: never while another file uses it (xdist)
pytestmark = pytest.mark.xdist_group("machine-redis")


def _answers(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), 1):
            return True
    except OSError:
        return False


def _need(host: str, port: int, what: str) -> None:
    if not _answers(host, port):
        if os.environ.get("CI"):
            pytest.fail(f"CI=true but {what} does not answer on {host}:{port}")
        pytest.skip(f"{what} does not answer on {host}:{port}")


@pytest.fixture(scope="module")
def servers(
    tmp_path_factory: pytest.TempPathFactory,
    reset_postgres: Callable[[str], None],
    serve_samatcha: ServeSamatcha,
) -> Iterator[list[RealServer]]:
    _need("127.0.0.1", 5432, "PostgreSQL")
    _need("127.0.0.1", 6379, "Redis")
    reset_postgres(POSTGRES_URL)
    folder = tmp_path_factory.mktemp("workers")
    shared = {"SAMATCHA_DATABASE_URL": POSTGRES_URL, "SAMATCHA_REDIS_URL": REDIS_URL}
    first = serve_samatcha(
        folder, password=PASSWORD, env=shared, accounts=[("organizer", "org")], name="worker-0"
    )
    second = serve_samatcha(folder, password=PASSWORD, env=shared, name="worker-1")
    yield [first, second]
    for worker in (first, second):
        worker.stop(within=15)


@pytest.fixture(scope="module")
def workers(servers: list[RealServer]) -> list[str]:
    return [server.url for server in servers]


class Browser:
    """Cookies of one person, usable against any worker (no sticky sessions)."""

    def __init__(self) -> None:
        self.cookies = httpx.Cookies()

    def post(self, url: str, body: dict[str, Any]) -> httpx.Response:
        response = httpx.post(url, json=body, cookies=self.cookies, timeout=10)
        self.cookies.update(response.cookies)
        return response

    def socket(self, base: str, assembly_id: int, since: int | None = None) -> Any:
        header = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        url = base.replace("http://", "ws://") + f"/ws/{assembly_id}"
        if since is not None:
            url += f"?since={since}"
        return connect(url, additional_headers={"Cookie": header}, open_timeout=10)


def _receive(ws: Any, timeout: float = 5) -> dict[str, Any]:
    return json.loads(ws.recv(timeout=timeout))


def _closes(ws: Any, within: float = 10) -> bool:
    """Whether the socket closes within `within` seconds (whatever it still delivers first)."""
    deadline = time.monotonic() + within
    try:
        while time.monotonic() < deadline:
            ws.recv(timeout=max(0.1, deadline - time.monotonic()))
    except ConnectionClosed:
        return True
    except TimeoutError:
        return False
    return False


def _follow_to_step(
    phone: Browser, ws: Any, worker: str, assembly_id: int, seq: int, step_id: int
) -> int:
    """Follow a phone's socket until it shows step `step_id`; returns the seq it is then at.

    Either the step change arrives in sequence (every seq after `seq`, none missing or twice),
    or the worker noticed it never received it (the worker that committed it died before
    publishing) and closed the socket with 1012: the phone reconnects, like static/samatcha.js,
    saying its seq, and must get a snapshot at the new step."""
    seen: list[dict[str, Any]] = []
    code = None
    try:
        while not seen or seen[-1]["type"] != "step.changed":
            seen.append(_receive(ws, timeout=10))
    except ConnectionClosed as closed:
        code = closed.rcvd.code if closed.rcvd else 1006
    if code is not None:
        assert code == 1012
        at = seen[-1]["seq"] if seen else seq
        with phone.socket(worker, assembly_id, since=at) as again:
            snapshot = _receive(again)
        assert snapshot["type"] == "snapshot"
        assert snapshot["data"]["step"]["id"] == step_id
        return int(snapshot["seq"])
    assert [e["seq"] for e in seen] == list(range(seq + 1, seq + 1 + len(seen)))
    assert seen[-1]["data"]["step"]["id"] == step_id
    return int(seen[-1]["seq"])


def _assembly(worker: str) -> tuple[Browser, int, str, int]:
    organizer = Browser()
    assert organizer.post(
        f"{worker}/api/v1/login", {"username": "org", "password": PASSWORD}
    ).is_success
    created = organizer.post(
        f"{worker}/api/v1/assemblies/", {"name": "สมัชชาแห่งชาติ", "province": "กรุงเทพ"}
    )
    state = created.json()
    return (
        organizer,
        state["assembly"]["id"],
        state["assembly"]["join_code"],
        state["steps"][0]["id"],
    )


def test_an_action_on_one_worker_reaches_a_screen_on_the_other(workers: list[str]) -> None:
    a, b = workers
    organizer, assembly_id, code, collect = _assembly(a)
    phone = Browser()
    assert phone.post(f"{b}/api/v1/join", {"code": code, "network": "media"}).is_success
    assert organizer.post(
        f"{b}/api/v1/assemblies/{assembly_id}/steps/{collect}/open", {}
    ).is_success
    with organizer.socket(b, assembly_id) as presenter:
        first = _receive(presenter)
        assert first["type"] == "snapshot"
        for i in range(5):
            url = f"{a}/api/v1/assemblies/{assembly_id}/proposals"
            assert (
                phone.post(url, {"text": f"ข้อเสนอที่ {i}", "client_key": f"key-{i:08d}"}).status_code
                == 201
            )
        events = [_receive(presenter) for _ in range(5)]
    assert [e["seq"] for e in events] == list(range(first["seq"] + 1, first["seq"] + 6))
    assert [e["data"]["proposal"]["text"] for e in events] == [f"ข้อเสนอที่ {i}" for i in range(5)]
    again = phone.post(
        f"{b}/api/v1/assemblies/{assembly_id}/proposals",
        {"text": "ข้อเสนอที่ 0", "client_key": "key-00000000"},
    )
    assert again.status_code == 200  # the same key through the other worker: stored once


def test_broadcasting_resumes_by_itself_after_redis_restarts(workers: list[str]) -> None:
    a, b = workers
    organizer, assembly_id, code, collect = _assembly(a)
    phone = Browser()
    assert phone.post(f"{a}/api/v1/join", {"code": code, "network": "religion"}).is_success
    assert organizer.post(
        f"{a}/api/v1/assemblies/{assembly_id}/steps/{collect}/open", {}
    ).is_success
    subprocess.run(
        ["redis-cli", "-h", "127.0.0.1", "-p", "6379", "shutdown", "nosave"],
        check=False,
        timeout=10,
    )
    time.sleep(1)
    subprocess.run(REDIS_START, check=True, timeout=10)
    deadline = time.monotonic() + 10
    delivered = None
    with organizer.socket(b, assembly_id) as presenter:
        _receive(presenter)
        attempt = 0
        while delivered is None and time.monotonic() < deadline:
            attempt += 1
            response = phone.post(
                f"{a}/api/v1/assemblies/{assembly_id}/proposals",
                {"text": f"หลังรีสตาร์ต {attempt}", "client_key": f"after-{attempt:06d}"},
            )
            assert response.status_code == 201  # acknowledged actions never depend on the broker
            try:
                delivered = _receive(presenter, timeout=1)
            except TimeoutError:
                continue
    assert delivered is not None, "no event crossed workers within 10 s of the Redis restart"
    assert delivered["type"] == "proposal.created"


def test_a_worker_killed_during_a_step_switch_loses_nothing_for_the_phones_of_the_other(
    servers: list[RealServer],
) -> None:
    """The switch is answered by the worker that then dies (SIGKILL, no shutdown code): the
    phone on the surviving worker gets the step change in sequence, with nothing missing, or,
    when the dying worker had committed it but not yet published it, is told to resync (1012)
    and gets it then; the phone of the dead worker comes back (to the other worker) and gets
    the new step at once."""
    first, second = servers
    a, b = first.url, second.url
    organizer = Browser()
    assert organizer.post(f"{a}/api/v1/login", {"username": "org", "password": PASSWORD})
    created = organizer.post(
        f"{a}/api/v1/assemblies/", {"name": "สมัชชาจังหวัด", "province": "น่าน"}
    ).json()
    assembly_id, code = created["assembly"]["id"], created["assembly"]["join_code"]
    collect, following = created["steps"][0]["id"], created["steps"][1]["id"]
    steps = f"{a}/api/v1/assemblies/{assembly_id}/steps"
    assert organizer.post(f"{steps}/{collect}/open", {}).is_success
    stays, drops = Browser(), Browser()
    for phone, network in ((stays, "religion"), (drops, "media")):
        assert phone.post(f"{a}/api/v1/join", {"code": code, "network": network}).is_success
    try:
        with stays.socket(a, assembly_id) as on_a, drops.socket(b, assembly_id) as on_b:
            start_a, start_b = _receive(on_a), _receive(on_b)
            assert start_a["type"] == start_b["type"] == "snapshot"
            switched = organizer.post(
                f"{b}/api/v1/assemblies/{assembly_id}/steps/{following}/open", {}
            )
            second.kill()
            assert switched.is_success
            stays_at = _follow_to_step(stays, on_a, a, assembly_id, start_a["seq"], following)
            assert _closes(on_b)  # the dead worker's socket is gone
        # the phone comes back, to the worker that is left, saying what it had: not current
        with drops.socket(a, assembly_id, since=start_b["seq"]) as again:
            resynced = _receive(again)
        assert resynced["type"] == "snapshot"
        assert resynced["seq"] >= stays_at
        assert resynced["data"]["step"]["id"] == following
    finally:
        second.start()  # the module's other tests expect two workers
