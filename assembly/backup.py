"""A consistent copy of the embedded database while the server keeps running."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import make_url

from assembly.db import create_owner_only

BACKUP_PAGES_PER_STEP = (
    1024  # copy in slices so the server's writers wait milliseconds, not seconds
)


class BackupRefused(Exception):
    pass


def backup_sqlite(database_url: str, output: Path | None = None) -> Path:
    """Copy with SQLite's online backup API: a snapshot of one instant, WAL included.

    PostgreSQL is backed up with its own tools (docs/operations.md)."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or not url.database:
        raise BackupRefused(
            "only the embedded SQLite database is backed up here; see docs/operations.md"
        )
    source_path = Path(url.database)
    if not source_path.exists():
        raise BackupRefused(f"no database at {source_path}")
    if output is None:
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
        output = source_path.parent / "backups" / f"samatcha-{stamp}.sqlite3"
    output.parent.mkdir(parents=True, exist_ok=True)
    create_owner_only(output)  # a backup holds the same names as the database
    source = sqlite3.connect(source_path, timeout=30)
    target = sqlite3.connect(output)
    try:
        source.backup(target, pages=BACKUP_PAGES_PER_STEP)
        if target.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise BackupRefused(f"the copy at {output} failed its integrity check")
    finally:
        target.close()
        source.close()
    return output


class NoData(Exception):
    """The database a command would read is missing or holds no assembly: say which file."""


def count_assemblies(path: Path) -> int | None:
    """Assemblies in a SQLite file, read-only (never creates the file); None without a schema."""
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)
    try:
        row = connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'assemblies'"
        ).fetchone()
        if row is None:
            return None
        return int(connection.execute("SELECT count(*) FROM assemblies").fetchone()[0])
    finally:
        connection.close()


def require_data(database_url: str, *, demo_file: Path | None = None) -> str:
    """Refuse a missing or empty SQLite database instead of quietly making a new one.

    Commands that read an assembly (`export`, `backup`) would otherwise create an empty file
    where the data was expected and report success or "no such assembly". `demo_file`: the
    demo's database, named in the message when it is the one holding data. Returns a one-line
    description of the database used, for the command to print. PostgreSQL is not checked
    here (its schema lives elsewhere; a missing assembly is refused by the command itself).
    """
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or not url.database:
        return url.render_as_string(hide_password=True)
    path = Path(url.database).resolve()
    hint = ""
    if demo_file is not None and demo_file.resolve() != path and demo_file.exists():
        hint = f"; the demo's data is in {demo_file}: add --demo"
    if not path.exists() or path.stat().st_size == 0:
        raise NoData(f"no database at {path}{hint}")
    try:
        count = count_assemblies(path)
    except sqlite3.DatabaseError as exc:
        raise NoData(f"{path} is not a readable Samatcha database: {exc}") from exc
    if not count:
        raise NoData(f"the database at {path} has no assemblies (it is empty){hint}")
    return str(path)
