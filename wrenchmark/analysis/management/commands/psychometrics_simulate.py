"""``manage.py psychometrics_simulate --test CODE --candidates N``: simulated candidates take a short
practice session and sit the published form, through the practice and sitting services; then the test is
analysed and its practice items calibrated. Everything they produce is labelled simulated."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from wrenchmark.analysis.management.commands.psychometrics_analyze import calibrate_practice, describe
from wrenchmark.analysis.models import AnalysisRun, IrtModel, RunTrigger
from wrenchmark.analysis.services import analysis_run
from wrenchmark.analysis.simulation import simulate_administrations
from wrenchmark.catalog.selectors import catalog_test_get, edition_in_force
from wrenchmark.core.exceptions import ApplicationError, NotFound


class Command(BaseCommand):
    help = (
        "Have simulated candidates sit a test's published form, then analyse the test (labelled simulated)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--test", required=True, help="test code, e.g. A5")
        parser.add_argument("--candidates", type=int, default=300, help="how many (default 300)")
        parser.add_argument("--seed", type=int, default=2026, help="seed of the simulation (default 2026)")
        parser.add_argument("--model", default=IrtModel.TWO_PL, help="rasch, 2pl or 3pl (default 2pl)")
        parser.add_argument("--no-analysis", action="store_true", help="only sit, do not analyse")
        parser.add_argument("--no-practice", action="store_true", help="sit only, with no practice session")
        parser.add_argument(
            "--once", action="store_true", help="do nothing if the test has been analysed before (for set-up)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            test = catalog_test_get(edition=edition_in_force(), code=options["test"])
            if options["once"] and AnalysisRun.objects.filter(test=test).exists():
                self.stdout.write(f"{test.code} has been analysed before; nothing simulated.")
                return
            result = simulate_administrations(
                test=test,
                candidates=options["candidates"],
                seed=options["seed"],
                practice=not options["no_practice"],
            )
        except (ApplicationError, NotFound) as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(
            f"SIMULATED: {result.candidates} candidates sat {result.form}; {result.passed} passed, "
            f"mean raw score {result.mean_raw:.1f}"
            + (f"; {result.practice_answers} practice answers first." if result.practice_answers else ".")
        )
        if options["no_analysis"]:
            return
        try:
            run, _new = analysis_run(test=test, model=options["model"], trigger=RunTrigger.SIMULATION)
        except ApplicationError as exc:
            raise CommandError(exc.message) from None
        try:
            lines = describe(run) + calibrate_practice(test)
        except ApplicationError as exc:
            raise CommandError(exc.message) from None
        for line in lines:
            self.stdout.write(line)
