"""Permission-checked fetches: the only way views reach an appointment or a site's roster."""

from __future__ import annotations

from wrenchmark.accounts.models import User
from wrenchmark.appointments.models import Appointment, TestSite
from wrenchmark.appointments.selectors import sites_for_proctor
from wrenchmark.appointments.services import proctor_can_work
from wrenchmark.core.exceptions import NotFound


def access_appointment_for_candidate(user: User, appointment_id: int) -> Appointment:
    """The candidate's own appointment; anything else is not found."""
    appointment = (
        Appointment.objects.select_related("registration__test__edition", "site")
        .filter(pk=appointment_id, registration__candidate=user)
        .first()
    )
    if appointment is None:
        raise NotFound("No such appointment.")
    return appointment


def access_appointment_for_proctor(user: User, appointment_id: int) -> Appointment:
    """An appointment on a roster ``user`` may work (their sites, or remote); anything else is not found."""
    appointment = (
        Appointment.objects.select_related("registration__test__edition", "registration__candidate", "site")
        .filter(pk=appointment_id)
        .first()
    )
    if appointment is None or not proctor_can_work(user, appointment.site):
        raise NotFound("No such appointment.")
    return appointment


def access_site_for_proctor(user: User, site_id: int) -> TestSite:
    """One of the sites ``user`` proctors at (any site for a program administrator)."""
    site = sites_for_proctor(user).filter(pk=site_id).first()
    if site is None:
        raise NotFound("No such test site.")
    return site
