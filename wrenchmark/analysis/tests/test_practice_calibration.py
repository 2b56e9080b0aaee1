"""Practice items onto the bank's scale: simulated candidates practise and sit A5 through the services,
the test is analysed, and the practice items are calibrated with the bank items held fixed."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from wrenchmark.accounts.models import Role
from wrenchmark.analysis.management.commands.psychometrics_analyze import calibrate_practice
from wrenchmark.analysis.practice import MIN_ANSWERED, _form_parameters, practice_calibrate
from wrenchmark.analysis.services import analysis_run
from wrenchmark.analysis.simulation import simulate_administrations, true_parameters
from wrenchmark.core.exceptions import ApplicationError
from wrenchmark.core.models import AuditEvent
from wrenchmark.itembank.models import Item, ItemPool
from wrenchmark.itembank.tests.factories import pool_items
from wrenchmark.practice import adaptive
from wrenchmark.practice.models import PracticeItemParameter, PracticeQuestion
from wrenchmark.practice.selectors import calibrated_parameters, calibration_for
from wrenchmark.psychometrics import equating
from wrenchmark.psychometrics.synthetic import ItemParameters

pytestmark = pytest.mark.django_db(transaction=True)

CANDIDATES = 90
SEED = 11


@pytest.fixture
def practised(published_form: Any, make_user: Any) -> Any:
    """A5 with 12 practice items in two areas; CANDIDATES simulated candidates practise and sit it."""
    test = published_form.test
    writer = make_user("Wynn", "Writer", roles=(Role.ITEM_WRITER,))
    make_user("Bo", "Proctor", roles=(Role.PROCTOR,))
    for n, letter in enumerate(("A", "B")):
        pool_items(test=test, count=6, writer=writer, pool=ItemPool.PRACTICE, area=letter, start=1 + 6 * n)
    result = simulate_administrations(test=test, candidates=CANDIDATES, seed=SEED, practice=True)
    assert result.practice_answers == CANDIDATES * 10
    return published_form


def test_practice_items_are_calibrated_on_the_bank_scale(practised: Any) -> None:
    test = practised.test
    with pytest.raises(ApplicationError) as early:
        practice_calibrate(test=test)
    assert early.value.code == "no_analysis"
    run, _new = analysis_run(test=test, min_persons=10)
    with pytest.raises(ApplicationError) as too_few:
        practice_calibrate(test=test, min_persons=CANDIDATES + 1)
    assert too_few.value.code == "too_few_linked"

    calibration, new = practice_calibrate(test=test)
    assert new
    assert calibration.persons == calibration.simulated_persons == CANDIDATES
    assert calibration.simulated
    assert calibration.anchor_run == run.pk
    assert calibration.anchor_items == run.item_stats.filter(a__isnull=False).count()
    assert calibration.converged

    # Every practice item with enough first answers is calibrated, and its counts are the database's.
    parameters = {p.item_id: p for p in PracticeItemParameter.objects.filter(calibration=calibration)}
    assert len(parameters) == 12
    for item, p in parameters.items():
        answers = list(PracticeQuestion.objects.filter(item_id=item).values_list("correct", flat=True))
        assert p.answered == len(answers) >= MIN_ANSWERED
        assert p.p_value == pytest.approx(sum(answers) / len(answers))
        assert p.se_b is not None
        assert p.se_b > 0
    # An item estimated to discriminate the wrong way is kept on record but not used by practice.
    usable = calibrated_parameters(calibration)
    assert set(usable) == {item for item, p in parameters.items() if p.a > 0}

    # On the bank's scale: the estimated difficulties follow the simulation's true ones, and sit where
    # the bank's own items do. (A 2PL fitted to 3PL answers places every item a little easier than its
    # true b; on one scale, practice and operational items are shifted alike: compared by the median,
    # as a few weakly discriminating items get far-out b estimates on 90 candidates.)
    def shift(estimates: dict[int, float]) -> tuple[float, float]:
        ids = sorted(estimates)
        truth = true_parameters([Item.objects.get(pk=i).external_id for i in ids], SEED).b
        estimated = np.array([estimates[i] for i in ids])
        return float(np.corrcoef(estimated, truth)[0, 1]), float(np.median(estimated - truth))

    practice_r, practice_shift = shift({i: p.b for i, p in parameters.items()})
    bank_r, bank_shift = shift({s.item_id: s.b for s in run.item_stats.filter(scored=True, b__isnull=False)})
    assert practice_r > 0.7
    assert bank_r > 0.7
    assert abs(practice_shift - bank_shift) < 0.4

    # The form's scored items and its cut, for the readiness estimate.
    form = np.array(calibration.form_items)
    assert len(form) == practised.form_items.filter(scored=True).count()
    assert calibration.cut_raw == practised.cut_raw
    scored = list(
        practised.form_items.filter(scored=True).order_by("position").values_list("item_id", flat=True)
    )
    stats = {s.item_id: [s.a, s.b, s.c or 0.0] for s in run.item_stats.filter(item_id__in=scored)}
    assert form.tolist() == [stats[i] for i in scored]
    # Where a scored item of these 90 simulated candidates comes out with a <= 0, the expected score does
    # not rise everywhere and no cut ability is stored rather than a wrong one.
    if (form[:, 0] > 0).all():
        at_cut = equating.raw_to_theta(ItemParameters(form[:, 0], form[:, 1], form[:, 2]), practised.cut_raw)
        assert calibration.cut_theta == pytest.approx(float(at_cut))
    else:
        assert calibration.cut_theta is None
    # With every item rising, the cut's ability is where the expected score reaches the cut.
    rising = {i: (1.2, -2.0 + 0.1 * n, 0.0) for n, i in enumerate(scored)}
    _form, cut, cut_theta, params = _form_parameters(test, rising)
    arr = np.array(params)
    assert cut == practised.cut_raw
    expected = equating.raw_to_theta(ItemParameters(arr[:, 0], arr[:, 1], arr[:, 2]), practised.cut_raw)
    assert cut_theta == pytest.approx(float(expected))
    assert _form_parameters(test, dict(list(rising.items())[1:]))[3] == []  # an item not on the scale

    # Unchanged inputs are not calibrated again; the calibration is audited and used by practice.
    again, new = practice_calibrate(test=test)
    assert (again.pk, new) == (calibration.pk, False)
    assert AuditEvent.objects.filter(action="analysis.practice_calibrated").count() == 1
    assert calibration_for(test) == calibration
    assert adaptive.available(test)

    # What the analysis command prints about it.
    (line,) = calibrate_practice(test)
    assert f"practice items: 12 calibrated onto the bank's scale from {CANDIDATES} candidates" in line
    assert f"({CANDIDATES} SIMULATED)" in line
