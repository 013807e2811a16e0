"""`samatcha backup` while the server keeps writing."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from assembly.backup import BackupRefused, backup_sqlite

if TYPE_CHECKING:
    from conftest import World


def test_a_backup_taken_during_writes_is_a_consistent_snapshot(
    world: World, tmp_path: Path
) -> None:
    url = world.client.app.state.runtime.settings.resolved_database_url
    if not url.startswith("sqlite"):
        pytest.skip("PostgreSQL is backed up with pg_dump (docs/operations.md)")
    phones = [world.phone(network) for network in ("media", "religion", "education", "business")]
    world.open("collect")
    stop = threading.Event()
    backups: list[Path] = []

    def back_up_repeatedly() -> None:
        while not stop.is_set() and len(backups) < 20:
            backups.append(backup_sqlite(url, tmp_path / f"copy-{len(backups)}.sqlite3"))

    worker = threading.Thread(target=back_up_repeatedly)
    worker.start()
    for i in range(40):
        phone = phones[i % len(phones)]  # ten each: within the per-participant flood limit
        phone.post(f"/api/v1/assemblies/{world.id}/proposals", json={"text": f"ข้อเสนอ {i}"})
    stop.set()
    worker.join(timeout=30)
    assert backups
    for copy in backups:
        with sqlite3.connect(copy) as db:
            count = db.execute("SELECT count(*) FROM proposals").fetchone()[0]
            seq = db.execute("SELECT seq FROM assemblies WHERE id = ?", (world.id,)).fetchone()[0]
            joins_and_opening = len(phones) + 1  # the other events of this assembly so far
            assert seq == count + joins_and_opening  # every change and its event, or neither
    final = backup_sqlite(url, tmp_path / "final.sqlite3")
    with sqlite3.connect(final) as db:
        assert db.execute("SELECT count(*) FROM proposals").fetchone()[0] == 40


def test_the_command_refuses_what_it_cannot_copy(tmp_path: Path) -> None:
    with pytest.raises(BackupRefused):
        backup_sqlite("postgresql+asyncpg://postgres@127.0.0.1/test")
    with pytest.raises(BackupRefused):
        backup_sqlite(f"sqlite+aiosqlite:///{tmp_path / 'missing.sqlite3'}")
    done = subprocess.run(
        [sys.executable, "-m", "assembly.cli", "backup"],
        env={"SAMATCHA_DATA_DIR": str(tmp_path), "PATH": ""},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode != 0
    assert "no database" in done.stderr
