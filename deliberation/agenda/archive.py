"""A JSON archive of one whole assembly, and loading it back into an empty database.

Why generic over the tables: the archive must hold every row of the assembly, including the
tables other parts of Samatcha add later. Each table is found from the SQLAlchemy metadata and
reached from the assembly through its foreign keys (`_ROUTES` names the few paths that are not
a plain `assembly_id` column); columns are written by their type (dates as ISO text, binary as
base64). Ids are kept as they are: loading happens only into an EMPTY database, so they cannot
clash, and exporting the loaded copy gives the same JSON again (apart from `exported_at`).

What is left out on purpose: login sessions and password hashes (an archive is a data file,
not a credential store). Loaded accounts get no usable password until one is set
(`samatcha import-archive --password`, or SAMATCHA_PASSWORD).

Two kinds (docs/security.md). The ANONYMISED archive, the one facilitators and, by default,
organizers get: no participant names, organisations or device hashes, no seat-code nonces or
hashes, and no link from a ballot, consent answer or +1 to a participant (those rows carry the
participant's network instead, without ids or times, in a fixed order). It is for reading and
analysis and cannot be loaded. The FULL archive (organizer only, `export-full.json`, or
`samatcha export --format json --full`) holds every row and is what `import-archive` loads,
for moving an assembly to another server; `samatcha backup` copies the whole database.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from collections.abc import Callable
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    Integer,
    LargeBinary,
    Select,
    Table,
    func,
    insert,
    select,
    text,
)
from sqlalchemy.ext.asyncio import AsyncSession

import deliberation.models  # noqa: F401  (registers the tables on Base.metadata)
import voting.models  # noqa: F401
from assembly.db import Base
from assembly.errors import Conflict, InvalidInput
from assembly.runtime import Runtime
from assembly.security import hash_password
from assembly.services import Actor, authorized, get_assembly
from assembly.steps import Action
from assembly.timeutil import utcnow

ARCHIVE_FORMAT = "samatcha.archive/1"
FULL, ANONYMISED = "full", "anonymised"
SKIPPED = frozenset({"user_sessions", "alembic_version"})
OMITTED_COLUMNS = {"users": {"password_hash"}}
# What the anonymised archive leaves out besides: who someone is, and the secrets of a seat.
PERSONAL_COLUMNS = {
    "participants": {"device_hash", "display_name", "organisation"},
    "seat_codes": {"nonce", "code_hash", "participant_id"},
}
# Rows that say how someone voted or what they backed: kept with the participant's network in
# place of the participant, and without what would order them by person or time.
UNLINKED = {
    "ballots": {"id", "participant_id", "client_seq", "cast_at"},
    "consent_votes": {"id", "participant_id", "answered_at"},
    "supports": {"participant_id", "created_at"},
    "agenda_suggestion_supports": {"participant_id"},
}
# Never the output of hash_password: nobody can log in until a password is set.
NO_PASSWORD = "!"  # noqa: S105


def _t(name: str) -> Table:
    return Base.metadata.tables[name]


def _by_assembly(table: Table, assembly_id: int) -> Select[Any]:
    return select(table).where(table.c.assembly_id == assembly_id)


def _via(parent: str, column: str) -> Callable[[Table, int], Select[Any]]:
    """Rows whose `column` points at a row of `parent` that belongs to the assembly."""

    def query(table: Table, assembly_id: int) -> Select[Any]:
        owner = _t(parent)
        ids = select(owner.c.id).where(owner.c.assembly_id == assembly_id)
        return select(table).where(table.c[column].in_(ids))

    return query


def _users(table: Table, assembly_id: int) -> Select[Any]:
    assemblies, assigned = _t("assemblies"), _t("facilitator_assignments")
    creator = select(assemblies.c.created_by).where(assemblies.c.id == assembly_id)
    helpers = select(assigned.c.user_id).where(assigned.c.assembly_id == assembly_id)
    return select(table).where(table.c.id.in_(creator) | table.c.id.in_(helpers))


_ROUTES: dict[str, Callable[[Table, int], Select[Any]]] = {
    "users": _users,
    "assemblies": lambda table, assembly_id: select(table).where(table.c.id == assembly_id),
    "supports": _via("proposals", "proposal_id"),
    "proposal_vectors": _via("proposals", "proposal_id"),
    "vote_options": _via("votes", "vote_id"),
    "ballots": _via("votes", "vote_id"),
    "agenda_suggestion_supports": _via("agenda_suggestions", "suggestion_id"),
    "consent_votes": _via("agenda_items", "item_id"),
}


def archived_tables() -> list[Table]:
    """The tables of an archive, parents before children (the order they are loaded in)."""
    return [
        table
        for table in Base.metadata.sorted_tables
        if table.name not in SKIPPED and (table.name in _ROUTES or "assembly_id" in table.c)
    ]


def _dump(value: Any, column_type: Any) -> Any:
    if value is None:
        return None
    if isinstance(column_type, DateTime):
        if value.tzinfo is None:  # SQLite hands back naive datetimes: they are UTC
            value = value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC).isoformat()
    if isinstance(column_type, Date):
        return value.isoformat()
    if isinstance(column_type, LargeBinary):
        return base64.b64encode(value).decode("ascii")
    return value


def _load(value: Any, column_type: Any) -> Any:
    if value is None:
        return None
    if isinstance(column_type, DateTime):
        return dt.datetime.fromisoformat(value)
    if isinstance(column_type, Date):
        return dt.date.fromisoformat(value)
    if isinstance(column_type, LargeBinary):
        return base64.b64decode(value)
    if isinstance(column_type, Boolean):
        return bool(value)
    if isinstance(column_type, Integer) and not isinstance(value, bool):
        return int(value)
    if isinstance(column_type, Float):
        return float(value)
    if isinstance(column_type, JSON):
        return value
    return value


async def archive_of(
    session: AsyncSession, assembly_id: int, *, full: bool = False
) -> dict[str, Any]:
    """Every row of the assembly, table by table, sorted by primary key; anonymised (see the
    module's docstring) unless `full`."""
    tables: dict[str, Any] = {}
    for table in archived_tables():
        route = _ROUTES.get(table.name, _by_assembly)
        omitted = OMITTED_COLUMNS.get(table.name, set())
        columns = [c for c in table.columns if c.name not in omitted]
        query = route(table, assembly_id).order_by(*table.primary_key.columns)
        rows = (await session.execute(query)).mappings().all()
        tables[table.name] = {
            "columns": [c.name for c in columns],
            "rows": [[_dump(row[c.name], c.type) for c in columns] for row in rows],
        }
    if not full:
        tables = _anonymised(tables)
    return {
        "format": ARCHIVE_FORMAT,
        "contents": FULL if full else ANONYMISED,
        "assembly_id": assembly_id,
        "exported_at": utcnow().isoformat(),
        "tables": tables,
    }


def _anonymised(tables: dict[str, Any]) -> dict[str, Any]:
    participants = tables["participants"]
    network_of = {
        row[participants["columns"].index("id")]: row[participants["columns"].index("network_id")]
        for row in participants["rows"]
    }
    out: dict[str, Any] = {}
    for name, part in tables.items():
        columns: list[str] = part["columns"]
        rows: list[list[Any]] = part["rows"]
        if name in UNLINKED:
            who = columns.index("participant_id")
            rows = [[*row, network_of.get(row[who])] for row in rows]
            columns = [*columns, "participant_network_id"]
            dropped = UNLINKED[name]
        else:
            dropped = PERSONAL_COLUMNS.get(name, set())
        keep = [i for i, column in enumerate(columns) if column not in dropped]
        rows = [[row[i] for i in keep] for row in rows]
        if name in UNLINKED:  # no order left that follows a person or the clock
            rows.sort(key=lambda row: json.dumps(row, ensure_ascii=False, sort_keys=True))
        out[name] = {"columns": [columns[i] for i in keep], "rows": rows}
    return out


async def export_archive(
    rt: Runtime, *, actor: Actor, assembly_id: int, full: bool = False
) -> dict[str, Any]:
    """The archive of one assembly for its staff, read in one transaction: anonymised for every
    staff member; the full one for its organizer only."""
    async with rt.read() as session:
        action = Action.MANAGE_ASSEMBLY if full else Action.VIEW_CONSOLE
        await authorized(session, assembly_id, actor, action)
        return await archive_of(session, assembly_id, full=full)


async def read_archive(rt: Runtime, *, assembly_id: int, full: bool = False) -> dict[str, Any]:
    """The archive without an actor: for the command line, run by whoever holds the server."""
    async with rt.read() as session:
        await get_assembly(session, assembly_id)
        return await archive_of(session, assembly_id, full=full)


def _malformed(detail: str) -> InvalidInput:
    return InvalidInput(
        "invalid_archive", "This file is not a Samatcha archive (%(detail)s).", detail=detail
    )


async def _is_empty(session: AsyncSession) -> bool:
    for name in ("assemblies", "users"):
        if await session.scalar(select(func.count()).select_from(_t(name))):
            return False
    return True


async def load_archive(rt: Runtime, archive: object, *, password: str | None = None) -> int:
    """Load an archive into an EMPTY database (refused otherwise); returns the assembly id.

    `password`, when given, becomes the password of every loaded account."""
    if not isinstance(archive, dict) or archive.get("format") != ARCHIVE_FORMAT:
        raise _malformed(f"format is not {ARCHIVE_FORMAT}")
    if archive.get("contents", FULL) != FULL:
        raise InvalidInput(
            "anonymised_archive",
            "This archive is anonymised and cannot be loaded. Load a full archive "
            "(samatcha export --format json --full).",
        )
    tables = archive.get("tables")
    assembly_id = archive.get("assembly_id")
    if not isinstance(tables, dict) or not isinstance(assembly_id, int):
        raise _malformed("no tables")
    known = {table.name: table for table in archived_tables()}
    unknown = sorted(set(tables) - set(known))
    if unknown:
        raise _malformed("unknown tables: " + ", ".join(unknown))
    secret = hash_password(password) if password else NO_PASSWORD
    async with rt.transaction() as (session, _):
        if not await _is_empty(session):
            raise Conflict(
                "database_not_empty",
                "The database already holds assemblies or accounts. An archive is loaded only "
                "into an empty database: point SAMATCHA_DATABASE_URL at a new one.",
            )
        for table in archived_tables():
            part = tables.get(table.name)
            if not part or not part.get("rows"):
                continue
            names = part.get("columns")
            if not isinstance(names, list) or any(n not in table.c for n in names):
                raise _malformed(f"columns of {table.name}")
            rows = []
            for raw in part["rows"]:
                if not isinstance(raw, list) or len(raw) != len(names):
                    raise _malformed(f"a row of {table.name}")
                try:
                    row = {n: _load(v, table.c[n].type) for n, v in zip(names, raw, strict=True)}
                except (ValueError, TypeError) as exc:
                    raise _malformed(f"a value in {table.name}") from exc
                if table.name == "users":
                    row["password_hash"] = secret
                rows.append(row)
            await session.execute(insert(table), rows)
        if session.get_bind().dialect.name == "postgresql":
            await _advance_sequences(session)
    return assembly_id


async def _advance_sequences(session: AsyncSession) -> None:
    """Rows inserted with their own ids leave PostgreSQL's sequences behind: move them on."""
    for table in archived_tables():
        pk = list(table.primary_key.columns)
        if len(pk) != 1 or not isinstance(pk[0].type, Integer) or not pk[0].autoincrement:
            continue
        # Names come from our own metadata, never from the archive.
        t, c = table.name, pk[0].name
        sql = (
            f"SELECT setval(pg_get_serial_sequence('{t}', '{c}'), "  # noqa: S608
            f"COALESCE((SELECT MAX({c}) FROM {t}), 0) + 1, false)"
        )
        await session.execute(text(sql))
