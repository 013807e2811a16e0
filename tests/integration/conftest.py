"""A real app on a real database: SQLite always, PostgreSQL when one answers (always under CI)."""

from __future__ import annotations

import os
import shutil
import socket
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from litestar.testing import TestClient
from sqlalchemy import text

from assembly.schema import upgrade_database
from assembly.settings import Settings
from assembly.web.app import create_app

POSTGRES_DEFAULT = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
PASSWORD = "correct horse battery"


def _postgres_url() -> str | None:
    url = os.environ.get("SAMATCHA_TEST_DATABASE_URL")
    if url:
        return url
    return POSTGRES_DEFAULT if os.environ.get("CI") else None


def _answers(url: str) -> bool:
    parts = urlsplit(url.replace("+asyncpg", ""))
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 5432), 1):
            return True
    except OSError:
        return False


def _reset_postgres(url: str) -> None:
    """Drop everything so each test starts from an empty schema, like a fresh SQLite file."""
    import asyncio

    from sqlalchemy.ext.asyncio import create_async_engine

    async def reset() -> None:
        engine = create_async_engine(url)
        async with engine.begin() as connection:
            await connection.execute(text("DROP SCHEMA public CASCADE"))
            await connection.execute(text("CREATE SCHEMA public"))
        await engine.dispose()

    asyncio.run(reset())


_MIGRATED_IN_THIS_RUN: set[str] = set()


def _emptied_at_head(url: str) -> bool:
    """Empty every table of a database this run already migrated to the newest revision, in
    one TRUNCATE (a fifth of the time of dropping the schema and migrating again); False, with
    nothing changed, when it did not (a migration edited since an earlier run keeps its
    revision) or the database is no longer at the newest revision (a test or a server process
    dropped or changed it), and then it is migrated from scratch."""
    if url not in _MIGRATED_IN_THIS_RUN:
        return False
    import asyncio

    from alembic.script import ScriptDirectory
    from sqlalchemy.ext.asyncio import create_async_engine

    from assembly.schema import alembic_config

    head = ScriptDirectory.from_config(alembic_config(url)).get_current_head()

    async def empty() -> bool:
        engine = create_async_engine(url)
        try:
            async with engine.begin() as connection:
                tables = (
                    (
                        await connection.execute(
                            text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
                        )
                    )
                    .scalars()
                    .all()
                )
                if "alembic_version" not in tables:
                    return False
                version = await connection.scalar(text("SELECT version_num FROM alembic_version"))
                if version != head:
                    return False
                names = ", ".join(f'"{t}"' for t in tables if t != "alembic_version")
                await connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
                return True
        finally:
            await engine.dispose()

    return asyncio.run(empty())


@pytest.fixture(scope="session")
def reset_postgres() -> Callable[[str], None]:
    """Empties a PostgreSQL database (for tests that start their own server processes)."""
    return _reset_postgres


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Migrate once; each test gets a copy of the file (the migrations still run for real)."""
    path = tmp_path_factory.mktemp("template") / "samatcha.sqlite3"
    upgrade_database(f"sqlite+aiosqlite:///{path}")
    return path


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        path = tmp_path / "samatcha.sqlite3"
        shutil.copyfile(request.getfixturevalue("migrated_sqlite"), path)
        return f"sqlite+aiosqlite:///{path}"
    url = _postgres_url()
    if url is None:
        pytest.skip("PostgreSQL tests need SAMATCHA_TEST_DATABASE_URL (set by .ci/run)")
    if not _answers(url):
        if os.environ.get("CI"):
            pytest.fail(f"CI=true but no PostgreSQL answers at {url}")
        pytest.skip(f"no PostgreSQL server answers at {url}")
    if not _emptied_at_head(url):
        _reset_postgres(url)
        upgrade_database(url)
        _MIGRATED_IN_THIS_RUN.add(url)
    return url


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(database_url=database_url, data_dir=tmp_path, max_proposal_chars=300)


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient[Any]]:
    with TestClient(create_app(settings), base_url="http://testserver.local") as test_client:
        yield test_client


@dataclass
class Person:
    """One browser: its own cookie jar over the shared test client."""

    client: TestClient[Any]
    cookies: httpx.Cookies = field(default_factory=httpx.Cookies)

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        if method != "GET" and not url.startswith("/api/"):
            # As the page's form field does, or as the page's script does (a header).
            if isinstance(kwargs.get("data"), dict):
                kwargs["data"] = {"_csrf_token": self.csrf_token(), **kwargs["data"]}
            else:
                headers = kwargs.get("headers") or {}
                kwargs["headers"] = {"X-CSRFToken": self.csrf_token(), **headers}
        self.client.cookies = self.cookies
        response = self.client.request(method, url, **kwargs)
        self.cookies = httpx.Cookies(self.client.cookies)
        return response

    def csrf_token(self) -> str:
        """What a page's forms carry: the CSRF cookie a first page view sets."""
        if "csrftoken" not in self.cookies:
            self.get("/")
        return str(self.cookies["csrftoken"])

    def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("POST", url, **kwargs)

    def patch(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("PATCH", url, **kwargs)

    def socket(self, assembly_id: int, **kwargs: Any) -> Any:
        self.client.cookies = self.cookies
        return self.client.websocket_connect(f"/ws/{assembly_id}", **kwargs)


@dataclass
class World:
    """An assembly with its organizer, a facilitator and helpers to add phones."""

    client: TestClient[Any]
    organizer: Person
    facilitator: Person
    assembly: dict[str, Any]

    @property
    def id(self) -> int:
        return int(self.assembly["assembly"]["id"])

    @property
    def code(self) -> str:
        return str(self.assembly["assembly"]["join_code"])

    def step_id(self, kind: str) -> int:
        return next(s["id"] for s in self.assembly["steps"] if s["kind"] == kind)

    def phone(self, network: str = "civil_society", **extra: str) -> Person:
        person = Person(self.client)
        response = person.post(
            "/api/v1/join", json={"code": self.code, "network": network, **extra}
        )
        assert response.status_code == 200, response.text
        return person

    def open(self, kind: str, **body: Any) -> httpx.Response:
        response = self.facilitator.post(
            f"/api/v1/assemblies/{self.id}/steps/{self.step_id(kind)}/open", json=body
        )
        assert response.status_code == 200, response.text
        return response


def create_account(settings: Settings, username: str, role: str) -> None:
    import asyncio

    from assembly.db import Database
    from assembly.runtime import DiscardEvents, Runtime
    from assembly.services import create_user

    async def create() -> None:
        db = Database(settings.resolved_database_url)
        try:
            rt = Runtime(db=db, sink=DiscardEvents(), settings=settings)
            await create_user(
                rt, username=username, display_name=username, role=role, password=PASSWORD
            )
        finally:
            await db.dispose()

    asyncio.run(create())


def logged_in(client: TestClient[Any], username: str) -> Person:
    person = Person(client)
    response = person.post("/api/v1/login", json={"username": username, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return person


@pytest.fixture
def stranger(client: TestClient[Any]) -> Person:
    """A browser with no cookies: never joined, never logged in."""
    return Person(client)


@pytest.fixture
def sign_up(client: TestClient[Any], settings: Settings) -> Callable[[str, str], Person]:
    """Create an account with this username and role, and return its logged-in browser."""

    def make(username: str, role: str) -> Person:
        create_account(settings, username, role)
        return logged_in(client, username)

    return make


@pytest.fixture
def world(client: TestClient[Any], settings: Settings) -> World:
    create_account(settings, "org", "organizer")
    create_account(settings, "fac", "facilitator")
    organizer = logged_in(client, "org")
    created = organizer.post(
        "/api/v1/assemblies/", json={"name": "สมัชชาคุณธรรมจังหวัดทดสอบ", "province": "ทดสอบ"}
    )
    assert created.status_code == 201, created.text
    assembly = created.json()
    added = organizer.post(
        f"/api/v1/assemblies/{assembly['assembly']['id']}/facilitators", json={"username": "fac"}
    )
    assert added.status_code == 201, added.text
    return World(client, organizer, logged_in(client, "fac"), assembly)
