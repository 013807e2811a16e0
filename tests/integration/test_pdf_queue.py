"""Issue 13, export.pdf: one conversion at a time, the rest queued, and refused at once (503, a
Thai message) beyond the queue. LibreOffice is not installed here (`which soffice` finds
nothing), so the server is given a stand-in converter command through SAMATCHA_PDF_CONVERTER:
a real subprocess that takes a while and logs when it ran, as `soffice --convert-to pdf` would.
"""

from __future__ import annotations

import asyncio
import itertools
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest

from assembly.conversions import PDF_QUEUE_WAITING

if TYPE_CHECKING:
    from tests.conftest import RealServer, ServeSamatcha

PASSWORD = "pdf-queue-pass"
CONVERSION_S = 1.5  # long enough that every request arrives while the first still runs
REFUSED = 2  # requests past the running one and the PDF_QUEUE_WAITING waiting ones

STAND_IN = f"""#!{sys.executable}
# Stands in for LibreOffice: `--outdir DIR SOURCE.docx` -> DIR/SOURCE.pdf, logging start and end.
import pathlib, sys, time
args = sys.argv[1:]
outdir, source = pathlib.Path(args[args.index("--outdir") + 1]), pathlib.Path(args[-1])
start = time.time()
time.sleep({CONVERSION_S})
(outdir / (source.stem + ".pdf")).write_bytes(b"%PDF-1.4\\n% stand-in\\n%%EOF\\n")
with open(pathlib.Path(__file__).with_suffix(".log"), "a") as log:
    log.write(f"{{start}} {{time.time()}}\\n")
"""


@pytest.fixture(scope="module")
def server(
    tmp_path_factory: pytest.TempPathFactory, serve_samatcha: ServeSamatcha
) -> Iterator[tuple[RealServer, Path]]:
    folder = Path(tmp_path_factory.mktemp("pdf"))
    converter = folder / "fake-soffice"
    converter.write_text(STAND_IN, encoding="utf-8")
    converter.chmod(0o755)
    running = serve_samatcha(
        folder,
        password=PASSWORD,
        accounts=[("organizer", "org")],
        env={"SAMATCHA_PDF_CONVERTER": str(converter)},
    )
    yield running, converter.with_suffix(".log")
    running.stop()


def test_libreoffice_is_absent_here_so_a_stand_in_is_used() -> None:
    if shutil.which("soffice") or shutil.which("libreoffice"):
        pytest.skip("LibreOffice is installed: the stand-in is not needed on this machine")
    from deliberation.agenda.pdf import converter_command

    assert converter_command("") is None  # without the setting there is no PDF export


def test_concurrent_pdf_requests_convert_one_at_a_time_and_overflow_is_refused(
    server: tuple[RealServer, Path],
) -> None:
    running, log = server

    async def scenario() -> list[httpx.Response]:
        async with httpx.AsyncClient(base_url=running.url, timeout=60) as client:
            login = await client.post(
                "/api/v1/login", json={"username": "org", "password": PASSWORD}
            )
            assert login.status_code == 200, login.text
            made = await client.post(
                "/api/v1/assemblies/", json={"name": "สมัชชาทดสอบ PDF", "province": "ทดสอบ"}
            )
            assembly_id = made.json()["assembly"]["id"]
            page = await client.get(f"/organize/{assembly_id}/export")
            assert "data-pdf-link" in page.text, "the export page offers the PDF"
            path = f"/organize/{assembly_id}/export.pdf"
            headers = {"X-Requested-With": "fetch"}
            return list(
                await asyncio.gather(
                    *(
                        client.get(path, headers=headers)
                        for _ in range(1 + PDF_QUEUE_WAITING + REFUSED)
                    )
                )
            )

    responses = asyncio.run(scenario())
    made = [r for r in responses if r.status_code == 200]
    refused = [r for r in responses if r.status_code != 200]
    assert len(made) == 1 + PDF_QUEUE_WAITING, [r.status_code for r in responses]
    assert all(r.content.startswith(b"%PDF") for r in made)
    assert [(r.status_code, r.json()["error"]) for r in refused] == [(503, "pdf_busy")] * REFUSED
    assert refused[0].json()["message"] == "กำลังสร้าง PDF หลายรายการอยู่ กรุณาลองใหม่ในอีกสักครู่"

    runs = sorted(tuple(map(float, line.split())) for line in log.read_text().splitlines())
    assert len(runs) == 1 + PDF_QUEUE_WAITING
    for (_, ended), (started, _) in itertools.pairwise(runs):
        assert started >= ended, f"two conversions ran at once: {runs}"
