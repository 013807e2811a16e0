"""What every kind of test shares: a real `samatcha serve` process, started as a hall starts it,
and what lets the suite run on every core (pytest-xdist, `./test.sh` passes `-n auto`).

pytest runs with `--import-mode=importlib`, so a helper module next to the tests is not
importable from them; the helper lives here and reaches tests through the `serve_samatcha`
fixture. Annotate with `if TYPE_CHECKING: from tests.conftest import RealServer`.

In parallel (`-n N --dist loadgroup`) each worker runs whole files, so a module's servers and
browser start once; a file marked `pytestmark = pytest.mark.xdist_group("name")` runs on the same
worker as every other file of that group, one after the other (for tests sharing something no
worker may touch at the same time, such as restarting the machine's Redis). Each worker gets a
PostgreSQL database of its own, named after the configured one (`test` → `test_gw0`, `test_gw1`):
the tests empty the whole schema before each test.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx
import pytest

SAMATCHA = [sys.executable, "-m", "assembly.cli"]
START_SECONDS = 60  # a cold start migrates the schema first; the CI machine has 2 cores
STOP_SECONDS = 30  # SIGTERM lets uvicorn finish requests in flight; longer means it hangs
LOG_TAIL_CHARS = 3000  # enough for a traceback, short enough to read in a failure message
POSTGRES_DEFAULT = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"  # what CI=true implies


# ---------------------------------------------------------------- running on every core


def _postgres_for_tests() -> str | None:
    """The PostgreSQL the tests use: SAMATCHA_TEST_DATABASE_URL, or CI's default under CI."""
    url = os.environ.get("SAMATCHA_TEST_DATABASE_URL")
    if url:
        return url
    return POSTGRES_DEFAULT if os.environ.get("CI") else None


def _database_of_its_own(url: str, worker: str) -> str | None:
    """Create `<database>_<worker>` next to the database in `url` (if missing); its URL.

    None when no PostgreSQL answers: the tests then skip, or fail under CI, as without workers.
    """
    import asyncio

    import asyncpg

    parts = urlsplit(url)
    name = f"{parts.path.lstrip('/') or 'postgres'}_{worker}"

    async def create() -> None:
        server = urlunsplit(("postgresql", parts.netloc, "/postgres", "", ""))
        connection = await asyncpg.connect(server, timeout=10)
        try:
            if not await connection.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
                await connection.execute(f'CREATE DATABASE "{name}"')
        finally:
            await connection.close()

    try:
        asyncio.run(create())
    except (OSError, asyncpg.PostgresError):
        return None
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


def pytest_configure(config: pytest.Config) -> None:
    """On an xdist worker, point SAMATCHA_TEST_DATABASE_URL at that worker's own database.

    Runs before any test module is imported, so modules reading the variable at import see it.
    """
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    url = _postgres_for_tests()
    if worker and url:
        own = _database_of_its_own(url, worker)
        if own:
            os.environ["SAMATCHA_TEST_DATABASE_URL"] = own


@pytest.fixture(scope="session", autouse=True)
def cheap_password_hashes() -> Iterator[None]:
    """Argon2id at its lowest cost for the apps served inside the test process.

    The shipped cost takes 175 ms of a core per hash and per check, and the suite makes and
    checks thousands of passwords that protect nothing: minutes of a run. The algorithm, the
    hash format and every code path stay the same; `samatcha serve` processes started by the
    tests keep the shipped cost, and tests/unit/assembly/test_security.py checks that cost.
    """
    from argon2 import PasswordHasher

    from assembly import security

    shipped = security._hasher
    security._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    yield
    security._hasher = shipped


@pytest.hookimpl(optionalhook=True, tryfirst=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """`--dist loadgroup`, but a file is the unit: a worker runs a file's tests together.

    Files go out in collection order, not xdist's default of most tests first (which would
    leave the one-test 2-minute rehearsal for the end): the browser files, the longest, first;
    the many short unit files last, so that both workers finish at about the same time.
    """
    if config.getvalue("dist") != "loadgroup":
        return None
    config.option.loadscopereorder = False
    from xdist.scheduler import LoadScopeScheduling

    class FilesAndGroups(LoadScopeScheduling):  # type: ignore[misc]
        def _split_scope(self, nodeid: str) -> str:
            if nodeid.rfind("@") > nodeid.rfind("]"):  # xdist appends "@group" to marked tests
                return nodeid.rsplit("@", 1)[-1]
            return nodeid.split("::", 1)[0]

    return FilesAndGroups(config, log)


def free_port() -> int:
    """A TCP port nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class RealServer:
    """One `samatcha serve` process on a fixed port, restartable on the same database.

    By default its database is a fresh SQLite file in `folder` and events stay in the process;
    `env` overrides that (SAMATCHA_DATABASE_URL, SAMATCHA_REDIS_URL). Its output goes to
    `folder/<name>.log`, appended across restarts.
    """

    def __init__(
        self,
        folder: Path,
        *,
        password: str,
        env: Mapping[str, str] | None = None,
        name: str = "server",
    ) -> None:
        self.folder = folder
        self.password = password
        self.env = {**os.environ, "SAMATCHA_DATA_DIR": str(folder), "SAMATCHA_PASSWORD": password}
        self.env.pop("SAMATCHA_DATABASE_URL", None)
        self.env.pop("SAMATCHA_REDIS_URL", None)
        self.env.update(env or {})
        self.name = name
        self.log = folder / f"{name}.log"
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None

    def create_account(self, role: str, username: str) -> None:
        """`samatcha user create` on this server's database, with the server's password."""
        command = [*SAMATCHA, "user", "create", "--role", role, "--username", username]
        done = subprocess.run(command, env=self.env, capture_output=True, timeout=60, check=False)
        if done.returncode != 0:
            pytest.fail(f"could not create {role} {username}: {done.stderr.decode()[-2000:]}")

    def start(self) -> None:
        """Start the process and wait until /healthz answers 200; fail quoting the log if not."""
        with self.log.open("ab") as log:  # the child keeps its own copy of the descriptor
            self.process = process = subprocess.Popen(
                [*SAMATCHA, "serve", "--port", str(self.port)],
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline and process.poll() is None:
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        if process.returncode is not None:
            pytest.fail(f"{self.name} exited with code {process.returncode}:\n{self.log_tail()}")
        self.kill()
        pytest.fail(f"{self.name} did not answer /healthz in {START_SECONDS} s:\n{self.log_tail()}")

    def kill(self) -> None:
        """SIGKILL, as a power cut would: no shutdown code runs."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self, *, within: float = STOP_SECONDS) -> None:
        """SIGTERM; if the process is still running after `within` seconds, kill it and fail."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=within)
        except subprocess.TimeoutExpired:
            self.kill()
            pytest.fail(f"{self.name} ignored SIGTERM for {within:g} s:\n{self.log_tail()}")

    def log_tail(self, chars: int = LOG_TAIL_CHARS) -> str:
        """The end of what the process printed, across restarts."""
        if not self.log.exists():
            return "(no log)"
        return self.log.read_text(encoding="utf-8", errors="replace")[-chars:]


class ServeSamatcha:
    """Creates accounts, starts a `RealServer`, and remembers it so none outlives the session."""

    def __init__(self) -> None:
        self.servers: list[RealServer] = []

    def __call__(
        self,
        folder: Path,
        *,
        password: str,
        env: Mapping[str, str] | None = None,
        accounts: Iterable[tuple[str, str]] = (),
        name: str = "server",
    ) -> RealServer:
        """A running server; `accounts` are (role, username) pairs created before it starts."""
        server = RealServer(folder, password=password, env=env, name=name)
        for role, username in accounts:
            server.create_account(role, username)
        self.servers.append(server)
        server.start()
        return server

    def kill_all(self) -> None:
        for server in self.servers:
            server.kill()


@pytest.fixture(scope="session")
def serve_samatcha() -> Iterator[ServeSamatcha]:
    """Starts real servers; stop each when done (any still running at the end are killed)."""
    factory = ServeSamatcha()
    yield factory
    factory.kill_all()
