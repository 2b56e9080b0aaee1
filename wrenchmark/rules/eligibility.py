"""Decide whether a candidate may register for a test on a date, and why not."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from wrenchmark.rules.credentials import CredentialState
from wrenchmark.rules.types import Outcome, Policy, PrerequisiteGroup, Result, Status, TestRule

_CURRENT = frozenset({Status.CERTIFIED, Status.EXPIRING})
_LOCKING = frozenset({Outcome.PASS, Outcome.FAIL})
_KIND_WORDING = {
    "passed": "a passed {codes}",
    "current": "a current {codes} certification",
    "held": "a held {codes} certification (current or expired)",
}

_PREREQUISITE_MISSING = "prerequisite_missing"
_RETAKE_LOCKED = "retake_locked"
_RECERTIFICATION_NOT_HELD = "recertification_not_held"


@dataclass(frozen=True, slots=True)
class Refusal:
    """Explain one reason a registration is refused.

    ``code`` is ``"prerequisite_missing"``, ``"retake_locked"`` or
    ``"recertification_not_held"``; ``message`` is a sentence for the
    candidate; ``until`` is the last refused day for time-based refusals.
    """

    code: str
    message: str
    until: date | None = None


@dataclass(frozen=True, slots=True)
class Eligibility:
    """Answer whether a candidate may register for a test on a date.

    ``earliest`` is ``on`` when allowed; the first day registration opens when
    every refusal is a retake lock (and nothing else would then be missing);
    otherwise ``None``.
    """

    test_code: str
    allowed: bool
    refusals: tuple[Refusal, ...]
    earliest: date | None


def _retake_refusal(test: TestRule, results: Iterable[Result], on: date, policy: Policy) -> Refusal | None:
    sittings = [
        r.taken_on for r in results if r.test_code == test.code and r.outcome in _LOCKING and r.taken_on <= on
    ]
    if not sittings:
        return None
    taken_on = max(sittings)
    until = taken_on + timedelta(days=policy.retake_wait_days)
    if on > until:
        return None
    opens = until + timedelta(days=1)
    return Refusal(
        code=_RETAKE_LOCKED,
        message=f"You took {test.code} on {taken_on.isoformat()}; you can register again from {opens.isoformat()}.",
        until=until,
    )


def _satisfied(
    group: PrerequisiteGroup, passed: frozenset[str], states: Mapping[str, CredentialState], on: date
) -> bool:
    if group.kind == "passed":
        return any(code in passed for code in group.any_of)
    if group.kind == "current":
        return any(code in states and states[code].status in _CURRENT for code in group.any_of)
    return any(
        code in states
        and states[code].status is not Status.REVOKED
        and (certified_on := states[code].certified_on) is not None
        and certified_on <= on
        for code in group.any_of
    )


def _still_current_on(group: PrerequisiteGroup, states: Mapping[str, CredentialState], day: date) -> bool:
    """Tell whether a ``current`` group stays satisfied through ``day`` with no new results."""
    return any(
        code in states and states[code].status in _CURRENT and states[code].expires_on >= day
        for code in group.any_of
    )


def _prerequisite_refusal(test: TestRule, group: PrerequisiteGroup) -> Refusal:
    codes = " or ".join(group.any_of)
    return Refusal(
        code=_PREREQUISITE_MISSING,
        message=f"{test.code} requires {_KIND_WORDING[group.kind].format(codes=codes)}.",
    )


def registration_eligibility(
    *,
    test: TestRule,
    results: Iterable[Result],
    states: Mapping[str, CredentialState],
    on: date,
    policy: Policy,
) -> Eligibility:
    """Decide whether the candidate may register for ``test`` on ``on``.

    ``states`` must be the credential states as of ``on``; only results taken
    on or before ``on`` count. Every refusal is collected, in this order:

    - ``retake_locked``: the latest PASS or FAIL of ``test.code``, taken on
      day *d*, refuses registration through *d* + ``retake_wait_days``
      inclusive (``until``); registration opens on the day after. NO_SHOW
      results never lock.
    - ``prerequisite_missing``: one refusal per unsatisfied
      :class:`~wrenchmark.rules.types.PrerequisiteGroup`, naming its codes.
    - ``recertification_not_held``: a recertification test needs its base
      certification to have been held, that is ``states[base]`` exists and
      has a ``certified_on``.

    ``earliest`` is ``on`` when allowed. When the only refusal is the retake
    lock it is the day after ``until``, unless a ``current`` prerequisite
    expires before then (with no new results the candidate would then be
    refused again), in which case it is ``None``. Otherwise ``None``.
    """
    recorded = [r for r in results if r.taken_on <= on]
    passed = frozenset(r.test_code for r in recorded if r.outcome is Outcome.PASS)
    refusals: list[Refusal] = []

    lock = _retake_refusal(test, recorded, on, policy)
    if lock is not None:
        refusals.append(lock)
    refusals.extend(
        _prerequisite_refusal(test, group)
        for group in test.prerequisites
        if not _satisfied(group, passed, states, on)
    )
    if test.recertifies is not None:
        base = states.get(test.recertifies)
        if base is None or base.certified_on is None:
            refusals.append(
                Refusal(
                    code=_RECERTIFICATION_NOT_HELD,
                    message=f"{test.code} is only for candidates who have held {test.recertifies} certification.",
                )
            )

    earliest: date | None = None
    if not refusals:
        earliest = on
    elif lock is not None and lock.until is not None and refusals == [lock]:
        opens = lock.until + timedelta(days=1)
        current_groups = [group for group in test.prerequisites if group.kind == "current"]
        if all(_still_current_on(group, states, opens) for group in current_groups):
            earliest = opens
    return Eligibility(test_code=test.code, allowed=not refusals, refusals=tuple(refusals), earliest=earliest)
