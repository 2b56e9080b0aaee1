"""``manage.py psychometrics_analyze --test CODE``: compute and store a test's statistics, then calibrate
its practice items onto the bank's scale where enough candidates practised and sat it (run after each
administration; unchanged inputs are not analysed again)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from wrenchmark.analysis.models import AnalysisRun, IrtModel, RunTrigger
from wrenchmark.analysis.practice import practice_calibrate
from wrenchmark.analysis.services import analysis_run
from wrenchmark.catalog.models import Test
from wrenchmark.catalog.selectors import catalog_test_get, edition_in_force
from wrenchmark.core.exceptions import ApplicationError, NotFound


def describe(run: AnalysisRun) -> list[str]:
    """The lines a command prints about a run."""
    flagged = run.item_stats.exclude(flags=[]).count()
    lines = [
        f"{run.test.code}: {run.get_model_display()} on {run.persons} finalised attempts"
        + (f" ({run.simulated_persons} SIMULATED)" if run.simulated_persons else "")
        + f", {run.items} items; {'converged' if run.converged else 'NOT converged'} in {run.iterations} cycles"
        + (f", log-likelihood {run.log_likelihood:.2f}" if run.log_likelihood is not None else ""),
    ]
    for form in run.forms:
        parts = [f"  {form['code']}: {form['persons']} attempts"]
        if form.get("kr20") is not None:
            parts.append(f"KR-20 {form['kr20']:.3f}, SEM {form['sem']:.2f}")
        if form.get("csem_at_cut") is not None:
            parts.append(f"CSEM at the cut ({form['cut_raw']}) {form['csem_at_cut']:.2f}")
        if form.get("decision_consistency") is not None:
            parts.append(f"decision consistency {form['decision_consistency']:.3f}")
        if form.get("pass_rate") is not None:
            parts.append(f"pass rate {form['pass_rate']:.1%}")
        lines.append(", ".join(parts))
    lines.append(f"  {flagged} of {run.items} items flagged for review")
    return lines


def calibrate_practice(test: Test, *, force: bool = False) -> list[str]:
    """Calibrate ``test``'s practice items and return the line a command prints about it; too little
    data is reported, not an error."""
    try:
        calibration, _new = practice_calibrate(test=test, force=force)
    except ApplicationError as exc:
        if exc.code in ("too_few_linked", "too_few_answers"):
            return [f"  practice items: not calibrated yet. {exc.message}"]
        raise
    items = calibration.parameters.count()
    cut = (
        f"; the cut of {calibration.form.code if calibration.form else 'the form'} sits at theta "
        f"{calibration.cut_theta:.2f}"
        if calibration.cut_theta is not None
        else ""
    )
    return [
        f"  practice items: {items} calibrated onto the bank's scale from {calibration.persons} candidates "
        "who practised and sat it"
        + (f" ({calibration.simulated_persons} SIMULATED)" if calibration.simulated_persons else "")
        + cut
        + "; adaptive practice is on."
    ]


class Command(BaseCommand):
    help = "Compute a test's item and form statistics from its finalised attempts and store them."

    def add_arguments(self, parser: CommandParser) -> None:
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument("--test", help="test code, e.g. A5")
        which.add_argument(
            "--all", action="store_true", help="every test with finalised attempts (skips those with too few)"
        )
        parser.add_argument("--model", default=IrtModel.TWO_PL, help="rasch, 2pl or 3pl (default 2pl)")
        parser.add_argument("--force", action="store_true", help="analyse even if nothing changed")
        parser.add_argument(
            "--free", action="store_true", help="estimate every item afresh instead of holding the bank's"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        model = options["model"].strip().lower()
        if model not in IrtModel.values:
            raise CommandError(f"--model must be one of {', '.join(IrtModel.values)}")
        try:
            edition = edition_in_force()
            tests = (
                [catalog_test_get(edition=edition, code=options["test"])]
                if options["test"]
                else list(
                    Test.objects.filter(edition=edition, forms__attempts__score_report__isnull=False)
                    .distinct()
                    .order_by("position")
                )
            )
        except NotFound as exc:
            raise CommandError(exc.message) from None
        for test in tests:
            try:
                run, new = analysis_run(
                    test=test,
                    model=model,
                    trigger=RunTrigger.ADMINISTRATION if options["all"] else RunTrigger.COMMAND,
                    force=options["force"],
                    free=options["free"],
                )
            except ApplicationError as exc:
                if options["all"] and exc.code == "too_few_responses":
                    self.stdout.write(f"{test.code}: skipped, {exc.message}")
                    continue
                raise CommandError(exc.message) from None
            if not new:
                self.stdout.write(
                    f"{test.code}: nothing new since the run of {run.computed_at:%Y-%m-%d %H:%M}."
                )
            for line in describe(run) + calibrate_practice(test, force=options["force"]):
                self.stdout.write(line)
