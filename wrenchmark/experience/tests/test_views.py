from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from conftest import client_for
from wrenchmark.experience.models import ExperienceEntry, ReviewStatus

pytestmark = pytest.mark.django_db

TODAY = dt.date.today()


def entry_form(area: Any, **overrides: Any) -> dict[str, Any]:
    data = {
        "employer": "",
        "employer_name": "Main Street Motors",
        "role": "Line technician",
        "start_date": (TODAY - dt.timedelta(days=500)).isoformat(),
        "end_date": "",
        "employment_type": "full_time",
        "areas": [str(area.pk)],
    }
    data.update(overrides)
    return data


def test_a_candidate_records_employment_and_sees_it_waiting(candidate_alice: Any, auto_area: Any) -> None:
    client = client_for(candidate_alice)
    response = client.post("/experience/experience/add/", entry_form(auto_area), follow=True)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Main Street Motors" in page
    assert "Awaiting review" in page
    assert candidate_alice.experience_entries.get().status == ReviewStatus.PENDING


def test_a_bad_entry_re_renders_with_the_message_and_keeps_what_was_typed(
    candidate_alice: Any, auto_area: Any
) -> None:
    client = client_for(candidate_alice)
    data = entry_form(auto_area, end_date=(TODAY - dt.timedelta(days=900)).isoformat())
    response = client.post("/experience/experience/add/", data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "The end date must be on or after the start date." in page
    assert 'value="Line technician"' in page
    assert 'value="Main Street Motors"' in page
    assert not ExperienceEntry.objects.exists()


def test_the_experience_pages_need_a_login(auto_area: Any) -> None:
    response = Client().get("/experience/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_a_candidate_cannot_open_someone_elses_entry(
    candidate_alice: Any, outsider_dave: Any, auto_area: Any
) -> None:
    client_for(candidate_alice).post("/experience/experience/add/", entry_form(auto_area))
    entry = candidate_alice.experience_entries.get()
    dave = client_for(outsider_dave)
    assert dave.get(f"/experience/experience/{entry.pk}/edit/").status_code == 404
    assert dave.post(f"/experience/experience/{entry.pk}/withdraw/").status_code == 404
    assert dave.get("/experience/review/").status_code == 404
    assert dave.get(f"/experience/review/experience/{entry.pk}/").status_code == 404
    assert ExperienceEntry.objects.filter(pk=entry.pk).exists()


def test_an_employer_administrator_approves_from_the_queue(
    candidate_alice: Any, employer_carol: Any, carols_garage: Any, auto_area: Any
) -> None:
    client_for(candidate_alice).post(
        "/experience/experience/add/", entry_form(auto_area, employer=str(carols_garage.pk), employer_name="")
    )
    entry = candidate_alice.experience_entries.get()
    carol = client_for(employer_carol)
    queue = carol.get("/experience/review/").content.decode()
    assert "Alice Archer" in queue
    missing_reason = carol.post(
        f"/experience/review/experience/{entry.pk}/", {"decision": "reject", "reason": ""}
    )
    assert missing_reason.status_code == 400
    assert "Say why the entry is rejected." in missing_reason.content.decode()
    entry.refresh_from_db()
    assert entry.status == ReviewStatus.PENDING

    approved = carol.post(
        f"/experience/review/experience/{entry.pk}/", {"decision": "approve", "reason": "OK"}
    )
    assert approved.status_code == 302
    entry.refresh_from_db()
    assert entry.status == ReviewStatus.APPROVED
    assert entry.reviewed_by == employer_carol

    months = client_for(candidate_alice).get("/experience/").content.decode()
    assert 'data-testid="months-auto-2y">16<' in months


def test_withdrawing_a_pending_entry_removes_it(candidate_alice: Any, auto_area: Any) -> None:
    client = client_for(candidate_alice)
    client.post("/experience/experience/add/", entry_form(auto_area))
    entry = candidate_alice.experience_entries.get()
    response = client.post(f"/experience/experience/{entry.pk}/withdraw/")
    assert response.status_code == 302
    assert not ExperienceEntry.objects.filter(pk=entry.pk).exists()
