"""Issue 13, headers: every response carries the security headers (static files and 404s for
paths no route knows too); staff pages with live codes are never cached; HSTS behind TLS."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from litestar.testing import TestClient

from assembly.settings import Settings
from assembly.web.app import create_app

if TYPE_CHECKING:
    from tests.integration.conftest import World

EVERYWHERE = ("content-security-policy", "x-content-type-options", "x-frame-options")


def _has_security_headers(response: Any) -> None:
    for name in EVERYWHERE:
        assert name in response.headers, (response.url, name, dict(response.headers))
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]


@pytest.mark.parametrize(
    "path", ["/static/samatcha.js", "/static/no-such-file.css", "/no/such/page", "/api/v1/nothing"]
)
def test_static_files_and_unrouted_paths_carry_the_security_headers(
    world: World, path: str
) -> None:
    response = world.client.get(path)
    assert response.status_code in (200, 404)
    _has_security_headers(response)
    assert response.headers.get_list("x-frame-options") == ["DENY"]  # not doubled


def test_pages_with_live_codes_are_not_stored_and_phone_pages_keep_their_headers(
    world: World,
) -> None:
    staff = world.organizer
    for path in (
        f"/organize/{world.id}",
        f"/organize/{world.id}/seats/cards",
        f"/console/{world.id}",
        f"/present/{world.id}",
    ):
        response = staff.get(path)
        assert response.status_code == 200, (path, response.text[:300])
        assert response.headers.get("cache-control") == "no-store", path
        _has_security_headers(response)
    phone = world.phone()
    page = phone.get(f"/a/{world.id}")
    assert page.status_code == 200
    _has_security_headers(page)
    assert "strict-transport-security" not in page.headers  # plain HTTP on a hall's Wi-Fi


def test_behind_tls_browsers_are_told_to_stay_on_https(tmp_path: Path, database_url: str) -> None:
    settings = Settings(
        database_url=database_url, data_dir=tmp_path, public_url="https://samatcha.example.go.th"
    )
    with TestClient(create_app(settings), base_url="https://samatcha.example.go.th") as client:
        for path in ("/", "/static/samatcha.js", "/no/such/page"):
            response = client.get(path)
            assert response.headers["strict-transport-security"] == "max-age=31536000", path
