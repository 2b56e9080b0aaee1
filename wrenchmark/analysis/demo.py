"""Demo analysis: 150 simulated candidates each take a short A5 practice session and sit the A5 form,
through the practice and sitting services; A5 is analysed and its practice items calibrated, once, so the analysis pages have something to show on a fresh install. Everything it makes is
labelled simulated."""

from __future__ import annotations

import contextlib

from wrenchmark.analysis.models import AnalysisRun, RunTrigger
from wrenchmark.analysis.practice import practice_calibrate
from wrenchmark.analysis.services import analysis_run
from wrenchmark.analysis.simulation import simulate_administrations
from wrenchmark.catalog.models import Test
from wrenchmark.catalog.selectors import edition_in_force
from wrenchmark.core.exceptions import ApplicationError, NotFound

DEMO_TEST = "A5"
DEMO_CANDIDATES = 150


def demo_analysis_load() -> AnalysisRun | None:
    """Simulate and analyse A5 unless it has been analysed before; ``None`` when nothing was done."""
    try:
        test = Test.objects.get(edition=edition_in_force(), code=DEMO_TEST)
    except (Test.DoesNotExist, NotFound):
        return None
    if AnalysisRun.objects.filter(test=test).exists():
        return None
    try:
        simulate_administrations(test=test, candidates=DEMO_CANDIDATES, seed=2026, practice=True)
        run, _new = analysis_run(test=test, trigger=RunTrigger.SIMULATION)
    except ApplicationError:
        return None
    # A bank without (enough) practice items: practice stays non-adaptive.
    with contextlib.suppress(ApplicationError):
        practice_calibrate(test=test)
    return run
