"""A candidate signs up, records experience; the employer administrator approves it; months change."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest

from conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def log_in(page: Any, email: str, password: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(password)
    page.locator("main").get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r"/dashboard/$"))


def log_out(page: Any) -> None:
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(re.compile(r"/catalog/$"))


def test_an_approved_entry_changes_the_candidates_qualifying_months(
    page: Any, catalog: Any, employer_carol: Any, carols_garage: Any
) -> None:
    start = dt.date.today() - dt.timedelta(days=800)

    # A new candidate signs up.
    page.goto("/accounts/signup/")
    page.get_by_label("First name").fill("Nina")
    page.get_by_label("Last name").fill("Ortiz")
    page.get_by_label("E-mail address").fill("nina.ortiz@example.test")
    page.get_by_label("Password").fill("brake-caliper-bolt-7")
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url(re.compile(r"/dashboard/$"))
    program_id = page.get_by_test_id("program-id").inner_text()
    assert re.fullmatch(r"WM-\d{4}-\d{4}", program_id)

    # She records two years at Carol's Garage; it waits for review and counts nothing yet.
    page.get_by_role("link", name="Experience", exact=True).click()
    months = page.get_by_test_id("months-auto-2y")
    assert months.inner_text() == "0"
    page.get_by_role("link", name="Add employment").click()
    page.get_by_label("Employer on Wrenchmark").select_option(label="Carol's Garage")
    page.get_by_label("Job title").fill("Brake and alignment technician")
    page.get_by_label("Start date").fill(start.isoformat())
    page.get_by_label("Full-time").check()
    page.get_by_label("Automobile and light truck repair").check()
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile(r"/experience/$"))
    assert "Awaiting review" in page.locator("main").inner_text()
    assert page.get_by_test_id("months-auto-2y").inner_text() == "0"
    log_out(page)

    # Carol, the garage's administrator, approves it.
    log_in(page, employer_carol.email, PASSWORD)
    page.get_by_role("link", name="Approvals", exact=True).click()
    page.get_by_role("link", name=re.compile(r"Review Nina Ortiz")).click()
    assert program_id in page.locator("main").inner_text()
    page.get_by_label("Approve").check()
    page.get_by_label("Reason").fill("Worked here full-time; confirmed with payroll.")
    page.get_by_role("button", name="Record decision").click()
    page.wait_for_url(re.compile(r"/experience/review/$"))
    assert "Decision recorded" in page.locator("main").inner_text()
    log_out(page)

    # Nina now sees the approved months count toward the automobile tests.
    log_in(page, "nina.ortiz@example.test", "brake-caliper-bolt-7")
    page.get_by_role("link", name="Experience", exact=True).click()
    counted = int(page.get_by_test_id("months-auto-2y").inner_text())
    assert counted >= 24
    row = page.locator("tr[data-requirement='auto-2y']")
    assert "Met" in row.inner_text()
    assert "Approved" in page.locator("main").inner_text()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "experience-approved.png"), full_page=True)
