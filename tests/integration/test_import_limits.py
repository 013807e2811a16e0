"""Issue 13, import memory: oversized tables are refused with a Thai message and a code, and a
stranger's upload is refused before the server reads it."""

from __future__ import annotations

import io
import socket
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from deliberation.tabular import MAX_XLSX_UNPACKED_BYTES

if TYPE_CHECKING:
    from tests.conftest import RealServer, ServeSamatcha
    from tests.integration.conftest import World


def xlsx_bomb() -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.append(["text"])  # type: ignore[union-attr]
    workbook.active.append(["เมาไม่ขับ"])  # type: ignore[union-attr]
    plain = io.BytesIO()
    workbook.save(plain)
    bomb = io.BytesIO()
    with (
        zipfile.ZipFile(plain) as source,
        zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            target.writestr(info.filename, source.read(info.filename))
        target.writestr("xl/padding.xml", b" " * (MAX_XLSX_UNPACKED_BYTES + 1))
    return bomb.getvalue()


def upload(world: World, content: bytes, name: str) -> Any:
    return world.organizer.post(
        f"/api/v1/assemblies/{world.id}/imports", files={"file": (name, content)}
    )


def test_oversized_tables_are_refused_with_a_thai_message_and_nothing_stored(
    world: World,
) -> None:
    wide = ("text\nเมาไม่ขับ\nx" + "," * 50_000 + "y\n").encode()
    full = ("\n".join([",".join(f"ข้อ{j}" for j in range(60))] * 4_500)).encode()
    cases = [
        (wide, "wide.csv", "too_many_columns", "แถวที่ 3 ของไฟล์มีมากกว่า 100 คอลัมน์"),
        (full, "full.csv", "too_many_cells", "ไฟล์มีข้อมูลมากกว่า 250,000 ช่อง"),
        (xlsx_bomb(), "bomb.xlsx", "file_too_large_unpacked", "ใหญ่เกินไปเมื่อแตกไฟล์"),
    ]
    for content, name, code, thai in cases:
        response = upload(world, content, name)
        assert (response.status_code, response.json()["error"]) == (400, code), response.text
        assert thai in response.json()["message"]
    page = world.organizer.post(f"/organize/{world.id}/import", files={"file": ("wide.csv", wide)})
    assert page.status_code == 400
    assert "แถวที่ 3 ของไฟล์มีมากกว่า 100 คอลัมน์" in page.text
    snapshot = world.facilitator.get(f"/api/v1/assemblies/{world.id}/snapshot").json()
    assert snapshot["proposals"] == []


# ---------------------------------------------------------------- who asks, before the upload

PASSWORD = "import-limits-pass"
UPLOAD_BYTES = 30 * 1024 * 1024  # under the 32 MiB upload limit: only who asks refuses it
SENT_BYTES = 256 * 1024  # what the stranger sends before waiting for an answer
ANSWER_WITHIN_S = 5.0


@pytest.fixture(scope="module")
def server(
    tmp_path_factory: pytest.TempPathFactory, serve_samatcha: ServeSamatcha
) -> Iterator[RealServer]:
    folder = Path(tmp_path_factory.mktemp("imports"))
    running = serve_samatcha(folder, password=PASSWORD, accounts=[("organizer", "org")])
    yield running
    running.stop()


def _assembly(server: RealServer) -> int:
    with httpx.Client(base_url=server.url, timeout=10) as client:
        login = client.post("/api/v1/login", json={"username": "org", "password": PASSWORD})
        assert login.status_code == 200, login.text
        made = client.post("/api/v1/assemblies/", json={"name": "สมัชชา", "province": "ทดสอบ"})
        assert made.status_code == 201, made.text
        return int(made.json()["assembly"]["id"])


def _partial_upload(server: RealServer, path: str, cookie: str = "") -> bytes:
    """Announce a 30 MB multipart upload, send the first 256 KiB, and read what comes back."""
    boundary = "samatchaboundary"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="p.csv"\r\n'
        "Content-Type: text/csv\r\n\r\n"
    ).encode()
    request = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n"
        f"Content-Type: multipart/form-data; boundary={boundary}\r\n"
        f"Content-Length: {UPLOAD_BYTES}\r\n{cookie}\r\n"
    ).encode()
    with socket.create_connection(("127.0.0.1", server.port), timeout=ANSWER_WITHIN_S) as conn:
        conn.sendall(request + head + b"text\n" + b"a" * (SENT_BYTES - len(head) - 5))
        started = time.monotonic()
        try:
            answer = conn.recv(4096)
        except TimeoutError:
            return b""
        assert time.monotonic() - started < ANSWER_WITHIN_S
        return answer


@pytest.mark.parametrize("where", ["api", "page"])
def test_a_strangers_upload_is_refused_before_it_is_read(server: RealServer, where: str) -> None:
    assembly_id = _assembly(server)
    path = (
        f"/api/v1/assemblies/{assembly_id}/imports"
        if where == "api"
        else f"/organize/{assembly_id}/import"
    )
    answer = _partial_upload(server, path)
    assert answer, "no answer while the upload was incomplete: the server was reading it"
    status_line = answer.split(b"\r\n", 1)[0]
    assert b" 401 " in status_line or b" 403 " in status_line, answer[:300]
