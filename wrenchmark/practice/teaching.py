"""Reads for classes: an instructor's classes and what each learner has practised; a learner's classes
and assignments.

An instructor sees a learner's practice only while the learner is in the class (joining with the class
code is the learner's consent; leaving ends it), and only practice: never exam results.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from wrenchmark.accounts.models import User
from wrenchmark.catalog.models import Test
from wrenchmark.core.exceptions import NotFound
from wrenchmark.practice.models import Assignment, ClassMember, Classroom, PracticeSession
from wrenchmark.practice.study import ReadinessView, StudyPlan, readiness_for, study_plan


def classes_taught(instructor: User) -> QuerySet[Classroom]:
    return (
        Classroom.objects.filter(instructor=instructor, archived_at__isnull=True)
        .annotate(learners=Count("members", filter=Q(members__left_at__isnull=True)))
        .order_by("name", "pk")
    )


def seats_of(learner: User) -> QuerySet[ClassMember]:
    return (
        ClassMember.objects.filter(learner=learner, left_at__isnull=True, classroom__archived_at__isnull=True)
        .select_related("classroom__instructor")
        .order_by("classroom__name")
    )


def members(classroom: Classroom) -> list[User]:
    return [
        m.learner
        for m in classroom.members.filter(left_at__isnull=True)
        .select_related("learner")
        .order_by("learner__last_name", "learner__first_name", "pk")
    ]


def access_class_for_instructor(user: User, class_id: int) -> Classroom:
    classroom = Classroom.objects.filter(pk=class_id, instructor=user, archived_at__isnull=True).first()
    if classroom is None:
        raise NotFound("No such class.")
    return classroom


def access_learner_for_instructor(user: User, class_id: int, learner_id: int) -> tuple[Classroom, User]:
    """A current learner of one of the instructor's classes; anyone else is not found."""
    classroom = access_class_for_instructor(user, class_id)
    member = (
        classroom.members.filter(learner_id=learner_id, left_at__isnull=True)
        .select_related("learner")
        .first()
    )
    if member is None:
        raise NotFound("No such learner.")
    return classroom, member.learner


def access_assignment_for_learner(user: User, assignment_id: int) -> Assignment:
    assignment = (
        Assignment.objects.select_related("test", "area", "classroom")
        .filter(
            pk=assignment_id,
            classroom__archived_at__isnull=True,
            classroom__members__learner=user,
            classroom__members__left_at__isnull=True,
        )
        .first()
    )
    if assignment is None:
        raise NotFound("No such assignment.")
    return assignment


@dataclass(frozen=True, slots=True)
class AssignmentStatus:
    assignment: Assignment
    started: int
    finished: int
    best_correct: int | None
    best_total: int | None


def _status(assignment: Assignment, learner: User) -> AssignmentStatus:
    sessions = PracticeSession.objects.filter(assignment=assignment, candidate=learner).annotate(
        total=Count("questions"), right=Count("questions", filter=Q(questions__correct=True))
    )
    finished = [s for s in sessions if s.finished_at is not None]
    best = max(finished, key=lambda s: (s.right, -s.pk), default=None)
    return AssignmentStatus(
        assignment=assignment,
        started=len(sessions),
        finished=len(finished),
        best_correct=best.right if best is not None else None,
        best_total=best.total if best is not None else None,
    )


def learner_assignments(learner: User) -> list[AssignmentStatus]:
    """The assignments of the learner's current classes, newest first, with what they have done."""
    assignments = (
        Assignment.objects.filter(
            classroom__members__learner=learner,
            classroom__members__left_at__isnull=True,
            classroom__archived_at__isnull=True,
        )
        .select_related("test", "area", "classroom")
        .order_by("-created_at", "-pk")
    )
    return [_status(a, learner) for a in assignments]


@dataclass(frozen=True, slots=True)
class LearnerRow:
    learner: User
    plan: StudyPlan
    readiness: ReadinessView
    finished_sessions: int
    last_practised: dt.datetime | None
    assignments_done: int


def class_tests(classroom: Classroom) -> list[Test]:
    """The tests the class has been assigned, in catalog order."""
    return list(
        Test.objects.filter(pk__in=classroom.assignments.values("test_id")).order_by("edition", "position")
    )


def class_progress(classroom: Classroom, test: Test, today: dt.date) -> list[LearnerRow]:
    """Per current learner: the study plan's per-area figures, the readiness estimate, finished
    sessions of ``test`` and the class's assignments of it finished."""
    rows = []
    assignment_ids = list(classroom.assignments.filter(test=test).values_list("pk", flat=True))
    for learner in members(classroom):
        sessions = PracticeSession.objects.filter(candidate=learner, test__code=test.code)
        finished = sessions.filter(finished_at__isnull=False)
        last = finished.order_by("-finished_at").values_list("finished_at", flat=True).first()
        rows.append(
            LearnerRow(
                learner=learner,
                plan=study_plan(learner, test, today),
                readiness=readiness_for(learner, test, with_previous=False),
                finished_sessions=finished.count(),
                last_practised=last,
                assignments_done=finished.filter(assignment_id__in=assignment_ids)
                .values("assignment_id")
                .distinct()
                .count(),
            )
        )
    return rows


def assignment_statuses(classroom: Classroom) -> list[tuple[Assignment, int, int]]:
    """Each assignment of the class with how many current learners finished it, of how many."""
    learners = classroom.members.filter(left_at__isnull=True).values("learner_id")
    count = learners.count()
    out = []
    for assignment in classroom.assignments.select_related("test", "area"):
        done = (
            PracticeSession.objects.filter(
                assignment=assignment, candidate_id__in=learners, finished_at__isnull=False
            )
            .values("candidate_id")
            .distinct()
            .count()
        )
        out.append((assignment, done, count))
    return out
