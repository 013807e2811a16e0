"""Ballot validation and tallies: hand-computed fixtures, then properties over random ballots."""

from __future__ import annotations

import itertools
import random
from collections.abc import Sequence
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from voting.methods import (
    NETWORKS,
    ApprovalVoting,
    BallotError,
    BallotErrorCode,
    BudgetVoting,
    DotVoting,
    MethodConfigError,
    MethodKind,
    Network,
    NormalisedBallot,
    RankedVoting,
    ScoreVoting,
    VoteMethod,
    competition_ranks,
    method_from_params,
    method_params,
    schulze,
    tally,
    validate_ballot,
)

OPTIONS = ("a", "b", "c", "d")
FAST = settings(max_examples=60, deadline=None)


def cast(method: VoteMethod, ballot: object, network: str = "government") -> NormalisedBallot:
    return validate_ballot(method, OPTIONS, ballot, network=network)


def cast_all(method: VoteMethod, ballots: Sequence[object]) -> list[NormalisedBallot]:
    return [cast(method, ballot) for ballot in ballots]


def values(method: VoteMethod, ballots: Sequence[object]) -> dict[str, float]:
    result = tally(method, OPTIONS, cast_all(method, ballots))
    return {r.option_id: r.value for r in result.results}


# ------------------------------------------------------------------------------------------
# Method configs validate themselves


@pytest.mark.parametrize(
    ("kind", "params"),
    [
        ("dot", {"dots": 0}),
        ("dot", {"dots": 5, "max_per_option": 6}),
        ("dot", {"dots": 5, "max_per_option": 0}),
        ("dot", {"dots": True}),
        ("dot", {"dots": "5"}),
        ("approval", {"max_approvals": 0}),
        ("score", {"max_score": 0}),
        ("score", {"max_score": 5, "support_threshold": 6}),
        ("ranking", {"min_ranked": 0}),
        ("ranking", {"min_ranked": 3, "max_ranked": 2}),
        ("ranking", {"support_top_k": 0}),
        ("budget", {"total": 0}),
        ("budget", {"total": 100, "dots": 5}),
        ("lottery", {}),
    ],
)
def test_inconsistent_method_settings_are_refused(kind: str, params: dict[str, object]) -> None:
    with pytest.raises(MethodConfigError):
        method_from_params(kind, params)


@pytest.mark.parametrize(
    "method",
    [
        DotVoting(dots=5, max_per_option=2),
        ApprovalVoting(max_approvals=3),
        ScoreVoting(),
        RankedVoting(min_ranked=2, max_ranked=4, support_top_k=2),
        BudgetVoting(total=50),
    ],
)
def test_method_params_round_trip(method: VoteMethod) -> None:
    assert method_from_params(method.kind, method_params(method)) == method


# ------------------------------------------------------------------------------------------
# Validation rejects every kind of bad ballot with its code


@pytest.mark.parametrize(
    ("method", "ballot", "code"),
    [
        (DotVoting(dots=5, max_per_option=3), {"a": 3, "b": 3}, BallotErrorCode.TOO_MANY_DOTS),
        (DotVoting(dots=5, max_per_option=3), {"a": 4}, BallotErrorCode.TOO_MANY_DOTS_ON_OPTION),
        (DotVoting(dots=5), {"a": -1, "b": 2}, BallotErrorCode.NEGATIVE_VALUE),
        (DotVoting(dots=5), {"a": 1.5}, BallotErrorCode.NOT_AN_INTEGER),
        (DotVoting(dots=5), {"a": True}, BallotErrorCode.NOT_AN_INTEGER),
        (DotVoting(dots=5), {"a": 0}, BallotErrorCode.EMPTY_BALLOT),
        (DotVoting(dots=5), {"z": 1}, BallotErrorCode.UNKNOWN_OPTION),
        (DotVoting(dots=5), ["a"], BallotErrorCode.MALFORMED_BALLOT),
        (ApprovalVoting(max_approvals=2), {"a", "b", "c"}, BallotErrorCode.TOO_MANY_APPROVALS),
        (ApprovalVoting(), ["a", "a"], BallotErrorCode.DUPLICATE_OPTION),
        (ApprovalVoting(), set(), BallotErrorCode.EMPTY_BALLOT),
        (ApprovalVoting(), {"a", "z"}, BallotErrorCode.UNKNOWN_OPTION),
        (ApprovalVoting(), "a", BallotErrorCode.MALFORMED_BALLOT),
        (ScoreVoting(), {"a": 6}, BallotErrorCode.SCORE_OUT_OF_RANGE),
        (ScoreVoting(), {"a": -1}, BallotErrorCode.SCORE_OUT_OF_RANGE),
        (ScoreVoting(), {}, BallotErrorCode.EMPTY_BALLOT),
        (ScoreVoting(), {"z": 3}, BallotErrorCode.UNKNOWN_OPTION),
        (RankedVoting(min_ranked=2), ["a", "b", "a"], BallotErrorCode.DUPLICATE_IN_RANKING),
        (RankedVoting(min_ranked=2), ["a"], BallotErrorCode.TOO_FEW_RANKED),
        (RankedVoting(max_ranked=3), ["a", "b", "c", "d"], BallotErrorCode.TOO_MANY_RANKED),
        (RankedVoting(min_ranked=1), ["a", "z"], BallotErrorCode.UNKNOWN_OPTION),
        (RankedVoting(min_ranked=1), {"a", "b"}, BallotErrorCode.MALFORMED_BALLOT),
        (BudgetVoting(), {"a": 60, "b": 30}, BallotErrorCode.BUDGET_WRONG_TOTAL),
        (BudgetVoting(), {"a": 60, "b": 50}, BallotErrorCode.BUDGET_WRONG_TOTAL),
        (BudgetVoting(), {"a": 110, "b": -10}, BallotErrorCode.NEGATIVE_VALUE),
        (BudgetVoting(), {"a": 50, "z": 50}, BallotErrorCode.UNKNOWN_OPTION),
    ],
)
def test_bad_ballot_is_rejected_with_its_code(
    method: VoteMethod, ballot: object, code: BallotErrorCode
) -> None:
    with pytest.raises(BallotError) as caught:
        cast(method, ballot)
    assert caught.value.code == code
    assert caught.value.message_th  # the phone always has something to show
    assert any("\u0e00" <= ch <= "\u0e7f" for ch in caught.value.message_th)


def test_error_names_the_offending_option_so_the_phone_can_highlight_it() -> None:
    with pytest.raises(BallotError) as caught:
        cast(ScoreVoting(), {"a": 3, "c": 9})
    assert caught.value.option_id == "c"


def test_ranking_needs_only_as_many_options_as_exist() -> None:
    ballot = validate_ballot(RankedVoting(min_ranked=5), ["x", "y"], ["y", "x"], network="media")
    assert ballot.ranking == ("y", "x")


def test_unknown_network_is_a_programming_error_not_a_ballot_error() -> None:
    with pytest.raises(ValueError, match="network"):
        cast(ApprovalVoting(), {"a"}, network="military")


def test_normalised_ballot_is_in_option_order_without_zeros() -> None:
    ballot = cast(DotVoting(dots=5), {"c": 2, "b": 0, "a": 1}, network="religion")
    assert ballot == NormalisedBallot(MethodKind.DOT, Network.RELIGION, (("a", 1), ("c", 2)))


def test_explicit_zero_score_is_kept_unlike_a_missing_score() -> None:
    assert cast(ScoreVoting(), {"b": 0, "a": 4}).points == (("a", 4), ("b", 0))


def test_ballot_of_another_method_is_refused_by_tally() -> None:
    ballot = cast(ApprovalVoting(), {"a"})
    with pytest.raises(ValueError, match="approval"):
        tally(DotVoting(dots=3), OPTIONS, [ballot])


# ------------------------------------------------------------------------------------------
# Hand-computed tallies


def test_competition_ranks_show_ties_as_ties() -> None:
    assert competition_ranks([5, 3, 3, 1]) == (1, 2, 2, 4)
    assert competition_ranks([1, 3, 3, 5], higher_is_better=False) == (1, 2, 2, 4)
    assert competition_ranks([Fraction(1, 3), Fraction(2, 6)]) == (1, 1)


def test_dot_voting_tally_with_a_tie() -> None:
    method = DotVoting(dots=5, max_per_option=3)
    result = tally(method, OPTIONS, cast_all(method, [{"a": 3, "b": 2}, {"a": 2, "c": 2, "d": 1}]))
    assert [(r.option_id, r.value, r.rank, r.mentions) for r in result.results] == [
        ("a", 5.0, 1, 2),
        ("b", 2.0, 2, 1),
        ("c", 2.0, 2, 1),
        ("d", 1.0, 4, 1),
    ]
    assert result.ballot_count == 2


def test_approval_tally_counts_approvals() -> None:
    method = ApprovalVoting()
    assert values(method, [{"a", "b"}, ["b"], ["b", "d"]]) == {"a": 1, "b": 3, "c": 0, "d": 1}


def test_score_tally_treats_missing_as_no_points_and_reports_the_mean_of_given_scores() -> None:
    method = ScoreVoting()
    # c is scored 5 by one enthusiast only; b is scored 3 and 4 by two voters.
    result = tally(method, OPTIONS, cast_all(method, [{"a": 2, "b": 3, "c": 5}, {"a": 0, "b": 4}]))
    b, c, a = result.results[0], result.results[1], result.results[2]
    assert (b.option_id, b.value, b.mean, b.mentions, b.rank) == ("b", 7.0, 3.5, 2, 1)
    assert (c.option_id, c.value, c.mean, c.mentions, c.rank) == ("c", 5.0, 5.0, 1, 2)
    assert (a.option_id, a.value, a.mean, a.mentions) == ("a", 2.0, 1.0, 2)
    assert result.result_for("d").mean is None
    assert result.result_for("d").rank == 4


def test_budget_tally_sums_points() -> None:
    method = BudgetVoting()
    got = values(method, [{"a": 50, "b": 50}, {"c": 100}, {"a": 10, "b": 20, "c": 30, "d": 40}])
    assert got == {"a": 60, "b": 70, "c": 130, "d": 40}


def test_borda_on_partial_rankings_shares_the_leftover_points() -> None:
    method = RankedVoting(min_ranked=1)
    # n = 4: ranked places get 3, 2, 1, 0; unranked options share what is left equally.
    # [a, b]    -> a 3, b 2, c 0.5, d 0.5
    # [b, c, a] -> b 3, c 2, a 1, d 0
    # [c]       -> c 3, a 1, b 1, d 1
    # [a]       -> a 3, b 1, c 1, d 1
    result = tally(method, OPTIONS, cast_all(method, [["a", "b"], ["b", "c", "a"], ["c"], ["a"]]))
    assert {r.option_id: r.value for r in result.results} == {
        "a": 8.0,
        "b": 7.0,
        "c": 6.5,
        "d": 2.5,
    }
    assert [r.option_id for r in result.results] == ["a", "b", "c", "d"]
    assert result.schulze is not None
    assert result.schulze.winners == {"a"}
    assert result.schulze.condorcet_winner is None  # a and c tie head to head, 2:2
    assert result.schulze.smith_set == {"a", "b", "c"}
    assert result.schulze.pairwise[0] == (0, 2, 2, 3)


# Wikipedia's Schulze example: 45 voters, 5 candidates, no Condorcet winner; E A C B D.
WIKIPEDIA_SCHULZE = [
    (5, "ACBED"),
    (5, "ADECB"),
    (8, "BEDAC"),
    (3, "CABED"),
    (7, "CAEBD"),
    (2, "CBADE"),
    (7, "DCEBA"),
    (8, "EBADC"),
]


def test_schulze_matches_the_published_example() -> None:
    rankings = [list(order) for count, order in WIKIPEDIA_SCHULZE for _ in range(count)]
    result = schulze(list("ABCDE"), rankings)
    assert result.condorcet_winner is None
    assert result.winners == {"E"}
    assert dict(zip(result.options, result.ranks, strict=True)) == {
        "E": 1,
        "A": 2,
        "C": 3,
        "B": 4,
        "D": 5,
    }
    assert result.pairwise[0][1] == 20  # d[A, B] in the published matrix
    assert result.strongest_paths[4][3] == 31  # p[E, D]


def test_schulze_shows_a_perfect_cycle_as_a_three_way_tie() -> None:
    result = schulze(["a", "b", "c"], [["a", "b", "c"], ["b", "c", "a"], ["c", "a", "b"]])
    assert result.ranks == (1, 1, 1)
    assert result.winners == {"a", "b", "c"}
    assert result.smith_set == {"a", "b", "c"}


def test_tally_orders_by_borda_and_reports_schulze_rank_alongside() -> None:
    method = RankedVoting(min_ranked=3)
    # Borda prefers b (broadly second), Schulze the majority's favourite a.
    ballots = cast_all(method, [["a", "b", "c"]] * 3 + [["b", "c", "a"]] * 2)
    result = tally(method, OPTIONS, ballots)
    assert result.results[0].option_id == "b"
    assert result.result_for("a").schulze_rank == 1
    assert result.result_for("b").schulze_rank == 2
    assert result.schulze is not None
    assert result.schulze.condorcet_winner == "a"


# ------------------------------------------------------------------------------------------
# Strategies for valid random ballots

option_lists = st.integers(min_value=1, max_value=6).map(lambda n: [f"o{i}" for i in range(n)])
networks = st.sampled_from(NETWORKS)


@st.composite
def dot_votes(draw: st.DrawFn) -> tuple[DotVoting, list[str], list[dict[str, int]]]:
    options = draw(option_lists)
    dots = draw(st.integers(min_value=1, max_value=10))
    cap = draw(st.integers(min_value=1, max_value=dots))
    method = DotVoting(dots=dots, max_per_option=cap)
    ballots = []
    for _ in range(draw(st.integers(min_value=0, max_value=12))):
        ballot: dict[str, int] = {}
        for _ in range(draw(st.integers(min_value=1, max_value=dots))):
            free = [o for o in options if ballot.get(o, 0) < cap]
            if not free:
                break
            choice = draw(st.sampled_from(free))
            ballot[choice] = ballot.get(choice, 0) + 1
        ballots.append(ballot)
    return method, options, ballots


@st.composite
def approval_votes(draw: st.DrawFn) -> tuple[ApprovalVoting, list[str], list[set[str]]]:
    options = draw(option_lists)
    subsets = st.sets(st.sampled_from(options), min_size=1)
    return ApprovalVoting(), options, draw(st.lists(subsets, max_size=12))


@st.composite
def score_votes(draw: st.DrawFn) -> tuple[ScoreVoting, list[str], list[dict[str, int]]]:
    options = draw(option_lists)
    scores = st.dictionaries(
        st.sampled_from(options), st.integers(min_value=0, max_value=5), min_size=1
    )
    return ScoreVoting(), options, draw(st.lists(scores, max_size=12))


@st.composite
def budget_votes(draw: st.DrawFn) -> tuple[BudgetVoting, list[str], list[dict[str, int]]]:
    options = draw(option_lists)
    total = draw(st.sampled_from([100, 10, 7]))
    ballots = []
    for _ in range(draw(st.integers(min_value=0, max_value=12))):
        cuts = sorted(
            draw(
                st.lists(
                    st.integers(0, total), min_size=len(options) - 1, max_size=len(options) - 1
                )
            )
        )
        shares = [b - a for a, b in itertools.pairwise([0, *cuts, total])]
        ballots.append(dict(zip(options, shares, strict=True)))
    return BudgetVoting(total=total), options, ballots


@st.composite
def rankings(
    draw: st.DrawFn, min_options: int = 1, max_ballots: int = 12
) -> tuple[list[str], list[list[str]]]:
    n = draw(st.integers(min_value=min_options, max_value=6))
    options = [f"o{i}" for i in range(n)]
    ballots = []
    for _ in range(draw(st.integers(min_value=0, max_value=max_ballots))):
        order = draw(st.permutations(options))
        ballots.append(list(order[: draw(st.integers(min_value=1, max_value=n))]))
    return options, ballots


def cast_random(
    method: VoteMethod, options: list[str], ballots: Sequence[object], seed: int = 0
) -> list[NormalisedBallot]:
    rng = random.Random(seed)
    return [
        validate_ballot(method, options, ballot, network=rng.choice(NETWORKS)) for ballot in ballots
    ]


def assert_ranks_follow_values(result_values: Sequence[float], ranks: Sequence[int]) -> None:
    for value, rank in zip(result_values, ranks, strict=True):
        assert rank == 1 + sum(other > value for other in result_values)


# ------------------------------------------------------------------------------------------
# Properties: totals conserved, ties as ties, order does not matter


@FAST
@given(dot_votes())
def test_dot_totals_are_conserved_and_within_limits(
    vote: tuple[DotVoting, list[str], list[dict[str, int]]],
) -> None:
    method, options, ballots = vote
    result = tally(method, options, cast_random(method, options, ballots))
    assert sum(r.value for r in result.results) == sum(sum(b.values()) for b in ballots)
    assert all(r.value <= method.per_option_cap * len(ballots) for r in result.results)
    assert_ranks_follow_values([r.value for r in result.results], [r.rank for r in result.results])


@FAST
@given(dot_votes(), st.integers(min_value=1, max_value=5))
def test_dot_ballot_over_the_limit_is_rejected(
    vote: tuple[DotVoting, list[str], list[dict[str, int]]], extra: int
) -> None:
    method, options, _ = vote
    with pytest.raises(BallotError) as caught:
        validate_ballot(method, options, {options[0]: method.dots + extra}, network="business")
    assert caught.value.code in {
        BallotErrorCode.TOO_MANY_DOTS,
        BallotErrorCode.TOO_MANY_DOTS_ON_OPTION,
    }


@FAST
@given(approval_votes())
def test_approval_counts_each_approving_ballot_once(
    vote: tuple[ApprovalVoting, list[str], list[set[str]]],
) -> None:
    method, options, ballots = vote
    result = tally(method, options, cast_random(method, options, ballots))
    for option in options:
        assert result.result_for(option).value == sum(option in b for b in ballots)
    assert_ranks_follow_values([r.value for r in result.results], [r.rank for r in result.results])


@FAST
@given(score_votes())
def test_score_sums_and_means_match_the_ballots(
    vote: tuple[ScoreVoting, list[str], list[dict[str, int]]],
) -> None:
    method, options, ballots = vote
    result = tally(method, options, cast_random(method, options, ballots))
    for option in options:
        given_scores = [b[option] for b in ballots if option in b]
        line = result.result_for(option)
        assert line.value == sum(given_scores)
        assert line.mentions == len(given_scores)
        assert line.mean == (sum(given_scores) / len(given_scores) if given_scores else None)


@FAST
@given(option_lists, st.integers().filter(lambda s: not 0 <= s <= 5))
def test_score_outside_zero_to_five_is_rejected(options: list[str], score: int) -> None:
    with pytest.raises(BallotError) as caught:
        validate_ballot(ScoreVoting(), options, {options[-1]: score}, network="media")
    assert caught.value.code == BallotErrorCode.SCORE_OUT_OF_RANGE


@FAST
@given(budget_votes())
def test_budget_points_are_conserved(
    vote: tuple[BudgetVoting, list[str], list[dict[str, int]]],
) -> None:
    method, options, ballots = vote
    result = tally(method, options, cast_random(method, options, ballots))
    assert sum(r.value for r in result.results) == method.total * len(ballots)


@FAST
@given(budget_votes(), st.integers(min_value=-50, max_value=50).filter(bool))
def test_budget_not_summing_to_the_total_is_rejected(
    vote: tuple[BudgetVoting, list[str], list[dict[str, int]]], delta: int
) -> None:
    method, options, _ = vote
    total = method.total + delta
    ballot = {options[0]: total} if total >= 0 else {options[0]: 0}
    with pytest.raises(BallotError) as caught:
        validate_ballot(method, options, ballot, network="education")
    assert caught.value.code == BallotErrorCode.BUDGET_WRONG_TOTAL


@FAST
@given(rankings(min_options=2), st.data())
def test_ranking_with_a_duplicate_is_rejected(
    vote: tuple[list[str], list[list[str]]], data: st.DataObject
) -> None:
    options, _ = vote
    order = data.draw(st.permutations(options))
    repeated = data.draw(st.sampled_from(order))
    ballot = [*order, repeated]
    with pytest.raises(BallotError) as caught:
        validate_ballot(RankedVoting(min_ranked=1), options, ballot, network="religion")
    assert caught.value.code == BallotErrorCode.DUPLICATE_IN_RANKING


METHODS_AND_BALLOTS = st.one_of(
    dot_votes(),
    approval_votes(),
    score_votes(),
    budget_votes(),
    rankings().map(lambda r: (RankedVoting(min_ranked=1), r[0], r[1])),
)


@FAST
@given(METHODS_AND_BALLOTS, st.text(min_size=1, max_size=3).filter(lambda s: not s.startswith("o")))
def test_unknown_option_is_rejected_by_every_method(
    vote: tuple[VoteMethod, list[str], list[object]], stranger: str
) -> None:
    method, options, _ = vote
    ballot: object
    if isinstance(method, ApprovalVoting | RankedVoting):
        ballot = [stranger]
    elif isinstance(method, BudgetVoting):
        ballot = {stranger: method.total}
    else:
        ballot = {stranger: 1}
    with pytest.raises(BallotError) as caught:
        validate_ballot(method, options, ballot, network="government")
    assert caught.value.code == BallotErrorCode.UNKNOWN_OPTION


@FAST
@given(METHODS_AND_BALLOTS, st.randoms(use_true_random=False))
def test_tally_does_not_depend_on_ballot_order(
    vote: tuple[VoteMethod, list[str], list[object]], rng: random.Random
) -> None:
    method, options, ballots = vote
    cast_ballots = cast_random(method, options, ballots)
    shuffled = cast_ballots[:]
    rng.shuffle(shuffled)
    assert tally(method, options, shuffled) == tally(method, options, cast_ballots)


# ------------------------------------------------------------------------------------------
# Properties of Borda and Schulze against definitions written out in plain Python


def reference_borda(options: list[str], ballots: list[list[str]]) -> dict[str, Fraction]:
    n = len(options)
    points = dict.fromkeys(options, Fraction(0))
    for ballot in ballots:
        for place, option in enumerate(ballot):
            points[option] += n - 1 - place
        unranked = [o for o in options if o not in ballot]
        leftover = sum(range(n - len(ballot)))  # points 0 .. n-k-1 not handed out
        for option in unranked:
            points[option] += Fraction(leftover, len(unranked))
    return points


def prefers(ballot: list[str], x: str, y: str) -> bool:
    if x not in ballot:
        return False
    return y not in ballot or ballot.index(x) < ballot.index(y)


def reference_pairwise(options: list[str], ballots: list[list[str]]) -> dict[tuple[str, str], int]:
    return {
        (x, y): sum(prefers(b, x, y) for b in ballots) for x in options for y in options if x != y
    }


def reference_smith_set(options: list[str], d: dict[tuple[str, str], int]) -> set[str]:
    """Smallest non-empty set whose members all beat every outsider, by brute force."""
    for size in range(1, len(options) + 1):
        for group in itertools.combinations(options, size):
            outsiders = [o for o in options if o not in group]
            if all(d[x, y] > d[y, x] for x in group for y in outsiders):
                return set(group)
    raise AssertionError("the full set always dominates")


@FAST
@given(rankings())
def test_borda_matches_its_definition(vote: tuple[list[str], list[list[str]]]) -> None:
    options, ballots = vote
    method = RankedVoting(min_ranked=1)
    result = tally(method, options, cast_random(method, options, ballots))
    expected = reference_borda(options, ballots)
    assert {r.option_id: Fraction(r.value) for r in result.results} == expected
    n = len(options)
    assert sum(expected.values()) == Fraction(len(ballots) * n * (n - 1), 2)
    assert_ranks_follow_values([r.value for r in result.results], [r.rank for r in result.results])


@settings(max_examples=100, deadline=None)
@given(rankings(max_ballots=9))
def test_schulze_winner_is_the_condorcet_winner_and_in_the_smith_set(
    vote: tuple[list[str], list[list[str]]],
) -> None:
    options, ballots = vote
    result = schulze(options, ballots)
    d = reference_pairwise(options, ballots)
    assert result.pairwise == tuple(
        tuple(d[x, y] if x != y else 0 for y in options) for x in options
    )
    condorcet = [x for x in options if all(d[x, y] > d[y, x] for y in options if y != x)]
    assert result.condorcet_winner == (condorcet[0] if condorcet else None)
    if condorcet:
        assert result.winners == {condorcet[0]}
        assert result.ranks[options.index(condorcet[0])] == 1
    smith = reference_smith_set(options, d)
    assert result.smith_set == smith
    assert result.winners
    assert result.winners <= smith
    assert min(result.ranks) == 1


@FAST
@given(rankings(min_options=2))
def test_schulze_ranking_respects_its_own_beat_relation(
    vote: tuple[list[str], list[list[str]]],
) -> None:
    options, ballots = vote
    result = schulze(options, ballots)
    p = result.strongest_paths
    for i, j in itertools.permutations(range(len(options)), 2):
        if p[i][j] > p[j][i]:
            assert result.ranks[i] < result.ranks[j]
