"""The analysis of a test's real responses: simulated candidates sit the form through the sitting
services, then the statistics are computed, stored with their inputs, repeated only when something
changed, and the bank's calibrated items are held on later runs."""

from __future__ import annotations

from io import StringIO
from typing import Any

import numpy as np
import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from wrenchmark.analysis.models import AnalysisRun, ItemStatistic, RunTrigger
from wrenchmark.analysis.services import analysis_run
from wrenchmark.analysis.simulation import SIMULATED_DOMAIN, simulate_administrations
from wrenchmark.core.exceptions import ApplicationError
from wrenchmark.core.models import AuditEvent
from wrenchmark.exams.models import Attempt, FormItem, Response

pytestmark = pytest.mark.django_db(transaction=True)

CANDIDATES = 60


@pytest.fixture
def proctor(make_user: Any) -> Any:
    from wrenchmark.accounts.models import Role

    return make_user("Bo", "Proctor", roles=(Role.PROCTOR,))


def test_simulated_sittings_are_analysed_and_stored_with_their_inputs(
    published_form: Any, proctor: Any, psychometrician: Any, candidate_alice: Any
) -> None:
    test = published_form.test
    with pytest.raises(ApplicationError) as early:
        analysis_run(test=test, min_persons=10)
    assert early.value.code == "too_few_responses"

    result = simulate_administrations(test=test, candidates=CANDIDATES, seed=7)
    assert result.candidates == CANDIDATES
    attempts = Attempt.objects.filter(form=published_form, score_report__isnull=False)
    assert attempts.count() == CANDIDATES
    assert all(a.candidate.is_simulated and a.candidate.email.endswith(SIMULATED_DOMAIN) for a in attempts)
    assert mail.outbox == []  # simulated candidates have no mailbox

    with pytest.raises(ApplicationError):
        analysis_run(test=test, acting_user=candidate_alice, min_persons=10)
    run, new = analysis_run(test=test, acting_user=psychometrician, trigger=RunTrigger.PAGE, min_persons=10)
    assert new
    assert run.persons == CANDIDATES
    assert run.simulated_persons == CANDIDATES
    assert run.simulated
    form_items = FormItem.objects.filter(form=published_form)
    assert run.items == form_items.count()
    assert run.item_stats.count() == run.items

    # A p-value checked against the stored responses directly.
    item = form_items.filter(scored=True).order_by("position").first()
    assert item is not None
    key = next(o.position for o in item.version.options.all() if o.is_key)
    chosen = list(Response.objects.filter(form_item=item).values_list("choice", flat=True))
    stat = ItemStatistic.objects.get(run=run, item=item.item)
    assert stat.p_value == pytest.approx(sum(c == key for c in chosen) / CANDIDATES)
    assert stat.scored
    assert stat.answered == CANDIDATES
    assert sum(o["share"] for o in stat.distractors) == pytest.approx(
        sum(c is not None for c in chosen) / CANDIDATES
    )

    # The form's reliability, error at the cut, consistency and information, from the same data.
    (form,) = run.forms
    assert form["code"] == published_form.code
    assert form["persons"] == CANDIDATES
    assert 0 < form["kr20"] < 1
    assert form["sem"] > 0
    assert form["csem_at_cut"] == pytest.approx(
        np.sqrt(
            published_form.cut_raw
            * (form["scored_items"] - published_form.cut_raw)
            / (form["scored_items"] - 1)
        )
    )
    assert 0.5 <= form["decision_consistency"] <= 1
    assert len(form["information"]) == 33
    assert all(p["information"] > 0 for p in form["information"])
    calibrated = run.item_stats.filter(a__isnull=False)
    assert calibrated.count() >= run.items - 5
    assert all(s.se_b is not None and s.se_b > 0 for s in calibrated)
    event = AuditEvent.objects.get(action="analysis.run")
    assert event.actor == psychometrician
    assert "simulated" in event.summary

    # Nothing changed: no new run. Forced: a new run holding the bank's calibrated scored items.
    same, new = analysis_run(test=test, min_persons=10)
    assert same == run
    assert not new
    again, new = analysis_run(test=test, force=True, min_persons=10)
    assert new
    assert again.model_settings["fixed_items"] == calibrated.filter(scored=True).count()
    for stat in again.item_stats.filter(scored=True, a__isnull=False):
        before = ItemStatistic.objects.get(run=run, item=stat.item)
        assert (stat.a, stat.b) == pytest.approx((before.a, before.b))
    assert AnalysisRun.objects.count() == 2


def test_the_commands_say_what_they_did_and_refuse_clearly(published_form: Any, proctor: Any) -> None:
    out = StringIO()
    with pytest.raises(CommandError, match="needs at least 100"):
        call_command("psychometrics_analyze", "--test", "A5", stdout=out)
    with pytest.raises(CommandError, match="--model must be one of"):
        call_command("psychometrics_analyze", "--test", "A5", "--model", "4pl")
    with pytest.raises(CommandError, match="A9"):
        call_command("psychometrics_simulate", "--test", "A9", "--candidates", "5")
    with pytest.raises(CommandError, match="between 1 and 20,000"):
        call_command("psychometrics_simulate", "--test", "A5", "--candidates", "0")
    call_command("psychometrics_simulate", "--test", "A5", "--candidates", "12", "--no-analysis", stdout=out)
    assert "SIMULATED: 12 candidates sat" in out.getvalue()
    call_command("psychometrics_analyze", "--all", stdout=out)
    assert "A5: skipped, A5 has 12 finalised attempts; the analysis needs at least 100." in out.getvalue()
    assert not AnalysisRun.objects.exists()


def test_simulate_once_does_nothing_after_an_analysis(published_form: Any, proctor: Any) -> None:
    simulate_administrations(test=published_form.test, candidates=10, seed=1)
    analysis_run(test=published_form.test, min_persons=5)
    out = StringIO()
    call_command("psychometrics_simulate", "--test", "A5", "--candidates", "5", "--once", stdout=out)
    assert "has been analysed before; nothing simulated" in out.getvalue()
    assert Attempt.objects.count() == 10


def test_the_demo_analysis_needs_a_form_and_runs_once(
    catalog: Any, published_form: Any, proctor: Any
) -> None:
    from wrenchmark.analysis import demo

    published_form.test.forms.update(status="draft")
    assert demo.demo_analysis_load() is None  # no published form: nothing simulated
    assert not Attempt.objects.exists()
    published_form.test.forms.update(status="published")
    demo_candidates, demo.DEMO_CANDIDATES = demo.DEMO_CANDIDATES, 100
    try:
        run = demo.demo_analysis_load()
    finally:
        demo.DEMO_CANDIDATES = demo_candidates
    assert run is not None
    assert run.simulated_persons == 100
    assert demo.demo_analysis_load() is None
    assert Attempt.objects.count() == 100
