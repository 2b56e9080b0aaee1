"""Check which designations are held, at risk, or in progress."""

from __future__ import annotations

from datetime import date

from wrenchmark.rules import CredentialState, DesignationRule, Status, designation_progress

ON = date(2025, 1, 1)
MASTER = DesignationRule(
    code="master-auto",
    name="Master Automobile Technician",
    all_of=("A1", "A2", "A3", "A4", "A5", "A6", "A7", "A8"),
)
ANY_TWO = DesignationRule(
    code="drivetrain", name="Drivetrain Specialist", all_of=("L1",), any_of=("A2", "A3", "A4"), min_any=2
)


def credential(
    code: str, status: Status = Status.CERTIFIED, certified_on: date | None = date(2022, 1, 1)
) -> CredentialState:
    if status is Status.AWAITING_EXPERIENCE:
        certified_on = None
    expires_on = {Status.EXPIRING: date(2025, 2, 1), Status.EXPIRED: date(2024, 12, 1)}.get(
        status, date(2027, 1, 1)
    )
    return CredentialState(
        test_code=code,
        status=status,
        passed_on=date(2021, 1, 1),
        certified_on=certified_on,
        expires_on=expires_on,
        renewed=False,
        days_to_expiry=(expires_on - ON).days,
    )


def states(*credentials: CredentialState) -> dict[str, CredentialState]:
    return {c.test_code: c for c in credentials}


def master_with(**overrides: CredentialState) -> dict[str, CredentialState]:
    codes = MASTER.all_of
    found = {code: credential(code, certified_on=date(2020, i + 1, 1)) for i, code in enumerate(codes)}
    found.update(overrides)
    return found


def test_it_holds_master_with_all_eight_current_since_the_last_one_arrived() -> None:
    progress = designation_progress(designation=MASTER, states=master_with(), on=ON)

    assert (progress.held, progress.at_risk, progress.required, progress.achieved) == (True, False, 8, 8)
    assert progress.current == MASTER.all_of
    assert progress.missing == ()
    assert progress.held_since == date(2020, 8, 1)


def test_it_reports_five_of_eight_with_the_missing_codes_in_order() -> None:
    five = states(*(credential(code) for code in ("A1", "A2", "A3", "A4", "A5")))

    progress = designation_progress(designation=MASTER, states=five, on=ON)

    assert (progress.held, progress.achieved, progress.required) == (False, 5, 8)
    assert progress.missing == ("A6", "A7", "A8")
    assert progress.held_since is None


def test_it_is_at_risk_when_one_component_is_expiring() -> None:
    progress = designation_progress(
        designation=MASTER, states=master_with(A3=credential("A3", Status.EXPIRING)), on=ON
    )

    assert (progress.held, progress.at_risk, progress.at_risk_components) == (True, True, ("A3",))


def test_it_lapses_when_one_component_has_expired() -> None:
    progress = designation_progress(
        designation=MASTER, states=master_with(A4=credential("A4", Status.EXPIRED)), on=ON
    )

    assert (progress.held, progress.at_risk, progress.achieved) == (False, False, 7)
    assert progress.missing == ("A4",)


def test_it_does_not_count_a_component_awaiting_experience() -> None:
    awaiting = master_with(A8=credential("A8", Status.AWAITING_EXPERIENCE))

    progress = designation_progress(designation=MASTER, states=awaiting, on=ON)

    assert (progress.held, progress.missing) == (False, ("A8",))


def test_it_ignores_credentials_the_designation_does_not_name() -> None:
    with_a9 = master_with(A9=credential("A9", certified_on=date(2024, 12, 1)))
    without_a1 = {code: value for code, value in with_a9.items() if code != "A1"}

    held = designation_progress(designation=MASTER, states=with_a9, on=ON)
    short = designation_progress(designation=MASTER, states=without_a1, on=ON)

    assert (held.current, held.held_since) == (MASTER.all_of, date(2020, 8, 1))
    assert (short.held, short.achieved, short.missing) == (False, 7, ("A1",))


def test_it_needs_only_min_any_of_the_any_of_codes_and_caps_their_progress() -> None:
    three = states(
        credential("L1", certified_on=date(2021, 1, 1)),
        credential("A2", certified_on=date(2023, 6, 1)),
        credential("A3", certified_on=date(2022, 2, 1)),
        credential("A4", certified_on=date(2024, 9, 1)),
    )

    progress = designation_progress(designation=ANY_TWO, states=three, on=ON)

    assert (progress.held, progress.required, progress.achieved) == (True, 3, 3)
    assert progress.current == ("L1", "A2", "A3", "A4")
    # Held from the day the second any_of credential arrived.
    assert progress.held_since == date(2023, 6, 1)


def test_it_lists_the_uncounted_any_of_codes_when_short() -> None:
    one = states(credential("L1"), credential("A3"), credential("A4", Status.EXPIRED))

    progress = designation_progress(designation=ANY_TWO, states=one, on=ON)

    assert (progress.held, progress.achieved, progress.missing) == (False, 2, ("A2", "A4"))


def test_it_is_at_risk_only_when_losing_expiring_any_of_codes_drops_below_min_any() -> None:
    spare = states(credential("L1"), credential("A2"), credential("A3"), credential("A4", Status.EXPIRING))
    no_spare = states(credential("L1"), credential("A2"), credential("A4", Status.EXPIRING))

    safe = designation_progress(designation=ANY_TWO, states=spare, on=ON)
    risky = designation_progress(designation=ANY_TWO, states=no_spare, on=ON)

    assert (safe.held, safe.at_risk, safe.at_risk_components) == (True, False, ())
    assert (risky.held, risky.at_risk, risky.at_risk_components) == (True, True, ("A4",))
