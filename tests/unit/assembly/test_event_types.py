"""Every event type has one name in `EventType`, documented in docs/realtime.md."""

from __future__ import annotations

import re
from pathlib import Path

from assembly.events import EventType

ROOT = Path(__file__).resolve().parents[3]
DOCS = ROOT / "docs" / "realtime.md"
TYPE_COLUMNS = ("type", "events", "live updates")
"""The columns of docs/realtime.md's tables that name types: the events table and the
table of what each later step adds."""


def documented_types() -> set[str]:
    names: set[str] = set()
    header: list[str] | None = None
    for line in DOCS.read_text(encoding="utf-8").splitlines():
        if not line.startswith("|"):
            header = None
            continue
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if header is None:
            header = cells
        elif not all(set(cell) <= {"-", ":"} for cell in cells):
            for column in TYPE_COLUMNS:
                if column in header:
                    names |= set(re.findall(r"`([^`]+)`", cells[header.index(column)]))
    return names


def test_every_event_type_is_documented() -> None:
    documented = documented_types()
    assert [t.value for t in EventType if t.value not in documented] == []


def test_every_documented_type_exists() -> None:
    assert documented_types() - {t.value for t in EventType} == set()


def test_application_code_names_event_types_only_through_the_enumeration() -> None:
    dotted = [t.value for t in EventType if "." in t.value]
    literals = re.compile("|".join(re.escape(f'"{name}"') for name in dotted))
    found = [
        f"{path.relative_to(ROOT)}: {match.group()}"
        for package in ("assembly", "deliberation", "voting", "benchmarks")
        for path in sorted((ROOT / package).rglob("*.py"))
        if path.name != "events.py"
        for match in literals.finditer(path.read_text(encoding="utf-8"))
    ]
    assert found == []
