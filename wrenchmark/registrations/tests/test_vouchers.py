from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection

from wrenchmark.core.audit import audit_events_for
from wrenchmark.core.exceptions import ApplicationError, Conflict, PermissionDenied
from wrenchmark.registrations.models import Order, Registration, Voucher, VoucherStatus
from wrenchmark.registrations.services import VoucherRequest, voucher_order_place, voucher_redeem

from .conftest import DAY, at


@pytest.mark.django_db
def test_an_employer_buys_a_voucher_for_a_named_technician_who_redeems_it(
    on_day: None, employer_carol: Any, carols_garage: Any, technician_tina: Any, test_of: Callable[[str], Any]
) -> None:
    order = voucher_order_place(
        buyer=employer_carol,
        employer=carols_garage,
        requests=[VoucherRequest(test=test_of("A5"), technician=technician_tina)],
        idempotency_key="v1",
    )
    assert order.total == Decimal("69.00")
    voucher = order.lines.get().voucher
    assert voucher.status == VoucherStatus.ISSUED
    assert len(voucher.code) == 19
    assert voucher.code.count("-") == 3

    registration = voucher_redeem(code=voucher.code.lower().replace("-", " "), candidate=technician_tina)
    assert registration.test.code == "A5"
    assert registration.take_by == DAY + dt.timedelta(days=90)
    voucher.refresh_from_db()
    assert (voucher.status, voucher.redeemed_by) == (VoucherStatus.REDEEMED, technician_tina)
    assert audit_events_for(voucher).filter(action="voucher.redeemed").count() == 1

    with pytest.raises(Conflict) as again:
        voucher_redeem(code=voucher.code, candidate=technician_tina)
    assert again.value.code == "voucher_used"


@pytest.mark.django_db
def test_a_named_voucher_cannot_be_redeemed_by_someone_else(
    on_day: None,
    employer_carol: Any,
    carols_garage: Any,
    technician_tina: Any,
    outsider_dave: Any,
    test_of: Callable[[str], Any],
) -> None:
    order = voucher_order_place(
        buyer=employer_carol,
        employer=carols_garage,
        requests=[VoucherRequest(test=test_of("A5"), technician=technician_tina)],
        idempotency_key="v1",
    )
    with pytest.raises(ApplicationError) as refused:
        voucher_redeem(code=order.lines.get().voucher.code, candidate=outsider_dave)
    assert refused.value.code == "voucher_not_yours"
    assert not Registration.objects.exists()


@pytest.mark.django_db
def test_an_employer_buying_l1_for_a_technician_without_a8_is_told_why_and_pays_nothing(
    on_day: None, employer_carol: Any, carols_garage: Any, technician_tina: Any, test_of: Callable[[str], Any]
) -> None:
    with pytest.raises(ApplicationError) as refused:
        voucher_order_place(
            buyer=employer_carol,
            employer=carols_garage,
            requests=[VoucherRequest(test=test_of("L1"), technician=technician_tina)],
            idempotency_key="v1",
        )
    assert refused.value.code == "not_eligible"
    assert "Tina Torres" in refused.value.message
    assert "L1 requires a passed A8" in refused.value.message
    assert not Order.objects.exists()
    assert not Voucher.objects.exists()


@pytest.mark.django_db
def test_an_unnamed_voucher_is_checked_against_whoever_redeems_it(
    on_day: None, employer_carol: Any, carols_garage: Any, technician_tina: Any, test_of: Callable[[str], Any]
) -> None:
    order = voucher_order_place(
        buyer=employer_carol,
        employer=carols_garage,
        requests=[VoucherRequest(test=test_of("L1"))],
        idempotency_key="v1",
    )
    voucher = order.lines.get().voucher
    with pytest.raises(ApplicationError) as refused:
        voucher_redeem(code=voucher.code, candidate=technician_tina)
    assert refused.value.code == "not_eligible"
    voucher.refresh_from_db()
    assert voucher.status == VoucherStatus.ISSUED


@pytest.mark.django_db
def test_only_an_administrator_of_the_employer_buys_its_vouchers(
    on_day: None, candidate_alice: Any, carols_garage: Any, test_of: Callable[[str], Any]
) -> None:
    with pytest.raises(PermissionDenied):
        voucher_order_place(
            buyer=candidate_alice,
            employer=carols_garage,
            requests=[VoucherRequest(test=test_of("A5"))],
            idempotency_key="v1",
        )
    assert not Order.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_redemptions_of_one_voucher_cannot_both_succeed(
    employer_carol: Any,
    carols_garage: Any,
    technician_tina: Any,
    outsider_dave: Any,
    test_of: Callable[[str], Any],
) -> None:
    with at(DAY):
        order = voucher_order_place(
            buyer=employer_carol,
            employer=carols_garage,
            requests=[VoucherRequest(test=test_of("A5"))],
            idempotency_key="race",
        )
    code = order.lines.get().voucher.code
    barrier = threading.Barrier(2)
    won: list[int] = []
    lost: list[str] = []
    errors: list[BaseException] = []

    def redeem(candidate: Any) -> None:
        try:
            barrier.wait(timeout=10)
            with at(DAY):
                won.append(voucher_redeem(code=code, candidate=candidate).candidate_id)
        except Conflict as exc:
            lost.append(exc.code)
        except BaseException as exc:  # reported below, in the test's thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=redeem, args=(who,)) for who in (technician_tina, outsider_dave)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert len(won) == 1
    assert lost == ["voucher_used"]
    assert Registration.objects.count() == 1
    assert Registration.objects.get().candidate_id == won[0]
    voucher = Voucher.objects.get(code=code)
    assert (voucher.status, voucher.redeemed_by_id) == (VoucherStatus.REDEEMED, won[0])
    assert audit_events_for(voucher).filter(action="voucher.redeemed").count() == 1
