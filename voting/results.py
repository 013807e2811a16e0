"""Results as plain data: pure, no database, no web framework.

`results_view` turns stored ballots into the dict that the console, the presenter screen, the
phones (after reveal), the SVG charts and the exports (`voting/export.py`) all show, so they
cannot disagree.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from voting.consensus import consensus_ranking
from voting.methods import (
    NETWORKS,
    ApprovalVoting,
    MethodKind,
    Network,
    NormalisedBallot,
    RankedVoting,
    VoteMethod,
    tally,
)

# Ballots of a network outside the six (an organizer may add one) count in the tally but not
# in the per-network breakdown; a placeholder network satisfies NormalisedBallot's type.
PLACEHOLDER_NETWORK = Network.CIVIL_SOCIETY


@dataclass(frozen=True)
class StoredBallot:
    """One ballot as stored: canonical JSON content and the voter's network key; a ballot
    entered from a paper card also names the card and who entered (and corrected) it, when."""

    content: str
    network: str
    source: str = "phone"
    card: int | None = None
    entered_by: str | None = None
    entered_at: str | None = None
    corrected_by: str | None = None
    corrected_at: str | None = None

    @property
    def paper(self) -> bool:
        return self.source == "paper"


def paper_counts(ballots: Sequence[StoredBallot]) -> dict[str, int]:
    """How many ballots came on paper, per network key (networks with none left out)."""
    counts: dict[str, int] = {}
    for ballot in ballots:
        if ballot.paper:
            counts[ballot.network] = counts.get(ballot.network, 0) + 1
    return dict(sorted(counts.items()))


def canonical_content(ballot: NormalisedBallot) -> str:
    """The stored form: a best-first list for ranking, {option: value} otherwise."""
    value: object = (
        list(ballot.ranking) if ballot.kind is MethodKind.RANKING else dict(ballot.points)
    )
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def normalised(method: VoteMethod, content: str, network: str) -> NormalisedBallot:
    """Rebuild a stored ballot (validated when it was cast) without validating it again."""
    value = json.loads(content)
    voter_network = Network(network) if network in NETWORKS else PLACEHOLDER_NETWORK
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
        "paper": paper_counts(ballots),
        "paper_ballots": sum(1 for b in ballots if b.paper),
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
