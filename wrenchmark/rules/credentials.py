"""Work out the status and expiry of each credential on a date."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date

from wrenchmark.rules.experience import ExperienceProgress
from wrenchmark.rules.types import WITHDRAWN, Outcome, Policy, Result, Status, TestRule


@dataclass(frozen=True, slots=True)
class CredentialState:
    """Report one credential as it stands on a date.

    - ``passed_on``: the latest pass of the initial test (the start of the
      current lineage).
    - ``certified_on``: the first day of the current certified period, or
      ``None`` if the lineage never became certified (see
      :func:`credential_state`).
    - ``expires_on``: the last valid day; the credential is ``EXPIRED`` from
      the day after.
    - ``renewed``: a recertification pass has renewed the lineage.
    - ``days_to_expiry``: ``(expires_on - on).days``, negative once expired.
    """

    test_code: str
    status: Status
    passed_on: date
    certified_on: date | None
    expires_on: date
    renewed: bool
    days_to_expiry: int


def add_years(d: date, years: int) -> date:
    """Return the same calendar day ``years`` later (or earlier).

    February 29 moves to February 28 when the target year is not a leap year.
    """
    try:
        return d.replace(year=d.year + years)
    except ValueError:
        return d.replace(year=d.year + years, day=28)


def _certified_on(
    test: TestRule, experience: ExperienceProgress | None, passed_on: date, expires_on: date
) -> date | None:
    """Date the lineage became certified, or ``None`` (never, or lapsed first)."""
    if test.experience is None:
        return passed_on
    if experience is None or not experience.met or experience.met_on is None:
        return None
    certified_on = max(passed_on, experience.met_on)
    return certified_on if certified_on <= expires_on else None


def _status(certified_on: date | None, expires_on: date, on: date, policy: Policy) -> Status:
    days_left = (expires_on - on).days
    if days_left < 0:
        return Status.EXPIRED
    if certified_on is None:
        return Status.AWAITING_EXPERIENCE
    if days_left < policy.expiring_notice_days:
        return Status.EXPIRING
    return Status.CERTIFIED


def credential_state(
    *,
    test: TestRule,
    recert_codes: Iterable[str] = (),
    results: Iterable[Result],
    experience: ExperienceProgress | None,
    on: date,
    policy: Policy,
) -> CredentialState | None:
    """Work out the credential earned by ``test`` as it stands on ``on``.

    Definitions:

    - Only results taken on or before ``on`` count; FAIL and NO_SHOW results
      never change a credential. With no PASS of ``test.code`` the answer is
      ``None``.
    - **Lineage.** The latest PASS of ``test.code`` starts the lineage:
      ``passed_on`` is its date and ``expires_on = add_years(passed_on,
      policy.validity_years)``. The credential is valid through
      ``expires_on`` inclusive and ``EXPIRED`` from the next day.
    - **Experience.** When ``test.experience`` is ``None`` the lineage is
      certified on the pass date. Otherwise it is certified on
      ``max(passed_on, experience.met_on)`` provided that date is no later
      than ``expires_on``; until then it is ``AWAITING_EXPERIENCE``, and a
      banked pass whose expiry arrives first lapses (``EXPIRED`` with
      ``certified_on`` ``None``). A missing ``experience`` counts as not met.
    - **Recertification.** PASS results of ``recert_codes`` taken after
      ``passed_on`` are applied in date order. One taken on day *r* renews
      the lineage only if it was certified on or before *r*; a recertification
      pass with no prior certification does nothing. Renewing sets
      ``expires_on = add_years(r, policy.validity_years)`` and ``renewed``.
      A recertification after expiry also renews: eligibility for the
      recertification test is "has held the certification", so it restores
      the credential; ``certified_on`` then moves to *r*, because the
      credential was not held during the gap.
    - **Status.** ``EXPIRED`` when ``on > expires_on``; else
      ``AWAITING_EXPERIENCE`` when not certified; else ``EXPIRING`` during the
      last ``policy.expiring_notice_days`` valid days, that is when
      ``0 <= days_to_expiry < expiring_notice_days`` (with 90 days the window
      runs from ``expires_on - 89 days`` through ``expires_on``); else
      ``CERTIFIED``.
    """
    recert = frozenset(recert_codes)
    passes = [r for r in results if r.outcome is Outcome.PASS and r.taken_on <= on]
    initial = sorted(r.taken_on for r in passes if r.test_code == test.code)
    if not initial:
        return None
    passed_on = initial[-1]
    expires_on = add_years(passed_on, policy.validity_years)
    certified_on = _certified_on(test, experience, passed_on, expires_on)
    renewed = False
    recert_passes = sorted(r.taken_on for r in passes if r.test_code in recert and r.taken_on > passed_on)
    if certified_on is not None:
        for taken_on in recert_passes:
            if taken_on < certified_on:
                continue  # not yet certified: this recertification does nothing
            if taken_on > expires_on:
                certified_on = taken_on
            expires_on = add_years(taken_on, policy.validity_years)
            renewed = True
    return CredentialState(
        test_code=test.code,
        status=_status(certified_on, expires_on, on, policy),
        passed_on=passed_on,
        certified_on=certified_on,
        expires_on=expires_on,
        renewed=renewed,
        days_to_expiry=(expires_on - on).days,
    )


def credential_adjusted(
    state: CredentialState,
    *,
    extensions: Mapping[date, date] | None = None,
    withdrawn: Status | None = None,
    on: date,
    policy: Policy,
) -> CredentialState:
    """Apply what is recorded beside the results: renewal-program extensions and a withdrawal.

    - **Extensions** map an expiry to the later expiry a renewal-program year earned from it. They chain
      from the computed ``expires_on`` (``e → extensions[e] → …``) and apply only to a certified lineage;
      a recertification by test that moves the expiry elsewhere leaves them behind.
    - **Withdrawn** (``SUSPENDED`` or ``REVOKED``) replaces the status whatever the dates say; such a
      credential is never current, so it counts toward no designation or prerequisite.
    """
    expires_on = state.expires_on
    if state.certified_on is not None and extensions:
        seen: set[date] = set()
        while expires_on in extensions and expires_on not in seen:
            seen.add(expires_on)
            expires_on = extensions[expires_on]
    if withdrawn is not None and withdrawn not in WITHDRAWN:
        raise ValueError(f"{withdrawn} is not a withdrawn status")
    status = withdrawn or _status(state.certified_on, expires_on, on, policy)
    if status is state.status and expires_on == state.expires_on:
        return state
    return replace(state, status=status, expires_on=expires_on, days_to_expiry=(expires_on - on).days)


def credential_states(
    *,
    tests: Mapping[str, TestRule],
    results: Iterable[Result],
    experience_by_rule: Mapping[str, ExperienceProgress],
    on: date,
    policy: Policy,
    extensions_by_code: Mapping[str, Mapping[date, date]] | None = None,
    withdrawn_by_code: Mapping[str, Status] | None = None,
) -> dict[str, CredentialState]:
    """Work out every credential the candidate has a pass for, keyed by test code.

    Only initial tests (``recertifies`` is ``None``) get a state; each
    recertification test counts towards the test whose code it names in
    ``recertifies``. Experience is looked up in ``experience_by_rule`` by the
    code of the test's experience rule. ``extensions_by_code`` and ``withdrawn_by_code`` are applied with
    :func:`credential_adjusted`.
    """
    recorded = tuple(results)
    recerts: dict[str, list[str]] = {}
    for rule in tests.values():
        if rule.recertifies is not None:
            recerts.setdefault(rule.recertifies, []).append(rule.code)
    states: dict[str, CredentialState] = {}
    for rule in tests.values():
        if rule.recertifies is not None:
            continue
        experience = None if rule.experience is None else experience_by_rule.get(rule.experience.code)
        state = credential_state(
            test=rule,
            recert_codes=recerts.get(rule.code, ()),
            results=recorded,
            experience=experience,
            on=on,
            policy=policy,
        )
        if state is None:
            continue
        extensions = (extensions_by_code or {}).get(rule.code)
        withdrawn = (withdrawn_by_code or {}).get(rule.code)
        if extensions or withdrawn:
            state = credential_adjusted(
                state, extensions=extensions, withdrawn=withdrawn, on=on, policy=policy
            )
        states[rule.code] = state
    return states
