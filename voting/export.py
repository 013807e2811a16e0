"""Results as plain data, and exports anyone can recount: pure, no database, no web framework.

`results_view` turns stored ballots into the dict that the console, the presenter screen, the
phones (after reveal), the SVG charts and the exports all show, so they cannot disagree.
`export_document` is the JSON archive of one vote (method, options, anonymised ballots,
results); `recount` recomputes the results from such a document alone.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from deliberation.agenda.render_csv import FORMULA_STARTS, QUOTE_PREFIX
from voting.consensus import consensus_ranking
from voting.methods import (
    NETWORKS,
    ApprovalVoting,
    MethodKind,
    Network,
    NormalisedBallot,
    RankedVoting,
    VoteMethod,
    method_from_params,
    method_params,
    tally,
    validate_ballot,
)

EXPORT_FORMAT = "samatcha.vote/1"
# Ballots of a network outside the six (an organizer may add one) count in the tally but not
# in the per-network breakdown; a placeholder network satisfies NormalisedBallot's type.
_PLACEHOLDER_NETWORK = Network.CIVIL_SOCIETY
BOM = "\ufeff"  # Excel opens a UTF-8 CSV as UTF-8 (Thai intact) only when it starts with this


@dataclass(frozen=True)
class StoredBallot:
    """One ballot as stored: canonical JSON content and the voter's network key."""

    content: str
    network: str


def canonical_content(ballot: NormalisedBallot) -> str:
    """The stored form: a best-first list for ranking, {option: value} otherwise."""
    value: object = (
        list(ballot.ranking) if ballot.kind is MethodKind.RANKING else dict(ballot.points)
    )
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def normalised(method: VoteMethod, content: str, network: str) -> NormalisedBallot:
    """Rebuild a stored ballot (validated when it was cast) without validating it again."""
    value = json.loads(content)
    voter_network = Network(network) if network in NETWORKS else _PLACEHOLDER_NETWORK
    if isinstance(method, RankedVoting):
        return NormalisedBallot(method.kind, voter_network, ranking=tuple(value))
    return NormalisedBallot(method.kind, voter_network, points=tuple(value.items()))


def raw_ballot(method: VoteMethod, content: str) -> object:
    """The shape `validate_ballot` accepts: approval as a list, the others as stored."""
    value = json.loads(content)
    if isinstance(method, ApprovalVoting):
        return list(value)
    return value


def results_view(
    method: VoteMethod,
    options: Sequence[tuple[str, str]],
    ballots: Sequence[StoredBallot],
) -> dict[str, Any]:
    """The results of a vote as JSON-ready data: the method's ranking, per-network support and
    the cross-network consensus ranking, ties marked (`tied`) rather than broken."""
    option_ids = [option_id for option_id, _ in options]
    labels = dict(options)
    counted = [normalised(method, b.content, b.network) for b in ballots]
    in_networks = [n for n, b in zip(counted, ballots, strict=True) if b.network in NETWORKS]
    result = tally(method, option_ids, counted)
    consensus = consensus_ranking(method, option_ids, in_networks)
    rank_counts: dict[int, int] = {}
    for line in result.results:
        rank_counts[line.rank] = rank_counts.get(line.rank, 0) + 1
    consensus_counts: dict[int, int] = {}
    for line in consensus.results:
        consensus_counts[line.rank] = consensus_counts.get(line.rank, 0) + 1
    view: dict[str, Any] = {
        "method": method.kind.value,
        "ballots": result.ballot_count,
        "voters": {network.value: count for network, count in consensus.voters},
        "ranking": [
            {
                "option_id": line.option_id,
                "label": labels[line.option_id],
                "value": line.value,
                "rank": line.rank,
                "tied": rank_counts[line.rank] > 1,
                "mentions": line.mentions,
                "mean": round(line.mean, 2) if line.mean is not None else None,
                "schulze_rank": line.schulze_rank,
            }
            for line in result.results
        ],
        "consensus": [
            {
                "option_id": line.option_id,
                "label": labels[line.option_id],
                "consensus": round(line.consensus, 4),
                "rank": line.rank,
                "tied": consensus_counts[line.rank] > 1,
                "supporters": line.supporters,
                "networks": {
                    support.network.value: {
                        "voters": support.voters,
                        "supporters": support.supporters,
                        "share": round(support.share, 4) if support.share is not None else None,
                    }
                    for support in line.networks
                },
            }
            for line in consensus.results
        ],
    }
    if result.schulze is not None:
        view["schulze"] = {
            "winners": [o for o in option_ids if o in result.schulze.winners],
            "condorcet_winner": result.schulze.condorcet_winner,
        }
    return view


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
        "ballots": [
            {"network": b.network, "ballot": raw_ballot(method, b.content)} for b in ordered
        ],
        "results": results_view(method, options, ballots),
    }


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
            network=network if network in NETWORKS else _PLACEHOLDER_NETWORK.value,
        )
        stored.append(StoredBallot(canonical_content(checked), network))
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
    """One row per anonymised ballot, one column per option (rank position for ranking)."""
    options = document["options"]
    rows: list[list[object]] = [["network", *[f"{o['id']} {o['label']}" for o in options]]]
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
        rows.append([entry["network"], *cells])
    return _csv(rows)
