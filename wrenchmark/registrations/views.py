"""Buying tests: candidates buy and redeem, employers buy vouchers, program administrators refund."""

from __future__ import annotations

import uuid
from itertools import groupby
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from wrenchmark.accounts.models import Role, User
from wrenchmark.catalog.models import Test
from wrenchmark.catalog.selectors import catalog_test_list, edition_in_force
from wrenchmark.core import clock
from wrenchmark.core.exceptions import ApplicationError, NotFound
from wrenchmark.registrations import selectors, services
from wrenchmark.registrations.access import (
    access_employer_for_buying,
    access_order_by_number,
    access_order_for_admin,
)
from wrenchmark.registrations.fees import edition_fee, fee_for_test
from wrenchmark.registrations.forms import (
    OrderChangeForm,
    OrderFilterForm,
    RedeemForm,
    TestChoiceForm,
    VoucherOrderForm,
)
from wrenchmark.registrations.payments import payment_provider


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _offered_tests() -> list[Test]:
    return list(catalog_test_list(edition=edition_in_force()))


def _add_error(form: Any, exc: ApplicationError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


# --- Candidates ---------------------------------------------------------------------------------------


def _buy_page(
    request: HttpRequest, form: TestChoiceForm, tests: list[Test], status: int = 200
) -> HttpResponse:
    user = _user(request)
    edition = edition_in_force()
    answers = selectors.purchase_eligibility(candidate=user, tests=tests)
    chosen = set(form["tests"].value() or [])
    rows: list[dict[str, Any]] = [
        {
            "test": t,
            "eligibility": answers[t.code],
            "fee": fee_for_test(edition, t),
            "checked": t.code in chosen,
        }
        for t in tests
    ]
    series = [
        {"series": key, "rows": list(group)}
        for key, group in groupby(rows, key=lambda row: row["test"].series)
    ]
    return render(
        request,
        "registrations/buy.html",
        {
            "form": form,
            "series": series,
            "edition": edition,
            "registration_fee": edition_fee(edition, "registration_per_order"),
            "currency": edition.fees.get("currency", "USD"),
            "recertification_cap": edition_fee(edition, "recertification_cap"),
            "window_days": edition.policy("purchase_window_days"),
            "is_candidate": user.has_role(Role.CANDIDATE),
        },
        status=status,
    )


@login_required
def buy(request: HttpRequest) -> HttpResponse:
    """Choose tests (GET), see the fee preview (POST step=preview), pay (POST step=pay)."""
    user = _user(request)
    tests = _offered_tests()
    form = TestChoiceForm(request.POST or None, tests=tests)
    if request.method != "POST":
        return _buy_page(request, form, tests)
    if not form.is_valid():
        return _buy_page(request, form, tests, status=400)
    chosen = form.chosen_tests()
    step = request.POST.get("step")
    try:
        if step == "pay":
            order = services.order_place(
                buyer=user, tests=chosen, idempotency_key=form.cleaned_data["idempotency_key"]
            )
            messages.success(request, _("Payment received. Your receipt is below and on its way by e-mail."))
            return redirect("registrations:receipt", number=order.number)
        quote = services.order_preview(buyer=user, tests=chosen)
    except ApplicationError as exc:
        _add_error(form, exc)
        return _buy_page(request, form, tests, status=400)
    return render(
        request,
        "registrations/checkout.html",
        {
            "quote": quote,
            "quote_rows": [{"line": line, "technician": None} for line in quote.lines],
            "chosen": chosen,
            "idempotency_key": uuid.uuid4().hex,
            "provider": payment_provider(),
            "take_by": services.take_by_for(edition=edition_in_force(), purchased_on=clock.today()),
        },
    )


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    return render(
        request,
        "registrations/mine.html",
        {
            "registrations": selectors.registration_list_for(user),
            "orders": selectors.order_list_for_buyer(user),
            "redeem_form": RedeemForm(),
            "today": clock.today(),
        },
    )


@login_required
def redeem(request: HttpRequest) -> HttpResponse:
    form = RedeemForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            registration = services.voucher_redeem(code=form.cleaned_data["code"], candidate=_user(request))
        except ApplicationError as exc:
            _add_error(form, exc)
        else:
            messages.success(
                request,
                _("Voucher redeemed: %(code)s is yours to take by %(date)s.")
                % {"code": registration.test.code, "date": registration.take_by.isoformat()},
            )
            return redirect("registrations:mine")
    return render(request, "registrations/redeem.html", {"form": form}, status=400 if form.errors else 200)


@login_required
def receipt(request: HttpRequest, number: str) -> HttpResponse:
    try:
        order = access_order_by_number(_user(request), number)
    except NotFound:
        raise Http404 from None
    return render(request, "registrations/receipt.html", {"order": order})


# --- Employer administrators ---------------------------------------------------------------------------


@login_required
def employer(request: HttpRequest) -> HttpResponse:
    """Buy vouchers for named technicians (preview, then pay) and see the vouchers issued."""
    user = _user(request)
    employers = selectors.employers_buying_for(user)
    if not user.has_role(Role.EMPLOYER_ADMIN) or not employers.exists():
        raise Http404
    tests = _offered_tests()
    form = VoucherOrderForm(request.POST or None, tests=tests, employers=employers)
    context: dict[str, Any] = {"form": form, "vouchers": selectors.vouchers_for_employers(employers)}
    if request.method == "POST" and form.is_valid():
        try:
            chosen_employer = access_employer_for_buying(user, form.cleaned_data["employer"].pk)
            requests = form.cleaned_data["requests"]
            if request.POST.get("step") == "pay":
                order = services.voucher_order_place(
                    buyer=user,
                    employer=chosen_employer,
                    requests=requests,
                    idempotency_key=form.cleaned_data["idempotency_key"],
                )
                messages.success(request, _("Payment received. The voucher codes are on the receipt."))
                return redirect("registrations:receipt", number=order.number)
            quote = services.voucher_order_preview(buyer=user, employer=chosen_employer, requests=requests)
        except NotFound:
            raise Http404 from None
        except ApplicationError as exc:
            _add_error(form, exc)
        else:
            return render(
                request,
                "registrations/employer_checkout.html",
                {
                    "form": form,
                    "quote": quote,
                    "quote_rows": [
                        {"line": line, "technician": r.technician}
                        for line, r in zip(quote.lines, requests, strict=True)
                    ],
                    "employer": chosen_employer,
                    "idempotency_key": uuid.uuid4().hex,
                    "provider": payment_provider(),
                },
            )
    return render(request, "registrations/employer.html", context, status=400 if form.errors else 200)


# --- Program administrators ----------------------------------------------------------------------------


def _require_program_admin(user: User) -> None:
    if not user.has_role(Role.PROGRAM_ADMIN):
        raise Http404


@login_required
def admin_orders(request: HttpRequest) -> HttpResponse:
    _require_program_admin(_user(request))
    form = OrderFilterForm(request.GET or None)
    filters: dict[str, Any] = {}
    if form.is_valid():
        filters = {key: value for key, value in form.cleaned_data.items() if value}
    orders = selectors.order_list(**filters)[:200]
    return render(
        request,
        "registrations/admin_orders.html",
        {"form": form, "orders": orders},
        status=400 if form.errors else 200,
    )


def _change_form(data: Any, key: str) -> OrderChangeForm:
    return OrderChangeForm(
        data, auto_id=f"change-{key}-%s", initial={"line": None if key == "order" else key}
    )


@login_required
def admin_order(request: HttpRequest, number: str) -> HttpResponse:
    user = _user(request)
    try:
        order = access_order_for_admin(user, number)
    except NotFound:
        raise Http404 from None
    forms: dict[str, OrderChangeForm] = {"order": _change_form(None, "order")}
    for each in order.lines.all():
        forms[str(each.pk)] = _change_form(None, str(each.pk))
    if request.method == "POST":
        key = request.POST.get("line") or "order"
        if key not in forms:
            raise Http404
        form = forms[key] = _change_form(request.POST, key)
        if form.is_valid():
            line = next((each for each in order.lines.all() if str(each.pk) == key), None)
            try:
                if form.cleaned_data["action"] == "refund":
                    refund = services.order_refund(
                        order=order, line=line, reason=form.cleaned_data["reason"], acting_user=user
                    )
                    messages.success(
                        request,
                        _("Refunded %(amount)s %(currency)s.")
                        % {"amount": refund.amount, "currency": order.currency},
                    )
                else:
                    services.order_void(
                        order=order, line=line, reason=form.cleaned_data["reason"], acting_user=user
                    )
                    messages.success(request, _("Voided."))
            except ApplicationError as exc:
                _add_error(form, exc)
            else:
                return redirect("registrations:admin_order", number=order.number)
    lines = [{"line": each, "form": forms[str(each.pk)]} for each in order.lines.all()]
    has_errors = any(form.errors for form in forms.values())
    return render(
        request,
        "registrations/admin_order.html",
        {"order": order, "lines": lines, "order_form": forms["order"]},
        status=400 if has_errors else 200,
    )
