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
