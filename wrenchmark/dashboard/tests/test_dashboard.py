from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.test import Client

from conftest import PASSWORD
from wrenchmark.catalog.models import Test
from wrenchmark.credentials.standing import candidate_standing
from wrenchmark.experience.services import entry_review, experience_entry_save
from wrenchmark.rules import Status, add_years
from wrenchmark.scoring.services import result_record

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 28)


@pytest.fixture(autouse=True)
def frozen_today() -> Any:
    with time_machine.travel(dt.datetime(2026, 11, 28, 15, 0, tzinfo=dt.UTC), tick=False):
        yield


def approved_experience(candidate: Any, admin: Any, area: Any, years: int = 6) -> None:
    entry = experience_entry_save(
        candidate=candidate,
        employer=None,
        employer_name="Main Street Motors",
        role="Technician",
        start_date=TODAY - dt.timedelta(days=365 * years),
        end_date=None,
        employment_type="full_time",
        areas=[area],
    )
    entry_review(entry=entry, approve=True, reason="", acting_user=admin)


def passes(candidate: Any, admin: Any, edition: Any, dated: dict[str, dt.date]) -> None:
    for code, day in dated.items():
        result_record(
            candidate=candidate,
            test=Test.objects.get(edition=edition, code=code),
            taken_on=day,
            outcome="pass",
            source="demo",
            acting_user=admin,
        )


def test_five_of_eight_shows_master_progress_and_what_remains(
    candidate_alice: Any, program_admin_paula: Any, auto_area: Any, catalog: Any
) -> None:
    approved_experience(candidate_alice, program_admin_paula, auto_area)
    passes(
        candidate_alice,
        program_admin_paula,
        catalog,
        {code: TODAY - dt.timedelta(days=100 + i) for i, code in enumerate(["A1", "A2", "A4", "A5", "A8"])},
    )
    standing = candidate_standing(candidate=candidate_alice)
    master = next(c for c in standing.designations_in_progress if c.progress.code == "master-auto")
    assert (master.progress.achieved, master.progress.required) == (5, 8)
    assert master.progress.missing == ("A3", "A6", "A7")
    assert not master.progress.held
    assert [code for code, eligibility in master.next_steps if eligibility.allowed] == ["A3", "A6", "A7"]

    client = Client()
    client.login(username=candidate_alice.email, password=PASSWORD)
    page = client.get("/dashboard/").content.decode()
    assert 'data-testid="progress-master-auto">5 of 8<' in page
    assert "A9" not in page.split('data-designation="master-auto"')[1].split("</div>")[0]


def test_master_is_held_then_at_risk_then_lapsed_as_a_component_ages(
    candidate_alice: Any, program_admin_paula: Any, auto_area: Any, catalog: Any
) -> None:
    approved_experience(candidate_alice, program_admin_paula, auto_area, years=8)
    a1_day = TODAY - dt.timedelta(days=365 * 4)
    dated = {
        code: TODAY - dt.timedelta(days=30 + i)
        for i, code in enumerate(["A2", "A3", "A4", "A5", "A6", "A7", "A8"])
    }
    passes(candidate_alice, program_admin_paula, catalog, {"A1": a1_day, **dated})
    a1_expiry = add_years(a1_day, 5)

    held = candidate_standing(candidate=candidate_alice)
    master = next(d for d in held.designations if d.code == "master-auto")
    assert master.held
    assert not master.at_risk

    at_risk = candidate_standing(candidate=candidate_alice, on=a1_expiry - dt.timedelta(days=10))
    master = next(d for d in at_risk.designations if d.code == "master-auto")
    assert master.held
    assert master.at_risk
    assert master.at_risk_components == ("A1",)
    assert [row.test.code for row in at_risk.at_risk] == ["A1"]

    lapsed = candidate_standing(candidate=candidate_alice, on=a1_expiry + dt.timedelta(days=1))
    master = next(d for d in lapsed.designations if d.code == "master-auto")
    assert not master.held
    assert master.missing == ("A1",)
    a1 = next(row for row in lapsed.credentials if row.test.code == "A1")
    assert a1.state.status == Status.EXPIRED


def test_a_pass_without_experience_waits_and_the_page_says_so(
    candidate_alice: Any, program_admin_paula: Any, catalog: Any
) -> None:
    passes(candidate_alice, program_admin_paula, catalog, {"A5": TODAY - dt.timedelta(days=20)})
    standing = candidate_standing(candidate=candidate_alice)
    assert [(row.test.code, row.state.status) for row in standing.credentials] == [
        ("A5", Status.AWAITING_EXPERIENCE)
    ]
    client = Client()
    client.login(username=candidate_alice.email, password=PASSWORD)
    page = client.get("/dashboard/").content.decode()
    assert "Passed, awaiting experience" in page
    assert "0 of 24 months" in page


def test_a_staff_member_sees_how_many_entries_wait_for_review(
    employer_carol: Any, carols_garage: Any, candidate_alice: Any, auto_area: Any
) -> None:
    experience_entry_save(
        candidate=candidate_alice,
        employer=carols_garage,
        employer_name="",
        role="Technician",
        start_date=TODAY - dt.timedelta(days=90),
        end_date=None,
        employment_type="part_time",
        areas=[auto_area],
    )
    client = Client()
    client.login(username=employer_carol.email, password=PASSWORD)
    page = client.get("/dashboard/").content.decode()
    assert "1 experience entry waits for your review." in page


def test_the_dashboard_needs_a_login(catalog: Any) -> None:
    response = Client().get("/dashboard/")
    assert response.status_code == 302


def test_bought_tests_show_their_take_by_date(candidate_alice: Any, catalog: Any) -> None:
    from wrenchmark.registrations.services import order_place

    order_place(
        buyer=candidate_alice, tests=[Test.objects.get(edition=catalog, code="A4")], idempotency_key="k1"
    )
    client = Client()
    client.login(username=candidate_alice.email, password=PASSWORD)
    page = client.get("/dashboard/").content.decode()
    row = page.split('data-testid="to-take"')[1].split("</table>")[0]
    assert "A4" in row
    assert (TODAY + dt.timedelta(days=90)).isoformat() in row
    assert "in 90 days" in row
