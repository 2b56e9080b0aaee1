"""Demo test sites: two time zones, so the roster and the booking page show local times."""

from __future__ import annotations

import datetime as dt

from wrenchmark.accounts.models import User
from wrenchmark.appointments.models import Appointment, TestSite
from wrenchmark.appointments.services import appointment_book
from wrenchmark.core import clock
from wrenchmark.core.exceptions import ApplicationError
from wrenchmark.registrations.models import Registration, RegistrationStatus

WEEKDAYS_8_TO_5 = {day: ["08:00", "17:00"] for day in ("mon", "tue", "wed", "thu", "fri")}

DEMO_SITES = (
    {
        "name": "Dayton Testing Center",
        "address": "1400 Wayne Ave, Dayton, OH 45410",
        "time_zone": "America/New_York",
        "seats": 12,
        "opening_hours": {**WEEKDAYS_8_TO_5, "sat": ["09:00", "13:00"]},
    },
    {
        "name": "Denver Technical Testing",
        "address": "2250 Blake St, Denver, CO 80205",
        "time_zone": "America/Denver",
        "seats": 6,
        "opening_hours": {day: ["07:30", "18:30"] for day in ("mon", "tue", "wed", "thu", "fri", "sat")},
    },
)
DEMO_PROCTOR = "bob.proctor@demo.wrenchmark.test"


def demo_sites_load() -> list[TestSite]:
    """Create the demo sites once (matched by name) and assign the demo proctor to both when present."""
    proctor = User.objects.filter(email=DEMO_PROCTOR).first()
    sites = []
    for spec in DEMO_SITES:
        site, _ = TestSite.objects.get_or_create(name=spec["name"], defaults=spec)
        if proctor is not None:
            site.proctors.add(proctor)
        sites.append(site)
    return sites


def demo_appointment_load() -> Appointment | None:
    """Book James's bought A2 at the earliest slot a demo site can take (at least 15 minutes from now),
    so the proctor's roster has someone to check in. Once: nothing if he already has an appointment."""
    james = User.objects.filter(email="james.carter@demo.wrenchmark.test").first()
    if james is None:
        return None
    registration = Registration.objects.filter(
        candidate=james, test__code="A2", status=RegistrationStatus.OPEN
    ).first()
    if registration is None or Appointment.objects.filter(registration=registration).exists():
        return None
    earliest = clock.now() + dt.timedelta(minutes=15)
    earliest = earliest.replace(minute=earliest.minute - earliest.minute % 15, second=0, microsecond=0)
    for step in range(7 * 24 * 4):
        starts_at = earliest + dt.timedelta(minutes=15 * step)
        for site in TestSite.objects.filter(name__in=[s["name"] for s in DEMO_SITES]).order_by("name"):
            try:
                return appointment_book(
                    registration=registration, site=site, starts_at=starts_at, acting_user=james, notify=False
                )
            except ApplicationError:
                continue
    return None
