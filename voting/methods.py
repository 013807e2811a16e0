"""Prioritisation methods: a validated method config, ballot validation and tallies.

Plain values in, frozen dataclasses out; no database, no web framework. A ballot is checked by
`validate_ballot` (which raises `BallotError` with a machine code and a Thai message for the
phone) and many normalised ballots are counted by `tally`. The rules, and why they are what they
are, are in docs/voting.md.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence, Set
from dataclasses import dataclass, fields
from enum import StrEnum
from fractions import Fraction
from typing import ClassVar

import numpy as np
import numpy.typing as npt

OptionId = str
"""Options are named by string ids; the services layer passes str(primary key)."""


class MethodKind(StrEnum):
    DOT = "dot"
    APPROVAL = "approval"
    SCORE = "score"
    RANKING = "ranking"
    BUDGET = "budget"


class Network(StrEnum):
    """The six social networks of a morality assembly; every ballot carries its voter's."""

    GOVERNMENT = "government"
    BUSINESS = "business"
    CIVIL_SOCIETY = "civil_society"
    EDUCATION = "education"
    RELIGION = "religion"
    MEDIA = "media"


NETWORKS: tuple[Network, ...] = tuple(Network)


# --------------------------------------------------------------------------------------------
# Errors


class BallotErrorCode(StrEnum):
    """Stable English codes: the phone may translate them, tests and logs match on them."""

    MALFORMED_BALLOT = "malformed_ballot"
    UNKNOWN_OPTION = "unknown_option"
    EMPTY_BALLOT = "empty_ballot"
    NOT_AN_INTEGER = "not_an_integer"
    NEGATIVE_VALUE = "negative_value"
    TOO_MANY_DOTS = "too_many_dots"
    TOO_MANY_DOTS_ON_OPTION = "too_many_dots_on_option"
    DUPLICATE_OPTION = "duplicate_option"
    TOO_MANY_APPROVALS = "too_many_approvals"
    SCORE_OUT_OF_RANGE = "score_out_of_range"
    DUPLICATE_IN_RANKING = "duplicate_in_ranking"
    TOO_FEW_RANKED = "too_few_ranked"
    TOO_MANY_RANKED = "too_many_ranked"
    BUDGET_WRONG_TOTAL = "budget_wrong_total"


class BallotError(ValueError):
    """A voter's ballot breaks the method's rules; `message_th` is shown on the phone."""

    def __init__(self, code: str, message_th: str, *, option_id: OptionId | None = None) -> None:
        super().__init__(f"{code}: {message_th}")
        self.code = code
        self.message_th = message_th
        self.option_id = option_id  # lets the phone highlight the offending option


class MethodConfigError(ValueError):
    """An organiser's method settings are inconsistent (never a voter's fault)."""


# --------------------------------------------------------------------------------------------
# Method configs


# Upper bounds that no real assembly needs; they stop a typo (1000 dots) from reaching phones.
MAX_DOTS = 100
MAX_SCORE_LIMIT = 10
MAX_BUDGET_TOTAL = 10_000

DEFAULT_MAX_SCORE = 5  # the 0–5 scale the facilitators already use on paper
# Scores 3, 4, 5 are the upper half of 0–5: "I would rather this than not" counts as support.
DEFAULT_SCORE_SUPPORT = 3
# Three is what a phone screen shows without scrolling and what facilitators ask for on paper.
DEFAULT_MIN_RANKED = 3
DEFAULT_RANKING_SUPPORT_TOP_K = 3  # ranked in a voter's top three counts as support
DEFAULT_BUDGET_TOTAL = 100  # "share 100 points" needs no explanation


def _require_int(name: str, value: object, *, low: int, high: int | None = None) -> None:
    # bool is an int subclass, and JSON from the DB may hand us strings: reject both loudly.
    if not isinstance(value, int) or isinstance(value, bool):
        raise MethodConfigError(f"{name} must be an integer, got {value!r}")
    if value < low or (high is not None and value > high):
        bound = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise MethodConfigError(f"{name} must be {bound}, got {value}")


@dataclass(frozen=True, slots=True)
class DotVoting:
    """Each voter places up to `dots` dots, at most `max_per_option` on one option."""

    kind: ClassVar[MethodKind] = MethodKind.DOT
    dots: int
    max_per_option: int | None = None  # None: all dots may go on one option

    def __post_init__(self) -> None:
        _require_int("dots", self.dots, low=1, high=MAX_DOTS)
        if self.max_per_option is not None:
            _require_int("max_per_option", self.max_per_option, low=1, high=self.dots)

    @property
    def per_option_cap(self) -> int:
        return self.dots if self.max_per_option is None else self.max_per_option


@dataclass(frozen=True, slots=True)
class ApprovalVoting:
    """Each voter ticks the options they can live with, at most `max_approvals` if set."""

    kind: ClassVar[MethodKind] = MethodKind.APPROVAL
    max_approvals: int | None = None

    def __post_init__(self) -> None:
        if self.max_approvals is not None:
            _require_int("max_approvals", self.max_approvals, low=1)


@dataclass(frozen=True, slots=True)
class ScoreVoting:
    """Each voter scores any options 0..max_score; unscored options get no points."""

    kind: ClassVar[MethodKind] = MethodKind.SCORE
    max_score: int = DEFAULT_MAX_SCORE
    support_threshold: int = DEFAULT_SCORE_SUPPORT  # score >= this counts as support

    def __post_init__(self) -> None:
        _require_int("max_score", self.max_score, low=1, high=MAX_SCORE_LIMIT)
        _require_int("support_threshold", self.support_threshold, low=1, high=self.max_score)


@dataclass(frozen=True, slots=True)
class RankedVoting:
    """Each voter orders at least `min_ranked` options (all, if fewer exist), best first."""

    kind: ClassVar[MethodKind] = MethodKind.RANKING
    min_ranked: int = DEFAULT_MIN_RANKED
    max_ranked: int | None = None  # None: a voter may rank every option
    support_top_k: int = DEFAULT_RANKING_SUPPORT_TOP_K  # ranked in the top k counts as support

    def __post_init__(self) -> None:
        _require_int("min_ranked", self.min_ranked, low=1)
        if self.max_ranked is not None:
            _require_int("max_ranked", self.max_ranked, low=self.min_ranked)
        _require_int("support_top_k", self.support_top_k, low=1)


@dataclass(frozen=True, slots=True)
class BudgetVoting:
    """Each voter distributes exactly `total` points over the options."""

    kind: ClassVar[MethodKind] = MethodKind.BUDGET
    total: int = DEFAULT_BUDGET_TOTAL

    def __post_init__(self) -> None:
        _require_int("total", self.total, low=1, high=MAX_BUDGET_TOTAL)


VoteMethod = DotVoting | ApprovalVoting | ScoreVoting | RankedVoting | BudgetVoting

_CONFIG_CLASSES: dict[MethodKind, type[VoteMethod]] = {
    MethodKind.DOT: DotVoting,
    MethodKind.APPROVAL: ApprovalVoting,
    MethodKind.SCORE: ScoreVoting,
    MethodKind.RANKING: RankedVoting,
    MethodKind.BUDGET: BudgetVoting,
}


def method_from_params(kind: str, params: Mapping[str, object]) -> VoteMethod:
    """Rebuild a config stored as kind + JSON parameters; unknown keys are an error, not noise."""
    try:
        cls = _CONFIG_CLASSES[MethodKind(kind)]
    except ValueError:
        raise MethodConfigError(f"unknown method kind {kind!r}") from None
    allowed = {f.name for f in fields(cls)}
    unknown = set(params) - allowed
    if unknown:
        raise MethodConfigError(f"unknown parameters for {kind}: {sorted(unknown)}")
    return cls(**params)  # type: ignore[arg-type]  # __post_init__ checks every type


def method_params(method: VoteMethod) -> dict[str, int | None]:
    """The JSON-ready parameters of a config, the inverse of `method_from_params`."""
    return {f.name: getattr(method, f.name) for f in fields(method)}


# --------------------------------------------------------------------------------------------
# Ballots


@dataclass(frozen=True, slots=True)
class NormalisedBallot:
    """A ballot that passed validation, in canonical form (option order, zeros dropped).

    `points` holds dots, 1 per approval, scores (an explicit 0 is kept: "scored zero" differs
    from "not scored") or budget points; `ranking` is best-first and used by ranking only.
    """

    kind: MethodKind
    network: Network
    points: tuple[tuple[OptionId, int], ...] = ()
    ranking: tuple[OptionId, ...] = ()


def _option_index(options: Sequence[OptionId]) -> dict[OptionId, int]:
    if isinstance(options, str):
        raise TypeError("options must be a sequence of option ids, not one string")
    index = {option: i for i, option in enumerate(options)}
    if not index:
        raise ValueError("a vote needs at least one option")
    if len(index) != len(options):
        raise ValueError("option ids must be unique")
    return index


def _malformed(expected_th: str) -> BallotError:
    return BallotError(BallotErrorCode.MALFORMED_BALLOT, f"รูปแบบบัตรลงคะแนนไม่ถูกต้อง ({expected_th})")


def _unknown(option: object) -> BallotError:
    return BallotError(
        BallotErrorCode.UNKNOWN_OPTION,
        "ไม่พบตัวเลือกนี้ในรายการ",
        option_id=option if isinstance(option, str) else None,
    )


def _int_mapping(ballot: object, index: Mapping[OptionId, int]) -> list[tuple[int, OptionId, int]]:
    """Check a mapping ballot's shape, options and integers; return (position, option, value)."""
    if not isinstance(ballot, Mapping):
        raise _malformed("ต้องระบุตัวเลือกและจำนวน")
    entries: list[tuple[int, OptionId, int]] = []
    for option, value in ballot.items():
        position = index.get(option) if isinstance(option, str) else None
        if position is None:
            raise _unknown(option)
        if not isinstance(value, int) or isinstance(value, bool):
            raise BallotError(
                BallotErrorCode.NOT_AN_INTEGER, "กรุณาใส่จำนวนเต็มเท่านั้น", option_id=option
            )
        entries.append((position, option, value))
    entries.sort()
    return entries


def _reject_negative(entries: Iterable[tuple[int, OptionId, int]]) -> None:
    for _, option, value in entries:
        if value < 0:
            raise BallotError(BallotErrorCode.NEGATIVE_VALUE, "จำนวนต้องไม่ติดลบ", option_id=option)


def _validate_dot(
    method: DotVoting, index: Mapping[OptionId, int], ballot: object, network: Network
) -> NormalisedBallot:
    entries = _int_mapping(ballot, index)
    _reject_negative(entries)
    cap = method.per_option_cap
    for _, option, value in entries:
        if value > cap:
            raise BallotError(
                BallotErrorCode.TOO_MANY_DOTS_ON_OPTION,
                f"ให้จุดกับตัวเลือกเดียวได้ไม่เกิน {cap} จุด",
                option_id=option,
            )
    used = sum(value for _, _, value in entries)
    if used > method.dots:
        raise BallotError(
            BallotErrorCode.TOO_MANY_DOTS,
            f"มีจุดให้ใช้ {method.dots} จุด แต่ใช้ไป {used} จุด",
        )
    if used == 0:
        raise BallotError(BallotErrorCode.EMPTY_BALLOT, "ยังไม่ได้ติดจุดให้ตัวเลือกใดเลย")
    points = tuple((option, value) for _, option, value in entries if value > 0)
    return NormalisedBallot(MethodKind.DOT, network, points)


def _validate_approval(
    method: ApprovalVoting, index: Mapping[OptionId, int], ballot: object, network: Network
) -> NormalisedBallot:
    # A set is the natural shape; a list is accepted (JSON has no sets) but must not repeat.
    if isinstance(ballot, (str, bytes, Mapping)) or not isinstance(ballot, (Set, Sequence)):
        raise _malformed("ต้องเป็นรายการตัวเลือกที่เห็นด้วย")
    positions: set[int] = set()
    for option in ballot:
        position = index.get(option) if isinstance(option, str) else None
        if position is None:
            raise _unknown(option)
        if position in positions:
            raise BallotError(
                BallotErrorCode.DUPLICATE_OPTION, "เลือกตัวเลือกเดียวกันซ้ำ", option_id=option
            )
        positions.add(position)
    if not positions:
        raise BallotError(BallotErrorCode.EMPTY_BALLOT, "ยังไม่ได้เลือกตัวเลือกใดเลย")
    if method.max_approvals is not None and len(positions) > method.max_approvals:
        raise BallotError(
            BallotErrorCode.TOO_MANY_APPROVALS,
            f"เลือกได้ไม่เกิน {method.max_approvals} ตัวเลือก (เลือกไป {len(positions)})",
        )
    options = list(index)
    points = tuple((options[p], 1) for p in sorted(positions))
    return NormalisedBallot(MethodKind.APPROVAL, network, points)


def _validate_score(
    method: ScoreVoting, index: Mapping[OptionId, int], ballot: object, network: Network
) -> NormalisedBallot:
    entries = _int_mapping(ballot, index)
    for _, option, value in entries:
        if not 0 <= value <= method.max_score:
            raise BallotError(
                BallotErrorCode.SCORE_OUT_OF_RANGE,
                f"คะแนนต้องอยู่ระหว่าง 0 ถึง {method.max_score}",
                option_id=option,
            )
    if not entries:
        raise BallotError(BallotErrorCode.EMPTY_BALLOT, "ยังไม่ได้ให้คะแนนตัวเลือกใดเลย")
    points = tuple((option, value) for _, option, value in entries)
    return NormalisedBallot(MethodKind.SCORE, network, points)


def _validate_ranking(
    method: RankedVoting, index: Mapping[OptionId, int], ballot: object, network: Network
) -> NormalisedBallot:
    # Order is the content of a ranking, so a set (unordered) is malformed, not "close enough".
    if isinstance(ballot, (str, bytes)) or not isinstance(ballot, Sequence):
        raise _malformed("ต้องเป็นลำดับของตัวเลือก")
    seen: set[OptionId] = set()
    for option in ballot:
        if not isinstance(option, str) or option not in index:
            raise _unknown(option)
        if option in seen:
            raise BallotError(
                BallotErrorCode.DUPLICATE_IN_RANKING,
                "มีตัวเลือกซ้ำในการจัดอันดับ",
                option_id=option,
            )
        seen.add(option)
    required = min(method.min_ranked, len(index))
    if len(ballot) < required:
        raise BallotError(BallotErrorCode.TOO_FEW_RANKED, f"กรุณาจัดอันดับอย่างน้อย {required} ตัวเลือก")
    if method.max_ranked is not None and len(ballot) > method.max_ranked:
        raise BallotError(
            BallotErrorCode.TOO_MANY_RANKED,
            f"จัดอันดับได้ไม่เกิน {method.max_ranked} ตัวเลือก",
        )
    return NormalisedBallot(MethodKind.RANKING, network, ranking=tuple(ballot))


def _validate_budget(
    method: BudgetVoting, index: Mapping[OptionId, int], ballot: object, network: Network
) -> NormalisedBallot:
    entries = _int_mapping(ballot, index)
    _reject_negative(entries)
    used = sum(value for _, _, value in entries)
    if used != method.total:
        left = method.total - used
        detail = f"เหลืออีก {left} คะแนน" if left > 0 else f"เกินมา {-left} คะแนน"
        raise BallotError(
            BallotErrorCode.BUDGET_WRONG_TOTAL,
            f"ต้องแบ่งคะแนนให้ครบ {method.total} คะแนนพอดี (ใช้ไป {used} คะแนน, {detail})",
        )
    points = tuple((option, value) for _, option, value in entries if value > 0)
    return NormalisedBallot(MethodKind.BUDGET, network, points)


def validate_ballot(
    method: VoteMethod, options: Sequence[OptionId], ballot: object, *, network: str
) -> NormalisedBallot:
    """Check one voter's ballot against the method's rules and return its canonical form.

    Ballot shapes: dot/score/budget take a mapping option -> int, approval a set or list of
    option ids, ranking a list of option ids best first. Raises `BallotError` for anything a
    voter could fix; an unknown `network` is a programming error (ValueError).
    """
    index = _option_index(options)
    try:
        voter_network = Network(network)
    except ValueError:
        raise ValueError(f"unknown network {network!r}; expected one of {NETWORKS}") from None
    match method:
        case DotVoting():
            return _validate_dot(method, index, ballot, voter_network)
        case ApprovalVoting():
            return _validate_approval(method, index, ballot, voter_network)
        case ScoreVoting():
            return _validate_score(method, index, ballot, voter_network)
        case RankedVoting():
            return _validate_ranking(method, index, ballot, voter_network)
        case BudgetVoting():
            return _validate_budget(method, index, ballot, voter_network)
        case _:
            raise TypeError(f"not a vote method config: {method!r}")


# --------------------------------------------------------------------------------------------
# Ranking with ties


def competition_ranks(
    keys: Sequence[int | Fraction], *, higher_is_better: bool = True
) -> tuple[int, ...]:
    """Standard competition ranks ("1, 2, 2, 4"): equal keys share a rank, never broken.

    Keys must be exact (ints, Fractions) so that equal really means equal.
    """
    order = sorted(range(len(keys)), key=lambda i: keys[i], reverse=higher_is_better)
    ranks = [0] * len(keys)
    for position, i in enumerate(order):
        if position > 0 and keys[order[position - 1]] == keys[i]:
            ranks[i] = ranks[order[position - 1]]
        else:
            ranks[i] = position + 1
    return tuple(ranks)


# --------------------------------------------------------------------------------------------
# Tallies


@dataclass(frozen=True, slots=True)
class OptionResult:
    """One option's line in a tally.

    value: dots, approvals, sum of scores, Borda points or budget points (higher is better).
    mentions: ballots that gave the option dots/approval/points, scored it (0 included) or
    ranked it. mean: score only, the mean over ballots that scored it. schulze_rank: ranking
    only.
    """

    option_id: OptionId
    value: float
    rank: int
    mentions: int
    mean: float | None = None
    schulze_rank: int | None = None


@dataclass(frozen=True, slots=True)
class SchulzeResult:
    """The Schulze method's working and outcome; matrices are indexed like `options`.

    pairwise[i][j]: ballots that rank options[i] above options[j] (a ranked option is above
    every unranked one; unranked options are tied). strongest_paths: widest-path strengths
    (winning votes). ranks: 1 + number of options that beat this one (competition style).
    """

    options: tuple[OptionId, ...]
    pairwise: tuple[tuple[int, ...], ...]
    strongest_paths: tuple[tuple[int, ...], ...]
    ranks: tuple[int, ...]
    winners: frozenset[OptionId]
    condorcet_winner: OptionId | None
    smith_set: frozenset[OptionId]


@dataclass(frozen=True, slots=True)
class Tally:
    """All options, best first; tied options share a rank and keep the given option order."""

    kind: MethodKind
    ballot_count: int
    results: tuple[OptionResult, ...]
    schulze: SchulzeResult | None = None

    def result_for(self, option_id: OptionId) -> OptionResult:
        for result in self.results:
            if result.option_id == option_id:
                return result
        raise KeyError(option_id)

    @property
    def ranks(self) -> dict[OptionId, int]:
        return {result.option_id: result.rank for result in self.results}


_IntMatrix = npt.NDArray[np.int64]


def _check_ballot(ballot: NormalisedBallot, kind: MethodKind) -> None:
    if ballot.kind is not kind:
        raise ValueError(f"a {ballot.kind} ballot cannot be counted in a {kind} vote")


def _points_totals(
    kind: MethodKind, index: Mapping[OptionId, int], ballots: Sequence[NormalisedBallot]
) -> tuple[list[int], list[int]]:
    totals = [0] * len(index)
    mentions = [0] * len(index)
    for ballot in ballots:
        _check_ballot(ballot, kind)
        for option, value in ballot.points:
            try:
                i = index[option]
            except KeyError:
                raise ValueError(f"ballot names unknown option {option!r}") from None
            totals[i] += value
            mentions[i] += 1
    return totals, mentions


def _positions(index: Mapping[OptionId, int], rankings: Sequence[Sequence[OptionId]]) -> _IntMatrix:
    """Row per ballot, column per option: 0-based rank position, or n for unranked."""
    n = len(index)
    rows: list[int] = []
    cols: list[int] = []
    places: list[int] = []
    for row, ranking in enumerate(rankings):
        for place, option in enumerate(ranking):
            try:
                cols.append(index[option])
            except KeyError:
                raise ValueError(f"ballot ranks unknown option {option!r}") from None
            rows.append(row)
            places.append(place)
    positions = np.full((len(rankings), n), n, dtype=np.int64)
    positions[rows, cols] = places
    return positions


def borda_half_points(positions: _IntMatrix) -> _IntMatrix:
    """Twice the Borda points per option (exact integers; halves come from shared points).

    A ballot ranking k of n options gives n-1, n-2, ..., n-k to its ranked options; the
    unranked n-k options share the remaining points 0..n-k-1 equally, (n-k-1)/2 each. Every
    ballot therefore hands out n(n-1)/2 points, so ranking fewer options gains nothing.
    """
    n = positions.shape[1]
    ranked = positions < n
    k = ranked.sum(axis=1, keepdims=True)
    doubled = np.where(ranked, 2 * (n - 1 - positions), n - k - 1)
    return np.asarray(doubled.sum(axis=0), dtype=np.int64)


# Ballots per chunk when building the pairwise matrix: bounds memory at ~chunk * n * n bytes.
_PAIRWISE_CHUNK = 4096


def pairwise_matrix(positions: _IntMatrix) -> _IntMatrix:
    """d[i][j] = number of ballots placing option i strictly above option j."""
    n = positions.shape[1]
    d = np.zeros((n, n), dtype=np.int64)
    for start in range(0, positions.shape[0], _PAIRWISE_CHUNK):
        chunk = positions[start : start + _PAIRWISE_CHUNK]
        d += (chunk[:, :, None] < chunk[:, None, :]).sum(axis=0)
    return d


def _schulze_from_pairwise(options: tuple[OptionId, ...], d: _IntMatrix) -> SchulzeResult:
    n = len(options)
    # Strongest paths by Floyd–Warshall on "winning votes" link strengths.
    p = np.where(d > d.T, d, 0)
    for k in range(n):
        p = np.maximum(p, np.minimum(p[:, k : k + 1], p[k : k + 1, :]))
    np.fill_diagonal(p, 0)
    beats = p > p.T  # transitive (Schulze 2011, §4.1), so "beaten by" counts order correctly
    beaten_by = beats.sum(axis=0)
    ranks = competition_ranks([int(c) for c in beaten_by], higher_is_better=False)
    winners = frozenset(options[i] for i in range(n) if beaten_by[i] == 0)

    majority = d > d.T
    condorcet = [i for i in range(n) if majority[i].sum() == n - 1]
    # Smith set: options that reach every other option through "beats or ties" steps.
    reach = d >= d.T
    for k in range(n):
        reach = reach | (reach[:, k : k + 1] & reach[k : k + 1, :])
    smith = frozenset(options[i] for i in range(n) if bool(reach[i].all()))

    return SchulzeResult(
        options=options,
        pairwise=tuple(tuple(int(x) for x in row) for row in d),
        strongest_paths=tuple(tuple(int(x) for x in row) for row in p),
        ranks=ranks,
        winners=winners,
        condorcet_winner=options[condorcet[0]] if condorcet else None,
        smith_set=smith,
    )


def schulze(options: Sequence[OptionId], rankings: Iterable[Sequence[OptionId]]) -> SchulzeResult:
    """Schulze method over best-first (possibly partial) rankings; see docs/voting.md."""
    index = _option_index(options)
    positions = _positions(index, list(rankings))
    return _schulze_from_pairwise(tuple(index), pairwise_matrix(positions))


def _results(
    options: Sequence[OptionId],
    keys: Sequence[int],
    values: Sequence[float],
    mentions: Sequence[int],
    means: Sequence[float | None] | None = None,
    schulze_ranks: Sequence[int] | None = None,
) -> tuple[OptionResult, ...]:
    ranks = competition_ranks(keys)
    results = [
        OptionResult(
            option_id=option,
            value=values[i],
            rank=ranks[i],
            mentions=mentions[i],
            mean=means[i] if means is not None else None,
            schulze_rank=schulze_ranks[i] if schulze_ranks is not None else None,
        )
        for i, option in enumerate(options)
    ]
    # sorted() is stable: tied options keep the order the organiser gave them.
    return tuple(sorted(results, key=lambda r: r.rank))


def tally(
    method: VoteMethod, options: Sequence[OptionId], ballots: Sequence[NormalisedBallot]
) -> Tally:
    """Count validated ballots into a ranking of every option; ties are reported as ties.

    Ranking methods report Borda as the headline order and Schulze alongside (`schulze`).
    """
    index = _option_index(options)
    option_ids = tuple(index)
    if isinstance(method, RankedVoting):
        for ballot in ballots:
            _check_ballot(ballot, MethodKind.RANKING)
        positions = _positions(index, [ballot.ranking for ballot in ballots])
        doubled = borda_half_points(positions)
        mentions = (positions < len(index)).sum(axis=0)
        result = _schulze_from_pairwise(option_ids, pairwise_matrix(positions))
        results = _results(
            option_ids,
            keys=[int(x) for x in doubled],
            values=[int(x) / 2 for x in doubled],
            mentions=[int(x) for x in mentions],
            schulze_ranks=result.ranks,
        )
        return Tally(method.kind, len(ballots), results, schulze=result)

    totals, mentions_list = _points_totals(method.kind, index, ballots)
    means: list[float | None] | None = None
    if isinstance(method, ScoreVoting):
        means = [t / m if m else None for t, m in zip(totals, mentions_list, strict=True)]
    results = _results(
        option_ids,
        keys=totals,
        values=[float(t) for t in totals],
        mentions=mentions_list,
        means=means,
    )
    return Tally(method.kind, len(ballots), results)
