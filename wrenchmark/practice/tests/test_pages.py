"""The practice pages: start from the form, answer one question at a time, see the results and progress."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.urls import reverse
from django.utils.html import escape

from conftest import client_for
from wrenchmark.catalog.models import Test
from wrenchmark.itembank.markup import render_markup
from wrenchmark.practice.models import PracticeQuestion, PracticeSession
from wrenchmark.practice.tests.conftest import NOW, key_letter, wrong_letter

pytestmark = pytest.mark.django_db


def start(client: Any, test: Test, **fields: Any) -> Any:
    data = {"test": test.pk, "area": "", "length": "short", "timing": "untimed", "feedback": "each"}
    data.update(fields)
    return client.post(reverse("practice:home"), data)


def only_session(candidate: Any) -> PracticeSession:
    return PracticeSession.objects.get(candidate=candidate)


def question_at(session: PracticeSession, position: int) -> PracticeQuestion:
    return session.questions.select_related("item_version").get(position=position)


def rationales(question: PracticeQuestion) -> list[str]:
    return [render_markup(o.rationale) for o in question.item_version.options.order_by("position")]


def q_url(session: PracticeSession, position: int) -> str:
    return reverse("practice:question", args=[session.pk, position])


def test_the_pages_need_a_sign_in(shipped_a6: Test) -> None:
    from django.test import Client

    response = Client().get(reverse("practice:home"))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_the_form_offers_the_tests_with_practice_questions_and_starts_a_session(
    shipped_a6: Test, candidate_alice: Any
) -> None:
    client = client_for(candidate_alice)
    page = client.get(reverse("practice:home")).content.decode()
    assert f'<option value="{shipped_a6.pk}"' in page
    assert "A5 " not in page  # no A5 practice items are loaded
    for label in ("Test", "Content area", "Length", "Timing", "Show the answers", "Whole test"):
        assert label in page

    response = start(client, shipped_a6)
    session = only_session(candidate_alice)
    assert response.status_code == 302
    assert response["Location"] == q_url(session, 1)
    assert session.questions.count() == 10
    assert session.area is None
    assert not session.timed
    assert session.feedback == "each"

    page = client.get(q_url(session, 1)).content.decode()
    assert "Question 1 of 10" in page
    assert "Submit answer" in page
    assert page.count('type="radio" name="choice"') == 4
    assert "Correct answer" not in page
    assert not any(r in page for r in rationales(question_at(session, 1)))


def test_each_mode_shows_the_key_and_the_rationales_after_the_answer(
    shipped_a6: Test, candidate_alice: Any
) -> None:
    client = client_for(candidate_alice)
    start(client, shipped_a6)
    session = only_session(candidate_alice)
    first = question_at(session, 1)

    response = client.post(q_url(session, 1), {"choice": wrong_letter(first)})
    assert response.status_code == 302
    page = client.get(q_url(session, 1)).content.decode()
    assert "Not correct" in page
    assert f"Correct answer: {key_letter(first)}." in page
    assert f"Your answer: {wrong_letter(first)}." in page
    for rationale in rationales(first):
        assert rationale in page
    for reference in first.item_version.references:
        assert escape(reference) in page
    assert "Next question" in page
    assert f'href="{q_url(session, 2)}"' in page
    assert "1 of 10 answered." in page
    # Only one answer per question: a second one is refused with the engine's message.
    again = client.post(q_url(session, 1), {"choice": key_letter(first)})
    assert again.status_code == 409
    assert "You have already answered this question." in again.content.decode()
    first.refresh_from_db()
    assert first.choice == wrong_letter(first)


def test_end_mode_withholds_the_key_until_the_results(shipped_a6: Test, candidate_alice: Any) -> None:
    client = client_for(candidate_alice)
    start(client, shipped_a6, feedback="end")
    session = only_session(candidate_alice)
    first = question_at(session, 1)

    client.post(q_url(session, 1), {"choice": key_letter(first)})
    page = client.get(q_url(session, 1)).content.decode()
    assert "Saved" in page
    assert "Next question" in page
    assert "Correct answer" not in page
    assert not any(r in page for r in rationales(first))
    # Nor before finishing on the results page.
    early = client.get(reverse("practice:results", args=[session.pk])).content.decode()
    assert "not finished yet" in early
    assert not any(r in early for r in rationales(first))

    finished = client.post(reverse("practice:finish", args=[session.pk]))
    assert finished["Location"] == reverse("practice:results", args=[session.pk])
    results = client.get(finished["Location"]).content.decode()
    assert "1 of 10 correct" in results
    assert f"Correct answer: {key_letter(first)}." in results
    for rationale in rationales(first):
        assert rationale in results
    for question in session.questions.exclude(pk=first.pk):
        assert rationales(question)[0] in results
    assert '<th scope="row">' in results


def test_the_session_page_leads_to_the_next_question_then_to_the_results(
    shipped_a6: Test, candidate_alice: Any
) -> None:
    client = client_for(candidate_alice)
    start(client, shipped_a6)
    session = only_session(candidate_alice)
    for position in (1, 2):
        client.post(q_url(session, position), {"choice": "A"})
    assert client.get(reverse("practice:session", args=[session.pk]))["Location"] == q_url(session, 3)
    client.post(reverse("practice:finish", args=[session.pk]))
    assert client.get(reverse("practice:session", args=[session.pk]))["Location"] == reverse(
        "practice:results", args=[session.pk]
    )
    # A finished session takes no more answers.
    page = client.get(q_url(session, 3)).content.decode()
    assert "This practice test is finished." in page
    assert "Submit answer" not in page


def test_someone_elses_session_is_not_found(
    shipped_a6: Test, candidate_alice: Any, outsider_dave: Any
) -> None:
    start(client_for(candidate_alice), shipped_a6)
    session = only_session(candidate_alice)
    dave = client_for(outsider_dave)
    assert dave.get(reverse("practice:session", args=[session.pk])).status_code == 404
    assert dave.get(q_url(session, 1)).status_code == 404
    assert dave.post(q_url(session, 1), {"choice": "A"}).status_code == 404
    assert dave.get(reverse("practice:results", args=[session.pk])).status_code == 404
    assert dave.post(reverse("practice:finish", args=[session.pk])).status_code == 404
    assert not session.questions.filter(answered_at__isnull=False).exists()
    session.refresh_from_db()
    assert session.finished_at is None
    assert client_for(candidate_alice).get(q_url(session, 11)).status_code == 404


def test_an_area_of_another_test_is_refused_with_a_message(
    shipped_a6: Test, a5: Test, candidate_alice: Any
) -> None:
    client = client_for(candidate_alice)
    response = start(client, shipped_a6, area=a5.content_areas.get(letter="A").pk)
    assert response.status_code == 400
    page = response.content.decode()
    assert "That content area is not part of this test." in page
    assert "The practice test was not started" in page
    assert 'aria-invalid="true"' in page
    assert not PracticeSession.objects.filter(candidate=candidate_alice).exists()

    bad = start(client, shipped_a6, length="endless", feedback="never")
    assert bad.status_code == 400
    assert "Choose a short or a full-length practice test." in bad.content.decode()
    assert "Choose feedback after each answer or at the end." in bad.content.decode()


def test_an_area_without_practice_items_is_refused_with_a_message(
    shipped_a6: Test, candidate_alice: Any
) -> None:
    from wrenchmark.catalog.models import ContentArea
    from wrenchmark.practice.selectors import practice_items

    client = client_for(candidate_alice)
    empty = ContentArea.objects.create(test=shipped_a6, letter="Z", name="Nothing here", position=99)
    assert not practice_items(test=shipped_a6, area=empty).exists()
    response = start(client, shipped_a6, area=empty.pk)
    assert response.status_code == 400
    assert "There are no practice questions for this test or area yet." in response.content.decode()
    assert not PracticeSession.objects.filter(candidate=candidate_alice).exists()


def test_an_area_session_asks_only_that_area(shipped_a6: Test, candidate_alice: Any) -> None:
    client = client_for(candidate_alice)
    area = shipped_a6.content_areas.get(letter="A")
    start(client, shipped_a6, area=area.pk)
    session = only_session(candidate_alice)
    assert session.area == area
    assert set(session.questions.values_list("item_version__area__letter", flat=True)) == {area.letter}


def test_a_timed_session_shows_the_time_left_and_refuses_a_late_answer(
    shipped_a6: Test, candidate_alice: Any, frozen_now: Any
) -> None:
    client = client_for(candidate_alice)
    start(client, shipped_a6, timing="timed")
    session = only_session(candidate_alice)
    assert session.timed
    assert session.deadline is not None
    minutes = -(-int((session.deadline - session.created_at).total_seconds()) // 60)
    page = client.get(q_url(session, 1)).content.decode()
    assert f"About {minutes} minutes left." in page

    frozen_now.shift(session.deadline - session.created_at + dt.timedelta(seconds=1))
    late = client.post(q_url(session, 1), {"choice": "A"})
    assert late.status_code == 409
    assert "Time is up for this practice test." in late.content.decode()
    assert "minutes left" not in late.content.decode()
    assert not question_at(session, 1).is_answered


def test_home_shows_the_session_and_the_accuracy_per_area_after_finishing(
    shipped_a6: Test, candidate_alice: Any
) -> None:
    client = client_for(candidate_alice)
    start(client, shipped_a6)
    session = only_session(candidate_alice)
    questions = list(session.questions.select_related("item_version__area").order_by("position"))
    right = questions[:3]
    for q in questions[:5]:
        client.post(q_url(session, q.position), {"choice": key_letter(q) if q in right else wrong_letter(q)})

    before = client.get(reverse("practice:home")).content.decode()
    assert "Continue" in before
    assert "5 of 10 answered" in before
    assert "Accuracy by content area" not in before

    client.post(reverse("practice:finish", args=[session.pk]))
    page = client.get(reverse("practice:home")).content.decode()
    assert "3 of 10" in page
    assert f'href="{reverse("practice:results", args=[session.pk])}"' in page
    assert "Accuracy by content area" in page
    assert "<svg" in page
    assert "<title" in page
    assert 'scope="col"' in page
    assert 'scope="row"' in page
    for area in {q.item_version.area for q in questions[:5]}:
        answered = [q for q in questions[:5] if q.item_version.area_id == area.pk]
        correct = [q for q in answered if q in right]
        assert f"{area.letter}. {area.name}" in page
        assert f'<td class="num">{len(answered)}</td><td class="num">{len(correct)}</td>' in page
        assert f"{len(correct)} of {len(answered)}" in page
    # Areas with nothing answered are left out of the accuracy table.
    unanswered = {q.item_version.area.letter for q in questions[5:]} - {
        q.item_version.area.letter for q in questions[:5]
    }
    progress = page.split("Accuracy by content area", 1)[1]
    for letter in unanswered:
        name = shipped_a6.content_areas.get(letter=letter).name
        assert f"{letter}. {name}" not in progress


# --- Study plan, readiness, exhibits, Spanish ------------------------------------------------------------


def test_the_study_plan_page_starts_the_focus_area_and_the_reviews(
    shipped_a6: Test, candidate_alice: Any, frozen_now: Any
) -> None:
    from wrenchmark.practice.models import PracticeMode
    from wrenchmark.practice.services import practice_start
    from wrenchmark.practice.tests.conftest import answer_all

    client = client_for(candidate_alice)
    area_e = shipped_a6.content_areas.get(letter="E")
    answer_all(
        practice_start(candidate=candidate_alice, test=shipped_a6, area=area_e, seed=1), lambda q: False
    )
    page = client.get(reverse("practice:plan", args=["a6"])).content.decode()
    assert "Study area E now" in page
    assert "Your next missed question comes back on" in page
    assert "published test form" in page  # no form: no estimate, and the page says why

    started = client.post(reverse("practice:plan", args=["A6"]), {"action": "study", "area": area_e.pk})
    session = PracticeSession.objects.filter(candidate=candidate_alice).order_by("-pk").first()
    assert session is not None
    assert session.area == area_e
    assert started["Location"] == q_url(session, 1)

    refused = client.post(reverse("practice:plan", args=["A6"]), {"action": "review"})
    assert refused.status_code == 400
    assert "No missed questions are due" in refused.content.decode()
    frozen_now.move_to(NOW + dt.timedelta(days=1))
    client = client_for(candidate_alice)  # the sign-in of yesterday has lapsed
    page = client.get(reverse("practice:plan", args=["A6"])).content.decode()
    assert "questions you missed are due to come back" in page
    client.post(reverse("practice:plan", args=["A6"]), {"action": "review"})
    review = PracticeSession.objects.filter(candidate=candidate_alice).order_by("-pk").first()
    assert review is not None
    assert review.mode == PracticeMode.REVIEW
    assert client.get(reverse("practice:plan", args=["XX"])).status_code == 404
    bad = client.post(reverse("practice:plan", args=["A6"]), {"action": "study", "area": "999999"})
    assert bad.status_code == 400


def test_home_and_plan_show_the_readiness_estimate_and_how_it_was_computed(
    a6_form: Any, candidate_alice: Any
) -> None:
    from wrenchmark.practice.services import practice_start
    from wrenchmark.practice.tests.conftest import answer_all

    client = client_for(candidate_alice)
    test = a6_form.test
    answer_all(
        practice_start(candidate=candidate_alice, test=test, length="full", seed=1),
        lambda q: q.position % 3 > 0,
    )
    home = client.get(reverse("practice:home")).content.decode()
    assert "Estimated chance of passing A6 now:" in home
    plan = client.get(reverse("practice:plan", args=["A6"])).content.decode()
    assert "How this is computed" in plan
    assert f"passes at {a6_form.cut_raw}" in plan
    assert "first answer to each practice question" in plan
    for area in test.content_areas.all():
        assert f"{area.letter}. {area.name}" in plan


def test_the_wiring_diagram_link_preselects_the_exhibit_mode(shipped_a6: Test, candidate_alice: Any) -> None:
    client = client_for(candidate_alice)
    home = client.get(reverse("practice:home")).content.decode()
    assert "Practice interpreting wiring diagrams" in home
    assert "?test=A6&amp;mode=exhibits" in home
    page = client.get(reverse("practice:home") + "?test=A6&mode=exhibits").content.decode()
    assert re.search(r'<input[^>]*value="exhibits"[^>]*checked', page)
    start(client, shipped_a6, mode="exhibits")
    session = only_session(candidate_alice)
    assert session.mode == "exhibits"
    q = question_at(session, 1)
    assert q.item_version.exhibit_id is not None
    assert 'class="exhibit' in client.get(q_url(session, 1)).content.decode()


def test_a_spanish_candidate_practises_in_spanish_with_spanish_explanations(
    a5: Test, candidate_alice: Any
) -> None:
    from wrenchmark.itembank.check import CONTENT
    from wrenchmark.itembank.loading import bank_load
    from wrenchmark.itembank.models import ItemTranslation

    bank_load(edition=a5.edition, folder=CONTENT, paths=[CONTENT / "A5.yaml"])
    candidate_alice.preferred_language = "es"
    candidate_alice.save(update_fields=["preferred_language"])
    client = client_for(candidate_alice)
    client.post(
        reverse("practice:home"),
        {"test": a5.pk, "area": "", "length": "short", "timing": "untimed", "feedback": "each"},
        HTTP_ACCEPT_LANGUAGE="es",
    )
    session = only_session(candidate_alice)
    q = question_at(session, 1)
    spanish = ItemTranslation.objects.get(version=q.item_version, language="es")
    page = client.get(q_url(session, 1), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert render_markup(spanish.stem) in page
    client.post(q_url(session, 1), {"choice": wrong_letter(q)}, HTTP_ACCEPT_LANGUAGE="es")
    page = client.get(q_url(session, 1), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    for option in spanish.options:
        assert render_markup(option["rationale"]) in page
    english = [render_markup(o.rationale) for o in q.item_version.options.all()]
    assert not any(
        r in page for r in english if r not in {render_markup(o["rationale"]) for o in spanish.options}
    )
