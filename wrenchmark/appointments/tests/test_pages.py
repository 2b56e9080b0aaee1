"""The candidate's appointments page and the proctor's roster, through the web client."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from conftest import client_for
from wrenchmark.appointments.models import Appointment, AppointmentStatus, CheckIn
from wrenchmark.appointments.tests.conftest import SLOT
from wrenchmark.exams.models import Admission

pytestmark = pytest.mark.django_db


def test_the_candidate_sees_what_to_book_with_take_by_dates_and_books_it(
    now: Any, alice_a5: Any, dayton: Any, candidate_alice: Any
) -> None:
    client = client_for(candidate_alice)
    page = client.get("/appointments/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "A5 Brakes" in html
    assert "Feb. 21, 2027" in html  # take by
    assert '<label for="id_place">' in html
    assert '<label for="id_time">' in html
    response = client.post(
        "/appointments/",
        {"registration": alice_a5.pk, "place": dayton.pk, "day": "2026-12-01", "time": "09:00"},
    )
    assert response.status_code == 302
    appointment = Appointment.objects.get()
    assert appointment.starts_at == SLOT
    page = client.get("/appointments/").content.decode()
    assert "Dayton Testing Center" in page
    assert "You have no tests waiting to be booked." in page


def test_a_refused_booking_shows_the_reason_on_the_form(
    now: Any, alice_a5: Any, dayton: Any, candidate_alice: Any
) -> None:
    response = client_for(candidate_alice).post(
        "/appointments/",
        {"registration": alice_a5.pk, "place": "remote", "day": "2026-12-01", "time": "09:00"},
    )
    assert response.status_code == 400
    assert "A5 cannot be taken remotely; choose a test site." in response.content.decode()
    assert not Appointment.objects.exists()


def test_after_the_cutoff_the_buttons_are_disabled_with_the_reason(
    booked: Any, now: Any, candidate_alice: Any
) -> None:
    client = client_for(candidate_alice)
    page = client.get("/appointments/").content.decode()
    assert f'href="/appointments/{booked.pk}/reschedule/"' in page
    now.move_to(SLOT - dt.timedelta(days=2))
    client = client_for(candidate_alice)  # the earlier session has timed out
    page = client.get("/appointments/").content.decode()
    assert f'href="/appointments/{booked.pk}/reschedule/"' not in page
    assert "disabled" in page
    assert "could be changed until Nov. 28, 2026, 9 a.m. (EST)" in page
    response = client.post(f"/appointments/{booked.pk}/cancel/", follow=True)
    assert "could be changed until" in response.content.decode()
    booked.refresh_from_db()
    assert booked.status == AppointmentStatus.BOOKED


def test_the_candidate_reschedules_and_cancels_from_the_page(
    booked: Any, candidate_alice: Any, dayton: Any
) -> None:
    client = client_for(candidate_alice)
    form = client.get(f"/appointments/{booked.pk}/reschedule/")
    assert form.status_code == 200
    response = client.post(
        f"/appointments/{booked.pk}/reschedule/", {"place": dayton.pk, "day": "2026-12-02", "time": "13:00"}
    )
    assert response.status_code == 302
    booked.refresh_from_db()
    assert booked.local_start.strftime("%Y-%m-%d %H:%M") == "2026-12-02 13:00"
    assert client.post(f"/appointments/{booked.pk}/cancel/").status_code == 302
    booked.refresh_from_db()
    assert booked.status == AppointmentStatus.CANCELLED


def test_another_candidates_appointment_is_not_found(booked: Any, outsider_dave: Any) -> None:
    client = client_for(outsider_dave)
    assert client.get(f"/appointments/{booked.pk}/reschedule/").status_code == 404
    assert client.post(f"/appointments/{booked.pk}/cancel/").status_code == 404


def test_the_proctor_checks_in_and_admits_from_the_roster(
    booked: Any, now: Any, proctor_bob: Any, dayton: Any, candidate_alice: Any
) -> None:
    now.move_to(SLOT - dt.timedelta(minutes=10))
    client = client_for(proctor_bob)
    page = client.get("/appointments/roster/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Alice Archer" in html
    assert candidate_alice.program_id in html
    assert f'<label for="id_a{booked.pk}-id_last4">' in html
    base = f"/appointments/roster/{booked.pk}"
    refused = client.post(f"{base}/admit/", follow=True).content.decode()
    assert "has not been checked against their record" in refused
    client.post(
        f"{base}/check-in/",
        {
            f"a{booked.pk}-id_document_type": "drivers_license",
            f"a{booked.pk}-id_last4": "4821",
            f"a{booked.pk}-id_matches": "on",
        },
    )
    assert CheckIn.objects.get().id_matches
    admitted = client.post(f"{base}/admit/", follow=True).content.decode()
    assert "Alice Archer is admitted and can start the test now." in admitted
    assert Admission.objects.filter(candidate=candidate_alice).count() == 1


def test_a_proctor_of_another_site_gets_404(booked: Any, denver: Any, dayton: Any) -> None:
    client = client_for(denver.proctors.get())
    assert client.get(f"/appointments/roster/?site={dayton.pk}&day=2026-12-01").status_code == 404
    assert client.post(f"/appointments/roster/{booked.pk}/admit/").status_code == 404
    assert client.post(f"/appointments/roster/{booked.pk}/check-in/", {}).status_code == 404
    assert client.get("/appointments/roster/").status_code == 200  # their own site


def test_candidates_have_no_roster(candidate_alice: Any) -> None:
    assert client_for(candidate_alice).get("/appointments/roster/").status_code == 404


def test_the_nav_links_appointments_for_everyone_and_the_roster_for_proctors(
    candidate_alice: Any, proctor_bob: Any
) -> None:
    assert (
        'href="/appointments/roster/"'
        not in client_for(candidate_alice).get("/appointments/").content.decode()
    )
    assert 'href="/appointments/roster/"' in client_for(proctor_bob).get("/appointments/").content.decode()


def test_program_administrators_see_appointments_and_no_shows_by_period_site_and_status(
    booked: Any, now: Any, program_admin_paula: Any, candidate_alice: Any
) -> None:
    from wrenchmark.appointments.services import appointments_mark_no_shows

    paula = client_for(program_admin_paula)
    day = booked.starts_at.date().isoformat()
    page = paula.get(f"/appointments/admin/?from={day}&to={day}").content.decode()
    assert "Alice Archer" in page
    assert "Booked: <strong>1</strong>" in page
    now.move_to(booked.ends_at + dt.timedelta(hours=1))
    appointments_mark_no_shows()
    paula = client_for(program_admin_paula)  # a new sign-in at the later time
    page = paula.get(f"/appointments/admin/?from={day}&to={day}&status=no_show").content.decode()
    assert "No Show: <strong>1</strong>" in page
    assert "Alice Archer" in page
    assert paula.get("/appointments/admin/?from=yesterday").status_code == 200
    assert client_for(candidate_alice).get("/appointments/admin/").status_code == 404


def test_the_roster_and_the_candidates_page_show_the_sites_own_clock(
    now: Any, alice_a5: Any, denver: Any, candidate_alice: Any
) -> None:
    from zoneinfo import ZoneInfo

    from wrenchmark.accounts.models import User as UserModel
    from wrenchmark.appointments.services import appointment_book

    starts_at = dt.datetime(2026, 12, 1, 8, 15, tzinfo=ZoneInfo("America/Denver"))  # 10:15 in New York
    appointment_book(registration=alice_a5, site=denver, starts_at=starts_at, acting_user=candidate_alice)
    dora = UserModel.objects.get(first_name="Dora")
    roster = client_for(dora).get(f"/appointments/roster/?site={denver.pk}&day=2026-12-01").content.decode()
    assert "08:15 · Alice Archer" in roster
    assert "10:15" not in roster
    mine = client_for(candidate_alice).get("/appointments/").content.decode()
    assert "8:15" in mine
    assert "MST" in mine
