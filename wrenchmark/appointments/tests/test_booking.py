"""Booking, moving and cancelling appointments: the rules, and bad input refused with nothing changed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from wrenchmark.appointments.models import Appointment, AppointmentStatus
from wrenchmark.appointments.services import (
    appointment_book,
    appointment_cancel,
    appointment_reschedule,
    change_refusal,
)
from wrenchmark.appointments.tests.conftest import DAYTON, DENVER, NOW, SLOT
from wrenchmark.core.audit import audit_events_for
from wrenchmark.core.exceptions import ApplicationError, Conflict, PermissionDenied
from wrenchmark.core.models import AuditEvent
from wrenchmark.registrations.models import RegistrationStatus

pytestmark = pytest.mark.django_db


def assert_refused(call: Callable[[], Any], code: str, *, registration: Any, words: str = "") -> str:
    """``call`` raises ``code``; no appointment, audit entry or registration change is left behind."""
    appointments, audits = Appointment.objects.count(), AuditEvent.objects.count()
    status = type(registration).objects.get(pk=registration.pk).status
    with pytest.raises(ApplicationError) as caught:
        call()
    assert caught.value.code == code, caught.value.message
    assert words in caught.value.message
    assert Appointment.objects.count() == appointments
    assert AuditEvent.objects.count() == audits
    assert type(registration).objects.get(pk=registration.pk).status == status
    return caught.value.message


def test_booking_holds_a_seat_for_check_in_plus_the_test_and_schedules_the_registration(
    booked: Any, alice_a5: Any, candidate_alice: Any
) -> None:
    assert booked.status == AppointmentStatus.BOOKED
    assert booked.starts_at == SLOT
    assert booked.ends_at - booked.starts_at == dt.timedelta(minutes=30 + 75)
    assert booked.booked_at == NOW
    alice_a5.refresh_from_db()
    assert alice_a5.status == RegistrationStatus.SCHEDULED
    assert audit_events_for(booked).get().action == "appointment.booked"
    assert audit_events_for(alice_a5).get().data == {
        "from": "open",
        "to": "scheduled",
        "appointment": booked.pk,
    }


def test_approved_extra_time_lengthens_the_appointment(
    now: Any, alice_a5: Any, dayton: Any, candidate_alice: Any
) -> None:
    from wrenchmark.exams.models import Accommodation, AccommodationKind, AccommodationStatus

    Accommodation.objects.create(
        candidate=candidate_alice,
        kind=AccommodationKind.EXTRA_TIME,
        status=AccommodationStatus.APPROVED,
        time_multiplier="1.5",
    )
    appointment = appointment_book(
        registration=alice_a5, site=dayton, starts_at=SLOT, acting_user=candidate_alice
    )
    assert appointment.ends_at - appointment.starts_at == dt.timedelta(minutes=30 + 113)


def test_only_the_candidate_or_a_program_administrator_books(
    now: Any, alice_a5: Any, dayton: Any, outsider_dave: Any, program_admin_paula: Any
) -> None:
    with pytest.raises(PermissionDenied):
        appointment_book(registration=alice_a5, site=dayton, starts_at=SLOT, acting_user=outsider_dave)
    appointment = appointment_book(
        registration=alice_a5, site=dayton, starts_at=SLOT, acting_user=program_admin_paula
    )
    assert appointment.booked_by == program_admin_paula


def test_a_scheduled_registration_cannot_be_booked_twice(
    booked: Any, alice_a5: Any, candidate_alice: Any, dayton: Any
) -> None:
    assert_refused(
        lambda: appointment_book(
            registration=alice_a5,
            site=dayton,
            starts_at=SLOT + dt.timedelta(days=1),
            acting_user=candidate_alice,
        ),
        "registration_not_open",
        registration=alice_a5,
        words="scheduled",
    )


def test_booking_the_last_seat_twice_is_refused(
    now: Any, dayton: Any, register: Callable[..., Any], make_user: Callable[..., Any]
) -> None:
    people = [make_user(f"Cand{n}", "Date") for n in range(3)]
    regs = [register(p) for p in people]
    for person, reg in zip(people[:2], regs[:2], strict=True):
        appointment_book(registration=reg, site=dayton, starts_at=SLOT, acting_user=person)
    # A later start that still overlaps the first two appointments needs a third seat.
    message = assert_refused(
        lambda: appointment_book(
            registration=regs[2],
            site=dayton,
            starts_at=SLOT + dt.timedelta(minutes=60),
            acting_user=people[2],
        ),
        "no_seat",
        registration=regs[2],
    )
    assert "Dayton Testing Center" in message
    # Once the first appointments end, the seat is free again.
    appointment_book(
        registration=regs[2], site=dayton, starts_at=SLOT + dt.timedelta(minutes=105), acting_user=people[2]
    )


def test_booking_past_the_take_by_date_is_refused(
    now: Any, register: Callable[..., Any], candidate_alice: Any, dayton: Any
) -> None:
    registration = register(candidate_alice, days=7)  # take by Monday 30 November
    message = assert_refused(
        lambda: appointment_book(
            registration=registration, site=dayton, starts_at=SLOT, acting_user=candidate_alice
        ),
        "after_take_by",
        registration=registration,
    )
    assert "A5 must be taken by" in message


def test_take_by_is_read_in_the_sites_local_day(
    now: Any, register: Callable[..., Any], candidate_alice: Any, denver: Any
) -> None:
    registration = register(candidate_alice, days=4)  # take by Friday 27 November
    # Friday 17:00 in Denver is already Saturday in UTC: still the Friday at the site.
    late_friday = dt.datetime(2026, 11, 27, 17, 0, tzinfo=DENVER)
    assert late_friday.astimezone(dt.UTC).date() == dt.date(2026, 11, 28)
    with pytest.raises(ApplicationError) as closed:
        appointment_book(
            registration=registration, site=denver, starts_at=late_friday, acting_user=candidate_alice
        )
    assert closed.value.code == "outside_hours"  # 17:00 + 105 minutes is after 18:30
    early = dt.datetime(2026, 11, 27, 16, 0, tzinfo=DENVER)
    assert appointment_book(
        registration=registration, site=denver, starts_at=early, acting_user=candidate_alice
    )


@pytest.mark.parametrize(
    ("starts_at", "words"),
    [
        (dt.datetime(2026, 12, 1, 7, 30, tzinfo=DAYTON), "open from 08:00 to 17:00"),  # before opening
        (dt.datetime(2026, 12, 1, 16, 0, tzinfo=DAYTON), "open from 08:00 to 17:00"),  # runs past closing
        (dt.datetime(2026, 12, 5, 10, 0, tzinfo=DAYTON), "closed on Saturday"),
        # A time given in another zone is read at the site: 05:30 in Denver is 07:30 in Dayton.
        (dt.datetime(2026, 12, 1, 5, 30, tzinfo=DENVER), "open from 08:00 to 17:00"),
    ],
)
def test_booking_outside_the_sites_hours_is_refused(
    now: Any, alice_a5: Any, candidate_alice: Any, dayton: Any, starts_at: dt.datetime, words: str
) -> None:
    message = assert_refused(
        lambda: appointment_book(
            registration=alice_a5, site=dayton, starts_at=starts_at, acting_user=candidate_alice
        ),
        "outside_hours",
        registration=alice_a5,
        words=words,
    )
    assert "America/New_York" in message


def test_hours_are_local_so_a_denver_morning_books_at_denver(
    now: Any, alice_a5: Any, candidate_alice: Any, denver: Any
) -> None:
    starts_at = dt.datetime(2026, 12, 1, 7, 30, tzinfo=DENVER)
    appointment = appointment_book(
        registration=alice_a5, site=denver, starts_at=starts_at, acting_user=candidate_alice
    )
    assert appointment.starts_at == dt.datetime(2026, 12, 1, 14, 30, tzinfo=dt.UTC)
    assert appointment.local_start.strftime("%H:%M %Z") == "07:30 MST"


def test_booking_in_the_past_is_refused(now: Any, alice_a5: Any, candidate_alice: Any, dayton: Any) -> None:
    assert_refused(
        lambda: appointment_book(
            registration=alice_a5,
            site=dayton,
            starts_at=NOW - dt.timedelta(hours=1),
            acting_user=candidate_alice,
        ),
        "in_past",
        registration=alice_a5,
    )


def test_remote_only_for_tests_the_catalog_allows_remotely(
    now: Any, alice_a5: Any, candidate_alice: Any, register: Callable[..., Any]
) -> None:
    message = assert_refused(
        lambda: appointment_book(
            registration=alice_a5, site=None, starts_at=SLOT, acting_user=candidate_alice
        ),
        "remote_not_allowed",
        registration=alice_a5,
    )
    assert message == "A5 cannot be taken remotely; choose a test site."
    recertification = register(candidate_alice, code="A1R")
    appointment = appointment_book(
        registration=recertification,
        site=None,
        starts_at=dt.datetime(2026, 12, 5, 22, 0, tzinfo=DAYTON),
        acting_user=candidate_alice,
    )
    assert appointment.is_remote
    assert appointment.ends_at - appointment.starts_at == dt.timedelta(minutes=30 + 30)


def test_an_inactive_site_takes_no_bookings(
    now: Any, alice_a5: Any, candidate_alice: Any, dayton: Any
) -> None:
    dayton.active = False
    dayton.save()
    assert_refused(
        lambda: appointment_book(
            registration=alice_a5, site=dayton, starts_at=SLOT, acting_user=candidate_alice
        ),
        "site_inactive",
        registration=alice_a5,
    )


def test_a_candidate_cannot_be_in_two_appointments_at_once(
    booked: Any, candidate_alice: Any, register: Callable[..., Any], denver: Any
) -> None:
    other = register(candidate_alice, code="A8")
    assert_refused(
        lambda: appointment_book(
            registration=other,
            site=denver,
            starts_at=SLOT + dt.timedelta(minutes=30),
            acting_user=candidate_alice,
        ),
        "candidate_busy",
        registration=other,
    )


def test_rescheduling_moves_the_appointment_and_its_seat(
    booked: Any, candidate_alice: Any, denver: Any, alice_a5: Any
) -> None:
    new_start = dt.datetime(2026, 12, 2, 10, 0, tzinfo=DENVER)
    moved = appointment_reschedule(
        appointment=booked, site=denver, starts_at=new_start, acting_user=candidate_alice
    )
    assert (moved.pk, moved.site, moved.starts_at, moved.sequence) == (booked.pk, denver, new_start, 1)
    assert moved.ends_at == new_start + dt.timedelta(minutes=105)
    assert audit_events_for(moved).filter(action="appointment.rescheduled").count() == 1
    alice_a5.refresh_from_db()
    assert alice_a5.status == RegistrationStatus.SCHEDULED


def test_rescheduling_to_a_full_slot_is_refused_and_keeps_the_old_one(
    booked: Any,
    candidate_alice: Any,
    denver: Any,
    register: Callable[..., Any],
    make_user: Callable[..., Any],
) -> None:
    taken_slot = dt.datetime(2026, 12, 2, 10, 0, tzinfo=DENVER)
    erin = make_user("Erin", "Early")
    appointment_book(registration=register(erin), site=denver, starts_at=taken_slot, acting_user=erin)
    assert_refused(
        lambda: appointment_reschedule(
            appointment=booked, site=denver, starts_at=taken_slot, acting_user=candidate_alice
        ),
        "no_seat",
        registration=booked.registration,
    )
    booked.refresh_from_db()
    assert (booked.site.name, booked.starts_at, booked.sequence) == ("Dayton Testing Center", SLOT, 0)


def test_rescheduling_within_the_same_seat_does_not_count_itself(
    booked: Any, candidate_alice: Any, dayton: Any
) -> None:
    dayton.seats = 1
    dayton.save()
    later = SLOT + dt.timedelta(minutes=30)
    assert (
        appointment_reschedule(
            appointment=booked, site=dayton, starts_at=later, acting_user=candidate_alice
        ).starts_at
        == later
    )


def test_cancelling_frees_the_seat_and_opens_the_registration_again(
    booked: Any, candidate_alice: Any, alice_a5: Any, dayton: Any
) -> None:
    cancelled = appointment_cancel(appointment=booked, acting_user=candidate_alice)
    assert cancelled.status == AppointmentStatus.CANCELLED
    alice_a5.refresh_from_db()
    assert alice_a5.status == RegistrationStatus.OPEN
    assert alice_a5.take_by == NOW.date() + dt.timedelta(days=90)
    again = appointment_book(
        registration=alice_a5, site=dayton, starts_at=SLOT + dt.timedelta(days=1), acting_user=candidate_alice
    )
    assert again.pk != booked.pk


def test_changes_close_three_days_before_with_the_date_they_stopped(
    booked: Any, now: Any, candidate_alice: Any, dayton: Any
) -> None:
    # Still possible at the cutoff itself: Saturday 28 November, 09:00 in Dayton.
    now.move_to(SLOT - dt.timedelta(days=3))
    assert change_refusal(booked) is None
    now.move_to(SLOT - dt.timedelta(days=3) + dt.timedelta(seconds=1))
    reason = change_refusal(booked)
    assert reason is not None
    assert "up to 3 days before" in reason
    assert "until Nov. 28, 2026, 9 a.m. (EST)" in reason
    for call in (
        lambda: appointment_cancel(appointment=booked, acting_user=candidate_alice),
        lambda: appointment_reschedule(
            appointment=booked,
            site=dayton,
            starts_at=SLOT + dt.timedelta(days=1),
            acting_user=candidate_alice,
        ),
    ):
        message = assert_refused(call, "change_closed", registration=booked.registration)
        assert message == reason
    booked.refresh_from_db()
    assert (booked.status, booked.starts_at) == (AppointmentStatus.BOOKED, SLOT)


def test_someone_elses_appointment_cannot_be_moved(booked: Any, outsider_dave: Any) -> None:
    with pytest.raises(PermissionDenied):
        appointment_cancel(appointment=booked, acting_user=outsider_dave)
    booked.refresh_from_db()
    assert booked.status == AppointmentStatus.BOOKED


def test_a_naive_time_is_refused(now: Any, alice_a5: Any, candidate_alice: Any, dayton: Any) -> None:
    with pytest.raises(ApplicationError) as caught:
        appointment_book(
            registration=alice_a5,
            site=dayton,
            starts_at=SLOT.replace(tzinfo=None),
            acting_user=candidate_alice,
        )
    assert caught.value.code == "naive_datetime"


def test_conflicts_are_conflicts(booked: Any, alice_a5: Any, candidate_alice: Any, dayton: Any) -> None:
    with pytest.raises(Conflict):
        appointment_book(registration=alice_a5, site=dayton, starts_at=SLOT, acting_user=candidate_alice)
