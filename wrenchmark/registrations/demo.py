"""Demo data for buying tests, entered through the services: James has bought A2 and has a take-by
date; Riverside Auto Service (Carol's shop) bought an L1 voucher for James. Loading twice changes
nothing: each order has a fixed idempotency key."""

from __future__ import annotations

from wrenchmark.accounts.models import User
from wrenchmark.catalog.selectors import catalog_test_get, edition_in_force
from wrenchmark.employers.models import Employer
from wrenchmark.registrations.services import VoucherRequest, order_place, voucher_order_place

DEMO_DOMAIN = "demo.wrenchmark.test"


def demo_registrations_load() -> bool:
    """Add the demo orders once the demo people exist; return False when the people are missing."""
    james = User.objects.filter(email=f"james.carter@{DEMO_DOMAIN}").first()
    carol = User.objects.filter(email=f"carol.shop@{DEMO_DOMAIN}").first()
    shop = Employer.objects.filter(name="Riverside Auto Service", is_demo=True).first()
    if james is None or carol is None or shop is None:
        return False
    edition = edition_in_force()
    order_place(
        buyer=james,
        tests=[catalog_test_get(edition=edition, code="A2")],
        idempotency_key="demo-james-a2",
        notify=False,
    )
    voucher_order_place(
        buyer=carol,
        employer=shop,
        requests=[VoucherRequest(test=catalog_test_get(edition=edition, code="L1"), technician=james)],
        idempotency_key="demo-riverside-l1-james",
        notify=False,
    )
    return True
