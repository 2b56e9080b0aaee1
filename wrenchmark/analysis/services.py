"""Writes of the analysis: compute a test's statistics from its real responses and store them.

``analysis_run`` builds the response matrices (``selectors.test_responses``), hands them to the
framework-free ``wrenchmark.psychometrics`` package and stores what comes back, with the model, its
settings, the inputs' hash and the time:

* per item: p-value, corrected point-biserial, IRT parameters and their standard errors (marginal
  maximum likelihood), S-X2 fit, distractor figures, and the reasons it is flagged;
* per form: KR-20, SEM, the conditional SEM at the cut (Lord's binomial model), decision consistency
  (Subkoviak), the pass rate, the cut's ability and the test information curve.

Items already calibrated in an earlier run of the same model are held at their parameters (the bank's
scale) and only the others (pretest items, new items) are estimated: fixed-parameter calibration. With
``free=True`` everything is estimated afresh. A run whose inputs are unchanged is not repeated.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from django.db import transaction

from wrenchmark.accounts.models import Role, User
from wrenchmark.accounts.services import require_role
from wrenchmark.analysis.models import AnalysisRun, IrtModel, ItemStatistic, RunTrigger
from wrenchmark.analysis.selectors import TestResponses, latest_run, test_responses
from wrenchmark.catalog.models import Test
from wrenchmark.core import clock
from wrenchmark.core.audit import audit_record
from wrenchmark.core.exceptions import ApplicationError
from wrenchmark.psychometrics import ctt, equating
from wrenchmark.psychometrics.irt import calibrate, item_information, s_x2
from wrenchmark.psychometrics.synthetic import ItemParameters

MIN_PERSONS = 100
MIN_ANSWERED = 30  # an item needs this many answers to be calibrated
MISFIT_P = 0.01
THETA_GRID = np.round(np.linspace(-4.0, 4.0, 33), 3)
PRIOR_C = (-1.5, 0.5)  # logit(c) ~ N(-1.5, 0.5): about 0.18 for four-option items
MISFIT = "misfit"


def finite_or_none(value: Any) -> float | None:
    """A finite float, or None for NaN and infinities (which JSON and the database cannot hold)."""
    try:
        x = float(value)
    except (TypeError, ValueError):
        return None
    return x if math.isfinite(x) else None


def _settings(model: str) -> dict[str, Any]:
    return {
        "model": model,
        "quadrature": 61,
        "tol": 1e-4,
        "max_iter": 500,
        "prior_c": list(PRIOR_C) if model == IrtModel.THREE_PL else None,
        "min_answered": MIN_ANSWERED,
    }


def _bank_parameters(test: Test, model: str, data: TestResponses) -> dict[int, tuple[float, float, float]]:
    """Column -> (a, b, c) of the scored items calibrated in the latest run of ``model``."""
    previous = AnalysisRun.objects.filter(test=test, model=model).order_by("-computed_at", "-pk").first()
    if previous is None:
        return {}
    known = {
        s.item_id: (float(s.a or 0.0), float(s.b or 0.0), float(s.c or 0.0))
        for s in previous.item_stats.filter(scored=True, a__isnull=False, b__isnull=False)
    }
    return {
        col: known[column.item]
        for col, column in enumerate(data.columns)
        if column.scored and column.item in known
    }


def _distractors(data: TestResponses) -> dict[int, list[dict[str, Any]]]:
    """Per column: each option's overall share, share by score third and point-biserial, from the
    form with the most sittings of the item."""
    best: dict[int, tuple[int, list[dict[str, Any]]]] = {}
    for form in data.forms:
        if len(form.rows) < 3:
            continue
        cols = form.columns
        choices = data.choices[np.ix_(form.rows, cols)]
        keys = np.array([data.columns[c].key for c in cols], dtype=np.int64)
        width = max(data.columns[c].options for c in cols)
        # Pad so every item has the same number of options (an option index no one can choose).
        choices = np.where(choices >= width, -1, choices)
        analysis = ctt.distractor_analysis(choices, keys, groups=3)
        for j, col in enumerate(cols):
            if col in best and best[col][0] >= len(form.rows):
                continue
            options = []
            for o in range(data.columns[col].options):
                if o >= analysis.n_options:
                    break
                options.append(
                    {
                        "option": o,
                        "is_key": o == data.columns[col].key,
                        "share": finite_or_none(analysis.proportions[j, o]),
                        "groups": [
                            finite_or_none(analysis.group_proportions[g, j, o])
                            for g in range(analysis.n_groups)
                        ],
                        "point_biserial": finite_or_none(analysis.point_biserial[j, o]),
                    }
                )
            best[col] = (len(form.rows), options)
    return {col: options for col, (_n, options) in best.items()}


def _distractor_flagged(options: list[dict[str, Any]]) -> bool:
    for o in options:
        if o["is_key"] or not o["groups"] or o["groups"][0] is None or o["groups"][-1] is None:
            continue
        if o["groups"][-1] > o["groups"][0] or (o["point_biserial"] or 0) > 0:
            return True
    return False


def _form_summaries(
    data: TestResponses, items: ItemParameters, calibrated: np.ndarray
) -> list[dict[str, Any]]:
    summaries = []
    for form in data.forms:
        scored = form.scored
        x = data.responses[np.ix_(form.rows, scored)]
        n_items = len(scored)
        summary: dict[str, Any] = {
            "form": form.form,
            "code": form.code,
            "persons": len(form.rows),
            "simulated": int(data.simulated[form.rows].sum()),
            "scored_items": n_items,
            "cut_raw": form.cut_raw,
        }
        if len(form.rows) >= 2 and n_items >= 2:
            totals = x.sum(axis=1)
            summary["mean_raw"] = finite_or_none(totals.mean())
            summary["sd_raw"] = finite_or_none(totals.std(ddof=1))
            try:
                reliability = ctt.kr20(x)
                summary["kr20"] = finite_or_none(reliability)
                summary["sem"] = finite_or_none(ctt.sem(x, reliability=reliability))
            except ValueError:
                summary["kr20"] = summary["sem"] = None
            if form.cut_raw is not None and 0 < form.cut_raw <= n_items:
                band = ctt.csem_at_cut(n_items, form.cut_raw)
                summary["csem_at_cut"] = finite_or_none(band.csem)
                summary["pass_rate"] = finite_or_none((totals >= form.cut_raw).mean())
                try:
                    consistency = ctt.decision_consistency(x, form.cut_raw)
                    summary["decision_consistency"] = finite_or_none(consistency.agreement)
                    summary["kappa"] = finite_or_none(consistency.kappa)
                except ValueError:
                    summary["decision_consistency"] = summary["kappa"] = None
        on_scale = [c for c in scored if calibrated[c]]
        if on_scale:
            form_items = ItemParameters(a=items.a[on_scale], b=items.b[on_scale], c=items.c[on_scale])
            information = item_information(THETA_GRID, form_items).sum(axis=1)
            summary["information"] = [
                {"theta": float(t), "information": finite_or_none(i)}
                for t, i in zip(THETA_GRID, information, strict=True)
            ]
            if form.cut_raw is not None and len(on_scale) == n_items and 0 < form.cut_raw < n_items:
                try:
                    cut_theta = float(equating.raw_to_theta(form_items, float(form.cut_raw)))
                except ValueError:  # an item estimated with a <= 0: the TCC does not rise everywhere
                    cut_theta = math.nan
                if math.isfinite(cut_theta):
                    at_cut = float(item_information(np.array([cut_theta]), form_items).sum())
                    summary["cut_theta"] = finite_or_none(cut_theta)
                    summary["information_at_cut"] = finite_or_none(at_cut)
                    summary["irt_sem_at_cut"] = finite_or_none(1 / math.sqrt(at_cut)) if at_cut > 0 else None
        summaries.append(summary)
    return summaries


@transaction.atomic
def analysis_run(
    *,
    test: Test,
    model: str = IrtModel.TWO_PL,
    acting_user: User | None = None,
    trigger: str = RunTrigger.COMMAND,
    force: bool = False,
    free: bool = False,
    min_persons: int = MIN_PERSONS,
) -> tuple[AnalysisRun, bool]:
    """Analyse every finalised attempt of ``test`` and store the result; returns the run and whether it
    is new (an unchanged input returns the latest run unless ``force``).

    Refused for an unknown model (``invalid_model``) or fewer than ``MIN_PERSONS`` finalised attempts
    (``too_few_responses``; tests may lower ``min_persons``); a person must be a psychometrician or program administrator (commands run
    without one). Audited as ``analysis.run``.
    """
    if acting_user is not None:
        require_role(acting_user, Role.PSYCHOMETRICIAN, Role.PROGRAM_ADMIN)
    if model not in IrtModel.values:
        raise ApplicationError("Choose the Rasch, 2PL or 3PL model.", code="invalid_model", field="model")
    data = test_responses(test)
    if data.persons < min_persons:
        raise ApplicationError(
            f"{test.code} has {data.persons} finalised attempts; the analysis needs at least {min_persons}.",
            code="too_few_responses",
        )
    settings = _settings(model)
    digest = data.digest({**settings, "free": free})
    latest = latest_run(test)
    if latest is not None and latest.inputs_hash == digest and not force:
        return latest, False

    x = data.responses
    stats = ctt.item_statistics(x)
    answered = stats.n_answered
    # Items everyone got right (or wrong) have no finite IRT parameters; too few answers, none worth having.
    variable = (stats.p_value > 0) & (stats.p_value < 1) & (answered >= min(MIN_ANSWERED, min_persons))
    irt_cols = np.flatnonzero(variable)
    fixed_all = {} if free else _bank_parameters(test, model, data)
    position = {int(col): n for n, col in enumerate(irt_cols)}
    fixed = {position[col]: v for col, v in fixed_all.items() if col in position}
    calibration = calibrate(
        x[:, irt_cols],
        model=model,  # type: ignore[arg-type]
        quadrature=settings["quadrature"],
        tol=settings["tol"],
        max_iter=settings["max_iter"],
        prior_c=PRIOR_C if model == IrtModel.THREE_PL else None,
        fixed=fixed or None,
    )
    m = x.shape[1]
    a, b, c = np.full(m, np.nan), np.full(m, np.nan), np.zeros(m)
    se_a, se_b, se_c = np.full(m, np.nan), np.full(m, np.nan), np.full(m, np.nan)
    a[irt_cols], b[irt_cols], c[irt_cols] = calibration.a, calibration.b, calibration.c
    se_a[irt_cols], se_b[irt_cols], se_c[irt_cols] = calibration.se_a, calibration.se_b, calibration.se_c
    calibrated = np.zeros(m, dtype=bool)
    calibrated[irt_cols] = True
    items = ItemParameters(a=np.where(calibrated, a, 1.0), b=np.where(calibrated, b, 0.0), c=c)

    # Item fit on the form with the most sittings (S-X2 needs complete data).
    fit: dict[int, tuple[float | None, int | None, float | None]] = {}
    if data.forms:
        form = max(data.forms, key=lambda f: len(f.rows))
        cols = [col for col in form.columns if calibrated[col]]
        if len(cols) >= 3:
            sub = ItemParameters(a=items.a[cols], b=items.b[cols], c=items.c[cols])
            parameters = {"rasch": 1, "2pl": 2, "3pl": 3}[model]
            result = s_x2(x[np.ix_(form.rows, cols)], sub, n_parameters=parameters)
            for j, col in enumerate(cols):
                if int(result.df[j]) > 0:  # too few score groups left after collapsing: no test
                    fit[col] = (
                        finite_or_none(result.statistic[j]),
                        int(result.df[j]),
                        finite_or_none(result.p_value[j]),
                    )

    distractors = _distractors(data)
    flags = ctt.flag_items(stats)
    now = clock.now()
    run = AnalysisRun.objects.create(
        test=test,
        model=model,
        persons=data.persons,
        items=m,
        simulated_persons=int(data.simulated.sum()),
        inputs_hash=digest,
        model_settings={**settings, "free": free, "fixed_items": len(fixed)},
        converged=calibration.converged,
        iterations=calibration.iterations,
        log_likelihood=finite_or_none(calibration.loglik),
        forms=_form_summaries(data, items, calibrated),
        computed_at=now,
        computed_by=acting_user,
        trigger=trigger,
    )
    rows = []
    for j, column in enumerate(data.columns):
        reasons = list(flags[j].reasons)
        options = distractors.get(j, [])
        if _distractor_flagged(options) and ctt.DISTRACTOR_ATTRACTS_HIGH_SCORERS not in reasons:
            reasons.append(ctt.DISTRACTOR_ATTRACTS_HIGH_SCORERS)
        statistic, df, p = fit.get(j, (None, None, None))
        if p is not None and p < MISFIT_P:
            reasons.append(MISFIT)
        rows.append(
            ItemStatistic(
                run=run,
                item_id=column.item,
                version_id=column.version,
                scored=column.scored,
                area_letter=column.area,
                answered=int(answered[j]),
                p_value=finite_or_none(stats.p_value[j]),
                point_biserial=finite_or_none(stats.corrected_point_biserial[j]),
                a=finite_or_none(a[j]),
                b=finite_or_none(b[j]),
                c=finite_or_none(c[j]) if calibrated[j] and model == IrtModel.THREE_PL else None,
                se_a=finite_or_none(se_a[j]),
                se_b=finite_or_none(se_b[j]),
                se_c=finite_or_none(se_c[j]),
                fit_statistic=statistic,
                fit_df=df,
                fit_p=p,
                distractors=options,
                flags=reasons,
            )
        )
    ItemStatistic.objects.bulk_create(rows)
    flagged = sum(bool(r.flags) for r in rows)
    audit_record(
        action="analysis.run",
        target=run,
        actor=acting_user,
        summary=f"{test.code}: {model} on {data.persons} attempts"
        + (f" ({run.simulated_persons} simulated)" if run.simulated_persons else "")
        + f", {m} items, {flagged} flagged",
        data={"model": model, "persons": data.persons, "items": m, "flagged": flagged, "hash": digest},
    )
    return run, True
