from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from wrenchmark.core.exceptions import NotFound
from wrenchmark.employers.services import employer_create
from wrenchmark.experience.access import access_entry_for_candidate, access_entry_for_review
from wrenchmark.experience.selectors import experience_standing, review_queue
from wrenchmark.experience.services import entry_review, experience_entry_save, training_entry_save

pytestmark = pytest.mark.django_db

TODAY = dt.date.today()


def entry_at(
    candidate: Any, employer: Any, area: Any, days: int = 400, employment_type: str = "full_time"
) -> Any:
    return experience_entry_save(
        candidate=candidate,
        employer=employer,
        employer_name="" if employer else "Elsewhere Auto",
        role="Technician",
        start_date=TODAY - dt.timedelta(days=days),
        end_date=None,
        employment_type=employment_type,
        areas=[area],
    )


def test_an_employer_administrator_reviews_only_their_employers_entries(
    candidate_alice: Any, employer_carol: Any, carols_garage: Any, program_admin_paula: Any, auto_area: Any
) -> None:
    other_shop = employer_create(name="Other Shop", acting_user=program_admin_paula)
    at_carols = entry_at(candidate_alice, carols_garage, auto_area)
    elsewhere = entry_at(candidate_alice, other_shop, auto_area)
    unlisted = entry_at(candidate_alice, None, auto_area)

    assert access_entry_for_review(employer_carol, "experience", at_carols.pk) == at_carols
    for entry in (elsewhere, unlisted):
        with pytest.raises(NotFound):
            access_entry_for_review(employer_carol, "experience", entry.pk)
    experience, training = review_queue(employer_carol)
    assert list(experience) == [at_carols]
    assert not training.exists()


def test_a_program_administrator_reviews_everything_and_others_nothing(
    candidate_alice: Any, outsider_dave: Any, proctor_bob: Any, program_admin_paula: Any, auto_area: Any
) -> None:
    entry = entry_at(candidate_alice, None, auto_area)
    training = training_entry_save(
        candidate=candidate_alice,
        kind="college",
        institution="State College",
        program_name="",
        start_date=TODAY - dt.timedelta(days=800),
        end_date=TODAY - dt.timedelta(days=90),
        months_claimed=12,
        areas=[auto_area],
    )
    assert access_entry_for_review(program_admin_paula, "experience", entry.pk) == entry
    assert access_entry_for_review(program_admin_paula, "training", training.pk) == training
    for stranger in (outsider_dave, proctor_bob, candidate_alice):
        with pytest.raises(NotFound):
            access_entry_for_review(stranger, "experience", entry.pk)
        with pytest.raises(NotFound):
            access_entry_for_review(stranger, "training", training.pk)
    with pytest.raises(NotFound):
        access_entry_for_review(program_admin_paula, "experience", entry.pk + 10_000)
    with pytest.raises(NotFound):
        access_entry_for_candidate(outsider_dave, "experience", entry.pk)
    assert access_entry_for_candidate(candidate_alice, "training", training.pk) == training


def test_only_approved_time_counts_toward_the_requirement(
    candidate_alice: Any, program_admin_paula: Any, auto_area: Any, catalog: Any
) -> None:
    def auto_months() -> Any:
        standings = experience_standing(candidate=candidate_alice, edition=catalog, on=TODAY)
        return next(s for s in standings if s.requirement.code == "auto-2y")

    entry = entry_at(candidate_alice, None, auto_area, days=800)
    pending = auto_months()
    assert pending.progress.total_months == 0
    assert not pending.progress.met
    assert "A5" in [t.code for t in pending.tests]
    assert "A5R" not in [t.code for t in pending.tests]

    entry_review(entry=entry, approve=True, reason="", acting_user=program_admin_paula)
    approved = auto_months()
    assert approved.progress.work_months >= 26
    assert approved.progress.met
    assert approved.percent == 100


def test_training_counts_up_to_the_requirements_cap(
    candidate_alice: Any, program_admin_paula: Any, auto_area: Any, catalog: Any
) -> None:
    training = training_entry_save(
        candidate=candidate_alice,
        kind="vocational",
        institution="Tech Center",
        program_name="",
        start_date=TODAY - dt.timedelta(days=900),
        end_date=TODAY - dt.timedelta(days=30),
        months_claimed=20,
        areas=[auto_area],
    )
    entry_review(entry=training, approve=True, reason="", acting_user=program_admin_paula)
    standing = next(
        s
        for s in experience_standing(candidate=candidate_alice, edition=catalog, on=TODAY)
        if s.requirement.code == "auto-2y"
    )
    assert standing.progress.training_months == 12
    assert standing.progress.missing_months == 12
