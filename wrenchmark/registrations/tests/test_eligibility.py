from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from wrenchmark.core.exceptions import ApplicationError
from wrenchmark.registrations.models import Order, Registration
from wrenchmark.registrations.selectors import purchase_eligibility, registration_check
from wrenchmark.registrations.services import order_place, order_preview

from .conftest import DAY, at


@pytest.mark.django_db
def test_l1_is_refused_without_a_passed_a8_and_nothing_is_bought(
    on_day: None, candidate_alice: Any, test_of: Callable[[str], Any]
) -> None:
    eligibility = registration_check(candidate_alice, test_of("L1"))
    assert not eligibility.allowed
    assert [r.code for r in eligibility.refusals] == ["prerequisite_missing"]
    assert "A8" in eligibility.refusals[0].message
    assert eligibility.earliest is None

    with pytest.raises(ApplicationError) as refused:
        order_place(buyer=candidate_alice, tests=[test_of("A5"), test_of("L1")], idempotency_key="k1")
    assert refused.value.code == "not_eligible"
    assert "L1 requires a passed A8" in refused.value.message
    assert refused.value.extra["refusals"]["L1"]["reasons"][0]["code"] == "prerequisite_missing"
    assert not Order.objects.exists()
    assert not Registration.objects.exists()


@pytest.mark.django_db
def test_l1_can_be_bought_once_a8_is_passed(
    candidate_alice: Any, test_of: Callable[[str], Any], record: Callable[..., Any]
) -> None:
    with at(DAY):
        record(candidate_alice, "A8", DAY - dt.timedelta(days=3))
        order = order_place(buyer=candidate_alice, tests=[test_of("L1")], idempotency_key="k1")
    assert [line.test.code for line in order.lines.all()] == ["L1"]


@pytest.mark.django_db
def test_after_a_fail_the_same_test_is_refused_for_30_days_and_the_page_says_when_it_opens(
    candidate_alice: Any, test_of: Callable[[str], Any], record: Callable[..., Any]
) -> None:
    failed_on = DAY - dt.timedelta(days=10)
    with at(DAY):
        record(candidate_alice, "A5", failed_on, outcome="fail")
        eligibility = registration_check(candidate_alice, test_of("A5"))
        assert not eligibility.allowed
        assert [r.code for r in eligibility.refusals] == ["retake_locked"]
        assert eligibility.earliest == failed_on + dt.timedelta(days=31)
        with pytest.raises(ApplicationError) as refused:
            order_preview(buyer=candidate_alice, tests=[test_of("A5")])
        assert f"Possible from {failed_on + dt.timedelta(days=31)}" in refused.value.message
        # Another test is not locked by the A5 result.
        assert registration_check(candidate_alice, test_of("A6")).allowed

    with at(failed_on + dt.timedelta(days=30)):
        assert not registration_check(candidate_alice, test_of("A5")).allowed
    with at(failed_on + dt.timedelta(days=31)):
        order = order_place(buyer=candidate_alice, tests=[test_of("A5")], idempotency_key="retake")
    assert order.lines.get().registration.test.code == "A5"


@pytest.mark.django_db
def test_a_recertification_test_is_only_for_someone_who_earned_the_certification(
    candidate_alice: Any,
    outsider_dave: Any,
    program_admin_paula: Any,
    test_of: Callable[[str], Any],
    record: Callable[..., Any],
    auto_area: Any,
) -> None:
    from wrenchmark.experience.services import entry_review, experience_entry_save

    with at(DAY):
        refused = registration_check(candidate_alice, test_of("A5R"))
        assert [r.code for r in refused.refusals] == ["recertification_not_held"]
        with pytest.raises(ApplicationError, match="A5R is only for candidates who have held A5"):
            order_place(buyer=candidate_alice, tests=[test_of("A5R")], idempotency_key="k1")

        # Dave passed A5 years ago with the experience to be certified: he may recertify.
        entry = experience_entry_save(
            candidate=outsider_dave,
            employer=None,
            employer_name="Dunn Motors",
            role="Technician",
            start_date=dt.date(2018, 1, 1),
            end_date=None,
            employment_type="full_time",
            areas=[auto_area],
        )
        entry_review(entry=entry, approve=True, reason="Confirmed.", acting_user=program_admin_paula)
        record(outsider_dave, "A5", dt.date(2022, 3, 1))
        assert registration_check(outsider_dave, test_of("A5R")).allowed


@pytest.mark.django_db
def test_a_second_open_registration_for_the_same_test_is_refused_with_its_take_by_date(
    on_day: None, candidate_alice: Any, test_of: Callable[[str], Any]
) -> None:
    order_place(buyer=candidate_alice, tests=[test_of("A5")], idempotency_key="k1")
    answers = purchase_eligibility(candidate=candidate_alice, tests=[test_of("A5"), test_of("A6")])
    assert answers["A6"].allowed
    assert [r.code for r in answers["A5"].refusals] == ["already_registered"]
    assert answers["A5"].refusals[0].until == DAY + dt.timedelta(days=90)
    with pytest.raises(ApplicationError, match="already registered"):
        order_place(buyer=candidate_alice, tests=[test_of("A5")], idempotency_key="k2")
    assert Registration.objects.filter(candidate=candidate_alice).count() == 1
    # The rules' check alone, as check-in runs it, does not count the registration being used.
    assert registration_check(candidate_alice, test_of("A5")).allowed


@pytest.mark.django_db
def test_the_same_idempotency_key_places_one_order(
    on_day: None, candidate_alice: Any, test_of: Callable[[str], Any]
) -> None:
    first = order_place(buyer=candidate_alice, tests=[test_of("A5")], idempotency_key="same")
    again = order_place(buyer=candidate_alice, tests=[test_of("A5")], idempotency_key="same")
    assert again.pk == first.pk
    assert Order.objects.count() == 1
