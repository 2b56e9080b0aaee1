"""The sitting page with the keyboard alone, at 200 % zoom, and through a lost connection (G2, G5)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from conftest import PASSWORD, admit
from tests.e2e.conftest import axe_findings
from tests.e2e.test_experience_approval import log_in
from wrenchmark.exams.models import Attempt, AttemptStatus, ExamForm, Response

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FOCUS_RING = "rgb(27, 31, 35)"  # --ink in site.css: the dark part of the two-tone focus ring
LETTERS = "ABCD"
SAVED = "All answers saved"
OFFLINE = re.compile(r"^Offline: your answers are kept on this device")
RESPONSES = "**/api/v1/attempts/*/responses"


@pytest.fixture
def open_page(browser: Any, live_server: Any) -> Iterator[Callable[..., Any]]:
    """Opens a page in a new browser context on the live server; every context closes after the test."""
    contexts: list[Any] = []

    def open_(**options: Any) -> tuple[Any, Any]:
        context = browser.new_context(
            base_url=live_server.url, **{"viewport": {"width": 1200, "height": 900}, **options}
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context, context.new_page()

    yield open_
    for context in contexts:
        context.close()


def start_a5(page: Any, candidate: Any) -> Attempt:
    admit(candidate, ExamForm.objects.get(status="published").test)
    log_in(page, candidate.email, PASSWORD)
    page.goto("/exams/")
    page.get_by_role("button", name="Start A5").click()
    page.wait_for_url(re.compile(r"/exams/attempts/\d+/$"))
    return Attempt.objects.get(candidate=candidate)


def assert_focus_visible(page: Any) -> None:
    """The focused element is not the page itself and wears the site's focus ring."""
    ring = page.evaluate(
        """() => {
          const el = document.activeElement;
          const style = getComputedStyle(el);
          return {element: el.outerHTML.slice(0, 120), style: style.outlineStyle,
                  width: parseFloat(style.outlineWidth), color: style.outlineColor};
        }"""
    )
    assert not ring["element"].startswith("<body"), "focus was lost to the page"
    assert ring["style"] == "solid", ring
    assert ring["width"] >= 3, ring
    assert ring["color"] == FOCUS_RING, ring


def press_until_focused(page: Any, key: str, target: Any, limit: int = 80) -> int:
    """Presses ``key`` until ``target`` has the focus, checking the focus ring at every stop."""
    for presses in range(1, limit + 1):
        page.keyboard.press(key)
        assert_focus_visible(page)
        if target.evaluate("el => el === document.activeElement"):
            return presses
    raise AssertionError(f"{limit} presses of {key} never reached {target}")


def assert_no_horizontal_scrolling(page: Any) -> None:
    widths = page.evaluate(
        "() => [document.scrollingElement.scrollWidth, document.scrollingElement.clientWidth]"
    )
    assert widths[0] <= widths[1] + 1, f"scroll width {widths[0]} > client width {widths[1]}"


def assert_not_under_the_bar(page: Any, element: Any) -> None:
    """The element is in the viewport and not hidden behind the exam page's sticky bar."""
    expect(element).to_be_in_viewport()
    bar_bottom = page.locator(".exam-bar").evaluate("el => el.getBoundingClientRect().bottom")
    top = element.evaluate("el => el.getBoundingClientRect().top")
    assert top >= bar_bottom, f"top {top} is under the bar, which ends at {bar_bottom}"


def stored(attempt: Attempt, position: int) -> Response | None:
    return Response.objects.filter(attempt=attempt, form_item_id=attempt.item_order[position]).first()


def option_position(attempt: Attempt, position: int, letter: str) -> int:
    """The stored option position of the letter the candidate sees (options are shuffled per attempt)."""
    return int(attempt.option_orders[str(attempt.item_order[position])][LETTERS.index(letter)])


def test_a_candidate_sits_with_the_keyboard_alone(
    open_page: Callable[..., Any], published_form: Any, candidate_alice: Any
) -> None:
    admit(candidate_alice, published_form.test)
    _, page = open_page()
    log_in(page, candidate_alice.email, PASSWORD)
    page.goto("/exams/")
    press_until_focused(page, "Tab", page.get_by_role("button", name="Start A5"))
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/exams/attempts/\d+/$"))
    attempt = Attempt.objects.get(candidate=candidate_alice)
    total = len(attempt.item_order)

    # The page opens on the first question, and every control says what it is.
    expect(page.get_by_role("heading", name=f"Question 1 of {total}")).to_be_focused()
    assert_focus_visible(page)
    expect(page.get_by_role("timer")).to_contain_text(re.compile(r"Time left: \d+:\d\d:\d\d"))
    status = page.locator("#save-status")
    expect(status).to_have_attribute("role", "status")
    navigator = page.get_by_role("navigation", name="Questions")
    expect(navigator.get_by_role("button", name=re.compile(r"^Question \d+, not answered$"))).to_have_count(
        total
    )
    options = page.get_by_role("group", name="Choose one answer").get_by_role("radio")
    expect(options).to_have_count(4)
    for letter, option in zip(LETTERS, options.all(), strict=True):
        expect(option).to_have_accessible_name(re.compile(rf"^{letter}\. \S"))
    flag = page.get_by_role("checkbox", name="Flag this question for review")
    for name in ("Previous", "Next", "Review and submit"):
        expect(page.get_by_role("button", name=name, exact=True)).to_be_visible()

    # Space chooses, an arrow key changes the choice, Space flags; the navigator says so once it is saved.
    page.keyboard.press("Tab")
    expect(options.nth(0)).to_be_focused()
    assert_focus_visible(page)
    page.keyboard.press("Space")
    expect(options.nth(0)).to_be_checked()
    page.keyboard.press("ArrowDown")
    expect(options.nth(1)).to_be_focused()
    expect(options.nth(1)).to_be_checked()
    assert_focus_visible(page)
    page.keyboard.press("Tab")
    expect(flag).to_be_focused()
    assert_focus_visible(page)
    page.keyboard.press("Space")
    expect(flag).to_be_checked()
    expect(navigator.get_by_role("button", name="Question 1, answered, flagged", exact=True)).to_have_class(
        re.compile(r"\banswered\b.*\bflagged\b")
    )
    expect(status).to_have_text(SAVED)
    response = stored(attempt, 0)
    assert response is not None
    assert (response.choice, response.flagged) == (option_position(attempt, 0, "B"), True)

    # Next moves on and puts the focus on the new question's heading.
    press_until_focused(page, "Tab", page.get_by_role("button", name="Next", exact=True))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name=f"Question 2 of {total}")).to_be_focused()
    assert_focus_visible(page)
    current = navigator.get_by_role("button", name="Question 2, not answered", exact=True)
    expect(current).to_have_attribute("aria-current", "step")

    # Back through the navigator to question 1, which kept its answer and flag.
    press_until_focused(
        page,
        "Shift+Tab",
        navigator.get_by_role("button", name="Question 1, answered, flagged", exact=True),
        limit=total + 5,
    )
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name=f"Question 1 of {total}")).to_be_focused()
    assert_focus_visible(page)
    expect(options.nth(1)).to_be_checked()
    expect(flag).to_be_checked()

    # The review screen: the focus goes to its heading, and submitting is a Tab or so away.
    press_until_focused(page, "Tab", page.get_by_role("button", name="Review and submit"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Review your answers")).to_be_focused()
    assert_focus_visible(page)
    expect(page.locator("#review-summary")).to_have_text(f"{total - 1} unanswered, 1 flagged")
    expect(page.get_by_role("button", name="Question 1: flagged", exact=True)).to_be_visible()
    press_until_focused(page, "Tab", page.get_by_role("button", name="Submit my answers"), limit=total + 5)
    page.once("dialog", lambda dialog: dialog.accept())
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/report/$"))
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.SUBMITTED


def test_at_200_percent_zoom_the_page_reflows_and_stays_usable(
    open_page: Callable[..., Any], published_form: Any, candidate_alice: Any
) -> None:
    # A 1280 px wide window at 200 % lays out 640 CSS px.
    _, page = open_page(viewport={"width": 640, "height": 400}, device_scale_factor=2)
    attempt = start_a5(page, candidate_alice)
    total = len(attempt.item_order)
    assert_no_horizontal_scrolling(page)

    timer = page.get_by_role("timer")
    toggle = page.get_by_role("button", name="Questions", exact=True)
    heading = page.get_by_role("heading", name=f"Question 1 of {total}")
    cell = page.get_by_role("navigation", name="Questions").get_by_role(
        "button", name=re.compile(r"^Question 3,")
    )
    expect(timer).to_be_in_viewport()
    expect(toggle).to_be_in_viewport()
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(heading).to_be_in_viewport()
    expect(cell).to_be_hidden()
    assert axe_findings(page) == []

    # The options work; the timer stays in sight when the page scrolls.
    options = page.get_by_role("group", name="Choose one answer").get_by_role("radio")
    options.nth(2).click()
    expect(page.locator("#save-status")).to_have_text(SAVED)
    page.get_by_role("button", name="Review and submit").scroll_into_view_if_needed()
    expect(timer).to_be_in_viewport()
    assert_no_horizontal_scrolling(page)

    # The navigator opens from its toggle, and closes again once it has moved to a question.
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(cell).to_be_visible()
    assert_no_horizontal_scrolling(page)
    assert axe_findings(page) == []
    cell.click()
    heading = page.get_by_role("heading", name=f"Question 3 of {total}")
    expect(heading).to_be_focused()
    expect(heading).to_be_in_viewport()
    expect(cell).to_be_hidden()
    expect(toggle).to_have_attribute("aria-expanded", "false")
    assert_not_under_the_bar(page, heading)

    # Next, pressed at the foot of the page, brings the next question's heading into sight.
    page.get_by_role("button", name="Next", exact=True).click()
    heading = page.get_by_role("heading", name=f"Question 4 of {total}")
    expect(heading).to_be_focused()
    assert_not_under_the_bar(page, heading)

    # The review screen at the same size.
    page.get_by_role("button", name="Review and submit").click()
    expect(page.get_by_role("heading", name="Review your answers")).to_be_focused()
    expect(page.get_by_role("button", name="Submit my answers")).to_be_visible()
    assert_no_horizontal_scrolling(page)
    assert axe_findings(page) == []


def test_answers_made_offline_are_queued_and_sent_in_order_when_the_connection_returns(
    open_page: Callable[..., Any], published_form: Any, candidate_alice: Any
) -> None:
    context, page = open_page()
    attempt = start_a5(page, candidate_alice)
    total = len(attempt.item_order)
    sent: list[dict[str, Any]] = []
    page.on(
        "response",
        lambda response: (
            sent.append(response.request.post_data_json)
            if response.request.method == "POST" and response.url.endswith("/responses") and response.ok
            else None
        ),
    )
    status = page.locator("#save-status")
    options = page.get_by_role("group", name="Choose one answer").get_by_role("radio")
    navigator = page.get_by_role("navigation", name="Questions")

    options.nth(1).check()
    expect(status).to_have_text(SAVED)
    page.get_by_role("button", name="Next", exact=True).click()
    expect(page.get_by_role("heading", name=f"Question 2 of {total}")).to_be_focused()
    expect(status).to_have_text(SAVED)
    acknowledged = len(sent)
    last_seq = max(entry["seq"] for entry in sent)

    # Offline: question 2 answered and changed; question 1's saved answer changed; each shows its latest.
    context.set_offline(True)
    expect(status).to_have_text(OFFLINE)
    options.nth(0).check()
    options.nth(2).check()
    page.get_by_role("button", name="Previous", exact=True).click()
    expect(page.get_by_role("heading", name=f"Question 1 of {total}")).to_be_focused()
    expect(options.nth(1)).to_be_checked()
    options.nth(3).check()
    page.get_by_role("button", name="Next", exact=True).click()
    expect(page.get_by_role("heading", name=f"Question 2 of {total}")).to_be_focused()
    expect(options.nth(2)).to_be_checked()
    page.get_by_role("button", name="Previous", exact=True).click()
    expect(page.get_by_role("heading", name=f"Question 1 of {total}")).to_be_focused()
    expect(options.nth(3)).to_be_checked()

    # The screen says so, the navigator shows only what the server holds, and the server has nothing new.
    expect(status).to_have_text(OFFLINE)
    expect(status).to_have_class(re.compile(r"\boffline\b"))
    expect(navigator.get_by_role("button", name="Question 1, answered", exact=True)).to_be_visible()
    expect(navigator.get_by_role("button", name="Question 2, not answered", exact=True)).to_be_visible()
    waiting = page.evaluate(f"JSON.parse(localStorage.getItem('wm-queue-{attempt.pk}'))")
    assert [(entry["position"], entry["choice"]) for entry in waiting] == [
        (1, "A"),
        (1, "C"),
        (0, "B"),
        (0, "D"),
        (1, "C"),
        (0, "D"),
    ]
    assert [entry["seq"] for entry in waiting] == list(range(last_seq + 1, last_seq + 7))
    assert len(sent) == acknowledged
    first, second = stored(attempt, 0), stored(attempt, 1)
    assert first is not None
    assert first.choice == option_position(attempt, 0, "B")
    assert first.client_seq <= last_seq
    assert second is None or (second.choice is None and second.client_seq <= last_seq)

    # Back online: the queue goes out in order, and the page shows it saved, question 2's too.
    context.set_offline(False)
    expect(status).to_have_text(SAVED)
    expect(navigator.get_by_role("button", name="Question 1, answered", exact=True)).to_be_visible()
    expect(navigator.get_by_role("button", name="Question 2, answered", exact=True)).to_be_visible()
    assert [entry["seq"] for entry in sent[acknowledged:]] == [entry["seq"] for entry in waiting]
    assert page.evaluate(f"localStorage.getItem('wm-queue-{attempt.pk}')") == "[]"
    first, second = stored(attempt, 0), stored(attempt, 1)
    assert first is not None
    assert second is not None
    assert (first.choice, first.client_seq) == (option_position(attempt, 0, "D"), last_seq + 6)
    assert (second.choice, second.client_seq) == (option_position(attempt, 1, "C"), last_seq + 5)


def test_answers_still_waiting_when_the_page_reloads_are_shown_and_sent(
    open_page: Callable[..., Any], published_form: Any, candidate_alice: Any
) -> None:
    _, page = open_page()
    attempt = start_a5(page, candidate_alice)
    status = page.locator("#save-status")
    options = page.get_by_role("group", name="Choose one answer").get_by_role("radio")
    options.nth(1).check()
    expect(status).to_have_text(SAVED)

    # The saves stop getting through; the candidate changes the answer and the page is reloaded.
    page.route(RESPONSES, lambda route: route.abort("internetdisconnected"))
    options.nth(2).check()
    expect(status).to_have_text(OFFLINE)
    page.reload()
    expect(page.get_by_role("heading", name=re.compile(r"^Question 1 of"))).to_be_focused()
    expect(options.nth(2)).to_be_checked()
    expect(status).to_have_text(OFFLINE)
    response = stored(attempt, 0)
    assert response is not None
    assert response.choice == option_position(attempt, 0, "B")

    # The connection comes back: the waiting answer is sent without the candidate doing anything.
    page.unroute(RESPONSES)
    expect(status).to_have_text(SAVED)
    response.refresh_from_db()
    assert response.choice == option_position(attempt, 0, "C")
    assert page.evaluate(f"localStorage.getItem('wm-queue-{attempt.pk}')") == "[]"
