"""Time to validate, tally and rank by consensus 5,000 ballots over 30 options, per method.

Run from the repository root:  .venv/bin/python -m benchmarks.tally_speed
The target is <= 100 ms for tally and for consensus of each method (a results screen refreshes
after every closed vote, and an assembly hall holds a few thousand phones at most).
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Callable
from functools import partial

from voting.consensus import consensus_ranking
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

TARGET_MS = 100.0


def dot_ballot(rng: random.Random, options: list[str]) -> object:
    ballot: dict[str, int] = {}
    for _ in range(10):
        option = rng.choice(options)
        if ballot.get(option, 0) < 3:
            ballot[option] = ballot.get(option, 0) + 1
    return ballot


def approval_ballot(rng: random.Random, options: list[str]) -> object:
    return set(rng.sample(options, rng.randint(1, 12)))


def score_ballot(rng: random.Random, options: list[str]) -> object:
    # The worst case for speed: every voter scores every option.
    return {option: rng.randint(0, 5) for option in options}


def ranking_ballot(rng: random.Random, options: list[str]) -> object:
    return rng.sample(options, rng.randint(3, len(options)))


def budget_ballot(rng: random.Random, options: list[str]) -> object:
    chosen = rng.sample(options, rng.randint(1, 8))
    cuts = sorted(rng.randint(0, 100) for _ in range(len(chosen) - 1))
    shares = [b - a for a, b in zip([0, *cuts], [*cuts, 100], strict=True)]
    return dict(zip(chosen, shares, strict=True))


CASES: list[tuple[str, VoteMethod, Callable[[random.Random, list[str]], object]]] = [
    ("dot (10 dots, max 3)", DotVoting(dots=10, max_per_option=3), dot_ballot),
    ("approval", ApprovalVoting(), approval_ballot),
    ("score 0-5 (all scored)", ScoreVoting(), score_ballot),
    ("ranking (Borda+Schulze)", RankedVoting(min_ranked=3), ranking_ballot),
    ("budget 100", BudgetVoting(), budget_ballot),
]


def best_ms(run: Callable[[], object], repeat: int) -> float:
    """Best of `repeat` runs: the least disturbed by whatever else the machine is doing."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times) * 1000


def bench_case(
    method: VoteMethod, options: list[str], raw: list[tuple[object, Network]], repeat: int
) -> tuple[float, float, float]:
    """Milliseconds to validate every ballot, to tally them and to rank them by consensus."""

    def validate_all() -> list[NormalisedBallot]:
        return [validate_ballot(method, options, b, network=n) for b, n in raw]

    ballots = validate_all()
    return (
        best_ms(validate_all, repeat),
        best_ms(partial(tally, method, options, ballots), repeat),
        best_ms(partial(consensus_ranking, method, options, ballots), repeat),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--ballots", type=int, default=5_000)
    parser.add_argument("--options", type=int, default=30)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=2569)
    args = parser.parse_args()

    rng = random.Random(args.seed)
    options = [f"issue-{i}" for i in range(args.options)]
    print(f"{args.ballots} ballots x {args.options} options, best of {args.repeat} runs (ms)")
    header = f"{'method':<26}{'validate':>10}{'tally':>10}{'consensus':>11}  target"
    print(header)
    print("-" * len(header))
    for name, method, make in CASES:
        raw = [(make(rng, options), rng.choice(NETWORKS)) for _ in range(args.ballots)]
        validate_ms, tally_ms, consensus_ms = bench_case(method, options, raw, args.repeat)
        ok = "ok" if max(tally_ms, consensus_ms) <= TARGET_MS else "SLOW"
        print(f"{name:<26}{validate_ms:>10.1f}{tally_ms:>10.1f}{consensus_ms:>11.1f}  {ok}")


if __name__ == "__main__":
    main()
