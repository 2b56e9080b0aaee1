"""Studying: missed questions come back spaced out, the study plan starts from the weakest area, the
exhibit-only mode, and the readiness estimate against the published form's cut."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from wrenchmark.catalog.models import Test
from wrenchmark.core.exceptions import ApplicationError
from wrenchmark.exams.models import Attempt, ExamForm, ScoreReport
from wrenchmark.itembank.models import Item, ItemPool
from wrenchmark.practice.models import PracticeMode, ReviewCard
from wrenchmark.practice.selectors import practice_items
from wrenchmark.practice.services import practice_start
from wrenchmark.practice.study import REVIEW_INTERVALS, readiness_for, study_plan
from wrenchmark.practice.tests.conftest import NOW, answer_all
from wrenchmark.scoring.models import TestResult

pytestmark = pytest.mark.django_db


def item_ids(session: Any) -> set[int]:
    return set(session.questions.values_list("item_id", flat=True))


# --- Which items practice serves -------------------------------------------------------------------------


def test_no_mode_ever_serves_an_operational_or_renewal_item(shipped_a6: Test, candidate_alice: Any) -> None:
    practice_ids = set(
        Item.objects.filter(test_code="A6", pool=ItemPool.PRACTICE).values_list("pk", flat=True)
    )
    first = practice_start(candidate=candidate_alice, test=shipped_a6, length="full", seed=1)
    answer_all(first, lambda q: q.position % 2 == 0)  # half missed: review cards now exist
    assert ReviewCard.objects.filter(candidate=candidate_alice).exists()
    served: set[int] = item_ids(first)
    for seed in range(6):
        for mode in (PracticeMode.STANDARD, PracticeMode.EXHIBITS):
            for area in (None, *shipped_a6.content_areas.all()):
                if not practice_items(test=shipped_a6, area=area, mode=mode).exists():
                    continue  # an area without exhibit items
                served |= item_ids(
                    practice_start(
                        candidate=candidate_alice, test=shipped_a6, area=area, mode=mode, seed=seed
                    )
                )
    ReviewCard.objects.update(due_on=NOW.date())
    served |= item_ids(practice_start(candidate=candidate_alice, test=shipped_a6, mode=PracticeMode.REVIEW))
    assert served <= practice_ids
    assert served == practice_ids


def test_the_exhibit_mode_serves_only_items_built_on_an_exhibit(
    shipped_a6: Test, candidate_alice: Any
) -> None:
    with_exhibit = set(
        Item.objects.filter(
            test_code="A6", pool=ItemPool.PRACTICE, current_version__exhibit__isnull=False
        ).values_list("pk", flat=True)
    )
    assert 0 < len(with_exhibit) < 10
    session = practice_start(candidate=candidate_alice, test=shipped_a6, mode=PracticeMode.EXHIBITS, seed=3)
    assert item_ids(session) == with_exhibit
    assert session.mode == PracticeMode.EXHIBITS


# --- Spaced review -----------------------------------------------------------------------------------------


def test_a_missed_question_comes_back_spaced_out_until_it_is_learned(
    shipped_a6: Test, candidate_alice: Any, frozen_now: Any
) -> None:
    area_e = shipped_a6.content_areas.get(letter="E")
    session = practice_start(candidate=candidate_alice, test=shipped_a6, area=area_e, seed=2)
    missed = session.questions.order_by("position").first()
    assert missed is not None
    answer_all(session, lambda q: q.pk != missed.pk)
    card = ReviewCard.objects.get(candidate=candidate_alice)
    assert card.item_id == missed.item_id
    assert card.due_on == NOW.date() + dt.timedelta(days=1)
    assert card.area_letter == "E"

    # Not due yet: the review mode has nothing to give.
    with pytest.raises(ApplicationError) as refused:
        practice_start(candidate=candidate_alice, test=shipped_a6, mode=PracticeMode.REVIEW)
    assert refused.value.code == "no_reviews_due"

    day = NOW
    for box, interval in enumerate(REVIEW_INTERVALS):
        day = day + dt.timedelta(days=interval)
        frozen_now.move_to(day)
        review = practice_start(candidate=candidate_alice, test=shipped_a6, mode=PracticeMode.REVIEW)
        assert item_ids(review) == {missed.item_id}
        answer_all(review, lambda q: True)
        card = ReviewCard.objects.filter(candidate=candidate_alice).first()
        if box + 1 < len(REVIEW_INTERVALS):
            assert card is not None
            assert card.box == box + 1
            assert card.due_on == day.date() + dt.timedelta(days=REVIEW_INTERVALS[box + 1])
    assert not ReviewCard.objects.filter(candidate=candidate_alice).exists()  # learned


def test_a_right_answer_before_the_review_is_due_does_not_advance_it_and_a_miss_resets_it(
    shipped_a6: Test, candidate_alice: Any, frozen_now: Any
) -> None:
    area_e = shipped_a6.content_areas.get(letter="E")
    answer_all(
        practice_start(candidate=candidate_alice, test=shipped_a6, area=area_e, seed=2), lambda q: False
    )
    cards = ReviewCard.objects.filter(candidate=candidate_alice)
    assert cards.count() == area_e_count(shipped_a6)
    assert {c.box for c in cards} == {0}
    answer_all(
        practice_start(candidate=candidate_alice, test=shipped_a6, area=area_e, seed=3), lambda q: True
    )
    assert {c.box for c in cards.all()} == {0}  # answered early: still due tomorrow
    frozen_now.move_to(NOW + dt.timedelta(days=1))
    answer_all(
        practice_start(candidate=candidate_alice, test=shipped_a6, mode=PracticeMode.REVIEW), lambda q: True
    )
    assert {c.box for c in cards.all()} == {1}
    frozen_now.move_to(NOW + dt.timedelta(days=4))
    answer_all(
        practice_start(candidate=candidate_alice, test=shipped_a6, mode=PracticeMode.REVIEW), lambda q: False
    )
    assert {c.box for c in cards.all()} == {0}
    assert {c.due_on for c in cards.all()} == {(NOW + dt.timedelta(days=5)).date()}


def area_e_count(test: Test) -> int:
    return Item.objects.filter(
        test_code=test.code, pool=ItemPool.PRACTICE, current_version__area__letter="E"
    ).count()


def test_questions_due_for_review_come_first_in_an_ordinary_session(
    shipped_a6: Test, candidate_alice: Any, frozen_now: Any
) -> None:
    first = practice_start(candidate=candidate_alice, test=shipped_a6, length="full", seed=4)
    wrong = {q.item_id for q in first.questions.all() if q.position <= 3}
    answer_all(first, lambda q: q.item_id not in wrong)
    frozen_now.move_to(NOW + dt.timedelta(days=1))
    later = practice_start(candidate=candidate_alice, test=shipped_a6, seed=5)
    assert wrong <= item_ids(later)


# --- Study plan ------------------------------------------------------------------------------------------


def test_the_plan_starts_from_the_weakest_area_and_moves_on_as_it_improves(
    shipped_a6: Test, candidate_alice: Any
) -> None:
    areas = {a.letter: a for a in shipped_a6.content_areas.all()}
    plan = study_plan(candidate_alice, shipped_a6, NOW.date())
    assert plan.focus is not None
    assert not any(a.known for a in plan.areas)

    answer_all(
        practice_start(candidate=candidate_alice, test=shipped_a6, area=areas["E"], seed=1),
        lambda q: q.position <= 2,
    )
    answer_all(
        practice_start(candidate=candidate_alice, test=shipped_a6, area=areas["B"], seed=1), lambda q: True
    )
    plan = study_plan(candidate_alice, shipped_a6, NOW.date())
    assert plan.focus is not None
    assert plan.focus.letter == "E"
    b = next(a for a in plan.areas if a.letter == "B")
    assert b.done
    assert plan.areas[-1].letter == "B"
    missed_e = next(a for a in plan.areas if a.letter == "E").answered - 2
    assert plan.due_total == 0
    assert plan.next_review == NOW.date() + dt.timedelta(days=1)
    assert study_plan(candidate_alice, shipped_a6, plan.next_review).due_total == missed_e

    # Getting E right now moves the plan on: the latest answer to each question is what counts.
    answer_all(
        practice_start(candidate=candidate_alice, test=shipped_a6, area=areas["E"], seed=2), lambda q: True
    )
    plan = study_plan(candidate_alice, shipped_a6, NOW.date())
    assert next(a for a in plan.areas if a.letter == "E").done
    assert plan.focus is not None
    assert plan.focus.letter not in {"B", "E"}


def test_a_failed_score_report_puts_its_weak_area_first(
    a6_form: ExamForm, candidate_alice: Any, writer: Any
) -> None:
    attempt = Attempt.objects.create(
        candidate=candidate_alice, form=a6_form, started_at=NOW, deadline=NOW, status="submitted"
    )
    subscores = [
        {
            "letter": a.letter,
            "name": a.name,
            "correct": (2 if a.letter == "C" else a.question_count or 0),
            "total": a.question_count or 0,
        }
        for a in a6_form.test.content_areas.order_by("position")
    ]
    report_result = make_result(candidate_alice, a6_form)
    ScoreReport.objects.create(
        attempt=attempt,
        raw=20,
        scored_total=50,
        cut_raw=35,
        scaled=300,
        passed=False,
        subscores=subscores,
        computed_at=NOW,
        result=report_result,
    )
    plan = study_plan(candidate_alice, a6_form.test, NOW.date())
    assert plan.report is not None
    assert plan.focus is not None
    assert plan.focus.letter == "C"
    assert plan.focus.report_correct == 2


def make_result(candidate: Any, form: ExamForm) -> TestResult:
    from wrenchmark.scoring.models import Outcome, ResultSource

    return TestResult.objects.create(
        candidate=candidate,
        test=form.test,
        taken_on=NOW.date(),
        outcome=Outcome.FAIL,
        source=ResultSource.ATTEMPT,
        recorded_at=NOW,
    )


# --- Readiness -------------------------------------------------------------------------------------------


def test_readiness_needs_a_published_form_and_enough_answers(shipped_a6: Test, candidate_alice: Any) -> None:
    assert readiness_for(candidate_alice, shipped_a6).reason == "no_form"


def test_readiness_rises_with_right_answers_and_ignores_repeats(
    a6_form: ExamForm, candidate_alice: Any
) -> None:
    test = a6_form.test
    area_e = test.content_areas.get(letter="E")
    answer_all(
        practice_start(candidate=candidate_alice, test=test, area=area_e, seed=1),
        lambda q: q.position % 2 == 0,
    )
    few = readiness_for(candidate_alice, test)
    assert few.reason == "too_few_answers"
    assert few.answered == area_e_count(test)

    answer_all(practice_start(candidate=candidate_alice, test=test, seed=2), lambda q: q.position % 2 == 0)
    half = readiness_for(candidate_alice, test)
    assert half.reason == ""
    assert half.current is not None
    assert half.previous is None
    assert half.current.cut == a6_form.cut_raw
    assert half.current.total == a6_form.form_items.count()
    assert half.current.probability < 0.3

    # Repeating area E, all right now, changes nothing: only first answers count.
    answer_all(practice_start(candidate=candidate_alice, test=test, area=area_e, seed=3), lambda q: True)
    repeat = readiness_for(candidate_alice, test)
    assert repeat.current is not None
    assert repeat.current.correct == half.current.correct
    assert repeat.current.probability == pytest.approx(half.current.probability, abs=0.02)

    answer_all(practice_start(candidate=candidate_alice, test=test, length="full", seed=4), lambda q: True)
    better = readiness_for(candidate_alice, test)
    assert better.current is not None
    assert better.previous is not None
    assert better.previous.probability == pytest.approx(repeat.current.probability, abs=0.02)
    assert better.current.probability > half.current.probability + 0.1
    assert better.current.answered > half.current.answered
    assert {r["letter"] for r in better.rows} == {a.letter for a in test.content_areas.all()}
