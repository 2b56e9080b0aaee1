"""Writes of practice: start a session, answer its questions once each, finish it.

A session draws from the practice pool only (``selectors.practice_items``): operational and renewal items
never appear. The draw is seeded and prefers what the candidate needs most: items never answered right
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

from wrenchmark.accounts.models import User
from wrenchmark.catalog.models import ContentArea, Test
from wrenchmark.core import clock
from wrenchmark.core.audit import audit_record
from wrenchmark.core.exceptions import ApplicationError, Conflict, NotFound
from wrenchmark.practice.models import FeedbackMode, PracticeLength, PracticeQuestion, PracticeSession
from wrenchmark.practice.selectors import (
    LETTERS,
    practice_items,
    practice_length,
    practice_seconds,
    question_feedback,
    seen_counts,
)

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
    candidate: User, test: Test, area: ContentArea | None, wanted: int, rng: random.Random
) -> list[Drawn]:
    """Up to ``wanted`` practice items, those the candidate most needs first, in a seeded random order."""
    pool: list[Drawn] = [
        (item_id, version_id, letter)
        for item_id, version_id, letter in practice_items(test=test, area=area)
        .order_by("external_id")
        .values_list("pk", "current_version_id", "current_version__area__letter")
    ]
    if not pool:
        return []
    history = seen_counts(candidate, (p[0] for p in pool))
    # Not for security: a seeded draw makes a session reproducible for support and for tests.
    tiebreak = {p[0]: rng.random() for p in pool}
    ranked = sorted(pool, key=lambda p: (*history.get(p[0], (0, 0)), tiebreak[p[0]]))
    wanted = min(wanted, len(ranked))

    chosen: list[Drawn] = []
    if area is None:
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
    seed: int | None = None,
) -> PracticeSession:
    """Start a practice session of ``test`` (or one ``area`` of it) for ``candidate``.

    Short sessions ask 10 questions, full ones the test's scored count; a pool with fewer practice items
    gives what it has, and one with none is refused (``no_practice_items``). A timed session gets the
    real sitting's time per question. Audited as ``practice.started``.
    """
    if length not in PracticeLength.values:
        raise ApplicationError(_("Choose a short or a full-length practice test."), code="invalid_length")
    if feedback not in FeedbackMode.values:
        raise ApplicationError(
            _("Choose feedback after each answer or at the end."), code="invalid_feedback", field="feedback"
        )
    if area is not None and area.test_id != test.pk:
        raise ApplicationError(
            _("That content area is not part of this test."), code="invalid_area", field="area"
        )
    seed = secrets.randbelow(2**31) if seed is None else seed
    drawn = _draw(candidate, test, area, practice_length(test, length), random.Random(seed))  # noqa: S311
    if not drawn:
        raise ApplicationError(
            _("There are no practice questions for this test or area yet."), code="no_practice_items"
        )
    now = clock.now()
    session = PracticeSession.objects.create(
        candidate=candidate,
        test=test,
        area=area,
        length=length,
        timed=timed,
        deadline=now + dt.timedelta(seconds=practice_seconds(test, len(drawn))) if timed else None,
        feedback=feedback,
        seed=seed,
    )
    PracticeQuestion.objects.bulk_create(
        PracticeQuestion(session=session, position=n, item_id=item_id, item_version_id=version_id)
        for n, (item_id, version_id, _letter) in enumerate(drawn, start=1)
    )
    scope = f"{test.code} {area.letter}" if area is not None else test.code
    audit_record(
        action="practice.started",
        target=session,
        actor=candidate,
        summary=f"{candidate.program_id} practice {scope}: {len(drawn)} questions"
        + (", timed" if timed else ""),
        data={
            "test": test.code,
            "area": area.letter if area is not None else None,
            "length": length,
            "questions": len(drawn),
            "timed": timed,
            "deadline": session.deadline.isoformat() if session.deadline else None,
            "feedback": feedback,
            "seed": seed,
        },
    )
    return session


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
    question = PracticeQuestion.objects.select_for_update().select_related("item_version").get(pk=found.pk)
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
