"""A hall of phones under stress: a step switch during a vote, stalled phones, a reconnect storm.

Run from the repository root (each starts `samatcha serve` on a free 127.0.0.1 port with a
fresh SQLite database, like `benchmarks.ws_fanout`):

    .venv/bin/python -m benchmarks.hall switch --phones 2000 --ballots-per-s 2000 [--all-ask]
    .venv/bin/python -m benchmarks.hall stalled --phones 1000 --stalled 20
    .venv/bin/python -m benchmarks.hall storm --phones 5000 [--kill]

Phones join through the real HTTP API and hold a real WebSocket (`websockets` client), and
behave like static/samatcha.js: after a `step.changed` a phone waits for the step's `view`
(built once by the server and sent to every phone); if the view names it among the `holders`
(phones with a personal part in the new step) it asks for that part alone (`mine`) after a
random 0-1 ms × holders; with no view within 4 s it asks for a snapshot (`resync`) after a
random 0-1.5 s (0-4 ms × phones joined in a big hall); when its socket closes it reconnects
by the rules of `reconnect_delay` (static/samatcha.js `reconnectDelay`),
telling the server the seq it is at (`?since=`), which answers `current` when nothing changed.

- switch: every phone casts and changes dot-voting ballots from a second process at
  `--ballots-per-s` over keep-alive HTTP (the load of the voting benchmark) while the
  facilitator opens the next step. Reported: how soon each phone receives the step change
  (server `ts` to arrival; target: 95% within 1 s) and has the new step's whole view (the
  view, plus its own part when it had to ask; target: 95% within 2 s, 99% within 3 s), how
  many asked for a snapshot or their own part, ballots acknowledged, events lost/duplicated.
- stalled: the same proposals fanned out twice, first to `--phones` healthy phones alone, then
  with `--stalled` extra sockets that completed the handshake and then never read again (a
  backgrounded phone). Reported: the latency the stalled ones add to the others (target
  < 50 ms at p99), how long until the server dropped them (its ping timeout), and that each,
  coming back, gets a current snapshot.
- storm: all phones connected, then the server is stopped (SIGTERM, or SIGKILL with `--kill`)
  and started again on the same database and port. Reported: how soon phones are current again
  (a `current` answer or a fresh snapshot), counted from the moment the server answers again
  (target: 99% within 10 s), and that every phone kept its seat (never refused, same
  participant id in any snapshot).

Exit status 1 when a phone lost its seat, a message was lost or a phone never came back.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import multiprocessing
import random
import socket
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake

from assembly.events import EventType
from benchmarks._server import (
    DEVICE_COOKIE,
    ORGANIZER,
    PASSWORD,
    SAMPLE_PROPOSALS,
    BenchmarkError,
    Connection,
    ServerProcess,
    create_assembly,
    http_client,
    join_phones,
    open_fds,
    raise_file_limit,
    seed_proposals,
    server_process,
    submit_proposal,
)
from benchmarks.ballots import dot_ballot, set_up_vote
from benchmarks.ws_fanout import ms, percentile, row

VIEW_WAIT_S = 4.0  # static/samatcha.js VIEW_WAIT_MS
RESYNC_SPREAD_S = 1.5  # static/samatcha.js RESYNC_SPREAD_MS and hallSpread()
RESYNC_SPREAD_PER_PHONE_S = 0.004
MINE_SPREAD_PER_HOLDER_S = 0.001  # MINE_SPREAD_PER_HOLDER_MS
SPREAD_MAX_S = 20.0
BACKOFF_BASE_S = 0.5  # BACKOFF_BASE_MS
BACKOFF_MAX_S = 30.0  # BACKOFF_MAX_MS
QUICK_CODES = (1001, 1006, 1012)  # QUICK_CODES
QUICK_FAIL_S = 1.0  # QUICK_FAIL_MS
QUICK_WINDOW_S = 180.0  # QUICK_WINDOW_MS
RECONNECT_SPREAD_S = 1.0  # RECONNECT_SPREAD_MS
RECONNECT_SPREAD_PER_PHONE_S = 0.001  # RECONNECT_SPREAD_PER_PHONE_MS
RECONNECT_SPREAD_MAX_S = 8.0  # RECONNECT_SPREAD_MAX_MS
CONNECT_CONCURRENCY = 100
OPEN_TIMEOUT_S = 30.0
FDS_PER_PHONE = 2


# ----------------------------------------------------------------------------- a phone


@dataclass
class Phone:
    """One simulated phone: its seat, the snapshots it got and when the step change came."""

    index: int
    token: str
    participant_id: int | None = None
    seat_changed: bool = False
    snapshots: list[tuple[float, int]] = field(default_factory=list)
    """(arrival time, seq) of every snapshot, or of a `current` answer to a reconnect."""
    seqs: dict[int, int] = field(default_factory=dict)
    """seq -> how many times it arrived (after the first snapshot)."""
    step_ts: float | None = None
    """Server `ts` (ms) of the step change."""
    step_change_ms: float | None = None
    """Server `ts` of the step change to its arrival here."""
    resynced_ms: float | None = None
    """Server `ts` of the step change to the new step's whole view here: its `view` (plus the
    phone's own part when it was named a holder), or the snapshot asked for without one."""
    view_owed: bool = False
    mine_owed: bool = False
    view_bytes: int = 0
    view_sent_ms: float | None = None
    """Server `ts` of the step change to the server `ts` of its view: the time to build it."""
    always_mine: bool = False
    """Act as if every view named this phone a holder (`holders: null`, the worst case:
    a step where every phone has a part of its own, e.g. a reopened vote all voted in)."""
    asked: dict[str, int] = field(default_factory=dict)
    """What it asked for after the step change: `resync`, `mine` -> how many times."""
    fanout_ms: list[tuple[int, float]] = field(default_factory=list)
    """(seq, ms) of proposals: server `ts` to arrival."""
    received_bytes: int = 0
    joined: int = 0
    snapshot_bytes: int = 0
    opens: int = 0
    attempt: int = 0
    tries: int = 0
    """Connection attempts made (the first included)."""
    served_at: float = field(default_factory=time.monotonic)
    """Back-off state, as static/samatcha.js keeps it (`attempt`, `servedAt`)."""
    error: str | None = None
    ready: asyncio.Event = field(default_factory=asyncio.Event)
    socket: ClientConnection | None = None
    stop: bool = False


def handle(phone: Phone, raw: str | bytes, ask: Any) -> None:
    arrived = time.time()
    phone.received_bytes += len(raw)
    message: dict[str, Any] = json.loads(raw)
    kind = message.get("type")
    if kind == "current":  # reconnected with `since` and nothing changed: the state holds
        phone.snapshots.append((arrived, int(message["seq"])))
        return
    if kind == "snapshot":
        seq = int(message["seq"])
        me = message["data"].get("me") or {}
        if phone.participant_id is None:
            phone.participant_id = me.get("participant_id")
        elif me.get("participant_id") != phone.participant_id:
            phone.seat_changed = True
        phone.snapshots.append((arrived, seq))
        phone.snapshot_bytes = len(raw)
        phone.joined = int(message["data"].get("joined") or 0)
        if phone.step_ts is not None and phone.resynced_ms is None:
            phone.resynced_ms = arrived * 1000.0 - phone.step_ts
        phone.view_owed = phone.mine_owed = False
        phone.ready.set()
        return
    if message.get("live") == "view":
        view = message["data"]
        phone.view_bytes = len(raw)
        if not phone.view_owed:
            return
        if phone.step_ts is not None:
            phone.view_sent_ms = float(message["ts"]) - phone.step_ts
        phone.view_owed = False
        # Its step before was a vote, so no part carries over (`same_in`).
        named = [
            phone.joined if h is None else len(h)
            for part in view["parts"]
            if (h := part["holders"]) is None or phone.participant_id in h
        ]
        if phone.always_mine or named:
            phone.mine_owed = True
            asking = phone.joined if phone.always_mine else max(named)
            spread = asking * MINE_SPREAD_PER_HOLDER_S
            asyncio.get_running_loop().call_later(random.random() * min(5.0, spread), ask, "mine")
        elif phone.step_ts is not None and phone.resynced_ms is None:
            phone.resynced_ms = arrived * 1000.0 - phone.step_ts
        return
    if kind == "personal":
        if phone.mine_owed and phone.step_ts is not None and phone.resynced_ms is None:
            phone.resynced_ms = arrived * 1000.0 - phone.step_ts
        phone.mine_owed = False
        return
    seq = message.get("seq")
    if not isinstance(seq, int):
        return
    phone.seqs[seq] = phone.seqs.get(seq, 0) + 1
    if kind == EventType.STEP_CHANGED and phone.step_ts is None:
        phone.step_ts = float(message["ts"])
        phone.step_change_ms = arrived * 1000.0 - phone.step_ts
        phone.view_owed = True
        spread = min(SPREAD_MAX_S, max(RESYNC_SPREAD_S, phone.joined * RESYNC_SPREAD_PER_PHONE_S))

        def no_view() -> None:
            if phone.view_owed:
                asyncio.get_running_loop().call_later(random.random() * spread, ask, "resync")

        asyncio.get_running_loop().call_later(VIEW_WAIT_S, no_view)
    elif kind == EventType.PROPOSAL_CREATED:
        phone.fanout_ms.append((seq, arrived * 1000.0 - float(message["ts"])))


def reconnect_delay(phone: Phone, code: int, quick: bool) -> float:
    """static/samatcha.js `reconnectDelay`, rule for rule: a socket that was open and dropped,
    or an attempt refused at once, comes back within the hall's spread (for QUICK_WINDOW_S after
    it was last served); anything else backs off exponentially with jitter."""
    if quick and code in QUICK_CODES and time.monotonic() - phone.served_at < QUICK_WINDOW_S:
        spread = min(
            RECONNECT_SPREAD_MAX_S,
            max(RECONNECT_SPREAD_S, phone.joined * RECONNECT_SPREAD_PER_PHONE_S),
        )
        return random.random() * spread
    delay = min(BACKOFF_MAX_S, BACKOFF_BASE_S * 2**phone.attempt) * (0.5 + random.random() / 2)
    phone.attempt += 1
    return delay


async def live(phone: Phone, url: str, *, reconnect: bool) -> None:
    """The socket of static/samatcha.js: snapshot, events, `reconnect_delay` on close."""
    sending: set[asyncio.Future[None]] = set()
    while not phone.stop:
        known = max([seq for _, seq in phone.snapshots] + list(phone.seqs), default=None)
        started = time.monotonic()
        phone.tries += 1
        opened = False
        code = 1006  # what a browser reports for a connection that failed or just dropped
        try:
            async with connect(
                url if known is None else f"{url}?since={known}",
                additional_headers={"Cookie": f"{DEVICE_COOKIE}={phone.token}"},
                compression=None,
                proxy=None,
                open_timeout=OPEN_TIMEOUT_S,
                ping_interval=None,
                close_timeout=2,
                max_size=8 * 2**20,
            ) as ws:
                opened = True
                phone.opens += 1
                phone.socket = ws

                def ask(kind: str, ws: ClientConnection = ws) -> None:
                    phone.asked[kind] = phone.asked.get(kind, 0) + 1
                    message = json.dumps({"type": kind})
                    sending.add(asyncio.ensure_future(_send_quietly(ws, message)))

                async for raw in ws:
                    phone.attempt, phone.served_at = 0, time.monotonic()  # served: start over
                    handle(phone, raw, ask)
        except (OSError, TimeoutError, ConnectionClosed, InvalidHandshake, Exception) as exc:
            # any failure is a closed socket to a browser, which retries: so does the phone
            phone.error = f"{type(exc).__name__}: {exc}"[:160]
            if isinstance(exc, ConnectionClosed) and exc.rcvd:
                code = exc.rcvd.code
            if code == 4403:
                phone.seat_changed = True  # refused: this device no longer holds a seat
                phone.ready.set()
                return
        finally:
            phone.socket = None
        if not reconnect:
            phone.ready.set()
            return
        quick = opened or time.monotonic() - started < QUICK_FAIL_S
        await asyncio.sleep(reconnect_delay(phone, code, quick))


async def _send_quietly(ws: ClientConnection, text: str) -> None:
    with contextlib.suppress(ConnectionClosed):
        await ws.send(text)


async def connect_phones(
    phones: Sequence[Phone], url: str, *, reconnect: bool = False
) -> list[asyncio.Task[None]]:
    """Open every phone's socket, at most CONNECT_CONCURRENCY handshakes at once; returns when
    each has its first snapshot (or gave up)."""
    gate = asyncio.Semaphore(CONNECT_CONCURRENCY)
    tasks: list[asyncio.Task[None]] = []

    async def one(phone: Phone) -> None:
        async with gate:
            tasks.append(asyncio.create_task(live(phone, url, reconnect=reconnect)))
            await phone.ready.wait()

    await asyncio.gather(*(one(p) for p in phones))
    return tasks


async def hang_up(phones: Sequence[Phone], tasks: list[asyncio.Task[None]]) -> None:
    for phone in phones:
        phone.stop = True
    gate = asyncio.Semaphore(CONNECT_CONCURRENCY)

    async def close(ws: ClientConnection) -> None:
        async with gate:
            await ws.close()

    sockets = [p.socket for p in phones if p.socket is not None]
    await asyncio.gather(*(close(s) for s in sockets), return_exceptions=True)
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


async def joined_phones(base_url: str, code: str, count: int) -> list[Phone]:
    tokens = await join_phones(base_url, code, count)
    return [Phone(i, token) for i, token in enumerate(tokens)]


async def wait_for(condition: Any, limit_s: float, step: float = 0.05) -> float:
    """Seconds until `condition()` held (or `limit_s` passed); polls: the phones' state is
    plain data updated by many tasks."""
    started = time.monotonic()
    while time.monotonic() - started < limit_s and not condition():  # noqa: ASYNC110
        await asyncio.sleep(step)
    return time.monotonic() - started


def lost_messages(phones: Sequence[Phone], last_seq: int) -> int:
    """Events after a phone's first snapshot, up to `last_seq`, that it never received."""
    return sum(
        1
        for p in phones
        for seq in range(p.snapshots[0][1] + 1, last_seq + 1)
        if p.snapshots and seq not in p.seqs
    )


def duplicates(phones: Sequence[Phone]) -> int:
    return sum(n - 1 for p in phones for n in p.seqs.values())


def ms_free(values: Sequence[float]) -> str:
    """p50 / p99 / max of sorted counts."""
    if not values:
        return "n/a"
    p50, p99 = percentile(values, 50), percentile(values, 99)
    return f"p50 {p50:.0f}  p99 {p99:.0f}  max {values[-1]:.0f}"


def within(values: Sequence[float], limit: float) -> str:
    return f"{100.0 * sum(v <= limit for v in values) / max(1, len(values)):.1f} %"


async def organizer_client(base_url: str) -> Any:
    client = http_client(base_url, connections=2, keep_cookies=True)
    login = await client.post("/api/v1/login", json={"username": ORGANIZER, "password": PASSWORD})
    if login.status_code != 200:
        raise BenchmarkError(f"login: {login.status_code} {login.text[:200]}")
    return client


# ----------------------------------------------------------------------------- switch


def ballot_load(
    base_url: str, path: str, tokens: list[str], option_ids: list[str], rate: float,
    seconds: float, results: Any,
) -> None:  # fmt: skip
    """In its own process: ballots at `rate` per second for `seconds`, each phone changing its
    ballot again and again (a newer client_seq each time)."""

    async def run() -> dict[str, Any]:
        parts = urlsplit(base_url)
        connections = 96
        rng = random.Random(7)
        latencies: list[float] = []
        statuses: dict[int, int] = {}
        started = time.monotonic()
        sent = 0
        versions = [0] * len(tokens)

        async def worker() -> None:
            nonlocal sent
            connection = Connection(parts.hostname or "127.0.0.1", parts.port or 80)
            try:
                while (now := time.monotonic()) - started < seconds:
                    due = started + sent / rate
                    if due > now:
                        await asyncio.sleep(due - now)
                    phone = sent % len(tokens)
                    sent += 1
                    versions[phone] += 1
                    seq = (phone + 1) * 1_000_000 + versions[phone]
                    body = json.dumps(
                        {"ballot": dot_ballot(rng, option_ids), "client_seq": seq}
                    ).encode()
                    t0 = time.perf_counter()
                    status, _, _ = await connection.post(
                        path, body, f"{DEVICE_COOKIE}={tokens[phone]}"
                    )
                    statuses[status] = statuses.get(status, 0) + 1
                    if status == 200:
                        latencies.append((time.perf_counter() - t0) * 1000.0)
            finally:
                connection.close()

        await asyncio.gather(*(worker() for _ in range(connections)))
        return {
            "latencies": latencies,
            "statuses": statuses,
            "seconds": time.monotonic() - started,
        }

    results.put(asyncio.run(run()))


async def switch(process: ServerProcess, options: argparse.Namespace) -> int:
    server = process.server
    assembly_id, code, vote_id, option_ids = await set_up_vote(server.base_url, proposals=True)
    phones = await joined_phones(server.base_url, code, options.phones)
    for phone in phones:
        phone.always_mine = options.all_ask
    url = f"{server.ws_url}/ws/{assembly_id}"
    connect_started = time.monotonic()
    tasks = await connect_phones(phones, url)
    connect_s = time.monotonic() - connect_started
    connected = [p for p in phones if p.snapshots]

    spawn = multiprocessing.get_context("spawn")  # not a fork holding thousands of sockets
    results: Any = spawn.Queue()
    path = f"/api/v1/assemblies/{assembly_id}/votes/{vote_id}/ballot"
    loader = spawn.Process(
        target=ballot_load,
        args=(server.base_url, path, [p.token for p in phones], option_ids,
              options.ballots_per_s, options.before + options.after, results),
    )  # fmt: skip
    loader.start()
    await asyncio.sleep(options.before)
    organizer = await organizer_client(server.base_url)
    try:
        snapshot = (await organizer.get(f"/api/v1/assemblies/{assembly_id}/snapshot")).json()
        draft = next(s for s in snapshot["steps"] if s["kind"] == "draft")
        opened = await organizer.post(
            f"/api/v1/assemblies/{assembly_id}/steps/{draft['id']}/open", json={}
        )
        if opened.status_code != 200:
            raise BenchmarkError(f"open draft step: {opened.status_code} {opened.text[:200]}")
    finally:
        await organizer.aclose()
    await wait_for(lambda: all(p.resynced_ms is not None for p in connected), 15.0)
    load = await asyncio.to_thread(results.get, True, options.before + options.after + 60)
    loader.join()
    await hang_up(phones, tasks)

    final_seq = max((max(p.seqs, default=0) for p in connected), default=0)
    lost, doubled = lost_messages(connected, final_seq), duplicates(connected)
    seen = sorted(p.step_change_ms for p in connected if p.step_change_ms is not None)
    resynced = sorted(p.resynced_ms for p in connected if p.resynced_ms is not None)
    acked = load["latencies"]
    print()
    every = ", every phone asking for its own part" if options.all_ask else ""
    print(f"Step switch during a vote — {options.phones} phones, one process, SQLite{every}")
    print(row("phones with a socket", f"{len(connected)} / {options.phones}"))
    print(row("connect + snapshot, all phones", f"{connect_s:.1f} s"))
    print(row("ballot load (second process)", f"{options.ballots_per_s:.0f}/s asked"))
    statuses = ", ".join(f"{k}: {v}" for k, v in sorted(load["statuses"].items()))
    print(row("ballot answers", statuses))
    window = options.before
    print(row("ballots acknowledged before the switch", f"{len(acked) / window:.0f}/s"))
    print(row("ballot acknowledgement", ms(acked)))
    print(row("phones that saw the step change", f"{len(seen)} / {len(connected)}"))
    print(row("step change visible (ts → arrival)", ms(seen)))
    print(row("visible within 1 s", within(seen, 1000.0)))
    print(row("phones with the new step's view", f"{len(resynced)} / {len(connected)}"))
    view_bytes = max((p.view_bytes for p in connected), default=0)
    print(row("view message (one, to every phone)", f"{view_bytes / 1024:.1f} KiB"))
    built = [p.view_sent_ms for p in connected if p.view_sent_ms is not None]
    print(row("view sent after the step change", f"{max(built, default=float('nan')):.0f} ms"))
    print(row("new view whole (ts → arrival)", ms(resynced)))
    print(row("new view within 2 s (target 95%)", within(resynced, 2000.0)))
    print(row("new view within 3 s (target 99%)", within(resynced, 3000.0)))
    asked = {k: sum(p.asked.get(k, 0) for p in connected) for k in ("mine", "resync")}
    print(row("asked for their own part / a snapshot", f"{asked['mine']} / {asked['resync']}"))
    print(row("events lost / duplicated", f"{lost} / {doubled}"))
    print()
    ok = len(seen) == len(connected) == options.phones and not lost and not doubled
    ok = ok and percentile(seen, 95) <= 1000.0 and len(resynced) == len(connected)
    return 0 if ok else 1


# ----------------------------------------------------------------------------- stalled


def stalled_socket(base_url: str, assembly_id: int, token: str) -> socket.socket:
    """A WebSocket handshake done by hand, then never read again (not even the snapshot)."""
    parts = urlsplit(base_url)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect((parts.hostname or "127.0.0.1", parts.port or 80))
    sock.sendall(
        (
            f"GET /ws/{assembly_id} HTTP/1.1\r\nHost: {parts.netloc}\r\nUpgrade: websocket\r\n"
            "Connection: Upgrade\r\nSec-WebSocket-Key: c2FtYXRjaGEtc3RhbGxlZA==\r\n"
            f"Sec-WebSocket-Version: 13\r\nCookie: {DEVICE_COOKIE}={token}\r\n\r\n"
        ).encode()
    )
    head = b""
    while b"\r\n\r\n" not in head:
        head += sock.recv(1)  # byte by byte: nothing after the headers is read
    if b" 101 " not in head.split(b"\r\n", 1)[0]:
        raise BenchmarkError(f"stalled phone handshake refused: {head[:100]!r}")
    return sock


async def stalled(process: ServerProcess, options: argparse.Namespace) -> int:
    server = process.server
    info = await create_assembly(server.base_url)
    await seed_proposals(server.base_url, info.join_code, info.id)
    phones = await joined_phones(server.base_url, info.join_code, options.phones)
    authors = await join_phones(server.base_url, info.join_code, 2 * options.events // 5 + 2)
    stall_tokens = await join_phones(server.base_url, info.join_code, options.stalled)
    url = f"{server.ws_url}/ws/{info.id}"
    tasks = await connect_phones(phones, url)
    pid = server.pid
    assert pid is not None

    async def round_of(label: str, offset: int) -> list[float]:
        for phone in phones:
            phone.fanout_ms.clear()
        async with http_client(server.base_url, connections=2) as client:
            for i in range(options.events):
                token = authors[(offset + i) // 5]
                await submit_proposal(
                    client, info.id, token, f"{LONG_TEXT} ({label} {i + 1})", f"{label}-{i:04d}"
                )
                await asyncio.sleep(options.interval)
        await asyncio.sleep(2.0)
        return [lat for p in phones for _, lat in p.fanout_ms]

    alone = await round_of("alone", 0)
    fds_before = open_fds(pid) or 0
    stuck = [stalled_socket(server.base_url, info.id, t) for t in stall_tokens]
    stalled_at = time.monotonic()
    bytes_before = phones[0].received_bytes
    with_stalled = await round_of("stalled", options.events)
    unread_kib = (phones[0].received_bytes - bytes_before + phones[0].snapshot_bytes) / 1024
    await wait_for(lambda: (open_fds(pid) or 0) <= fds_before, options.drop_timeout, step=0.5)
    dropped = (open_fds(pid) or 0) <= fds_before
    since_stall = time.monotonic() - stalled_at
    for sock in stuck:
        sock.close()
    back = [Phone(i, t) for i, t in enumerate(stall_tokens)]
    back_tasks = await connect_phones(back, url)
    async with http_client(server.base_url, connections=2) as client:
        probe = await client.get(
            f"/api/v1/assemblies/{info.id}/snapshot",
            headers={"Cookie": f"{DEVICE_COOKIE}={phones[0].token}"},
        )
        current = int(probe.json()["seq"])
    current_again = sum(1 for p in back if p.snapshots and p.snapshots[0][1] == current)
    lost, doubled = lost_messages(phones, current), duplicates(phones)
    await hang_up(phones + back, tasks + back_tasks)

    alone.sort()
    with_stalled.sort()
    print()
    print(f"Stalled phones — {options.phones} reading phones, {options.stalled} that stop reading")
    print(row("proposals per round", f"{options.events}, {options.interval:.2f} s apart"))
    print(row("sent to each stalled phone, never read", f"{unread_kib:.0f} KiB"))
    print(row("fan-out, reading phones alone", ms(alone)))
    print(row("fan-out, with stalled phones", ms(with_stalled)))
    added = percentile(with_stalled, 99) - percentile(alone, 99)
    print(row("added at p99 by the stalled phones", f"{added:.1f} ms"))
    state = f"{since_stall:.0f} s after they stalled" if dropped else "NOT dropped"
    print(row("stalled sockets dropped by the server", f"{state} (ping 20 s + timeout 20 s)"))
    print(row("back: snapshot at the current seq", f"{current_again} / {options.stalled}"))
    print(row("reading phones: lost / duplicated", f"{lost} / {doubled}"))
    print()
    ok = dropped and current_again == options.stalled and not lost and not doubled
    return 0 if ok and added < 50.0 else 1


LONG_TEXT = (SAMPLE_PROPOSALS[0][1] + " ") * 3


# ----------------------------------------------------------------------------- storm


async def storm(process: ServerProcess, options: argparse.Namespace) -> int:
    server = process.server
    info = await create_assembly(server.base_url)
    await seed_proposals(server.base_url, info.join_code, info.id)
    join_started = time.monotonic()
    phones = await joined_phones(server.base_url, info.join_code, options.phones)
    join_s = time.monotonic() - join_started
    url = f"{server.ws_url}/ws/{info.id}"
    connect_started = time.monotonic()
    tasks = await connect_phones(phones, url, reconnect=True)
    connect_s = time.monotonic() - connect_started
    seated = [p for p in phones if p.participant_id is not None]
    if len(seated) != len(phones):
        raise BenchmarkError(f"only {len(seated)} of {len(phones)} phones connected")

    down_at = time.time()
    await asyncio.to_thread(process.stop, kill=options.kill)
    stopped_at = time.time()  # the old process has exited: any answer now is the new one's
    await asyncio.sleep(options.down)
    await asyncio.to_thread(process.start)
    up_at = time.time()

    def fresh(phone: Phone) -> float | None:
        return next((t for t, _ in phone.snapshots if t >= stopped_at), None)

    await wait_for(lambda: all(fresh(p) is not None for p in phones), options.timeout, 0.25)
    # A phone may be served before the health check notices the server is up: that is 0 s.
    back = sorted(max(0.0, t - up_at) * 1000.0 for p in phones if (t := fresh(p)) is not None)
    seat_lost = sum(p.seat_changed for p in phones)
    attempts = sorted(float(p.tries) for p in phones)
    errors = Counter((p.error or "none").split(":")[0] for p in phones)
    await hang_up(phones, tasks)

    how = "SIGKILL" if options.kill else "SIGTERM"
    print()
    print(f"Reconnect storm — {options.phones} phones, one process, SQLite, restart by {how}")
    print(row("joins over HTTP", f"{join_s:.1f} s"))
    print(row("first connect + snapshot, all phones", f"{connect_s:.1f} s"))
    print(row("server down (stop → answering again)", f"{up_at - down_at:.1f} s"))
    print(row("phones back and current again", f"{len(back)} / {options.phones}"))
    print(row("back after the server answered", ms(back)))
    print(row("99% back within", f"{percentile(back, 99) / 1000.0:.1f} s"))
    print(row("back within 10 s", within(back, 10_000.0)))
    print(row("phones that lost their seat", f"{seat_lost}"))
    print(row("reconnect attempts per phone", ms_free(attempts)))
    for reason, count in errors.most_common(4):
        print(row("", f"{count} × last failure: {reason[:90]}"))
    print()
    ok = seat_lost == 0 and len(back) >= 0.99 * options.phones
    return 0 if ok and percentile(back, 99) <= 10_000.0 else 1


# ----------------------------------------------------------------------------- main


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="benchmarks.hall", description=__doc__.split("\n")[0])
    scenarios = parser.add_subparsers(dest="scenario", required=True)
    one = scenarios.add_parser("switch", help="a step switch during a vote")
    one.add_argument("--phones", type=int, default=2000)
    one.add_argument("--ballots-per-s", type=float, default=2000.0)
    one.add_argument("--before", type=float, default=4.0, help="seconds of ballots before")
    one.add_argument("--after", type=float, default=3.0, help="seconds of ballots after")
    one.add_argument(
        "--all-ask",
        action="store_true",
        help="every phone asks for its own part (mine), as when the view names no holders",
    )
    two = scenarios.add_parser("stalled", help="phones that stop reading")
    two.add_argument("--phones", type=int, default=1000)
    two.add_argument("--stalled", type=int, default=20)
    two.add_argument("--events", type=int, default=30)
    two.add_argument("--interval", type=float, default=0.2)
    two.add_argument("--drop-timeout", type=float, default=90.0)
    three = scenarios.add_parser("storm", help="a server restart with every phone connected")
    three.add_argument("--phones", type=int, default=5000)
    three.add_argument("--kill", action="store_true", help="SIGKILL instead of SIGTERM")
    three.add_argument("--down", type=float, default=0.0, help="seconds to stay down")
    three.add_argument("--timeout", type=float, default=90.0)
    return parser.parse_args(argv)


SCENARIOS = {"switch": switch, "stalled": stalled, "storm": storm}


def main(argv: Sequence[str] | None = None) -> int:
    options = parse(argv)
    phones = options.phones + getattr(options, "stalled", 0)
    raise_file_limit(phones * FDS_PER_PHONE + 1024)
    try:
        import uvloop

        loop_factory: Any = uvloop.new_event_loop
    except ImportError:
        loop_factory = None
    try:
        with server_process() as process, asyncio.Runner(loop_factory=loop_factory) as runner:
            return runner.run(SCENARIOS[options.scenario](process, options))
    except BenchmarkError as exc:
        print(f"error: {exc}")
        return 2


if __name__ == "__main__":
    sys.exit(main())
