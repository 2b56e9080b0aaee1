from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from wrenchmark.registrations.fees import fees_quote
from wrenchmark.registrations.services import order_place


@pytest.mark.django_db
def test_the_registration_fee_is_charged_once_per_order_and_each_test_at_its_fee(
    catalog: Any, test_of: Callable[[str], Any]
) -> None:
    quote = fees_quote(edition=catalog, tests=[test_of("A5"), test_of("A6"), test_of("G1")])
    assert quote.registration_fee == Decimal("36.00")
    assert [line.fee for line in quote.lines] == [Decimal("33.00")] * 3
    assert quote.total == Decimal("135.00")
    assert quote.currency == "USD"


@pytest.mark.django_db
def test_an_advanced_test_costs_the_advanced_fee(catalog: Any, test_of: Callable[[str], Any]) -> None:
    quote = fees_quote(edition=catalog, tests=[test_of("L1"), test_of("A8")])
    assert [(line.test.code, line.fee) for line in quote.lines] == [
        ("L1", Decimal("66.00")),
        ("A8", Decimal("33.00")),
    ]
    assert quote.total == Decimal("135.00")


@pytest.mark.django_db
def test_recertification_fees_are_capped_per_order_and_the_saving_comes_off_the_last_lines(
    catalog: Any, test_of: Callable[[str], Any]
) -> None:
    tests = [test_of(code) for code in ("A1R", "A4", "A2R", "A3R", "A5R", "A6R")]
    quote = fees_quote(edition=catalog, tests=tests)
    fees = {line.test.code: line.fee for line in quote.lines}
    assert fees == {
        "A1R": Decimal("33.00"),
        "A4": Decimal("33.00"),  # an initial test does not count toward the cap
        "A2R": Decimal("33.00"),
        "A3R": Decimal("33.00"),
        "A5R": Decimal("0.00"),
        "A6R": Decimal("0.00"),
    }
    assert quote.recertification_discount == Decimal("66.00")
    assert quote.total == Decimal("36.00") + Decimal("33.00") + Decimal("99.00")


@pytest.mark.django_db
def test_a_placed_order_records_the_quoted_amounts(
    on_day: None, candidate_alice: Any, test_of: Callable[[str], Any]
) -> None:
    order = order_place(buyer=candidate_alice, tests=[test_of("A5"), test_of("A6")], idempotency_key="k1")
    assert (order.registration_fee, order.tests_fee, order.total) == (
        Decimal("36.00"),
        Decimal("66.00"),
        Decimal("102.00"),
    )
    assert order.currency == "USD"
    assert order.provider == "demo"
    assert sorted(line.fee for line in order.lines.all()) == [Decimal("33.00"), Decimal("33.00")]
