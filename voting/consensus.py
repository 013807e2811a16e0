"""Per-network support and a cross-network consensus ranking (Pol.is-style).

An option supported in all six networks should rank above one carried by a single large
network. For each network g with voters_g >= 1 voters, of whom support_g supported the option:

    p_g = (support_g + 1) / (voters_g + 2)           # Laplace smoothing, see below
    consensus = (product of p_g) ** (1 / number of networks with voters)

Why the smoothing: a network with two voters who both support an option has a raw share of
1.0 and one who did not has 0.0; either would dominate a product. Adding one imaginary
supporter and one imaginary non-supporter pulls small networks towards 0.5 ("we don't know
yet"), so a small network is neither a veto nor a boost, while a large network's p_g stays
close to its real share. Why the geometric mean: it is the product (any network's rejection
pulls the option down, as in Pol.is group-informed consensus) made comparable between an
assembly where six networks voted and one where only four did.

Worked example (two networks voted, 10 government voters and 4 media voters):
    option A: government 8/10 support, media 1/4 support
        p = (9/12, 2/6) = (0.75, 0.333);  consensus = sqrt(0.75 * 0.333) = 0.500
    option B: government 5/10, media 3/4
        p = (6/12, 4/6) = (0.5, 0.667);   consensus = sqrt(0.5 * 0.667) = 0.577
B ranks above A although A has more supporters in total (9 against 8): B is backed in both
networks, A mostly in one.

What counts as support under each method is defined in `supported_options` and in
docs/voting.md.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from voting.methods import (
    NETWORKS,
    ApprovalVoting,
    BudgetVoting,
    DotVoting,
    Network,
    NormalisedBallot,
    OptionId,
    RankedVoting,
    ScoreVoting,
    VoteMethod,
    competition_ranks,
)

# Laplace (add-one) smoothing: one pseudo-supporter and one pseudo-opponent per network, so a
# network with no or few voters sits near 0.5 instead of 0 or 1 (see the module docstring).
PSEUDO_SUPPORT = 1
PSEUDO_VOTERS = 2
# The consensus when no network has any voter yet: the smoothed prior (0+1)/(0+2).
PRIOR_CONSENSUS = 0.5


def supported_options(method: VoteMethod, ballot: NormalisedBallot) -> frozenset[OptionId]:
    """The options this ballot supports: the per-method definition of "support".

    dot: at least one dot. approval: approved. score: score >= method.support_threshold.
    ranking: among the first method.support_top_k ranked. budget: at least one point.
    """
    match method:
        case DotVoting() | ApprovalVoting() | BudgetVoting():
            return frozenset(option for option, value in ballot.points if value > 0)
        case ScoreVoting():
            threshold = method.support_threshold
            return frozenset(option for option, value in ballot.points if value >= threshold)
        case RankedVoting():
            return frozenset(ballot.ranking[: method.support_top_k])
        case _:
            raise TypeError(f"not a vote method config: {method!r}")


@dataclass(frozen=True, slots=True)
class NetworkSupport:
    """One option's support inside one network. share is None when the network has no voters."""

    network: Network
    voters: int
    supporters: int
    share: float | None
    smoothed: float  # p_g = (supporters + 1) / (voters + 2)


@dataclass(frozen=True, slots=True)
class OptionConsensus:
    """One option's line: consensus score, its rank (ties share a rank) and all six networks."""

    option_id: OptionId
    consensus: float
    rank: int
    supporters: int
    share: float | None  # supporters / all ballots; None when there are no ballots
    networks: tuple[NetworkSupport, ...]  # always six, in NETWORKS order

    def for_network(self, network: str) -> NetworkSupport:
        return self.networks[NETWORKS.index(Network(network))]


@dataclass(frozen=True, slots=True)
class ConsensusResult:
    """Options best first by consensus; tied options keep the given option order."""

    ballot_count: int
    voters: tuple[tuple[Network, int], ...]  # all six networks, in NETWORKS order
    counted_networks: tuple[Network, ...]  # networks with at least one voter
    results: tuple[OptionConsensus, ...]

    def result_for(self, option_id: OptionId) -> OptionConsensus:
        for result in self.results:
            if result.option_id == option_id:
                return result
        raise KeyError(option_id)

    @property
    def ranks(self) -> dict[OptionId, int]:
        return {result.option_id: result.rank for result in self.results}


def smoothed_support(supporters: int, voters: int) -> Fraction:
    """p_g with Laplace smoothing, exact so that equal inputs give exactly equal scores."""
    return Fraction(supporters + PSEUDO_SUPPORT, voters + PSEUDO_VOTERS)


def consensus_ranking(
    method: VoteMethod, options: Sequence[OptionId], ballots: Sequence[NormalisedBallot]
) -> ConsensusResult:
    """Break support down by network and rank options by cross-network consensus.

    Ranking uses the exact product of the p_g (same networks for every option, so the product
    orders options exactly as the geometric mean does) and reports ties as ties.
    """
    index = {option: i for i, option in enumerate(options)}
    if not index or len(index) != len(options):
        raise ValueError("options must be non-empty and unique")
    network_index = {network: g for g, network in enumerate(NETWORKS)}
    voters = [0] * len(NETWORKS)
    support = [[0] * len(NETWORKS) for _ in options]
    for ballot in ballots:
        if ballot.kind is not method.kind:
            raise ValueError(f"a {ballot.kind} ballot cannot be counted in a {method.kind} vote")
        g = network_index[Network(ballot.network)]
        voters[g] += 1
        for option in supported_options(method, ballot):
            try:
                support[index[option]][g] += 1
            except KeyError:
                raise ValueError(f"ballot names unknown option {option!r}") from None

    counted = [g for g in range(len(NETWORKS)) if voters[g] > 0]
    products: list[Fraction] = []
    scores: list[float] = []
    for row in support:
        smoothed = [smoothed_support(row[g], voters[g]) for g in counted]
        product = math.prod(smoothed, start=Fraction(1))
        products.append(product)
        # From the exact product, so options tied in rank show exactly the same score.
        scores.append(float(product) ** (1 / len(smoothed)) if smoothed else PRIOR_CONSENSUS)
    ranks = competition_ranks(products)

    total = len(ballots)
    results = [
        OptionConsensus(
            option_id=option,
            consensus=scores[i],
            rank=ranks[i],
            supporters=sum(support[i]),
            share=sum(support[i]) / total if total else None,
            networks=tuple(
                NetworkSupport(
                    network=network,
                    voters=voters[g],
                    supporters=support[i][g],
                    share=support[i][g] / voters[g] if voters[g] else None,
                    smoothed=float(smoothed_support(support[i][g], voters[g])),
                )
                for g, network in enumerate(NETWORKS)
            ),
        )
        for i, option in enumerate(options)
    ]
    return ConsensusResult(
        ballot_count=total,
        voters=tuple(zip(NETWORKS, voters, strict=True)),
        counted_networks=tuple(NETWORKS[g] for g in counted),
        results=tuple(sorted(results, key=lambda r: r.rank)),
    )
