"""The renewal program on a phone, answered with the keyboard only; and the holder's sharing controls:
hidden from lookups, a share link a stranger opens, the verification log, and the link revoked."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import PHONE, axe_findings
from tests.e2e.test_experience_approval import ARTIFACTS
from wrenchmark.accounts.models import Role
from wrenchmark.catalog.models import Test
from wrenchmark.core import clock
from wrenchmark.credentials.models import Credential, CredentialStatus
from wrenchmark.credentials.tests.test_credentials_sync import approve_experience, record
from wrenchmark.itembank.models import Item, ItemState
from wrenchmark.itembank.services import ItemContent, OptionInput, item_create
from wrenchmark.renewals.models import RenewalQuestion

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


# One renewal-pool A5 item, so this month's A5 question is this one; the key is deliberately option C.
STEM = "A vehicle pulls to the right only while braking. Which of these is the MOST likely cause?"
OPTIONS = [
    ("Worn outer tie-rod end on the left", "Steering wear pulls whether or not the brakes are applied."),
    ("Low tire pressure on the left front", "Low pressure on the left would pull to the left."),
    (
        "A seized caliper slide pin on the left front",
        "Key: the left front brake applies weakly, so the right front brake wins and pulls the car right.",
    ),
    ("Air in the rear brake lines", "Air in the lines makes a soft pedal, not a pull to one side."),
]
KEY = "C"
KEY_RATIONALE = OPTIONS[2][1]


def certify_a5(holder: Any, reviewer: Any, area: Any, edition: Any) -> Credential:
    """Approved experience and an A5 pass recorded today: a current A5 certification."""
    approve_experience(holder, reviewer, area)
    record(holder, edition, "A5", clock.today(), source="import")
    credential = Credential.objects.get(holder=holder, test_code="A5")
    assert credential.status == CredentialStatus.CERTIFIED
    return credential


def renewal_item(edition: Any, writer: Any) -> Item:
    test = Test.objects.get(edition=edition, code="A5")
    content = ItemContent(
        area=test.content_areas.order_by("position").first(),  # type: ignore[arg-type]
        style="most_likely",
        stem=STEM,
        options=[
            OptionInput(text, rationale, letter == KEY)
            for (text, rationale), letter in zip(OPTIONS, "ABCD", strict=True)
        ],
    )
    item = item_create(test=test, pool="renewal", content=content, acting_user=writer, external_id="A5-R901")
    Item.objects.filter(pk=item.pk).update(state=ItemState.APPROVED)
    return item


def scroll_width(page: Any) -> int:
    return int(page.evaluate("document.documentElement.scrollWidth"))


def test_a_technician_renews_on_a_phone_answering_with_the_keyboard_only(
    open_page: Callable[..., Any],
    candidate_alice: Any,
    program_admin_paula: Any,
    make_user: Callable[..., Any],
    auto_area: Any,
    catalog: Any,
) -> None:
    renewal_item(catalog, make_user("Wren", "Writer", roles=(Role.ITEM_WRITER,)))
    certify_a5(candidate_alice, program_admin_paula, auto_area, catalog)

    phone = open_page(candidate_alice, **PHONE)
    phone.get_by_role("navigation", name="Main").get_by_role("link", name="Renewal", exact=True).tap()
    expect(phone).to_have_url(re.compile(r"/renewal/$"))
    expect(phone.get_by_role("heading", level=1)).to_have_text("Renewal program")
    expect(phone.get_by_test_id("eligible")).to_contain_text("A5")
    assert scroll_width(phone) <= 375
    phone.screenshot(path=str(ARTIFACTS / "renewal-phone-join.png"), full_page=True)
    assert axe_findings(phone) == []

    # She subscribes; this month's A5 question waits, and the meter starts at 0 of 8.
    phone.get_by_role("button", name="Subscribe").tap()
    expect(phone.get_by_test_id("subscription")).to_be_visible()
    expect(phone.get_by_test_id("credits-A5")).to_have_text("0 of 8 credits")
    month = phone.get_by_test_id("this-month")
    expect(month.get_by_role("link")).to_have_count(1)
    question_link = month.get_by_role("link", name=re.compile(r"^A5 .*question ?: not answered yet$"))
    expect(question_link).to_be_visible()
    assert scroll_width(phone) <= 375
    phone.screenshot(path=str(ARTIFACTS / "renewal-phone-programme.png"), full_page=True)
    assert axe_findings(phone) == []

    question_link.tap()
    question = RenewalQuestion.objects.get(subscription__holder=candidate_alice)
    expect(phone).to_have_url(re.compile(rf"/renewal/questions/{question.pk}/$"))
    expect(phone.locator(".item-stem").first).to_contain_text("pulls to the right only while braking")
    html = phone.content()
    for _text, rationale in OPTIONS:
        assert rationale not in html, "no rationale, the key's included, before the answer"
    assert "Correct answer" not in html
    assert scroll_width(phone) <= 375
    phone.screenshot(path=str(ARTIFACTS / "renewal-phone-question.png"), full_page=True)
    assert axe_findings(phone) == []

    # Keyboard only: the skip link, into the options, Space on A, arrows down to C, Enter on Submit.
    phone.keyboard.press("Tab")
    expect(phone.get_by_role("link", name="Skip to main content")).to_be_focused()
    phone.keyboard.press("Enter")
    expect(phone.locator("main")).to_be_focused()
    phone.keyboard.press("Tab")
    expect(phone.locator("main").get_by_role("link", name="Renewal program")).to_be_focused()
    phone.keyboard.press("Tab")
    options = phone.get_by_role("radio")
    expect(options).to_have_count(4)
    expect(options.nth(0)).to_be_focused()
    phone.keyboard.press("Space")
    expect(options.nth(0)).to_be_checked()
    phone.keyboard.press("ArrowDown")
    phone.keyboard.press("ArrowDown")
    key = phone.get_by_role("radio", name=re.compile(rf"^{KEY}\. "))
    expect(key).to_be_focused()
    expect(key).to_be_checked()
    phone.keyboard.press("Tab")
    submit = phone.get_by_role("button", name="Submit answer")
    expect(submit).to_be_focused()
    phone.keyboard.press("Enter")

    # Right, with the rationales; the radios are locked on her answer.
    expect(phone.get_by_test_id("result")).to_have_text("Correct: one credit")
    expect(phone.locator("main")).to_contain_text("A5: 1 of 8 credits this subscription year.")
    review = phone.get_by_test_id("review")
    expect(review).to_contain_text(KEY_RATIONALE)
    keyed = review.locator("li", has_text="Correct answer")
    expect(keyed).to_have_count(1)
    expect(keyed).to_contain_text(f"{KEY}.")
    expect(keyed).to_contain_text("Your answer")
    expect(phone.get_by_role("radio", name=re.compile(rf"^{KEY}\. "))).to_be_checked()
    expect(phone.get_by_role("radio", name=re.compile(rf"^{KEY}\. "))).to_be_disabled()
    expect(phone.get_by_role("button", name="Submit answer")).to_have_count(0)
    question.refresh_from_db()
    assert (question.choice, question.correct) == (KEY, True)
    assert scroll_width(phone) <= 375
    phone.screenshot(path=str(ARTIFACTS / "renewal-phone-answered.png"), full_page=True)
    assert axe_findings(phone) == []

    # Back on the programme page the meter reads 1 of 8 and the question shows as answered.
    phone.get_by_role("link", name="Back to the renewal program").tap()
    expect(phone.get_by_test_id("credits-A5")).to_have_text("1 of 8 credits")
    expect(phone.get_by_role("img", name="A5: 1 of 8 credits")).to_be_visible()
    expect(phone.get_by_test_id("this-month")).to_contain_text("answered, correct")
    assert scroll_width(phone) <= 375
    phone.screenshot(path=str(ARTIFACTS / "renewal-phone-credited.png"), full_page=True)
    assert axe_findings(phone) == []


def look_up(page: Any, program_id: str, last_name: str) -> tuple[int, str, str]:
    """Submit the public lookup; return the response status, the outcome and the result's text."""
    page.goto("/verify/")
    page.get_by_label("Program ID").fill(program_id)
    page.get_by_label("Last name").fill(last_name)
    with page.expect_response(lambda r: r.request.method == "POST" and r.url.endswith("/verify/")) as answer:
        page.get_by_role("button", name="Verify").click()
    result = page.locator("#verify-result")
    expect(result).to_be_visible()
    return answer.value.status, result.get_attribute("data-outcome") or "", result.inner_text()


def test_a_holder_hides_from_lookups_shares_a_link_sees_it_checked_and_revokes_it(
    open_page: Callable[..., Any],
    live_server: Any,
    settings: Any,
    candidate_alice: Any,
    program_admin_paula: Any,
    auto_area: Any,
    catalog: Any,
) -> None:
    settings.SITE_URL = live_server.url
    settings.VERIFY_RATE_LIMIT = 1000  # every lookup of the run comes from 127.0.0.1 and shares one window
    certify_a5(candidate_alice, program_admin_paula, auto_area, catalog)
    program_id, last_name = candidate_alice.program_id, candidate_alice.last_name
    alice_name = candidate_alice.get_full_name()
    stranger = open_page(None)

    # Before she chooses, a lookup finds her.
    status, outcome, _text = look_up(stranger, program_id, last_name)
    assert (status, outcome) == (200, "match")
    expect(stranger.get_by_test_id("verified-credentials")).to_contain_text("A5")

    # She sets the lookup to show nothing; her preview says "No match".
    alice = open_page(candidate_alice)
    alice.get_by_role("link", name="Credentials", exact=True).click()
    alice.get_by_role("link", name=re.compile(r"^Sharing")).click()
    expect(alice).to_have_url(re.compile(r"/credentials/sharing/$"))
    alice.get_by_label("Nothing", exact=True).check()
    alice.get_by_role("button", name="Save").click()
    expect(alice.locator(".messages")).to_contain_text("now shows nothing")
    expect(alice.get_by_label("Nothing", exact=True)).to_be_checked()
    expect(alice.get_by_test_id("lookup-preview")).to_contain_text("No match")
    alice.screenshot(path=str(ARTIFACTS / "sharing-hidden.png"), full_page=True)
    assert axe_findings(alice) == []

    # A stranger's lookup now gets exactly the answer a wrong last name gets.
    hidden = look_up(stranger, program_id, last_name)
    stranger.screenshot(path=str(ARTIFACTS / "sharing-verify-hidden.png"), full_page=True)
    assert axe_findings(stranger) == []
    wrong = look_up(stranger, program_id, last_name + "x")
    assert hidden[:2] == (200, "no_match")
    assert hidden == wrong
    expect(stranger.locator("main")).not_to_contain_text(alice_name)
    expect(stranger.get_by_test_id("verified-credentials")).to_have_count(0)

    # She makes a share link for A5 only.
    alice.get_by_label("What the link shows").select_option(
        label="A5 " + Test.objects.get(edition=catalog, code="A5").name
    )
    alice.get_by_label("Label").fill("Main Street Motors application")
    alice.get_by_role("button", name="Create link").click()
    expect(alice.locator(".messages")).to_contain_text("Link created")
    row = alice.get_by_test_id("share-links").locator("tr", has_text="Main Street Motors application")
    expect(row).to_contain_text("A5")
    url = row.get_by_test_id("share-url").input_value()
    assert url.startswith(live_server.url + "/verify/s/")
    alice.screenshot(path=str(ARTIFACTS / "sharing-link.png"), full_page=True)
    assert axe_findings(alice) == []

    # The stranger opens it and sees A5, hidden lookups notwithstanding.
    opened = stranger.goto(url)
    assert opened is not None
    assert opened.status == 200
    expect(stranger.get_by_role("heading", level=1)).to_have_text(alice_name)
    shown = stranger.get_by_test_id("verified-credentials")
    expect(shown.locator("tbody tr")).to_have_count(1)
    expect(shown.locator("tr", has_text="A5")).to_contain_text("Certified")
    stranger.screenshot(path=str(ARTIFACTS / "sharing-link-opened.png"), full_page=True)
    assert axe_findings(stranger) == []

    # Her verification log lists that view: someone, A5, through a share link.
    alice.reload()
    log = alice.get_by_test_id("verification-log")
    viewed = log.locator("tbody tr", has_text="Share link")
    expect(viewed).to_have_count(1)
    expect(viewed).to_contain_text("A5")
    expect(viewed).to_contain_text("Someone")
    # The lookups that found nothing are not attributed to her; the one that matched is.
    expect(log.locator("tbody tr", has_text="Lookup by program ID")).to_have_count(1)
    alice.screenshot(path=str(ARTIFACTS / "sharing-log.png"), full_page=True)

    # She revokes it; the stranger's reload says the link is no longer active, a 404.
    row.get_by_role("button", name="Revoke Main Street Motors application").click()
    expect(alice.locator(".messages")).to_contain_text("Link revoked")
    expect(alice.locator("tr", has_text="Main Street Motors application")).to_have_count(0)
    alice.screenshot(path=str(ARTIFACTS / "sharing-revoked.png"), full_page=True)
    assert axe_findings(alice) == []

    gone = stranger.reload()
    assert gone is not None
    assert gone.status == 404
    expect(stranger.get_by_role("heading", level=1)).to_have_text("This link is no longer active")
    expect(stranger.get_by_test_id("verified-credentials")).to_have_count(0)
    stranger.screenshot(path=str(ARTIFACTS / "sharing-link-revoked.png"), full_page=True)
    assert axe_findings(stranger) == []
