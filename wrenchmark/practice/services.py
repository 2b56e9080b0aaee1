"""Writes of practice: start a session, answer its questions once each, finish it.

A session draws from the practice pool only (``selectors.practice_items``): operational and renewal items
never appear. An adaptive session adds its questions one at a time as they are answered
(``practice.adaptive``). The draw is seeded and prefers what the candidate needs most: items never answered right
first, then the least seen; a whole-test session spreads its questions over the areas as the blueprint
does. A timed session runs at the real sitting's pace with a deadline kept by the server: no answer is
taken after it, and a late finish is recorded at the deadline. Starts and finishes are audited.
"""

from __future__ import annotations

import datetime as dt
import random
import secrets
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from wrenchmark.accounts.models import Role, User
from wrenchmark.accounts.services import require_role
from wrenchmark.catalog.models import ContentArea, Test
from wrenchmark.core import clock
from wrenchmark.core.audit import audit_record
from wrenchmark.core.exceptions import ApplicationError, Conflict, NotFound, PermissionDenied
from wrenchmark.practice import adaptive
from wrenchmark.practice.models import (
    Assignment,
    ClassMember,
    Classroom,
    FeedbackMode,
    PracticeCalibration,
    PracticeLength,
    PracticeMode,
    PracticeQuestion,
    PracticeSession,
    ReviewCard,
)
from wrenchmark.practice.selectors import (
    LETTERS,
    calibrated_parameters,
    calibration_for,
    practice_items,
    practice_length,
    practice_seconds,
    question_feedback,
    seen_counts,
)
from wrenchmark.practice.study import REVIEW_INTERVALS

#: (item id, version id, area letter)
Drawn = tuple[int, int, str]


def _quotas(areas: list[ContentArea], wanted: int) -> dict[str, int]:
    """Split ``wanted`` questions over the areas in proportion to their blueprint counts (largest
    remainder; ties to the earlier area)."""
    weights = {a.letter: a.question_count or 0 for a in areas}
    total = sum(weights.values())
    if not total:
        return {}
    exact = {letter: wanted * w / total for letter, w in weights.items()}
    quotas = {letter: int(x) for letter, x in exact.items()}
    order = sorted(exact, key=lambda letter: -(exact[letter] - quotas[letter]))
    for letter in order[: wanted - sum(quotas.values())]:
        quotas[letter] += 1
    return quotas


def _draw(
    candidate: User, test: Test, area: ContentArea | None, wanted: int, rng: random.Random, mode: str
) -> list[Drawn]:
    """Up to ``wanted`` practice items, those the candidate most needs first, in a seeded random order:
    missed questions due for review, then those never answered right, then the least seen. The review
    mode serves only the questions due for review."""
    items = practice_items(test=test, area=area, mode=mode)
    due = set(
        ReviewCard.objects.filter(candidate=candidate, test=test, due_on__lte=clock.today()).values_list(
            "item_id", flat=True
        )
    )
    if mode == PracticeMode.REVIEW:
        items = items.filter(pk__in=due)
    pool: list[Drawn] = [
        (item_id, version_id, letter)
        for item_id, version_id, letter in items.order_by("external_id").values_list(
            "pk", "current_version_id", "current_version__area__letter"
        )
    ]
    if not pool:
        return []
    history = seen_counts(candidate, (p[0] for p in pool))
    # Not for security: a seeded draw makes a session reproducible for support and for tests.
    tiebreak = {p[0]: rng.random() for p in pool}
    ranked = sorted(pool, key=lambda p: (p[0] not in due, *history.get(p[0], (0, 0)), tiebreak[p[0]]))
    wanted = min(wanted, len(ranked))

    chosen: list[Drawn] = []
    if area is None and mode != PracticeMode.REVIEW:
        quotas = _quotas(list(test.content_areas.order_by("position")), wanted)
        for letter, quota in quotas.items():
            chosen.extend([p for p in ranked if p[2] == letter][:quota])
    taken = {p[0] for p in chosen}
    chosen.extend([p for p in ranked if p[0] not in taken][: wanted - len(chosen)])
    rng.shuffle(chosen)
    return chosen


@transaction.atomic
def practice_start(
    *,
    candidate: User,
    test: Test,
    area: ContentArea | None = None,
    length: str = PracticeLength.SHORT,
    timed: bool = False,
    feedback: str = FeedbackMode.EACH,
    mode: str = PracticeMode.STANDARD,
    assignment: Assignment | None = None,
    seed: int | None = None,
) -> PracticeSession:
    """Start a practice session of ``test`` (or one ``area`` of it) for ``candidate``.

    Short sessions ask 10 questions, full ones the test's scored count; a pool with fewer practice items
    gives what it has, and one with none is refused (``no_practice_items``; ``no_reviews_due`` in the
    review mode). The exhibits mode serves only exhibit-based items. A timed session gets the real
    sitting's time per question. The adaptive mode asks one question at a time, each chosen for the
    candidate's ability on the calibrated scale (``practice.adaptive``), up to the length asked for; it
    is refused while fewer than ``adaptive.MIN_ITEMS`` practice questions are calibrated
    (``not_calibrated``). Audited as ``practice.started``.
    """
    if length not in PracticeLength.values:
        raise ApplicationError(_("Choose a short or a full-length practice test."), code="invalid_length")
    if feedback not in FeedbackMode.values:
        raise ApplicationError(
            _("Choose feedback after each answer or at the end."), code="invalid_feedback", field="feedback"
        )
    if mode not in PracticeMode.values:
        raise ApplicationError(_("Choose which questions to practise."), code="invalid_mode", field="mode")
    if area is not None and area.test_id != test.pk:
        raise ApplicationError(
            _("That content area is not part of this test."), code="invalid_area", field="area"
        )
    seed = secrets.randbelow(2**31) if seed is None else seed
    calibration, planned, drawn = None, None, []
    if mode == PracticeMode.ADAPTIVE:
        calibration, planned = _adaptive_plan(test, area, length)
    else:
        rng = random.Random(seed)  # noqa: S311
        drawn = _draw(candidate, test, area, practice_length(test, length), rng, mode)
        if not drawn and mode == PracticeMode.REVIEW:
            raise ApplicationError(
                _("No missed questions are due for review in this test or area."), code="no_reviews_due"
            )
        if not drawn and mode == PracticeMode.EXHIBITS:
            raise ApplicationError(
                _("There are no wiring-diagram or data questions for this test or area yet."),
                code="no_practice_items",
            )
        if not drawn:
            raise ApplicationError(
                _("There are no practice questions for this test or area yet."), code="no_practice_items"
            )
    questions = planned if planned is not None else len(drawn)
    now = clock.now()
    session = PracticeSession.objects.create(
        candidate=candidate,
        test=test,
        area=area,
        length=length,
        timed=timed,
        deadline=now + dt.timedelta(seconds=practice_seconds(test, questions)) if timed else None,
        feedback=feedback,
        mode=mode,
        assignment=assignment,
        seed=seed,
        planned=planned,
        calibration=calibration,
    )
    if mode == PracticeMode.ADAPTIVE:
        adaptive.next_question(session)  # one question at a time, each as the last is answered
    else:
        PracticeQuestion.objects.bulk_create(
            PracticeQuestion(session=session, position=n, item_id=item_id, item_version_id=version_id)
            for n, (item_id, version_id, _letter) in enumerate(drawn, start=1)
        )
    _audit_started(session, questions)
    return session


def _audit_started(session: PracticeSession, questions: int) -> None:
    """Audit a start as ``practice.started``, with what the session was started with."""
    test, area, candidate = session.test, session.area, session.candidate
    scope = f"{test.code} {area.letter}" if area is not None else test.code
    adaptive_mode = session.mode == PracticeMode.ADAPTIVE
    audit_record(
        action="practice.started",
        target=session,
        actor=candidate,
        summary=f"{candidate.program_id} {'adaptive practice' if adaptive_mode else 'practice'} {scope}: "
        + ("up to " if adaptive_mode else "")
        + f"{questions} questions"
        + (", timed" if session.timed else ""),
        data={
            "test": test.code,
            "area": area.letter if area is not None else None,
            "length": session.length,
            "questions": questions,
            "timed": session.timed,
            "deadline": session.deadline.isoformat() if session.deadline else None,
            "feedback": session.feedback,
            "mode": session.mode,
            "calibration": session.calibration_id,
            "assignment": session.assignment_id,
            "seed": session.seed,
        },
    )


def _adaptive_plan(
    test: Test, area: ContentArea | None, length: str
) -> tuple[PracticeCalibration | None, int]:
    """The calibration an adaptive session chooses with and the most questions it may ask; refused while
    fewer than ``adaptive.MIN_ITEMS`` practice questions are calibrated (``not_calibrated``)."""
    calibration = calibration_for(test)
    known = calibrated_parameters(calibration) if calibration is not None else {}
    pool = adaptive.calibrated_pool(known, test, area) if known else []
    if len(pool) < adaptive.MIN_ITEMS:
        raise ApplicationError(
            _(
                "Adaptive practice needs at least %(n)d calibrated practice questions for this test or "
                "area, and there are %(have)d so far. Choose another kind of practice."
            )
            % {"n": adaptive.MIN_ITEMS, "have": len(pool)},
            code="not_calibrated",
            field="mode",
        )
    return calibration, min(practice_length(test, length), len(pool))


def _schedule_review(session: PracticeSession, question: PracticeQuestion, now: dt.datetime) -> None:
    """A miss brings the question back tomorrow; a right answer to a question due for review sends it
    to the next interval, and past the last one it is learned (the card goes)."""
    today = clock.today()
    card = ReviewCard.objects.filter(candidate_id=session.candidate_id, item_id=question.item_id).first()
    if not question.correct:
        ReviewCard.objects.update_or_create(
            candidate_id=session.candidate_id,
            item_id=question.item_id,
            defaults={
                "test_id": session.test_id,
                "area_letter": question.item_version.area.letter,
                "box": 0,
                "due_on": today + dt.timedelta(days=REVIEW_INTERVALS[0]),
                "last_answered_at": now,
            },
        )
        return
    if card is None or card.due_on > today:
        return
    card.box += 1
    if card.box >= len(REVIEW_INTERVALS):
        card.delete()
        return
    card.due_on = today + dt.timedelta(days=REVIEW_INTERVALS[card.box])
    card.last_answered_at = now
    card.save(update_fields=["box", "due_on", "last_answered_at", "updated_at"])


@transaction.atomic
def practice_answer(*, question: PracticeQuestion, choice: str, candidate: User) -> dict[str, Any]:
    """Record ``candidate``'s one answer to ``question``.

    Refused for another candidate's question (not found), a second answer (``already_answered``), a
    finished session (``finished``), a timed session past its deadline (``deadline_passed``) and a
    letter that is not an option (``invalid_choice``). Returns where the session stands; in "each" mode
    also the feedback (correct or not, key, rationales, references, exhibit), in "end" mode nothing that
    gives the answer away.
    """
    found = PracticeQuestion.objects.filter(pk=question.pk, session__candidate=candidate).first()
    if found is None:
        raise NotFound(_("No such question."), code="not_found")
    # Answers and the finish serialise on the session row.
    session = PracticeSession.objects.select_for_update().get(pk=found.session_id)
    question = (
        PracticeQuestion.objects.select_for_update().select_related("item_version__area").get(pk=found.pk)
    )
    if session.finished_at is not None:
        raise Conflict(_("This practice test is finished."), code="finished")
    if question.answered_at is not None:
        raise Conflict(_("You have already answered this question."), code="already_answered")
    now = clock.now()
    if session.is_overdue(now):
        raise Conflict(_("Time is up for this practice test."), code="deadline_passed")
    options = list(question.item_version.options.order_by("position"))
    letters = LETTERS[: len(options)]
    letter = (choice or "").strip().upper()
    if len(letter) != 1 or letter not in letters:
        raise ApplicationError(_("Choose one of the answers."), code="invalid_choice", field="choice")
    question.choice, question.correct, question.answered_at = (
        letter,
        options[letters.index(letter)].is_key,
        now,
    )
    question.save(update_fields=["choice", "correct", "answered_at", "updated_at"])
    _schedule_review(session, question, now)
    if session.mode == PracticeMode.ADAPTIVE:
        adaptive.next_question(session)

    answered = session.questions.filter(answered_at__isnull=False).count()
    total = session.questions.count()
    outcome: dict[str, Any] = {
        "question": question.pk,
        "position": question.position,
        "choice": letter,
        "answered_count": answered,
        "question_count": total,
        "feedback_mode": session.feedback,
    }
    if session.feedback == FeedbackMode.EACH:
        question.session = session
        outcome.update(question_feedback(question))
    return outcome


@transaction.atomic
def practice_finish(*, session: PracticeSession) -> PracticeSession:
    """Finish ``session``; finishing again changes nothing. A timed session finished after its deadline
    is recorded as finished at the deadline. Audited as ``practice.finished``."""
    session = (
        PracticeSession.objects.select_for_update().select_related("candidate", "test").get(pk=session.pk)
    )
    if session.finished_at is not None:
        return session
    now = clock.now()
    session.finished_at = min(now, session.deadline) if session.timed and session.deadline else now
    session.save(update_fields=["finished_at", "updated_at"])
    total = session.questions.count()
    answered = session.questions.filter(answered_at__isnull=False).count()
    correct = session.questions.filter(correct=True).count()
    audit_record(
        action="practice.finished",
        target=session,
        actor=session.candidate,
        summary=f"{session.candidate.program_id} practice {session.test.code}: {correct} of {total} correct"
        + (" (time ran out)" if session.is_overdue(now) else ""),
        data={
            "test": session.test.code,
            "questions": total,
            "answered": answered,
            "correct": correct,
            "timed_out": session.is_overdue(now),
        },
    )
    return session


# --- Classes -------------------------------------------------------------------------------------------

#: Join codes avoid letters and digits that are easy to misread (0/O, 1/I/L).
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8


def _join_code() -> str:
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        if not Classroom.objects.filter(join_code=code).exists():
            return code


def normalise_code(code: str) -> str:
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())


@transaction.atomic
def classroom_create(*, instructor: User, name: str) -> Classroom:
    """A new class for ``instructor`` with a fresh join code; audited as ``practice.class_created``."""
    require_role(instructor, Role.INSTRUCTOR)
    name = (name or "").strip()
    if not name:
        raise ApplicationError(_("Give the class a name."), code="name_required", field="name")
    if len(name) > 120:
        raise ApplicationError(_("Keep the name to 120 characters."), code="name_too_long", field="name")
    classroom = Classroom.objects.create(name=name, instructor=instructor, join_code=_join_code())
    audit_record(
        action="practice.class_created",
        target=classroom,
        actor=instructor,
        summary=f"{instructor.program_id} created the class {name}",
        data={"name": name},
    )
    return classroom


@transaction.atomic
def class_join(*, learner: User, code: str) -> ClassMember:
    """Join the class with ``code``: from now the instructor sees the learner's practice progress.
    Joining again after leaving rejoins. Refused for an unknown or archived class (``invalid_code``)
    and for the class's own instructor (``own_class``). Audited as ``practice.class_joined``."""
    classroom = Classroom.objects.filter(join_code=normalise_code(code), archived_at__isnull=True).first()
    if classroom is None:
        raise ApplicationError(
            _("No class has that code. Check it with your instructor."), code="invalid_code", field="code"
        )
    if classroom.instructor_id == learner.pk:
        raise ApplicationError(_("You teach this class."), code="own_class", field="code")
    member, created = ClassMember.objects.get_or_create(
        classroom=classroom, learner=learner, defaults={"joined_at": clock.now()}
    )
    if not created and member.left_at is None:
        raise Conflict(_("You are already in this class."), code="already_member", field="code")
    if not created:
        member.joined_at, member.left_at = clock.now(), None
        member.save(update_fields=["joined_at", "left_at", "updated_at"])
    audit_record(
        action="practice.class_joined",
        target=classroom,
        actor=learner,
        summary=f"{learner.program_id} joined {classroom.name} and shares practice progress with its instructor",
        data={"class": classroom.pk},
    )
    return member


@transaction.atomic
def class_leave(*, learner: User, classroom: Classroom) -> None:
    """Leave a class: the instructor no longer sees the learner's progress. Audited."""
    member = ClassMember.objects.filter(classroom=classroom, learner=learner, left_at__isnull=True).first()
    if member is None:
        raise NotFound(_("You are not in this class."), code="not_member")
    member.left_at = clock.now()
    member.save(update_fields=["left_at", "updated_at"])
    audit_record(
        action="practice.class_left",
        target=classroom,
        actor=learner,
        summary=f"{learner.program_id} left {classroom.name}",
        data={"class": classroom.pk},
    )


@transaction.atomic
def assignment_create(
    *,
    classroom: Classroom,
    acting_user: User,
    test: Test,
    area: ContentArea | None = None,
    length: str = PracticeLength.SHORT,
    mode: str = PracticeMode.STANDARD,
    due_on: dt.date | None = None,
    note: str = "",
) -> Assignment:
    """Assign a practice set to the class. Only its instructor may; the set must have questions to
    serve (``no_practice_items``), and an adaptive set calibrated ones (``not_calibrated``). Audited as
    ``practice.assigned``."""
    if classroom.instructor_id != acting_user.pk:
        raise PermissionDenied(_("Only the class's instructor can assign practice."), code="not_instructor")
    if length not in PracticeLength.values:
        raise ApplicationError(_("Choose a short or a full-length practice test."), code="invalid_length")
    if mode not in (PracticeMode.STANDARD, PracticeMode.EXHIBITS, PracticeMode.ADAPTIVE):
        raise ApplicationError(_("Choose which questions to practise."), code="invalid_mode", field="mode")
    if mode == PracticeMode.ADAPTIVE and not adaptive.available(test, area):
        raise ApplicationError(
            _("This test or area has too few calibrated practice questions for adaptive practice yet."),
            code="not_calibrated",
            field="mode",
        )
    if area is not None and area.test_id != test.pk:
        raise ApplicationError(
            _("That content area is not part of this test."), code="invalid_area", field="area"
        )
    if due_on is not None and due_on < clock.today():
        raise ApplicationError(_("The date to finish by has passed."), code="due_in_past", field="due_on")
    if not practice_items(test=test, area=area, mode=mode).exists():
        raise ApplicationError(
            _("There are no practice questions for this test or area yet."), code="no_practice_items"
        )
    assignment = Assignment.objects.create(
        classroom=classroom,
        test=test,
        area=area,
        length=length,
        mode=mode,
        due_on=due_on,
        note=(note or "").strip()[:200],
    )
    scope = f"{test.code} {area.letter}" if area is not None else test.code
    audit_record(
        action="practice.assigned",
        target=classroom,
        actor=acting_user,
        summary=f"{acting_user.program_id} assigned {scope} practice to {classroom.name}",
        data={
            "assignment": assignment.pk,
            "test": test.code,
            "area": area.letter if area else None,
            "length": length,
            "mode": mode,
            "due_on": due_on.isoformat() if due_on else None,
        },
    )
    return assignment


def assignment_start(*, learner: User, assignment: Assignment) -> PracticeSession:
    """Start the assigned practice set: a learner of the class only."""
    if not ClassMember.objects.filter(
        classroom_id=assignment.classroom_id, learner=learner, left_at__isnull=True
    ).exists():
        raise NotFound(_("No such assignment."), code="not_found")
    return practice_start(
        candidate=learner,
        test=assignment.test,
        area=assignment.area,
        length=assignment.length,
        mode=assignment.mode,
        assignment=assignment,
    )
