"""Two candidates booking a site's last seat at the same moment: one gets it, the other is told why."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from wrenchmark.appointments.models import Appointment
from wrenchmark.appointments.services import appointment_book
from wrenchmark.appointments.tests.conftest import SLOT
from wrenchmark.core.exceptions import Conflict
from wrenchmark.registrations.models import RegistrationStatus


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_bookings_of_the_last_seat_cannot_both_succeed(
    now: Any, dayton: Any, register: Callable[..., Any], make_user: Callable[..., Any]
) -> None:
    dayton.seats = 1
    dayton.save()
    people = [make_user("Sam", "First"), make_user("Sue", "Second")]
    registrations = [register(person) for person in people]
    barrier = threading.Barrier(2)
    booked: list[int] = []
    refused: list[Conflict] = []
    errors: list[BaseException] = []

    def book(index: int) -> None:
        try:
            barrier.wait(timeout=10)
            appointment = appointment_book(
                registration=registrations[index], site=dayton, starts_at=SLOT, acting_user=people[index]
            )
            booked.append(appointment.pk)
        except Conflict as exc:
            refused.append(exc)
        except BaseException as exc:  # reported below, in the test's thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=book, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert len(booked) == 1
    assert [exc.code for exc in refused] == ["no_seat"]
    assert Appointment.objects.filter(site=dayton).count() == 1
    statuses = sorted(
        r.status for r in type(registrations[0]).objects.filter(pk__in=[r.pk for r in registrations])
    )
    assert statuses == [RegistrationStatus.OPEN, RegistrationStatus.SCHEDULED]
