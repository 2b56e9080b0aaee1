"""Adaptive practice on the calibrated scale: each next question is chosen for the learner's level.

Once a test's practice items are calibrated onto the bank's IRT scale (``PracticeCalibration``), an
adaptive session asks one question at a time. After each answer the learner's ability is re-estimated
(EAP under a N(0, 1) prior) from the first answer to every calibrated practice question of the test, in
any session, and the next question is the most informative at that ability within the content area
furthest behind the blueprint (``psychometrics.adaptive.select_next``), drawn at random among the
``RANDOMESQUE`` most informative so the same learner does not always get the same items. Questions the
learner answered in earlier sessions are skipped while unseen ones are left. The session ends after
its planned length, when the pool runs out, or, after ``MIN_QUESTIONS``, once the ability is known to
within ``SE_TARGET``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from wrenchmark.accounts.models import User
from wrenchmark.catalog.models import ContentArea, Test
from wrenchmark.practice.models import PracticeMode, PracticeQuestion, PracticeSession
from wrenchmark.practice.selectors import calibrated_parameters, calibration_for, practice_items
from wrenchmark.practice.study import answers, first_answers
from wrenchmark.psychometrics.adaptive import ThetaEstimate, select_next, update_theta
from wrenchmark.psychometrics.synthetic import ItemParameters

MIN_ITEMS = 10  # calibrated questions a test (or area) needs before adaptive practice is offered
MIN_QUESTIONS = 10
SE_TARGET = 0.30
RANDOMESQUE = 3


@dataclass(frozen=True, slots=True)
class PoolItem:
    item: int
    version: int
    area: str
    a: float
    b: float
    c: float


def calibrated_pool(
    known: dict[int, tuple[float, float, float]], test: Test, area: ContentArea | None
) -> list[PoolItem]:
    """The servable practice items of ``test`` (and ``area``) with parameters in ``known``
    (``selectors.calibrated_parameters``)."""
    rows = (
        practice_items(test=test, area=area, mode=PracticeMode.STANDARD)
        .filter(pk__in=known)
        .order_by("pk")
        .values_list("pk", "current_version_id", "current_version__area__letter")
    )
    return [PoolItem(pk, version, letter, *known[pk]) for pk, version, letter in rows]


def available(test: Test, area: ContentArea | None = None) -> bool:
    """Whether adaptive practice can be offered for ``test`` (or ``area``)."""
    calibration = calibration_for(test)
    if calibration is None:
        return False
    return len(calibrated_pool(calibrated_parameters(calibration), test, area)) >= MIN_ITEMS


def _items(pool: list[PoolItem]) -> ItemParameters:
    return ItemParameters(
        a=np.array([p.a for p in pool]), b=np.array([p.b for p in pool]), c=np.array([p.c for p in pool])
    )


def ability(
    candidate: User, test: Test, known: dict[int, tuple[float, float, float]]
) -> tuple[ThetaEstimate, int]:
    """The candidate's EAP ability on the calibrated scale, from the first answer to each practice question
    with parameters in ``known``, and how many answers it rests on."""
    first = [a for a in first_answers(answers(candidate, test)) if a.item in known]
    items = ItemParameters(
        a=np.array([known[a.item][0] for a in first]),
        b=np.array([known[a.item][1] for a in first]),
        c=np.array([known[a.item][2] for a in first]),
    )
    return update_theta(np.array([float(a.correct) for a in first]), items), len(first)


def _shares(test: Test, area: ContentArea | None) -> dict[str, float]:
    if area is not None:
        return {area.letter: 1.0}
    return {a.letter: float(a.question_count or 0) for a in test.content_areas.all() if a.question_count}


def next_question(session: PracticeSession) -> PracticeQuestion | None:
    """Add the session's next question, chosen for the candidate's current ability; ``None`` when the
    session has reached its planned length, the pool is used up, or the ability is known to within
    ``SE_TARGET`` after ``MIN_QUESTIONS`` questions."""
    calibration = session.calibration
    if calibration is None:
        return None
    if session.questions.filter(answered_at__isnull=True).exists():
        return None  # one question at a time
    given = list(session.questions.order_by("position").values_list("item_id", flat=True))
    planned = session.planned or 0
    if len(given) >= planned:
        return None
    known = calibrated_parameters(calibration)
    estimate, _n = ability(session.candidate, session.test, known)
    if len(given) >= MIN_QUESTIONS and estimate.se <= SE_TARGET:
        return None
    pool = calibrated_pool(known, session.test, session.area)
    answered_before = set(
        PracticeQuestion.objects.filter(
            session__candidate_id=session.candidate_id,
            session__test__code=session.test.code,
            answered_at__isnull=False,
        )
        .exclude(session=session)
        .values_list("item_id", flat=True)
    )
    fresh = [p for p in pool if p.item not in answered_before and p.item not in given]
    if len(fresh) < planned - len(given):  # not enough unseen questions left: seen ones may come back
        fresh = [p for p in pool if p.item not in given]
    if not fresh:
        return None
    candidates = [p for p in pool if p.item in given] + fresh
    index = {p.item: n for n, p in enumerate(candidates)}
    # Not for security: seeded by the session so a session's choices can be reproduced.
    rng = np.random.default_rng([session.seed, len(given)])
    try:
        chosen = select_next(
            _items(candidates),
            theta=estimate.theta,
            administered=[index[item] for item in given if item in index],
            areas=[p.area for p in candidates],
            blueprint_share=_shares(session.test, session.area),
            rng=rng,
            method="randomesque",
            k=RANDOMESQUE,
        )
    except ValueError:  # no eligible item left in the blueprint's areas
        return None
    pick = candidates[chosen]
    return PracticeQuestion.objects.create(
        session=session, position=len(given) + 1, item_id=pick.item, item_version_id=pick.version
    )
