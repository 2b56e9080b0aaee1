"""The psychometrician's pages: each test's latest analysis, a run's forms and items, and one item with
its curves, where a pretest item that earned it is promoted and a flagged one retired (audited)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wrenchmark.accounts.models import Role, User
from wrenchmark.analysis.forms import CURVE_THETA, AssembledForm, parallel_forms_assemble
from wrenchmark.analysis.models import AnalysisRun, IrtModel, ItemStatistic, RunTrigger
from wrenchmark.analysis.selectors import latest_run, run_items
from wrenchmark.analysis.services import analysis_run
from wrenchmark.catalog.models import Test
from wrenchmark.catalog.selectors import edition_in_force
from wrenchmark.core.charts import Series, line_chart
from wrenchmark.core.exceptions import ApplicationError, NotFound
from wrenchmark.itembank.models import ItemState
from wrenchmark.itembank.services import item_transition
from wrenchmark.psychometrics.irt import probability
from wrenchmark.psychometrics.synthetic import ItemParameters

REASONS = {
    "too_hard": gettext_lazy("too hard (p-value below 0.20)"),
    "too_easy": gettext_lazy("too easy (p-value above 0.95)"),
    "low_discrimination": gettext_lazy("low discrimination (corrected point-biserial below 0.15)"),
    "negative_discrimination": gettext_lazy("negative discrimination: check the key"),
    "distractor_attracts_high_scorers": gettext_lazy("a distractor draws high scorers"),
    "misfit": gettext_lazy("the model does not fit (S-X2 p below 0.01)"),
}
GROUPS = (gettext_lazy("Low third"), gettext_lazy("Middle third"), gettext_lazy("High third"))


def _staff(request: HttpRequest) -> User:
    user: User = request.user  # type: ignore[assignment]
    if not (user.has_role(Role.PSYCHOMETRICIAN) or user.has_role(Role.PROGRAM_ADMIN)):
        raise PermissionDenied
    return user


def _run(run_id: int) -> AnalysisRun:
    run = AnalysisRun.objects.select_related("test", "computed_by").filter(pk=run_id).first()
    if run is None:
        raise Http404
    return run


def _reasons(codes: list[str]) -> list[str]:
    return [str(REASONS.get(code, code)) for code in codes]


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """Every test of the edition in force with its latest analysis; "Analyse now" runs one."""
    user = _staff(request)
    try:
        tests = list(
            Test.objects.filter(edition=edition_in_force(), recertifies__isnull=True).order_by("position")
        )
    except NotFound:
        tests = []
    status = 200
    if request.method == "POST":
        test = next((t for t in tests if t.code == request.POST.get("test")), None)
        model = request.POST.get("model") or IrtModel.TWO_PL
        if test is None:
            messages.error(request, _("Choose a test."))
            status = 400
        else:
            try:
                run, new = analysis_run(test=test, model=model, acting_user=user, trigger=RunTrigger.PAGE)
            except ApplicationError as exc:
                messages.error(request, exc.message)
                status = exc.status
            else:
                if not new:
                    messages.info(request, _("Nothing has changed since this analysis."))
                return redirect("analysis:run", run_id=run.pk)
    rows = []
    for test in tests:
        latest = latest_run(test)
        rows.append(
            {
                "test": test,
                "run": latest,
                "flagged": latest.item_stats.exclude(flags=[]).count() if latest else 0,
            }
        )
    return render(request, "analysis/index.html", {"rows": rows, "models": IrtModel.choices}, status=status)


def _information_curves(
    series: list[Series], *, identifier: str, title: str, desc: str, cut_theta: float | None
) -> SafeString:
    """Test information curves over ability -4 to 4, the axis scaled to the highest, the cut marked."""
    top = max(y for line in series for _x, y in line.points)
    step = max(1, math.ceil(top / 4))
    return line_chart(
        series,
        identifier=identifier,
        title=title,
        desc=desc,
        x_range=(-4, 4),
        y_range=(0, step * 4),
        x_ticks=[(t, str(t)) for t in range(-4, 5, 2)],
        y_ticks=[(step * k, str(step * k)) for k in range(5)],
        x_label=_("Ability (theta)"),
        marker_x=cut_theta,
        marker_label=_("cut"),
    )


def _information_chart(form: dict[str, Any], identifier: str) -> Any:
    points = [
        (p["theta"], p["information"]) for p in form.get("information", []) if p["information"] is not None
    ]
    if not points:
        return None
    return _information_curves(
        [Series(_("Test information"), points, emphasis=True)],
        identifier=identifier,
        title=_("%(form)s: test information by ability") % {"form": form["code"]},
        desc=_("Information from ability -4 to 4; highest %(top).1f. The dashed line is the cut.")
        % {"top": max(y for _x, y in points)},
        cut_theta=form.get("cut_theta"),
    )


@login_required
def run_detail(request: HttpRequest, run_id: int) -> HttpResponse:
    """One run: per form its reliability, error at the cut, consistency and information curve; per
    item its statistics and flags."""
    _staff(request)
    run = _run(run_id)
    stats = list(run_items(run))
    if request.GET.get("flagged"):
        stats = [s for s in stats if s.flags]
    forms = [{**form, "chart": _information_chart(form, f"tic-{form['form']}")} for form in run.forms]
    context = {
        "run": run,
        "forms": forms,
        "stats": [(s, _reasons(s.flags)) for s in stats],
        "flagged_only": bool(request.GET.get("flagged")),
    }
    return render(request, "analysis/run.html", context)


def _curves(stat: ItemStatistic) -> tuple[Any, Any, list[dict[str, Any]]]:
    icc = None
    if stat.a is not None and stat.b is not None:
        theta = np.linspace(-4, 4, 41)
        p = probability(
            theta, ItemParameters(a=np.array([stat.a]), b=np.array([stat.b]), c=np.array([stat.c or 0.0]))
        )[:, 0]
        icc = line_chart(
            [
                Series(
                    _("Chance of a right answer"),
                    list(zip(theta.tolist(), p.tolist(), strict=True)),
                    emphasis=True,
                )
            ],
            identifier=f"icc-{stat.pk}",
            title=_("Item characteristic curve"),
            desc=_("Chance of a right answer from ability -4 to 4: a %(a).2f, b %(b).2f, c %(c).2f.")
            % {"a": stat.a, "b": stat.b, "c": stat.c or 0.0},
            x_range=(-4, 4),
            y_range=(0, 1),
            x_ticks=[(t, str(t)) for t in range(-4, 5, 2)],
            y_ticks=[(k / 4, f"{k * 25}%") for k in range(5)],
            x_label=_("Ability (theta)"),
            marker_x=stat.b,
            marker_label="b",
        )
    options = []
    series = []
    for o in stat.distractors:
        letter = "ABCDEFGH"[o["option"]]
        groups = [g for g in o["groups"] if g is not None]
        options.append({**o, "letter": letter})
        if len(groups) == len(GROUPS):
            label = _("%(letter)s (key)") % {"letter": letter} if o["is_key"] else letter
            series.append(Series(label, list(enumerate(groups)), emphasis=o["is_key"]))
    distractor_chart = None
    if series:
        distractor_chart = line_chart(
            series,
            identifier=f"options-{stat.pk}",
            title=_("Options chosen by score group"),
            desc=_("Share choosing each option in the low, middle and high thirds of total scores."),
            x_range=(-0.3, len(GROUPS) - 0.7),
            y_range=(0, 1),
            x_ticks=[(n, str(g)) for n, g in enumerate(GROUPS)],
            y_ticks=[(k / 4, f"{k * 25}%") for k in range(5)],
            x_label=_("Total-score group"),
        )
    return icc, distractor_chart, options


@login_required
def item_detail(request: HttpRequest, run_id: int, item_id: int) -> HttpResponse:
    """One item in one run: figures, curves, and the actions its state allows."""
    user = _staff(request)
    run = _run(run_id)
    stat = run.item_stats.select_related("item", "version").filter(item_id=item_id).first()
    if stat is None:
        raise Http404
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        target = {"promote": ItemState.OPERATIONAL, "retire": ItemState.RETIRED}.get(action or "")
        if target is None:
            messages.error(request, _("Choose promote or retire."))
            status = 400
        else:
            reason = (request.POST.get("reason") or "").strip()
            if target == ItemState.OPERATIONAL:
                reason = _("Promoted after analysis %(run)d: p %(p).2f, r %(r).2f") % {
                    "run": run.pk,
                    "p": stat.p_value or 0,
                    "r": stat.point_biserial or 0,
                }
            try:
                item_transition(item=stat.item, to_state=target, acting_user=user, reason=reason)
            except ApplicationError as exc:
                messages.error(request, exc.message)
                status = exc.status
            else:
                messages.success(
                    request,
                    _("%(item)s is now %(state)s.")
                    % {"item": stat.item.external_id, "state": ItemState(target).label.lower()},
                )
                return redirect("analysis:item", run_id=run.pk, item_id=item_id)
        stat.item.refresh_from_db()
    icc, distractor_chart, options = _curves(stat)
    context = {
        "run": run,
        "stat": stat,
        "reasons": _reasons(stat.flags),
        "icc": icc,
        "distractor_chart": distractor_chart,
        "options": options,
        "groups": GROUPS,
        "can_promote": stat.item.state == ItemState.PRETEST,
        "can_retire": stat.item.state in (ItemState.PRETEST, ItemState.OPERATIONAL, ItemState.APPROVED),
        "suggested_reason": "; ".join(_reasons(stat.flags)),
    }
    return render(request, "analysis/item.html", context, status=status)


@login_required
def assemble(request: HttpRequest, code: str) -> HttpResponse:
    """Assemble parallel draft forms from the calibrated bank and compare them; publish one from the
    form's page."""
    user = _staff(request)
    try:
        test = Test.objects.get(edition=edition_in_force(), code=code.upper())
    except (Test.DoesNotExist, NotFound):
        raise Http404 from None
    run = latest_run(test)
    made = []
    status = 200
    if request.method == "POST":
        try:
            n_forms = int(request.POST.get("forms") or 2)
            overlap = int(request.POST.get("overlap") or 0)
        except ValueError:
            n_forms, overlap = 0, -1
        try:
            made = parallel_forms_assemble(test=test, acting_user=user, n_forms=n_forms, max_overlap=overlap)
        except ApplicationError as exc:
            messages.error(request, exc.message)
            status = exc.status
    context: dict[str, Any] = {"test": test, "run": run, "made": made}
    if made:
        context["comparison"] = _comparison_chart(made)
        picks = [i for i, t in enumerate(CURVE_THETA) if float(t) in (-3.0, -2.0, -1.0, 0.0, 1.0, 2.0, 3.0)]
        context["comparison_rows"] = [
            {"theta": float(CURVE_THETA[i]), "values": [m.information[i] for m in made]} for i in picks
        ]
    return render(request, "analysis/assemble.html", context, status=status)


def _comparison_chart(made: list[AssembledForm]) -> SafeString:
    """The assembled forms' test information curves on one chart, the cut marked."""
    return _information_curves(
        [
            Series(m.form.code, list(zip(CURVE_THETA.tolist(), m.information, strict=True)), emphasis=n == 0)
            for n, m in enumerate(made)
        ],
        identifier="assembled-information",
        title=_("The assembled forms' test information by ability"),
        desc=_("One line per form, from ability -4 to 4; the dashed line is the cut's ability %(cut).2f.")
        % {"cut": made[0].theta_cut},
        cut_theta=made[0].theta_cut,
    )
