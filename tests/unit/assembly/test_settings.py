from __future__ import annotations

import dataclasses
from pathlib import Path

from assembly.settings import Settings

DOCS = Path(__file__).resolve().parents[3] / "docs" / "configuration.md"


def test_every_setting_is_documented() -> None:
    text = DOCS.read_text(encoding="utf-8")
    for field in dataclasses.fields(Settings):
        assert f"`SAMATCHA_{field.name.upper()}`" in text, field.name


def test_settings_come_from_the_environment() -> None:
    settings = Settings.from_env(
        {
            "SAMATCHA_DATA_DIR": "/srv/samatcha",
            "SAMATCHA_MAX_PROPOSAL_CHARS": "280",
            "SAMATCHA_SECURE_COOKIES": "1",
            "SAMATCHA_PUBLIC_URL": "http://10.0.0.5:8000/",
        }
    )
    assert settings.resolved_database_url == "sqlite+aiosqlite:////srv/samatcha/samatcha.sqlite3"
    assert (settings.max_proposal_chars, settings.secure_cookies) == (280, True)
    assert settings.public_url == "http://10.0.0.5:8000"
