"""The shape of the code (docs/architecture.md) cannot silently return to what issue 15 undid:
the import-linter contracts in pyproject.toml hold (web and CLI above the features, followup
above deliberation above voting, above the kernel; voting without deliberation, Litestar only
in the web layer), and no modules import each other in a circle, counting imports inside
functions."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import grimp
import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("assembly", "deliberation", "voting", "followup")


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
    assert below_web == complete | {"followup", "deliberation", "voting"}


def _graph() -> grimp.ImportGraph:
    return grimp.build_graph(*PACKAGES, cache_dir=None)


def test_the_import_graph_counts_imports_inside_functions() -> None:
    # assembly/cli.py imports the demo only inside the `demo` command, for start-up speed.
    assert _graph().direct_import_exists(importer="assembly.cli", imported="assembly.demo")


def _cycles(graph: grimp.ImportGraph) -> list[frozenset[str]]:
    """Strongly connected components of more than one module."""
    modules = sorted(graph.modules)
    at = {module: i for i, module in enumerate(modules)}
    edges = [
        (at[importer], at[imported])
        for importer in modules
        for imported in graph.find_modules_directly_imported_by(importer)
    ]
    rows, cols = zip(*edges, strict=True) if edges else ((), ())
    matrix = csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(modules), len(modules)))
    _, labels = connected_components(matrix, directed=True, connection="strong")
    components: dict[int, set[str]] = {}
    for module, label in zip(modules, labels, strict=True):
        components.setdefault(int(label), set()).add(module)
    return [frozenset(c) for c in components.values() if len(c) > 1]


def test_no_modules_import_each_other_in_a_circle() -> None:
    cycles = [sorted(cycle) for cycle in _cycles(_graph())]
    assert not cycles, (
        f"import cycles (move the function where its imports say it belongs): {cycles}"
    )


def test_the_cycle_finder_finds_a_cycle() -> None:
    graph = grimp.ImportGraph()
    for module in ("a", "a.one", "a.two", "a.three"):
        graph.add_module(module)
    graph.add_import(importer="a.one", imported="a.two")
    graph.add_import(importer="a.two", imported="a.one")
    graph.add_import(importer="a.three", imported="a.one")
    assert _cycles(graph) == [frozenset({"a.one", "a.two"})]
