"""Reads of practice: the pool a session draws from, feedback on answers, results and progress by area.

The feedback shows what the real test never does: the key, why each option is right or wrong, the
reference topic and the exhibit. It is given only for practice items, and only when the session's
feedback mode allows it (after each answer, or once the session is finished).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet

from wrenchmark.accounts.models import User
from wrenchmark.catalog.models import ContentArea, Test
from wrenchmark.itembank.display import approved_translation
from wrenchmark.itembank.models import Item, ItemPool
from wrenchmark.itembank.selectors import USABLE_STATES
from wrenchmark.practice.models import (
    FeedbackMode,
    PracticeCalibration,
    PracticeItemParameter,
    PracticeMode,
    PracticeQuestion,
    PracticeSession,
)

LETTERS = "ABCD"
SHORT_LENGTH = 10


def practice_items(
    *, test: Test, area: ContentArea | None = None, mode: str = PracticeMode.STANDARD
) -> QuerySet[Item]:
    """The practice-pool items of ``test`` (and ``area``) that may be served: reviewed, with content;
    in the exhibits mode only those built on an exhibit (a wiring diagram, a table of readings).

    Only ``pool == practice``: operational and renewal items never appear in practice.
    """
    items = Item.objects.filter(
        pool=ItemPool.PRACTICE,
        test_code=test.code,
        state__in=USABLE_STATES,
        current_version__isnull=False,
    )
    if area is not None:
        items = items.filter(current_version__area__letter=area.letter)
    if mode == PracticeMode.EXHIBITS:
        items = items.filter(current_version__exhibit__isnull=False)
    return items


def calibration_for(test: Test) -> PracticeCalibration | None:
    """The latest calibration of ``test``'s practice items (matched by code, so a new edition's test
    with the same practice items keeps it)."""
    return (
        PracticeCalibration.objects.filter(test__code=test.code)
        .select_related("form")
        .order_by("-computed_at", "-pk")
        .first()
    )


def calibrated_parameters(calibration: PracticeCalibration) -> dict[int, tuple[float, float, float]]:
    """Item -> (a, b, c) in ``calibration``, for the items that discriminate the right way (a > 0): an
    item that weaker candidates answer right more often than stronger ones says nothing usable about
    ability, so it is neither chosen adaptively nor counted in the ability."""
    rows = PracticeItemParameter.objects.filter(calibration=calibration, a__gt=0)
    return {item: (a, b, c) for item, a, b, c in rows.values_list("item_id", "a", "b", "c")}


def practice_length(test: Test, length: str) -> int:
    """Questions asked for: 10 for a short session, the test's scored count for a full one."""
    return SHORT_LENGTH if length == "short" else test.scored_count


def practice_seconds(test: Test, questions: int) -> int:
    """Time for ``questions`` at the real sitting's pace: its minutes over all its questions."""
    total = test.total_questions or test.scored_count or 1
    return max(60, round(test.minutes * 60 * questions / total))


def session_questions(session: PracticeSession) -> QuerySet[PracticeQuestion]:
    return session.questions.select_related("item", "item_version__area", "item_version__exhibit").order_by(
        "position"
    )


# --- Feedback ------------------------------------------------------------------------------------------


def question_feedback(question: PracticeQuestion, *, language: str = "en") -> dict[str, Any]:
    """The full feedback on one question: key, the option chosen, each option's rationale, references
    and exhibit, in ``language`` where the item has an approved translation. Only for callers that have
    checked the session's feedback mode allows it."""
    version = question.item_version
    options = list(version.options.order_by("position"))
    key = next((LETTERS[i] for i, o in enumerate(options) if o.is_key), "")
    translation = approved_translation(version, language)
    translated = translation.options if translation is not None else []

    def _text(i: int, name: str, english: str) -> str:
        return (translated[i].get(name, "") if i < len(translated) else "") or english

    return {
        "question": question.pk,
        "position": question.position,
        "item": question.item.external_id,
        "area": version.area.letter,
        "area_name": version.area.name,
        "language": language if translation is not None else "en",
        "stem": translation.stem if translation is not None else version.stem,
        "choice": question.choice or None,
        "correct": question.correct,
        "key": key,
        "options": [
            {
                "letter": LETTERS[i],
                "text": _text(i, "text", option.text),
                "rationale": _text(i, "rationale", option.rationale),
                "is_key": option.is_key,
                "chosen": question.choice == LETTERS[i],
            }
            for i, option in enumerate(options)
        ],
        "references": list(version.references),
        "exhibit": version.exhibit_id,
        "exhibit_title": translation.exhibit_title if translation is not None else "",
        "exhibit_alt": translation.exhibit_alt if translation is not None else "",
    }


def feedback_allowed(question: PracticeQuestion, session: PracticeSession) -> bool:
    """Once the session is finished, every question; before, an answered one in "each" mode."""
    if session.finished_at is not None:
        return True
    return session.feedback == FeedbackMode.EACH and question.answered_at is not None


def practice_feedback(session: PracticeSession, *, language: str = "en") -> list[dict[str, Any]]:
    """Feedback for every question the session may show now, in position order: all of them once it is
    finished; before that, the answered ones in "each" mode and none in "end" mode. Reads the session's
    stored state, so a stale instance never shows more than it should."""
    session = PracticeSession.objects.get(pk=session.pk)
    questions = session_questions(session).prefetch_related("item_version__translations")
    return [question_feedback(q, language=language) for q in questions if feedback_allowed(q, session)]


# --- Results -------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AreaResult:
    letter: str
    name: str
    questions: int
    answered: int
    correct: int

    @property
    def proportion(self) -> float | None:
        """Correct over answered, or ``None`` when nothing was answered."""
        return self.correct / self.answered if self.answered else None


def _area_results(questions: Iterable[PracticeQuestion], areas: list[ContentArea]) -> list[AreaResult]:
    counts: dict[str, list[int]] = {a.letter: [0, 0, 0] for a in areas}
    names = {a.letter: a.name for a in areas}
    for q in questions:
        letter = q.item_version.area.letter
        if letter not in counts:
            counts[letter] = [0, 0, 0]
            names[letter] = q.item_version.area.name
        row = counts[letter]
        row[0] += 1
        row[1] += q.answered_at is not None
        row[2] += bool(q.correct)
    return [
        AreaResult(letter=letter, name=names[letter], questions=row[0], answered=row[1], correct=row[2])
        for letter, row in counts.items()
        if row[0]
    ]


def practice_results(session: PracticeSession) -> list[AreaResult]:
    """Per content area of the session's questions (in blueprint order): questions, answered, correct."""
    areas = list(session.test.content_areas.order_by("position"))
    return _area_results(session_questions(session), areas)


@dataclass(frozen=True, slots=True)
class AccuracyPoint:
    """One finished session's figures in one area."""

    session: int
    finished_at: dt.datetime
    answered: int
    correct: int


@dataclass(slots=True)
class AreaAccuracy:
    letter: str
    name: str
    answered: int = 0
    correct: int = 0
    points: list[AccuracyPoint] = field(default_factory=list)

    @property
    def proportion(self) -> float | None:
        return self.correct / self.answered if self.answered else None


def area_accuracy(candidate: User, test: Test) -> list[AreaAccuracy]:
    """Per content area of ``test`` (blueprint order), over the candidate's finished practice sessions
    of that test: answered, correct, the proportion, and one point per session in date order."""
    areas = list(test.content_areas.order_by("position"))
    by_letter = {a.letter: AreaAccuracy(letter=a.letter, name=a.name) for a in areas}
    sessions = PracticeSession.objects.filter(
        candidate=candidate, test__code=test.code, finished_at__isnull=False
    ).order_by("finished_at", "pk")
    for session in sessions:
        assert session.finished_at is not None
        for result in _area_results(session_questions(session), areas):
            if not result.answered:
                continue
            accuracy = by_letter.setdefault(
                result.letter, AreaAccuracy(letter=result.letter, name=result.name)
            )
            accuracy.answered += result.answered
            accuracy.correct += result.correct
            accuracy.points.append(
                AccuracyPoint(
                    session=session.pk,
                    finished_at=session.finished_at,
                    answered=result.answered,
                    correct=result.correct,
                )
            )
    return list(by_letter.values())


def seen_counts(candidate: User, item_ids: Iterable[int]) -> dict[int, tuple[int, int]]:
    """For each item: (times the candidate answered it correctly, times it was served to them)."""
    counts: dict[int, tuple[int, int]] = {}
    rows = PracticeQuestion.objects.filter(
        session__candidate=candidate, item_id__in=list(item_ids)
    ).values_list("item_id", "correct")
    for item_id, correct in rows:
        right, seen = counts.get(item_id, (0, 0))
        counts[item_id] = (right + bool(correct), seen + 1)
    return counts
