"""Define the value types the certification rules read and answer with.

Everything here is an immutable value: frozen, slotted dataclasses and string
enums, so rule inputs can be shared, hashed and compared freely. Nothing in
this package imports Django; callers translate their models into these values.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Literal


class Outcome(StrEnum):
    """Name the outcome of one sitting of a test."""

    PASS = "pass"
    FAIL = "fail"
    NO_SHOW = "no_show"


class Status(StrEnum):
    """Name the state of one credential on a given date.

    ``CERTIFIED`` and ``EXPIRING`` are both *current*: the credential is valid
    on that date. ``EXPIRING`` only warns that the end of validity is near.
    """

    AWAITING_EXPERIENCE = "awaiting_experience"
    CERTIFIED = "certified"
    EXPIRING = "expiring"
    EXPIRED = "expired"
    SUSPENDED = "suspended"
    REVOKED = "revoked"


#: Statuses a program administrator sets; the dates never move a credential into or out of them.
WITHDRAWN = frozenset({Status.SUSPENDED, Status.REVOKED})


@dataclass(frozen=True, slots=True)
class Policy:
    """Hold the program-wide timing constants.

    - ``validity_years``: a pass (or recertification pass) is valid for this
      many years, see :func:`wrenchmark.rules.credentials.add_years`.
    - ``retake_wait_days``: after sitting a test on day *d* the candidate may
      not register for it again through *d* + ``retake_wait_days``.
    - ``expiring_notice_days``: a credential is ``EXPIRING`` during its last
      ``expiring_notice_days`` valid days (0 disables the warning).
    """

    validity_years: int = 5
    retake_wait_days: int = 30
    expiring_notice_days: int = 90

    def __post_init__(self) -> None:
        if self.validity_years < 1:
            raise ValueError("validity_years must be at least 1")
        if self.retake_wait_days < 0:
            raise ValueError("retake_wait_days must not be negative")
        if self.expiring_notice_days < 0:
            raise ValueError("expiring_notice_days must not be negative")


@dataclass(frozen=True, slots=True)
class PrerequisiteGroup:
    """Require one of several codes, in the sense given by ``kind``.

    - ``"passed"``: a PASS result on record for any of the codes, taken on or
      before the date being judged.
    - ``"current"``: a certification of any of the codes whose status on that
      date is ``CERTIFIED`` or ``EXPIRING``.
    - ``"held"``: a certification of any of the codes that became certified on
      or before that date, whether still current or since expired.
    """

    kind: Literal["passed", "current", "held"]
    any_of: tuple[str, ...]

    def __post_init__(self) -> None:
        if not self.any_of:
            raise ValueError("a prerequisite group needs at least one code")


@dataclass(frozen=True, slots=True)
class ExperienceRule:
    """Describe a hands-on experience requirement.

    Work and training only count when their areas intersect ``areas``;
    training can stand for at most ``training_max_months`` of the
    ``months_required``.
    """

    code: str
    months_required: int
    training_max_months: int
    areas: frozenset[str]

    def __post_init__(self) -> None:
        if self.months_required < 0:
            raise ValueError("months_required must not be negative")
        if self.training_max_months < 0:
            raise ValueError("training_max_months must not be negative")


@dataclass(frozen=True, slots=True)
class TestRule:
    """Describe one test: its experience rule, prerequisites, and what it renews.

    A recertification test (for example ``A5R``) names the certification it
    renews in ``recertifies`` (``"A5"``); an initial test leaves it ``None``.
    """

    __test__ = False  # not a pytest test class, despite the name

    code: str
    experience: ExperienceRule | None = None
    prerequisites: tuple[PrerequisiteGroup, ...] = ()
    recertifies: str | None = None


@dataclass(frozen=True, slots=True)
class DesignationRule:
    """Describe a designation (such as Master Technician) built from credentials.

    It is held when every code in ``all_of`` is current and at least
    ``min_any`` of the codes in ``any_of`` are current.
    """

    code: str
    name: str
    all_of: tuple[str, ...] = ()
    any_of: tuple[str, ...] = ()
    min_any: int = 0

    def __post_init__(self) -> None:
        if not 0 <= self.min_any <= len(self.any_of):
            raise ValueError("min_any must be between 0 and len(any_of)")


@dataclass(frozen=True, slots=True)
class Result:
    """Record one sitting of a test."""

    test_code: str
    taken_on: date
    outcome: Outcome


@dataclass(frozen=True, slots=True)
class Employment:
    """Record one approved employment entry.

    ``end`` is inclusive; ``None`` means the candidate is still employed.
    """

    start: date
    end: date | None
    full_time: bool
    areas: frozenset[str]

    def __post_init__(self) -> None:
        if self.end is not None and self.end < self.start:
            raise ValueError("employment ends before it starts")


@dataclass(frozen=True, slots=True)
class Training:
    """Record one approved training programme.

    ``months`` is how much experience the training may stand for once it has
    ended; ``end`` ``None`` means it is still under way.
    """

    start: date
    end: date | None
    months: int
    areas: frozenset[str]

    def __post_init__(self) -> None:
        if self.end is not None and self.end < self.start:
            raise ValueError("training ends before it starts")
        if self.months < 0:
            raise ValueError("training months must not be negative")
