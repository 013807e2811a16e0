"""Issue 13, PDPA purge: a purged name leaves no bytes behind in the SQLite database or its WAL,
and the database and secret-key files are readable by their owner only."""

from __future__ import annotations

import stat
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from sqlalchemy.engine import make_url

from assembly.settings import Settings

if TYPE_CHECKING:
    from tests.integration.conftest import World

NAMES = [f"นางสาวทดสอบลบ{i:03d} ใจดีมาก" for i in range(40)]
ORGANISATION = "มูลนิธิเพื่อการลบข้อมูลส่วนบุคคล"


def _database_file(settings: Settings) -> Path:
    url = make_url(settings.resolved_database_url)
    if url.get_backend_name() != "sqlite":
        pytest.skip("the WAL and file modes are the embedded SQLite database's")
    return Path(str(url.database))


def _files(database: Path) -> dict[str, bytes]:
    return {
        path.name: path.read_bytes()
        for path in (database, Path(f"{database}-wal"))
        if path.exists()
    }


def test_purged_names_are_in_neither_the_database_nor_its_wal(
    world: World, settings: Settings
) -> None:
    database = _database_file(settings)
    for name in NAMES:
        world.phone(display_name=name, organisation=ORGANISATION)
    before = _files(database)
    assert any(NAMES[0].encode() in data for data in before.values())  # the test can see them

    response = world.organizer.post(f"/api/v1/assemblies/{world.id}/purge-personal-data")
    assert response.status_code == 200, response.text

    after = _files(database)
    for file, data in after.items():
        for name in NAMES:
            assert name.encode() not in data, f"{name} still in {file}"
        assert ORGANISATION.encode() not in data, f"organisation still in {file}"
    # The assembly still works on the same files after the checkpoint.
    assert world.phone(display_name="หลังลบ").get(f"/a/{world.id}").status_code == 200


def test_the_database_and_the_secret_key_are_readable_by_their_owner_only(
    world: World, settings: Settings
) -> None:
    database = _database_file(settings)
    world.phone(display_name="ชื่อจริง")  # writes, so the -wal file exists
    files = [database, Path(f"{database}-wal"), settings.data_dir / "secret_key"]
    for path in files:
        assert path.exists(), path
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, (path, oct(path.stat().st_mode))


def test_a_new_data_folder_gets_owner_only_files(tmp_path: Path) -> None:
    """The files a fresh `samatcha serve` makes, whatever the umask (022 here)."""
    from assembly.schema import upgrade_database

    settings = Settings(data_dir=tmp_path / "data")
    upgrade_database(settings.resolved_database_url)
    settings.resolved_secret_key()
    for path in (tmp_path / "data" / "samatcha.sqlite3", tmp_path / "data" / "secret_key"):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, (path, oct(path.stat().st_mode))
