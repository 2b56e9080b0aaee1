"""What an order costs, from the fees of the catalog edition in force.

- one registration fee per order;
- the test fee for each test, the advanced fee for an advanced-level test;
- recertification tests together cost at most the recertification cap per order. The saving is taken
  from the last recertification lines, so each line keeps the amount a refund of it gives back.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from wrenchmark.catalog.models import Edition, Test

CENT = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class QuoteLine:
    test: Test
    list_fee: Decimal
    fee: Decimal

    @property
    def discount(self) -> Decimal:
        return self.list_fee - self.fee


@dataclass(frozen=True, slots=True)
class Quote:
    currency: str
    registration_fee: Decimal
    lines: tuple[QuoteLine, ...]
    recertification_cap: Decimal
    recertification_discount: Decimal

    @property
    def tests_fee(self) -> Decimal:
        return sum((line.fee for line in self.lines), Decimal("0.00"))

    @property
    def total(self) -> Decimal:
        return self.registration_fee + self.tests_fee


def edition_fee(edition: Edition, key: str) -> Decimal:
    """One fee of ``edition`` (``registration_per_order``, ``test``, ``advanced_test``, ``recertification_cap``)."""
    return Decimal(str(edition.fees[key]["value"])).quantize(CENT)


def fee_for_test(edition: Edition, test: Test) -> Decimal:
    """The catalog fee of one test: the advanced fee for advanced-level tests, else the test fee."""
    return edition_fee(edition, "advanced_test" if test.advanced else "test")


def fees_quote(*, edition: Edition, tests: Sequence[Test]) -> Quote:
    """Price ``tests`` as one order under ``edition``'s fees."""
    cap = edition_fee(edition, "recertification_cap")
    recertification_left = cap
    lines: list[QuoteLine] = []
    for test in tests:
        list_fee = fee_for_test(edition, test)
        fee = list_fee
        if test.is_recertification:
            fee = min(list_fee, recertification_left)
            recertification_left -= fee
        lines.append(QuoteLine(test=test, list_fee=list_fee, fee=fee))
    return Quote(
        currency=str(edition.fees.get("currency", "USD")),
        registration_fee=edition_fee(edition, "registration_per_order"),
        lines=tuple(lines),
        recertification_cap=cap,
        recertification_discount=sum((line.discount for line in lines), Decimal("0.00")),
    )
