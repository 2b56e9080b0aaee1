"""Work out which designations a candidate holds, risks losing, or is building."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from wrenchmark.rules.credentials import CredentialState
from wrenchmark.rules.types import DesignationRule, Status

_CURRENT = frozenset({Status.CERTIFIED, Status.EXPIRING})


@dataclass(frozen=True, slots=True)
class DesignationProgress:
    """Report one designation as it stands on a date.

    - ``current``: the designation's components that count (status
      ``CERTIFIED`` or ``EXPIRING``), ``all_of`` first, each once.
    - ``missing``: the components still needed (see
      :func:`designation_progress`).
    - ``at_risk_components``: the expiring components whose loss would cost
      the designation; empty unless ``at_risk``.
    - ``required`` / ``achieved``: progress as counts of components.
    - ``held_since``: the date from which the current components have made it
      held, or ``None`` when not held.
    """

    code: str
    name: str
    held: bool
    at_risk: bool
    current: tuple[str, ...]
    missing: tuple[str, ...]
    at_risk_components: tuple[str, ...]
    required: int
    achieved: int
    held_since: date | None


def _counts(states: Mapping[str, CredentialState], code: str) -> bool:
    state = states.get(code)
    return state is not None and state.status in _CURRENT


def _expiring(states: Mapping[str, CredentialState], code: str) -> bool:
    state = states.get(code)
    return state is not None and state.status is Status.EXPIRING


def _certified_on(states: Mapping[str, CredentialState], code: str) -> date:
    certified_on = states[code].certified_on
    assert certified_on is not None  # a current credential is always certified
    return certified_on


def _unique(codes: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(codes))


def designation_progress(
    *, designation: DesignationRule, states: Mapping[str, CredentialState], on: date
) -> DesignationProgress:
    """Work out how far the candidate is towards ``designation`` on ``on``.

    ``states`` must be the credential states as of ``on``; components not in
    ``states`` do not count. Definitions:

    - A component counts when its status is ``CERTIFIED`` or ``EXPIRING``.
    - ``held``: every ``all_of`` code counts and at least ``min_any`` of the
      ``any_of`` codes count.
    - ``at_risk``: held, and losing the ``EXPIRING`` components would drop it:
      some ``all_of`` component is expiring, or fewer than ``min_any`` of the
      ``any_of`` components are current without being expiring.
      ``at_risk_components`` lists the expiring ``all_of`` components, plus
      the expiring ``any_of`` components when the ``any_of`` part is at risk.
    - ``required = len(all_of) + min_any``; ``achieved`` is the counting
      ``all_of`` components plus ``min(counting any_of components, min_any)``.
    - ``missing``: the ``all_of`` codes that do not count, followed, when
      fewer than ``min_any`` ``any_of`` codes count, by the ``any_of`` codes
      that do not count.
    - ``held_since``: when held, the latest ``certified_on`` of the components
      that make it held: every ``all_of`` component and, for ``any_of``, the
      ``min_any``-th earliest ``certified_on`` among the counting ones (the
      day enough of them were first in place). ``None`` when not held (or
      when the designation names no components at all).

    ``on`` is the date being judged; the statuses in ``states`` already
    reflect it.
    """
    all_of = _unique(designation.all_of)
    any_of = tuple(code for code in _unique(designation.any_of) if code not in all_of)
    all_current = tuple(code for code in all_of if _counts(states, code))
    any_current = tuple(code for code in any_of if _counts(states, code))
    min_any = min(designation.min_any, len(any_of))
    held = len(all_current) == len(all_of) and len(any_current) >= min_any

    at_risk_components: tuple[str, ...] = ()
    if held:
        at_risk_components = tuple(code for code in all_of if _expiring(states, code))
        safe_any = [code for code in any_current if not _expiring(states, code)]
        if len(safe_any) < min_any:
            at_risk_components += tuple(code for code in any_current if _expiring(states, code))

    missing = tuple(code for code in all_of if code not in all_current)
    if len(any_current) < min_any:
        missing += tuple(code for code in any_of if code not in any_current)

    held_since: date | None = None
    if held:
        dates = [_certified_on(states, code) for code in all_current]
        if min_any:
            dates.append(sorted(_certified_on(states, code) for code in any_current)[min_any - 1])
        held_since = max(dates, default=None)

    return DesignationProgress(
        code=designation.code,
        name=designation.name,
        held=held,
        at_risk=bool(at_risk_components),
        current=all_current + any_current,
        missing=missing,
        at_risk_components=at_risk_components,
        required=len(all_of) + min_any,
        achieved=len(all_current) + min(len(any_current), min_any),
        held_since=held_since,
    )
