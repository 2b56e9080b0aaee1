from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from wrenchmark.core.audit import audit_events_for
from wrenchmark.core.exceptions import ApplicationError, PermissionDenied
from wrenchmark.registrations.models import (
    LineStatus,
    Order,
    OrderStatus,
    Refund,
    Registration,
    RegistrationStatus,
    VoucherStatus,
)
from wrenchmark.registrations.payments import PaymentDeclined
from wrenchmark.registrations.services import (
    VoucherRequest,
    order_place,
    order_refund,
    order_void,
    voucher_order_place,
)


@pytest.fixture
def order(on_day: None, candidate_alice: Any, test_of: Callable[[str], Any]) -> Order:
    return order_place(buyer=candidate_alice, tests=[test_of("A5"), test_of("A6")], idempotency_key="k")


def line_for(order: Order, code: str) -> Any:
    return order.lines.get(test__code=code)


@pytest.mark.django_db
def test_refunding_one_line_returns_its_fee_through_the_provider_and_is_audited(
    order: Order, program_admin_paula: Any
) -> None:
    line = line_for(order, "A5")
    refund = order_refund(order=order, line=line, reason="Moved abroad", acting_user=program_admin_paula)
    assert refund.amount == Decimal("33.00")
    assert refund.provider_reference.startswith("demo_re_")
    line.refresh_from_db()
    order.refresh_from_db()
    assert line.status == LineStatus.REFUNDED
    assert line.registration.status == RegistrationStatus.REFUNDED
    assert line_for(order, "A6").registration.status == RegistrationStatus.OPEN
    assert (order.status, order.refunded_total) == (OrderStatus.PARTIALLY_REFUNDED, Decimal("33.00"))
    event = audit_events_for(order).get(action="order.refunded")
    assert event.actor == program_admin_paula
    assert event.data["reason"] == "Moved abroad"
    assert audit_events_for(line.registration).filter(action="registration.refunded").count() == 1


@pytest.mark.django_db
def test_refunding_the_whole_order_returns_the_lines_still_paid_and_the_registration_fee(
    order: Order, program_admin_paula: Any
) -> None:
    order_refund(order=order, line=line_for(order, "A5"), reason="First", acting_user=program_admin_paula)
    refund = order_refund(order=order, reason="Closing the account", acting_user=program_admin_paula)
    assert refund.amount == Decimal("69.00")  # A6 and the registration fee
    order.refresh_from_db()
    assert (order.status, order.refunded_total) == (OrderStatus.REFUNDED, Decimal("102.00"))
    with pytest.raises(ApplicationError) as again:
        order_refund(order=order, reason="Twice", acting_user=program_admin_paula)
    assert again.value.code == "order_closed"
    assert Refund.objects.count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize("used", [RegistrationStatus.TAKEN, RegistrationStatus.NO_SHOW])
def test_a_used_registration_cannot_be_refunded_or_voided_and_nothing_changes(
    order: Order, program_admin_paula: Any, used: str
) -> None:
    line = line_for(order, "A5")
    Registration.objects.filter(pk=line.registration_id).update(status=used)
    for change in (order_refund, order_void):
        with pytest.raises(ApplicationError) as refused:
            change(order=order, reason="Please", acting_user=program_admin_paula)
        assert refused.value.code == "registration_used"
    assert not Refund.objects.exists()
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    assert line_for(order, "A6").registration.status == RegistrationStatus.OPEN
    assert not audit_events_for(order).filter(action__in=["order.refunded", "order.voided"]).exists()


@pytest.mark.django_db
def test_voiding_cancels_without_money_and_voids_unredeemed_vouchers(
    on_day: None,
    employer_carol: Any,
    carols_garage: Any,
    program_admin_paula: Any,
    test_of: Callable[[str], Any],
) -> None:
    order = voucher_order_place(
        buyer=employer_carol,
        employer=carols_garage,
        requests=[VoucherRequest(test=test_of("A5")), VoucherRequest(test=test_of("A6"))],
        idempotency_key="v",
    )
    voided = order_void(order=order, reason="Bought by mistake", acting_user=program_admin_paula)
    assert voided.status == OrderStatus.VOID
    assert voided.refunded_total == Decimal("0.00")
    assert not Refund.objects.exists()
    assert {line.voucher.status for line in order.lines.all()} == {VoucherStatus.VOID}
    assert audit_events_for(order).get(action="order.voided").data["reason"] == "Bought by mistake"


@pytest.mark.django_db
def test_only_a_program_administrator_refunds_and_only_with_a_reason(
    order: Order, candidate_alice: Any, program_admin_paula: Any
) -> None:
    with pytest.raises(PermissionDenied):
        order_refund(order=order, reason="Mine", acting_user=candidate_alice)
    with pytest.raises(ApplicationError) as no_reason:
        order_refund(order=order, reason="   ", acting_user=program_admin_paula)
    assert no_reason.value.code == "reason_required"
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID


@pytest.mark.django_db
def test_a_declined_payment_creates_nothing(on_day: None, candidate_alice: Any, catalog: Any) -> None:
    # Thirty initial tests at 33.00 and the registration fee come to 1026.00: over the demo limit.
    tests = [
        t for t in catalog.tests.filter(recertifies__isnull=True, advanced=False) if not t.prerequisites
    ][:30]
    with pytest.raises(PaymentDeclined) as declined:
        order_place(buyer=candidate_alice, tests=tests, idempotency_key="big")
    assert declined.value.code == "payment_declined"
    assert not Order.objects.exists()
    assert not Registration.objects.exists()
    # The same tests split in two orders go through.
    order_place(buyer=candidate_alice, tests=tests[:15], idempotency_key="half")
    assert Registration.objects.count() == 15
