"""The guessing limits hold across workers: two `samatcha serve` processes on one database
count against one budget in the real Redis at 127.0.0.1:6379 (SAMATCHA_TEST_REDIS_URL).

Skipped with the reason when Redis does not answer, except under CI=true, where it fails.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import socket
from collections import Counter
from collections.abc import Iterator
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import httpx
import pytest

from assembly.errors import NotFound, TooManyRequests
from assembly.limits import LOGIN_ATTEMPTS, WRONG_CODES_PER_DEVICE, Guesser, Throttles

if TYPE_CHECKING:
    from tests.conftest import RealServer, ServeSamatcha

REDIS_URL = os.environ.get("SAMATCHA_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
PASSWORD = "redis-throttle-pass"
# test_workers.py restarts the machine's Redis: never while another file uses it (xdist)
pytestmark = pytest.mark.xdist_group("machine-redis")


def _need_redis() -> None:
    parts = urlsplit(REDIS_URL)
    host, port = parts.hostname or "127.0.0.1", parts.port or 6379
    try:
        with socket.create_connection((host, port), 1):
            return
    except OSError as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true but Redis does not answer at {REDIS_URL}: {exc}")
        pytest.skip(
            f"Redis does not answer at {REDIS_URL} ({exc}): the shared-limit path is untested"
        )


@pytest.fixture(scope="module")
def account() -> str:
    """A name of its own per run: the Redis is shared with other test runs."""
    return f"target{secrets.token_hex(4)}"


@pytest.fixture(scope="module")
def two_workers(
    tmp_path_factory: pytest.TempPathFactory, serve_samatcha: ServeSamatcha, account: str
) -> Iterator[list[RealServer]]:
    _need_redis()
    folder = tmp_path_factory.mktemp("redis-throttles")
    shared = {"SAMATCHA_REDIS_URL": REDIS_URL}
    first = serve_samatcha(
        folder, password=PASSWORD, env=shared, accounts=[("facilitator", account)], name="w0"
    )
    second = serve_samatcha(folder, password=PASSWORD, env=shared, name="w1")
    yield [first, second]
    for worker in (first, second):
        worker.stop(within=15)


def test_a_login_burst_split_over_two_workers_is_verified_at_most_five_times(
    two_workers: list[RealServer], account: str
) -> None:
    async def burst() -> tuple[Counter[int], int]:
        async with httpx.AsyncClient(timeout=120) as http:
            body = {"username": account, "password": "not the password"}
            answers = await asyncio.gather(
                *(http.post(f"{two_workers[i % 2].url}/api/v1/login", json=body) for i in range(30))
            )
            right = await http.post(
                f"{two_workers[1].url}/api/v1/login",
                json={"username": account, "password": PASSWORD},
            )
            return Counter(a.status_code for a in answers), right.status_code

    statuses, right = asyncio.run(burst())
    assert 1 <= statuses[401] <= LOGIN_ATTEMPTS.amount, statuses
    assert statuses[401] + statuses[429] == 30, statuses
    assert right == 429


def test_wrong_codes_count_once_across_workers_and_correct_ones_not_at_all() -> None:
    _need_redis()

    async def guesses() -> tuple[list[str], int]:
        prefix = f"samatcha-test-{secrets.token_hex(4)}"
        workers = [Throttles(REDIS_URL, key_prefix=prefix) for _ in range(2)]
        phone = Guesser(device=secrets.token_hex(8), client="10.13.1.1")
        outcomes: list[str] = []

        async def attempt(worker: Throttles, correct: bool) -> None:
            try:
                async with worker.code_guess(phone) as guess:
                    if not correct:
                        guess.wrong()
                        raise NotFound("unknown_join_code", "wrong")
                outcomes.append("in")
            except NotFound:
                outcomes.append("wrong")
            except TooManyRequests:
                outcomes.append("refused")

        for i in range(20):  # correct codes, on both workers: they use none of the budget
            await attempt(workers[i % 2], correct=True)
        await asyncio.gather(*(attempt(workers[i % 2], correct=False) for i in range(30)))
        await attempt(workers[0], correct=True)
        left = await workers[1].fixed.get_window_stats(
            WRONG_CODES_PER_DEVICE, "code", f"device:{phone.device}"
        )
        for worker in workers:
            await worker.close()
        return outcomes, left.remaining

    outcomes, remaining = asyncio.run(guesses())
    assert outcomes[:20] == ["in"] * 20
    assert Counter(outcomes[20:50]) == {"wrong": WRONG_CODES_PER_DEVICE.amount, "refused": 20}
    assert outcomes[50] == "refused"  # this phone has used its ten, on whichever worker
    assert remaining == 0
