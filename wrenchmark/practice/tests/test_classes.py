"""Classes: an instructor creates one, learners join with its code (and may leave), the instructor
assigns practice sets and sees each current learner's progress by content area, and no one else's."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse

from conftest import client_for
from wrenchmark.accounts.models import Role
from wrenchmark.catalog.models import Test
from wrenchmark.core.exceptions import ApplicationError, Conflict, NotFound, PermissionDenied
from wrenchmark.core.models import AuditEvent
from wrenchmark.practice.models import Assignment, ClassMember, Classroom, PracticeMode
from wrenchmark.practice.services import (
    assignment_create,
    assignment_start,
    class_join,
    class_leave,
    classroom_create,
)
from wrenchmark.practice.tests.conftest import NOW, answer_all

pytestmark = pytest.mark.django_db


@pytest.fixture
def ines(make_user: Callable[..., Any]) -> Any:
    return make_user("Ines", "Teacher", roles=(Role.INSTRUCTOR,))


@pytest.fixture
def classroom(ines: Any, shipped_a6: Test) -> Classroom:
    return classroom_create(instructor=ines, name="Evening electrical")


def test_only_instructors_create_classes_and_codes_are_readable(ines: Any, candidate_alice: Any) -> None:
    with pytest.raises(PermissionDenied):
        classroom_create(instructor=candidate_alice, name="Mine")
    with pytest.raises(ApplicationError) as blank:
        classroom_create(instructor=ines, name="   ")
    assert blank.value.code == "name_required"
    codes = {classroom_create(instructor=ines, name=f"Class {n}").join_code for n in range(20)}
    assert len(codes) == 20
    assert all(len(c) == 8 and not set(c) & set("01OIL") for c in codes)
    assert AuditEvent.objects.filter(action="practice.class_created").count() == 20


def test_joining_by_code_leaving_and_rejoining(classroom: Classroom, candidate_alice: Any, ines: Any) -> None:
    code = classroom.join_code
    messy = f" {code[:4].lower()}-{code[4:]} "
    member = class_join(learner=candidate_alice, code=messy)
    assert member.classroom == classroom
    assert member.left_at is None
    with pytest.raises(Conflict):
        class_join(learner=candidate_alice, code=code)
    with pytest.raises(ApplicationError) as wrong:
        class_join(learner=candidate_alice, code="ZZZZZZZZ")
    assert wrong.value.code == "invalid_code"
    with pytest.raises(ApplicationError) as own:
        class_join(learner=ines, code=code)
    assert own.value.code == "own_class"

    class_leave(learner=candidate_alice, classroom=classroom)
    assert ClassMember.objects.get(learner=candidate_alice).left_at == NOW
    with pytest.raises(NotFound):
        class_leave(learner=candidate_alice, classroom=classroom)
    class_join(learner=candidate_alice, code=code)
    assert ClassMember.objects.get(learner=candidate_alice).left_at is None
    actions = list(
        AuditEvent.objects.filter(action__startswith="practice.class_").values_list("action", flat=True)
    )
    assert actions.count("practice.class_joined") == 2
    assert "practice.class_left" in actions


def test_assignments_are_checked_and_started_only_by_the_class(
    classroom: Classroom, shipped_a6: Test, ines: Any, candidate_alice: Any, outsider_dave: Any, a5: Test
) -> None:
    area_e = shipped_a6.content_areas.get(letter="E")
    with pytest.raises(PermissionDenied):
        assignment_create(classroom=classroom, acting_user=outsider_dave, test=shipped_a6)
    with pytest.raises(ApplicationError) as other_test:
        assignment_create(
            classroom=classroom, acting_user=ines, test=a5, area=area_e, mode=PracticeMode.STANDARD
        )
    assert other_test.value.code == "invalid_area"
    with pytest.raises(ApplicationError) as empty:
        assignment_create(classroom=classroom, acting_user=ines, test=a5)  # no A5 practice items loaded
    assert empty.value.code == "no_practice_items"
    with pytest.raises(ApplicationError) as review:
        assignment_create(classroom=classroom, acting_user=ines, test=shipped_a6, mode=PracticeMode.REVIEW)
    assert review.value.code == "invalid_mode"

    assignment = assignment_create(classroom=classroom, acting_user=ines, test=shipped_a6, area=area_e)
    with pytest.raises(NotFound):
        assignment_start(learner=candidate_alice, assignment=assignment)  # not in the class
    class_join(learner=candidate_alice, code=classroom.join_code)
    session = assignment_start(learner=candidate_alice, assignment=assignment)
    assert session.assignment == assignment
    assert session.area == area_e
    assert {q.item_version.area.letter for q in session.questions.select_related("item_version__area")} == {
        "E"
    }


def test_the_instructor_sees_current_learners_progress_and_nobody_else_does(
    classroom: Classroom,
    shipped_a6: Test,
    ines: Any,
    candidate_alice: Any,
    outsider_dave: Any,
    make_user: Callable[..., Any],
) -> None:
    area_e = shipped_a6.content_areas.get(letter="E")
    assignment = assignment_create(classroom=classroom, acting_user=ines, test=shipped_a6, area=area_e)
    class_join(learner=candidate_alice, code=classroom.join_code)
    answer_all(assignment_start(learner=candidate_alice, assignment=assignment), lambda q: q.position <= 3)
    # Dave practises too, but is not in the class.
    from wrenchmark.practice.services import practice_start

    answer_all(practice_start(candidate=outsider_dave, test=shipped_a6, seed=1), lambda q: True)

    client = client_for(ines)
    page = client.get(reverse("practice:class", args=[classroom.pk])).content.decode()
    assert classroom.join_code in page
    assert "Alice Archer" in page
    assert "Dave Dunn" not in page
    e_items = assignment.sessions.get().questions.count()
    assert f"(3/{e_items})" in page
    assert "1 of 1 learners finished it" in page

    learner_url = reverse("practice:class_learner", args=[classroom.pk, candidate_alice.pk])
    learner_page = client.get(learner_url).content.decode()
    assert "Alice Archer: practice progress" in learner_page
    assert "<svg" in learner_page
    assert f"3 of {e_items}" in learner_page

    # Not a learner of the class, another instructor, or the learner after leaving: not found.
    assert (
        client.get(reverse("practice:class_learner", args=[classroom.pk, outsider_dave.pk])).status_code
        == 404
    )
    other = make_user("Otto", "Other", roles=(Role.INSTRUCTOR,))
    assert client_for(other).get(reverse("practice:class", args=[classroom.pk])).status_code == 404
    assert client_for(other).get(learner_url).status_code == 404
    assert client_for(candidate_alice).get(reverse("practice:class", args=[classroom.pk])).status_code == 404
    class_leave(learner=candidate_alice, classroom=classroom)
    assert client.get(learner_url).status_code == 404
    assert "Alice Archer" not in client.get(reverse("practice:class", args=[classroom.pk])).content.decode()


def test_the_class_pages_create_join_assign_and_start(
    shipped_a6: Test, ines: Any, candidate_alice: Any
) -> None:
    teacher = client_for(ines)
    bad = teacher.post(reverse("practice:classes"), {"action": "create", "name": ""})
    assert bad.status_code == 400
    assert "Give the class a name." in bad.content.decode()
    created = teacher.post(reverse("practice:classes"), {"action": "create", "name": "Saturday A6"})
    classroom = Classroom.objects.get(name="Saturday A6")
    assert created["Location"] == reverse("practice:class", args=[classroom.pk])

    learner = client_for(candidate_alice)
    assert "Create the class" not in learner.get(reverse("practice:classes")).content.decode()
    assert learner.post(reverse("practice:classes"), {"action": "create", "name": "x"}).status_code == 403
    wrong = learner.post(reverse("practice:classes"), {"action": "join", "code": "NOPE2345"})
    assert wrong.status_code == 400
    assert "No class has that code" in wrong.content.decode()
    learner.post(reverse("practice:classes"), {"action": "join", "code": classroom.join_code.lower()})
    assert "Saturday A6" in learner.get(reverse("practice:classes")).content.decode()

    area_e = shipped_a6.content_areas.get(letter="E")
    form = {
        "test": shipped_a6.pk,
        "area": area_e.pk,
        "length": "short",
        "mode": "exhibits",
        "due_on": "2026-11-01",
    }
    past = teacher.post(reverse("practice:class", args=[classroom.pk]), form)
    assert past.status_code == 400
    assert "The date to finish by has passed." in past.content.decode()
    form["due_on"] = "2026-12-15"
    form["mode"] = "standard"
    assert teacher.post(reverse("practice:class", args=[classroom.pk]), form).status_code == 302
    assignment = Assignment.objects.get(classroom=classroom)

    home = learner.get(reverse("practice:home")).content.decode()
    assert "Assigned by your instructors" in home
    assert "Saturday A6" in home
    started = learner.post(reverse("practice:assignment_start", args=[assignment.pk]))
    assert started.status_code == 302
    assert "/q/1/" in started["Location"]
    assert assignment.sessions.get().candidate == candidate_alice
    assert (
        client_for(ines).post(reverse("practice:assignment_start", args=[assignment.pk])).status_code == 404
    )


def test_the_demo_class_is_loaded_once_through_the_services(shipped_a6: Test) -> None:
    from wrenchmark.demo.loading import demo_load
    from wrenchmark.practice.demo import DEMO_CLASS, DEMO_INSTRUCTOR, demo_class_load
    from wrenchmark.practice.study import readiness_for, study_plan

    assert demo_class_load() is None  # no demo people yet
    demo_load()
    classroom = demo_class_load()
    assert classroom is not None
    assert classroom.name == DEMO_CLASS
    assert classroom.instructor.email == DEMO_INSTRUCTOR
    assert classroom.members.count() == 2
    assert classroom.assignments.count() == 3
    james = classroom.members.get(learner__first_name="James").learner
    assert james.practice_sessions.filter(finished_at__isnull=False).count() == 2
    plan = study_plan(james, shipped_a6, NOW.date())
    assert plan.focus is not None
    assert any(a.answered for a in plan.areas)
    assert readiness_for(james, shipped_a6).reason == "no_form"  # no published form in this test
    assert AuditEvent.objects.filter(action="practice.class_joined").count() == 2
    assert demo_class_load() is None
    assert Classroom.objects.count() == 1
