"""A drafted activity's or indicator's timing as the deadline its follow-up is judged by."""

from __future__ import annotations

import datetime as dt

import pytest

from followup.setup import timing_deadline

FY = 2570  # 1 October 2026 - 30 September 2027


@pytest.mark.parametrize(
    ("timing", "deadline"),
    [
        (None, None),
        ({}, None),
        ({"note": "ทุกวันพระ"}, None),
        ({"date": "2027-02-14"}, dt.date(2027, 2, 14)),
        ({"months": [11, 12]}, dt.date(2026, 12, 31)),
        ({"months": [10, 2]}, dt.date(2027, 2, 28)),
        ({"quarter": 1}, dt.date(2026, 12, 31)),
        ({"quarter": 2}, dt.date(2027, 3, 31)),
        ({"quarter": 4}, dt.date(2027, 9, 30)),
        ({"quarter": 3, "months": [4]}, dt.date(2027, 6, 30)),
        ({"quarter": 2, "fiscal_year": 2571}, dt.date(2028, 3, 31)),
    ],
)
def test_a_timing_is_due_at_the_end_of_its_last_month_or_quarter(
    timing: dict[str, object] | None, deadline: dt.date | None
) -> None:
    assert timing_deadline(timing, FY) == deadline
