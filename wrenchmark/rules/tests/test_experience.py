"""Check how qualifying months of experience are counted."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from wrenchmark.rules import Employment, ExperienceProgress, ExperienceRule, Training, qualifying_months

BRAKES = ExperienceRule(
    code="brakes-2y", months_required=24, training_max_months=12, areas=frozenset({"brakes"})
)


def full_time(start: date, end: date | None, *areas: str) -> Employment:
    return Employment(start=start, end=end, full_time=True, areas=frozenset(areas or {"brakes"}))


def part_time(start: date, end: date | None, *areas: str) -> Employment:
    return Employment(start=start, end=end, full_time=False, areas=frozenset(areas or {"brakes"}))


def course(end: date | None, months: int, *areas: str) -> Training:
    return Training(start=date(2020, 1, 1), end=end, months=months, areas=frozenset(areas or {"brakes"}))


def progress(
    *employment: Employment,
    training: tuple[Training, ...] = (),
    on: date = date(2030, 1, 1),
    rule: ExperienceRule = BRAKES,
) -> ExperienceProgress:
    return qualifying_months(rule=rule, employment=employment, training=training, on=on)


@pytest.mark.parametrize(
    ("start", "end", "months"),
    [
        (date(2024, 1, 15), date(2024, 3, 14), 2),
        (date(2024, 1, 15), date(2024, 3, 13), 1),
        (date(2024, 1, 1), date(2025, 12, 31), 24),
        (date(2024, 1, 31), date(2024, 2, 28), 1),
        (date(2024, 1, 31), date(2024, 2, 27), 0),
        (date(2023, 1, 31), date(2023, 2, 27), 1),
        (date(2024, 1, 31), date(2024, 3, 30), 2),
        (date(2024, 1, 31), date(2024, 3, 28), 1),
        (date(2024, 3, 1), date(2024, 3, 1), 0),
    ],
)
def test_it_counts_whole_calendar_months_with_the_day_clamped_to_the_month(
    start: date, end: date, months: int
) -> None:
    assert progress(full_time(start, end)).work_months == months


def test_it_counts_thirty_pooled_leftover_days_across_periods_as_one_more_month() -> None:
    fifteen_days = full_time(date(2024, 3, 1), date(2024, 3, 15))
    another_fifteen = full_time(date(2024, 5, 1), date(2024, 5, 15))
    fourteen_days = full_time(date(2024, 5, 1), date(2024, 5, 14))

    assert progress(fifteen_days, another_fifteen).work_months == 1
    assert progress(fifteen_days, fourteen_days).work_months == 0


def test_it_never_double_counts_overlapping_full_time_entries() -> None:
    first = full_time(date(2024, 1, 1), date(2024, 12, 31))
    overlapping = full_time(date(2024, 6, 1), date(2025, 5, 31))

    assert progress(first).work_months == 12
    assert progress(first, overlapping).work_months == 17
    assert progress(first, first).work_months == 12


def test_it_counts_part_time_work_at_half_rounding_down_once_at_the_end() -> None:
    assert progress(part_time(date(2024, 1, 1), date(2024, 12, 31))).work_months == 6
    assert progress(part_time(date(2024, 1, 1), date(2024, 1, 31))).work_months == 0
    one_month_each = (
        part_time(date(2024, 1, 1), date(2024, 1, 31)),
        part_time(date(2024, 6, 1), date(2024, 6, 30)),
    )
    assert progress(*one_month_each).work_months == 1


def test_it_counts_part_time_covered_by_full_time_only_once_as_full_time() -> None:
    year_full_time = full_time(date(2024, 1, 1), date(2024, 12, 31))
    overlapping_part_time = part_time(date(2024, 7, 1), date(2025, 6, 30))

    # 12 full-time months, plus the 6 part-time months not covered, at half.
    assert progress(year_full_time, overlapping_part_time).work_months == 15
    assert progress(year_full_time, part_time(date(2024, 2, 1), date(2024, 11, 30))).work_months == 12


def test_it_counts_only_entries_whose_areas_meet_the_rule() -> None:
    engines_only = full_time(date(2024, 1, 1), date(2024, 12, 31), "engines")
    engines_and_brakes = full_time(date(2025, 1, 1), date(2025, 6, 30), "engines", "brakes")
    engines_training = course(date(2024, 6, 30), 6, "engines")

    result = progress(engines_only, engines_and_brakes, training=(engines_training,))

    assert (result.work_months, result.training_months) == (6, 0)


def test_it_clips_periods_to_the_date_and_ignores_ones_that_start_later() -> None:
    ongoing = full_time(date(2024, 1, 15), None)
    future = full_time(date(2024, 4, 1), date(2024, 12, 31))

    assert progress(ongoing, future, on=date(2024, 3, 14)).work_months == 2
    assert progress(ongoing, future, on=date(2024, 3, 13)).work_months == 1


def test_it_caps_training_at_the_rule_maximum() -> None:
    result = progress(training=(course(date(2024, 1, 31), 8), course(date(2024, 6, 30), 8)))

    assert result.training_months == 12
    assert result.total_months == 12
    assert result.missing_months == 12


def test_it_counts_training_only_once_it_has_ended() -> None:
    ends_in_june = course(date(2024, 6, 30), 6)
    still_running = course(None, 6)

    assert progress(training=(ends_in_june, still_running), on=date(2024, 6, 29)).training_months == 0
    assert progress(training=(ends_in_june, still_running), on=date(2024, 6, 30)).training_months == 6


def test_it_adds_work_and_training_and_reports_what_is_missing() -> None:
    result = progress(
        full_time(date(2024, 1, 1), date(2024, 12, 31)), training=(course(date(2023, 6, 30), 5),)
    )

    assert (result.work_months, result.training_months, result.total_months) == (12, 5, 17)
    assert (result.missing_months, result.met, result.met_on) == (7, False, None)


@pytest.mark.parametrize(
    ("start", "met_on"),
    [
        # 24th month step 2025-02-15 -> 2025-03-15 completes on 2025-03-14.
        (date(2023, 3, 15), date(2025, 3, 14)),
        # 23 whole months to 2024-12-15, then 30 leftover days count as the
        # 24th month one day before the 31-day month step completes.
        (date(2023, 1, 15), date(2025, 1, 13)),
    ],
)
def test_it_dates_the_requirement_from_the_day_the_last_month_completed(start: date, met_on: date) -> None:
    result = progress(full_time(start, None), on=date(2026, 6, 1))

    assert (result.met, result.met_on, result.missing_months) == (True, met_on, 0)
    assert progress(full_time(start, None), on=met_on).met
    assert not progress(full_time(start, None), on=met_on - timedelta(days=1)).met


def test_it_dates_the_requirement_from_the_end_of_the_training_that_completed_it() -> None:
    work = full_time(date(2023, 1, 1), date(2024, 6, 30))  # 18 months
    result = progress(work, training=(course(date(2025, 3, 31), 6),), on=date(2026, 1, 1))

    assert (result.total_months, result.met_on) == (24, date(2025, 3, 31))


def test_it_meets_a_zero_month_rule_from_the_start_of_time() -> None:
    nothing = ExperienceRule(
        code="none", months_required=0, training_max_months=0, areas=frozenset({"brakes"})
    )

    result = progress(rule=nothing, on=date(2024, 1, 1))

    assert (result.met, result.met_on, result.missing_months) == (True, date.min, 0)


def test_it_never_counts_less_when_an_entry_fills_the_gap_between_two_others() -> None:
    # Counted whole, 2023-01-02..2023-02-28 is 1 month and 27 days; apart,
    # the two entries are 29 days and 1 month. Splitting at the entry start
    # keeps the filled gap from costing a month once the pool is near 30.
    january = full_time(date(2023, 1, 2), date(2023, 1, 30))
    february = full_time(date(2023, 2, 1), date(2023, 2, 28))
    two_days = full_time(date(2023, 6, 1), date(2023, 6, 2))
    the_gap = full_time(date(2023, 1, 31), date(2023, 1, 31))

    assert progress(january, february, two_days).work_months == 2
    assert progress(january, february, two_days, the_gap).work_months == 2


def test_it_rejects_an_employment_that_ends_before_it_starts() -> None:
    with pytest.raises(ValueError, match="ends before it starts"):
        full_time(date(2024, 2, 1), date(2024, 1, 31))
