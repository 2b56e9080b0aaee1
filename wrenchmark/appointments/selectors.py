"""Reads for the candidate's appointments page and the proctor's roster."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Prefetch, QuerySet

from wrenchmark.accounts.models import Role, User
from wrenchmark.appointments.models import Appointment, AppointmentStatus, CheckIn, TestSite
from wrenchmark.registrations.models import Registration, RegistrationStatus


def sites_for_booking() -> QuerySet[TestSite]:
    """Active sites, by name."""
    return TestSite.objects.filter(active=True).order_by("name", "id")


def sites_for_proctor(proctor: User) -> QuerySet[TestSite]:
    """The sites whose roster ``proctor`` may work: every site for a program administrator."""
    if proctor.has_role(Role.PROGRAM_ADMIN):
        return TestSite.objects.all()
    if not proctor.has_role(Role.PROCTOR):
        return TestSite.objects.none()
    return TestSite.objects.filter(proctors=proctor)


def registrations_to_book(candidate: User) -> QuerySet[Registration]:
    """The candidate's open registrations (bought, not yet scheduled), soonest take-by first."""
    return (
        Registration.objects.filter(candidate=candidate, status=RegistrationStatus.OPEN)
        .select_related("test__edition")
        .order_by("take_by", "id")
    )


def appointments_for_candidate(candidate: User) -> QuerySet[Appointment]:
    """Every appointment of the candidate, latest first."""
    return (
        Appointment.objects.filter(registration__candidate=candidate)
        .select_related("registration__test__edition", "site")
        .order_by("-starts_at", "-id")
    )


def roster_for(site: TestSite | None, day: dt.date) -> QuerySet[Appointment]:
    """The appointments at ``site`` (``None``: remote) that start on ``day`` in the site's local time,
    cancelled ones left out; with the candidate and the latest identity check."""
    zone = site.zone if site is not None else ZoneInfo(settings.TIME_ZONE)
    start = dt.datetime.combine(day, dt.time(0), tzinfo=zone)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=zone)
    return (
        Appointment.objects.filter(site=site, starts_at__gte=start, starts_at__lt=end)
        .exclude(status=AppointmentStatus.CANCELLED)
        .select_related("registration__test__edition", "registration__candidate", "site")
        .prefetch_related(
            Prefetch(
                "check_ins",
                queryset=CheckIn.objects.select_related("admission__attempt").order_by("-at", "-id"),
            ),
            "incidents",
        )
        .order_by("starts_at", "registration__candidate__last_name", "id")
    )


def appointments_overview(
    *, start: dt.date, end: dt.date, site: TestSite | None = None, status: str = ""
) -> QuerySet[Appointment]:
    """Appointments starting from ``start`` to ``end`` (inclusive, UTC days) for the program's overview."""
    appointments = (
        Appointment.objects.filter(starts_at__date__gte=start, starts_at__date__lte=end)
        .select_related("site", "registration__candidate", "registration__test")
        .order_by("starts_at", "id")
    )
    if site is not None:
        appointments = appointments.filter(site=site)
    if status:
        appointments = appointments.filter(status=status)
    return appointments
