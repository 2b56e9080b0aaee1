"""Reads for studying: the missed questions due for review, the study plan and the readiness estimate.

* **Reviews.** A missed practice question comes back after 1 day; each right answer on review sends it
  further out (``REVIEW_INTERVALS``) until it is learned.
* **Study plan.** Per test, the content areas from the weakest: each area's latest practice answers (the
  latest answer to each question, the newest ``STUDY_WINDOW``) plus, from a failed score report of the
  test, that area's results. An area is done when at least ``STUDY_TARGET`` of its latest answers are
  right over ``STUDY_MIN_ANSWERS`` questions (or all its practice questions, if fewer); the plan moves on
  to the next weakest.
* **Readiness.** The chance of passing the test's published form, from the candidate's first answer to
  each practice question (a repeat measures memory), the newest ``READINESS_WINDOW`` per area, against
  the form's cut and its questions per area (``psychometrics.readiness``). Once the test's practice
  questions are calibrated onto the bank's scale, it comes instead from the candidate's ability: the
  first answers to the newest ``ABILITY_WINDOW`` calibrated questions, against the form's calibrated
  items and its cut (``pass_probability_from_ability``), with the ability and the cut's ability shown.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from django.db.models import Count

from wrenchmark.accounts.models import User
from wrenchmark.catalog.models import Test
from wrenchmark.exams.models import ExamForm, FormItem, ScoreReport
from wrenchmark.exams.selectors import published_form_for
from wrenchmark.practice.models import PracticeCalibration, PracticeQuestion, ReviewCard
from wrenchmark.practice.selectors import calibrated_parameters, calibration_for, practice_items
from wrenchmark.psychometrics.readiness import (
    AbilityReadiness,
    AreaEvidence,
    Readiness,
    pass_probability,
    pass_probability_from_ability,
)
from wrenchmark.psychometrics.synthetic import ItemParameters

#: Days until a missed question comes back, by the number of right answers on review so far.
REVIEW_INTERVALS = (1, 3, 7, 16, 35)
STUDY_TARGET = 0.8
STUDY_MIN_ANSWERS = 5
STUDY_WINDOW = 20
READINESS_WINDOW = 25
READINESS_MIN_ANSWERS = 10
READINESS_DRAWS = 4000
ABILITY_WINDOW = 60


@dataclass(frozen=True, slots=True)
class Answer:
    item: int
    area: str
    correct: bool
    session: int
    answered_at: dt.datetime


def answers(candidate: User, test: Test) -> list[Answer]:
    """Every practice answer the candidate gave on ``test``'s questions, oldest first."""
    rows = (
        PracticeQuestion.objects.filter(
            session__candidate=candidate, session__test__code=test.code, answered_at__isnull=False
        )
        .order_by("answered_at", "pk")
        .values_list("item_id", "item_version__area__letter", "correct", "session_id", "answered_at")
    )
    return [
        Answer(item, area, bool(correct), session, at)
        for item, area, correct, session, at in rows
        if at is not None
    ]


def _latest_per_area(chosen: Iterable[Answer], window: int) -> dict[str, list[Answer]]:
    by_area: dict[str, list[Answer]] = defaultdict(list)
    for answer in chosen:
        by_area[answer.area].append(answer)
    return {area: rows[-window:] for area, rows in by_area.items()}


# --- Reviews -------------------------------------------------------------------------------------------


def due_reviews(candidate: User, test: Test, on: dt.date) -> Counter[str]:
    """Missed questions due for review on ``on``, per area letter."""
    rows = (
        ReviewCard.objects.filter(candidate=candidate, test__code=test.code, due_on__lte=on)
        .values("area_letter")
        .annotate(n=Count("pk"))
    )
    return Counter({r["area_letter"]: r["n"] for r in rows})


def next_review_on(candidate: User, test: Test, after: dt.date) -> dt.date | None:
    card = (
        ReviewCard.objects.filter(candidate=candidate, test__code=test.code, due_on__gt=after)
        .order_by("due_on")
        .first()
    )
    return card.due_on if card is not None else None


# --- Study plan ----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PlanArea:
    letter: str
    name: str
    pk: int
    practice_items: int
    answered: int
    correct: int
    report_correct: int
    report_total: int
    due: int

    @property
    def needed(self) -> int:
        """Answers needed before the area can count as done."""
        return max(1, min(STUDY_MIN_ANSWERS, self.practice_items))

    @property
    def accuracy(self) -> float | None:
        return self.correct / self.answered if self.answered else None

    @property
    def estimate(self) -> float:
        """Chance of a right answer, practice and score report together, shrunk towards one half
        (Laplace): what the plan sorts on."""
        return (self.correct + self.report_correct + 1) / (self.answered + self.report_total + 2)

    @property
    def done(self) -> bool:
        return self.answered >= self.needed and self.correct >= STUDY_TARGET * self.answered

    @property
    def known(self) -> bool:
        return bool(self.answered or self.report_total)


@dataclass(frozen=True, slots=True)
class StudyPlan:
    test: Test
    areas: list[PlanArea]
    report: ScoreReport | None
    due_total: int
    next_review: dt.date | None

    @property
    def focus(self) -> PlanArea | None:
        return next((a for a in self.areas if not a.done and a.practice_items), None)

    @property
    def all_done(self) -> bool:
        return all(a.done for a in self.areas if a.practice_items)


def failed_report(candidate: User, test: Test) -> ScoreReport | None:
    """The candidate's latest score report on ``test`` when it is a fail (a later pass ends the plan's
    use of it)."""
    report = (
        ScoreReport.objects.filter(attempt__candidate=candidate, attempt__form__test__code=test.code)
        .order_by("-computed_at", "-pk")
        .first()
    )
    return report if report is not None and not report.passed else None


def study_plan(candidate: User, test: Test, today: dt.date) -> StudyPlan:
    """The test's content areas, the ones still to work on first, weakest first; then the done ones."""
    latest: dict[int, Answer] = {}
    for answer in answers(candidate, test):
        latest.pop(answer.item, None)
        latest[answer.item] = answer  # re-inserted, so the dict stays in answer order
    recent = _latest_per_area(latest.values(), STUDY_WINDOW)
    report = failed_report(candidate, test)
    subscores = {s.get("letter"): s for s in (report.subscores if report is not None else [])}
    pool = Counter(practice_items(test=test).values_list("current_version__area__letter", flat=True))
    due = due_reviews(candidate, test, today)
    areas = []
    for area in test.content_areas.order_by("position"):
        rows = recent.get(area.letter, [])
        sub = subscores.get(area.letter) or {}
        areas.append(
            PlanArea(
                letter=area.letter,
                name=area.name,
                pk=area.pk,
                practice_items=pool.get(area.letter, 0),
                answered=len(rows),
                correct=sum(a.correct for a in rows),
                report_correct=int(sub.get("correct", 0)),
                report_total=int(sub.get("total", 0)),
                due=due.get(area.letter, 0),
            )
        )
    position = {a.letter: n for n, a in enumerate(areas)}
    # Weakest first; between equal estimates, the area with more missed questions.
    areas.sort(
        key=lambda a: (a.done, not a.practice_items, a.estimate, a.correct - a.answered, position[a.letter])
    )
    return StudyPlan(
        test=test,
        areas=areas,
        report=report,
        due_total=sum(due.values()),
        next_review=next_review_on(candidate, test, today),
    )


# --- Readiness -----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ReadinessView:
    """The estimate for one test, or why there is none yet."""

    test: Test
    form: ExamForm | None
    reason: str  # "", "no_form", "too_few_answers"
    answered: int
    needed: int
    current: Readiness | AbilityReadiness | None
    previous: Readiness | AbilityReadiness | None
    area_names: dict[str, str]
    evidence: tuple[AreaEvidence, ...] = ()
    calibration: PracticeCalibration | None = None

    @property
    def method(self) -> str:
        """``"ability"`` on the calibrated scale, ``"areas"`` by content area."""
        return "ability" if isinstance(self.current, AbilityReadiness) else "areas"

    @property
    def band(self) -> tuple[float, float] | None:
        """The range shown with the figure: the central interval, widened to hold the figure itself (with
        a skewed posterior, as near 0% or 100%, the mean can fall outside the central interval)."""
        if self.current is None:
            return None
        c = self.current
        return min(c.low, c.probability), max(c.high, c.probability)

    @property
    def cut_theta(self) -> float | None:
        """The pass mark's ability on the calibrated scale, where it is known."""
        if isinstance(self.current, AbilityReadiness) and math.isfinite(self.current.cut_theta):
            return self.current.cut_theta
        return None

    @property
    def rows(self) -> list[dict[str, object]]:
        """Per content area of the form: its questions, the answers counted, and the estimate."""
        if not isinstance(self.current, Readiness):
            return []
        return [
            {
                "letter": e.letter,
                "name": self.area_names.get(e.letter, ""),
                "questions": e.questions,
                "answered": e.answered,
                "correct": e.correct,
                "estimate": a,
            }
            for e, a in zip(self.evidence, self.current.areas, strict=True)
        ]


def form_blueprint(form: ExamForm) -> dict[str, int]:
    """Scored questions per area letter on ``form``."""
    rows = FormItem.objects.filter(form=form, scored=True).values("area_letter").annotate(n=Count("pk"))
    return {r["area_letter"]: r["n"] for r in rows}


def first_answers(rows: Iterable[Answer]) -> list[Answer]:
    """The first answer to each question, in order: a repeat measures memory, not knowledge."""
    seen: set[int] = set()
    first = []
    for answer in rows:
        if answer.item not in seen:
            seen.add(answer.item)
            first.append(answer)
    return first


def _estimate(
    rows: list[Answer], blueprint: dict[str, int], order: list[str], cut: int, seed: list[int]
) -> tuple[Readiness, tuple[AreaEvidence, ...]]:
    recent = _latest_per_area(first_answers(rows), READINESS_WINDOW)
    evidence = [
        AreaEvidence(
            letter=letter,
            questions=blueprint.get(letter, 0),
            answered=len(recent.get(letter, [])),
            correct=sum(a.correct for a in recent.get(letter, [])),
        )
        for letter in order
    ]
    readiness = pass_probability(evidence, cut=cut, rng=np.random.default_rng(seed), draws=READINESS_DRAWS)
    return readiness, tuple(evidence)


def _ability_estimate(
    rows: list[Answer], known: dict[int, tuple[float, float, float]], calibration: PracticeCalibration
) -> AbilityReadiness | None:
    first = [a for a in first_answers(rows) if a.item in known][-ABILITY_WINDOW:]
    if len(first) < READINESS_MIN_ANSWERS or calibration.cut_raw is None:
        return None
    params = np.array([known[a.item] for a in first])
    form = np.array(calibration.form_items, dtype=float)
    return pass_probability_from_ability(
        np.array([float(a.correct) for a in first]),
        ItemParameters(a=params[:, 0], b=params[:, 1], c=params[:, 2]),
        ItemParameters(a=form[:, 0], b=form[:, 1], c=form[:, 2]),
        cut=min(calibration.cut_raw, len(form)),
    )


def _ability_view(
    candidate: User, test: Test, rows: list[Answer], with_previous: bool
) -> ReadinessView | None:
    """The estimate on the calibrated scale, when the test's practice questions are calibrated against a
    form and the candidate has answered enough of them; otherwise ``None``."""
    calibration = calibration_for(test)
    if calibration is None or not calibration.form_items or calibration.form is None:
        return None
    known = calibrated_parameters(calibration)
    current = _ability_estimate(rows, known, calibration)
    if current is None:
        return None
    previous = None
    if with_previous:
        last_session = rows[-1].session
        previous = _ability_estimate([a for a in rows if a.session != last_session], known, calibration)
    areas = {a.letter: a.name for a in test.content_areas.all()}
    answered = len([a for a in first_answers(rows) if a.item in known])
    return ReadinessView(
        test,
        calibration.form,
        "",
        answered,
        READINESS_MIN_ANSWERS,
        current,
        previous,
        areas,
        calibration=calibration,
    )


def readiness_for(candidate: User, test: Test, *, with_previous: bool = True) -> ReadinessView:
    """The chance of passing ``test``'s published form now, and (``with_previous``) as it stood before
    the latest session with answers: from the ability on the calibrated scale where the practice
    questions are calibrated and enough of them answered, otherwise by content area."""
    rows = answers(candidate, test)
    if rows:
        on_scale = _ability_view(candidate, test, rows, with_previous)
        if on_scale is not None:
            return on_scale
    areas = list(test.content_areas.order_by("position"))
    names = {a.letter: a.name for a in areas}
    form = published_form_for(test)
    answered = len(first_answers(rows))

    def view(
        reason: str,
        current: Readiness | None = None,
        previous: Readiness | None = None,
        evidence: tuple[AreaEvidence, ...] = (),
    ) -> ReadinessView:
        return ReadinessView(
            test, form, reason, answered, READINESS_MIN_ANSWERS, current, previous, names, evidence
        )

    if form is None or form.cut_raw is None:
        return view("no_form")
    if answered < READINESS_MIN_ANSWERS:
        return view("too_few_answers")
    blueprint = form_blueprint(form)
    order = [a.letter for a in areas if a.letter in blueprint] + sorted(
        set(blueprint) - {a.letter for a in areas}
    )
    cut = min(form.cut_raw, sum(blueprint.values()))
    # Seeded by what the estimate is computed from, so the same answers always show the same figure.
    current, evidence = _estimate(rows, blueprint, order, cut, [candidate.pk, form.pk, len(rows)])
    last_session = rows[-1].session
    before = [a for a in rows if a.session != last_session]
    previous = None
    if with_previous and len(first_answers(before)) >= READINESS_MIN_ANSWERS:
        previous, _evidence = _estimate(before, blueprint, order, cut, [candidate.pk, form.pk, len(before)])
    return view("", current, previous, evidence)
