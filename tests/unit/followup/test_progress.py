"""The on-track rule, numbers as people type them, roll-ups per item and overdue reports."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from followup.progress import (
    RULE_TEXT,
    ActivityInput,
    ActivityReport,
    ActivityStatus,
    BoardInput,
    Expected,
    IndicatorInput,
    Measurement,
    ProgressBoard,
    Track,
    activity_progress,
    build_board,
    default_rounds,
    fiscal_year_end,
    indicator_progress,
    judge,
    overall_track,
    parse_number,
    progress_share,
)

START = dt.date(2026, 10, 1)
END = dt.date(2027, 9, 30)  # fiscal year 2570's last day


def indicator(
    baseline: str,
    target: str,
    *values: tuple[dt.date, str],
    deadline: dt.date | None = None,
) -> IndicatorInput:
    measurements = tuple(
        Measurement(n, on, text, "", "", "อบจ.", False) for n, (on, text) in enumerate(values, 1)
    )
    return IndicatorInput(1, 1, "ตัวชี้วัด", "", baseline, target, deadline, "อบจ.", "", measurements)


def judged(ind: IndicatorInput, today: dt.date = dt.date(2027, 6, 1)) -> Track:
    return indicator_progress(ind, started_on=START, fiscal_year=2570, today=today).track


# --- parse_number ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("ร้อยละ ๘๐", 80.0),
        ("80%", 80.0),
        ("ร้อยละ 62.5", 62.5),
        ("1,200 คน", 1200.0),
        ("๑,๒๐๐,๐๐๐ บาท", 1_200_000.0),
        ("-5", -5.0),
        ("80-90", 80.0),  # a range: its first end
        ("ร้อยละ 60 (ปี 2568)", 60.0),  # the value comes before the year
        ("12", 12.0),
    ],
)
def test_parse_number_reads_what_people_type(text: str, number: float) -> None:
    assert parse_number(text) == number


@pytest.mark.parametrize("text", ["", "ไม่มีข้อมูล", "ดีมาก", "1,2", "-", "%", "9" * 400])
def test_parse_number_gives_none_for_junk(text: str) -> None:
    assert parse_number(text) is None


@given(st.integers(min_value=0, max_value=10**9))
def test_parse_number_reads_grouped_and_thai_digits_alike(n: int) -> None:
    grouped = f"{n:,}"
    thai = grouped.translate(str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙"))
    assert parse_number(f"ร้อยละ {grouped}") == n
    assert parse_number(f"{thai} คน") == n


# --- the rule -------------------------------------------------------------------------------


def test_a_rising_target_half_way_at_half_time_is_on_track() -> None:
    assert judged(indicator("60", "80", (dt.date(2027, 3, 31), "70"))) is Track.ON_TRACK


def test_the_worked_example_in_the_docstring_is_at_risk() -> None:
    # 0.30 of the way at about half the year: behind by more than 0.10, less than 0.25
    assert judged(indicator("ร้อยละ ๖๐", "ร้อยละ ๘๐", (dt.date(2027, 3, 31), "66"))) is Track.AT_RISK


def test_far_behind_the_path_is_off_track() -> None:
    assert judged(indicator("60", "80", (dt.date(2027, 3, 31), "61"))) is Track.OFF_TRACK


def test_a_falling_target_counts_progress_downwards() -> None:
    # accidents 20 -> 10 by 31 March: 12 at the end of February is 0.8 of the way at ~0.83
    ind = indicator("20", "10", (dt.date(2027, 2, 28), "12"), deadline=dt.date(2027, 3, 31))
    result = indicator_progress(ind, started_on=START, fiscal_year=2570, today=dt.date(2027, 3, 1))
    assert result.progress == pytest.approx(0.8)
    assert result.track is Track.ON_TRACK
    worse = indicator("20", "10", (dt.date(2027, 2, 28), "25"), deadline=dt.date(2027, 3, 31))
    assert judged(worse) is Track.OFF_TRACK


def test_without_a_deadline_the_path_ends_with_the_fiscal_year() -> None:
    result = indicator_progress(
        indicator("0", "100", (END, "100")), started_on=START, fiscal_year=2570, today=END
    )
    assert result.ends_on == fiscal_year_end(2570) == END
    assert result.expected == 1.0


def test_reaching_the_target_early_is_reached() -> None:
    assert judged(indicator("60", "80", (dt.date(2026, 11, 1), "85"))) is Track.REACHED
    assert judged(indicator("20", "10", (dt.date(2026, 11, 1), "๑๐"))) is Track.REACHED


def test_words_instead_of_numbers_are_not_measurable() -> None:
    assert judged(indicator("ดี", "ดีมาก", (dt.date(2027, 1, 1), "ดีมาก"))) is Track.NOT_MEASURABLE
    assert judged(indicator("60", "", (dt.date(2027, 1, 1), "70"))) is Track.NOT_MEASURABLE


def test_no_numeric_report_is_no_data() -> None:
    assert judged(indicator("60", "80")) is Track.NO_DATA
    text_only = indicator_progress(
        indicator("60", "80", (dt.date(2027, 1, 1), "รอผลสำรวจ")),
        started_on=START,
        fiscal_year=2570,
        today=dt.date(2027, 2, 1),
    )
    assert text_only.track is Track.NO_DATA
    assert text_only.latest_text == "รอผลสำรวจ"
    assert text_only.expected_now == pytest.approx(60 + 20 * 123 / 364)


def test_the_latest_measurement_is_the_newest_by_date_not_by_list_order() -> None:
    ind = indicator("0", "100", (dt.date(2027, 3, 1), "50"), (dt.date(2027, 1, 1), "10"))
    result = indicator_progress(ind, started_on=START, fiscal_year=2570, today=dt.date(2027, 4, 1))
    assert result.latest is not None
    assert result.latest.value == 50
    assert [p.value for p in result.points] == [10, 50]


def test_a_target_equal_to_its_baseline_means_keep_it() -> None:
    assert progress_share(5, 5, 5) == 1.0
    assert progress_share(4, 5, 5) == 0.0


def test_the_thresholds_are_inclusive() -> None:
    assert judge(1.0, 0.5) is Track.REACHED
    assert judge(0.4, 0.5) is Track.ON_TRACK
    assert judge(0.25, 0.5) is Track.AT_RISK
    assert judge(0.2499, 0.5) is Track.OFF_TRACK


WORST_LAST = [Track.REACHED, Track.ON_TRACK, Track.AT_RISK, Track.OFF_TRACK]


@given(
    baseline=st.floats(-1e6, 1e6),
    distance=st.floats(1e-3, 1e6),
    falling=st.booleans(),
    values=st.lists(st.floats(-2e6, 2e6), min_size=2, max_size=2),
    expected=st.floats(0, 1),
)
def test_a_value_further_towards_the_target_never_judges_worse(
    baseline: float, distance: float, falling: bool, values: list[float], expected: float
) -> None:
    target = baseline - distance if falling else baseline + distance
    behind, ahead = sorted(values, reverse=falling)  # ahead is further towards the target
    assert progress_share(behind, baseline, target) <= progress_share(ahead, baseline, target)
    better = judge(progress_share(ahead, baseline, target), expected)
    worse = judge(progress_share(behind, baseline, target), expected)
    assert WORST_LAST.index(better) <= WORST_LAST.index(worse)


@given(st.floats(-10, 10), st.floats(0, 1), st.floats(0, 1))
def test_more_time_elapsed_never_judges_better(progress: float, early: float, late: float) -> None:
    early, late = sorted((early, late))
    assert WORST_LAST.index(judge(progress, early)) <= WORST_LAST.index(judge(progress, late))


def test_the_rule_text_is_thai_and_names_every_threshold() -> None:
    assert "ค่าฐาน" in RULE_TEXT
    assert "ค่าเป้าหมาย" in RULE_TEXT
    for words in ("๑๐", "๒๕", "๑๐๐", Track.ON_TRACK.label, Track.AT_RISK.label):
        assert words in RULE_TEXT


# --- roll-ups ---------------------------------------------------------------------------------


def test_the_worst_measured_indicator_sets_the_item_s_track() -> None:
    assert overall_track([Track.REACHED, Track.AT_RISK, Track.ON_TRACK]) is Track.AT_RISK
    assert overall_track([Track.NOT_MEASURABLE, Track.ON_TRACK]) is Track.ON_TRACK
    assert overall_track([Track.NO_DATA, Track.REACHED]) is Track.REACHED
    assert overall_track([Track.NO_DATA, Track.NOT_MEASURABLE]) is Track.NO_DATA
    assert overall_track([]) is Track.NOT_MEASURABLE


def test_the_board_judges_each_indicator(board: ProgressBoard) -> None:
    family, road = board.items
    households, satisfaction = family.indicators
    assert (households.baseline, households.target) == (60, 80)
    assert households.latest is not None
    assert households.latest.value == 70
    assert households.progress == pytest.approx(0.5)
    assert households.track is Track.ON_TRACK
    assert satisfaction.track is Track.NOT_MEASURABLE
    assert road.indicators[0].track is Track.OFF_TRACK  # 19 of 20 -> 10 after half the time
    assert family.track is Track.ON_TRACK
    assert road.track is Track.OFF_TRACK


def test_activities_roll_up_per_item(board: ProgressBoard) -> None:
    family, road = board.items
    camp, training = family.activities
    assert camp.status is ActivityStatus.DONE
    assert camp.people_reached == 100
    assert camp.money_spent == 55_000
    assert camp.over_budget
    assert camp.photo_ids == (1, 2, 3)
    assert training.status is ActivityStatus.NOT_STARTED
    assert training.latest is None
    assert family.activities_by_status[ActivityStatus.DONE] == 1
    assert family.activities_by_status[ActivityStatus.NOT_STARTED] == 1
    assert family.share_done == 0.5
    assert (family.budget, family.money_spent, family.people_reached) == (50_000, 55_000, 100)
    assert road.share_done is None  # its only activity was cancelled
    assert [lesson.change for lesson in family.lessons] == ["จัดในร่ม", ""]  # newest first


def test_overdue_lists_missing_reports_of_rounds_past_their_due_date(board: ProgressBoard) -> None:
    (agency,) = board.overdue
    assert agency.agency == "สนง.ขนส่ง"
    (late_round,) = agency.rounds
    assert late_round.round.number == 2
    assert late_round.target_names == ("อุบัติเหตุต่อเดือน",)
    assert board.current_round is not None
    assert board.current_round.number == 3


def test_a_round_is_not_overdue_on_its_due_date(board_input: BoardInput) -> None:
    due = board_input.rounds[1].due
    on_due = build_board(dataclasses.replace(board_input, today=due))
    assert on_due.overdue == ()
    after = build_board(dataclasses.replace(board_input, today=due + dt.timedelta(days=1)))
    assert after.counts.overdue_reports == 1


def test_the_board_counts_add_up(board: ProgressBoard) -> None:
    counts = board.counts
    assert (counts.items, counts.indicators, counts.activities) == (2, 3, 3)
    assert counts.by_track[Track.ON_TRACK] == 1
    assert counts.by_track[Track.OFF_TRACK] == 1
    assert counts.by_status[ActivityStatus.CANCELLED] == 1
    assert (counts.measurements, counts.activity_reports, counts.late_reports) == (3, 3, 1)
    assert (counts.overdue_reports, counts.overdue_agencies, counts.lessons) == (1, 1, 2)
    assert sum(counts.by_track.values()) == counts.indicators


def test_default_rounds_are_quarters_due_the_15th_after() -> None:
    rounds = default_rounds(2570)
    assert [r.due for r in rounds] == [
        dt.date(2027, 1, 15),
        dt.date(2027, 4, 15),
        dt.date(2027, 7, 15),
        dt.date(2027, 10, 15),
    ]
    assert rounds[0].label == "ไตรมาสที่ 1"  # as stored (setup.quarterly_rounds)


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])  # the input is not changed
@given(
    today=st.dates(dt.date(2026, 10, 1), dt.date(2028, 1, 1)),
    reported=st.sets(st.tuples(st.sampled_from(["ก", "ข"]), st.integers(1, 4), st.integers(1, 3))),
)
def test_overdue_is_exactly_the_missing_reports_of_rounds_past_due(
    board_input: BoardInput, today: dt.date, reported: set[tuple[str, int, int]]
) -> None:
    expected = tuple(
        Expected(agency, round_, target, f"t{target}")
        for agency in ("ก", "ข")
        for round_ in (1, 2, 3, 4)
        for target in (1, 2, 3)
    )
    data = dataclasses.replace(
        board_input, today=today, expected=expected, reported=frozenset(reported)
    )
    board = build_board(data)
    due = {r.number: r.due for r in data.rounds}
    missing = {
        (e.agency, e.round, e.target_name)
        for e in expected
        if today > due[e.round] and (e.agency, e.round, e.target_id) not in reported
    }
    listed = {
        (agency.agency, late.round.number, name)
        for agency in board.overdue
        for late in agency.rounds
        for name in late.target_names
    }
    assert listed == missing
    assert board.counts.overdue_reports == len(missing)


# --- activity reports: rounds first, one report per round ----------------------------------


def _activity(*reports: ActivityReport) -> ActivityInput:
    return ActivityInput(7, 1, "แผน", "อบรมครู", "อบจ.", "", 100_000, reports)


def _report(
    number: int, on: dt.date, status: ActivityStatus, *, people: int, money: int
) -> ActivityReport:
    return ActivityReport(number, on, status, "", people, money, (), "อบจ.", False)


def test_a_late_report_on_an_earlier_round_does_not_undo_done() -> None:
    """Round 2 says done on 10 April; round 1's report comes late on 20 April: still done."""
    done = _report(2, dt.date(2027, 4, 10), ActivityStatus.DONE, people=50, money=2000)
    late = _report(1, dt.date(2027, 4, 20), ActivityStatus.IN_PROGRESS, people=30, money=1000)
    result = activity_progress(_activity(done, late))
    assert result.status is ActivityStatus.DONE
    assert result.latest == done
    assert (result.people_reached, result.money_spent) == (80, 3000)


def test_a_correction_in_the_same_round_replaces_the_first_report() -> None:
    """Round 1 sent with 120 people and 5,000 baht, then corrected to 100 and 4,000: the round
    reached 100 people and spent 4,000, not 220 and 9,000."""
    first = _report(1, dt.date(2027, 1, 5), ActivityStatus.IN_PROGRESS, people=120, money=5000)
    fixed = _report(1, dt.date(2027, 1, 6), ActivityStatus.IN_PROGRESS, people=100, money=4000)
    second = _report(2, dt.date(2027, 4, 1), ActivityStatus.IN_PROGRESS, people=10, money=500)
    result = activity_progress(_activity(first, fixed, second))
    assert (result.people_reached, result.money_spent) == (110, 4500)
    assert result.latest == second
