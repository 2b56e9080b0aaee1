"""The bank that ships with Wrenchmark: enough reviewed items in every area, the right mix, and it loads."""

from __future__ import annotations

import math
from collections import Counter
from typing import Any

import pytest

from conftest import ASE_CATALOG
from wrenchmark.catalog.loading import parse_catalog
from wrenchmark.itembank.check import CONTENT, check_files
from wrenchmark.itembank.content import SHIPPED_STATES, ItemSpec
from wrenchmark.itembank.linting import key_balance
from wrenchmark.itembank.loading import bank_files, bank_load
from wrenchmark.itembank.models import Item, ItemReview, ItemState
from wrenchmark.itembank.svg import sanitise_svg

TESTS = ("A1", "A2", "A3", "A4", "A5", "A6", "A7", "A8", "A9", "G1")
BILINGUAL = ("A5", "G1")


@pytest.fixture(scope="module")
def report() -> Any:
    return check_files(bank_files(CONTENT))


@pytest.fixture(scope="module")
def blueprint() -> dict[str, Any]:
    return {test.code: test for test in parse_catalog(ASE_CATALOG).tests}


def of(report: Any, code: str) -> list[ItemSpec]:
    return [item for item in report.items if item.test == code]


def test_the_bank_files_have_no_errors_or_warnings(report: Any) -> None:
    assert [str(p) for p in report.problems] == []
    assert {item.test for item in report.items} >= set(TESTS)


@pytest.mark.parametrize("code", TESTS)
def test_every_area_has_at_least_1_2_times_its_blueprint_in_reviewed_operational_items(
    report: Any, blueprint: dict[str, Any], code: str
) -> None:
    items = of(report, code)
    for area in blueprint[code].content_areas:
        usable = [
            i
            for i in items
            if i.area == area.letter and i.pool == "operational" and i.state in SHIPPED_STATES
        ]
        assert len(usable) >= math.ceil(1.2 * area.questions), (code, area.letter)
    practice = [i for i in items if i.pool == "practice" and i.state in SHIPPED_STATES]
    assert len(practice) >= math.ceil(blueprint[code].scored / 2)
    assert {i.area for i in practice} == {a.letter for a in blueprint[code].content_areas}


@pytest.mark.parametrize("code", TESTS)
def test_style_mix_exhibit_share_and_key_balance_hold(report: Any, code: str) -> None:
    items = of(report, code)
    styles = Counter(i.style for i in items)
    assert styles["tech_ab"] / len(items) >= 0.25
    assert 0.10 <= (styles["except"] + styles["least_likely"]) / len(items) <= 0.15
    assert sum(1 for i in items if i.exhibit is not None) / len(items) >= 0.15
    assert all(0.20 <= share <= 0.30 for share in key_balance(items)[code].values())


def test_every_exhibit_has_alt_text_and_every_svg_is_already_safe(report: Any) -> None:
    for item in report.items:
        if item.exhibit is None:
            continue
        assert len(item.exhibit.alt) >= 40, item.external_id
        if item.exhibit.kind == "svg":
            assert sanitise_svg(item.exhibit.data()).removed == [], item.external_id


def test_every_shipped_item_was_approved_by_two_reviewers_other_than_its_author(report: Any) -> None:
    for item in report.items:
        approvals = {r.reviewer for r in item.reviews if r.decision == "approve"}
        assert item.author not in approvals
        assert len(approvals) >= 2, item.external_id


@pytest.mark.parametrize("code", BILINGUAL)
def test_every_spanish_item_matches_its_english_options_and_key(report: Any, code: str) -> None:
    for item in of(report, code):
        spanish = next(t for t in item.translations if t.language == "es")
        assert len(spanish.options) == len(item.options) == 4
        assert [o.is_key for o in spanish.options] == [o.is_key for o in item.options]
        assert all(o.text and o.rationale for o in spanish.options)
        assert spanish.stem
        assert spanish.stem != item.stem
        if item.exhibit is not None:
            assert spanish.exhibit_alt


@pytest.mark.django_db
def test_the_whole_bank_loads_through_the_services(catalog: Any, report: Any) -> None:
    result = bank_load(edition=catalog)
    assert result.created == len(report.items)
    assert Item.objects.filter(state=ItemState.APPROVED).count() == len(report.items)
    assert ItemReview.objects.filter(decision="approve").count() >= 2 * len(report.items)
