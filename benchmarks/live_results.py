"""Live results on many screens while ballots pour in: what each chart refresh costs the server.

Run from the repository root:
    .venv/bin/python -m benchmarks.live_results                      # 300 screens, 2,000 ballots/s
    .venv/bin/python -m benchmarks.live_results --screens 100 --seconds 5   # quick check

It starts `samatcha serve` on a free 127.0.0.1 port with a fresh SQLite database, opens a vote
(dot voting, twelve options) and reveals its results, so every phone shows the running result.
`--screens` phones hold a socket each and behave like static/vote.js on a phone whose results
are revealed: on every `tally` live update they reload the two charts of the result
(`ranking.svg`, `consensus.svg`), skipping an update while their previous reload is still under
way (a browser replaces an image that has not loaded yet). Meanwhile a second process casts
ballots at `--ballots-per-s` from `--voters` phones, each changing its ballot again and again
(a newer client_seq each time), as `benchmarks/hall.py switch` does.

Reported: the ballots acknowledged per second and their latency, the tallies each screen got,
the chart requests served per second and their latency, failures, and the server's CPU per
second of load. Every chart request used to read and recount every ballot of the vote; now it
is answered from the results cached for the vote's current ballots (`voting/services.py`).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import sys
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from assembly.events import EventType
from benchmarks._server import (
    DEVICE_COOKIE,
    BenchmarkError,
    cpu_seconds,
    join_phones,
    raise_file_limit,
    server_process,
)
from benchmarks.ballots import set_up_vote
from benchmarks.hall import ballot_load, organizer_client
from benchmarks.ws_fanout import ms, row

CHARTS = ("ranking.svg", "consensus.svg")  # what templates/steps/vote.results.html shows
CHART_EVERY_S = 3.0  # static/vote.js CHART_EVERY_MS
CONNECT_CONCURRENCY = 100
OPEN_TIMEOUT_S = 30.0
FDS_PER_SCREEN = 3  # its socket and a share of the chart connections


@dataclass
class Screen:
    token: str
    tallies: int = 0
    reloads: int = 0
    skipped: int = 0
    """Tallies that came while a reload was waiting or under way (the next shows the newest)."""
    busy: bool = False
    names_version: bool = True
    scheduled: bool = False
    due: float = 0.0
    """When this screen may reload its charts again (monotonic seconds)."""
    version: str | None = None
    """The version of the last tally, which the charts name (as static/vote.js does)."""
    ready: asyncio.Event = field(default_factory=asyncio.Event)
    error: str | None = None


@dataclass
class Charts:
    every_s: float = CHART_EVERY_S
    latencies: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    tasks: set[asyncio.Task[None]] = field(default_factory=set)


class Pool:
    """Keep-alive HTTP/1.1 connections shared by the screens (a raw asyncio client, as in
    `benchmarks.ballots`: the load generator must not eat the CPU the server needs)."""

    def __init__(self, base_url: str, size: int) -> None:
        parts = urlsplit(base_url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.idle: asyncio.Queue[tuple[asyncio.StreamReader, asyncio.StreamWriter] | None]
        self.idle = asyncio.Queue()
        for _ in range(size):
            self.idle.put_nowait(None)

    async def get(self, path: str, cookie: str) -> int:
        connection = await self.idle.get()
        try:
            if connection is None:
                connection = await asyncio.open_connection(self.host, self.port)
            reader, writer = connection
            writer.write(
                f"GET {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
                f"Cookie: {cookie}\r\n\r\n".encode()
            )
            await writer.drain()
            status = int((await reader.readline()).split()[1])
            length = 0
            while (line := await reader.readline()) not in (b"\r\n", b""):
                name, _, value = line.decode("latin-1").partition(":")
                if name.lower() == "content-length":
                    length = int(value)
            await reader.readexactly(length)
            return status
        except (OSError, ValueError, IndexError, asyncio.IncompleteReadError):
            if connection is not None:
                connection[1].close()
            connection = None
            return 0
        finally:
            self.idle.put_nowait(connection)


async def reload_charts(screen: Screen, pool: Pool, base: str, charts: Charts) -> None:
    """Both images at once, as a browser reloads them; the screen is busy until both came."""
    screen.busy = True
    screen.reloads += 1
    query = f"v={screen.version}" if screen.version else f"t={time.time_ns()}"

    async def one(name: str) -> None:
        started = time.perf_counter()
        status = await pool.get(f"{base}{name}?{query}", f"{DEVICE_COOKIE}={screen.token}")
        charts.statuses[status] = charts.statuses.get(status, 0) + 1
        if status == 200:
            charts.latencies.append((time.perf_counter() - started) * 1000.0)

    try:
        await asyncio.gather(*(one(name) for name in CHARTS))
    finally:
        screen.busy = False


async def reload_later(screen: Screen, pool: Pool, base: str, charts: Charts) -> None:
    """static/vote.js `reloadCharts`: at most once per CHART_EVERY_S, the last tally's always."""
    await asyncio.sleep(max(0.0, screen.due - time.monotonic()))
    screen.scheduled = False
    screen.due = time.monotonic() + charts.every_s
    await reload_charts(screen, pool, base, charts)


async def watch(screen: Screen, url: str, pool: Pool, base: str, charts: Charts) -> None:
    try:
        async with connect(
            url,
            additional_headers={"Cookie": f"{DEVICE_COOKIE}={screen.token}"},
            compression=None,
            proxy=None,
            open_timeout=OPEN_TIMEOUT_S,
            ping_interval=None,
            max_size=8 * 2**20,
        ) as ws:
            async for raw in ws:
                message = json.loads(raw)
                if message.get("type") == "snapshot":
                    screen.ready.set()
                elif message.get("live") == EventType.TALLY:
                    screen.tallies += 1
                    screen.version = (
                        message["data"].get("version") if screen.names_version else None
                    )
                    if screen.scheduled or screen.busy:
                        screen.skipped += 1
                        continue
                    screen.scheduled = True
                    task = asyncio.create_task(reload_later(screen, pool, base, charts))
                    charts.tasks.add(task)
                    task.add_done_callback(charts.tasks.discard)
    except ConnectionClosed:
        pass
    except Exception as exc:  # a refused handshake: report it, never hang
        screen.error = f"{type(exc).__name__}: {exc}"
    finally:
        screen.ready.set()


async def run(options: argparse.Namespace) -> int:
    with server_process() as process:
        server = process.server
        assert server.pid is not None
        assembly_id, code, vote_id, option_ids = await set_up_vote(server.base_url)
        organizer = await organizer_client(server.base_url)
        try:
            revealed = await organizer.post(
                f"/api/v1/assemblies/{assembly_id}/votes/{vote_id}/reveal"
            )
            if revealed.status_code != 200:
                raise BenchmarkError(f"reveal: {revealed.status_code} {revealed.text[:200]}")
        finally:
            await organizer.aclose()
        print(f"joining {options.screens} screens and {options.voters} voters ...")
        tokens = await join_phones(server.base_url, code, options.screens + options.voters)
        screens = [
            Screen(t, names_version=not options.unversioned) for t in tokens[: options.screens]
        ]
        voters = tokens[options.screens :]
        url = f"{server.ws_url}/ws/{assembly_id}"
        base = f"/a/{assembly_id}/votes/{vote_id}/charts/"
        charts = Charts(every_s=options.chart_every)
        gate = asyncio.Semaphore(CONNECT_CONCURRENCY)
        tasks: list[asyncio.Task[None]] = []

        pool = Pool(server.base_url, options.connections)

        async def open_one(screen: Screen) -> None:
            async with gate:
                tasks.append(asyncio.create_task(watch(screen, url, pool, base, charts)))
                await screen.ready.wait()

        await asyncio.gather(*(open_one(s) for s in screens))
        connected = [s for s in screens if s.error is None]

        spawn = multiprocessing.get_context("spawn")
        results: Any = spawn.Queue()
        path = f"/api/v1/assemblies/{assembly_id}/votes/{vote_id}/ballot"
        loader = spawn.Process(
            target=ballot_load,
            args=(server.base_url, path, voters, option_ids, options.ballots_per_s,
                  options.seconds, results),
        )  # fmt: skip
        cpu_before, started = cpu_seconds(server.pid), time.monotonic()
        loader.start()
        load = await asyncio.to_thread(results.get, True, options.seconds + 60)
        loader.join()
        await asyncio.gather(*list(charts.tasks), return_exceptions=True)
        elapsed = time.monotonic() - started
        cpu_used = cpu_seconds(server.pid) - cpu_before
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    acked = load["latencies"]
    served = charts.latencies
    failed = sum(n for status, n in charts.statuses.items() if status != 200)
    tallies = [s.tallies for s in connected]
    print()
    print(
        f"Live results — {options.screens} screens, {options.ballots_per_s:.0f} ballots/s asked "
        f"for {options.seconds:.0f} s, charts at most every {options.chart_every:g} s, "
        f"{'unversioned' if options.unversioned else 'versioned'}, one process, SQLite"
    )
    print(row("screens with a socket", f"{len(connected)} / {options.screens}"))
    statuses = ", ".join(f"{k}: {v}" for k, v in sorted(load["statuses"].items()))
    print(row("ballot answers", statuses))
    print(row("ballots acknowledged", f"{len(acked) / load['seconds']:.0f}/s"))
    print(row("ballot acknowledgement", ms(acked)))
    print(row("tallies per screen", f"{min(tallies, default=0)}–{max(tallies, default=0)}"))
    print(row("tallies without a reload of their own", str(sum(s.skipped for s in connected))))
    print(row("charts served", f"{len(served)} ({len(served) / elapsed:.0f}/s)"))
    print(row("chart answer", ms(served)))
    print(row("charts failed", str(failed)))
    print(
        row("server CPU", f"{cpu_used:.1f} s in {elapsed:.1f} s ({cpu_used / elapsed:.2f} cores)")
    )
    print()
    return 0 if len(connected) == options.screens and not failed else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="benchmarks.live_results", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--screens", type=int, default=300)
    parser.add_argument("--voters", type=int, default=1000)
    parser.add_argument("--ballots-per-s", type=float, default=2000.0)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--connections", type=int, default=100, help="for the chart requests")
    parser.add_argument(
        "--chart-every", type=float, default=CHART_EVERY_S, help="seconds between reloads"
    )
    parser.add_argument(
        "--unversioned", action="store_true", help="charts name no tally version (newest ballots)"
    )
    options = parser.parse_args(argv)
    raise_file_limit((options.screens + options.voters) * FDS_PER_SCREEN + 1024)
    try:
        return asyncio.run(run(options))
    except BenchmarkError as exc:
        print(f"error: {exc}")
        return 2


if __name__ == "__main__":
    sys.exit(main())
