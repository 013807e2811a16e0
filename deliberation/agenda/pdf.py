"""Making the agenda's PDF: the DOCX converted by LibreOffice in a throwaway profile, one
conversion at a time through the runtime's queue (`assembly/conversions.py`).
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from assembly.conversions import QueueFull
from assembly.errors import DomainError
from assembly.i18n import N_
from assembly.runtime import Runtime

PDF_TIMEOUT_S = 120  # LibreOffice's first start on a cold machine takes tens of seconds


class PdfUnavailable(DomainError):
    status_code = 503


def converter_command(configured: str) -> str | None:
    """The configured command (SAMATCHA_PDF_CONVERTER), else LibreOffice's when installed
    (Debian: libreoffice-writer-nogui), else None."""
    if configured:
        return shutil.which(configured) or None
    return shutil.which("soffice") or shutil.which("libreoffice")


def pdf_converter(rt: Runtime) -> str | None:
    """The converter command: SAMATCHA_PDF_CONVERTER, else LibreOffice when installed."""
    return converter_command(rt.settings.pdf_converter)


def no_pdf() -> PdfUnavailable:
    return PdfUnavailable(
        "pdf_unavailable",
        N_(
            "This server cannot make PDF files (LibreOffice is not installed). Open the "
            "printable page and print it to PDF instead."
        ),
    )


def docx_to_pdf(command: str, docx: bytes) -> bytes:
    """Convert with LibreOffice in a throwaway profile and folder (blocking: run in a thread,
    one at a time through the runtime's ConversionQueue)."""
    with tempfile.TemporaryDirectory(prefix="samatcha-pdf-") as folder:
        source = Path(folder) / "agenda.docx"
        source.write_bytes(docx)
        try:
            subprocess.run(  # noqa: S603 (our own command line; the input is our own file)
                [
                    command,
                    f"-env:UserInstallation=file://{folder}/profile",
                    "--headless",
                    "--convert-to",
                    "pdf",
                    "--outdir",
                    folder,
                    str(source),
                ],
                check=True,
                capture_output=True,
                timeout=PDF_TIMEOUT_S,
            )
        except (subprocess.SubprocessError, OSError) as exc:
            raise PdfUnavailable(
                "pdf_failed",
                N_("The PDF could not be made. Download the DOCX or print the page instead."),
            ) from exc
        target = Path(folder) / "agenda.pdf"
        if not target.exists():
            raise PdfUnavailable(
                "pdf_failed",
                N_("The PDF could not be made. Download the DOCX or print the page instead."),
            )
        return target.read_bytes()


async def convert_to_pdf(rt: Runtime, command: str, docx: bytes) -> bytes:
    """The PDF of `docx` when its turn in the runtime's queue comes; 503 if too many wait."""
    try:
        return await rt.pdf_queue.run(docx_to_pdf, command, docx)
    except QueueFull as exc:
        raise PdfUnavailable(
            "pdf_busy", N_("Several PDFs are being made. Please try again in a minute.")
        ) from exc
