"""Writes of orders, registrations, vouchers and refunds.

Every service runs in one transaction and audits what it changes in it. Money moves only through the
configured payment provider (``payments.payment_provider``): an order is written only after its charge
went through, and a declined charge writes nothing.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext

from wrenchmark.accounts.models import Role, User
from wrenchmark.accounts.services import require_role
from wrenchmark.catalog.models import Edition, Test
from wrenchmark.catalog.selectors import edition_in_force
from wrenchmark.core import clock
from wrenchmark.core.audit import audit_record
from wrenchmark.core.exceptions import ApplicationError, Conflict, NotFound, PermissionDenied
from wrenchmark.employers.models import Employer
from wrenchmark.employers.selectors import employers_administered_by
from wrenchmark.registrations.fees import Quote, fees_quote
from wrenchmark.registrations.models import (
    ACTIVE_REGISTRATION,
    USED_REGISTRATION,
    LineStatus,
    Order,
    OrderLine,
    OrderStatus,
    Refund,
    Registration,
    RegistrationStatus,
    Voucher,
    VoucherStatus,
)
from wrenchmark.registrations.payments import payment_provider
from wrenchmark.registrations.selectors import purchase_eligibility
from wrenchmark.rules import Eligibility

# Voucher codes: 16 characters from 32 unambiguous ones (80 bits), shown in groups of four.
VOUCHER_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
VOUCHER_LENGTH = 16
ORDER_NUMBER_ALPHABET = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ"
MAX_LINES = 40


@dataclass(frozen=True, slots=True)
class VoucherRequest:
    """One voucher to buy: a test, optionally for a named technician (only they may redeem it)."""

    test: Test
    technician: User | None = None


def take_by_for(*, edition: Edition, purchased_on: dt.date) -> dt.date:
    """The last day to sit a test bought on ``purchased_on``: the edition's purchase window later."""
    return purchased_on + dt.timedelta(days=edition.policy("purchase_window_days"))


def voucher_code_normalize(code: str) -> str:
    """Upper-case ``code``, drop spaces and dashes, and group it as it is stored (XXXX-XXXX-...)."""
    bare = re.sub(r"[^0-9A-Za-z]", "", code or "").upper()
    return "-".join(bare[i : i + 4] for i in range(0, len(bare), 4))


def _voucher_code_new() -> str:
    return voucher_code_normalize("".join(secrets.choice(VOUCHER_ALPHABET) for _ in range(VOUCHER_LENGTH)))


def _order_number_new(today: dt.date) -> str:
    suffix = "".join(secrets.choice(ORDER_NUMBER_ALPHABET) for _ in range(8))
    return f"WM{today:%y%m%d}-{suffix}"


def _refusal_text(eligibility: Eligibility) -> str:
    text = " ".join(refusal.message for refusal in eligibility.refusals)
    if eligibility.earliest is not None:
        text += " " + gettext("Possible from %(day)s.") % {"day": eligibility.earliest.isoformat()}
    return text


def _refuse_ineligible(answers: dict[str, Eligibility], *, who: str = "") -> None:
    refused = {code: e for code, e in answers.items() if not e.allowed}
    if not refused:
        return
    prefix = f"{who}: " if who else ""
    raise ApplicationError(
        prefix + " ".join(_refusal_text(e) for e in refused.values()),
        code="not_eligible",
        field="tests",
        extra={
            "refusals": {
                code: {
                    "reasons": [{"code": r.code, "message": r.message} for r in e.refusals],
                    "earliest": e.earliest.isoformat() if e.earliest else None,
                }
                for code, e in refused.items()
            }
        },
    )


def _edition_tests(tests: Sequence[Test], edition: Edition) -> list[Test]:
    if not tests:
        raise ApplicationError("Choose at least one test.", code="no_tests", field="tests")
    if len(tests) > MAX_LINES:
        raise ApplicationError(
            f"An order holds at most {MAX_LINES} tests.", code="too_many_tests", field="tests"
        )
    for test in tests:
        if test.edition_id != edition.pk:
            raise ApplicationError(
                f"{test.code} is not offered in the catalog in force ({edition.title}).",
                code="test_not_offered",
                field="tests",
            )
    return list(tests)


def _candidate_tests_checked(*, candidate: User, tests: Sequence[Test], edition: Edition) -> list[Test]:
    tests = _edition_tests(tests, edition)
    codes = [t.code for t in tests]
    if len(set(codes)) != len(codes):
        raise ApplicationError("Choose each test once.", code="duplicate_test", field="tests")
    _refuse_ineligible(purchase_eligibility(candidate=candidate, tests=tests))
    return tests


def _voucher_requests_checked(
    *, requests: Sequence[VoucherRequest], edition: Edition
) -> list[VoucherRequest]:
    _edition_tests([r.test for r in requests], edition)
    named = [(r.technician.pk, r.test.code) for r in requests if r.technician is not None]
    if len(set(named)) != len(named):
        raise ApplicationError(
            "A technician appears twice for the same test.", code="duplicate_test", field="tests"
        )
    technicians = {r.technician.pk: r.technician for r in requests if r.technician is not None}
    for technician in technicians.values():
        wanted = [r.test for r in requests if r.technician is not None and r.technician.pk == technician.pk]
        _refuse_ineligible(
            purchase_eligibility(candidate=technician, tests=wanted),
            who=f"{technician.get_full_name() or technician.email} ({technician.program_id})",
        )
    return list(requests)


def _require_employer_admin(user: User, employer: Employer) -> None:
    require_role(user, Role.EMPLOYER_ADMIN)
    if not employers_administered_by(user).filter(pk=employer.pk).exists():
        raise PermissionDenied("You do not administer this employer.", code="not_employer_admin")


def order_preview(*, buyer: User, tests: Sequence[Test]) -> Quote:
    """Price ``tests`` as the buyer's own order, refusing (with why) any the buyer may not buy now.

    Nothing is written; ``order_place`` checks everything again when the buyer pays.
    """
    require_role(buyer, Role.CANDIDATE)
    edition = edition_in_force()
    tests = _candidate_tests_checked(candidate=buyer, tests=tests, edition=edition)
    return fees_quote(edition=edition, tests=tests)


def voucher_order_preview(*, buyer: User, employer: Employer, requests: Sequence[VoucherRequest]) -> Quote:
    """Price vouchers ``employer`` buys, refusing any named technician who may not take the test now."""
    _require_employer_admin(buyer, employer)
    edition = edition_in_force()
    requests = _voucher_requests_checked(requests=requests, edition=edition)
    return fees_quote(edition=edition, tests=[r.test for r in requests])


def _existing_order(*, buyer: User, idempotency_key: str) -> Order | None:
    if not idempotency_key or len(idempotency_key) > 64:
        raise ApplicationError("This payment form has expired; start again.", code="bad_idempotency_key")
    order = Order.objects.filter(idempotency_key=idempotency_key).first()
    if order is not None and order.buyer_id != buyer.pk:
        raise Conflict("This payment form has expired; start again.", code="bad_idempotency_key")
    return order


def _order_create(
    *, buyer: User, employer: Employer | None, edition: Edition, quote: Quote, idempotency_key: str
) -> Order:
    description = f"Wrenchmark tests: {', '.join(line.test.code for line in quote.lines)}"
    charge = payment_provider().charge(
        amount=quote.total, currency=quote.currency, idempotency_key=idempotency_key, description=description
    )
    now = clock.now()
    order = Order.objects.create(
        number=_order_number_new(clock.today()),
        buyer=buyer,
        employer=employer,
        edition=edition,
        currency=quote.currency,
        registration_fee=quote.registration_fee,
        tests_fee=quote.tests_fee,
        recertification_discount=quote.recertification_discount,
        total=quote.total,
        provider=payment_provider().name,
        provider_reference=charge.reference,
        idempotency_key=idempotency_key,
        paid_at=now,
    )
    return order


def _order_audit(order: Order, acting_user: User, *, notify: bool = True) -> None:
    audit_record(
        action="order.placed",
        target=order,
        actor=acting_user,
        summary=f"{order.number}: {', '.join(line.test.code for line in order.lines.all())}, "
        f"{order.total} {order.currency}",
        data={
            "number": order.number,
            "employer": order.employer_id,
            "total": str(order.total),
            "currency": order.currency,
            "provider": order.provider,
            "provider_reference": order.provider_reference,
            "lines": [
                {"test": line.test.code, "fee": str(line.fee), "list_fee": str(line.list_fee)}
                for line in order.lines.all()
            ],
        },
    )
    if notify:
        transaction.on_commit(lambda: order_receipt_send(order_id=order.pk))


def _lock_buyer(buyer: User) -> None:
    # Orders by one buyer queue behind each other, so two at once cannot both pass the
    # "already registered" check for the same test.
    User.objects.select_for_update().filter(pk=buyer.pk).first()


@transaction.atomic
def order_place(*, buyer: User, tests: Sequence[Test], idempotency_key: str, notify: bool = True) -> Order:
    """Charge the buyer for ``tests`` and register them, each to be taken within the window.

    Checks eligibility again (rules and no second open registration for a test), charges the total
    through the payment provider with ``idempotency_key`` and writes the order, its lines and one
    open registration per test; audited as ``order.placed``; the receipt is e-mailed after commit.
    A repeated ``idempotency_key`` returns the order already placed with it. A declined payment
    raises ``PaymentDeclined`` and writes nothing.
    """
    require_role(buyer, Role.CANDIDATE)
    _lock_buyer(buyer)
    existing = _existing_order(buyer=buyer, idempotency_key=idempotency_key)
    if existing is not None:
        return existing
    edition = edition_in_force()
    tests = _candidate_tests_checked(candidate=buyer, tests=tests, edition=edition)
    quote = fees_quote(edition=edition, tests=tests)
    order = _order_create(
        buyer=buyer, employer=None, edition=edition, quote=quote, idempotency_key=idempotency_key
    )
    today = clock.today()
    take_by = take_by_for(edition=edition, purchased_on=today)
    for position, line in enumerate(quote.lines):
        registration = Registration.objects.create(
            candidate=buyer, test=line.test, purchased_on=today, take_by=take_by
        )
        OrderLine.objects.create(
            order=order,
            test=line.test,
            list_fee=line.list_fee,
            fee=line.fee,
            registration=registration,
            position=position,
        )
    _order_audit(order, buyer, notify=notify)
    return order


@transaction.atomic
def voucher_order_place(
    *,
    buyer: User,
    employer: Employer,
    requests: Sequence[VoucherRequest],
    idempotency_key: str,
    notify: bool = True,
) -> Order:
    """Charge an employer administrator for vouchers and issue one unguessable code per test.

    Only an administrator of ``employer`` may buy. A voucher named for a technician is checked
    against that technician's eligibility now (and again at redemption) and only they may redeem it.
    Audited as ``order.placed``; a repeated ``idempotency_key`` returns the order already placed.
    """
    _require_employer_admin(buyer, employer)
    _lock_buyer(buyer)
    existing = _existing_order(buyer=buyer, idempotency_key=idempotency_key)
    if existing is not None:
        return existing
    edition = edition_in_force()
    requests = _voucher_requests_checked(requests=requests, edition=edition)
    quote = fees_quote(edition=edition, tests=[r.test for r in requests])
    order = _order_create(
        buyer=buyer, employer=employer, edition=edition, quote=quote, idempotency_key=idempotency_key
    )
    for position, (line, request) in enumerate(zip(quote.lines, requests, strict=True)):
        voucher = Voucher.objects.create(
            code=_voucher_code_new(), employer=employer, test=line.test, intended_for=request.technician
        )
        OrderLine.objects.create(
            order=order,
            test=line.test,
            list_fee=line.list_fee,
            fee=line.fee,
            voucher=voucher,
            position=position,
        )
    _order_audit(order, buyer, notify=notify)
    return order


@transaction.atomic
def voucher_redeem(*, code: str, candidate: User) -> Registration:
    """Turn a voucher into an open registration for ``candidate``; audited as ``voucher.redeemed``.

    The candidate must be the technician the voucher names (if it names one) and eligible for its test
    now (a refusal says why and from when). A voucher is redeemed once: the claim is a conditional
    update, so of two simultaneous redemptions exactly one succeeds and the other gets
    ``Conflict(voucher_used)``. The take-by date runs from the day of redemption.
    """
    normalized = voucher_code_normalize(code)
    voucher = Voucher.objects.select_related("test", "employer").filter(code=normalized).first()
    if voucher is None:
        raise NotFound(
            "No voucher has this code. Check it and try again.", code="voucher_not_found", field="code"
        )
    if voucher.intended_for_id is not None and voucher.intended_for_id != candidate.pk:
        raise ApplicationError(
            "This voucher was bought for another technician.", code="voucher_not_yours", field="code"
        )
    if voucher.status == VoucherStatus.VOID:
        raise Conflict("This voucher has been cancelled.", code="voucher_void", field="code")
    if voucher.status != VoucherStatus.ISSUED:
        raise Conflict("This voucher has already been used.", code="voucher_used", field="code")
    _refuse_ineligible(purchase_eligibility(candidate=candidate, tests=[voucher.test]))
    now = clock.now()
    claimed = Voucher.objects.filter(pk=voucher.pk, status=VoucherStatus.ISSUED).update(
        status=VoucherStatus.REDEEMED, redeemed_by=candidate, redeemed_at=now, updated_at=now
    )
    if claimed != 1:
        raise Conflict("This voucher has already been used.", code="voucher_used", field="code")
    today = clock.today()
    edition = edition_in_force(on=today)
    registration = Registration.objects.create(
        candidate=candidate,
        test=voucher.test,
        purchased_on=today,
        take_by=take_by_for(edition=edition, purchased_on=today),
        voucher=voucher,
    )
    audit_record(
        action="voucher.redeemed",
        target=voucher,
        actor=candidate,
        summary=f"{voucher.test.code} voucher of {voucher.employer} redeemed by {candidate.program_id}",
        data={"registration": registration.pk, "candidate": candidate.program_id, "test": voucher.test.code},
    )
    return registration


# --- Refunds and voids ------------------------------------------------------------------------------


def _line_registration(line: OrderLine) -> Registration | None:
    if line.registration_id is not None:
        return Registration.objects.select_for_update().get(pk=line.registration_id)
    if line.voucher_id is None:
        return None
    return Registration.objects.select_for_update().filter(voucher_id=line.voucher_id).first()


def _line_check(line: OrderLine) -> Registration | None:
    if line.status != LineStatus.PAID:
        raise Conflict(
            f"{line.test.code} is already {line.get_status_display().lower()}.", code="line_closed"
        )
    registration = _line_registration(line)
    if registration is None:
        return None
    if registration.status in USED_REGISTRATION:
        raise ApplicationError(
            f"{line.test.code} was already used ({registration.get_status_display()}); "
            "a used registration cannot be refunded or voided.",
            code="registration_used",
        )
    if registration.status == RegistrationStatus.SCHEDULED:
        raise ApplicationError(
            f"{line.test.code} has an appointment; cancel the appointment first.",
            code="registration_scheduled",
        )
    if registration.status not in (RegistrationStatus.OPEN, RegistrationStatus.EXPIRED):
        raise Conflict(
            f"{line.test.code} is already {registration.get_status_display().lower()}.", code="line_closed"
        )
    return registration


def _line_close(
    *, line: OrderLine, registration: Registration | None, line_status: str, acting_user: User, reason: str
) -> None:
    new_status = (
        RegistrationStatus.REFUNDED if line_status == LineStatus.REFUNDED else RegistrationStatus.VOID
    )
    line.status = line_status
    line.save(update_fields=["status"])
    if registration is not None:
        changed = Registration.objects.filter(
            pk=registration.pk, status__in=(RegistrationStatus.OPEN, RegistrationStatus.EXPIRED)
        ).update(status=new_status, updated_at=clock.now())
        if changed != 1:
            raise Conflict(f"{line.test.code} changed meanwhile; try again.", code="registration_changed")
        audit_record(
            action=f"registration.{new_status}",
            target=registration,
            actor=acting_user,
            summary=f"{line.test.code} {new_status}: {reason}",
            data={"order": line.order.number, "from": registration.status, "reason": reason},
        )
    if line.voucher_id is not None:
        Voucher.objects.filter(pk=line.voucher_id, status=VoucherStatus.ISSUED).update(
            status=VoucherStatus.VOID, updated_at=clock.now()
        )


def _admin_change_start(
    *, order: Order, line: OrderLine | None, reason: str, acting_user: User
) -> tuple[Order, list[OrderLine], str]:
    require_role(acting_user, Role.PROGRAM_ADMIN)
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError("Give a reason.", code="reason_required", field="reason")
    order = Order.objects.select_for_update().get(pk=order.pk)
    if order.status in (OrderStatus.REFUNDED, OrderStatus.VOID):
        raise Conflict(
            f"Order {order.number} is already {order.get_status_display().lower()}.", code="order_closed"
        )
    lines = list(order.lines.select_related("test").select_for_update(of=("self",)))
    if line is not None:
        lines = [candidate for candidate in lines if candidate.pk == line.pk]
        if not lines:
            raise NotFound("That line is not part of this order.", code="line_not_found")
    else:
        lines = [candidate for candidate in lines if candidate.status == LineStatus.PAID]
    return order, lines, reason


def _order_status_after(order: Order, *, whole: str | None) -> str:
    if whole is not None:
        return whole
    return OrderStatus.PARTIALLY_REFUNDED


@transaction.atomic
def order_refund(*, order: Order, reason: str, acting_user: User, line: OrderLine | None = None) -> Refund:
    """Give money back through the payment provider, for one line or the whole order.

    Program administrators only, with a reason. A line refund returns what the line was charged; a
    whole-order refund returns every line still paid and the registration fee. The registrations
    become REFUNDED and unredeemed vouchers void. A registration already used (taken or No Show) or
    with an appointment cannot be refunded; then nothing changes. Audited as ``order.refunded`` (and
    each registration as ``registration.refunded``) in the same transaction.
    """
    order, lines, reason = _admin_change_start(order=order, line=line, reason=reason, acting_user=acting_user)
    registrations = [_line_check(each) for each in lines]
    amount = sum((each.fee for each in lines), Decimal("0.00"))
    if line is None:
        amount += order.registration_fee
    key = f"{order.number}-refund-{line.pk if line is not None else 'order'}"
    provider_reference = ""
    if amount > 0:
        receipt = payment_provider().refund(
            charge_reference=order.provider_reference,
            amount=amount,
            currency=order.currency,
            idempotency_key=key,
        )
        provider_reference = receipt.reference
    refund = Refund.objects.create(
        order=order,
        line=line,
        amount=amount,
        reason=reason,
        refunded_by=acting_user,
        provider_reference=provider_reference,
        created_at=clock.now(),
    )
    for each, registration in zip(lines, registrations, strict=True):
        _line_close(
            line=each,
            registration=registration,
            line_status=LineStatus.REFUNDED,
            acting_user=acting_user,
            reason=reason,
        )
    order.refunded_total += amount
    order.status = _order_status_after(order, whole=OrderStatus.REFUNDED if line is None else None)
    order.save(update_fields=["refunded_total", "status", "updated_at"])
    audit_record(
        action="order.refunded",
        target=order,
        actor=acting_user,
        summary=f"{order.number}: {amount} {order.currency} refunded"
        f"{f' ({line.test.code})' if line is not None else ''}: {reason}",
        data={
            "amount": str(amount),
            "line": line.pk if line is not None else None,
            "tests": [each.test.code for each in lines],
            "reason": reason,
            "provider_reference": provider_reference,
        },
    )
    return refund


@transaction.atomic
def order_void(*, order: Order, reason: str, acting_user: User, line: OrderLine | None = None) -> Order:
    """Cancel one line or the whole order without giving money back (a mistaken or fraudulent order).

    Program administrators only, with a reason. The registrations become VOID and unredeemed vouchers
    void; a used registration (taken or No Show) or one with an appointment cannot be voided. Audited
    as ``order.voided`` (and each registration as ``registration.void``).
    """
    order, lines, reason = _admin_change_start(order=order, line=line, reason=reason, acting_user=acting_user)
    registrations = [_line_check(each) for each in lines]
    for each, registration in zip(lines, registrations, strict=True):
        _line_close(
            line=each,
            registration=registration,
            line_status=LineStatus.VOID,
            acting_user=acting_user,
            reason=reason,
        )
    order.status = _order_status_after(order, whole=OrderStatus.VOID if line is None else None)
    order.save(update_fields=["status", "updated_at"])
    audit_record(
        action="order.voided",
        target=order,
        actor=acting_user,
        summary=f"{order.number} voided{f' ({line.test.code})' if line is not None else ''}: {reason}",
        data={
            "line": line.pk if line is not None else None,
            "tests": [each.test.code for each in lines],
            "reason": reason,
        },
    )
    return order


# --- The purchase window -----------------------------------------------------------------------------


@transaction.atomic
def registrations_expire(*, on: dt.date | None = None, acting_user: User | None = None) -> int:
    """Expire every open or scheduled registration whose take-by date has passed; return how many.

    The fee is forfeited (nothing is refunded). Each registration is claimed with a conditional update,
    so running this twice, or twice at once, expires each one once; each is audited as
    ``registration.expired``.
    """
    on = on or clock.today()
    expired = 0
    due = Registration.objects.filter(status__in=ACTIVE_REGISTRATION, take_by__lt=on).select_related(
        "test", "candidate"
    )
    for registration in due:
        changed = Registration.objects.filter(pk=registration.pk, status=registration.status).update(
            status=RegistrationStatus.EXPIRED, updated_at=clock.now()
        )
        if changed != 1:
            continue
        expired += 1
        audit_record(
            action="registration.expired",
            target=registration,
            actor=acting_user,
            summary=f"{registration.test.code} for {registration.candidate.program_id} not taken by "
            f"{registration.take_by}; fee forfeited",
            data={"from": registration.status, "take_by": registration.take_by.isoformat()},
        )
    return expired


# --- Receipts ----------------------------------------------------------------------------------------


def order_receipt_send(*, order_id: int) -> None:
    """E-mail the buyer the receipt of an order, in their language."""
    order = (
        Order.objects.select_related("buyer", "employer")
        .prefetch_related("lines__test", "lines__registration", "lines__voucher__intended_for")
        .get(pk=order_id)
    )
    buyer = order.buyer
    context = {"order": order, "buyer": buyer, "site_url": settings.SITE_URL.rstrip("/")}
    with translation.override(buyer.preferred_language):
        subject = render_to_string("registrations/email/receipt_subject.txt", context).strip()
        body = render_to_string("registrations/email/receipt.txt", context)
    send_mail(subject, body, None, [buyer.email])
