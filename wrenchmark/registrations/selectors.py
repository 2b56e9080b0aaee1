"""Reads about registrations, orders and vouchers, and the eligibility check a purchase runs."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import Prefetch, Q, QuerySet

from wrenchmark.accounts.models import User
from wrenchmark.catalog.models import Test
from wrenchmark.credentials.standing import Standing, candidate_standing
from wrenchmark.employers.models import Employer
from wrenchmark.employers.selectors import employers_administered_by
from wrenchmark.registrations.models import (
    ACTIVE_REGISTRATION,
    Order,
    OrderLine,
    Refund,
    Registration,
    Voucher,
)
from wrenchmark.rules import Eligibility, Refusal

ALREADY_REGISTERED = "already_registered"
NOT_OFFERED = "not_offered"


def registration_check(
    candidate: User, test: Test, *, on: dt.date | None = None, standing: Standing | None = None
) -> Eligibility:
    """Ask the rules whether ``candidate`` may register for ``test`` on ``on`` (today by default).

    This is the rules' answer alone (prerequisites, the retake wait, recertification only for holders),
    as a purchase checks it and as check-in runs it again before admitting the candidate. Pass a
    ``standing`` already computed for the same candidate and day to check several tests at once.
    """
    standing = standing or candidate_standing(candidate=candidate, on=on)
    if test.code not in standing.rules:
        return Eligibility(
            test_code=test.code,
            allowed=False,
            refusals=(
                Refusal(code=NOT_OFFERED, message=f"{test.code} is not offered in the current catalog."),
            ),
            earliest=None,
        )
    return standing.eligibility(test.code)


def _with_refusal(eligibility: Eligibility, refusal: Refusal) -> Eligibility:
    return Eligibility(
        test_code=eligibility.test_code,
        allowed=False,
        refusals=(*eligibility.refusals, refusal),
        earliest=None,
    )


def purchase_eligibility(
    *, candidate: User, tests: Iterable[Test], on: dt.date | None = None
) -> dict[str, Eligibility]:
    """Whether ``candidate`` may buy each of ``tests``, by test code.

    The rules' answer (:func:`registration_check`), refused also while the candidate holds an open or
    scheduled registration for the same test.
    """
    standing = candidate_standing(candidate=candidate, on=on)
    active = {r.test.code: r for r in registrations_open_for(candidate)}
    answers: dict[str, Eligibility] = {}
    for test in tests:
        eligibility = registration_check(candidate, test, standing=standing)
        current = active.get(test.code)
        if current is not None:
            eligibility = _with_refusal(
                eligibility,
                Refusal(
                    code=ALREADY_REGISTERED,
                    message=f"{test.code} is already registered, to be taken by {current.take_by.isoformat()}.",
                    until=current.take_by,
                ),
            )
        answers[test.code] = eligibility
    return answers


def registrations_open_for(candidate: User) -> QuerySet[Registration]:
    """The candidate's registrations still to be sat (open or scheduled), soonest take-by date first."""
    return (
        Registration.objects.filter(candidate=candidate, status__in=ACTIVE_REGISTRATION)
        .select_related("test")
        .order_by("take_by", "id")
    )


def registration_list_for(candidate: User) -> QuerySet[Registration]:
    """Every registration of the candidate, newest first, with its test and where it came from."""
    return (
        Registration.objects.filter(candidate=candidate)
        .select_related("test", "order_line__order", "voucher__employer")
        .order_by("-purchased_on", "-id")
    )


def _orders() -> QuerySet[Order]:
    return Order.objects.select_related("buyer", "employer", "edition").prefetch_related(
        Prefetch(
            "lines",
            queryset=OrderLine.objects.select_related(
                "test", "registration__candidate", "voucher__intended_for", "voucher__redeemed_by"
            ),
        ),
        Prefetch("refunds", queryset=Refund.objects.select_related("refunded_by", "line__test")),
    )


def order_list_for_buyer(buyer: User) -> QuerySet[Order]:
    """Orders ``buyer`` paid for, newest first."""
    return _orders().filter(buyer=buyer)


def order_list(
    *,
    status: str | None = None,
    paid_from: dt.date | None = None,
    paid_to: dt.date | None = None,
    candidate: str | None = None,
) -> QuerySet[Order]:
    """Every order, newest first, filtered by status, paid date (inclusive) and candidate.

    ``candidate`` matches the buyer's or a line's candidate by e-mail, program ID or name (contains).
    """
    orders = _orders()
    if status:
        orders = orders.filter(status=status)
    if paid_from:
        orders = orders.filter(paid_at__date__gte=paid_from)
    if paid_to:
        orders = orders.filter(paid_at__date__lte=paid_to)
    if candidate:
        text = candidate.strip()
        people = Q()
        for prefix in ("buyer__", "lines__registration__candidate__", "lines__voucher__intended_for__"):
            people |= (
                Q(**{f"{prefix}email__icontains": text})
                | Q(**{f"{prefix}program_id__iexact": text})
                | Q(**{f"{prefix}first_name__icontains": text})
                | Q(**{f"{prefix}last_name__icontains": text})
            )
        orders = orders.filter(Q(number__iexact=text) | people).distinct()
    return orders


def order_get(number: str) -> Order | None:
    return _orders().filter(number=number).first()


def vouchers_for_employers(employers: QuerySet[Employer]) -> QuerySet[Voucher]:
    """Vouchers bought by ``employers``, newest first, with who they are for and who redeemed them."""
    return (
        Voucher.objects.filter(employer__in=employers)
        .select_related("employer", "test", "intended_for", "redeemed_by", "order_line__order")
        .order_by("-created_at", "-id")
    )


def employers_buying_for(user: User) -> QuerySet[Employer]:
    """Employers ``user`` may buy vouchers for: those they administer."""
    return employers_administered_by(user)


def technician_find(identifier: str) -> User | None:
    """The active person whose e-mail or program ID is ``identifier`` (any case), if there is one."""
    text = (identifier or "").strip()
    if not text:
        return None
    return User.objects.filter(Q(email__iexact=text) | Q(program_id__iexact=text), is_active=True).first()
