"""From "I want to take A5" to the first question: buying, booking, an employer's refused voucher, check-in,
the start of the sitting, and the retake wait after a fail."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from conftest import PASSWORD
from tests.e2e.conftest import axe_findings
from tests.e2e.test_experience_approval import ARTIFACTS, log_in
from wrenchmark.appointments.models import Appointment, AppointmentStatus, TestSite
from wrenchmark.catalog.models import Test
from wrenchmark.core import clock
from wrenchmark.exams.models import AdmissionSource, Attempt
from wrenchmark.registrations.models import Order, Registration, RegistrationStatus, Voucher
from wrenchmark.scoring.services import result_record

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Sites in these zones cover the clock: one of them is always near midday, so an appointment starting
# shortly stays within one local day whenever the suite runs.
ZONES = (
    "Pacific/Honolulu",
    "America/Los_Angeles",
    "America/New_York",
    "Atlantic/Reykjavik",
    "Europe/Berlin",
    "Asia/Dubai",
    "Asia/Kolkata",
    "Asia/Shanghai",
    "Asia/Tokyo",
    "Pacific/Auckland",
)
ALL_DAY = {day: ["00:00", "23:59"] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}


def zone_near_midday(moment: dt.datetime) -> ZoneInfo:
    def distance(zone: ZoneInfo) -> float:
        local = moment.astimezone(zone)
        return abs(local.hour + local.minute / 60 - 12)

    return min((ZoneInfo(name) for name in ZONES), key=distance)


@pytest.fixture
def open_page(browser: Any, live_server: Any) -> Iterator[Callable[[Any], Any]]:
    """A fresh browser context per person, logged in as them."""
    contexts: list[Any] = []
    ARTIFACTS.mkdir(exist_ok=True)

    def open_as(user: Any) -> Any:
        context = browser.new_context(base_url=live_server.url, viewport={"width": 1200, "height": 900})
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        log_in(page, user.email, PASSWORD)
        return page

    yield open_as
    for context in contexts:
        context.close()


@pytest.fixture
def harbor_site(proctor_bob: Any) -> Any:
    """A site open around the clock in a zone where it is near midday now, with Bob as its proctor."""
    zone = zone_near_midday(dt.datetime.now(dt.UTC))
    site = TestSite.objects.create(
        name="Harbor Testing Center",
        address="12 Quay Street",
        time_zone=zone.key,
        seats=4,
        opening_hours=ALL_DAY,
    )
    site.proctors.add(proctor_bob)
    return site


def test_a_candidate_buys_books_is_admitted_and_starts_the_test(
    open_page: Callable[[Any], Any],
    published_form: Any,
    candidate_alice: Any,
    proctor_bob: Any,
    harbor_site: Any,
) -> None:
    take_by = f"{clock.today() + dt.timedelta(days=90):%Y-%m-%d}"

    # Alice buys A5 and A8 in one order.
    alice = open_page(candidate_alice)
    alice.get_by_role("link", name="Buy tests", exact=True).click()
    alice.get_by_role("heading", name="Buy tests").wait_for()
    assert axe_findings(alice) == []
    alice.get_by_label("A5 Brakes").check()
    alice.get_by_label("A8 Engine Performance").check()
    alice.screenshot(path=str(ARTIFACTS / "buy-tests.png"), full_page=True)
    alice.get_by_role("button", name="See the fees").click()
    preview = alice.get_by_test_id("fee-preview")
    rows = preview.locator("tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.nth(0)).to_contain_text("Registration fee (once per order)")
    expect(rows.nth(0)).to_contain_text("36.00")
    expect(rows.nth(1)).to_contain_text("A5 Brakes")
    expect(rows.nth(1)).to_contain_text("33.00")
    expect(rows.nth(2)).to_contain_text("A8 Engine Performance")
    expect(rows.nth(2)).to_contain_text("33.00")
    expect(alice.get_by_test_id("total")).to_have_text("102.00 USD")
    expect(alice.get_by_test_id("demo-payment")).to_contain_text("Demo payment")
    alice.get_by_role("button", name="Pay 102.00 USD").click()
    alice.wait_for_url(re.compile(r"/tests/orders/WM\d{6}-\w{8}/$"))
    expect(alice.get_by_role("heading", name=re.compile(r"^Receipt WM"))).to_be_visible()
    main = alice.locator("main")
    expect(main).to_contain_text("Payment received")
    expect(main).to_contain_text(f"Take by {take_by}")
    expect(main).to_contain_text("102.00 USD")
    alice.screenshot(path=str(ARTIFACTS / "receipt.png"), full_page=True)
    number = alice.get_by_test_id("order-number").inner_text()
    alice.wait_for_load_state("networkidle")  # the live server shares this thread's SQLite connection
    order = Order.objects.get(buyer=candidate_alice)
    assert order.number == number
    assert sorted(line.test.code for line in order.lines.all()) == ["A5", "A8"]

    # She books A5 at the site, starting in about twenty minutes, local time there.
    starts_at = (dt.datetime.now(harbor_site.zone) + dt.timedelta(minutes=20)).replace(
        second=0, microsecond=0
    )
    alice.get_by_role("link", name="Appointments", exact=True).click()
    alice.get_by_role("heading", name="Book a test").wait_for()
    assert axe_findings(alice) == []
    test_option = alice.locator("#id_registration option", has_text="A5 Brakes")
    alice.get_by_label("Test").select_option(test_option.get_attribute("value"))
    alice.get_by_label("Where").select_option(label=f"Harbor Testing Center ({harbor_site.time_zone})")
    alice.get_by_label("Date").fill(f"{starts_at:%Y-%m-%d}")
    alice.get_by_label("Time").fill(f"{starts_at:%H:%M}")
    alice.get_by_role("button", name="Book appointment").click()
    expect(alice.locator("main")).to_contain_text("Booked. The confirmation and a calendar invitation")
    booked = alice.get_by_test_id("appointments").locator("tbody tr")
    expect(booked).to_have_count(1)
    expect(booked).to_contain_text("A5")
    expect(booked).to_contain_text("Harbor Testing Center")
    expect(booked.locator(".badge")).to_have_text("Booked")
    expect(alice.get_by_test_id("to-book")).to_contain_text("A8 Engine Performance")
    assert axe_findings(alice) == []
    alice.screenshot(path=str(ARTIFACTS / "appointment-booked.png"), full_page=True)
    alice.wait_for_load_state("networkidle")
    appointment = Appointment.objects.get(registration__candidate=candidate_alice)
    assert appointment.starts_at == starts_at
    assert appointment.site == harbor_site
    assert appointment.registration.status == RegistrationStatus.SCHEDULED

    # Bob, the site's proctor, checks her ID on today's roster and admits her.
    bob = open_page(proctor_bob)
    bob.get_by_role("link", name="Roster", exact=True).click()
    bob.get_by_role("heading", name="Roster", exact=True).wait_for()
    expect(bob.get_by_label("Day")).to_have_value(f"{starts_at:%Y-%m-%d}")
    entry = bob.get_by_test_id("roster-entry").filter(has_text="Alice Archer")
    expect(entry).to_contain_text(f"{starts_at:%H:%M}")
    expect(entry).to_contain_text(candidate_alice.program_id)
    expect(entry).to_contain_text("A5 Brakes")
    assert axe_findings(bob) == []
    entry.get_by_label("ID document").select_option(label="Driver's license")
    entry.get_by_label("Last 4 characters of the ID number").fill("7Q42")
    entry.get_by_label("Name and photo match the candidate's record").check()
    entry.get_by_role("button", name="Record identity check").click()
    expect(bob.locator("main")).to_contain_text("Identity confirmed for Alice Archer.")
    expect(entry).to_contain_text("Driver's license …7Q42: matches")
    entry.get_by_role("button", name="Admit Alice Archer").click()
    expect(bob.locator("main")).to_contain_text("Alice Archer is admitted and can start the test now.")
    expect(entry.locator(".badge")).to_have_text("Checked in")
    assert axe_findings(bob) == []
    bob.screenshot(path=str(ARTIFACTS / "roster-admitted.png"), full_page=True)
    bob.wait_for_load_state("networkidle")
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CHECKED_IN

    # Alice presses Start and the first question shows.
    alice.get_by_role("link", name="Tests", exact=True).click()
    alice.get_by_role("button", name="Start A5").click()
    alice.wait_for_url(re.compile(r"/exams/attempts/\d+/$"))
    alice.get_by_role("heading", name=re.compile(r"Question 1 of \d+")).wait_for()
    expect(alice.locator("#question input[name=answer]")).to_have_count(4)
    alice.wait_for_load_state("networkidle")
    attempt = Attempt.objects.select_related("admission").get(candidate=candidate_alice)
    assert attempt.form_id == published_form.pk
    assert attempt.admission.source == AdmissionSource.SITE
    assert attempt.admission.admitted_by == proctor_bob


def test_an_employer_is_told_why_l1_is_refused_for_a_technician_without_a8(
    open_page: Callable[[Any], Any], catalog: Any, employer_carol: Any, make_user: Any
) -> None:
    # Tom has passed engine repair but never A8.
    tom = make_user("Tom", "Tran")
    result_record(
        candidate=tom,
        test=Test.objects.get(edition=catalog, code="A1"),
        taken_on=clock.today() - dt.timedelta(days=200),
        outcome="pass",
        source="attempt",
        acting_user=None,
    )

    carol = open_page(employer_carol)
    carol.get_by_role("link", name="Buy tests", exact=True).click()
    carol.get_by_role("link", name="Buy tests for technicians").click()
    carol.get_by_role("heading", name="Buy tests for technicians").wait_for()
    assert axe_findings(carol) == []
    carol.get_by_label("Technician 1: e-mail or program ID").fill(tom.program_id)
    carol.get_by_label("Test 1", exact=True).select_option(label="L1 Advanced Engine Performance Specialist")
    carol.get_by_role("button", name="See the fees").click()
    refusal = carol.get_by_role("alert")
    expect(refusal).to_contain_text(f"Tom Tran ({tom.program_id}): L1 requires a passed A8.")
    expect(carol.get_by_role("heading", name="Buy tests for technicians")).to_be_visible()
    assert axe_findings(carol) == []
    carol.screenshot(path=str(ARTIFACTS / "voucher-refused.png"), full_page=True)
    carol.wait_for_load_state("networkidle")
    assert not Order.objects.exists()
    assert not Voucher.objects.exists()


def test_a_candidate_who_failed_cannot_buy_the_test_again_and_sees_when_it_opens(
    open_page: Callable[[Any], Any], catalog: Any, make_user: Any
) -> None:
    frank = make_user("Frank", "Ferris")
    frank_page = open_page(frank)
    frank_page.goto("/tests/")
    frank_page.get_by_label("A5 Brakes").check()
    frank_page.get_by_role("button", name="See the fees").click()
    expect(frank_page.get_by_test_id("total")).to_have_text("69.00 USD")

    # The fail is recorded while his fee preview is still open.
    frank_page.wait_for_load_state("networkidle")
    today = clock.today()
    result_record(
        candidate=frank,
        test=Test.objects.get(edition=catalog, code="A5"),
        taken_on=today,
        outcome="fail",
        source="attempt",
        acting_user=None,
    )
    opens = today + dt.timedelta(days=31)
    refusal = f"You took A5 on {today:%Y-%m-%d}; you can register again from {opens:%Y-%m-%d}."

    frank_page.get_by_role("button", name="Pay 69.00 USD").click()
    summary = frank_page.get_by_role("alert")
    expect(summary).to_contain_text(f"{refusal} Possible from {opens:%Y-%m-%d}.")
    expect(frank_page.get_by_role("heading", name="Buy tests")).to_be_visible()
    a5 = frank_page.get_by_label("A5 Brakes")
    expect(a5).to_be_disabled()
    expect(a5).not_to_be_checked()
    why = frank_page.get_by_test_id("refusal-A5")
    expect(why).to_have_text(refusal)
    expect(a5).to_have_attribute("aria-describedby", "why-A5")
    checkbox_box, why_box = a5.bounding_box(), why.bounding_box()
    assert checkbox_box is not None
    assert why_box is not None
    assert abs(why_box["x"] - checkbox_box["x"]) < 20, "the reason stays in its test's column"
    assert why_box["y"] > checkbox_box["y"]
    summary.get_by_role("link", name="Tests").click()
    expect(frank_page.locator(":target")).to_contain_text("A5 Brakes")
    expect(frank_page.get_by_label("A8 Engine Performance")).to_be_enabled()
    assert axe_findings(frank_page) == []
    frank_page.screenshot(path=str(ARTIFACTS / "retake-refused.png"), full_page=True)
    frank_page.wait_for_load_state("networkidle")
    assert not Order.objects.filter(buyer=frank).exists()
    assert not Registration.objects.filter(candidate=frank).exists()
