"""A psychometrician analyses a simulated administration of A5 in the browser: reads the form report and
the flags, looks at an item's curves, assembles two parallel forms with the cut carried over, and
publishes one."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import axe_findings
from tests.e2e.test_experience_approval import ARTIFACTS
from wrenchmark.accounts.models import Role
from wrenchmark.analysis.models import AnalysisRun
from wrenchmark.analysis.simulation import simulate_administrations
from wrenchmark.exams.models import ExamForm, FormStatus

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_psychometrician_analyses_a5_and_publishes_a_parallel_form(
    open_page: Callable[..., Any], published_form: Any, psychometrician: Any, make_user: Callable[..., Any]
) -> None:
    make_user("Bo", "Proctor", roles=(Role.PROCTOR,))
    simulate_administrations(test=published_form.test, candidates=100, seed=11)

    page = open_page(psychometrician)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Analysis").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Item and form analysis")
    page.get_by_role("button", name="Analyse A5").click()

    # The run: marked simulated, the form report, the information curve, the items with their flags.
    expect(page).to_have_url(re.compile(r"/analysis/runs/\d+/$"))
    run = AnalysisRun.objects.get()
    expect(page.get_by_test_id("simulated")).to_contain_text("100 of the 100 attempts")
    report = page.get_by_test_id(f"form-{published_form.code}")
    (summary,) = run.forms
    expect(report.get_by_test_id("kr20")).to_have_text(f"{summary['kr20']:.3f}")
    expect(report.get_by_test_id("consistency")).to_contain_text(f"{summary['decision_consistency']:.3f}")
    expect(report.get_by_role("img", name=re.compile("test information by ability"))).to_be_visible()
    items = page.get_by_test_id("items").locator("tbody tr")
    expect(items).to_have_count(run.items)
    flagged = run.item_stats.exclude(flags=[]).select_related("item")
    page.screenshot(path=str(ARTIFACTS / "analysis-run.png"), full_page=True)
    assert axe_findings(page) == []
    page.get_by_role("link", name="Show only flagged items").click()
    expect(items).to_have_count(flagged.count())

    # One item's curves and figures.
    stat = flagged.first() or run.item_stats.select_related("item").first()
    assert stat is not None
    page.goto(f"/analysis/runs/{run.pk}/items/{stat.item_id}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(stat.item.external_id)
    expect(page.get_by_role("img", name="Item characteristic curve")).to_be_visible()
    expect(page.get_by_role("img", name="Options chosen by score group")).to_be_visible()
    expect(page.get_by_test_id("options").locator("tbody tr")).to_have_count(len(stat.distractors))
    assert axe_findings(page) == []

    # Two parallel forms from the calibrated bank (the stocked bank is small: they may share items).
    page.goto(f"/analysis/runs/{run.pk}/")
    page.get_by_role("link", name="Assemble parallel A5 forms from these calibrations").click()
    page.get_by_label("How many forms").fill("2")
    page.get_by_label("Items any two forms may share").fill("45")
    page.get_by_role("button", name="Assemble").click()
    assembled = page.get_by_test_id("assembled").locator("tbody tr")
    expect(assembled).to_have_count(2)
    page.screenshot(path=str(ARTIFACTS / "analysis-parallel-forms.png"), full_page=True)
    assert axe_findings(page) == []

    # The first draft carries the cut; it is published from its page.
    assembled.first.get_by_role("link").click()
    expect(page.locator("main")).to_contain_text(
        f"Carried from {published_form.code} (raw {published_form.cut_raw})"
    )
    # Its own raw-to-scale table on the ability scale: the cut scores 300 or a little more, the raw
    # score below it less.
    cut_row = page.get_by_test_id("scale-table").locator("tr.cut-row")
    expect(cut_row).to_contain_text("(the cut)")
    below = cut_row.locator("xpath=preceding-sibling::tr[1]/td")
    assert int(cut_row.locator("td").inner_text()) >= 300 > int(below.inner_text())
    page.get_by_test_id("publish").click()
    expect(page.locator("main")).to_contain_text("is published; candidates can sit it.")
    drafts = ExamForm.objects.filter(test=published_form.test).exclude(pk=published_form.pk)
    assert sorted(f.status for f in drafts) == [FormStatus.DRAFT, FormStatus.PUBLISHED]
    new = drafts.get(status=FormStatus.PUBLISHED)
    assert new.assembly_method == "milp-maximin"
    assert new.cut_raw is not None
    assert len(new.scale_table) == new.form_items.filter(scored=True).count() + 1
