"""Per-network support and the cross-network consensus ranking."""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Sequence

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from voting.consensus import consensus_ranking, smoothed_support, supported_options
from voting.methods import (
    NETWORKS,
    ApprovalVoting,
    BudgetVoting,
    DotVoting,
    Network,
    NormalisedBallot,
    RankedVoting,
    ScoreVoting,
    VoteMethod,
    tally,
    validate_ballot,
)

FAST = settings(max_examples=60, deadline=None)
APPROVAL = ApprovalVoting()


def approvals(
    network: str, count: int, approved: set[str], options: Sequence[str]
) -> list[NormalisedBallot]:
    return [validate_ballot(APPROVAL, options, approved, network=network)] * count


# ------------------------------------------------------------------------------------------
# Hand-computed examples


def test_docstring_example_ranks_support_in_both_networks_first() -> None:
    options = ["A", "B", "C"]
    ballots = [
        # government, 10 voters: A 8, B 5
        *approvals("government", 5, {"A", "B"}, options),
        *approvals("government", 3, {"A"}, options),
        *approvals("government", 2, {"C"}, options),
        # media, 4 voters: A 1, B 3
        *approvals("media", 1, {"A", "B"}, options),
        *approvals("media", 2, {"B"}, options),
        *approvals("media", 1, {"C"}, options),
    ]
    result = consensus_ranking(APPROVAL, options, ballots)
    a, b = result.result_for("A"), result.result_for("B")
    assert (a.supporters, b.supporters) == (9, 8)
    assert a.consensus == pytest.approx(math.sqrt(9 / 12 * 2 / 6)) == pytest.approx(0.5)
    assert b.consensus == pytest.approx(math.sqrt(6 / 12 * 4 / 6))
    assert [(r.option_id, r.rank) for r in result.results] == [("B", 1), ("A", 2), ("C", 3)]
    assert result.counted_networks == (Network.GOVERNMENT, Network.MEDIA)
    media = a.for_network("media")
    assert (media.voters, media.supporters, media.share) == (4, 1, 0.25)
    assert media.smoothed == pytest.approx(2 / 6)


def test_option_backed_by_all_six_networks_beats_one_carried_by_a_single_large_network() -> None:
    # business is big: 50 voters, all for "narrow", 10 of them also for "broad"; each of the
    # five other networks has 5 voters: 3 approve "broad", 2 approve "other".
    options = ["narrow", "broad", "other"]
    ballots = [
        *approvals("business", 10, {"narrow", "broad"}, options),
        *approvals("business", 40, {"narrow"}, options),
    ]
    for network in NETWORKS:
        if network is not Network.BUSINESS:
            ballots += approvals(network, 3, {"broad"}, options)
            ballots += approvals(network, 2, {"other"}, options)

    raw = tally(APPROVAL, options, ballots)
    assert raw.result_for("narrow").value == 50  # more supporters in total ...
    assert raw.result_for("broad").value == 25
    assert raw.results[0].option_id == "narrow"

    result = consensus_ranking(APPROVAL, options, ballots)
    assert result.results[0].option_id == "broad"  # ... but consensus prefers breadth
    narrow = (51 / 52 * (1 / 7) ** 5) ** (1 / 6)
    broad = (11 / 52 * (4 / 7) ** 5) ** (1 / 6)
    assert result.result_for("narrow").consensus == pytest.approx(narrow)
    assert result.result_for("broad").consensus == pytest.approx(broad)
    assert len(result.counted_networks) == 6


def test_a_network_with_one_voter_is_neither_a_veto_nor_a_boost() -> None:
    options = ["x", "y"]
    ballots: list[NormalisedBallot] = []
    for network in NETWORKS[:5]:
        ballots += approvals(network, 20, {"x"}, options)
    lone_voter = approvals("media", 1, {"y"}, options)
    without = consensus_ranking(APPROVAL, options, ballots).result_for("x").consensus
    with_lone = consensus_ranking(APPROVAL, options, ballots + lone_voter).result_for("x")
    assert with_lone.for_network("media").smoothed == pytest.approx(1 / 3)  # not 0: no veto
    assert 0.75 < with_lone.consensus < without


def test_networks_without_voters_are_shown_but_not_counted() -> None:
    options = ["x", "y"]
    result = consensus_ranking(APPROVAL, options, approvals("religion", 2, {"x"}, options))
    x = result.result_for("x")
    assert [n.network for n in x.networks] == list(NETWORKS)
    assert result.counted_networks == (Network.RELIGION,)
    assert x.consensus == pytest.approx(3 / 4)  # (2 + 1) / (2 + 2), the only counted network
    gov = x.for_network("government")
    assert (gov.voters, gov.supporters, gov.share, gov.smoothed) == (0, 0, None, 0.5)
    assert dict(result.voters)[Network.RELIGION] == 2


def test_no_ballots_gives_every_option_the_prior_and_one_shared_rank() -> None:
    result = consensus_ranking(APPROVAL, ["x", "y", "z"], [])
    assert [(r.consensus, r.rank, r.share) for r in result.results] == [(0.5, 1, None)] * 3


def test_symmetric_support_is_an_exact_tie() -> None:
    options = ["x", "y", "z"]
    ballots = [
        *approvals("government", 3, {"x"}, options),
        *approvals("government", 1, {"y"}, options),
        *approvals("media", 1, {"x"}, options),
        *approvals("media", 3, {"y"}, options),
        *approvals("media", 1, {"z"}, options),
        *approvals("government", 1, {"z"}, options),
    ]
    result = consensus_ranking(APPROVAL, options, ballots)
    x, y, z = (result.result_for(o) for o in options)
    assert x.rank == y.rank == 1
    assert x.consensus == y.consensus  # exactly, not approximately
    assert z.rank == 3


@pytest.mark.parametrize(
    ("method", "ballot", "supported"),
    [
        (DotVoting(dots=3), {"a": 2, "b": 1, "c": 0}, {"a", "b"}),
        (ApprovalVoting(), {"a", "c"}, {"a", "c"}),
        (ScoreVoting(support_threshold=3), {"a": 3, "b": 2, "c": 5, "d": 0}, {"a", "c"}),
        (RankedVoting(min_ranked=1, support_top_k=2), ["d", "b", "a"], {"d", "b"}),
        (BudgetVoting(), {"a": 99, "b": 1, "c": 0}, {"a", "b"}),
    ],
)
def test_support_is_defined_per_method(
    method: VoteMethod, ballot: object, supported: set[str]
) -> None:
    cast = validate_ballot(method, ["a", "b", "c", "d"], ballot, network="education")
    assert supported_options(method, cast) == supported


def test_ballot_of_another_method_is_refused() -> None:
    ballot = validate_ballot(DotVoting(dots=1), ["a"], {"a": 1}, network="media")
    with pytest.raises(ValueError, match="dot"):
        consensus_ranking(APPROVAL, ["a"], [ballot])


# ------------------------------------------------------------------------------------------
# Properties over random approval ballots from random networks


@st.composite
def approval_assemblies(draw: st.DrawFn) -> tuple[list[str], list[NormalisedBallot]]:
    options = [f"o{i}" for i in range(draw(st.integers(min_value=1, max_value=5)))]
    ballot = st.tuples(st.sampled_from(NETWORKS), st.sets(st.sampled_from(options), min_size=1))
    return options, [
        validate_ballot(APPROVAL, options, approved, network=network)
        for network, approved in draw(st.lists(ballot, max_size=25))
    ]


@FAST
@given(approval_assemblies())
def test_breakdown_adds_up(assembly: tuple[list[str], list[NormalisedBallot]]) -> None:
    options, ballots = assembly
    result = consensus_ranking(APPROVAL, options, ballots)
    assert sum(count for _, count in result.voters) == len(ballots) == result.ballot_count
    for line in result.results:
        assert line.supporters == sum(n.supporters for n in line.networks)
        assert line.supporters == sum(line.option_id in dict(b.points) for b in ballots)
        assert 0 < line.consensus < 1
        for n in line.networks:
            assert n.smoothed == float(smoothed_support(n.supporters, n.voters))


@FAST
@given(approval_assemblies())
def test_ranks_are_ties_exactly_when_scores_are_equal(
    assembly: tuple[list[str], list[NormalisedBallot]],
) -> None:
    options, ballots = assembly
    lines = consensus_ranking(APPROVAL, options, ballots).results
    for x, y in itertools.combinations(lines, 2):
        assert (x.rank == y.rank) == (x.consensus == y.consensus)
        if x.consensus > y.consensus:
            assert x.rank < y.rank
    for line in lines:
        assert line.rank == 1 + sum(other.consensus > line.consensus for other in lines)


@FAST
@given(approval_assemblies())
def test_more_support_in_every_network_never_ranks_lower(
    assembly: tuple[list[str], list[NormalisedBallot]],
) -> None:
    options, ballots = assembly
    lines = consensus_ranking(APPROVAL, options, ballots).results
    for x, y in itertools.permutations(lines, 2):
        if all(
            nx.supporters >= ny.supporters for nx, ny in zip(x.networks, y.networks, strict=True)
        ):
            assert x.rank <= y.rank


@FAST
@given(approval_assemblies(), st.data())
def test_one_more_supporter_never_lowers_an_options_consensus(
    assembly: tuple[list[str], list[NormalisedBallot]], data: st.DataObject
) -> None:
    options, ballots = assembly
    assume(ballots)
    network = data.draw(st.sampled_from(sorted({b.network for b in ballots})))
    option = data.draw(st.sampled_from(options))
    before = consensus_ranking(APPROVAL, options, ballots).result_for(option).consensus
    extra = validate_ballot(APPROVAL, options, {option}, network=network)
    after = consensus_ranking(APPROVAL, options, [*ballots, extra]).result_for(option).consensus
    assert after > before


@FAST
@given(approval_assemblies(), st.randoms(use_true_random=False))
def test_consensus_does_not_depend_on_ballot_order(
    assembly: tuple[list[str], list[NormalisedBallot]], rng: random.Random
) -> None:
    options, ballots = assembly
    shuffled = ballots[:]
    rng.shuffle(shuffled)
    assert consensus_ranking(APPROVAL, options, shuffled) == consensus_ranking(
        APPROVAL, options, ballots
    )
