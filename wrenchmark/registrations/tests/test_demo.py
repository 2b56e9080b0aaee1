from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from wrenchmark.demo.loading import demo_load
from wrenchmark.registrations.demo import demo_registrations_load
from wrenchmark.registrations.models import Order, Voucher, VoucherStatus
from wrenchmark.registrations.selectors import registrations_open_for

from .conftest import DAY


@pytest.mark.django_db
def test_the_demo_gives_james_a2_to_take_and_an_l1_voucher_from_carols_shop(
    on_day: None, catalog: Any
) -> None:
    assert demo_registrations_load() is False  # nobody to buy for yet
    demo_load()
    assert demo_registrations_load() is True
    assert demo_registrations_load() is True
    assert Order.objects.count() == 2

    voucher = Voucher.objects.get()
    james = voucher.intended_for
    assert james.email == "james.carter@demo.wrenchmark.test"
    assert (voucher.test.code, voucher.employer.name, voucher.status) == (
        "L1",
        "Riverside Auto Service",
        VoucherStatus.ISSUED,
    )
    assert [(r.test.code, r.take_by) for r in registrations_open_for(james)] == [
        ("A2", DAY + dt.timedelta(days=90))
    ]
