"""The `samatcha` command as an organizer runs it."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

from assembly.db import Database
from assembly.demo import DEMO_PROPOSALS, create_demo
from assembly.runtime import DiscardEvents, Runtime
from assembly.schema import upgrade_database
from assembly.services import Actor, log_in, user_for_token
from assembly.settings import Settings
from assembly.web.snapshots import build_snapshot


def samatcha(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "assembly.cli", *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_user_create_makes_an_account_that_can_log_in(tmp_path: Path) -> None:
    env = {"SAMATCHA_DATA_DIR": str(tmp_path), "SAMATCHA_PASSWORD": "long enough pass"}
    created = samatcha("user", "create", "--role", "facilitator", "--username", "somsri", env=env)
    assert created.returncode == 0, created.stderr
    again = samatcha("user", "create", "--role", "facilitator", "--username", "somsri", env=env)
    assert again.returncode != 0
    assert "username_taken" in again.stderr
    short = samatcha(
        "user",
        "create",
        "--role",
        "organizer",
        "--username",
        "xyz",
        env={**env, "SAMATCHA_PASSWORD": "short"},
    )
    assert "password_too_short" in short.stderr

    async def check() -> str:
        settings = Settings.from_env({"SAMATCHA_DATA_DIR": str(tmp_path)})
        db = Database(settings.resolved_database_url)
        try:
            rt = Runtime(db=db, sink=DiscardEvents(), settings=settings)
            user = await user_for_token(
                rt, await log_in(rt, username="somsri", password="long enough pass")
            )
            assert user is not None
            return user.role
        finally:
            await db.dispose()

    assert asyncio.run(check()) == "facilitator"


def test_the_demo_has_an_open_collect_step_with_proposals_from_every_network(
    tmp_path: Path,
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'demo.sqlite3'}"
    upgrade_database(url)

    async def build() -> dict[str, object]:
        settings = Settings(database_url=url, data_dir=tmp_path)
        db = Database(url)
        try:
            rt = Runtime(db=db, sink=DiscardEvents(), settings=settings)
            demo = await create_demo(rt)
            user = await user_for_token(
                rt, await log_in(rt, username=demo.facilitator, password=demo.facilitator_password)
            )
            snapshot = await build_snapshot(
                rt, assembly_id=demo.assembly_id, actor=Actor(user=user)
            )
            return snapshot.state
        finally:
            await db.dispose()

    state = asyncio.run(build())
    assert state["role"] == "facilitator"
    assert state["step"]["kind"] == "collect"
    assert state["step"]["status"] == "open"
    assert len(state["proposals"]) == len(DEMO_PROPOSALS) >= 40  # type: ignore[arg-type]
    assert all(n["joined"] > 0 for n in state["networks"])  # type: ignore[attr-defined,index]
