"""``manage.py appointments_no_shows``: nobody admitted 30 minutes after the start is a No Show."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command

from wrenchmark.appointments.models import AppointmentStatus
from wrenchmark.appointments.services import candidate_admit, checkin_record
from wrenchmark.appointments.tests.conftest import SLOT
from wrenchmark.core.audit import audit_events_for
from wrenchmark.registrations.models import RegistrationStatus
from wrenchmark.scoring.models import TestResult

pytestmark = pytest.mark.django_db


def run() -> str:
    out = StringIO()
    call_command("appointments_no_shows", stdout=out)
    return out.getvalue().strip()


def test_an_appointment_nobody_was_admitted_to_becomes_a_no_show_once(
    booked: Any, now: Any, candidate_alice: Any, alice_a5: Any
) -> None:
    now.move_to(SLOT + dt.timedelta(minutes=30))
    assert run() == "Marked 0 appointments as No Show."  # still within the grace
    booked.refresh_from_db()
    assert booked.status == AppointmentStatus.BOOKED

    now.move_to(SLOT + dt.timedelta(minutes=31))
    assert run() == "Marked 1 appointments as No Show."
    booked.refresh_from_db()
    alice_a5.refresh_from_db()
    assert booked.status == AppointmentStatus.NO_SHOW
    assert alice_a5.status == RegistrationStatus.NO_SHOW
    result = TestResult.objects.get(candidate=candidate_alice)
    assert (result.test.code, result.outcome, result.taken_on) == ("A5", "no_show", dt.date(2026, 12, 1))
    assert audit_events_for(booked).filter(action="appointment.no_show").count() == 1

    assert run() == "Marked 0 appointments as No Show."
    assert TestResult.objects.filter(candidate=candidate_alice).count() == 1


def test_a_no_show_does_not_lock_the_test(booked: Any, now: Any, candidate_alice: Any) -> None:
    from wrenchmark.credentials.standing import candidate_standing

    now.move_to(SLOT + dt.timedelta(hours=2))
    run()
    assert candidate_standing(candidate=candidate_alice).eligibility("A5").allowed


def test_admitted_cancelled_and_future_appointments_are_left_alone(
    booked: Any, now: Any, proctor_bob: Any, register: Any, make_user: Any, dayton: Any
) -> None:
    from wrenchmark.appointments.services import appointment_book, appointment_cancel

    nina, fred = make_user("Nina", "Noshow"), make_user("Fred", "Future")
    later = appointment_book(
        registration=register(fred), site=dayton, starts_at=SLOT + dt.timedelta(days=2), acting_user=fred
    )
    cancelled = appointment_book(
        registration=register(nina), site=dayton, starts_at=SLOT + dt.timedelta(hours=3), acting_user=nina
    )
    appointment_cancel(appointment=cancelled, acting_user=nina)
    now.move_to(SLOT)
    checkin_record(
        appointment=booked, proctor=proctor_bob, id_document_type="passport", id_last4="9876", id_matches=True
    )
    candidate_admit(appointment=booked, proctor=proctor_bob)
    now.move_to(SLOT + dt.timedelta(hours=6))
    assert run() == "Marked 0 appointments as No Show."
    statuses = {a.pk: a.status for a in type(booked).objects.all()}
    assert statuses == {
        booked.pk: AppointmentStatus.CHECKED_IN,
        later.pk: AppointmentStatus.BOOKED,
        cancelled.pk: AppointmentStatus.CANCELLED,
    }
    assert not TestResult.objects.exists()


def test_an_identity_check_that_failed_still_ends_as_a_no_show(
    booked: Any, now: Any, proctor_bob: Any
) -> None:
    now.move_to(SLOT)
    checkin_record(
        appointment=booked,
        proctor=proctor_bob,
        id_document_type="passport",
        id_last4="9876",
        id_matches=False,
    )
    now.move_to(SLOT + dt.timedelta(hours=1))
    assert run() == "Marked 1 appointments as No Show."
