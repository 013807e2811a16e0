"""`samatcha export` and `samatcha import-archive`: the agenda and the whole assembly as files.

Run by whoever holds the server's database (no login): the same trust as `samatcha backup`.
Heavy modules are imported only when a command runs, so `samatcha --help` stays fast.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import os
import sys
import zipfile
from pathlib import Path
from typing import Any

FORMATS = ("docx", "html", "md", "csv", "json", "announcement")
CSV_TABLES = ("proposals", "issues", "votes", "indicators", "plans")


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register the agenda's subcommands on the main parser."""
    export = commands.add_parser(
        "export",
        help="write the agreed agenda (docx, html, md), its data (csv) or the whole assembly "
        "(json archive)",
        description=(
            "csv: with --table, that table; without, a ZIP of all five tables "
            "(proposals, issues, votes, indicators, plans), each UTF-8 with a BOM. "
            "announcement: the provincial announcement as DOCX."
        ),
    )
    export.add_argument("assembly_id", type=int)
    export.add_argument("--format", choices=FORMATS, required=True)
    export.add_argument("-o", "--output", type=Path, required=True, help="file to write")
    export.add_argument("--table", choices=CSV_TABLES, help="csv only: one table")
    export.add_argument(
        "--demo",
        action="store_true",
        help="read the demo's database (data/demo.sqlite3), not the one `samatcha serve` uses",
    )
    export.add_argument(
        "--full",
        action="store_true",
        help="json only: the FULL archive with personal data and who voted what, for "
        "import-archive on another server (default: anonymised)",
    )
    export.set_defaults(func=cmd_export)

    load = commands.add_parser(
        "import-archive",
        help="load a full JSON archive (samatcha export --format json --full) into an EMPTY "
        "database",
    )
    load.add_argument("file", type=Path)
    load.add_argument(
        "--password",
        action="store_true",
        help="set one password for the loaded accounts (asked, or SAMATCHA_PASSWORD)",
    )
    load.set_defaults(func=cmd_import_archive)


def _fail(command: str, message: str) -> None:
    print(f"samatcha {command}: error: {message}", file=sys.stderr)
    sys.exit(2)


def _with_runtime(work: Any, *, database_url: str | None = None) -> Any:
    from assembly.db import Database
    from assembly.runtime import DiscardEvents, Runtime
    from assembly.schema import upgrade_database
    from assembly.settings import Settings

    settings = Settings.from_env()
    url = database_url or settings.resolved_database_url
    upgrade_database(url)

    async def run() -> Any:
        db = Database(url)
        try:
            return await work(Runtime(db=db, sink=DiscardEvents(), settings=settings))
        finally:
            await db.dispose()

    return asyncio.run(run())


async def export_bytes(
    rt: Any, assembly_id: int, fmt: str, table: str | None, *, full: bool = False
) -> bytes:
    """The file `samatcha export` writes."""
    from deliberation.agenda import render_csv
    from deliberation.agenda.archive import read_archive
    from deliberation.agenda.gather import VOTES_HEADER, gather_document, vote_rows
    from deliberation.agenda.render_docx import render_docx
    from deliberation.agenda.render_html import render_html
    from deliberation.agenda.render_markdown import render_markdown

    if fmt == "json":
        archive = await read_archive(rt, assembly_id=assembly_id, full=full)
        return json.dumps(archive, ensure_ascii=False, indent=1).encode("utf-8")
    async with rt.read() as session:
        doc = await gather_document(session, assembly_id)
        votes = render_csv.render_csv(await vote_rows(session, assembly_id), VOTES_HEADER)
    if fmt == "docx":
        return render_docx(doc)
    if fmt == "announcement":
        from deliberation.agenda.render_docx import render_announcement_docx

        return render_announcement_docx(doc)
    if fmt == "html":
        return render_html(doc).encode("utf-8")
    if fmt == "md":
        return render_markdown(doc).encode("utf-8")
    tables = {
        "proposals": render_csv.proposals_csv(doc),
        "issues": render_csv.issues_csv(doc),
        "votes": votes,
        "indicators": render_csv.indicators_csv(doc),
        "plans": render_csv.plans_csv(doc),
    }
    if table is not None:
        return tables[table]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive_zip:
        for name, body in tables.items():
            archive_zip.writestr(f"{name}.csv", body)
    return buffer.getvalue()


def cmd_export(args: argparse.Namespace) -> None:
    from assembly.backup import NoData, require_data
    from assembly.errors import DomainError
    from assembly.i18n import translate
    from assembly.settings import Settings

    if args.table and args.format != "csv":
        _fail("export", "--table goes with --format csv")
    if args.full and args.format != "json":
        _fail("export", "--full goes with --format json")
    settings = Settings.from_env()
    url = settings.database_url_for(demo=args.demo)
    try:
        used = require_data(url, demo_file=settings.demo_database_file)
    except NoData as exc:
        _fail("export", str(exc))
    print(f"database: {used}", file=sys.stderr)
    try:
        body = _with_runtime(
            lambda rt: export_bytes(rt, args.assembly_id, args.format, args.table, full=args.full),
            database_url=url,
        )
    except DomainError as exc:
        _fail("export", f"{exc.code}: {translate(exc.message, **exc.params)}")
    try:
        args.output.write_bytes(body)
    except OSError as exc:
        _fail("export", f"cannot write {args.output}: {exc.strerror}")
    print(f"wrote {args.output} ({len(body):,} bytes)")


def cmd_import_archive(args: argparse.Namespace) -> None:
    import getpass

    from assembly.errors import DomainError
    from assembly.i18n import translate
    from deliberation.agenda.archive import load_archive

    try:
        archive = json.loads(args.file.read_text(encoding="utf-8-sig"))
    except OSError as exc:
        _fail("import-archive", f"cannot read {args.file}: {exc.strerror}")
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        _fail("import-archive", f"{args.file} is not JSON: {exc}")
    password = None
    if args.password:
        password = os.environ.get("SAMATCHA_PASSWORD") or getpass.getpass("Password: ")
    try:
        assembly_id = _with_runtime(lambda rt: load_archive(rt, archive, password=password))
    except DomainError as exc:
        _fail("import-archive", f"{exc.code}: {translate(exc.message, **exc.params)}")
    print(f"loaded assembly {assembly_id} from {args.file}")
