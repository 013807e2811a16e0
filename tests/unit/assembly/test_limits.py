from __future__ import annotations

from assembly.limits import SlidingWindow


def test_a_window_allows_the_limit_then_refuses_until_hits_age_out() -> None:
    window = SlidingWindow(limit=3, seconds=60)
    assert [window.allow("org", now=t) for t in (0, 1, 2, 3)] == [True, True, True, False]
    assert window.blocked("org", now=59)
    assert window.allow("someone-else", now=4)
    assert not window.blocked("org", now=61)
    assert window.allow("org", now=61)


def test_keys_that_left_the_window_are_forgotten_but_live_ones_still_count() -> None:
    window = SlidingWindow(limit=2, seconds=60)
    for i in range(5_000):  # a guesser trying a new username every 0.1 s for 500 s
        window.allow(f"user{i}", now=i / 10)
        if i == 4_950:
            assert window.allow("facilitator", now=495)
            assert window.allow("facilitator", now=496)
    assert len(window._hits) <= 2 * 60 * 10 + 1  # about the last minute's keys, not all
    assert not window.allow("facilitator", now=500)  # its hits are in the window: refused
    assert window.allow("facilitator", now=557)
