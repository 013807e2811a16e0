"""Shared by the HTTP/WebSocket benchmarks: a real `samatcha serve` on 127.0.0.1 with a fresh
SQLite database in a temporary folder, an organizer, an assembly whose collect step is open,
phones joined through the public API, and sample Thai proposals.

Not a benchmark itself; see `benchmarks.ws_fanout` and `benchmarks.page_weight`.
"""

from __future__ import annotations

import asyncio
import os
import resource
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.cookiejar import Cookie, CookieJar
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

from assembly.demo import DEMO_PROPOSALS

HOST = "127.0.0.1"
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost"})
ORGANIZER = "bench-organizer"
PASSWORD = "bench-secret-123"  # a throwaway account in a throwaway database
DEVICE_COOKIE = "samatcha_device"
SESSION_COOKIE = "samatcha_session"
NETWORKS = ("government", "business", "civil_society", "education", "religion", "media")
START_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 15.0
HTTP_TIMEOUT_S = 30.0
SAMPLE_PROPOSALS: tuple[tuple[str, str], ...] = DEMO_PROPOSALS
"""40 (network, Thai proposal) pairs written for the demo."""


class Connection:
    """One keep-alive HTTP/1.1 connection of a raw-asyncio load client (an HTTP library costs more
    CPU per request than the server under test): send a POST, read one response and its cookies."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def post(self, path: str, body: bytes, cookie: str) -> tuple[int, dict[str, str], bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        head = (
            f"POST {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
            + (f"Cookie: {cookie}\r\n" if cookie else "")
            + "\r\n"
        ).encode()
        self.writer.write(head + body)
        await self.writer.drain()
        status_line = await self.reader.readline()
        if not status_line:
            raise ConnectionError("server closed the connection")
        status = int(status_line.split()[1])
        length = 0
        cookies: dict[str, str] = {}
        while True:
            line = await self.reader.readline()
            if line in (b"\r\n", b""):
                break
            name, _, value = line.decode("latin-1").partition(":")
            if name.lower() == "content-length":
                length = int(value)
            elif name.lower() == "set-cookie":
                key, _, rest = value.strip().partition("=")
                cookies[key] = rest.split(";", 1)[0]
        return status, cookies, await self.reader.readexactly(length)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def verdict(
    problems: list[str], unexpected: list[str], *, cut_off: int | None, fast_enough: bool
) -> int:
    """Print what went wrong (lost, duplicated, other) and the result line of a load benchmark;
    its exit status. `cut_off`: requests the crash cut off (None: no crash), which are no fault;
    `fast_enough` counts only without a crash."""
    lost = sum("lost" in p for p in problems)
    duplicated = sum("duplicate" in p for p in problems)
    print(f"  lost: {lost}  duplicated: {duplicated}  other problems: "
          f"{len(problems) - lost - duplicated + len(unexpected)}")  # fmt: skip
    for line in (problems + unexpected)[:20]:
        print("   ", line)
    if cut_off is not None:
        print(f"  requests cut off by the crash: {cut_off} (never answered)")
    ok = not problems and not unexpected and (cut_off is not None or fast_enough)
    print("\nresult:", "ok" if ok else "BELOW TARGET OR INCORRECT")
    return 0 if ok else 1


@dataclass
class Wave:
    """One wave of writes: phone -> the row id its (first) answer named, and timings."""

    name: str
    answered: dict[int, int] = field(default_factory=dict)
    latencies: list[float] = field(default_factory=list)
    resent: int = 0
    """second requests of the phones sending twice, each answered with the same row"""
    errors: list[str] = field(default_factory=list)
    first_sent: float | None = None
    last_answer: float = 0.0


async def send_wave(
    server: Server,
    phones: int,
    request: Callable[[int], tuple[str, bytes, str]],
    answer_row: Callable[[int, dict[str, str], bytes], int],
    twice: set[int],
    connections: int,
    wave: Wave,
) -> float:
    """Every phone POSTs its `request(phone)` (path, JSON body, Cookie header), twice if in
    `twice`, where the second answer must name the same row (`answer_row(phone, cookies set,
    body)`), over `connections` keep-alive connections; returns the wall time."""
    parts = urlsplit(server.base_url)
    queue: asyncio.Queue[int] = asyncio.Queue()
    for phone in range(phones):
        queue.put_nowait(phone)

    async def worker() -> None:
        connection = Connection(parts.hostname or "127.0.0.1", parts.port or 80)
        try:
            while not queue.empty():
                phone = queue.get_nowait()
                for attempt in range(2 if phone in twice else 1):
                    path, body, cookie = request(phone)
                    started = time.perf_counter()
                    wave.first_sent = wave.first_sent or started
                    try:
                        status, cookies, answer = await connection.post(path, body, cookie)
                    except (ConnectionError, OSError, asyncio.IncompleteReadError) as exc:
                        wave.errors.append(f"phone {phone}: {exc!r}")
                        return
                    now = time.perf_counter()
                    if status not in (200, 201):
                        wave.errors.append(f"phone {phone}: HTTP {status} {answer[:200]!r}")
                        break
                    wave.latencies.append(now - started)
                    wave.last_answer = now
                    row = answer_row(phone, cookies, answer)
                    if attempt == 0:
                        wave.answered[phone] = row
                    else:
                        wave.resent += 1
                        if row != wave.answered[phone]:
                            wave.errors.append(f"phone {phone}: sent again, answered row {row}")
        finally:
            connection.close()

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(connections)))
    return time.perf_counter() - started


async def kill_during(load: asyncio.Future[Any], pid: int, after_s: float, what: str) -> bool:
    """SIGKILL the server `after_s` seconds into `load` (if it is still running, and `after_s`
    is not 0); True if it was killed. The crash runs of the write benchmarks."""
    if not after_s:
        return False
    await asyncio.sleep(after_s)
    if load.done():
        return False
    os.kill(pid, signal.SIGKILL)
    print(f"  server killed with SIGKILL after {after_s:.1f} s of {what}")
    return True


def run_benchmark(main_async: Callable[[Any], Awaitable[int]], args: Any) -> None:
    """Run a benchmark's `main_async(args)` and exit with its status (2: the set-up failed)."""
    try:
        sys.exit(asyncio.run(main_async(args)))
    except BenchmarkError as exc:
        print(f"benchmark set-up failed: {exc}", file=sys.stderr)
        sys.exit(2)


class BenchmarkError(RuntimeError):
    """The set-up failed; the message says where (and quotes the server log when useful)."""


@dataclass(frozen=True)
class Server:
    base_url: str
    pid: int | None
    """The serving process (one uvicorn worker), for its memory; None for `--url` targets."""
    log_path: Path | None

    @property
    def ws_url(self) -> str:
        return "ws" + self.base_url.removeprefix("http")

    def log_tail(self, lines: int = 30) -> str:
        if self.log_path is None or not self.log_path.exists():
            return "(no server log: the server was not started by this benchmark)"
        text = self.log_path.read_text(encoding="utf-8", errors="replace").splitlines()
        return "\n".join(text[-lines:])

    def log_problems(self) -> list[str]:
        """Server log lines that point at a failure (errors, tracebacks, refused handshakes)."""
        if self.log_path is None or not self.log_path.exists():
            return []
        markers = ("ERROR", "Traceback", "Exception", "CRITICAL", "Too many open files", "died")
        text = self.log_path.read_text(encoding="utf-8", errors="replace").splitlines()
        return [line for line in text if any(marker in line for marker in markers)]


@dataclass(frozen=True)
class AssemblyInfo:
    id: int
    join_code: str
    collect_step_id: int


def raise_file_limit(wanted: int) -> int:
    """Raise this process's soft RLIMIT_NOFILE (a child server inherits it); returns the limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft != resource.RLIM_INFINITY and soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        soft = target
    return soft


def check_local(url: str) -> str:
    """The benchmarks only ever talk to this machine."""
    parts = urlsplit(url)
    if parts.scheme != "http" or parts.hostname not in LOCAL_HOSTS:
        raise BenchmarkError(f"only http://127.0.0.1:<port> targets are allowed, not {url!r}")
    return f"http://{HOST}:{parts.port or 80}"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def rss_kib(pid: int) -> int:
    """Resident memory of a process in KiB, from /proc/<pid>/status."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise BenchmarkError(f"no VmRSS for pid {pid}")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used, from /proc/<pid>/stat."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    fields = stat[stat.rindex(")") + 2 :].split()  # the command name may contain spaces
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def open_fds(pid: int) -> int | None:
    try:
        return len(os.listdir(f"/proc/{pid}/fd"))
    except OSError:
        return None


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "assembly.cli", *args]


def _wait_until_healthy(process: subprocess.Popen[bytes], base_url: str, log_path: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    with httpx.Client(timeout=2.0, trust_env=False) as client:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                log = log_path.read_text(encoding="utf-8", errors="replace")[-3000:]
                raise BenchmarkError(f"server exited with {process.returncode}:\n{log}")
            try:
                if client.get(f"{base_url}/healthz").status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.2)
    raise BenchmarkError(f"server not healthy after {START_TIMEOUT_S:.0f} s")


class ServerProcess:
    """`samatcha serve` on a fixed port and database, which a benchmark may stop and start
    again (a restart keeps the port, the database and the phones' seats)."""

    def __init__(self, work: Path, env: dict[str, str], workers: int = 1) -> None:
        self.work, self.env, self.workers = work, env, workers
        self.port = free_port()
        self.log_path = work / "server.log"
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def start(self) -> Server:
        args = ["serve", "--host", HOST, "--port", str(self.port)]
        if self.workers > 1:
            args += ["--workers", str(self.workers)]
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                _cli(*args), env=self.env, cwd=self.work, stdout=log, stderr=subprocess.STDOUT
            )
        _wait_until_healthy(self.process, self.base_url, self.log_path)
        return self.server

    @property
    def server(self) -> Server:
        assert self.process is not None
        return Server(self.base_url, self.process.pid, self.log_path)

    def serving_pids(self) -> list[int]:
        """The processes that hold sockets: the server itself, or its workers."""
        assert self.process is not None
        if self.workers == 1:
            return [self.process.pid]
        return children_of(self.process.pid)

    def stop(self, *, kill: bool = False) -> None:
        if self.process is None:
            return
        if kill:
            self.process.kill()
            self.process.wait(timeout=STOP_TIMEOUT_S)
        else:
            _stop(self.process)
        self.process = None


@contextmanager
def server_process(
    file_limit: int = 0,
    *,
    workers: int = 1,
    database_url: str | None = None,
    redis_url: str | None = None,
) -> Iterator[ServerProcess]:
    """A fresh database (SQLite in a temporary folder unless `database_url`), an organizer
    account, and a started `samatcha serve` on a free port, stopped on exit whatever happened.

    `file_limit` raises RLIMIT_NOFILE first so the server (a child) can hold that many sockets.
    """
    if file_limit:
        raise_file_limit(file_limit)
    with tempfile.TemporaryDirectory(prefix="samatcha-bench-") as folder:
        work = Path(folder)
        env = {
            **os.environ,
            "SAMATCHA_DATA_DIR": str(work),
            "SAMATCHA_DATABASE_URL": database_url
            or f"sqlite+aiosqlite:///{work / 'bench.sqlite3'}",
            "SAMATCHA_PASSWORD": PASSWORD,
        }
        if redis_url:
            env["SAMATCHA_REDIS_URL"] = redis_url
        created = subprocess.run(
            _cli("user", "create", "--role", "organizer", "--username", ORGANIZER),
            env=env,
            cwd=work,
            capture_output=True,
            text=True,
            timeout=START_TIMEOUT_S,
            check=False,
        )
        if created.returncode != 0:
            raise BenchmarkError(f"user create failed:\n{created.stdout}{created.stderr}")
        process = ServerProcess(work, env, workers)
        try:
            process.start()
            yield process
        finally:
            process.stop()


@contextmanager
def local_server(file_limit: int = 0) -> Iterator[Server]:
    """One `samatcha serve` process on a fresh SQLite database (see `server_process`)."""
    with server_process(file_limit) as process:
        yield process.server


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=STOP_TIMEOUT_S)


BENCH_DATABASE = os.environ.get("SAMATCHA_BENCH_DATABASE", "samatcha_bench")
"""Another name (an identifier) lets two benchmarks share one PostgreSQL server at once."""


def fresh_postgres_database(server_url: str, name: str = BENCH_DATABASE) -> str:
    """(Re)create the benchmark's own database on a PostgreSQL server (never the tests' `test`
    database) and return its SQLAlchemy URL."""
    import asyncpg

    parts = urlsplit(server_url.replace("postgresql+asyncpg", "postgresql"))
    admin = parts._replace(path="/postgres").geturl()

    async def recreate() -> None:
        connection = await asyncpg.connect(admin)
        try:
            await connection.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            await connection.execute(f"CREATE DATABASE {name}")
        finally:
            await connection.close()

    asyncio.run(recreate())
    return parts._replace(scheme="postgresql+asyncpg", path=f"/{name}").geturl()


def children_of(pid: int) -> list[int]:
    children = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if int(stat[stat.rindex(")") + 2 :].split()[1]) == pid:
            children.append(int(entry.name))
    return children


class _NoCookies(CookieJar):
    """A jar that keeps nothing: many phones share one HTTP client, each with its own token."""

    def extract_cookies(self, response: Any, request: Any) -> None:
        return None

    def set_cookie(self, cookie: Cookie) -> None:
        return None


def http_client(
    base_url: str, *, connections: int = 50, keep_cookies: bool = False
) -> httpx.AsyncClient:
    """No proxies from the environment, a bounded pool, timeouts on everything."""
    return httpx.AsyncClient(
        base_url=base_url,
        timeout=HTTP_TIMEOUT_S,
        limits=httpx.Limits(max_connections=connections, max_keepalive_connections=connections),
        cookies=None if keep_cookies else _NoCookies(),
        trust_env=False,
    )


async def create_assembly(base_url: str) -> AssemblyInfo:
    """Log in as the benchmark organizer, create an assembly and open its collect step."""
    async with http_client(base_url, connections=2, keep_cookies=True) as client:
        login = await client.post(
            "/api/v1/login", json={"username": ORGANIZER, "password": PASSWORD}
        )
        _expect(login, 200, "login")
        created = await client.post(
            "/api/v1/assemblies/",
            json={"name": "สมัชชาคุณธรรมจังหวัดทดสอบ (benchmark)", "province": "ทดสอบ"},
        )
        _expect(created, 201, "create assembly")
        snapshot = created.json()
        assembly_id = int(snapshot["assembly"]["id"])
        collect = next(step for step in snapshot["steps"] if step["kind"] == "collect")
        opened = await client.post(
            f"/api/v1/assemblies/{assembly_id}/steps/{collect['id']}/open", json={}
        )
        _expect(opened, 200, "open collect step")
        return AssemblyInfo(assembly_id, snapshot["assembly"]["join_code"], int(collect["id"]))


async def join_phone(client: httpx.AsyncClient, code: str, network: str) -> tuple[str, int]:
    """One new phone joins over the JSON API; returns its device token and the assembly id."""
    response = await client.post("/api/v1/join", json={"code": code, "network": network})
    _expect(response, 200, "join")
    token = cookie_value(response, DEVICE_COOKIE)
    if not token:
        raise BenchmarkError("join answered without a samatcha_device cookie")
    return token, int(response.json()["assembly_id"])


async def join_phones(base_url: str, code: str, count: int, *, concurrency: int = 20) -> list[str]:
    """`count` new phones spread over the six networks; returns their device tokens in order."""
    gate = asyncio.Semaphore(concurrency)

    async def one(client: httpx.AsyncClient, index: int) -> str:
        async with gate:
            token, _ = await join_phone(client, code, NETWORKS[index % len(NETWORKS)])
            return token

    async with http_client(base_url, connections=concurrency) as client:
        return list(await asyncio.gather(*(one(client, i) for i in range(count))))


def cookie_value(response: httpx.Response, name: str) -> str | None:
    """The value a response's Set-Cookie gives `name` (read from the header, not a jar)."""
    for header in response.headers.get_list("set-cookie"):
        key, _, rest = header.partition("=")
        if key.strip() == name:
            return rest.split(";", 1)[0]
    return None


async def submit_proposal(
    client: httpx.AsyncClient, assembly_id: int, device_token: str, text: str, client_key: str
) -> httpx.Response:
    response = await client.post(
        f"/api/v1/assemblies/{assembly_id}/proposals",
        json={"text": text, "client_key": client_key},
        headers={"Cookie": f"{DEVICE_COOKIE}={device_token}"},
    )
    if response.status_code not in (200, 201):
        raise BenchmarkError(f"proposal refused: {response.status_code} {response.text[:300]}")
    return response


async def seed_proposals(
    base_url: str,
    code: str,
    assembly_id: int,
    samples: Sequence[tuple[str, str]] = SAMPLE_PROPOSALS,
) -> None:
    """One phone per sample proposal, joined in the sample's network, submits it."""
    async with http_client(base_url, connections=4) as client:
        for index, (network, text) in enumerate(samples):
            token, _ = await join_phone(client, code, network)
            await submit_proposal(client, assembly_id, token, text, f"seed-{index:04d}")


def _expect(response: httpx.Response, status: int, what: str) -> None:
    if response.status_code != status:
        raise BenchmarkError(
            f"{what}: expected HTTP {status}, got {response.status_code}: {response.text[:300]}"
        )
