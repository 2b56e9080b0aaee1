"""Work out whether a business holds the Blue Seal of Excellence, and what would make it lapse.

The rule (reference/ase-program.md §6, confidence B): a business holds the recognition while

1. at least 75 % of its technicians (the people who diagnose and repair) are certified, a technician
   being *certified* when they hold at least one current certification, and
2. every service area it offers (a test code, such as ``A5``) is covered by at least one technician
   currently certified in it.

A business with no technicians never holds it, nor does one that names no service area (it cannot show
that its areas are covered). A certification counts on a day when its status (as
recorded on the day judged) is ``CERTIFIED`` or ``EXPIRING`` and the day lies between ``certified_on`` and
``expires_on``, both included: the day of expiry counts, the day after does not. Suspended, revoked,
expired and awaiting-experience certifications never count.

Looking ahead, :func:`blue_seal_status` assumes no renewals: the records stay as they are and only the
calendar moves, so a requirement met today can only stop being met the day after some certification's
last valid day. Each such first failure within the horizon is a :class:`Lapse`.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction
from typing import Generic, Literal, Protocol, TypeVar

from wrenchmark.rules.types import Status

#: At least this share of the technicians must be certified.
BLUE_SEAL_SHARE = Fraction(3, 4)

#: How far ahead :func:`blue_seal_status` looks for lapses by default.
BLUE_SEAL_HORIZON_DAYS = 365

_CURRENT = frozenset({Status.CERTIFIED, Status.EXPIRING})

T = TypeVar("T", bound=Hashable)


class CertificationRecord(Protocol):
    """Anything that records one certification: a :class:`Certification` or a ``CredentialState``."""

    @property
    def test_code(self) -> str: ...

    @property
    def status(self) -> Status: ...

    @property
    def certified_on(self) -> date | None: ...

    @property
    def expires_on(self) -> date: ...


@dataclass(frozen=True, slots=True)
class Certification:
    """Record one certification of one technician as it stands on the day judged.

    ``status`` is the recorded status on that day; only ``CERTIFIED`` and ``EXPIRING`` can count, and
    then only from ``certified_on`` through ``expires_on``.
    """

    test_code: str
    status: Status
    certified_on: date | None
    expires_on: date


def counts_on(certification: CertificationRecord, day: date) -> bool:
    """Tell whether ``certification`` is current on ``day`` (no renewal assumed after the day judged)."""
    return (
        certification.status in _CURRENT
        and certification.certified_on is not None
        and certification.certified_on <= day <= certification.expires_on
    )


@dataclass(frozen=True, slots=True)
class AreaCoverage(Generic[T]):
    """Report one offered service area: the technicians currently certified in it."""

    code: str
    covered_by: tuple[T, ...]

    @property
    def covered(self) -> bool:
        return bool(self.covered_by)


@dataclass(frozen=True, slots=True)
class Lapse(Generic[T]):
    """Report the first day, with no renewals, that one requirement met today would no longer be met.

    - ``reason``: ``"share"`` (fewer than the required share of technicians certified) or ``"area"``
      (the offered ``area`` left without a certified technician).
    - ``expiring``: the ``(technician, test code)`` certifications whose last valid day was the day
      before ``on`` and whose expiry causes it.
    - ``certified`` / ``technicians``: the count of certified technicians on ``on``, out of all.
    """

    on: date
    reason: Literal["share", "area"]
    area: str | None
    expiring: tuple[tuple[T, str], ...]
    certified: int
    technicians: int

    @property
    def last_valid_day(self) -> date:
        return self.on - timedelta(days=1)


@dataclass(frozen=True, slots=True)
class BlueSealStatus(Generic[T]):
    """Report a business's Blue Seal standing on ``on``.

    - ``technicians``: everyone who counts toward the share, in the order given.
    - ``certified_technicians``: those holding at least one current certification.
    - ``share``: ``len(certified_technicians) / len(technicians)`` (0 with no technicians);
      ``share_ok`` when it is at least ``share_required`` and there is at least one technician.
    - ``areas``: each offered area (in the order given, once) with who covers it;
      ``missing_areas``: the offered areas nobody covers.
    - ``holds``: ``share_ok``, at least one offered area, and no missing area.
    - ``lapses``: for each requirement met on ``on``, the first day within ``horizon_end`` it would
      fail with no renewals, earliest first (ties: the share first, then areas in offered order).
    """

    on: date
    holds: bool
    technicians: tuple[T, ...]
    certified_technicians: tuple[T, ...]
    share: Fraction
    share_required: Fraction
    share_ok: bool
    areas: tuple[AreaCoverage[T], ...]
    missing_areas: tuple[str, ...]
    lapses: tuple[Lapse[T], ...]
    horizon_end: date

    @property
    def percent(self) -> int:
        """The share as a whole percentage, rounded half up, but never shown at or above the required
        share when it falls short of it (74.6 % shows as 74, not 75)."""
        value = int(self.share * 100 + Fraction(1, 2))
        required = int(self.share_required * 100)
        if not self.share_ok and value >= required:
            return max(required - 1, 0)
        return value

    @property
    def stops_on(self) -> date | None:
        """The first day it would no longer hold with no renewals, when it holds today and that day
        falls within the horizon; otherwise ``None``."""
        if not self.holds or not self.lapses:
            return None
        return self.lapses[0].on


@dataclass(frozen=True, slots=True)
class _Snapshot(Generic[T]):
    certified: tuple[T, ...]
    covered_by: dict[str, tuple[T, ...]]


def _snapshot(
    records: Mapping[T, tuple[CertificationRecord, ...]], areas: tuple[str, ...], day: date
) -> _Snapshot[T]:
    certified = tuple(tech for tech, certs in records.items() if any(counts_on(c, day) for c in certs))
    covered_by = {
        area: tuple(
            tech
            for tech, certs in records.items()
            if any(c.test_code == area and counts_on(c, day) for c in certs)
        )
        for area in areas
    }
    return _Snapshot(certified=certified, covered_by=covered_by)


def _share_ok(certified: int, technicians: int, required: Fraction) -> bool:
    return technicians > 0 and Fraction(certified, technicians) >= required


def _expiring_between(
    records: Mapping[T, tuple[CertificationRecord, ...]],
    technicians: Iterable[T],
    last_day: date,
    area: str | None = None,
) -> tuple[tuple[T, str], ...]:
    """The certifications of ``technicians`` (in ``area``, if given) current on ``last_day`` and not
    the day after."""
    return tuple(
        (tech, cert.test_code)
        for tech in technicians
        for cert in records[tech]
        if (area is None or cert.test_code == area)
        and counts_on(cert, last_day)
        and cert.expires_on == last_day
    )


def blue_seal_status(
    *,
    technicians: Mapping[T, Iterable[CertificationRecord]],
    offered_areas: Iterable[str],
    on: date,
    share_required: Fraction = BLUE_SEAL_SHARE,
    horizon_days: int = BLUE_SEAL_HORIZON_DAYS,
) -> BlueSealStatus[T]:
    """Work out the Blue Seal standing of a business on ``on``, and what would lapse when.

    ``technicians`` maps each technician (any hashable id) to their certifications as recorded on
    ``on``; ``offered_areas`` are the test codes of the service areas the business offers. Lapses are
    looked for on the days ``on + 1`` through ``on + horizon_days``.
    """
    if horizon_days < 0:
        raise ValueError("horizon_days must not be negative")
    if not 0 <= share_required <= 1:
        raise ValueError("share_required must be between 0 and 1")
    records = {tech: tuple(certs) for tech, certs in technicians.items()}
    areas = tuple(dict.fromkeys(offered_areas))
    total = len(records)
    today = _snapshot(records, areas, on)
    share = Fraction(len(today.certified), total) if total else Fraction(0)
    share_ok = _share_ok(len(today.certified), total, share_required)
    missing = tuple(area for area in areas if not today.covered_by[area])
    horizon_end = on + timedelta(days=horizon_days)

    # With no renewals a requirement can only start failing the day after some last valid day.
    turning_points = sorted(
        {
            cert.expires_on + timedelta(days=1)
            for certs in records.values()
            for cert in certs
            if cert.status in _CURRENT and on <= cert.expires_on < horizon_end
        }
    )
    lapses: list[Lapse[T]] = []
    share_watch = share_ok
    area_watch = [area for area in areas if today.covered_by[area]]
    for day in turning_points:
        if not share_watch and not area_watch:
            break
        last_day = day - timedelta(days=1)
        previous, now = _snapshot(records, areas, last_day), _snapshot(records, areas, day)
        if share_watch and not _share_ok(len(now.certified), total, share_required):
            lost = [tech for tech in previous.certified if tech not in now.certified]
            lapses.append(
                Lapse(
                    on=day,
                    reason="share",
                    area=None,
                    expiring=_expiring_between(records, lost, last_day),
                    certified=len(now.certified),
                    technicians=total,
                )
            )
            share_watch = False
        for area in list(area_watch):
            if not now.covered_by[area]:
                lapses.append(
                    Lapse(
                        on=day,
                        reason="area",
                        area=area,
                        expiring=_expiring_between(records, previous.covered_by[area], last_day, area),
                        certified=len(now.certified),
                        technicians=total,
                    )
                )
                area_watch.remove(area)

    return BlueSealStatus(
        on=on,
        holds=share_ok and bool(areas) and not missing,
        technicians=tuple(records),
        certified_technicians=today.certified,
        share=share,
        share_required=share_required,
        share_ok=share_ok,
        areas=tuple(AreaCoverage(code=area, covered_by=today.covered_by[area]) for area in areas),
        missing_areas=missing,
        lapses=tuple(lapses),
        horizon_end=horizon_end,
    )
