"""What a shop sees of its staff: the credential matrix, what expires soon, and the Blue Seal standing.

This is the bridge between the stored credentials and ``wrenchmark.rules.blue_seal``: it reads the
current technicians (consented, not left) and their credentials, asks the rule, and hands the pages
plain rows. Nothing is stored, so the answer is always today's.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.utils.translation import gettext as _

from wrenchmark.accounts.models import User
from wrenchmark.catalog.models import Test
from wrenchmark.catalog.selectors import catalog_test_list, edition_in_force
from wrenchmark.core import clock
from wrenchmark.core.exceptions import NotFound
from wrenchmark.credentials.models import (
    CURRENT_STATUSES,
    WITHDRAWN_STATUSES,
    Credential,
    CredentialStatus,
    DesignationHolding,
)
from wrenchmark.employers.models import Employer, EmployerMembership
from wrenchmark.employers.selectors import technicians_current
from wrenchmark.rules import BlueSealStatus, Certification, Status, blue_seal_status

#: The "expiring soon" list on the staff page looks this far ahead.
EXPIRING_WINDOW_DAYS = 90

NONE = "none"  # a column's test the technician does not hold


def status_on(credential: Credential, on: dt.date, notice_days: int) -> str:
    """The credential's status on ``on`` from its dates (as the daily refresh would set it), so the
    page is right even before the refresh has run; suspended and revoked are kept as recorded."""
    if credential.status in WITHDRAWN_STATUSES:
        return credential.status
    if credential.expires_on < on:
        return CredentialStatus.EXPIRED
    if credential.certified_on is None:
        return CredentialStatus.AWAITING_EXPERIENCE
    if (credential.expires_on - on).days < notice_days:
        return CredentialStatus.EXPIRING
    return CredentialStatus.CERTIFIED


def status_label(status: str) -> str:
    if status == NONE:
        return _("Not held")
    return str(CredentialStatus(status).label)


def _notice_days(on: dt.date) -> int:
    try:
        return int(edition_in_force(on=on).policy("expiring_notice_days"))
    except NotFound:  # no catalog loaded: the program's usual notice
        return EXPIRING_WINDOW_DAYS


def _tests_by_code(on: dt.date) -> dict[str, Test]:
    try:
        return {test.code: test for test in catalog_test_list(edition=edition_in_force(on=on))}
    except NotFound:
        return {}


@dataclass(frozen=True)
class Held:
    """One credential as the shop sees it on the day."""

    credential: Credential
    status: str

    @property
    def label(self) -> str:
        return status_label(self.status)

    @property
    def is_current(self) -> bool:
        return self.status in CURRENT_STATUSES


@dataclass(frozen=True)
class Column:
    code: str
    name: str
    offered: bool


@dataclass(frozen=True)
class Cell:
    code: str
    held: Held | None

    @property
    def status(self) -> str:
        return self.held.status if self.held else NONE

    @property
    def label(self) -> str:
        return status_label(self.status)


@dataclass(frozen=True)
class TechnicianRow:
    membership: EmployerMembership
    user: User
    designations: list[DesignationHolding]
    held: list[Held]
    cells: list[Cell]

    @property
    def certified(self) -> bool:
        return any(h.is_current for h in self.held)


@dataclass(frozen=True)
class AreaRow:
    code: str
    name: str
    covered_by: list[User]


@dataclass(frozen=True)
class Expiry:
    user: User
    code: str
    expires_on: dt.date


@dataclass(frozen=True)
class LapseRow:
    """One forecast lapse, with people and test names instead of ids."""

    on: dt.date
    reason: str
    area: AreaRow | None
    expiring: list[Expiry]
    certified: int
    technicians: int

    @property
    def last_valid_day(self) -> dt.date:
        return self.on - dt.timedelta(days=1)


@dataclass(frozen=True)
class BlueSeal:
    """The Blue Seal standing on ``status.on`` with names filled in, for the staff and public pages."""

    status: BlueSealStatus[int]
    areas: list[AreaRow]
    missing: list[AreaRow]
    lapses: list[LapseRow]

    @property
    def holds(self) -> bool:
        return self.status.holds

    @property
    def certified(self) -> int:
        return len(self.status.certified_technicians)

    @property
    def technicians(self) -> int:
        return len(self.status.technicians)

    @property
    def covered_areas(self) -> list[AreaRow]:
        return [area for area in self.areas if area.covered_by]


@dataclass(frozen=True)
class StaffMatrix:
    on: dt.date
    columns: list[Column]
    rows: list[TechnicianRow]
    expiring: list[tuple[TechnicianRow, Held]]
    seal: BlueSeal


def _held_by_user(users: Iterable[User], on: dt.date) -> dict[int, list[Held]]:
    notice = _notice_days(on)
    held: dict[int, list[Held]] = defaultdict(list)
    credentials = Credential.objects.filter(holder__in=list(users)).select_related("test")
    for credential in credentials.order_by("holder_id", "test__position", "test_code"):
        held[credential.holder_id].append(Held(credential, status_on(credential, on, notice)))
    return held


def _area_row(code: str, tests: dict[str, Test], people: Iterable[User]) -> AreaRow:
    test = tests.get(code)
    return AreaRow(code=code, name=test.name if test else code, covered_by=list(people))


def _blue_seal(
    employer: Employer,
    users: dict[int, User],
    held: dict[int, list[Held]],
    tests: dict[str, Test],
    on: dt.date,
) -> BlueSeal:
    status = blue_seal_status(
        technicians={
            pk: [
                Certification(
                    test_code=h.credential.test_code,
                    status=Status(h.status),
                    certified_on=h.credential.certified_on,
                    expires_on=h.credential.expires_on,
                )
                for h in held.get(pk, [])
            ]
            for pk in users
        },
        offered_areas=employer.offered_areas,
        on=on,
    )
    areas = [_area_row(a.code, tests, (users[pk] for pk in a.covered_by)) for a in status.areas]
    by_code = {area.code: area for area in areas}
    lapses = [
        LapseRow(
            on=lapse.on,
            reason=lapse.reason,
            area=by_code[lapse.area] if lapse.area else None,
            expiring=[Expiry(users[pk], code, lapse.last_valid_day) for pk, code in lapse.expiring],
            certified=lapse.certified,
            technicians=lapse.technicians,
        )
        for lapse in status.lapses
    ]
    return BlueSeal(
        status=status,
        areas=areas,
        missing=[by_code[code] for code in status.missing_areas],
        lapses=lapses,
    )


def blue_seal_for(employer: Employer, *, on: dt.date | None = None) -> BlueSeal:
    """``employer``'s Blue Seal standing on ``on`` (today), from its current technicians."""
    on = on or clock.today()
    users = {m.user.pk: m.user for m in technicians_current(employer)}
    return _blue_seal(employer, users, _held_by_user(users.values(), on), _tests_by_code(on), on)


def staff_matrix(employer: Employer, *, on: dt.date | None = None) -> StaffMatrix:
    """The staff credential matrix of ``employer`` on ``on`` (today): a row per current technician, a
    column per test any of them holds or the employer offers (catalog order), the credentials expiring
    within ``EXPIRING_WINDOW_DAYS`` and the Blue Seal standing."""
    on = on or clock.today()
    memberships = list(technicians_current(employer))
    users = {m.user.pk: m.user for m in memberships}
    held = _held_by_user(users.values(), on)
    tests = _tests_by_code(on)
    holdings: dict[int, list[DesignationHolding]] = defaultdict(list)
    for holding in DesignationHolding.objects.filter(holder__in=list(users.values())).order_by("code"):
        holdings[holding.holder_id].append(holding)

    codes = set(employer.offered_areas) | {h.credential.test_code for hs in held.values() for h in hs}
    position = {code: (test.position, code) for code, test in tests.items()}
    for hs in held.values():
        for h in hs:
            position.setdefault(h.credential.test_code, (h.credential.test.position, h.credential.test_code))
    columns = [
        Column(
            code=code,
            name=tests[code].name if code in tests else code,
            offered=code in employer.offered_areas,
        )
        for code in sorted(codes, key=lambda c: position.get(c, (10**6, c)))
    ]
    rows: list[TechnicianRow] = []
    for membership in memberships:
        mine = held.get(membership.user.pk, [])
        by_code = {h.credential.test_code: h for h in mine}
        rows.append(
            TechnicianRow(
                membership=membership,
                user=membership.user,
                designations=holdings.get(membership.user.pk, []),
                held=mine,
                cells=[Cell(code=c.code, held=by_code.get(c.code)) for c in columns],
            )
        )
    horizon = on + dt.timedelta(days=EXPIRING_WINDOW_DAYS)
    expiring = sorted(
        ((row, h) for row in rows for h in row.held if h.is_current and h.credential.expires_on <= horizon),
        key=lambda pair: (
            pair[1].credential.expires_on,
            pair[0].user.last_name,
            pair[1].credential.test_code,
        ),
    )
    return StaffMatrix(
        on=on,
        columns=columns,
        rows=rows,
        expiring=expiring,
        seal=_blue_seal(employer, users, held, tests, on),
    )


CSV_HEADER = ("program_id", "name", "test_code", "status", "certified_on", "expires_on")


def _safe(value: str) -> str:
    """Keep a spreadsheet from reading a cell as a formula."""
    return f"'{value}" if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def matrix_csv_rows(matrix: StaffMatrix) -> Iterator[tuple[str, ...]]:
    """One row per technician and credential (a technician holding none gets one row, status
    ``none``), in the matrix's order, statuses as machine-readable values, dates ISO 8601."""
    yield CSV_HEADER
    for row in matrix.rows:
        name = _safe(row.user.get_full_name() or row.user.email)
        if not row.held:
            yield (row.user.program_id, name, "", NONE, "", "")
        for h in row.held:
            credential = h.credential
            yield (
                row.user.program_id,
                name,
                credential.test_code,
                h.status,
                credential.certified_on.isoformat() if credential.certified_on else "",
                credential.expires_on.isoformat(),
            )


def credentials_shared_by(user: User, *, on: dt.date | None = None) -> list[Held]:
    """What an employer would see of ``user``'s credentials on ``on`` (today)."""
    on = on or clock.today()
    return _held_by_user([user], on).get(user.pk, [])
