"""Exports anyone can recount: pure, no database, no web framework.

`export_document` is the JSON archive of one vote (method, options, anonymised ballots,
results); `recount` recomputes the results from such a document alone; `tally_csv` and
`ballots_csv` are the same for a spreadsheet.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Mapping, Sequence
from typing import Any

from assembly.text import FORMULA_STARTS, QUOTE_PREFIX
from voting.methods import (
    NETWORKS,
    MethodKind,
    VoteMethod,
    method_from_params,
    method_params,
    validate_ballot,
)
from voting.results import (
    PLACEHOLDER_NETWORK,
    StoredBallot,
    canonical_content,
    raw_ballot,
    results_view,
)

EXPORT_FORMAT = "samatcha.vote/1"
BOM = "\ufeff"  # Excel opens a UTF-8 CSV as UTF-8 (Thai intact) only when it starts with this


def _anonymous_order(content: str, network: str) -> str:
    # Sorted by a hash of the ballot itself: nothing about who voted when survives the export.
    return hashlib.sha256(f"{network}\n{content}".encode()).hexdigest()


def export_document(
    *,
    vote_id: int,
    assembly_name: str,
    method: VoteMethod,
    options: Sequence[tuple[str, str]],
    ballots: Sequence[StoredBallot],
) -> dict[str, Any]:
    """The whole vote in one JSON-ready document: enough to recount it with `recount`."""
    ordered = sorted(ballots, key=lambda b: _anonymous_order(b.content, b.network))
    return {
        "format": EXPORT_FORMAT,
        "vote_id": vote_id,
        "assembly": assembly_name,
        "method": method.kind.value,
        "params": method_params(method),
        "options": [{"id": option_id, "label": label} for option_id, label in options],
        "ballots": [_ballot_entry(method, b) for b in ordered],
        "results": results_view(method, options, ballots),
    }


AUDIT_FIELDS = ("card", "entered_by", "entered_at", "corrected_by", "corrected_at")
"""What an exported paper ballot says about its card, so the cards can be checked afterwards."""


def _ballot_entry(method: VoteMethod, ballot: StoredBallot) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "network": ballot.network,
        "ballot": raw_ballot(method, ballot.content),
        "source": ballot.source,
    }
    if ballot.paper:
        entry.update({name: getattr(ballot, name) for name in AUDIT_FIELDS})
    return entry


def recount(document: Mapping[str, Any]) -> dict[str, Any]:
    """Validate every exported ballot again and count them: must equal document["results"]."""
    method = method_from_params(document["method"], document["params"])
    options = [(str(o["id"]), str(o["label"])) for o in document["options"]]
    option_ids = [option_id for option_id, _ in options]
    stored = []
    for entry in document["ballots"]:
        network = entry["network"]
        checked = validate_ballot(
            method,
            option_ids,
            entry["ballot"],
            network=network if network in NETWORKS else PLACEHOLDER_NETWORK.value,
        )
        stored.append(
            StoredBallot(canonical_content(checked), network, str(entry.get("source", "phone")))
        )
    return results_view(method, options, stored)


def _csv(rows: Sequence[Sequence[object]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerows([[_inert(cell) for cell in row] for row in rows])
    return BOM + buffer.getvalue()


def _inert(cell: object) -> object:
    """An option label typed as `=HYPERLINK(...)` must not run as a formula in a spreadsheet:
    text that would start one gets a quote, as in the agenda's CSV tables."""
    if isinstance(cell, str) and (
        cell.startswith(FORMULA_STARTS) or cell.lstrip().startswith(FORMULA_STARTS)
    ):
        return QUOTE_PREFIX + cell
    return cell


def tally_csv(results: Mapping[str, Any]) -> str:
    """One row per option: both rankings and every network's supporters, Excel-ready."""
    networks = [n.value for n in NETWORKS]
    consensus = {line["option_id"]: line for line in results["consensus"]}
    header = [
        "option_id", "label", "rank", "value", "mentions", "mean", "schulze_rank",
        "consensus_rank", "consensus", "supporters",
        *[f"supporters_{n}" for n in networks], *[f"voters_{n}" for n in networks],
    ]  # fmt: skip
    rows: list[list[object]] = [header]
    for line in results["ranking"]:
        support = consensus[line["option_id"]]
        rows.append(
            [
                line["option_id"], line["label"], line["rank"], line["value"], line["mentions"],
                "" if line["mean"] is None else line["mean"],
                "" if line["schulze_rank"] is None else line["schulze_rank"],
                support["rank"], support["consensus"], support["supporters"],
                *[support["networks"][n]["supporters"] for n in networks],
                *[support["networks"][n]["voters"] for n in networks],
            ]
        )  # fmt: skip
    return _csv(rows)


def ballots_csv(document: Mapping[str, Any]) -> str:
    """One row per anonymised ballot, one column per option (rank position for ranking); then
    whether it came on paper and, for a paper ballot, its card and who entered it when."""
    options = document["options"]
    rows: list[list[object]] = [
        ["network", *[f"{o['id']} {o['label']}" for o in options], "source", *AUDIT_FIELDS]
    ]
    for entry in document["ballots"]:
        ballot = entry["ballot"]
        if document["method"] == MethodKind.RANKING:
            cells: list[object] = [
                ballot.index(o["id"]) + 1 if o["id"] in ballot else "" for o in options
            ]
        elif document["method"] == MethodKind.APPROVAL:
            cells = [1 if o["id"] in ballot else "" for o in options]
        else:
            cells = [ballot.get(o["id"], "") for o in options]
        audit = [entry.get(name) or "" for name in AUDIT_FIELDS]
        rows.append([entry["network"], *cells, entry.get("source", "phone"), *audit])
    return _csv(rows)
