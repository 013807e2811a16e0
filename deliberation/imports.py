"""Importing proposals collected on paper or in spreadsheets (CSV, XLSX) into an assembly.

Each row is either imported or reported with the reason it was not; a row whose network is
unknown is imported without one and reported as a warning (nothing is lost). Importing the
same file twice imports nothing twice: each row has a key made of the file's hash and its row.
"""

from __future__ import annotations

import asyncio
import hashlib
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from assembly.errors import InvalidInput
from assembly.events import EventType
from assembly.i18n import N_
from assembly.models import Network
from assembly.runtime import Runtime
from assembly.services import Actor, authorized, current_step
from assembly.steps import Action
from deliberation.models import Proposal
from deliberation.tabular import (
    MAX_CELLS,
    MAX_COLUMNS,
    MAX_XLSX_UNPACKED_BYTES,
    NETWORK_COLUMNS,
    Table,
    TableTooLarge,
    UnreadableFile,
    read_table,
    text_column,
)
from deliberation.thai import clean_text, has_words, normalise

# The clustering budget (5,000 proposals re-clustered in ≤ 5 s) bounds one assembly, so one
# file may not bring more: a 50,000-row export is refused with a message, not half-imported.
MAX_IMPORT_ROWS = 5_000
MAX_IMPORT_BYTES = 20 * 1024 * 1024
# Header names (lower-cased) taken as the network column.
SOURCE_CHARS = 200


@dataclass(frozen=True)
class RowIssue:
    """One row that was not imported (or imported with a warning), and why."""

    row: int
    """The row's number as the spreadsheet shows it (the header is row 1)."""
    code: str
    message: str
    """English msgid; the edge translates it with `params`."""
    params: dict[str, Any] = field(default_factory=dict)
    text: str = ""


@dataclass(frozen=True)
class ImportReport:
    filename: str
    total_rows: int
    imported: int
    text_column: str
    network_column: str | None
    rejected: list[RowIssue]
    warnings: list[RowIssue]
    proposal_ids: list[int]


def _pick_column(table: Table, wanted: str | None, guesses: tuple[str, ...]) -> str | None:
    lowered = [name.strip().lower() for name in table.header]
    if wanted:
        key = wanted.strip().lower()
        if key not in lowered:
            raise InvalidInput(
                "column_missing",
                "The file has no column “%(column)s”. Its columns are: %(columns)s.",
                column=wanted,
                columns=", ".join(table.header),
            )
        return table.header[lowered.index(key)]
    for guess in guesses:
        if guess in lowered:
            return table.header[lowered.index(guess)]
    return None


def _network_lookup(networks: list[Network]) -> dict[str, int]:
    """Keys, Thai and English names, and numbers 1–6 all name a network."""
    lookup: dict[str, int] = {}
    for n in networks:
        for name in (n.key, n.name_th, n.name_en, str(n.position + 1)):
            if name:
                lookup[normalise(name)] = n.id
    return lookup


async def check_importer(rt: Runtime, *, actor: Actor, assembly_id: int) -> None:
    """Refuse unless the actor may import into this assembly. The web edge calls it before it
    reads a byte of the upload: a stranger's 32 MB file is refused unread."""
    async with rt.read() as session:
        await authorized(session, assembly_id, actor, Action.MANAGE_ASSEMBLY)


def parse_table(data: bytes, filename: str) -> Table:
    """Read the bytes as CSV or XLSX, or refuse with a message a person can act on."""
    if not data or not data.strip():
        raise InvalidInput("empty_file", "The file is empty.")
    if len(data) > MAX_IMPORT_BYTES:
        raise InvalidInput(
            "file_too_large", "The file is too large: at most %(limit)s MB.", limit=20
        )
    try:
        table = read_table(data, filename, max_rows=MAX_IMPORT_ROWS)
    except TableTooLarge as error:
        raise _too_large(error) from error
    except UnreadableFile as error:
        raise InvalidInput(
            "unreadable_file",
            "This file cannot be read. Save it from Excel as “CSV UTF-8” or as an XLSX "
            "workbook and try again.",
        ) from error
    if not table.header or not table.rows:
        raise InvalidInput("empty_file", "The file has no rows under its header.")
    return table


async def import_proposals(
    rt: Runtime,
    *,
    actor: Actor,
    assembly_id: int,
    data: bytes,
    filename: str,
    text_column_name: str | None = None,
    network_column_name: str | None = None,
    wait_for_vectors: bool = False,
) -> ImportReport:
    """Add a spreadsheet's proposals to an assembly and report row by row.

    The rows are stored at once; their vectors (and placement into curated groups) follow in
    the background, or before returning with `wait_for_vectors` (CLI, benchmarks).
    """
    filename = (filename or "upload.csv").rsplit("/", 1)[-1][:120]
    await check_importer(rt, actor=actor, assembly_id=assembly_id)
    table = await asyncio.to_thread(parse_table, data, filename)
    if len(table.rows) + table.more_rows > MAX_IMPORT_ROWS:
        raise InvalidInput(
            "too_many_rows",
            "The file has %(rows)s rows; at most %(limit)s can be imported at once. "
            "Please split it into smaller files.",
            rows=len(table.rows) + table.more_rows,
            limit=MAX_IMPORT_ROWS,
        )
    text_name = _pick_column(table, text_column_name, ())
    if text_name is None:
        text_name = text_column(table)
    network_name = _pick_column(table, network_column_name, NETWORK_COLUMNS)
    file_key = hashlib.sha256(data).hexdigest()[:20]
    limit = rt.settings.max_proposal_chars
    rejected: list[RowIssue] = []
    warnings: list[RowIssue] = []
    async with rt.transaction() as (session, outbox):
        assembly, _ = await authorized(session, assembly_id, actor, Action.MANAGE_ASSEMBLY)
        lookup = _network_lookup(list(assembly.networks))
        done = set(
            await session.scalars(
                select(Proposal.client_key).where(
                    Proposal.assembly_id == assembly_id,
                    Proposal.client_key.like(f"import-{file_key}-%"),
                )
            )
        )
        step = current_step(assembly)
        texts = table.column(text_name)
        networks = table.column(network_name) if network_name else [""] * len(texts)
        new: list[Proposal] = []
        for index, (raw, network_value) in enumerate(zip(texts, networks, strict=True)):
            row = index + 2
            text = clean_text(raw)
            key = f"import-{file_key}-{row}"
            problem = _problem(text, limit, key in done)
            if problem is not None:
                code, message, params = problem
                rejected.append(RowIssue(row, code, message, params, text[:80]))
                continue
            network_id = None
            if network_value:
                network_id = lookup.get(normalise(network_value))
                if network_id is None:
                    warnings.append(
                        RowIssue(
                            row,
                            "unknown_network",
                            N_(
                                "Network “%(value)s” is not one of this assembly's networks: "
                                "imported without a network."
                            ),
                            {"value": network_value[:40]},
                            text[:80],
                        )
                    )
            new.append(
                Proposal(
                    assembly_id=assembly_id,
                    step_id=step.id if step else None,
                    participant_id=None,
                    network_id=network_id,
                    text=text,
                    client_key=key,
                    hidden=False,
                    edited=False,
                    support_count=0,
                    source=f"{filename} #{row}"[:SOURCE_CHARS],
                )
            )
        session.add_all(new)
        await session.flush()
        ids = [p.id for p in new]
        if ids:
            shown = step is not None and step.show_others
            payload = {"count": len(ids), "ids": ids}
            await outbox.emit(
                assembly_id,
                EventType.PROPOSALS_IMPORTED,
                payload,
                {"count": len(ids)} if shown else None,
            )
    if ids:
        from deliberation.curation import place_arrivals

        if wait_for_vectors:
            from deliberation.vectors import ensure_vectors

            await ensure_vectors(rt, assembly_id, only=ids)
            await place_arrivals(rt, assembly_id, ids)
        else:
            from deliberation.vectors import schedule_embedding

            schedule_embedding(rt, assembly_id, ids, then=place_arrivals)
    return ImportReport(
        filename=filename,
        total_rows=len(table.rows),
        imported=len(ids),
        text_column=text_name,
        network_column=network_name,
        rejected=rejected,
        warnings=warnings,
        proposal_ids=ids,
    )


def _too_large(error: TableTooLarge) -> InvalidInput:
    """The refusal for a table over one of tabular's bounds, in words a person can act on."""
    if error.bound == "columns":
        return InvalidInput(
            "too_many_columns",
            "Row %(row)s of the file has more than %(limit)s columns. Keep only the columns "
            "with the proposals and the networks, and try again.",
            row=error.row,
            limit=MAX_COLUMNS,
        )
    if error.bound == "cells":
        return InvalidInput(
            "too_many_cells",
            "The file has more than %(limit)s cells. Keep only the columns with the proposals "
            "and the networks, or split it into smaller files.",
            limit=f"{MAX_CELLS:,}",
        )
    return InvalidInput(
        "file_too_large_unpacked",
        "The workbook is too large once unpacked (at most %(limit)s MB). Save only the sheet "
        "with the proposals, as “CSV UTF-8”, and try again.",
        limit=MAX_XLSX_UNPACKED_BYTES // (1024 * 1024),
    )


def _problem(text: str, limit: int, already: bool) -> tuple[str, str, dict[str, Any]] | None:
    if not text:
        return "empty_text", N_("No proposal text in this row."), {}
    if not has_words(text):
        return "no_words", N_("Only emoji, digits or symbols: no words to read."), {}
    if len(text) > limit:
        return "too_long", N_("Longer than %(limit)s characters."), {"limit": limit}
    if already:
        return "already_imported", N_("Already imported from this same file earlier."), {}
    return None
