"""Check the rules' guarantees over generated dates, entries and policies."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from wrenchmark.rules import (
    CredentialState,
    DesignationRule,
    Employment,
    ExperienceRule,
    Outcome,
    Policy,
    Result,
    Status,
    TestRule,
    Training,
    add_years,
    credential_state,
    designation_progress,
    qualifying_months,
    registration_eligibility,
)
from wrenchmark.rules.tests.strategies import AREAS, FAST, dates, employments, trainings

RULE = ExperienceRule(
    code="2y", months_required=24, training_max_months=12, areas=frozenset({"brakes", "engines"})
)
STATUS_ORDER = {Status.AWAITING_EXPERIENCE: 0, Status.CERTIFIED: 1, Status.EXPIRING: 2, Status.EXPIRED: 3}

policies = st.builds(
    Policy,
    validity_years=st.integers(min_value=1, max_value=10),
    retake_wait_days=st.integers(min_value=0, max_value=400),
    expiring_notice_days=st.integers(min_value=0, max_value=400),
)


def total(employment: list[Employment], training: list[Training], on: date) -> int:
    return qualifying_months(rule=RULE, employment=employment, training=training, on=on).total_months


@FAST
@given(first=dates, second=dates, years=st.integers(min_value=1, max_value=10))
def test_expiry_never_comes_earlier_for_a_later_pass(first: date, second: date, years: int) -> None:
    earlier, later = sorted((first, second))
    policy = Policy(validity_years=years)

    def expiry(passed_on: date) -> date:
        found = credential_state(
            test=TestRule(code="A1"),
            results=(Result(test_code="A1", taken_on=passed_on, outcome=Outcome.PASS),),
            experience=None,
            on=passed_on,
            policy=policy,
        )
        assert found is not None
        return found.expires_on

    assert add_years(earlier, years) <= add_years(later, years)
    assert expiry(earlier) <= expiry(later)
    assert expiry(later).year == later.year + years


@FAST
@given(
    passed_on=dates,
    work=st.lists(employments(), max_size=3),
    needs_experience=st.booleans(),
    policy=policies,
    offsets=st.lists(st.integers(min_value=-30, max_value=12 * 366), min_size=1, max_size=25),
)
def test_a_single_pass_only_moves_forward_from_waiting_to_certified_to_expiring_to_expired(
    passed_on: date, work: list[Employment], needs_experience: bool, policy: Policy, offsets: list[int]
) -> None:
    test = TestRule(code="A1", experience=RULE if needs_experience else None)
    results = (Result(test_code="A1", taken_on=passed_on, outcome=Outcome.PASS),)
    expires_on = add_years(passed_on, policy.validity_years)
    edges = [expires_on - timedelta(days=policy.expiring_notice_days + n) for n in (0, -1)]
    days = sorted(
        {passed_on + timedelta(days=n) for n in offsets}
        | {expires_on, expires_on + timedelta(days=1), *edges}
    )

    seen: list[CredentialState] = []
    for day in days:
        experience = qualifying_months(rule=RULE, employment=work, training=(), on=day)
        found = credential_state(test=test, results=results, experience=experience, on=day, policy=policy)
        if day < passed_on:
            assert found is None
            continue
        assert found is not None
        seen.append(found)

    ranks = [STATUS_ORDER[s.status] for s in seen]
    assert ranks == sorted(ranks)
    certified = {s.certified_on for s in seen if s.certified_on is not None}
    assert len(certified) <= 1
    assert all(s.expires_on == expires_on for s in seen)
    assert all(s.status is Status.EXPIRED for s in seen if s.days_to_expiry < 0)


@FAST
@given(
    work=st.lists(employments(), max_size=5),
    training=st.lists(trainings(), max_size=3),
    first=dates,
    second=dates,
)
def test_qualifying_months_never_drop_as_time_passes(
    work: list[Employment], training: list[Training], first: date, second: date
) -> None:
    earlier, later = sorted((first, second))

    assert total(work, training, earlier) <= total(work, training, later)


@FAST
@given(
    work=st.lists(employments(), max_size=5),
    training=st.lists(trainings(), max_size=3),
    extra_work=employments(),
    extra_training=trainings(),
    on=dates,
)
def test_qualifying_months_never_drop_when_an_entry_is_added(
    work: list[Employment],
    training: list[Training],
    extra_work: Employment,
    extra_training: Training,
    on: date,
) -> None:
    before = total(work, training, on)

    assert total([*work, extra_work], training, on) >= before
    assert total(work, [*training, extra_training], on) >= before


@FAST
@given(
    work=st.lists(employments(), max_size=5),
    training=st.lists(trainings(), max_size=3),
    on=dates,
    required=st.integers(min_value=1, max_value=36),
)
def test_met_on_is_the_first_day_the_requirement_holds(
    work: list[Employment], training: list[Training], on: date, required: int
) -> None:
    rule = ExperienceRule(code="r", months_required=required, training_max_months=6, areas=frozenset(AREAS))

    def met(day: date) -> bool:
        return qualifying_months(rule=rule, employment=work, training=training, on=day).met

    progress = qualifying_months(rule=rule, employment=work, training=training, on=on)

    assert progress.met == met(on)
    if progress.met_on is None:
        assert not progress.met
    else:
        assert progress.met_on <= on
        assert met(progress.met_on)
        assert not met(progress.met_on - timedelta(days=1))


@FAST
@given(
    taken_on=dates,
    wait=st.integers(min_value=0, max_value=400),
    outcome=st.sampled_from([Outcome.PASS, Outcome.FAIL]),
)
def test_the_retake_lock_ends_exactly_after_the_wait(taken_on: date, wait: int, outcome: Outcome) -> None:
    policy = Policy(retake_wait_days=wait)
    results = (Result(test_code="A1", taken_on=taken_on, outcome=outcome),)
    last_locked = taken_on + timedelta(days=wait)

    def check(on: date) -> tuple[bool, date | None]:
        answer = registration_eligibility(
            test=TestRule(code="A1"), results=results, states={}, on=on, policy=policy
        )
        return answer.allowed, answer.earliest

    assert check(taken_on) == (False, last_locked + timedelta(days=1))
    assert check(last_locked) == (False, last_locked + timedelta(days=1))
    assert check(last_locked + timedelta(days=1)) == (True, last_locked + timedelta(days=1))
    no_show = (Result(test_code="A1", taken_on=taken_on, outcome=Outcome.NO_SHOW),)
    assert registration_eligibility(
        test=TestRule(code="A1"), results=no_show, states={}, on=taken_on, policy=policy
    ).allowed


@FAST
@given(
    statuses=st.dictionaries(
        st.sampled_from(["A1", "A2", "A3", "A4", "A5", "A6"]), st.sampled_from(list(Status)), max_size=6
    ),
    min_any=st.integers(min_value=0, max_value=3),
)
def test_a_designation_is_held_exactly_when_every_requirement_is_achieved(
    statuses: dict[str, Status], min_any: int
) -> None:
    on = date(2025, 1, 1)
    designation = DesignationRule(
        code="d", name="D", all_of=("A1", "A2", "A3"), any_of=("A4", "A5", "A6"), min_any=min_any
    )
    states = {
        code: CredentialState(
            test_code=code,
            status=status,
            passed_on=date(2020, 1, 1),
            certified_on=None if status is Status.AWAITING_EXPERIENCE else date(2020, 1, 1),
            expires_on=date(2025, 2, 1),
            renewed=False,
            days_to_expiry=31,
        )
        for code, status in statuses.items()
    }

    progress = designation_progress(designation=designation, states=states, on=on)

    assert progress.achieved <= progress.required == 3 + min_any
    assert progress.held == (progress.achieved == progress.required)
    assert progress.held == (progress.missing == ())
    assert progress.at_risk <= progress.held
    assert (progress.held_since is not None) == progress.held
