"""Handlers of the vote step: ballots, results, tallies (filled in by the voting work)."""

from __future__ import annotations

from typing import Any

VOTING_ROUTES: list[Any] = []
