"""Page images of the sample agenda and its provincial announcement, rendered by LibreOffice.

Run from the repository root (needs `soffice` and `pdftoppm`; Debian: libreoffice-writer-nogui,
poppler-utils, fonts-thai-tlwg):

    .venv/bin/python benchmarks/agenda_pages.py /tmp/pages

It writes agenda.docx, announcement.docx, their PDFs and one PNG per page (100 dpi) to the
folder given; pick the pages for docs/screenshots/ from there.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

sys.path.insert(
    0, str(Path(__file__).resolve().parents[1] / "tests" / "unit" / "deliberation" / "agenda")
)

from conftest import build_adoptable

from deliberation.agenda.render_docx import render_announcement_docx, render_docx


def main(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    doc = build_adoptable()
    for name, body in (
        ("agenda", render_docx(doc)),
        ("announcement", render_announcement_docx(doc)),
    ):
        path = folder / f"{name}.docx"
        path.write_bytes(body)
        subprocess.run(
            ["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(folder), str(path)],
            check=True,
            capture_output=True,
        )
        subprocess.run(
            ["pdftoppm", "-r", "100", "-png", str(folder / f"{name}.pdf"), str(folder / name)],
            check=True,
        )
        print(name, sorted(p.name for p in folder.glob(f"{name}-*.png")))


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/agenda-pages"))
