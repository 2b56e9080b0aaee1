"""Demo class: an instructor's evening course with two learners, two assignments and some practice,
entered through the practice services (audited).

Ines Castillo teaches "Electrical evening course". James Carter and Priya Nair have joined with the class
code. The class is assigned A6 content area E, the A6 wiring-diagram set and a short A6; James has finished two
practice sessions of A6 (his answers are drawn with a fixed seed, about two in three right), so his
accuracy chart, study plan and readiness estimate, and the instructor's progress table, have something
to show on a fresh install.
"""

from __future__ import annotations

import random

from django.db import transaction

from wrenchmark.accounts.models import User
from wrenchmark.catalog.models import Test
from wrenchmark.catalog.selectors import edition_in_force
from wrenchmark.core.exceptions import ApplicationError, NotFound
from wrenchmark.practice.models import Classroom, PracticeMode, PracticeSession
from wrenchmark.practice.services import (
    assignment_create,
    assignment_start,
    class_join,
    classroom_create,
    practice_answer,
    practice_finish,
)

DEMO_CLASS = "Electrical evening course"
DEMO_INSTRUCTOR = "ines.instructor@demo.wrenchmark.test"
DEMO_LEARNERS = ("james.carter@demo.wrenchmark.test", "priya.nair@demo.wrenchmark.test")
DEMO_SEED = 2026


def _practise(session: PracticeSession, rng: random.Random, right_share: float) -> None:
    for question in session.questions.select_related("item_version").order_by("position"):
        options = list(question.item_version.options.order_by("position"))
        key = next(i for i, o in enumerate(options) if o.is_key)
        wrong = [i for i in range(len(options)) if i != key]
        pick = key if rng.random() < right_share else rng.choice(wrong)
        practice_answer(question=question, choice="ABCD"[pick], candidate=session.candidate)
    practice_finish(session=session)


@transaction.atomic
def demo_class_load() -> Classroom | None:
    """Create the demo class once; ``None`` when the demo people or the A6 practice items are missing.
    Once the class exists, later calls change nothing."""
    instructor = User.objects.filter(email=DEMO_INSTRUCTOR).first()
    learners = [u for u in (User.objects.filter(email=e).first() for e in DEMO_LEARNERS) if u is not None]
    if instructor is None or not learners:
        return None
    existing = Classroom.objects.filter(instructor=instructor, name=DEMO_CLASS).first()
    if existing is not None:
        return None
    try:
        a6 = Test.objects.get(edition=edition_in_force(), code="A6")
    except (Test.DoesNotExist, NotFound):
        return None
    area_e = a6.content_areas.filter(letter="E").first()
    try:
        classroom = classroom_create(instructor=instructor, name=DEMO_CLASS)
        for learner in learners:
            class_join(learner=learner, code=classroom.join_code)
        area_set = assignment_create(
            classroom=classroom,
            acting_user=instructor,
            test=a6,
            area=area_e,
            note="Lighting and accessories: read each rationale, then redo the ones you missed.",
        )
        assignment_create(classroom=classroom, acting_user=instructor, test=a6, mode=PracticeMode.EXHIBITS)
        rng = random.Random(DEMO_SEED)  # noqa: S311 - reproducible demo answers, not a secret
        _practise(assignment_start(learner=learners[0], assignment=area_set), rng, 0.55)
        whole = assignment_create(classroom=classroom, acting_user=instructor, test=a6)
        _practise(assignment_start(learner=learners[0], assignment=whole), rng, 0.7)
    except ApplicationError:
        transaction.set_rollback(True)
        return None
    return classroom
