"""Practice items onto the bank's scale: fixed-parameter calibration from candidates who practised and sat.

Practice items never appear on a real form, so they cannot be calibrated with the operational items
directly. The candidates who answered both are the link: their operational responses, with the bank
items held at their parameters from the latest analysis run, place them on the bank's scale, and the
practice items are estimated on that scale by marginal maximum likelihood with those items fixed (Kim,
2006). Each candidate contributes the latest finalised attempt and the first answer to each practice
question (a repeat measures memory). A practice item needs ``MIN_ANSWERED`` such answers, and not all
right or all wrong.

The result (``practice.PracticeCalibration``) also keeps the published form's scored items and its cut,
so practice can set a learner's ability against the cut's ability. A calibration whose inputs are
unchanged is not repeated.

References
----------
Kim, S. (2006). A comparative study of IRT fixed parameter calibration methods. *Journal of Educational
Measurement*, 43(4), 355-381.
"""

from __future__ import annotations

import hashlib
import math

import numpy as np
from django.db import transaction

from wrenchmark.analysis.models import AnalysisRun, IrtModel
from wrenchmark.analysis.selectors import test_responses
from wrenchmark.analysis.services import PRIOR_C, finite_or_none
from wrenchmark.catalog.models import Test
from wrenchmark.core import clock
from wrenchmark.core.audit import audit_record
from wrenchmark.core.exceptions import ApplicationError
from wrenchmark.exams.models import Attempt, ExamForm, FormItem
from wrenchmark.exams.selectors import published_form_for
from wrenchmark.practice.models import PracticeCalibration, PracticeItemParameter, PracticeQuestion
from wrenchmark.practice.selectors import calibration_for
from wrenchmark.psychometrics import equating
from wrenchmark.psychometrics.irt import calibrate
from wrenchmark.psychometrics.synthetic import ItemParameters

MIN_PERSONS = 50  # candidates who practised and sat
MIN_ANSWERED = 30  # first answers a practice item needs from them


def _first_practice_answers(test: Test) -> dict[int, dict[int, tuple[bool, str]]]:
    """Candidate -> practice item -> (right, area letter) of the first answer."""
    first: dict[int, dict[int, tuple[bool, str]]] = {}
    rows = (
        PracticeQuestion.objects.filter(session__test=test, answered_at__isnull=False)
        .order_by("answered_at", "pk")
        .values_list("session__candidate_id", "item_id", "correct", "item_version__area__letter")
    )
    for candidate, item, correct, letter in rows:
        first.setdefault(candidate, {}).setdefault(item, (bool(correct), letter))
    return first


def _form_parameters(
    test: Test, bank: dict[int, tuple[float, float, float]]
) -> tuple[ExamForm | None, int | None, float | None, list[list[float]]]:
    """(form, cut, cut_theta, [[a, b, c], ...]) of the published form when all its scored items are on
    the scale; otherwise what is known."""
    form = published_form_for(test)
    if form is None:
        return None, None, None, []
    scored = list(FormItem.objects.filter(form=form, scored=True).values_list("item_id", flat=True))
    if not scored or any(item not in bank for item in scored):
        return form, form.cut_raw, None, []
    params = [list(bank[item]) for item in scored]
    cut_theta = None
    if form.cut_raw is not None and 0 < form.cut_raw < len(scored):
        arr = np.array(params)
        try:
            theta = float(
                equating.raw_to_theta(ItemParameters(a=arr[:, 0], b=arr[:, 1], c=arr[:, 2]), form.cut_raw)
            )
        except ValueError:  # an item with a <= 0: the expected score does not rise everywhere
            theta = math.nan
        cut_theta = finite_or_none(theta)
    return form, form.cut_raw, cut_theta, params


@transaction.atomic
def practice_calibrate(
    *, test: Test, force: bool = False, min_persons: int = MIN_PERSONS
) -> tuple[PracticeCalibration, bool]:
    """Calibrate ``test``'s practice items onto the bank's scale; returns the calibration and whether it
    is new (unchanged inputs return the latest unless ``force``).

    Refused without an analysis run of the test (``no_analysis``), with fewer than ``min_persons``
    candidates who practised and sat it (``too_few_linked``), or when no practice item has
    ``MIN_ANSWERED`` first answers from them (``too_few_answers``). Audited as
    ``analysis.practice_calibrated``.
    """
    run = AnalysisRun.objects.filter(test=test).order_by("-computed_at", "-pk").first()
    if run is None:
        raise ApplicationError(
            f"{test.code} has no analysis run to take the bank's scale from; run psychometrics_analyze first.",
            code="no_analysis",
        )
    bank = {
        s.item_id: (float(s.a), float(s.b), float(s.c or 0.0))
        for s in run.item_stats.filter(a__isnull=False, b__isnull=False)
        if s.a is not None and s.b is not None
    }
    data = test_responses(test)
    candidate_of = dict(Attempt.objects.filter(pk__in=data.attempts).values_list("pk", "candidate_id"))
    latest_row: dict[int, int] = {}
    for row, attempt in enumerate(data.attempts):  # attempts in pk order: the latest wins
        latest_row[candidate_of[attempt]] = row
    practice = _first_practice_answers(test)
    persons = sorted(set(latest_row) & set(practice))
    if len(persons) < min_persons:
        raise ApplicationError(
            f"{test.code} has {len(persons)} candidates who practised and sat it; calibrating the practice "
            f"items needs at least {min_persons}.",
            code="too_few_linked",
        )
    anchor_cols = [col for col, column in enumerate(data.columns) if column.item in bank]
    counts: dict[int, list[bool]] = {}
    letters: dict[int, str] = {}
    for person in persons:
        for item, (right, letter) in practice[person].items():
            counts.setdefault(item, []).append(right)
            letters[item] = letter
    practice_items = sorted(
        item
        for item, answers in counts.items()
        if len(answers) >= MIN_ANSWERED and 0 < sum(answers) < len(answers) and item not in bank
    )
    if not practice_items:
        raise ApplicationError(
            f"No practice item of {test.code} has {MIN_ANSWERED} first answers from candidates who sat it.",
            code="too_few_answers",
        )
    rows = np.array([latest_row[p] for p in persons], dtype=np.int64)
    x = np.full((len(persons), len(anchor_cols) + len(practice_items)), np.nan)
    x[:, : len(anchor_cols)] = data.responses[np.ix_(rows, np.array(anchor_cols, dtype=np.int64))]
    col_of = {item: len(anchor_cols) + j for j, item in enumerate(practice_items)}
    for i, person in enumerate(persons):
        for item, (right, _letter) in practice[person].items():
            if item in col_of:
                x[i, col_of[item]] = 1.0 if right else 0.0

    settings = {"model": run.model, "anchor_run": run.pk, "min_answered": MIN_ANSWERED}
    digest = hashlib.sha256()
    digest.update(np.nan_to_num(x, nan=-1.0).tobytes())
    digest.update(np.asarray(persons + practice_items, dtype=np.int64).tobytes())
    digest.update(repr(sorted(settings.items())).encode())
    inputs_hash = digest.hexdigest()
    latest = calibration_for(test)
    if latest is not None and latest.inputs_hash == inputs_hash and not force:
        return latest, False

    fixed = {j: bank[data.columns[col].item] for j, col in enumerate(anchor_cols)}
    calibration = calibrate(
        x,
        model=run.model,  # type: ignore[arg-type]
        tol=1e-4,
        max_iter=500,
        prior_c=PRIOR_C if run.model == IrtModel.THREE_PL else None,
        fixed=fixed,
    )
    form, cut_raw, cut_theta, form_items = _form_parameters(test, bank)
    simulated = int(data.simulated[rows].sum())  # the persons' rows: their latest attempts
    result = PracticeCalibration.objects.create(
        test=test,
        model=run.model,
        anchor_run=run.pk,
        anchor_items=len(anchor_cols),
        persons=len(persons),
        simulated_persons=simulated,
        form=form,
        cut_raw=cut_raw,
        cut_theta=cut_theta,
        form_items=form_items,
        inputs_hash=inputs_hash,
        converged=calibration.converged,
        iterations=calibration.iterations,
        computed_at=clock.now(),
    )
    PracticeItemParameter.objects.bulk_create(
        PracticeItemParameter(
            calibration=result,
            item_id=item,
            area_letter=letters[item],
            answered=len(counts[item]),
            p_value=sum(counts[item]) / len(counts[item]),
            a=float(calibration.a[col_of[item]]),
            b=float(calibration.b[col_of[item]]),
            c=float(calibration.c[col_of[item]]) if run.model == IrtModel.THREE_PL else 0.0,
            se_a=finite_or_none(float(calibration.se_a[col_of[item]])),
            se_b=finite_or_none(float(calibration.se_b[col_of[item]])),
        )
        for item in practice_items
    )
    audit_record(
        action="analysis.practice_calibrated",
        target=result,
        actor=None,
        summary=f"{test.code}: {len(practice_items)} practice items calibrated ({run.model}) from "
        f"{len(persons)} candidates who practised and sat it"
        + (f" ({simulated} simulated)" if simulated else ""),
        data={
            "model": run.model,
            "anchor_run": run.pk,
            "anchor_items": len(anchor_cols),
            "persons": len(persons),
            "items": len(practice_items),
            "hash": inputs_hash,
        },
    )
    return result, True
