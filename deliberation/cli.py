"""`samatcha cluster`: cluster a CSV or XLSX of proposals offline (evaluation, paper rounds).

Heavy modules (numpy, the embedding model, PyThaiNLP) are imported only when the command runs,
so `samatcha --help` and `samatcha serve` start fast.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:
    from deliberation.tabular import Table

# One clustering holds a dense n × n similarity matrix (and a few copies): 5,000 rows need
# ~1 GB, 10,000 four times that. Beyond this the command refuses instead of swapping for hours.
MAX_ROWS = 10_000
# Below this many rows a run takes a few seconds and a progress bar is noise.
PROGRESS_FROM_ROWS = 200
NO_TEXT_TITLE = "(ไม่มีข้อความ)"
BAR_WIDTH = 30


class CommandError(Exception):
    """A problem with the input, told to the person in one line (exit status 2)."""


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register deliberation's subcommands (`samatcha cluster`) on the main parser."""
    cluster = commands.add_parser(
        "cluster",
        help="group the proposals of a CSV/XLSX file into themes",
        description=(
            "Read a UTF-8 (or TIS-620) CSV or an XLSX file and print its clustering. JSON: "
            '{"clusters": [{"title", "terms", "members": [row, ...]}]}, row = 0-based data row; '
            "every row is in exactly one cluster."
        ),
    )
    cluster.add_argument("file", type=Path, help="CSV or XLSX with a header row")
    cluster.add_argument(
        "--text-column", default=None, help="column with the proposals (default: found by itself)"
    )
    cluster.add_argument(
        "--network-column",
        default=None,
        help="column with each author's network (default: network/เครือข่าย/ภาคส่วน if present);"
        " used to take the speakers' voice out of the grouping, as the app does",
    )
    cluster.add_argument(
        "--clusters", type=int, default=None, help="number of clusters (default: chosen itself)"
    )
    cluster.add_argument("--format", choices=("json", "csv"), default="json")
    cluster.add_argument("--quiet", action="store_true", help="no progress bar on stderr")
    cluster.set_defaults(func=cmd_cluster)


def cmd_cluster(args: argparse.Namespace) -> None:
    try:
        result = cluster_file(
            args.file,
            text_column_name=args.text_column,
            network_column_name=args.network_column,
            n_clusters=args.clusters,
            progress=None if args.quiet else progress_bar(sys.stderr),
        )
    except CommandError as error:
        print(f"samatcha cluster: error: {error}", file=sys.stderr)
        sys.exit(2)
    write(result, args.format, sys.stdout)


def progress_bar(stream: IO[str]) -> Callable[[int, int], None]:
    """A one-line bar redrawn in place: `embedding [#####.....] 320/1000`."""

    def show(done: int, total: int) -> None:
        if total < PROGRESS_FROM_ROWS:
            return
        filled = BAR_WIDTH * done // max(total, 1)
        end = "\n" if done >= total else ""
        bar = "#" * filled + "." * (BAR_WIDTH - filled)
        stream.write(f"\rembedding [{bar}] {done}/{total}{end}")
        stream.flush()

    return show


def cluster_file(
    path: Path,
    *,
    text_column_name: str | None = None,
    network_column_name: str | None = None,
    n_clusters: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, Any]:
    """The clustering of a file's rows as JSON-ready data; raises CommandError on bad input."""
    from deliberation.tabular import network_column, text_column

    if n_clusters is not None and n_clusters < 1:
        raise CommandError("--clusters must be at least 1")
    try:
        data = path.read_bytes()
    except OSError as error:
        raise CommandError(f"cannot read {path}: {error.strerror or error}") from error
    table = _table(data, path.name)
    texts = table.column(_column(table, text_column_name) or text_column(table))
    network = _column(table, network_column_name) or network_column(table)
    networks = [value or None for value in table.column(network)] if network else None
    return cluster_texts(texts, networks=networks, n_clusters=n_clusters, progress=progress)


def _table(data: bytes, filename: str) -> Table:
    from deliberation.tabular import TableTooLarge, UnreadableFile, read_table

    if not data.strip():
        raise CommandError("the file is empty")
    try:
        table = read_table(data, filename)
    except TableTooLarge as error:
        raise CommandError(f"the table is too large: {error}") from error
    except UnreadableFile as error:
        raise CommandError(
            "the file is not a readable CSV (UTF-8, UTF-16 or TIS-620/Windows-874) or XLSX"
        ) from error
    if not table.header:
        raise CommandError("the file is empty")
    if len(table.rows) > MAX_ROWS:
        raise CommandError(
            f"{len(table.rows)} rows: at most {MAX_ROWS} can be clustered at once "
            "(split the file, e.g. by province or by question)"
        )
    return table


def _column(table: Table, name: str | None) -> str | None:
    """The header a person named (case and spaces aside), or None when they named none."""
    if name is None:
        return None
    lowered = [header.strip().lower() for header in table.header]
    if name.strip().lower() not in lowered:
        raise CommandError(f"no column {name!r}; the columns are: {', '.join(table.header)}")
    return table.header[lowered.index(name.strip().lower())]


def cluster_texts(
    texts: Sequence[str],
    *,
    networks: Sequence[str | None] | None = None,
    n_clusters: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, Any]:
    """Every row in exactly one cluster. Rows with no words (empty, only emoji or digits) form
    one cluster of their own, so they neither vanish nor pull real themes together."""
    import numpy as np

    from deliberation.clustering import cluster
    from deliberation.embeddings import default_embedder
    from deliberation.thai import has_words

    worded = [i for i, text in enumerate(texts) if has_words(text)]
    wordless = [i for i, text in enumerate(texts) if not has_words(text)]
    clusters: list[dict[str, Any]] = []
    if worded:
        embedder = default_embedder()
        chunk = 64
        vectors = []
        for start in range(0, len(worded), chunk):
            rows = worded[start : start + chunk]
            vectors.append(embedder.embed([texts[i] for i in rows]))
            if progress is not None:
                progress(min(start + chunk, len(worded)), len(worded))
        wanted = n_clusters
        if wanted is not None and wordless:
            wanted = max(1, wanted - 1)
        result = cluster(
            np.vstack(vectors),
            [texts[i] for i in worded],
            networks=[networks[i] for i in worded] if networks is not None else None,
            n_clusters=wanted,
            calibration=embedder.calibration,
        )
        clusters = [
            {
                "title": found.title,
                "terms": list(found.terms),
                "members": [worded[row] for row in found.members],
            }
            for found in result.clusters
        ]
    if wordless:
        clusters.append({"title": NO_TEXT_TITLE, "terms": [], "members": wordless})
    return {"clusters": clusters}


def write(result: dict[str, Any], fmt: str, out: IO[str]) -> None:
    """JSON as specified, or CSV with one line per row: row, cluster, title, terms."""
    import csv
    import json

    if fmt == "json":
        json.dump(result, out, ensure_ascii=False, indent=1)
        out.write("\n")
        return
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["row", "cluster", "title", "terms"])
    rows = sorted(
        (member, index, c["title"], " ".join(c["terms"]))
        for index, c in enumerate(result["clusters"])
        for member in c["members"]
    )
    writer.writerows(rows)
