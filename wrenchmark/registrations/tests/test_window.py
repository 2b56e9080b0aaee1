from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command

from wrenchmark.core.audit import audit_events_for
from wrenchmark.registrations.models import Registration, RegistrationStatus
from wrenchmark.registrations.selectors import registrations_open_for
from wrenchmark.registrations.services import order_place

from .conftest import DAY, at


def expire() -> str:
    out = StringIO()
    call_command("registrations_expire", stdout=out)
    return out.getvalue().strip()


@pytest.mark.django_db
def test_a_bought_test_must_be_taken_within_90_days_then_expires_once_and_is_audited(
    candidate_alice: Any, test_of: Callable[[str], Any]
) -> None:
    with at(DAY):
        order = order_place(buyer=candidate_alice, tests=[test_of("A5"), test_of("A6")], idempotency_key="k")
    registrations = [line.registration for line in order.lines.all()]
    take_by = DAY + dt.timedelta(days=90)
    assert {r.take_by for r in registrations} == {take_by}
    Registration.objects.filter(pk=registrations[1].pk).update(status=RegistrationStatus.SCHEDULED)
    assert [r.test.code for r in registrations_open_for(candidate_alice)] == ["A5", "A6"]

    with at(take_by):
        assert expire() == "Expired 0 registrations past their take-by date."
    with at(take_by + dt.timedelta(days=1)):
        assert expire() == "Expired 2 registrations past their take-by date."
        assert expire() == "Expired 0 registrations past their take-by date."

    for registration in registrations:
        registration.refresh_from_db()
        assert registration.status == RegistrationStatus.EXPIRED
        events = audit_events_for(registration).filter(action="registration.expired")
        assert events.count() == 1
    assert list(registrations_open_for(candidate_alice)) == []


@pytest.mark.django_db
def test_expiry_leaves_taken_and_unexpired_registrations_alone(
    candidate_alice: Any, outsider_dave: Any, test_of: Callable[[str], Any]
) -> None:
    with at(DAY):
        taken = order_place(buyer=candidate_alice, tests=[test_of("A5")], idempotency_key="a").lines.get()
    with at(DAY + dt.timedelta(days=30)):
        later = order_place(buyer=outsider_dave, tests=[test_of("A5")], idempotency_key="d").lines.get()
    Registration.objects.filter(pk=taken.registration_id).update(status=RegistrationStatus.TAKEN)
    with at(DAY + dt.timedelta(days=100)):
        assert expire() == "Expired 0 registrations past their take-by date."
    later.registration.refresh_from_db()
    assert later.registration.status == RegistrationStatus.OPEN
