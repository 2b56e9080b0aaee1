"""A candidate sits A5: answers, flags, reviews, closes the browser, resumes, runs out of time, reads the report."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
import time_machine
from playwright.sync_api import expect

from conftest import PASSWORD, admit
from tests.e2e.conftest import axe_findings
from tests.e2e.test_experience_approval import ARTIFACTS, log_in
from wrenchmark.exams.models import Attempt, AttemptStatus

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_candidate_resumes_after_closing_the_browser_and_reads_the_report_after_time_runs_out(
    browser: Any, live_server: Any, published_form: Any, candidate_alice: Any
) -> None:
    def open_page() -> Any:
        context = browser.new_context(base_url=live_server.url, viewport={"width": 1200, "height": 900})
        context.set_default_timeout(15_000)
        return context, context.new_page()

    admit(candidate_alice, published_form.test)
    context, page = open_page()
    log_in(page, candidate_alice.email, PASSWORD)
    page.goto("/exams/")
    page.get_by_role("button", name="Start A5").click()
    page.wait_for_url(re.compile(r"/exams/attempts/\d+/$"))
    attempt = Attempt.objects.get(candidate=candidate_alice)
    timer = page.locator("#timer").inner_text()
    assert timer.startswith("1:14:") or timer == "1:15:00"

    page.locator("#question input[name=answer]").nth(1).check()
    page.get_by_text("All answers saved").wait_for()
    page.get_by_role("button", name="Next").click()
    page.get_by_role("heading", name="Question 2 of").wait_for()
    page.locator("#question input[name=answer]").nth(3).check()
    page.locator("#flag-box").check()
    page.get_by_text("All answers saved").wait_for()
    page.get_by_role("button", name="Next").click()
    page.get_by_role("heading", name="Question 3 of").wait_for()
    page.get_by_text("All answers saved").wait_for()
    page.get_by_role("button", name="Review and submit").click()
    summary = page.locator("#review-summary")
    summary.wait_for()
    assert re.match(r"\d+ unanswered, 1 flagged", summary.inner_text())
    page.get_by_role("button", name="Back to the test").click()
    page.get_by_role("heading", name="Question 3 of").wait_for()
    page.get_by_text("All answers saved").wait_for()
    context.close()  # the browser closes mid-test

    context, page = open_page()
    log_in(page, candidate_alice.email, PASSWORD)
    page.goto(f"/exams/attempts/{attempt.pk}/")
    page.get_by_role("button", name=re.compile("Continue here")).click()
    page.get_by_role("heading", name="Question 3 of").wait_for()
    page.locator(".navigator [data-goto='1']").click()
    page.get_by_role("heading", name="Question 2 of").wait_for()
    assert page.locator("#question input[name=answer]").nth(3).is_checked()
    assert page.locator("#flag-box").is_checked()
    assert "flagged" in (page.locator(".navigator [data-goto='1']").get_attribute("class") or "")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "sitting-resumed.png"), full_page=True)
    assert axe_findings(page) == []
    page.get_by_role("button", name="Review and submit").click()
    page.locator("#review-summary").wait_for()
    assert axe_findings(page) == []
    page.get_by_role("button", name="Back to the test").click()
    page.get_by_role("heading", name="Question 2 of").wait_for()

    attempt.refresh_from_db()
    with time_machine.travel(attempt.deadline + dt.timedelta(seconds=5), tick=True):
        page.reload()
        page.wait_for_url(re.compile(r"/report/$"))
        assert page.get_by_test_id("result").inner_text() == "Fail"
        assert "Time ran out" in page.locator("main").inner_text()
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.TIMED_OUT
    assert attempt.finished_at == attempt.deadline
    assert attempt.responses.exclude(choice=None).count() == 2
    page.screenshot(path=str(ARTIFACTS / "score-report.png"), full_page=True)
    context.close()


SKEWED_CLOCK = """
(() => {
  const RealDate = Date;
  const skew = %d;
  class SkewedDate extends RealDate {
    constructor(...args) { if (args.length) { super(...args); } else { super(RealDate.now() + skew); } }
    static now() { return RealDate.now() + skew; }
  }
  window.Date = SkewedDate;
})();
"""


@pytest.mark.parametrize("skew_ms", [86_400_000, -3_600_000])
def test_a_wrong_device_clock_changes_nothing(
    browser: Any, live_server: Any, published_form: Any, candidate_alice: Any, skew_ms: int
) -> None:
    context = browser.new_context(base_url=live_server.url)
    context.add_init_script(SKEWED_CLOCK % skew_ms)
    page = context.new_page()
    admit(candidate_alice, published_form.test)
    log_in(page, candidate_alice.email, PASSWORD)
    assert abs(page.evaluate("Date.now()") - dt.datetime.now(dt.UTC).timestamp() * 1000 - skew_ms) < 60_000
    page.goto("/exams/")
    page.get_by_role("button", name="Start A5").click()
    page.wait_for_url(re.compile(r"/exams/attempts/\d+/$"))
    page.locator("#question input[name=answer]").first.check()
    page.get_by_text("All answers saved").wait_for()
    attempt = Attempt.objects.get(candidate=candidate_alice)
    shown = page.locator("#timer").inner_text()
    hours, minutes, seconds = (int(part) for part in shown.split(":"))
    server_left = (attempt.deadline - dt.datetime.now(dt.UTC)).total_seconds()
    assert abs(hours * 3600 + minutes * 60 + seconds - server_left) <= 2
    assert attempt.responses.count() == 1
    context.close()


def test_a_candidate_who_passes_sees_the_certification_on_the_dashboard(
    page: Any,
    published_form: Any,
    make_user: Any,
    program_admin_paula: Any,
    auto_area: Any,
) -> None:
    from wrenchmark.experience.services import entry_review, experience_entry_save

    bruno = make_user("Bruno", "Costa")
    entry = experience_entry_save(
        candidate=bruno,
        employer=None,
        employer_name="Harbor Auto",
        role="Technician",
        start_date=dt.date.today() - dt.timedelta(days=3 * 365),
        end_date=None,
        employment_type="full_time",
        areas=[auto_area],
    )
    entry_review(entry=entry, approve=True, reason="", acting_user=program_admin_paula)
    keys = {
        fi.pk: next(o.position for o in fi.version.options.all() if o.is_key)
        for fi in published_form.form_items.prefetch_related("version__options")
    }

    admit(bruno, published_form.test)
    log_in(page, bruno.email, PASSWORD)
    page.goto("/exams/")
    page.get_by_role("button", name="Start A5").click()
    page.wait_for_url(re.compile(r"/exams/attempts/\d+/$"))
    page.get_by_role("heading", name=re.compile("Question 1 of")).wait_for()
    page.wait_for_load_state("networkidle")  # the live server shares this thread's SQLite connection
    attempt = Attempt.objects.get(candidate=bruno)
    total = len(attempt.item_order)
    for position, form_item in enumerate(attempt.item_order):
        page.get_by_role("heading", name=f"Question {position + 1} of {total}").wait_for()
        letter = "ABCD"[attempt.option_orders[str(form_item)].index(keys[form_item])]
        page.locator(f"#question input[name=answer][value={letter}]").check()
        if position + 1 < total:
            page.get_by_role("button", name="Next").click()
    page.get_by_text("All answers saved").wait_for()
    page.get_by_role("button", name="Review and submit").click()
    page.locator("#review-summary").wait_for()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name=re.compile("^Submit")).click()
    page.wait_for_url(re.compile(r"/report/$"))
    assert page.get_by_test_id("result").inner_text() == "Pass"
    expires = dt.date.today().replace(year=dt.date.today().year + 5)
    assert page.get_by_test_id("credential").inner_text() == f"Certified through {expires:%Y-%m-%d}."
    with page.expect_download() as download:
        page.get_by_test_id("report-pdf").click()
    assert download.value.suggested_filename.startswith("score-report-A5-")

    page.goto("/dashboard/")
    row = page.locator("[data-testid=credentials] tr[data-test=A5]")
    assert "Certified" in row.inner_text()
    assert f"{expires:%Y-%m-%d}" in row.inner_text() or f"{expires:%b. %-d, %Y}" in row.inner_text()
    page.get_by_role("link", name="Score report").click()
    page.wait_for_url(re.compile(rf"/exams/attempts/{attempt.pk}/report/$"))
    page.goto("/dashboard/")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "dashboard-after-pass.png"), full_page=True)


def test_a_pause_by_the_proctor_stops_the_clock_and_keeps_the_answers_until_the_test_resumes(
    page: Any, published_form: Any, candidate_alice: Any, proctor_bob: Any
) -> None:
    from wrenchmark.exams.services import attempt_pause, attempt_resume

    admit(candidate_alice, published_form.test)
    log_in(page, candidate_alice.email, PASSWORD)
    page.goto("/exams/")
    page.get_by_role("button", name="Start A5").click()
    page.get_by_role("heading", name=re.compile("Question 1 of")).wait_for()
    page.wait_for_load_state("networkidle")  # the live server shares this thread's SQLite connection
    attempt = Attempt.objects.get(candidate=candidate_alice)
    attempt_pause(attempt_id=attempt.pk, acting_user=proctor_bob, reason="Power cut in the room")

    page.locator("#question input[name=answer]").nth(2).check()
    page.get_by_text("The proctor has paused this test").wait_for()
    assert not attempt.responses.exists()

    attempt_resume(attempt_id=attempt.pk, acting_user=proctor_bob)
    page.get_by_text("All answers saved").wait_for()
    assert attempt.responses.get().client_seq >= 1


def test_the_page_warns_at_15_5_and_1_minutes_left(
    page: Any, published_form: Any, candidate_alice: Any
) -> None:
    from django.utils import timezone

    admit(candidate_alice, published_form.test)
    log_in(page, candidate_alice.email, PASSWORD)
    page.goto("/exams/")
    page.get_by_role("button", name="Start A5").click()
    page.get_by_role("heading", name=re.compile("Question 1 of")).wait_for()
    assert page.locator("#timer-warning").inner_text() == ""
    for left, warning in [(14, "15 minutes left"), (4, "5 minutes left"), (0.9, "1 minute left")]:
        page.wait_for_load_state("networkidle")  # the live server shares this thread's SQLite connection
        Attempt.objects.filter(candidate=candidate_alice).update(
            deadline=timezone.now() + dt.timedelta(minutes=left)
        )
        page.reload()
        alert = page.get_by_role("alert")
        expect(alert).to_have_text(warning)
        assert alert.is_visible()
