"""Handlers of the review step: clustering, curation, imports (filled in by the clustering work)."""

from __future__ import annotations

from typing import Any

REVIEW_ROUTES: list[Any] = []
