"""Parallel forms from the calibrated bank: the blueprint met exactly, no shared items, parallel
information at the cut, the published cut carried by equating, and clear refusals."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from django.urls import reverse

from conftest import client_for
from wrenchmark.analysis.forms import SCALE_SLOPE, parallel_forms_assemble
from wrenchmark.analysis.models import AnalysisRun, ItemStatistic
from wrenchmark.core import clock
from wrenchmark.core.exceptions import ApplicationError
from wrenchmark.core.models import AuditEvent
from wrenchmark.exams.models import FormItem, FormStatus
from wrenchmark.itembank.models import Item, ItemState
from wrenchmark.psychometrics import equating
from wrenchmark.psychometrics.synthetic import ItemParameters
from wrenchmark.scoring.scales import REPORT_CUT, REPORT_MAX, REPORT_MIN, table_fits

pytestmark = pytest.mark.django_db


@pytest.fixture
def calibrated_bank(published_form: Any) -> AnalysisRun:
    """Every A5 operational-pool item in use and calibrated (parameters drawn with a fixed seed)."""
    test = published_form.test
    Item.objects.filter(test_code="A5", state=ItemState.APPROVED).update(state=ItemState.OPERATIONAL)
    run = AnalysisRun.objects.create(
        test=test,
        persons=500,
        items=0,
        inputs_hash="0" * 64,
        computed_at=clock.now(),
        forms=[{"form": published_form.pk, "code": published_form.code, "cut_theta": 0.3}],
    )
    rng = np.random.default_rng(11)
    for item in Item.objects.filter(test_code="A5", state=ItemState.OPERATIONAL).select_related(
        "current_version__area"
    ):
        ItemStatistic.objects.create(
            run=run,
            item=item,
            version=item.current_version,
            scored=True,
            area_letter=item.current_version.area.letter,
            answered=500,
            a=float(rng.uniform(0.5, 2.0)),
            b=float(rng.normal(0, 1)),
        )
    return run


def test_two_parallel_forms_meet_the_blueprint_bound_their_overlap_and_carry_the_cut(
    calibrated_bank: AnalysisRun, psychometrician: Any, published_form: Any
) -> None:
    test = published_form.test
    # The stocked bank has four spare items per area, so two forms must share some (29 at least): at most 35.
    made = parallel_forms_assemble(test=test, acting_user=psychometrician, n_forms=2, max_overlap=35)
    assert len(made) == 2
    scored_sets = []
    for m in made:
        assert m.form.status == FormStatus.DRAFT
        assert m.form.assembly_method == "milp-maximin"
        scored = FormItem.objects.filter(form=m.form, scored=True)
        for area in test.content_areas.all():
            assert scored.filter(area_letter=area.letter).count() == area.question_count
        scored_sets.append(set(scored.values_list("item_id", flat=True)))
        m.form.refresh_from_db()
        assert m.form.cut_raw == m.cut_raw is not None
        assert m.form.cut_note.startswith(
            f"Carried from {published_form.code} (raw {published_form.cut_raw})"
        )
    assert len(scored_sets[0] & scored_sets[1]) <= 35
    # Each form's raw-to-scale table: linear in the ability through the carried cut's ability.
    stats = {s.item_id: s for s in calibrated_bank.item_stats.all()}

    def params(form: Any) -> ItemParameters:
        rows = [
            stats[i]
            for i in FormItem.objects.filter(form=form, scored=True).values_list("item_id", flat=True)
        ]
        return ItemParameters(
            np.array([r.a for r in rows]), np.array([r.b for r in rows]), np.array([r.c or 0.0 for r in rows])
        )

    theta = float(equating.raw_to_theta(params(published_form), published_form.cut_raw))
    for m in made:
        table = equating.raw_to_scale_table(
            params(m.form),
            cut_theta=theta,
            cut_scaled=REPORT_CUT,
            slope=SCALE_SLOPE,
            lowest=REPORT_MIN,
            highest=REPORT_MAX,
        )
        assert m.form.scale_table == m.scale == table.scaled.tolist()
        assert table_fits(m.scale, cut=m.form.cut_raw, total=len(m.scale) - 1)
        assert AuditEvent.objects.filter(action="form.scale_set", target_id=str(m.form.pk)).exists()
    first, second = (m.information_at_cut for m in made)
    assert abs(first - second) / max(first, second) < 0.02
    event = AuditEvent.objects.get(action="analysis.forms_assembled")
    assert event.actor == psychometrician
    assert event.data["forms"] == [m.form.code for m in made]


def test_impossible_or_unanalysed_requests_are_refused(
    calibrated_bank: AnalysisRun, psychometrician: Any, published_form: Any
) -> None:
    with pytest.raises(ApplicationError) as infeasible:
        parallel_forms_assemble(test=published_form.test, acting_user=psychometrician, n_forms=2)
    assert infeasible.value.code == "assembly_infeasible"
    assert "area 'A'" in infeasible.value.message  # two forms sharing nothing need more A items
    calibrated_bank.delete()
    with pytest.raises(ApplicationError) as none:
        parallel_forms_assemble(test=published_form.test, acting_user=psychometrician)
    assert none.value.code == "no_analysis"


def test_the_page_assembles_and_lists_the_forms(calibrated_bank: AnalysisRun, psychometrician: Any) -> None:
    client = client_for(psychometrician)
    url = reverse("analysis:assemble", args=["a5"])
    assert "Items any two forms may share" in client.get(url).content.decode()
    page = client.post(url, {"forms": "2", "overlap": "35"}).content.decode()
    assert "The forms just assembled" in page
    assert "A5-F002" in page
    assert "A5-F003" in page
    # Compared by their information curves: a chart of both and the same figures in a table.
    assert page.count("<polyline") == 2
    assert "The assembled forms&#x27; test information by ability" in page
    table = page[page.index('data-testid="comparison-table"') :]
    assert table.count('<tr><th scope="row">') == 7  # theta -3 to 3
    bad = client.post(url, {"forms": "9", "overlap": "0"})
    assert bad.status_code == 400
    assert client.get(reverse("analysis:assemble", args=["ZZ"])).status_code == 404
