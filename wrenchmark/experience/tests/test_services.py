from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from wrenchmark.core.exceptions import ApplicationError, Conflict
from wrenchmark.core.models import AuditEvent
from wrenchmark.experience.models import ReviewStatus
from wrenchmark.experience.services import (
    entry_review,
    entry_withdraw,
    experience_entry_save,
    training_entry_save,
)

pytestmark = pytest.mark.django_db

TODAY = dt.date.today()


def employment(candidate: Any, area: Any, employer: Any = None, **overrides: Any) -> Any:
    fields: dict[str, Any] = {
        "candidate": candidate,
        "employer": employer,
        "employer_name": "" if employer else "Main Street Motors",
        "role": "Technician",
        "start_date": TODAY - dt.timedelta(days=400),
        "end_date": None,
        "employment_type": "full_time",
        "areas": [area],
    }
    fields.update(overrides)
    return experience_entry_save(**fields)


def test_it_records_an_entry_for_review_and_audits_it(candidate_alice: Any, auto_area: Any) -> None:
    entry = employment(candidate_alice, auto_area)
    assert entry.status == ReviewStatus.PENDING
    assert entry.employer_name == "Main Street Motors"
    assert list(entry.areas.all()) == [auto_area]
    assert AuditEvent.objects.filter(action="experience.recorded", target_id=str(entry.pk)).exists()


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"start_date": TODAY + dt.timedelta(days=1)}, "start_in_future"),
        ({"end_date": TODAY - dt.timedelta(days=500)}, "end_before_start"),
        ({"end_date": TODAY + dt.timedelta(days=3)}, "end_in_future"),
        ({"areas": []}, "areas_required"),
        ({"employer_name": "  "}, "employer_required"),
        ({"role": ""}, "role_required"),
        ({"employment_type": "weekends"}, "invalid_employment_type"),
    ],
)
def test_it_refuses_an_entry_that_does_not_make_sense(
    candidate_alice: Any, auto_area: Any, overrides: dict[str, Any], code: str
) -> None:
    with pytest.raises(ApplicationError) as caught:
        employment(candidate_alice, auto_area, **overrides)
    assert caught.value.code == code
    assert not candidate_alice.experience_entries.exists()


def test_a_listed_employer_names_the_entry(candidate_alice: Any, auto_area: Any, carols_garage: Any) -> None:
    entry = employment(candidate_alice, auto_area, employer=carols_garage, employer_name="ignored")
    assert entry.employer_name == "Carol's Garage"


def test_a_rejection_needs_a_reason_and_an_approval_does_not(
    candidate_alice: Any, auto_area: Any, program_admin_paula: Any
) -> None:
    first = employment(candidate_alice, auto_area)
    with pytest.raises(ApplicationError) as caught:
        entry_review(entry=first, approve=False, reason="  ", acting_user=program_admin_paula)
    assert caught.value.code == "reason_required"
    first.refresh_from_db()
    assert first.status == ReviewStatus.PENDING

    rejected = entry_review(
        entry=first, approve=False, reason="No such employer found.", acting_user=program_admin_paula
    )
    assert rejected.status == ReviewStatus.REJECTED
    assert rejected.reviewed_by == program_admin_paula

    second = employment(candidate_alice, auto_area)
    approved = entry_review(entry=second, approve=True, reason="", acting_user=program_admin_paula)
    assert approved.status == ReviewStatus.APPROVED
    assert AuditEvent.objects.filter(action="experience.approved", target_id=str(second.pk)).exists()
    assert AuditEvent.objects.filter(action="experience.rejected", target_id=str(first.pk)).exists()


def test_an_entry_is_reviewed_once(candidate_alice: Any, auto_area: Any, program_admin_paula: Any) -> None:
    entry = employment(candidate_alice, auto_area)
    entry_review(entry=entry, approve=True, reason="", acting_user=program_admin_paula)
    with pytest.raises(Conflict) as caught:
        entry_review(entry=entry, approve=False, reason="changed my mind", acting_user=program_admin_paula)
    assert caught.value.code == "already_reviewed"


def test_nobody_reviews_their_own_entry(employer_carol: Any, auto_area: Any, carols_garage: Any) -> None:
    entry = employment(employer_carol, auto_area, employer=carols_garage)
    with pytest.raises(ApplicationError) as caught:
        entry_review(entry=entry, approve=True, reason="", acting_user=employer_carol)
    assert caught.value.code == "own_entry"


def test_an_approved_entry_is_frozen_but_a_rejected_one_can_be_corrected(
    candidate_alice: Any, auto_area: Any, program_admin_paula: Any
) -> None:
    entry = employment(candidate_alice, auto_area)
    entry_review(entry=entry, approve=False, reason="Dates look wrong.", acting_user=program_admin_paula)
    corrected = employment(candidate_alice, auto_area, entry=entry, start_date=TODAY - dt.timedelta(days=300))
    assert corrected.pk == entry.pk
    assert corrected.status == ReviewStatus.PENDING
    assert corrected.review_reason == ""

    entry_review(entry=corrected, approve=True, reason="", acting_user=program_admin_paula)
    with pytest.raises(Conflict):
        employment(candidate_alice, auto_area, entry=corrected, role="Changed")
    with pytest.raises(Conflict):
        entry_withdraw(entry=corrected, candidate=candidate_alice)


def test_a_candidate_cannot_change_someone_elses_entry(
    candidate_alice: Any, outsider_dave: Any, auto_area: Any
) -> None:
    entry = employment(candidate_alice, auto_area)
    with pytest.raises(ApplicationError) as caught:
        employment(outsider_dave, auto_area, entry=entry)
    assert caught.value.code == "not_owner"


def test_training_needs_a_completion_date_and_sensible_months(candidate_alice: Any, auto_area: Any) -> None:
    base: dict[str, Any] = {
        "candidate": candidate_alice,
        "kind": "vocational",
        "institution": "County Career Center",
        "program_name": "Automotive Technology",
        "start_date": TODAY - dt.timedelta(days=700),
        "end_date": TODAY - dt.timedelta(days=100),
        "months_claimed": 12,
        "areas": [auto_area],
    }
    training = training_entry_save(**base)
    assert training.status == ReviewStatus.PENDING
    for field, value, code in [
        ("months_claimed", 0, "invalid_months"),
        ("months_claimed", 49, "invalid_months"),
        ("kind", "bootcamp", "invalid_training_kind"),
        ("institution", "", "institution_required"),
    ]:
        with pytest.raises(ApplicationError) as caught:
            training_entry_save(**{**base, field: value})
        assert caught.value.code == code
    assert candidate_alice.training_entries.count() == 1
