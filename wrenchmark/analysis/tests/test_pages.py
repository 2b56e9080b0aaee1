"""The analysis pages: only psychometricians and program administrators; a run's forms and items with
their charts, marked simulated; an item's curves; promotion and retirement through the audited
life-cycle service."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from conftest import client_for
from wrenchmark.analysis.models import AnalysisRun, ItemStatistic
from wrenchmark.analysis.services import analysis_run
from wrenchmark.analysis.simulation import simulate_administrations
from wrenchmark.core.models import AuditEvent
from wrenchmark.itembank.models import Item, ItemState

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def analysed(published_form: Any, make_user: Any) -> AnalysisRun:
    from wrenchmark.accounts.models import Role

    make_user("Bo", "Proctor", roles=(Role.PROCTOR,))
    simulate_administrations(test=published_form.test, candidates=40, seed=3)
    run, _new = analysis_run(test=published_form.test, min_persons=10)
    return run


def test_only_psychometricians_and_administrators_see_the_pages(
    analysed: AnalysisRun, candidate_alice: Any, psychometrician: Any, program_admin_paula: Any
) -> None:
    urls = [reverse("analysis:index"), reverse("analysis:run", args=[analysed.pk])]
    for url in urls:
        assert client_for(candidate_alice).get(url).status_code == 403
        assert client_for(psychometrician).get(url).status_code == 200
        assert client_for(program_admin_paula).get(url).status_code == 200
    assert client_for(psychometrician).get(reverse("analysis:run", args=[999999])).status_code == 404


def test_a_run_shows_its_forms_items_and_that_it_is_simulated(
    analysed: AnalysisRun, psychometrician: Any
) -> None:
    client = client_for(psychometrician)
    index = client.get(reverse("analysis:index")).content.decode()
    assert "A5 Brakes" in index
    assert "simulated" in index
    page = client.get(reverse("analysis:run", args=[analysed.pk])).content.decode()
    assert "Simulated data." in page
    assert "40 of the 40 attempts" in page
    (form,) = analysed.forms
    assert f"{form['kr20']:.3f}" in page
    assert "Decision consistency (Subkoviak)" in page
    assert 'role="img"' in page
    assert "test information by ability" in page
    for stat in analysed.item_stats.all():
        assert stat.item.external_id in page
    flagged = analysed.item_stats.exclude(flags=[])
    only = client.get(reverse("analysis:run", args=[analysed.pk]) + "?flagged=1").content.decode()
    for stat in analysed.item_stats.filter(flags=[]):
        assert f">{stat.item.external_id}<" not in only
    for stat in flagged:
        assert f">{stat.item.external_id}<" in only


def test_an_item_page_draws_its_curves_and_promotes_or_retires_it(
    analysed: AnalysisRun, psychometrician: Any
) -> None:
    client = client_for(psychometrician)
    pretest = ItemStatistic.objects.filter(run=analysed, scored=False).first()
    assert pretest is not None
    Item.objects.filter(pk=pretest.item_id).update(state=ItemState.PRETEST)
    url = reverse("analysis:item", args=[analysed.pk, pretest.item_id])
    page = client.get(url).content.decode()
    assert "Item characteristic curve" in page
    assert "Options chosen by score group" in page
    assert "Promote to operational" in page
    assert client.post(url, {"action": "promote"}).status_code == 302
    assert Item.objects.get(pk=pretest.item_id).state == ItemState.OPERATIONAL
    event = AuditEvent.objects.get(action="item.operational")
    assert event.actor == psychometrician
    assert f"analysis {analysed.pk}" in event.data.get("reason", event.summary)

    empty = client.post(url, {"action": "retire", "reason": "  "})
    assert empty.status_code == 400
    assert "Say why the item is retired." in empty.content.decode()
    assert client.post(url, {"action": "retire", "reason": "Key disputed by the panel"}).status_code == 302
    assert Item.objects.get(pk=pretest.item_id).state == ItemState.RETIRED
    assert "nothing to decide here" in client.get(url).content.decode()
    assert client.post(url, {"action": "explode"}).status_code == 400
