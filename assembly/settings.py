"""The one settings object, read from the environment once at start-up."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _default_data_dir() -> Path:
    return Path(os.environ.get("SAMATCHA_DATA_DIR", PROJECT_ROOT / "data"))


@dataclass(frozen=True)
class Settings:
    """Every field has an environment variable `SAMATCHA_<FIELD>`; see docs/configuration.md."""

    database_url: str = ""
    """SQLAlchemy async URL. Empty means a SQLite file `samatcha.sqlite3` in `data_dir`."""
    data_dir: Path = field(default_factory=_default_data_dir)
    """Folder for the embedded SQLite database and backups."""
    secret_key: str = ""
    """Signs the CSRF tokens of forms. Empty: made once and kept in `data_dir/secret_key`.
    Give every worker and machine the same value when several serve one assembly."""
    redis_url: str = ""
    """`redis://host:port/db` to share real-time events between workers; empty = in-process."""
    public_url: str = ""
    """Base URL printed on join cards and QR codes (e.g. `http://192.168.1.10:8000`)."""
    max_proposal_chars: int = 500
    """A proposal longer than this is refused: a phone screen's worth, about three sentences."""
    secure_cookies: bool = False
    """Mark cookies `Secure` (only sent over HTTPS). Turn on behind TLS."""
    sqlite_synchronous: str = "FULL"
    """SQLite `synchronous` pragma; FULL so an acknowledged action survives a power cut."""
    demo: bool = False
    """Set by `samatcha demo` (its database is deleted on the next start): staff pages say so."""
    pdf_converter: str = ""
    """Command that converts DOCX to PDF as LibreOffice's `soffice` does; empty: `soffice` or
    `libreoffice` when installed, else no PDF export."""
    header_timeout_s: float = 10.0
    """A request's headers must arrive within this many seconds of its first byte, or the
    connection is closed (slow clients holding connections; assembly/web/slow_clients.py)."""

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        data_dir = Path(env.get("SAMATCHA_DATA_DIR", str(PROJECT_ROOT / "data")))
        return cls(
            database_url=env.get("SAMATCHA_DATABASE_URL", ""),
            data_dir=data_dir,
            secret_key=env.get("SAMATCHA_SECRET_KEY", ""),
            redis_url=env.get("SAMATCHA_REDIS_URL", ""),
            public_url=env.get("SAMATCHA_PUBLIC_URL", "").rstrip("/"),
            max_proposal_chars=int(env.get("SAMATCHA_MAX_PROPOSAL_CHARS", "500")),
            secure_cookies=env.get("SAMATCHA_SECURE_COOKIES", "") in {"1", "true", "yes"},
            sqlite_synchronous=env.get("SAMATCHA_SQLITE_SYNCHRONOUS", "FULL").upper(),
            demo=env.get("SAMATCHA_DEMO", "") in {"1", "true", "yes"},
            pdf_converter=env.get("SAMATCHA_PDF_CONVERTER", ""),
            header_timeout_s=float(env.get("SAMATCHA_HEADER_TIMEOUT_S", "10")),
        )

    @property
    def behind_tls(self) -> bool:
        """Served over HTTPS: `secure_cookies` is on or the public URL is https://. Cookies are
        then `Secure` and browsers are told to keep to HTTPS (HSTS)."""
        return self.secure_cookies or self.public_url.startswith("https://")

    def resolved_secret_key(self) -> str:
        """The configured key, or the one kept in the data folder (made on first use), so
        tokens in open pages stay valid across a restart."""
        if self.secret_key:
            return self.secret_key
        path = self.data_dir / "secret_key"
        if not path.exists():
            self.data_dir.mkdir(parents=True, exist_ok=True)
            try:
                fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
            except FileExistsError:  # another worker made it a moment ago
                pass
            else:
                with os.fdopen(fd, "w", encoding="ascii") as file:
                    file.write(secrets.token_hex(32))
        if path.stat().st_mode & 0o077:  # whatever the umask: it signs every form and device
            path.chmod(0o600)
        return path.read_text(encoding="ascii").strip()

    @property
    def demo_database_file(self) -> Path:
        """`samatcha demo`'s own SQLite file, beside the real one: `serve` never opens it."""
        return Path(self.data_dir) / "demo.sqlite3"

    def database_url_for(self, *, demo: bool) -> str:
        """The database a command works on: the demo's with `--demo`, else the configured one."""
        if demo:
            return f"sqlite+aiosqlite:///{self.demo_database_file}"
        return self.resolved_database_url

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{self.data_dir / 'samatcha.sqlite3'}"
