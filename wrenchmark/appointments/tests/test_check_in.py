"""Check-in: identity, eligibility again, admission (what lets the attempt start), pause, resume and
incidents; a proctor works only their own sites' rosters."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from wrenchmark.appointments.models import AppointmentStatus, CheckIn, Incident
from wrenchmark.appointments.selectors import roster_for
from wrenchmark.appointments.services import (
    appointment_attempt_pause,
    appointment_attempt_resume,
    appointment_book,
    candidate_admit,
    checkin_record,
    incident_log,
)
from wrenchmark.appointments.tests.conftest import DAYTON, SLOT
from wrenchmark.core.audit import audit_events_for
from wrenchmark.core.exceptions import ApplicationError, Conflict, NotFound, PermissionDenied
from wrenchmark.exams.models import Admission, AdmissionSource
from wrenchmark.exams.services import attempt_start

pytestmark = pytest.mark.django_db


def check(appointment: Any, proctor: Any, *, matches: bool = True) -> CheckIn:
    return checkin_record(
        appointment=appointment,
        proctor=proctor,
        id_document_type="drivers_license",
        id_last4="4821",
        id_matches=matches,
        notes="Photo and name match." if matches else "Name on the licence differs.",
    )


@pytest.fixture
def at_the_desk(booked: Any, now: Any) -> Any:
    now.move_to(SLOT + dt.timedelta(minutes=5))
    return booked


def test_the_proctor_admits_a_matching_candidate_and_the_attempt_can_start(
    at_the_desk: Any, proctor_bob: Any, candidate_alice: Any, published_form: Any
) -> None:
    with pytest.raises(Conflict) as not_yet:
        attempt_start(candidate=candidate_alice, form=published_form, session_key="s")
    assert not_yet.value.code == "not_admitted"
    check(at_the_desk, proctor_bob)
    check_in = candidate_admit(appointment=at_the_desk, proctor=proctor_bob)
    assert check_in.admitted
    assert check_in.admission is not None
    assert check_in.admission.source == AdmissionSource.SITE
    assert check_in.admission.admitted_by == proctor_bob
    at_the_desk.refresh_from_db()
    assert at_the_desk.status == AppointmentStatus.CHECKED_IN
    attempt = attempt_start(candidate=candidate_alice, form=published_form, session_key="s")
    assert Admission.objects.get(pk=check_in.admission.pk).attempt == attempt
    actions = list(audit_events_for(at_the_desk).values_list("action", flat=True).order_by("id"))
    assert actions == ["appointment.booked", "appointment.identity_checked", "appointment.checked_in"]


def test_a_candidate_whose_id_does_not_match_is_not_admitted(
    at_the_desk: Any, proctor_bob: Any, candidate_alice: Any
) -> None:
    with pytest.raises(Conflict) as unchecked:
        candidate_admit(appointment=at_the_desk, proctor=proctor_bob)
    assert unchecked.value.code == "identity_not_confirmed"
    check(at_the_desk, proctor_bob, matches=False)
    with pytest.raises(Conflict) as mismatch:
        candidate_admit(appointment=at_the_desk, proctor=proctor_bob)
    assert mismatch.value.code == "identity_not_confirmed"
    assert "did not match" in mismatch.value.message
    assert not Admission.objects.filter(candidate=candidate_alice).exists()
    at_the_desk.refresh_from_db()
    assert at_the_desk.status == AppointmentStatus.BOOKED
    # A second look with the right document can still admit.
    check(at_the_desk, proctor_bob)
    assert candidate_admit(appointment=at_the_desk, proctor=proctor_bob).admitted


def test_eligibility_is_checked_again_at_check_in_and_the_refusal_says_why(
    at_the_desk: Any, proctor_bob: Any, candidate_alice: Any
) -> None:
    from wrenchmark.scoring.services import result_record

    # A5 failed elsewhere three days ago (an imported record): the 30-day wait now applies.
    result_record(
        candidate=candidate_alice,
        test=at_the_desk.registration.test,
        taken_on=dt.date(2026, 11, 28),
        outcome="fail",
        source="import",
        acting_user=None,
    )
    check(at_the_desk, proctor_bob)
    with pytest.raises(Conflict) as refused:
        candidate_admit(appointment=at_the_desk, proctor=proctor_bob)
    assert refused.value.code == "not_eligible"
    assert refused.value.extra == {"refusals": ["retake_locked"]}
    assert "Alice Archer cannot sit A5 today:" in refused.value.message
    assert "2026-12-29" in refused.value.message or "December 29" in refused.value.message
    assert not Admission.objects.filter(candidate=candidate_alice).exists()


def test_admission_only_around_the_appointment_time(booked: Any, now: Any, proctor_bob: Any) -> None:
    now.move_to(SLOT - dt.timedelta(minutes=61))
    check(booked, proctor_bob)
    with pytest.raises(Conflict) as early:
        candidate_admit(appointment=booked, proctor=proctor_bob)
    assert early.value.code == "outside_appointment"
    now.move_to(SLOT - dt.timedelta(minutes=60))
    assert candidate_admit(appointment=booked, proctor=proctor_bob).admitted


def test_a_candidate_is_admitted_once(at_the_desk: Any, proctor_bob: Any) -> None:
    check(at_the_desk, proctor_bob)
    candidate_admit(appointment=at_the_desk, proctor=proctor_bob)
    with pytest.raises(Conflict) as twice:
        candidate_admit(appointment=at_the_desk, proctor=proctor_bob)
    assert twice.value.code == "not_booked"


def test_a_proctor_of_another_site_cannot_touch_the_appointment(
    at_the_desk: Any, denver: Any, candidate_alice: Any
) -> None:
    dora = denver.proctors.get()
    for call in (
        lambda: check(at_the_desk, dora),
        lambda: candidate_admit(appointment=at_the_desk, proctor=dora),
        lambda: incident_log(appointment=at_the_desk, proctor=dora, description="Noise"),
    ):
        with pytest.raises(NotFound):
            call()
    with pytest.raises(PermissionDenied):
        check(at_the_desk, candidate_alice)
    assert not CheckIn.objects.exists()


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [("id_document_type", "library_card", "invalid_id_type"), ("id_last4", "12", "invalid_id_last4")],
)
def test_bad_check_in_input_is_refused(
    at_the_desk: Any, proctor_bob: Any, field: str, value: str, code: str
) -> None:
    values = {"id_document_type": "passport", "id_last4": "A1B2", field: value}
    with pytest.raises(ApplicationError) as caught:
        checkin_record(appointment=at_the_desk, proctor=proctor_bob, id_matches=True, **values)
    assert (caught.value.code, caught.value.field) == (code, field)
    assert not CheckIn.objects.exists()


def test_remote_check_in_records_the_same_steps_with_a_remote_admission(
    now: Any,
    register: Callable[..., Any],
    candidate_alice: Any,
    proctor_bob: Any,
    program_admin_paula: Any,
    auto_area: Any,
) -> None:
    from wrenchmark.experience.services import entry_review, experience_entry_save
    from wrenchmark.scoring.services import result_record

    # A1 certified four years ago (with the experience approved), so the A1R recertification test applies.
    entry = experience_entry_save(
        candidate=candidate_alice,
        employer=None,
        employer_name="Main Street Motors",
        role="Technician",
        start_date=dt.date(2020, 1, 1),
        end_date=None,
        employment_type="full_time",
        areas=[auto_area],
    )
    entry_review(entry=entry, approve=True, reason="", acting_user=program_admin_paula)
    result_record(
        candidate=candidate_alice,
        test=register(candidate_alice, code="A1").test,
        taken_on=dt.date(2022, 12, 1),
        outcome="pass",
        source="import",
        acting_user=None,
    )
    registration = register(candidate_alice, code="A1R")
    starts_at = dt.datetime(2026, 12, 5, 20, 0, tzinfo=DAYTON)
    appointment = appointment_book(
        registration=registration, site=None, starts_at=starts_at, acting_user=candidate_alice
    )
    assert list(roster_for(None, dt.date(2026, 12, 5))) == [appointment]
    now.move_to(starts_at)
    check(appointment, proctor_bob)
    check_in = candidate_admit(appointment=appointment, proctor=proctor_bob)
    assert check_in.admission is not None
    assert check_in.admission.source == AdmissionSource.REMOTE


def test_pause_resume_and_incidents_from_the_roster(
    at_the_desk: Any, now: Any, proctor_bob: Any, candidate_alice: Any, published_form: Any
) -> None:
    check(at_the_desk, proctor_bob)
    with pytest.raises(Conflict) as nothing_to_pause:
        appointment_attempt_pause(appointment=at_the_desk, proctor=proctor_bob, reason="Fire alarm")
    assert nothing_to_pause.value.code == "no_attempt"
    candidate_admit(appointment=at_the_desk, proctor=proctor_bob)
    attempt = attempt_start(candidate=candidate_alice, form=published_form, session_key="s")
    deadline = attempt.deadline
    paused = appointment_attempt_pause(appointment=at_the_desk, proctor=proctor_bob, reason="Fire alarm")
    assert paused.is_paused
    incident = incident_log(
        appointment=at_the_desk, proctor=proctor_bob, description="Fire alarm; room cleared."
    )
    assert incident.attempt == attempt
    now.shift(dt.timedelta(minutes=10))
    resumed = appointment_attempt_resume(appointment=at_the_desk, proctor=proctor_bob)
    assert resumed.deadline == deadline + dt.timedelta(minutes=10)
    assert audit_events_for(at_the_desk).filter(action="appointment.incident").count() == 1
    with pytest.raises(ApplicationError) as empty:
        incident_log(appointment=at_the_desk, proctor=proctor_bob, description="  ")
    assert empty.value.code == "description_required"
    assert Incident.objects.count() == 1


def test_the_roster_is_the_sites_local_day(
    now: Any, dayton: Any, denver: Any, register: Callable[..., Any], make_user: Callable[..., Any]
) -> None:
    early, late = make_user("Early", "Bird"), make_user("Late", "Owl")
    first = appointment_book(
        registration=register(early),
        site=dayton,
        starts_at=dt.datetime(2026, 12, 1, 8, 0, tzinfo=DAYTON),
        acting_user=early,
    )
    # 15:00 in Dayton is 20:00 UTC; the roster still files it under Tuesday at the site.
    last = appointment_book(
        registration=register(late),
        site=dayton,
        starts_at=dt.datetime(2026, 12, 1, 15, 0, tzinfo=DAYTON),
        acting_user=late,
    )
    assert list(roster_for(dayton, dt.date(2026, 12, 1))) == [first, last]
    assert list(roster_for(dayton, dt.date(2026, 12, 2))) == []
    assert list(roster_for(denver, dt.date(2026, 12, 1))) == []


def test_when_the_admitted_attempt_ends_the_appointment_is_completed_and_the_test_taken(
    at_the_desk: Any, proctor_bob: Any, candidate_alice: Any, published_form: Any
) -> None:
    from wrenchmark.exams.services import attempt_submit
    from wrenchmark.registrations.models import RegistrationStatus

    check(at_the_desk, proctor_bob)
    candidate_admit(appointment=at_the_desk, proctor=proctor_bob)
    attempt = attempt_start(candidate=candidate_alice, form=published_form, session_key="s")
    at_the_desk.refresh_from_db()
    assert at_the_desk.status == AppointmentStatus.CHECKED_IN
    attempt_submit(attempt_id=attempt.pk, candidate=candidate_alice, session_key="s")
    at_the_desk.refresh_from_db()
    assert at_the_desk.status == AppointmentStatus.COMPLETED
    assert at_the_desk.registration.status == RegistrationStatus.TAKEN
    assert "appointment.completed" in audit_events_for(at_the_desk).values_list("action", flat=True)
