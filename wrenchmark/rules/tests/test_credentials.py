"""Check credential status, expiry, renewal and the wait for experience."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from wrenchmark.rules import (
    CredentialState,
    Employment,
    ExperienceProgress,
    ExperienceRule,
    Outcome,
    Policy,
    Result,
    Status,
    TestRule,
    add_years,
    credential_state,
    credential_states,
    qualifying_months,
)

POLICY = Policy()
A5 = TestRule(code="A5")
A5R = TestRule(code="A5R", recertifies="A5")
TWO_YEARS = ExperienceRule(code="2y", months_required=24, training_max_months=12, areas=frozenset({"brakes"}))
A5_WITH_EXPERIENCE = TestRule(code="A5", experience=TWO_YEARS)


def passed(code: str, on: date) -> Result:
    return Result(test_code=code, taken_on=on, outcome=Outcome.PASS)


def failed(code: str, on: date) -> Result:
    return Result(test_code=code, taken_on=on, outcome=Outcome.FAIL)


def experience_met_on(met_on: date | None) -> ExperienceProgress:
    met = met_on is not None
    return ExperienceProgress(
        rule_code="2y",
        months_required=24,
        work_months=24 if met else 10,
        training_months=0,
        total_months=24 if met else 10,
        missing_months=0 if met else 14,
        met=met,
        met_on=met_on,
    )


def state(
    *results: Result,
    on: date,
    test: TestRule = A5,
    experience: ExperienceProgress | None = None,
    policy: Policy = POLICY,
) -> CredentialState | None:
    return credential_state(
        test=test, recert_codes=("A5R",), results=results, experience=experience, on=on, policy=policy
    )


def known(found: CredentialState | None) -> CredentialState:
    assert found is not None
    return found


@pytest.mark.parametrize(
    ("start", "years", "expected"),
    [
        (date(2024, 2, 29), 5, date(2029, 2, 28)),
        (date(2024, 2, 29), 4, date(2028, 2, 29)),
        (date(2024, 2, 28), 5, date(2029, 2, 28)),
        (date(2024, 3, 1), 5, date(2029, 3, 1)),
        (date(2023, 12, 31), 1, date(2024, 12, 31)),
    ],
)
def test_it_adds_years_moving_a_leap_day_to_the_twenty_eighth(
    start: date, years: int, expected: date
) -> None:
    assert add_years(start, years) == expected


def test_it_expires_a_leap_day_pass_on_the_twenty_eighth_five_years_on() -> None:
    found = known(state(passed("A5", date(2024, 2, 29)), on=date(2024, 3, 1)))

    assert found.expires_on == date(2029, 2, 28)
    assert found.status is Status.CERTIFIED


def test_it_is_valid_on_the_day_of_expiry_and_expired_the_day_after() -> None:
    a_pass = passed("A5", date(2020, 6, 15))
    no_notice = Policy(expiring_notice_days=0)

    on_the_day = known(state(a_pass, on=date(2025, 6, 15)))
    day_after = known(state(a_pass, on=date(2025, 6, 16)))

    assert (on_the_day.expires_on, on_the_day.status, on_the_day.days_to_expiry) == (
        date(2025, 6, 15),
        Status.EXPIRING,
        0,
    )
    assert known(state(a_pass, on=date(2025, 6, 15), policy=no_notice)).status is Status.CERTIFIED
    assert (day_after.status, day_after.days_to_expiry) == (Status.EXPIRED, -1)


def test_it_warns_during_exactly_the_last_ninety_valid_days() -> None:
    a_pass = passed("A5", date(2020, 6, 15))
    expires_on = date(2025, 6, 15)

    before_window = known(state(a_pass, on=expires_on - timedelta(days=90)))
    first_day = known(state(a_pass, on=expires_on - timedelta(days=89)))

    assert (before_window.status, before_window.days_to_expiry) == (Status.CERTIFIED, 90)
    assert (first_day.status, first_day.days_to_expiry) == (Status.EXPIRING, 89)


def test_it_has_no_credential_without_a_pass_on_or_before_the_date() -> None:
    assert state(on=date(2024, 1, 1)) is None
    assert state(failed("A5", date(2023, 1, 1)), on=date(2024, 1, 1)) is None
    assert state(passed("A5", date(2024, 1, 2)), on=date(2024, 1, 1)) is None
    assert state(passed("A5R", date(2023, 1, 1)), on=date(2024, 1, 1)) is None


def test_it_starts_the_lineage_at_the_latest_pass_of_the_test() -> None:
    found = known(state(passed("A5", date(2015, 1, 10)), passed("A5", date(2019, 4, 2)), on=date(2020, 1, 1)))

    assert (found.passed_on, found.expires_on, found.renewed) == (date(2019, 4, 2), date(2024, 4, 2), False)


def test_it_renews_from_the_recertification_and_keeps_the_lineage() -> None:
    found = known(
        state(passed("A5", date(2018, 3, 1)), passed("A5R", date(2022, 10, 1)), on=date(2023, 1, 1))
    )

    assert found.passed_on == date(2018, 3, 1)
    assert found.certified_on == date(2018, 3, 1)
    assert found.expires_on == date(2027, 10, 1)
    assert found.renewed
    assert found.status is Status.CERTIFIED


def test_it_ignores_a_recertification_that_has_not_happened_yet() -> None:
    results = (passed("A5", date(2018, 3, 1)), passed("A5R", date(2022, 10, 1)))

    found = known(state(*results, on=date(2022, 9, 30)))

    assert (found.expires_on, found.renewed) == (date(2023, 3, 1), False)


def test_it_restores_an_expired_credential_on_recertification() -> None:
    results = (passed("A5", date(2015, 1, 10)), passed("A5R", date(2021, 5, 1)))

    lapsed = known(state(*results, on=date(2021, 4, 30)))
    restored = known(state(*results, on=date(2022, 1, 1)))

    assert lapsed.status is Status.EXPIRED
    assert (restored.status, restored.expires_on, restored.renewed) == (
        Status.CERTIFIED,
        date(2026, 5, 1),
        True,
    )
    assert restored.certified_on == date(2021, 5, 1)


def test_it_ignores_a_recertification_before_the_latest_initial_pass() -> None:
    results = (
        passed("A5", date(2012, 1, 1)),
        passed("A5R", date(2016, 1, 1)),
        passed("A5", date(2020, 1, 1)),
    )

    found = known(state(*results, on=date(2021, 1, 1)))

    assert (found.expires_on, found.renewed) == (date(2025, 1, 1), False)


def test_it_does_nothing_with_a_recertification_pass_before_any_certification() -> None:
    results = (passed("A5", date(2020, 1, 1)), passed("A5R", date(2022, 1, 1)))

    found = known(
        state(
            *results,
            test=A5_WITH_EXPERIENCE,
            experience=experience_met_on(date(2022, 6, 1)),
            on=date(2023, 1, 1),
        )
    )

    assert (found.expires_on, found.renewed) == (date(2025, 1, 1), False)
    assert found.certified_on == date(2022, 6, 1)


def test_it_waits_for_experience_then_certifies_on_the_later_of_pass_and_experience() -> None:
    employment = Employment(start=date(2023, 7, 1), end=None, full_time=True, areas=frozenset({"brakes"}))
    a_pass = passed("A5", date(2024, 1, 10))

    def on(day: date) -> CredentialState:
        experience = qualifying_months(rule=TWO_YEARS, employment=(employment,), training=(), on=day)
        return known(state(a_pass, test=A5_WITH_EXPERIENCE, experience=experience, on=day))

    waiting = on(date(2025, 6, 29))
    certified = on(date(2025, 8, 15))

    assert (waiting.status, waiting.certified_on) == (Status.AWAITING_EXPERIENCE, None)
    assert (certified.status, certified.certified_on) == (Status.CERTIFIED, date(2025, 6, 30))
    assert certified.expires_on == date(2029, 1, 10)


def test_it_certifies_on_the_pass_date_when_experience_came_first() -> None:
    found = known(
        state(
            passed("A5", date(2024, 1, 10)),
            test=A5_WITH_EXPERIENCE,
            experience=experience_met_on(date(2023, 2, 1)),
            on=date(2024, 2, 1),
        )
    )

    assert (found.status, found.certified_on) == (Status.CERTIFIED, date(2024, 1, 10))


def test_it_lets_a_banked_pass_lapse_when_experience_never_arrives_in_time() -> None:
    a_pass = passed("A5", date(2018, 1, 10))

    never = known(
        state(a_pass, test=A5_WITH_EXPERIENCE, experience=experience_met_on(None), on=date(2023, 1, 11))
    )
    too_late = known(
        state(
            a_pass,
            test=A5_WITH_EXPERIENCE,
            experience=experience_met_on(date(2023, 1, 11)),
            on=date(2023, 2, 1),
        )
    )
    still_waiting = known(
        state(a_pass, test=A5_WITH_EXPERIENCE, experience=experience_met_on(None), on=date(2023, 1, 10))
    )

    assert (never.status, never.certified_on) == (Status.EXPIRED, None)
    assert (too_late.status, too_late.certified_on) == (Status.EXPIRED, None)
    assert still_waiting.status is Status.AWAITING_EXPERIENCE


def test_it_treats_missing_experience_as_not_met() -> None:
    found = known(state(passed("A5", date(2024, 1, 10)), test=A5_WITH_EXPERIENCE, on=date(2024, 2, 1)))

    assert found.status is Status.AWAITING_EXPERIENCE


def test_it_states_every_passed_initial_test_and_folds_recertifications_into_their_base() -> None:
    tests = {
        "A5": A5_WITH_EXPERIENCE,
        "A5R": A5R,
        "A8": TestRule(code="A8"),
        "A9": TestRule(code="A9"),
    }
    results = (
        passed("A5", date(2018, 3, 1)),
        passed("A5R", date(2022, 10, 1)),
        passed("A8", date(2021, 5, 5)),
        failed("A9", date(2021, 5, 6)),
    )

    states = credential_states(
        tests=tests,
        results=iter(results),
        experience_by_rule={"2y": experience_met_on(date(2018, 1, 1))},
        on=date(2023, 1, 1),
        policy=POLICY,
    )

    assert sorted(states) == ["A5", "A8"]
    assert (states["A5"].expires_on, states["A5"].renewed) == (date(2027, 10, 1), True)
    assert states["A8"].expires_on == date(2026, 5, 5)
