from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail

from conftest import client_for
from wrenchmark.registrations.models import Order, OrderStatus, Registration, Voucher
from wrenchmark.registrations.services import order_place

from .conftest import DAY, at


def key_from(html: str) -> str:
    match = re.search(r'name="idempotency_key" value="([0-9a-f]+)"', html)
    assert match, "the checkout page carries an idempotency key"
    return match.group(1)


@pytest.mark.django_db
def test_a_candidate_chooses_tests_sees_the_fees_pays_and_gets_a_receipt(
    on_day: None, candidate_alice: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = client_for(candidate_alice)
    page = client.get("/tests/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="test-A5"' in html
    assert re.search(r'id="test-L1"[^>]*disabled', html), "L1 is disabled without A8"
    assert "L1 requires a passed A8" in html

    preview = client.post("/tests/", {"step": "preview", "tests": ["A5", "A8"]})
    assert preview.status_code == 200
    assert "102.00 USD" in preview.content.decode()
    assert not Order.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        paid = client.post(
            "/tests/",
            {"step": "pay", "tests": ["A5", "A8"], "idempotency_key": key_from(preview.content.decode())},
        )
    order = Order.objects.get()
    assert paid.status_code == 302
    assert paid["Location"] == f"/tests/orders/{order.number}/"
    receipt = client.get(paid["Location"]).content.decode()
    assert order.number in receipt
    assert "Take by 2026-11-30" in receipt
    assert len(mail.outbox) == 1
    assert order.number in mail.outbox[0].subject
    assert "take by 2026-11-30" in mail.outbox[0].body

    mine = client.get("/tests/mine/").content.decode()
    assert "2026-11-30" in mine
    assert "A8" in mine


@pytest.mark.django_db
def test_bad_input_re_renders_the_form_with_the_message_and_changes_nothing(
    on_day: None, candidate_alice: Any
) -> None:
    client = client_for(candidate_alice)
    nothing = client.post("/tests/", {"step": "preview"})
    assert nothing.status_code == 400
    assert "Choose at least one test." in nothing.content.decode()

    locked = client.post("/tests/", {"step": "pay", "tests": ["L1"], "idempotency_key": "abc"})
    assert locked.status_code == 400
    assert "L1 requires a passed A8" in locked.content.decode()

    unknown = client.post("/tests/", {"step": "preview", "tests": ["ZZ9"]})
    assert unknown.status_code == 400
    assert not Order.objects.exists()
    assert not Registration.objects.exists()

    bad_code = client.post("/tests/redeem/", {"code": "NOPE-NOPE-NOPE-NOPE"})
    assert bad_code.status_code == 400
    assert "No voucher has this code" in bad_code.content.decode()


@pytest.mark.django_db
def test_after_a_fail_the_buy_page_shows_the_date_the_test_opens(
    candidate_alice: Any, record: Callable[..., Any]
) -> None:
    with at(DAY):
        record(candidate_alice, "A5", DAY - dt.timedelta(days=5), outcome="fail")
        html = client_for(candidate_alice).get("/tests/").content.decode()
    assert re.search(r'id="test-A5"[^>]*disabled', html)
    assert "you can register again from 2026-09-27." in html


@pytest.mark.django_db
def test_an_employer_buys_vouchers_and_is_told_why_a_technician_is_refused(
    on_day: None,
    employer_carol: Any,
    carols_garage: Any,
    candidate_alice: Any,
    technician_tina: Any,
) -> None:
    client = client_for(employer_carol)
    assert client.get("/tests/employer/").status_code == 200
    refused = client.post(
        "/tests/employer/",
        {
            "step": "preview",
            "employer": carols_garage.pk,
            "technician_1": technician_tina.email,
            "test_1": "L1",
        },
    )
    assert refused.status_code == 400
    assert "L1 requires a passed A8" in refused.content.decode()

    unknown = client.post(
        "/tests/employer/",
        {
            "step": "preview",
            "employer": carols_garage.pk,
            "technician_1": "nobody@example.test",
            "test_1": "A5",
        },
    )
    assert unknown.status_code == 400
    assert "No one has this e-mail address or program ID." in unknown.content.decode()

    rows = {
        "employer": carols_garage.pk,
        "technician_1": technician_tina.program_id,
        "test_1": "A5",
        "technician_2": candidate_alice.email,
        "test_2": "A6",
    }
    preview = client.post("/tests/employer/", {"step": "preview", **rows})
    assert preview.status_code == 200
    assert "102.00 USD" in preview.content.decode()
    paid = client.post(
        "/tests/employer/", {"step": "pay", "idempotency_key": key_from(preview.content.decode()), **rows}
    )
    assert paid.status_code == 302
    vouchers = Voucher.objects.order_by("test__code")
    assert [(v.test.code, v.intended_for) for v in vouchers] == [
        ("A5", technician_tina),
        ("A6", candidate_alice),
    ]
    listing = client.get("/tests/employer/").content.decode()
    assert all(v.code in listing for v in vouchers)

    redeemed = client_for(technician_tina).post("/tests/redeem/", {"code": vouchers[0].code})
    assert redeemed.status_code == 302
    assert Registration.objects.get().candidate == technician_tina


@pytest.mark.django_db
def test_a_program_administrator_lists_filters_and_refunds_orders_with_a_reason(
    on_day: None, candidate_alice: Any, outsider_dave: Any, program_admin_paula: Any, catalog: Any
) -> None:
    from wrenchmark.catalog.models import Test

    a5 = Test.objects.get(edition=catalog, code="A5")
    alices = order_place(buyer=candidate_alice, tests=[a5], idempotency_key="a")
    daves = order_place(buyer=outsider_dave, tests=[a5], idempotency_key="d")
    client = client_for(program_admin_paula)
    listing = client.get("/tests/admin/orders/", {"candidate": candidate_alice.program_id}).content.decode()
    assert alices.number in listing
    assert daves.number not in listing

    page = f"/tests/admin/orders/{alices.number}/"
    assert client.get(page).status_code == 200
    no_reason = client.post(page, {"action": "refund", "reason": ""})
    assert no_reason.status_code == 400
    alices.refresh_from_db()
    assert alices.status == OrderStatus.PAID

    done = client.post(page, {"action": "refund", "reason": "Duplicate purchase"})
    assert done.status_code == 302
    alices.refresh_from_db()
    assert (alices.status, str(alices.refunded_total)) == (OrderStatus.REFUNDED, "69.00")
    assert "Duplicate purchase" in client.get(page).content.decode()


@pytest.mark.django_db
def test_a_candidate_cannot_reach_employer_or_admin_pages_or_another_candidates_receipt(
    on_day: None, candidate_alice: Any, outsider_dave: Any, catalog: Any
) -> None:
    from wrenchmark.catalog.models import Test

    daves = order_place(
        buyer=outsider_dave, tests=[Test.objects.get(edition=catalog, code="A5")], idempotency_key="d"
    )
    client = client_for(candidate_alice)
    for url in (
        "/tests/employer/",
        "/tests/admin/orders/",
        f"/tests/admin/orders/{daves.number}/",
        f"/tests/orders/{daves.number}/",
    ):
        assert client.get(url).status_code == 404, url
    assert (
        client.post(f"/tests/admin/orders/{daves.number}/", {"action": "void", "reason": "x"}).status_code
        == 404
    )
    daves.refresh_from_db()
    assert daves.status == OrderStatus.PAID
    assert client_for(outsider_dave).get(f"/tests/orders/{daves.number}/").status_code == 200
