from __future__ import annotations

from assembly.limits import SlidingWindow


def test_a_window_allows_the_limit_then_refuses_until_hits_age_out() -> None:
    window = SlidingWindow(limit=3, seconds=60)
    assert [window.allow("org", now=t) for t in (0, 1, 2, 3)] == [True, True, True, False]
    assert window.blocked("org", now=59)
    assert window.allow("someone-else", now=4)
    assert not window.blocked("org", now=61)
    assert window.allow("org", now=61)
