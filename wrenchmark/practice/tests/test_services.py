"""Practice sessions: drawn from the practice pool only, answered once, feedback when the mode allows it."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest

from wrenchmark.catalog.models import Test
from wrenchmark.core.exceptions import ApplicationError
from wrenchmark.core.models import AuditEvent
from wrenchmark.itembank.models import Item, ItemPool, ItemState
from wrenchmark.practice.models import PracticeQuestion, PracticeSession
from wrenchmark.practice.selectors import area_accuracy, practice_feedback, practice_results
from wrenchmark.practice.services import practice_answer, practice_finish, practice_start
from wrenchmark.practice.tests.conftest import NOW, key_letter, wrong_letter

REVEALING = {"key", "correct", "options", "rationale", "rationales", "references", "exhibit", "is_key"}


def drawn(session: PracticeSession) -> list[Item]:
    return [q.item for q in session.questions.select_related("item").order_by("position")]


def questions(session: PracticeSession) -> list[PracticeQuestion]:
    return list(session.questions.select_related("item_version__area").order_by("position"))


# --- The pool: practice items only ---------------------------------------------------------------------


def test_operational_and_renewal_items_never_appear_in_practice(
    shipped_a6: Test, candidate_alice: Any, outsider_dave: Any
) -> None:
    bank = Item.objects.filter(test_code="A6")
    # The shipped bank has all three pools, usable, so the draw has something else it could take.
    for pool in (ItemPool.OPERATIONAL, ItemPool.PRACTICE, ItemPool.RENEWAL):
        assert bank.filter(pool=pool, state__in=("approved", "operational", "pretest")).exists(), pool
    practice_ids = set(bank.filter(pool=ItemPool.PRACTICE).values_list("pk", flat=True))
    seen: set[int] = set()
    scopes = [None, *shipped_a6.content_areas.order_by("position")]
    for seed in range(12):
        for area in scopes:
            for length in ("short", "full"):
                for candidate in (candidate_alice, outsider_dave):
                    session = practice_start(
                        candidate=candidate, test=shipped_a6, area=area, length=length, seed=seed
                    )
                    items = drawn(session)
                    assert {i.pool for i in items} == {ItemPool.PRACTICE}
                    if area is not None:
                        assert {q.item_version.area_id for q in questions(session)} == {area.pk}
                    seen.update(i.pk for i in items)
    # Every practice item was served at some point, and nothing else ever was.
    assert seen == practice_ids


def test_a_whole_test_session_spreads_its_questions_like_the_blueprint(
    shipped_a6: Test, candidate_alice: Any
) -> None:
    session = practice_start(candidate=candidate_alice, test=shipped_a6, seed=3)
    per_area = Counter(q.item_version.area.letter for q in questions(session))
    assert sum(per_area.values()) == 10
    for area in shipped_a6.content_areas.all():
        share = 10 * (area.question_count or 0) / shipped_a6.scored_count
        assert abs(per_area[area.letter] - share) < 1, (area.letter, per_area)


def test_drafts_and_items_of_other_tests_are_not_drawn(
    a5: Test, a6: Test, candidate_alice: Any, make_items: Callable[..., list[Item]]
) -> None:
    usable = make_items(a5, "C", 3)
    make_items(a5, "C", 2, state=ItemState.DRAFT)
    make_items(a5, "C", 2, state=ItemState.RETIRED)
    make_items(a5, "C", 4, pool="operational")
    make_items(a5, "C", 4, pool="renewal")
    make_items(a6, "A", 4)
    session = practice_start(candidate=candidate_alice, test=a5, seed=1)
    assert sorted(i.pk for i in drawn(session)) == sorted(i.pk for i in usable)


def test_area_sessions_take_only_that_area(
    a5: Test, candidate_alice: Any, make_items: Callable[..., list[Item]]
) -> None:
    in_c = make_items(a5, "C", 12)
    make_items(a5, "D", 12)
    area_c = a5.content_areas.get(letter="C")
    for seed in range(5):
        session = practice_start(candidate=candidate_alice, test=a5, area=area_c, seed=seed)
        assert {i.pk for i in drawn(session)} <= {i.pk for i in in_c}
        assert session.questions.count() == 10


def test_a_content_area_of_another_test_is_refused(a5: Test, a6: Test, candidate_alice: Any) -> None:
    with pytest.raises(ApplicationError) as refused:
        practice_start(candidate=candidate_alice, test=a5, area=a6.content_areas.first())
    assert refused.value.code == "invalid_area"


# --- Length and the draw -------------------------------------------------------------------------------


def test_short_is_ten_full_is_the_scored_count_and_a_small_pool_gives_what_it_has(
    a5: Test, candidate_alice: Any, make_items: Callable[..., list[Item]]
) -> None:
    make_items(a5, "A", 30)
    make_items(a5, "C", 40)
    assert practice_start(candidate=candidate_alice, test=a5, length="short").questions.count() == 10
    full = practice_start(candidate=candidate_alice, test=a5, length="full")
    assert full.questions.count() == a5.scored_count == 45
    area_d = a5.content_areas.get(letter="D")
    make_items(a5, "D", 4)
    assert practice_start(candidate=candidate_alice, test=a5, area=area_d).questions.count() == 4
    positions = list(full.questions.order_by("position").values_list("position", flat=True))
    assert positions == list(range(1, 46))


def test_no_practice_items_is_refused_clearly(
    a5: Test, candidate_alice: Any, make_items: Callable[..., list[Item]]
) -> None:
    make_items(a5, "C", 5, pool="operational")
    make_items(a5, "C", 5, pool="renewal")
    with pytest.raises(ApplicationError) as refused:
        practice_start(candidate=candidate_alice, test=a5)
    assert refused.value.code == "no_practice_items"
    assert not PracticeSession.objects.exists()


def test_the_draw_is_reproducible_from_its_seed(
    a5: Test, candidate_alice: Any, outsider_dave: Any, make_items: Callable[..., list[Item]]
) -> None:
    make_items(a5, "C", 30)
    first = practice_start(candidate=candidate_alice, test=a5, seed=42)
    same = practice_start(candidate=outsider_dave, test=a5, seed=42)
    other = practice_start(candidate=outsider_dave, test=a5, seed=43)
    assert first.seed == 42
    assert drawn(first) == drawn(same)
    assert drawn(other) != drawn(first)


def test_unseen_items_come_first_then_missed_ones(
    a5: Test, candidate_alice: Any, make_items: Callable[..., list[Item]]
) -> None:
    make_items(a5, "C", 15)
    first = practice_start(candidate=candidate_alice, test=a5, seed=1)
    missed, right = [], []
    for question in questions(first):
        if question.position <= 3:
            practice_answer(question=question, choice=wrong_letter(question), candidate=candidate_alice)
            missed.append(question.item_id)
        else:
            practice_answer(question=question, choice=key_letter(question), candidate=candidate_alice)
            right.append(question.item_id)
    practice_finish(session=first)
    unseen = set(Item.objects.filter(pool="practice").values_list("pk", flat=True)) - set(missed) - set(right)
    assert len(unseen) == 5

    second = {i.pk for i in drawn(practice_start(candidate=candidate_alice, test=a5, seed=2))}
    # 5 never seen, the 3 missed, then 2 of the 7 answered right.
    assert unseen <= second
    assert set(missed) <= second
    assert len(second & set(right)) == 2


# --- Answering -----------------------------------------------------------------------------------------


def test_a_question_is_answered_once_and_only_by_its_candidate(
    a5: Test, candidate_alice: Any, outsider_dave: Any, make_items: Callable[..., list[Item]]
) -> None:
    make_items(a5, "C", 10)
    session = practice_start(candidate=candidate_alice, test=a5, seed=5)
    question = questions(session)[0]
    with pytest.raises(ApplicationError) as refused:
        practice_answer(question=question, choice="A", candidate=outsider_dave)
    assert refused.value.code == "not_found"
    with pytest.raises(ApplicationError) as refused:
        practice_answer(question=question, choice="E", candidate=candidate_alice)
    assert refused.value.code == "invalid_choice"

    practice_answer(question=question, choice=key_letter(question).lower(), candidate=candidate_alice)
    with pytest.raises(ApplicationError) as refused:
        practice_answer(question=question, choice=wrong_letter(question), candidate=candidate_alice)
    assert refused.value.code == "already_answered"
    question.refresh_from_db()
    assert (question.choice, question.correct, question.answered_at) == (key_letter(question), True, NOW)


def test_each_mode_gives_the_feedback_with_the_answer(
    a5: Test, candidate_alice: Any, make_items: Callable[..., list[Item]]
) -> None:
    make_items(a5, "C", 10)
    session = practice_start(candidate=candidate_alice, test=a5, feedback="each", seed=5)
    first, second = questions(session)[:2]
    chosen = wrong_letter(first)
    outcome = practice_answer(question=first, choice=chosen, candidate=candidate_alice)
    assert outcome["correct"] is False
    assert outcome["key"] == key_letter(first)
    assert outcome["choice"] == chosen
    options = first.item_version.options.order_by("position")
    assert [o["rationale"] for o in outcome["options"]] == [o.rationale for o in options]
    assert [o["letter"] for o in outcome["options"] if o["is_key"]] == [key_letter(first)]
    assert [o["letter"] for o in outcome["options"] if o["chosen"]] == [chosen]
    assert outcome["references"] == first.item_version.references != []
    assert outcome["exhibit"] == first.item_version.exhibit_id
    # Before the end, feedback covers the answered questions only.
    assert [f["question"] for f in practice_feedback(session)] == [first.pk]
    assert practice_answer(question=second, choice=key_letter(second), candidate=candidate_alice)["correct"]


def test_end_mode_withholds_the_feedback_until_the_session_is_finished(
    a5: Test, candidate_alice: Any, make_items: Callable[..., list[Item]]
) -> None:
    make_items(a5, "C", 10)
    session = practice_start(candidate=candidate_alice, test=a5, feedback="end", seed=5)
    answered = questions(session)[:4]
    for question in answered:
        outcome = practice_answer(question=question, choice=key_letter(question), candidate=candidate_alice)
        assert not REVEALING & set(outcome), outcome
        assert "rationale" not in repr(outcome).lower()
        assert outcome["answered_count"] == question.position
    assert practice_feedback(session) == []

    practice_finish(session=session)
    feedback = practice_feedback(session)
    assert len(feedback) == 10
    assert [f["correct"] for f in feedback] == [True] * 4 + [None] * 6
    assert all(f["key"] in "ABCD" and len(f["options"]) == 4 for f in feedback)
    assert [f["choice"] for f in feedback[4:]] == [None] * 6


def test_finishing_is_idempotent_and_closes_the_session(
    a5: Test, candidate_alice: Any, make_items: Callable[..., list[Item]], frozen_now: Any
) -> None:
    make_items(a5, "C", 10)
    session = practice_start(candidate=candidate_alice, test=a5, seed=5)
    practice_finish(session=session)
    frozen_now.shift(dt.timedelta(hours=1))
    again = practice_finish(session=session)
    assert again.finished_at == NOW
    assert AuditEvent.objects.filter(action="practice.finished", target_id=str(session.pk)).count() == 1
    assert AuditEvent.objects.filter(action="practice.started", target_id=str(session.pk)).count() == 1
    with pytest.raises(ApplicationError) as refused:
        practice_answer(question=questions(session)[0], choice="A", candidate=candidate_alice)
    assert refused.value.code == "finished"


# --- Timed sessions ------------------------------------------------------------------------------------


def test_a_timed_session_runs_at_the_real_pace_refuses_late_answers_and_ends_at_the_deadline(
    a5: Test, candidate_alice: Any, make_items: Callable[..., list[Item]], frozen_now: Any
) -> None:
    make_items(a5, "C", 10)
    untimed = practice_start(candidate=candidate_alice, test=a5, seed=1)
    assert untimed.deadline is None
    session = practice_start(candidate=candidate_alice, test=a5, timed=True, seed=5)
    allowed = dt.timedelta(seconds=round(a5.minutes * 60 * 10 / a5.total_questions))
    assert session.deadline == NOW + allowed
    first, second = questions(session)[:2]

    frozen_now.shift(allowed - dt.timedelta(seconds=1))
    practice_answer(question=first, choice="A", candidate=candidate_alice)
    frozen_now.shift(dt.timedelta(seconds=1))
    with pytest.raises(ApplicationError) as refused:
        practice_answer(question=second, choice="A", candidate=candidate_alice)
    assert refused.value.code == "deadline_passed"

    frozen_now.shift(dt.timedelta(minutes=30))
    finished = practice_finish(session=session)
    assert finished.finished_at == session.deadline
    event = AuditEvent.objects.get(action="practice.finished", target_id=str(session.pk))
    assert event.data["timed_out"] is True
    assert event.data["answered"] == 1
    # An untimed session has no deadline to refuse an answer, however late.
    assert practice_answer(question=questions(untimed)[0], choice="B", candidate=candidate_alice)


# --- Results -------------------------------------------------------------------------------------------


def test_per_area_results_add_up(shipped_a6: Test, candidate_alice: Any) -> None:
    session = practice_start(candidate=candidate_alice, test=shipped_a6, length="full", seed=9)
    all_questions = questions(session)
    for question in all_questions[::2]:
        practice_answer(question=question, choice=key_letter(question), candidate=candidate_alice)
    for question in all_questions[1::4]:
        practice_answer(question=question, choice=wrong_letter(question), candidate=candidate_alice)
    results = practice_results(session)
    all_questions = questions(session)

    assert sum(r.questions for r in results) == len(all_questions)
    assert sum(r.answered for r in results) == session.questions.filter(answered_at__isnull=False).count()
    assert sum(r.correct for r in results) == session.questions.filter(correct=True).count()
    letters = [a.letter for a in shipped_a6.content_areas.order_by("position")]
    assert [r.letter for r in results] == [
        letter for letter in letters if letter in {r.letter for r in results}
    ]
    for result in results:
        in_area = [q for q in all_questions if q.item_version.area.letter == result.letter]
        assert result.questions == len(in_area)
        assert result.correct == sum(1 for q in in_area if q.correct)
        assert result.answered == sum(1 for q in in_area if q.answered_at)


def test_area_accuracy_covers_finished_sessions_in_date_order(
    a5: Test, candidate_alice: Any, outsider_dave: Any, make_items: Callable[..., list[Item]], frozen_now: Any
) -> None:
    make_items(a5, "C", 6)
    make_items(a5, "D", 6)
    area_c = a5.content_areas.get(letter="C")
    one = practice_start(candidate=candidate_alice, test=a5, area=area_c, seed=1)
    for question in questions(one)[:4]:
        practice_answer(question=question, choice=key_letter(question), candidate=candidate_alice)
    practice_finish(session=one)

    frozen_now.shift(dt.timedelta(days=2))
    two = practice_start(candidate=candidate_alice, test=a5, seed=2)
    for question in questions(two):
        practice_answer(question=question, choice=wrong_letter(question), candidate=candidate_alice)
    practice_finish(session=two)
    # Neither an unfinished session nor another candidate's counts.
    open_one = practice_start(candidate=candidate_alice, test=a5, seed=3)
    practice_answer(question=questions(open_one)[0], choice="A", candidate=candidate_alice)
    dave = practice_start(candidate=outsider_dave, test=a5, seed=3)
    practice_answer(question=questions(dave)[0], choice="A", candidate=outsider_dave)
    practice_finish(session=dave)

    accuracy = {a.letter: a for a in area_accuracy(candidate_alice, a5)}
    assert list(accuracy) == [a.letter for a in a5.content_areas.order_by("position")]
    per_area = Counter(q.item_version.area.letter for q in questions(two))
    two_c, two_d = per_area["C"], per_area["D"]
    assert two_c > 0
    assert two_d > 0
    c, d = accuracy["C"], accuracy["D"]
    assert (c.answered, c.correct) == (4 + two_c, 4)
    assert c.proportion == 4 / (4 + two_c)
    assert [(p.session, p.finished_at, p.answered) for p in c.points] == [
        (one.pk, NOW, 4),
        (two.pk, NOW + dt.timedelta(days=2), two_c),
    ]
    assert (d.answered, d.correct) == (two_d, 0)
    assert accuracy["A"].answered == 0
    assert accuracy["A"].proportion is None
