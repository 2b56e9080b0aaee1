"""Check whether a candidate may register for a test, and the reasons why not."""

from __future__ import annotations

from datetime import date, timedelta

from wrenchmark.rules import (
    CredentialState,
    Eligibility,
    Outcome,
    Policy,
    PrerequisiteGroup,
    Refusal,
    Result,
    Status,
    TestRule,
    registration_eligibility,
)

POLICY = Policy()
A5 = TestRule(code="A5")
A5R = TestRule(code="A5R", recertifies="A5")
L1 = TestRule(code="L1", prerequisites=(PrerequisiteGroup(kind="passed", any_of=("A8",)),))


def sat(code: str, on: date, outcome: Outcome = Outcome.FAIL) -> Result:
    return Result(test_code=code, taken_on=on, outcome=outcome)


def credential(
    code: str,
    status: Status,
    certified_on: date | None = date(2020, 1, 1),
    expires_on: date = date(2027, 1, 1),
) -> CredentialState:
    return CredentialState(
        test_code=code,
        status=status,
        passed_on=date(2020, 1, 1),
        certified_on=certified_on,
        expires_on=expires_on,
        renewed=False,
        days_to_expiry=0,
    )


def check(
    test: TestRule,
    *results: Result,
    on: date,
    states: dict[str, CredentialState] | None = None,
    policy: Policy = POLICY,
) -> Eligibility:
    return registration_eligibility(test=test, results=results, states=states or {}, on=on, policy=policy)


def codes(eligibility: Eligibility) -> tuple[str, ...]:
    return tuple(refusal.code for refusal in eligibility.refusals)


def test_it_locks_retakes_through_the_thirtieth_day() -> None:
    locked = check(A5, sat("A5", date(2026, 3, 2)), on=date(2026, 4, 1))

    assert not locked.allowed
    assert locked.refusals == (
        Refusal(
            code="retake_locked",
            message="You took A5 on 2026-03-02; you can register again from 2026-04-02.",
            until=date(2026, 4, 1),
        ),
    )
    assert locked.earliest == date(2026, 4, 2)


def test_it_allows_registration_again_on_the_thirty_first_day() -> None:
    allowed = check(A5, sat("A5", date(2026, 3, 2)), on=date(2026, 4, 2))

    assert (allowed.allowed, allowed.refusals, allowed.earliest) == (True, (), date(2026, 4, 2))


def test_it_locks_after_a_pass_too_and_counts_from_the_latest_sitting() -> None:
    results = (sat("A5", date(2026, 1, 5)), sat("A5", date(2026, 3, 2), Outcome.PASS))

    eligibility = check(A5, *results, on=date(2026, 3, 20))

    assert eligibility.refusals[0].until == date(2026, 4, 1)


def test_it_does_not_lock_after_a_no_show() -> None:
    eligibility = check(A5, sat("A5", date(2026, 3, 2), Outcome.NO_SHOW), on=date(2026, 3, 3))

    assert eligibility.allowed


def test_it_does_not_lock_one_test_for_a_sitting_of_another() -> None:
    assert check(A5, sat("A6", date(2026, 3, 2)), on=date(2026, 3, 3)).allowed


def test_it_uses_the_policy_wait() -> None:
    one_week = Policy(retake_wait_days=7)

    assert not check(A5, sat("A5", date(2026, 3, 2)), on=date(2026, 3, 9), policy=one_week).allowed
    assert check(A5, sat("A5", date(2026, 3, 2)), on=date(2026, 3, 10), policy=one_week).allowed


def test_it_requires_a_passed_prerequisite_and_names_it() -> None:
    none = check(L1, on=date(2026, 1, 1))
    failed_only = check(L1, sat("A8", date(2025, 6, 1)), on=date(2026, 1, 1))
    passed_later = check(L1, sat("A8", date(2026, 2, 1), Outcome.PASS), on=date(2026, 1, 1))
    passed = check(L1, sat("A8", date(2025, 6, 1), Outcome.PASS), on=date(2026, 1, 1))

    assert none.refusals == (Refusal(code="prerequisite_missing", message="L1 requires a passed A8."),)
    assert none.earliest is None
    assert codes(failed_only) == codes(passed_later) == ("prerequisite_missing",)
    assert passed.allowed


def test_it_requires_a_current_certification_for_a_current_prerequisite() -> None:
    test = TestRule(code="L2", prerequisites=(PrerequisiteGroup(kind="current", any_of=("A6", "A8")),))

    expired = check(test, on=date(2026, 1, 1), states={"A6": credential("A6", Status.EXPIRED)})
    expiring = check(test, on=date(2026, 1, 1), states={"A8": credential("A8", Status.EXPIRING)})
    awaiting = check(
        test, on=date(2026, 1, 1), states={"A8": credential("A8", Status.AWAITING_EXPERIENCE, None)}
    )

    assert expired.refusals[0].message == "L2 requires a current A6 or A8 certification."
    assert expiring.allowed
    assert not awaiting.allowed


def test_it_accepts_an_expired_certification_for_a_held_prerequisite() -> None:
    test = TestRule(code="X1", prerequisites=(PrerequisiteGroup(kind="held", any_of=("A1",)),))

    expired = check(test, on=date(2026, 1, 1), states={"A1": credential("A1", Status.EXPIRED)})
    awaiting = check(
        test, on=date(2026, 1, 1), states={"A1": credential("A1", Status.AWAITING_EXPERIENCE, None)}
    )

    assert expired.allowed
    assert awaiting.refusals[0].message == "X1 requires a held A1 certification (current or expired)."


def test_it_refuses_recertification_without_a_held_base_certification() -> None:
    nothing = check(A5R, on=date(2026, 1, 1))
    never_certified = check(
        A5R, on=date(2026, 1, 1), states={"A5": credential("A5", Status.AWAITING_EXPERIENCE, None)}
    )
    expired = check(A5R, on=date(2026, 1, 1), states={"A5": credential("A5", Status.EXPIRED)})

    assert codes(nothing) == codes(never_certified) == ("recertification_not_held",)
    assert nothing.refusals[0].message == "A5R is only for candidates who have held A5 certification."
    assert expired.allowed


def test_it_collects_every_refusal_and_gives_no_date_when_one_is_not_about_time() -> None:
    test = TestRule(
        code="L1R",
        recertifies="L1",
        prerequisites=(PrerequisiteGroup(kind="passed", any_of=("A8",)),),
    )

    eligibility = check(test, sat("L1R", date(2026, 3, 2)), on=date(2026, 3, 10))

    assert codes(eligibility) == ("retake_locked", "prerequisite_missing", "recertification_not_held")
    assert eligibility.earliest is None


def test_it_gives_no_date_when_a_current_prerequisite_expires_during_the_lock() -> None:
    test = TestRule(code="L2", prerequisites=(PrerequisiteGroup(kind="current", any_of=("A8",)),))
    lapsing = {"A8": credential("A8", Status.EXPIRING, expires_on=date(2026, 3, 20))}
    lasting = {"A8": credential("A8", Status.EXPIRING, expires_on=date(2026, 4, 2))}

    lapses = check(test, sat("L2", date(2026, 3, 2)), on=date(2026, 3, 10), states=lapsing)
    lasts = check(test, sat("L2", date(2026, 3, 2)), on=date(2026, 3, 10), states=lasting)

    assert (codes(lapses), lapses.earliest) == (("retake_locked",), None)
    assert lasts.earliest == date(2026, 3, 2) + timedelta(days=31)
