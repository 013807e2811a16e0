"""Issue 13, export.pdf: the organizer presses "PDF" and sees "กำลังสร้าง PDF" while the server
makes it (one at a time, queued), then gets the file. LibreOffice is not installed here, so the
server's converter is a stand-in command (SAMATCHA_PDF_CONVERTER), a real subprocess."""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from playwright.sync_api import expect

if TYPE_CHECKING:
    from conftest import Server

    from tests.conftest import ServeSamatcha

PASSWORD = "e2e-pdf-password"
CONSOLE = {"width": 1366, "height": 768}
STAND_IN = f"""#!{sys.executable}
import pathlib, sys, time
args = sys.argv[1:]
outdir, source = pathlib.Path(args[args.index("--outdir") + 1]), pathlib.Path(args[-1])
time.sleep(2)
(outdir / (source.stem + ".pdf")).write_bytes(b"%PDF-1.4\\n% stand-in\\n%%EOF\\n")
"""


@pytest.fixture(scope="module")
def server(
    tmp_path_factory: pytest.TempPathFactory, serve_samatcha: ServeSamatcha
) -> Iterator[Server]:
    folder = Path(tmp_path_factory.mktemp("e2e-pdf"))
    converter = folder / "fake-soffice"
    converter.write_text(STAND_IN, encoding="utf-8")
    converter.chmod(0o755)
    running = serve_samatcha(
        folder,
        password=PASSWORD,
        accounts=[("organizer", "org")],
        env={"SAMATCHA_PDF_CONVERTER": str(converter)},
    )
    yield running
    running.stop()


def test_the_organizer_sees_the_pdf_being_made_then_gets_it(
    browser: Any, server: Server, screenshot_dir: Path
) -> None:
    context = browser.new_context(viewport=CONSOLE, locale="th-TH", accept_downloads=True)
    page = context.new_page()
    page.goto(f"{server.url}/login")
    page.fill("#username", "org")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    expect(page).to_have_url(re.compile(r"/organize$"))
    page.fill("#name", "สมัชชาคุณธรรมจังหวัดทดสอบ PDF")
    page.fill("#province", "ทดสอบ")
    page.click("form[action='/organize'] button[type=submit]")
    expect(page).to_have_url(re.compile(r"/organize/\d+$"))
    assembly_id = page.url.rsplit("/", 1)[1]
    page.goto(f"{server.url}/organize/{assembly_id}/export")

    status = page.locator("[data-pdf-status]")
    expect(status).to_be_hidden()
    with page.expect_download(timeout=30_000) as download:
        page.click("[data-pdf-link]")
        expect(status).to_contain_text("กำลังสร้าง PDF")
        expect(page.locator("[data-pdf-link]")).to_have_attribute("aria-disabled", "true")
        status.scroll_into_view_if_needed()
        page.screenshot(path=screenshot_dir / "export-pdf-making.png")
    assert download.value.suggested_filename == f"agenda-{assembly_id}.pdf"
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF")
    expect(status).to_have_text("สร้าง PDF เสร็จแล้ว")
    page.screenshot(path=screenshot_dir / "export-pdf-ready.png")
    context.close()
