"""What the projector shows of a vote's results, as plain values (no framework, no I/O).

The presenter's per-network screen answers "what does each network support most?": for each
network, the options its voters support most, from the consensus part of `export.results_view`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

FAVOURITES_PER_NETWORK = 3
"""Three lines per network: six networks of three two-line rows fit a 1080 px projector."""


def network_favourites(
    results: Mapping[str, Any], *, limit: int = FAVOURITES_PER_NETWORK
) -> dict[str, list[dict[str, Any]]]:
    """Per network key, its `limit` most supported options (label, supporters, voters), most
    supporters first; ties keep the consensus order. Options no one in the network supports are
    left out, and so is a network without voters (it has said nothing yet)."""
    favourites: dict[str, list[dict[str, Any]]] = {}
    for line in results.get("consensus", []):
        for key, support in line["networks"].items():
            if not support["voters"]:
                continue
            rows = favourites.setdefault(key, [])
            if support["supporters"]:
                rows.append(
                    {
                        "label": line["label"],
                        "supporters": support["supporters"],
                        "voters": support["voters"],
                    }
                )
    return {
        key: sorted(rows, key=lambda row: -row["supporters"])[:limit]
        for key, rows in favourites.items()
    }
