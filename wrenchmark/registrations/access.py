"""Permission-checked fetches of orders and employers for the registration pages.

An order that exists but is not the caller's to see raises the same NotFound as one that does not
exist, so order numbers cannot be probed.
"""

from __future__ import annotations

from wrenchmark.accounts.models import Role, User
from wrenchmark.core.exceptions import NotFound
from wrenchmark.employers.models import Employer
from wrenchmark.employers.selectors import employers_administered_by
from wrenchmark.registrations.models import Order
from wrenchmark.registrations.selectors import order_get


def access_order_by_number(user: User, number: str) -> Order:
    """Return the order for its receipt: to its buyer, or to a program administrator."""
    order = order_get(number)
    if order is None or not user.is_authenticated:
        raise NotFound("No such order.", code="order_not_found")
    if order.buyer_id == user.pk or user.has_role(Role.PROGRAM_ADMIN):
        return order
    raise NotFound("No such order.", code="order_not_found")


def access_order_for_admin(user: User, number: str) -> Order:
    """Return any order, to a program administrator only."""
    if not user.is_authenticated or not user.has_role(Role.PROGRAM_ADMIN):
        raise NotFound("No such order.", code="order_not_found")
    order = order_get(number)
    if order is None:
        raise NotFound("No such order.", code="order_not_found")
    return order


def access_employer_for_buying(user: User, employer_id: int) -> Employer:
    """Return an employer ``user`` administers (and so may buy vouchers for)."""
    if not user.is_authenticated or not user.has_role(Role.EMPLOYER_ADMIN):
        raise NotFound("No such employer.", code="employer_not_found")
    employer = employers_administered_by(user).filter(pk=employer_id).first()
    if employer is None:
        raise NotFound("No such employer.", code="employer_not_found")
    return employer
