"""Adaptive practice on the calibrated scale: one question at a time, chosen for the learner's ability
within the blueprint, stopping by the standard error; and the readiness estimate from that ability."""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pytest

from wrenchmark.catalog.models import Test
from wrenchmark.core.exceptions import ApplicationError
from wrenchmark.exams.models import FormItem
from wrenchmark.itembank.models import Item, ItemPool
from wrenchmark.itembank.tests.factories import pool_items
from wrenchmark.practice import adaptive
from wrenchmark.practice.models import PracticeCalibration, PracticeItemParameter, PracticeMode
from wrenchmark.practice.selectors import calibrated_parameters, practice_items
from wrenchmark.practice.services import practice_answer, practice_start
from wrenchmark.practice.study import ABILITY_WINDOW, READINESS_MIN_ANSWERS, first_answers, readiness_for
from wrenchmark.practice.study import answers as study_answers
from wrenchmark.practice.tests.conftest import NOW, answer_all, key_letter, wrong_letter
from wrenchmark.psychometrics import equating
from wrenchmark.psychometrics.readiness import AbilityReadiness, pass_probability_from_ability
from wrenchmark.psychometrics.synthetic import ItemParameters

pytestmark = pytest.mark.django_db


def calibrate_by_hand(test: Test, form: Any, *, seed: int = 1, slope: float = 1.0) -> PracticeCalibration:
    """A calibration of every practice item of ``test`` with parameters drawn from ``seed``, and of the
    form's scored items, as the analysis would store it."""
    rng = np.random.default_rng(seed)
    scored = list(FormItem.objects.filter(form=form, scored=True).order_by("position"))
    form_items = [[1.0, float(b), 0.0] for b in rng.normal(-0.5, 1.0, len(scored))]
    arr = np.array(form_items)
    cut_theta = float(equating.raw_to_theta(ItemParameters(arr[:, 0], arr[:, 1], arr[:, 2]), form.cut_raw))
    calibration = PracticeCalibration.objects.create(
        test=test,
        model="2pl",
        anchor_run=1,
        anchor_items=len(scored),
        persons=200,
        form=form,
        cut_raw=form.cut_raw,
        cut_theta=cut_theta,
        form_items=form_items,
        inputs_hash="0" * 64,
        converged=True,
        computed_at=NOW,
    )
    for item in practice_items(test=test).select_related("current_version__area").order_by("pk"):
        PracticeItemParameter.objects.create(
            calibration=calibration,
            item=item,
            area_letter=item.current_version.area.letter,
            answered=100,
            p_value=0.6,
            a=slope * float(rng.uniform(0.8, 2.0)),
            b=float(rng.normal(0.0, 1.2)),
        )
    return calibration


def b_of(session: Any) -> list[float]:
    known = calibrated_parameters(session.calibration)
    return [known[q.item_id][1] for q in session.questions.order_by("position")]


def answer_adaptively(session: Any, right: Any) -> None:
    """Answer each question as it comes, until the session asks no more."""
    while True:
        question = session.questions.filter(answered_at__isnull=True).first()
        if question is None:
            return
        letter = key_letter(question) if right(question) else wrong_letter(question)
        practice_answer(question=question, choice=letter, candidate=session.candidate)


def test_adaptive_practice_is_refused_until_the_items_are_calibrated(
    a6_form: Any, candidate_alice: Any
) -> None:
    test = a6_form.test
    assert not adaptive.available(test)
    with pytest.raises(ApplicationError) as refused:
        practice_start(candidate=candidate_alice, test=test, mode=PracticeMode.ADAPTIVE)
    assert refused.value.code == "not_calibrated"
    assert refused.value.field == "mode"
    calibrate_by_hand(test, a6_form)
    assert adaptive.available(test)


def test_questions_come_one_at_a_time_from_the_calibrated_practice_pool(
    a6_form: Any, candidate_alice: Any
) -> None:
    test = a6_form.test
    calibration = calibrate_by_hand(test, a6_form)
    # A practice item without parameters is never chosen.
    PracticeItemParameter.objects.filter(calibration=calibration).order_by("pk").first().delete()  # type: ignore[union-attr]
    session = practice_start(candidate=candidate_alice, test=test, mode=PracticeMode.ADAPTIVE, seed=3)
    assert session.planned == 10
    assert session.calibration == calibration
    assert session.questions.count() == 1
    first = session.questions.get()
    practice_answer(question=first, choice=key_letter(first), candidate=candidate_alice)
    assert session.questions.count() == 2
    answer_adaptively(session, lambda q: q.position % 2 == 0)
    served = set(session.questions.values_list("item_id", flat=True))
    assert len(served) == session.questions.count() == 10
    calibrated = set(calibration.parameters.values_list("item_id", flat=True))
    assert served <= calibrated
    assert served <= set(
        Item.objects.filter(test_code=test.code, pool=ItemPool.PRACTICE).values_list("pk", flat=True)
    )


def test_right_answers_bring_harder_questions_than_wrong_ones(
    a6_form: Any, make_user: Any, writer: Any
) -> None:
    test = a6_form.test
    area = test.content_areas.order_by("position").first()
    # An area with enough questions to choose from.
    pool_items(test=test, count=30, writer=writer, pool=ItemPool.PRACTICE, area=area.letter, start=500)
    calibrate_by_hand(test, a6_form, seed=2)
    strong, weak = make_user("Sam", "Strong"), make_user("Will", "Weak")
    for seed in range(2):
        up = practice_start(candidate=strong, test=test, area=area, mode=PracticeMode.ADAPTIVE, seed=seed)
        down = practice_start(candidate=weak, test=test, area=area, mode=PracticeMode.ADAPTIVE, seed=seed)
        answer_adaptively(up, lambda q: True)
        answer_adaptively(down, lambda q: False)
        assert np.mean(b_of(up)[3:]) > np.mean(b_of(down)[3:]) + 0.5
    assert adaptive.ability(strong, test, calibrated_parameters(up.calibration))[0].theta > 1.0
    assert adaptive.ability(weak, test, calibrated_parameters(down.calibration))[0].theta < -1.0


def test_a_whole_test_session_follows_the_blueprint(a6_form: Any, candidate_alice: Any) -> None:
    test = a6_form.test
    calibrate_by_hand(test, a6_form, seed=4)
    session = practice_start(
        candidate=candidate_alice, test=test, mode=PracticeMode.ADAPTIVE, length="full", seed=5
    )
    answer_adaptively(session, lambda q: q.position % 3 != 0)
    shares = {a.letter: a.question_count or 0 for a in test.content_areas.all()}
    total = sum(shares.values())
    letters = [q.item_version.area.letter for q in session.questions.order_by("position")]
    pool = {
        letter: practice_items(test=test).filter(current_version__area__letter=letter).count()
        for letter in shares
    }
    for n in range(1, len(letters) + 1):
        for letter, count in shares.items():
            given = letters[:n].count(letter)
            if given < pool[letter]:  # while the area has questions left, it keeps to its share
                assert abs(given - count * n / total) <= 1 + 1e-9, (n, letter)


def test_a_session_stops_once_the_ability_is_known_closely_enough(a6_form: Any, candidate_alice: Any) -> None:
    test = a6_form.test
    calibrate_by_hand(test, a6_form, seed=6, slope=3.0)  # very informative questions
    session = practice_start(
        candidate=candidate_alice, test=test, mode=PracticeMode.ADAPTIVE, length="full", seed=7
    )
    assert session.planned == practice_items(test=test).count()
    answer_adaptively(session, lambda q: q.position % 2 == 0)
    asked = session.questions.count()
    estimate, _n = adaptive.ability(candidate_alice, test, calibrated_parameters(session.calibration))
    assert adaptive.MIN_QUESTIONS <= asked < session.planned
    assert estimate.se <= adaptive.SE_TARGET


def test_questions_seen_before_wait_while_unseen_ones_are_left(a6_form: Any, candidate_alice: Any) -> None:
    test = a6_form.test
    calibrate_by_hand(test, a6_form, seed=8)
    first = practice_start(candidate=candidate_alice, test=test, mode=PracticeMode.ADAPTIVE, seed=1)
    answer_adaptively(first, lambda q: True)
    second = practice_start(candidate=candidate_alice, test=test, mode=PracticeMode.ADAPTIVE, seed=2)
    answer_adaptively(second, lambda q: True)
    seen = set(first.questions.values_list("item_id", flat=True))
    again = set(second.questions.values_list("item_id", flat=True))
    assert len(seen) == len(again) == 10
    assert not seen & again  # 26 calibrated questions: 16 unseen were left for the second session


def test_readiness_comes_from_the_ability_once_enough_calibrated_answers(
    a6_form: Any, candidate_alice: Any
) -> None:
    test = a6_form.test
    calibration = calibrate_by_hand(test, a6_form, seed=9)
    session = practice_start(candidate=candidate_alice, test=test, mode=PracticeMode.ADAPTIVE, seed=1)
    question = session.questions.get()
    practice_answer(question=question, choice=key_letter(question), candidate=candidate_alice)
    early = readiness_for(candidate_alice, test)
    assert early.method == "areas"  # one answer: not yet
    answer_adaptively(session, lambda q: q.position % 2 == 1)

    view = readiness_for(candidate_alice, test)
    assert view.method == "ability"
    assert isinstance(view.current, AbilityReadiness)
    assert view.calibration == calibration
    assert view.form == a6_form
    assert view.rows == []
    known = calibrated_parameters(calibration)
    first = first_answers(study_answers(candidate_alice, test))
    answers = [(a.item, a.correct) for a in first if a.item in known][-ABILITY_WINDOW:]
    assert len(answers) == 10 >= READINESS_MIN_ANSWERS
    params = np.array([known[i] for i, _r in answers])
    form = np.array(calibration.form_items)
    expected = pass_probability_from_ability(
        np.array([float(r) for _i, r in answers]),
        ItemParameters(params[:, 0], params[:, 1], params[:, 2]),
        ItemParameters(form[:, 0], form[:, 1], form[:, 2]),
        cut=a6_form.cut_raw,
    )
    assert view.current.probability == pytest.approx(expected.probability)
    assert view.current.theta == pytest.approx(expected.theta)
    assert view.cut_theta == pytest.approx(calibration.cut_theta)
    assert view.previous is None  # everything came from one session

    later = practice_start(candidate=candidate_alice, test=test, seed=4)  # a standard session counts too
    answer_all(later, lambda q: True)
    after = readiness_for(candidate_alice, test)
    assert isinstance(after.current, AbilityReadiness)
    assert isinstance(after.previous, AbilityReadiness)
    assert after.previous.probability == pytest.approx(view.current.probability)
    assert after.current.theta > view.current.theta


# --- The pages ---------------------------------------------------------------------------------------


def test_the_pages_offer_adaptive_practice_and_show_the_ability(a6_form: Any, candidate_alice: Any) -> None:
    from django.urls import reverse

    from conftest import client_for
    from wrenchmark.practice.models import PracticeSession

    test = a6_form.test
    client = client_for(candidate_alice)
    data = {"test": test.pk, "area": "", "length": "short", "timing": "untimed", "feedback": "each"}
    refused = client.post(reverse("practice:home"), {**data, "mode": "adaptive"})
    assert refused.status_code == 400
    assert "Adaptive practice needs at least 10 calibrated practice questions" in refused.content.decode()
    assert 'data-testid="adaptive-tests"' not in refused.content.decode()
    assert not PracticeSession.objects.filter(candidate=candidate_alice).exists()

    calibration = calibrate_by_hand(test, a6_form, seed=10)
    home = client.get(reverse("practice:home")).content.decode()
    assert "?test=A6&amp;mode=adaptive#start-h" in home
    # Practising a calibrated test starts from "Matched to my level".
    chosen = client.get(reverse("practice:home") + "?test=A6").content.decode()
    assert re.search(r'value="adaptive"[^>]*checked', chosen)
    started = client.post(reverse("practice:home"), {**data, "mode": "adaptive"})
    session = PracticeSession.objects.get(candidate=candidate_alice)
    assert started["Location"] == reverse("practice:question", args=[session.pk, 1])
    page = client.get(started["Location"]).content.decode()
    assert "Question 1 of up to 10" in page
    assert 'data-testid="adaptive-note"' in page
    for position in range(1, 11):
        question = session.questions.get(position=position)
        answered = client.post(
            reverse("practice:question", args=[session.pk, position]), {"choice": key_letter(question)}
        )
        assert answered.status_code == 302
        page = client.get(answered["Location"]).content.decode()
        assert ("Next question" in page) == (position < 10)
    assert 'data-testid="adaptive-done"' in page

    plan = client.get(reverse("practice:plan", args=["A6"])).content.decode()
    view = readiness_for(candidate_alice, test)
    assert isinstance(view.current, AbilityReadiness)
    assert f"On the calibrated scale your ability is {view.current.theta:.2f}" in plan
    assert f"the pass mark sits at {calibration.cut_theta:.2f}" in plan
    assert "from 200 candidates who practised and sat the test" in plan
    assert f"Estimated chance of passing A6 now: {round(view.current.probability * 100)}%" in plan


def test_an_instructor_assigns_an_adaptive_set_once_the_items_are_calibrated(
    a6_form: Any, make_user: Any, candidate_alice: Any
) -> None:
    from wrenchmark.accounts.models import Role
    from wrenchmark.practice.services import assignment_create, assignment_start, class_join, classroom_create

    test = a6_form.test
    ines = make_user("Ines", "Teacher", roles=(Role.INSTRUCTOR,))
    classroom = classroom_create(instructor=ines, name="Evening electrical")
    class_join(learner=candidate_alice, code=classroom.join_code)
    with pytest.raises(ApplicationError) as refused:
        assignment_create(classroom=classroom, acting_user=ines, test=test, mode=PracticeMode.ADAPTIVE)
    assert refused.value.code == "not_calibrated"
    calibrate_by_hand(test, a6_form, seed=12)
    assignment = assignment_create(
        classroom=classroom, acting_user=ines, test=test, mode=PracticeMode.ADAPTIVE
    )
    session = assignment_start(learner=candidate_alice, assignment=assignment)
    assert session.mode == PracticeMode.ADAPTIVE
    assert session.assignment == assignment
    assert session.planned == 10
    assert session.questions.count() == 1
