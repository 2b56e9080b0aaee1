"""Parallel forms from the calibrated bank: assembled as a mixed-integer program, created as drafts
through the exams service (the same interface as the stratified-random assembly), with the published
form's cut carried to each by IRT true-score equating.

Each form with a carried cut also gets its own raw-to-scale table: scaled scores linear in the ability
(``SCALE_SLOPE`` points per logit) with the cut's ability at the passing scaled score, so the same scaled
score means the same ability on every form (Kolen & Brennan, 2014, ch. 9).

The operational items calibrated in the test's latest analysis are the pool; the blueprint is the
test's count per content area; enemies never share a form; items may be shared up to ``max_overlap``
between any two forms. The objective is the most information at the cut that every form reaches
(maximin), so the forms are parallel where the pass/fail decision is made.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import numpy as np
from django.db import transaction

from wrenchmark.accounts.models import Role, User
from wrenchmark.accounts.services import require_role
from wrenchmark.analysis.models import AnalysisRun, ItemStatistic
from wrenchmark.analysis.selectors import latest_run
from wrenchmark.catalog.models import Test
from wrenchmark.core.audit import audit_record
from wrenchmark.core.exceptions import ApplicationError
from wrenchmark.exams.assembly import FormPlan, with_pretest
from wrenchmark.exams.models import ExamForm, FormItem
from wrenchmark.exams.selectors import published_form_for
from wrenchmark.exams.services import form_assemble, form_set_cut, form_set_scale
from wrenchmark.itembank.models import Item, ItemState
from wrenchmark.psychometrics import assembly, equating
from wrenchmark.psychometrics.irt import item_information
from wrenchmark.psychometrics.synthetic import ItemParameters
from wrenchmark.scoring.scales import REPORT_CUT, REPORT_MAX, REPORT_MIN

METHOD = "milp-maximin"
CURVE_THETA = np.linspace(-4.0, 4.0, 33)  # where the forms' information curves are compared
SCALE_SLOPE = 50.0  # scaled points per logit: 100-500 spans the cut's ability ± 4


@dataclass(frozen=True, slots=True)
class AssembledForm:
    form: ExamForm
    information_at_cut: float
    expected_at_cut: float
    cut_raw: int | None
    scale: list[int]
    theta_cut: float
    information: list[float]  # test information at CURVE_THETA

    @property
    def cut_scaled(self) -> int | None:
        """The scaled score of the cut on the form's own table: 300, or a little more when the cut's
        ability falls between two raw scores."""
        return self.scale[self.cut_raw] if self.scale and self.cut_raw is not None else None


def _parameters(stats: list[ItemStatistic]) -> ItemParameters:
    return ItemParameters(
        a=np.array([s.a or 1.0 for s in stats]),
        b=np.array([s.b or 0.0 for s in stats]),
        c=np.array([s.c or 0.0 for s in stats]),
    )


def _calibrated(run: AnalysisRun) -> dict[int, ItemStatistic]:
    return {
        s.item_id: s
        for s in run.item_stats.filter(a__isnull=False, b__isnull=False, a__gt=0).select_related("item")
    }


@transaction.atomic
def parallel_forms_assemble(
    *, test: Test, acting_user: User, n_forms: int = 2, max_overlap: int = 0, seed: int = 0
) -> list[AssembledForm]:
    """Assemble ``n_forms`` parallel draft forms of ``test`` and carry the published form's cut to each.

    Refused without an analysis (``no_analysis``), or when the calibrated operational items cannot meet
    the blueprint under the constraints (``assembly_infeasible``, with the reason). Audited as
    ``form.assembled`` (each form) and ``analysis.forms_assembled``.
    """
    require_role(acting_user, Role.PSYCHOMETRICIAN)
    if not 1 <= n_forms <= 6 or max_overlap < 0:
        raise ApplicationError(
            "Assemble between 1 and 6 forms, with an overlap of 0 or more.", code="invalid"
        )
    run = latest_run(test)
    if run is None:
        raise ApplicationError(
            f"Analyse {test.code} first: forms are assembled from calibrated items.", code="no_analysis"
        )
    calibrated = _calibrated(run)
    pool_items = list(
        Item.objects.filter(test_code=test.code, state=ItemState.OPERATIONAL, pk__in=list(calibrated))
        .select_related("current_version__area")
        .prefetch_related("enemies")
        .order_by("external_id")
    )
    stats = [calibrated[i.pk] for i in pool_items]
    ids = [str(i.pk) for i in pool_items]
    pool = assembly.ItemPool(
        items=_parameters(stats),
        areas=tuple(i.current_version.area.letter if i.current_version else "" for i in pool_items),
        ids=tuple(ids),
    )
    index = {i.pk for i in pool_items}
    enemies = {
        tuple(sorted((str(i.pk), str(e.pk)))) for i in pool_items for e in i.enemies.all() if e.pk in index
    }
    blueprint = {a.letter: a.question_count or 0 for a in test.content_areas.all() if a.question_count}
    published = published_form_for(test)
    summary = next((f for f in run.forms if published and f["form"] == published.pk), None)
    theta_cut = float(summary["cut_theta"]) if summary and summary.get("cut_theta") is not None else 0.0
    try:
        result = assembly.assemble_forms(
            pool,
            n_forms=n_forms,
            blueprint=blueprint,
            theta_cut=theta_cut,
            enemies=[list(pair) for pair in enemies],
            max_overlap=max_overlap,
            max_exposure=n_forms if max_overlap else 1,
            time_limit=30,
        )
    except ValueError as exc:
        raise ApplicationError(f"The forms cannot be assembled: {exc}", code="assembly_infeasible") from None

    old_items = None
    if published is not None and published.cut_raw is not None:
        old_stats = [
            calibrated[fi.item_id]
            for fi in FormItem.objects.filter(form=published, scored=True)
            if fi.item_id in calibrated
        ]
        if len(old_stats) == FormItem.objects.filter(form=published, scored=True).count():
            old_items = _parameters(old_stats)

    made = []
    for f, chosen in enumerate(result.forms):
        scored = [pool_items[int(j)] for j in chosen]

        def plan(*, test: Test, rng: random.Random, scored: list[Item] = scored) -> FormPlan:
            return with_pretest(test=test, scored=scored, rng=rng, method=METHOD)

        form = form_assemble(test=test, acting_user=acting_user, seed=seed + f, assembler=plan)
        new_items = _parameters([calibrated[i.pk] for i in scored])
        cut_raw, scale = None, []
        if old_items is not None and published is not None and published.cut_raw is not None:
            carried = equating.carry_cut(old_items, published.cut_raw, new_items)
            cut_raw = int(carried.cut_raw_new)
            form_set_cut(
                form=form,
                acting_user=acting_user,
                raw=cut_raw,
                note=f"Carried from {published.code} (raw {published.cut_raw}) by IRT true-score equating: "
                f"the cut's ability {carried.theta:.3f} on analysis {run.pk}",
            )
            table = equating.raw_to_scale_table(
                new_items,
                cut_theta=carried.theta,
                cut_scaled=REPORT_CUT,
                slope=SCALE_SLOPE,
                lowest=REPORT_MIN,
                highest=REPORT_MAX,
            )
            if table.cut_raw == cut_raw:
                scale = [int(v) for v in table.scaled]
                form_set_scale(
                    form=form,
                    acting_user=acting_user,
                    table=scale,
                    note=f"IRT scale: {SCALE_SLOPE:g} points per logit, the cut's ability {carried.theta:.3f} "
                    f"at {REPORT_CUT}, on analysis {run.pk}",
                )
        information = float(item_information(np.array([theta_cut]), new_items).sum())
        expected = float(equating.tcc(np.array([theta_cut]), new_items)[0])
        curve = item_information(CURVE_THETA, new_items).sum(axis=1)
        made.append(
            AssembledForm(form, information, expected, cut_raw, scale, theta_cut, [float(v) for v in curve])
        )
    audit_record(
        action="analysis.forms_assembled",
        target=run,
        actor=acting_user,
        summary=f"{test.code}: {n_forms} parallel forms ({', '.join(m.form.code for m in made)}) at theta {theta_cut:.2f}",
        data={
            "forms": [m.form.code for m in made],
            "theta_cut": theta_cut,
            "information": [m.information_at_cut for m in made],
            "max_overlap": max_overlap,
            "mip_gap": float(result.mip_gap) if result.mip_gap is not None else None,
        },
    )
    return made
