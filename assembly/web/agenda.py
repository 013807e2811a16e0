"""Handlers of the draft and adopt steps and of the agenda export (filled in by the agenda work)."""

from __future__ import annotations

from typing import Any

AGENDA_ROUTES: list[Any] = []
