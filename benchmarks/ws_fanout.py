"""WebSocket fan-out: how fast one proposal reaches every phone in the hall, and at what memory.

Run from the repository root:
    .venv/bin/python -m benchmarks.ws_fanout --phones 1000
    .venv/bin/python -m benchmarks.ws_fanout --phones 200          # quick check, about 20 s
    .venv/bin/python -m benchmarks.ws_fanout --phones 3000 --workers 2   # PostgreSQL + Redis
    .venv/bin/python -m benchmarks.ws_fanout --url http://127.0.0.1:8000 --code 123456 --pid 4242

Without `--url` it starts `samatcha serve` on a free 127.0.0.1 port with a fresh SQLite database
in a temporary folder, creates an organizer, an assembly with its collect step open and 40
sample Thai proposals (from the demo) so snapshots have a realistic size. It joins every phone
through the HTTP API, opens one socket per phone (a lean asyncio client, `PhoneSocket`,
offering permessage-deflate like a browser; the server declines it), waits for every snapshot, and
measures the server's RSS before and after. Then phones take turns submitting `--events`
proposals `--interval` seconds apart (five each: the server slows a participant past ten a
minute); for each (event, phone) pair the fan-out latency is arrival time minus the event's
server `ts` (same clock; `ts` is stamped when the committed event is handed to the channels
backend). Every phone must see every sequence number after its snapshot exactly once: a gap
is a lost message (exit 1).

With `--workers N` the server runs N uvicorn workers on PostgreSQL (`--postgres`, default the
local server; the benchmark (re)creates its own database `samatcha_bench`) and Redis
(`--redis`); memory and CPU are summed over the workers.

With `--url` the target must be a running server on 127.0.0.1 whose assembly `--code` has an
open collect step; `--pid` (optional) gives the serving process for its memory.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpx

from benchmarks._server import (
    DEVICE_COOKIE,
    SAMPLE_PROPOSALS,
    BenchmarkError,
    Server,
    check_local,
    cpu_seconds,
    create_assembly,
    fresh_postgres_database,
    http_client,
    join_phone,
    join_phones,
    open_fds,
    raise_file_limit,
    rss_kib,
    seed_proposals,
    server_process,
    submit_proposal,
)

CONNECT_CONCURRENCY = 100  # handshakes in flight at once (a hall's phones do not arrive in 1 ms)
OPEN_TIMEOUT_S = 30.0
SNAPSHOT_TIMEOUT_S = 120.0
SNAPSHOT_TIMEOUT_PER_PHONE_S = 0.03  # 10,000 phones on a busy machine: 300 s


def snapshot_timeout(phones: int) -> float:
    return max(SNAPSHOT_TIMEOUT_S, phones * SNAPSHOT_TIMEOUT_PER_PHONE_S)


DRAIN_TIMEOUT_S = 15.0  # after the last event, how long every phone may take to catch up
CLOSE_TIMEOUT_S = 5.0
SETTLE_S = 1.0  # let the server finish allocating before reading its RSS
FDS_PER_PHONE = 1  # our socket end; each server process has its own limit (inherited from us)
FD_HEADROOM = 512


@dataclass
class Phone:
    index: int
    token: str
    snapshot_seq: int | None = None
    snapshot_bytes: int = 0
    extensions: str = ""
    error: str | None = None
    arrivals: dict[int, list[float]] = field(default_factory=dict)
    """seq -> arrival times (ms since epoch); more than one is a duplicate."""
    latencies: list[float] = field(default_factory=list)
    """ms from server `ts` to arrival, for events after the measurement started."""
    other: int = 0
    ready: asyncio.Event = field(default_factory=asyncio.Event)
    socket: PhoneSocket | None = None

    @property
    def last_seq(self) -> int:
        return max(self.arrivals, default=self.snapshot_seq or 0)


@dataclass
class Run:
    phones: list[Phone]
    measure_after_seq: int = 1 << 62
    """Only events with a higher seq count for latency (set once all snapshots are in)."""
    event_types: dict[str, int] = field(default_factory=dict)
    per_event_arrivals: dict[int, list[float]] = field(default_factory=dict)


# ----------------------------------------------------------------------------- the phones


class PhoneSocket(asyncio.Protocol):
    """A phone's WebSocket, read by a plain asyncio protocol.

    The `websockets` client cost this process about 80 µs of CPU per message: with 10,000
    phones on the same two cores as the server, the load generator reading one event took
    longer than the server sending it, and the measured latency was mostly its own. This reads
    the frames itself (the server's are unmasked, whole text frames), finds `seq`, `type` and
    `ts` at the head of an event without parsing it, answers the server's pings, and offers
    permessage-deflate like a browser (the server declines it; were it accepted, this client
    reports the phone as failed rather than misread compressed frames).
    """

    def __init__(
        self, phone: Phone, run: Run, host: str, path: str, compression: str | None
    ) -> None:
        self.phone, self.run = phone, run
        offer = (
            "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n"
            if compression
            else ""
        )
        self.request = (
            f"GET {path} HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\n"
            "Connection: Upgrade\r\nSec-WebSocket-Key: c2FtYXRjaGEtZmFub3V0IQ==\r\n"
            f"Sec-WebSocket-Version: 13\r\n{offer}"
            f"Cookie: {DEVICE_COOKIE}={phone.token}\r\n\r\n"
        ).encode()
        self.buffer = bytearray()
        self.upgraded = False
        self.transport: asyncio.Transport | None = None
        self.closed: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]  # uvloop's is not a subclass
        transport.write(self.request)

    def connection_lost(self, exc: Exception | None) -> None:
        if self.phone.snapshot_seq is None and self.phone.error is None:
            self.phone.error = f"closed before snapshot: {exc or 'by the server'}"
        self.phone.ready.set()
        if not self.closed.done():
            self.closed.set_result(None)

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        if not self.upgraded:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            head = bytes(self.buffer[:end]).decode("latin-1")
            del self.buffer[: end + 4]
            lines = head.split("\r\n")
            if " 101 " not in lines[0] + " ":
                self.fail(f"handshake refused: {lines[0]}")
                return
            for line in lines[1:]:
                name, _, value = line.partition(":")
                if name.strip().lower() == "sec-websocket-extensions":
                    self.phone.extensions = value.strip()
            if self.phone.extensions:
                self.fail(f"server negotiated {self.phone.extensions}: not read by this client")
                return
            self.upgraded = True
        self.read_frames()

    def read_frames(self) -> None:
        buffer = self.buffer
        while len(buffer) >= 2:
            opcode, length = buffer[0] & 0x0F, buffer[1] & 0x7F
            start = 2
            if length == 126:
                if len(buffer) < 4:
                    return
                length, start = int.from_bytes(buffer[2:4], "big"), 4
            elif length == 127:
                if len(buffer) < 10:
                    return
                length, start = int.from_bytes(buffer[2:10], "big"), 10
            if len(buffer) < start + length:
                return
            payload = bytes(buffer[start : start + length])
            del buffer[: start + length]
            if opcode in (1, 2):
                record(self.phone, self.run, payload, time.time() * 1000.0)
            elif opcode == 9:  # ping: pong with the same payload (masked with a zero key)
                self.send_frame(0xA, payload)
            elif opcode == 8:
                self.send_frame(0x8, payload[:2])
                if self.transport is not None:
                    self.transport.close()
                return

    def send_frame(self, opcode: int, payload: bytes) -> None:
        if self.transport is not None and not self.transport.is_closing():
            header = bytes([0x80 | opcode, 0x80 | len(payload)]) + b"\0\0\0\0"
            self.transport.write(header + payload)

    def fail(self, reason: str) -> None:
        self.phone.error = reason
        if self.transport is not None:
            self.transport.close()

    async def close(self) -> None:
        self.send_frame(0x8, (1000).to_bytes(2, "big"))
        try:
            async with asyncio.timeout(CLOSE_TIMEOUT_S):
                await asyncio.shield(self.closed)
        except TimeoutError:
            if self.transport is not None:
                self.transport.abort()


async def listen(phone: Phone, run: Run, ws_url: str, compression: str | None) -> None:
    """One phone's socket: the snapshot first, then record every event as it arrives."""
    parts = urlsplit(ws_url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    loop = asyncio.get_running_loop()
    try:
        async with asyncio.timeout(OPEN_TIMEOUT_S):
            _, protocol = await loop.create_connection(
                lambda: PhoneSocket(phone, run, parts.netloc, parts.path, compression), host, port
            )
        phone.socket = protocol
        await protocol.closed
    except (OSError, TimeoutError) as exc:
        phone.error = f"{type(exc).__name__}: {exc}"
    finally:
        phone.ready.set()  # whoever waits for the snapshot must not wait for a dead phone


_TS = b'"ts":'


def record(phone: Phone, run: Run, raw: bytes, arrived: float) -> None:
    if raw.startswith(b'{"seq":'):  # an event: its head is {"seq":N,"type":"T","ts":MS,...
        seq = int(raw[7 : raw.index(b",", 7)])
        kind_at = raw.index(b'"type":"') + 8
        kind = raw[kind_at : raw.index(b'"', kind_at)].decode()
        phone.arrivals.setdefault(seq, []).append(arrived)
        if seq > run.measure_after_seq:
            ts_at = raw.index(_TS) + len(_TS)
            latency = arrived - float(raw[ts_at : raw.index(b",", ts_at)])
            phone.latencies.append(latency)
            run.per_event_arrivals.setdefault(seq, []).append(latency)
            run.event_types[kind] = run.event_types.get(kind, 0) + 1
        return
    message: dict[str, Any] = json.loads(raw)
    if message.get("type") == "snapshot":
        if phone.snapshot_seq is None:
            phone.snapshot_seq = int(message["seq"])
            phone.snapshot_bytes = len(raw)
            phone.ready.set()
        return
    phone.other += 1  # pong, error, live update


async def connect_all(
    run: Run, ws_url: str, compression: str | None
) -> tuple[list[asyncio.Task[None]], float]:
    gate = asyncio.Semaphore(CONNECT_CONCURRENCY)

    async def guarded(phone: Phone) -> None:
        async with gate:
            task = asyncio.create_task(listen(phone, run, ws_url, compression))
            tasks.append(task)
            await phone.ready.wait()  # hold the slot until the snapshot (or failure) came

    tasks: list[asyncio.Task[None]] = []
    started = time.monotonic()
    try:
        async with asyncio.timeout(snapshot_timeout(len(run.phones))):
            await asyncio.gather(*(guarded(phone) for phone in run.phones))
    except TimeoutError:
        for phone in run.phones:
            if phone.snapshot_seq is None and phone.error is None:
                phone.error = f"no snapshot within {snapshot_timeout(len(run.phones)):.0f} s"
    return tasks, time.monotonic() - started


async def close_all(run: Run, tasks: list[asyncio.Task[None]]) -> None:
    gate = asyncio.Semaphore(CONNECT_CONCURRENCY)

    async def close(socket: PhoneSocket) -> None:
        async with gate:
            await socket.close()

    sockets = [p.socket for p in run.phones if p.socket is not None]
    try:
        async with asyncio.timeout(CLOSE_TIMEOUT_S * 3):
            await asyncio.gather(*(close(s) for s in sockets), return_exceptions=True)
    except TimeoutError:
        pass
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


# ----------------------------------------------------------------------------- the events


async def current_seq(client: httpx.AsyncClient, assembly_id: int, token: str) -> int:
    response = await client.get(
        f"/api/v1/assemblies/{assembly_id}/snapshot",
        headers={"Cookie": f"{DEVICE_COOKIE}={token}"},
    )
    if response.status_code != 200:
        raise BenchmarkError(f"snapshot: HTTP {response.status_code} {response.text[:200]}")
    return int(response.json()["seq"])


PROPOSALS_PER_PHONE = 5  # well inside the server's flood limit of 10 a minute per participant


async def trigger(
    client: httpx.AsyncClient, assembly_id: int, tokens: list[str], count: int, interval: float
) -> list[float]:
    """Phones take turns submitting `count` proposals; returns each round trip in ms."""
    run_id = f"{int(time.time())}"
    round_trips: list[float] = []
    for i in range(count):
        _network, text = SAMPLE_PROPOSALS[i % len(SAMPLE_PROPOSALS)]
        started = time.perf_counter()
        token = tokens[(i // PROPOSALS_PER_PHONE) % len(tokens)]
        await submit_proposal(
            client, assembly_id, token, f"{text} (#{i + 1})", f"fanout-{run_id}-{i:04d}"
        )
        round_trips.append((time.perf_counter() - started) * 1000.0)
        await asyncio.sleep(max(0.0, interval - round_trips[-1] / 1000.0))
    return round_trips


async def drain(run: Run, final_seq: int) -> float:
    """Wait until every connected phone has seen `final_seq` (or the drain timeout)."""
    started = time.monotonic()
    deadline = started + DRAIN_TIMEOUT_S
    live = [p for p in run.phones if p.snapshot_seq is not None]
    while time.monotonic() < deadline:
        if all(p.last_seq >= final_seq for p in live):
            break
        await asyncio.sleep(0.05)
    return time.monotonic() - started


# ----------------------------------------------------------------------------- the report


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile of already sorted values."""
    if not values:
        return float("nan")
    rank = max(1, min(len(values), round(q / 100.0 * len(values) + 0.5)))
    return values[rank - 1]


@dataclass(frozen=True)
class Delivery:
    expected: int
    received: int
    lost: int
    duplicates: int
    phones_with_gaps: int
    lost_examples: list[str]


def delivery(run: Run, final_seq: int) -> Delivery:
    expected = received = lost = duplicates = gaps = 0
    examples: list[str] = []
    for phone in run.phones:
        if phone.snapshot_seq is None:
            continue
        wanted = range(phone.snapshot_seq + 1, final_seq + 1)
        missing = [seq for seq in wanted if seq not in phone.arrivals]
        expected += len(wanted)
        received += sum(len(times) for times in phone.arrivals.values())
        lost += len(missing)
        duplicates += sum(len(times) - 1 for times in phone.arrivals.values())
        if missing:
            gaps += 1
            if len(examples) < 5:
                examples.append(f"phone {phone.index}: missing seq {missing[:10]}")
    return Delivery(expected, received, lost, duplicates, gaps, examples)


def row(label: str, value: str) -> str:
    return f"  {label:<38} {value}"


def ms(values: Sequence[float]) -> str:
    ordered = sorted(values)
    if not ordered:
        return "n/a"
    return (
        f"p50 {percentile(ordered, 50):7.1f}  p95 {percentile(ordered, 95):7.1f}  "
        f"p99 {percentile(ordered, 99):7.1f}  max {ordered[-1]:7.1f} ms"
    )


# ----------------------------------------------------------------------------- main


@dataclass(frozen=True)
class Options:
    phones: int
    events: int
    interval: float
    compression: str | None
    url: str | None
    code: str | None
    pid: int | None
    workers: int
    postgres: str
    redis: str


def rss_all(pids: Sequence[int]) -> int | None:
    return sum(rss_kib(pid) for pid in pids) if pids else None


def cpu_all(pids: Sequence[int]) -> float:
    try:
        return sum(cpu_seconds(pid) for pid in pids)
    except FileNotFoundError as gone:
        # uvicorn's supervisor restarts a worker that did not answer its health check in 5 s
        raise BenchmarkError(f"a server process exited during the run ({gone.filename})") from None


def fds_all(pids: Sequence[int]) -> int | None:
    counts = [open_fds(pid) for pid in pids]
    return None if not pids or None in counts else sum(c or 0 for c in counts)


async def benchmark(server: Server, pids: Sequence[int], options: Options) -> int:
    out: list[str] = []

    def say(line: str = "") -> None:
        out.append(line)
        print(line, flush=True)

    setup_started = time.monotonic()
    if options.code is None:
        assembly = await create_assembly(server.base_url)
        code = assembly.join_code
        await seed_proposals(server.base_url, code, assembly.id)  # a realistic snapshot
    else:
        code = options.code
    async with http_client(server.base_url, connections=4) as client:
        trigger_token, assembly_id = await join_phone(client, code, "education")
    tokens = [trigger_token] + await join_phones(server.base_url, code, options.phones - 1)
    joined_s = time.monotonic() - setup_started
    run = Run([Phone(i, token) for i, token in enumerate(tokens)])

    await asyncio.sleep(SETTLE_S)
    rss_before = rss_all(pids)
    fds_before = fds_all(pids)
    cpu_before = cpu_all(pids)

    ws_url = f"{server.ws_url}/ws/{assembly_id}"
    tasks, connect_s = await connect_all(run, ws_url, options.compression)
    connect_cpu_s = (cpu_all(pids) - cpu_before) if pids else None
    connected = [p for p in run.phones if p.snapshot_seq is not None]
    failed = [p for p in run.phones if p.snapshot_seq is None]
    await asyncio.sleep(SETTLE_S)
    rss_after = rss_all(pids)
    fds_after = fds_all(pids)

    run.measure_after_seq = max((p.last_seq for p in connected), default=0)
    round_trips: list[float] = []
    final_seq = run.measure_after_seq
    drain_s = 0.0
    cpu_before = cpu_all(pids)
    own_cpu_before = time.process_time()
    async with http_client(server.base_url, connections=2) as client:
        if connected:
            round_trips = await trigger(
                client, assembly_id, tokens, options.events, options.interval
            )
            final_seq = await current_seq(client, assembly_id, trigger_token)
            drain_s = await drain(run, final_seq)
    events_cpu_s = (cpu_all(pids) - cpu_before) if pids else None
    own_events_cpu_s = time.process_time() - own_cpu_before
    await close_all(run, tasks)

    result = delivery(run, final_seq)
    latencies = [lat for p in connected for lat in p.latencies]
    slowest_per_event = [max(v) for v in run.per_event_arrivals.values()]
    snapshot_sizes = sorted(p.snapshot_bytes for p in connected)
    extensions = {p.extensions or "(none)" for p in connected}

    say()
    shape = f"{options.workers} workers, PostgreSQL + Redis" if options.workers > 1 else "1 process"
    say(f"WebSocket fan-out — {options.phones} phones, one assembly, {shape}, {server.base_url}")
    setup = "joins" if options.code else "assembly, 40 proposals, joins"
    say(row(f"set-up ({setup})", f"{joined_s:.1f} s"))
    say(row("phones with a snapshot", f"{len(connected)} / {options.phones}"))
    busy = f", server CPU {connect_cpu_s:.1f} s" if connect_cpu_s is not None else ""
    say(row("connect + snapshot, all phones", f"{connect_s:.1f} s{busy}"))
    say(row("snapshot message", f"{snapshot_sizes[-1] if snapshot_sizes else 0} bytes"))
    say(row("negotiated extensions", ", ".join(sorted(extensions))))
    if rss_before is not None and rss_after is not None:
        per = (rss_after - rss_before) / max(1, len(connected))
        say(row("server RSS before sockets", f"{rss_before / 1024:.1f} MiB"))
        say(row("server RSS with sockets", f"{rss_after / 1024:.1f} MiB"))
        say(row("server memory per connection", f"{per:.1f} KiB"))
        say(row("server open fds before / with", f"{fds_before} / {fds_after}"))
    else:
        say(row("server memory", "not measured (no --pid)"))
    say(row("events triggered", f"{len(round_trips)} × proposal, {options.interval:.2f} s apart"))
    say(row("submit round trip (HTTP)", ms(round_trips)))
    if events_cpu_s is not None:
        say(row("server CPU for all events", f"{events_cpu_s:.2f} s"))
    # The phones are this process: when it is as busy as the server, part of the latency is
    # the load generator reading thousands of sockets, not the server sending to them.
    say(row("load generator CPU for all events", f"{own_events_cpu_s:.2f} s"))
    say(row("event types seen", ", ".join(f"{k}: {v}" for k, v in sorted(run.event_types.items()))))
    say(row("(event, phone) pairs measured", f"{len(latencies)}"))
    say(row("fan-out latency, all pairs", ms(latencies)))
    say(row("last phone per event", ms(slowest_per_event)))
    say(row("drain after last event", f"{drain_s:.2f} s"))
    say(row("messages expected / received", f"{result.expected} / {result.received}"))
    say(row("lost (seq gaps)", f"{result.lost} on {result.phones_with_gaps} phones"))
    say(row("duplicates", f"{result.duplicates}"))
    for example in result.lost_examples:
        say(row("", example))
    if failed:
        reasons: dict[str, int] = {}
        for phone in failed:
            reason = (phone.error or "unknown")[:120]
            reasons[reason] = reasons.get(reason, 0) + 1
        say(row("phones without a socket", f"{len(failed)}"))
        for reason, count in sorted(reasons.items(), key=lambda kv: -kv[1])[:5]:
            say(row("", f"{count} × {reason}"))
    problems = server.log_problems()
    say(row("server log problems", f"{len(problems)}" if server.log_path else "n/a (--url)"))
    for line in problems[:10]:
        say(row("", line[:160]))
    say()

    if failed or result.lost or not connected:
        say("FAIL: " + ("lost messages" if result.lost else "phones could not connect"))
        return 1
    return 0


def parse(argv: Sequence[str] | None) -> Options:
    parser = argparse.ArgumentParser(
        prog="benchmarks.ws_fanout", description=__doc__.split("\n\n")[0] if __doc__ else None
    )
    parser.add_argument("--phones", type=int, default=1000, help="sockets to open (default 1000)")
    parser.add_argument("--events", type=int, default=20, help="proposals to submit (default 20)")
    parser.add_argument("--interval", type=float, default=0.2, help="seconds between proposals")
    parser.add_argument(
        "--no-deflate", action="store_true", help="do not offer permessage-deflate (browsers do)"
    )
    parser.add_argument("--url", help="a running server on 127.0.0.1 instead of a fresh one")
    parser.add_argument("--code", help="join code of an assembly with an open collect step")
    parser.add_argument("--pid", type=int, help="the running server's pid, for its memory")
    parser.add_argument("--workers", type=int, default=1, help="uvicorn workers (PostgreSQL+Redis)")
    parser.add_argument(
        "--postgres",
        default="postgresql+asyncpg://postgres@127.0.0.1:5432/postgres",
        help="PostgreSQL server for --workers (its database samatcha_bench is recreated)",
    )
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/0", help="Redis for --workers")
    args = parser.parse_args(argv)
    if args.phones < 1 or args.events < 1:
        parser.error("--phones and --events must be at least 1")
    if args.url and not args.code:
        parser.error("--url needs --code")
    if (args.code or args.pid) and not args.url:
        parser.error("--code and --pid only go with --url")
    if args.workers > 1 and args.url:
        parser.error("--workers starts its own servers: not with --url")
    return Options(
        phones=args.phones,
        events=args.events,
        interval=args.interval,
        compression=None if args.no_deflate else "deflate",
        url=args.url,
        code=args.code,
        pid=args.pid,
        workers=args.workers,
        postgres=args.postgres,
        redis=args.redis,
    )


def time_budget(options: Options) -> float:
    """Everything (joins, connects, events, drain) must finish within this many seconds."""
    return (
        120.0
        + options.phones * 0.05
        + snapshot_timeout(options.phones)
        + options.events * (options.interval + 5.0)
        + DRAIN_TIMEOUT_S
    )


async def amain(server: Server, pids: Sequence[int], options: Options) -> int:
    async with asyncio.timeout(time_budget(options)):
        return await benchmark(server, pids, options)


def server_story(server: Server) -> str:
    """The server log without its per-request lines: starts, stops, dead workers, errors."""
    quiet = ("WebSocket /ws", "connection open", "connection closed", '" 20')
    lines = server.log_tail(2_000_000).splitlines()
    return "\n".join([line for line in lines if not any(q in line for q in quiet)][-40:])


def main(argv: Sequence[str] | None = None) -> int:
    options = parse(argv)
    limit = raise_file_limit(options.phones * FDS_PER_PHONE + FD_HEADROOM)
    if limit < options.phones * FDS_PER_PHONE + FD_HEADROOM // 2:
        print(f"error: RLIMIT_NOFILE is {limit}, too low for {options.phones} phones")
        return 2
    try:
        import uvloop

        loop_factory: Any = uvloop.new_event_loop
    except ImportError:
        loop_factory = None
    try:
        with ExitStack() as stack:
            if options.url:
                server = Server(check_local(options.url), options.pid, None)
                pids = [options.pid] if options.pid else []
            else:
                shared = {}
                if options.workers > 1:
                    shared = {
                        "database_url": fresh_postgres_database(options.postgres),
                        "redis_url": options.redis,
                    }
                process = stack.enter_context(server_process(workers=options.workers, **shared))
                server, pids = process.server, process.serving_pids()
            try:
                with asyncio.Runner(loop_factory=loop_factory) as runner:
                    return runner.run(amain(server, pids, options))
            except BenchmarkError:
                print(server_story(server))  # while its log still exists
                raise
    except BenchmarkError as exc:
        print(f"error: {exc}")
        return 2
    except TimeoutError:
        print(f"error: the benchmark did not finish within {time_budget(options):.0f} s")
        return 2


if __name__ == "__main__":
    sys.exit(main())
