"""How long a refused login takes, for an unknown username and for a real one (issue 13).

Run from the repository root:  .venv/bin/python -m benchmarks.login_timing

It starts `samatcha serve` on a free 127.0.0.1 port with a fresh SQLite database and one
organizer, then times sequential refused logins: a username no account has, and the
organizer's name with a wrong password (each wrong one followed by the right one, which starts
the per-account count again). Both are checked against an Argon2 hash (a dummy one for the
unknown name), so the medians should be close: a name that answers faster than a password
check tells a guesser which usernames exist. Before the fix: unknown ≈ 4 ms, real ≈ 180 ms.
Exit 1 when the unknown name's median is under half the real one's.
"""

from __future__ import annotations

import statistics
import sys
import time

import httpx

from benchmarks._server import ORGANIZER, PASSWORD, local_server

SAMPLES = 15


def _timed(client: httpx.Client, username: str, password: str) -> float:
    started = time.perf_counter()
    response = client.post("/api/v1/login", json={"username": username, "password": password})
    elapsed = time.perf_counter() - started
    if response.status_code != 401:
        raise SystemExit(f"expected 401 for {username}, got {response.status_code}")
    return elapsed


def main() -> int:
    with local_server() as server, httpx.Client(base_url=server.base_url, timeout=30) as client:
        unknown, real = [], []
        for i in range(SAMPLES):
            unknown.append(_timed(client, f"nobody-{i}", "wrong password"))
            real.append(_timed(client, ORGANIZER, "wrong password"))
            client.post("/api/v1/login", json={"username": ORGANIZER, "password": PASSWORD})
    fast, slow = statistics.median(unknown), statistics.median(real)
    print(f"unknown username: median {fast * 1000:.0f} ms over {SAMPLES}")
    print(f"real username, wrong password: median {slow * 1000:.0f} ms over {SAMPLES}")
    return 0 if fast >= slow / 2 else 1


if __name__ == "__main__":
    sys.exit(main())
