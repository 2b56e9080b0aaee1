"""Preparing for A6 on a phone: a class joined with its code, content area E practised with the answers
explained, progress as a chart, and a readiness estimate that moves with more practice; the instructor
then sees the learner's progress by content area. Practice never serves an operational item."""

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
from wrenchmark.itembank.check import CONTENT
from wrenchmark.itembank.loading import bank_load
from wrenchmark.itembank.models import ItemPool
from wrenchmark.practice.models import PracticeQuestion, PracticeSession
from wrenchmark.practice.study import readiness_for, study_plan
from wrenchmark.practice.tests.conftest import key_letter, publish_form, wrong_letter

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def scroll_width(page: Any) -> int:
    return int(page.evaluate("document.documentElement.scrollWidth"))


def readiness_percent(page: Any) -> int:
    text = page.get_by_test_id("readiness-value").inner_text()
    found = re.search(r"(\d+)%", text)
    assert found is not None, text
    return int(found.group(1))


def plain(text: str) -> str:
    """The first words of an item text, for matching what the page shows (markup aside)."""
    return re.split(r"[<*_]", text)[0].strip()[:50]


def practise(
    page: Any, right: Callable[[PracticeQuestion], bool], *, check_feedback: bool = False
) -> PracticeSession:
    """Answer every question of the session the page is on (right where ``right``), then finish."""
    match = re.search(r"/practice/(\d+)/q/1/$", page.url)
    assert match is not None, page.url
    session = PracticeSession.objects.get(pk=int(match.group(1)))
    questions = list(session.questions.select_related("item_version").order_by("position"))
    for q in questions:
        expect(page.get_by_role("heading", name=f"Question {q.position} of {len(questions)}")).to_be_visible()
        letter = key_letter(q) if right(q) else wrong_letter(q)
        page.get_by_role("radio", name=re.compile(rf"^{letter}\. ")).check()
        page.get_by_role("button", name="Submit answer").click()
        expect(page.get_by_test_id("result")).to_have_text("Correct" if right(q) else "Not correct")
        if check_feedback:
            feedback = page.get_by_test_id("feedback")
            expect(feedback).to_contain_text(f"Correct answer: {key_letter(q)}.")
            expect(feedback).to_contain_text(f"Your answer: {letter}.")
            for option in q.item_version.options.all():
                expect(feedback).to_contain_text(plain(option.rationale))
        if q.position < len(questions):
            page.get_by_role("link", name="Next question").click()
    page.get_by_role("button", name="Finish").click()
    expect(page.get_by_test_id("score")).to_be_visible()
    return session


def test_a_candidate_prepares_for_a6_and_the_instructor_follows_the_progress(
    open_page: Callable[..., Any], candidate_alice: Any, make_user: Callable[..., Any], catalog: Any
) -> None:
    a6 = Test.objects.get(edition=catalog, code="A6")
    bank_load(edition=catalog, folder=CONTENT, paths=[CONTENT / "A6.yaml", CONTENT / "renewal-A6.yaml"])
    form = publish_form(a6, make_user("Pia", "Metrics", roles=(Role.PSYCHOMETRICIAN,)))
    ines = make_user("Ines", "Teacher", roles=(Role.INSTRUCTOR,))
    area_e = a6.content_areas.get(letter="E")

    # The instructor creates a class and reads out its code.
    teacher = open_page(ines)
    teacher.get_by_role("navigation", name="Main").get_by_role("link", name="Classes").click()
    teacher.get_by_label("Class name").fill("A6 evening course")
    teacher.get_by_role("button", name="Create the class").click()
    expect(teacher.get_by_role("heading", level=1)).to_have_text("A6 evening course")
    code = teacher.get_by_test_id("join-code").inner_text()
    teacher.get_by_role("combobox", name="Test").select_option(str(a6.pk))
    teacher.get_by_role("combobox", name="Content area").select_option(str(area_e.pk))
    teacher.get_by_role("button", name="Assign").click()
    expect(teacher.get_by_test_id("assignments")).to_contain_text("A6 E. Body Electrical")

    # On her phone, Alice joins with the code.
    phone = open_page(candidate_alice, **PHONE)
    phone.get_by_role("navigation", name="Main").get_by_role("link", name="Practice", exact=True).click()
    phone.get_by_role("link", name=re.compile("Classes: join one")).click()
    phone.get_by_label("Class code").fill(code.lower())
    phone.get_by_role("button", name="Join the class").click()
    expect(phone.get_by_test_id("joined")).to_contain_text("A6 evening course")

    # She starts the assigned set, area E, answers explained after each; two of eight right.
    phone.get_by_role("link", name="Practice tests").click()
    expect(phone.get_by_test_id("assignments")).to_contain_text("A6 evening course")
    assert scroll_width(phone) <= 375
    assert axe_findings(phone) == []
    phone.get_by_test_id("assignments").get_by_role("button", name="Start A6 E").click()
    expect(phone.get_by_role("heading", name=re.compile(r"^Question 1 of \d+$"))).to_be_visible()
    assert scroll_width(phone) <= 375
    assert axe_findings(phone) == []
    first = practise(phone, lambda q: q.position <= 2, check_feedback=True)
    assert {q.item_version.area.letter for q in first.questions.select_related("item_version__area")} == {"E"}
    phone.screenshot(path=str(ARTIFACTS / "practice-phone-results.png"), full_page=True)

    # Progress: the chart and the table; too few answers for an estimate yet, and the page says so.
    phone.get_by_role("link", name="Practice tests").click()
    progress = phone.get_by_test_id("progress-A6")
    expect(progress.get_by_role("img", name=re.compile("A6: accuracy per content area"))).to_be_visible()
    expect(phone.get_by_test_id("trend-A6")).to_contain_text("2 of 8")
    expect(phone.get_by_test_id("readiness-A6")).to_contain_text("once you have answered 10 different")
    expect(phone.get_by_test_id("plan-focus-A6")).to_contain_text("Study next: E.")
    assert scroll_width(phone) <= 375
    assert axe_findings(phone) == []

    # More practice: a short whole-test session, all right; now there is an estimate.
    phone.get_by_role("combobox", name="Test").select_option(str(a6.pk))
    phone.get_by_role("button", name="Start", exact=True).click()
    practise(phone, lambda q: True)
    phone.get_by_role("link", name="Practice tests").click()
    before = readiness_percent(phone)
    expect(phone.get_by_test_id("readiness-A6")).to_contain_text(f"passes at {form.cut_raw}")
    assert readiness_for(candidate_alice, a6).current is not None

    # And again: the estimate rises, and the page gives the figure before this session.
    phone.get_by_role("combobox", name="Test").select_option(str(a6.pk))
    phone.get_by_role("button", name="Start", exact=True).click()
    practise(phone, lambda q: True)
    phone.get_by_role("link", name="Practice tests").click()
    after = readiness_percent(phone)
    assert after > before
    expect(phone.get_by_test_id("readiness-previous")).to_have_text(
        f"Before the latest practice session: {before}%."
    )
    expect(phone.get_by_test_id("trend-A6").locator("tbody tr")).to_have_count(3)
    assert scroll_width(phone) <= 375
    phone.screenshot(path=str(ARTIFACTS / "practice-phone-progress.png"), full_page=True)
    assert axe_findings(phone) == []

    # The study plan explains how the estimate was computed.
    phone.get_by_role("link", name=re.compile("How this is computed, and your A6 study plan")).click()
    phone.get_by_text("How this is computed", exact=True).click()
    expect(phone.get_by_test_id("readiness-how")).to_contain_text("first answer to each practice question")
    expect(phone.get_by_test_id("readiness-how")).to_contain_text(f"a pass at {form.cut_raw} right")
    assert scroll_width(phone) <= 375
    assert axe_findings(phone) == []

    # The instructor sees Alice's progress by content area, as her study plan computes it.
    teacher.reload()
    row = teacher.get_by_test_id("class-progress").get_by_role("row", name=re.compile("Alice Archer"))
    plan = study_plan(candidate_alice, a6, first.created_at.date())
    for area in plan.areas:
        if area.answered:
            expect(row).to_contain_text(f"({area.correct}/{area.answered})")
    expect(row).to_contain_text(f"{after}%")
    expect(teacher.get_by_test_id("assignments")).to_contain_text("1 of 1 learners finished it")
    teacher.screenshot(path=str(ARTIFACTS / "practice-instructor-class.png"), full_page=True)
    assert axe_findings(teacher) == []
    row.get_by_role("link", name="Alice Archer").click()
    expect(teacher.get_by_role("heading", level=1)).to_have_text("Alice Archer: practice progress")
    expect(teacher.get_by_test_id("progress-A6").get_by_role("img")).to_be_visible()
    expect(teacher.get_by_test_id("readiness-value")).to_contain_text(f"{after}%")
    assert axe_findings(teacher) == []

    # Nothing but practice items was ever served.
    served = PracticeQuestion.objects.filter(session__candidate=candidate_alice).values_list(
        "item__pool", flat=True
    )
    assert set(served) == {ItemPool.PRACTICE}
