"""The shape of the code (docs/architecture.md) cannot silently return to what issue 15 undid:
the import-linter contracts in pyproject.toml hold (web and CLI above the features above the
kernel, voting without deliberation, Litestar only in the web layer), and no modules import
each other in a circle, counting imports inside functions."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("assembly", "deliberation", "voting")

KNOWN_CYCLES = {
    # clustering imports embeddings only inside cluster_csv_rows, which only tests call;
    # issue 14 (clustering) removes it. Delete this entry then: the test below insists.
    frozenset({"deliberation.clustering", "deliberation.embeddings"}),
}


def test_the_import_contracts_hold() -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "from importlinter.cli import lint_imports; "
            "raise SystemExit(lint_imports(no_cache=True, no_logo=True))",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    report = result.stdout + result.stderr
    assert result.returncode == 0, report[report.find("Broken contracts") :] or report


def _contracts() -> dict[str, dict[str, object]]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return {c["id"]: c for c in config["tool"]["importlinter"]["contracts"]}


def _names(layer: str, prefix: str = "") -> set[str]:
    return {prefix + name.strip() for name in layer.replace("|", ":").split(":")}


def test_the_kernel_is_listed_alike_in_every_contract() -> None:
    """The kernel is written out three times (no contract can say "assembly minus web");
    `kernel-listed` proves its list is complete, so the other two must equal it."""
    contracts = _contracts()
    complete = _names(contracts["kernel-listed"]["layers"][-1], "assembly.")
    assert _names(contracts["layers"]["layers"][-1]) == complete
    below_web = set(contracts["litestar-only-in-web"]["source_modules"])
    assert below_web == complete | {"deliberation", "voting"}


def _graph() -> grimp.ImportGraph:
    return grimp.build_graph(*PACKAGES, cache_dir=None)


def test_the_import_graph_counts_imports_inside_functions() -> None:
    # assembly/cli.py imports the demo only inside the `demo` command, for start-up speed.
    assert _graph().direct_import_exists(importer="assembly.cli", imported="assembly.demo")


def _cycles(graph: grimp.ImportGraph) -> list[frozenset[str]]:
    """Strongly connected components of more than one module (Tarjan, without recursion)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[frozenset[str]] = []
    work: list[tuple[str, Iterator[str]]] = []

    def enter(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        work.append((module, iter(sorted(graph.find_modules_directly_imported_by(module)))))

    for root in sorted(graph.modules):
        if root in index:
            continue
        enter(root)
        while work:
            module, imported = work[-1]
            for other in imported:
                if other not in index:
                    enter(other)
                    break
                if other in on_stack:
                    low[module] = min(low[module], index[other])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[module])
                if low[module] == index[module]:
                    component = set()
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.add(member)
                        if member == module:
                            break
                    if len(component) > 1:
                        found.append(frozenset(component))
    return found


def test_no_modules_import_each_other_in_a_circle() -> None:
    cycles = set(_cycles(_graph()))
    new = [sorted(cycle) for cycle in cycles - KNOWN_CYCLES]
    assert not new, f"import cycles (move the function where its imports say it belongs): {new}"
    gone = [sorted(cycle) for cycle in KNOWN_CYCLES - cycles]
    assert not gone, f"these cycles are gone: delete them from KNOWN_CYCLES: {gone}"


def test_the_cycle_finder_finds_a_cycle() -> None:
    graph = grimp.ImportGraph()
    for module in ("a", "a.one", "a.two", "a.three"):
        graph.add_module(module)
    graph.add_import(importer="a.one", imported="a.two")
    graph.add_import(importer="a.two", imported="a.one")
    graph.add_import(importer="a.three", imported="a.one")
    assert _cycles(graph) == [frozenset({"a.one", "a.two"})]
