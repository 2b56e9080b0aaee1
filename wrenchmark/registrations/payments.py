"""Payment providers: the one interface orders are paid and refunded through.

A provider takes money for an order and gives some of it back. Every call carries an idempotency key,
so a retried request (a double click, a timeout) never charges or refunds twice: the provider answers
a repeated key with the outcome of the first call. No card data ever reaches this program; a real
provider collects it on its own page and hands back a reference.

``settings.PAYMENT_PROVIDER`` names the class (a dotted path); the default is the built-in demo
provider, which moves no money.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from wrenchmark.core.exceptions import ApplicationError

DEFAULT_PROVIDER = "wrenchmark.registrations.payments.DemoPaymentProvider"


class PaymentDeclined(ApplicationError):
    """The provider refused the charge; nothing was taken and nothing is recorded."""

    code = "payment_declined"
    status = 402


@dataclass(frozen=True, slots=True)
class Charge:
    reference: str
    amount: Decimal
    currency: str


@dataclass(frozen=True, slots=True)
class RefundReceipt:
    reference: str
    amount: Decimal
    currency: str


class PaymentProvider(Protocol):
    """What an order needs from a payment provider."""

    name: str
    is_demo: bool

    def charge(self, *, amount: Decimal, currency: str, idempotency_key: str, description: str) -> Charge:
        """Take ``amount``; raise :class:`PaymentDeclined` if the payment is refused."""
        ...

    def refund(
        self, *, charge_reference: str, amount: Decimal, currency: str, idempotency_key: str
    ) -> RefundReceipt:
        """Give back ``amount`` of the charge ``charge_reference``."""
        ...


class DemoPaymentProvider:
    """DEMO ONLY: accepts every payment without moving money or asking for card data.

    A charge of ``DECLINE_FROM`` or more is declined, as if it went over a card's limit, so the
    declined path can be tried in the demo and the tests. References are derived from the idempotency
    key, so a repeated call answers with the same reference, as a real provider would.
    """

    name = "demo"
    is_demo = True
    DECLINE_FROM = Decimal("1000.00")

    @staticmethod
    def _reference(prefix: str, key: str) -> str:
        return f"{prefix}_{hashlib.sha256(key.encode()).hexdigest()[:20]}"

    def charge(self, *, amount: Decimal, currency: str, idempotency_key: str, description: str) -> Charge:
        if amount >= self.DECLINE_FROM:
            raise PaymentDeclined(
                f"The payment of {amount} {currency} was declined (the demo provider declines "
                f"{self.DECLINE_FROM} {currency} or more).",
                extra={"amount": str(amount)},
            )
        return Charge(reference=self._reference("demo_ch", idempotency_key), amount=amount, currency=currency)

    def refund(
        self, *, charge_reference: str, amount: Decimal, currency: str, idempotency_key: str
    ) -> RefundReceipt:
        return RefundReceipt(
            reference=self._reference("demo_re", idempotency_key), amount=amount, currency=currency
        )


def payment_provider() -> PaymentProvider:
    """Return the configured provider (``settings.PAYMENT_PROVIDER``, the demo one by default)."""
    provider_class = import_string(getattr(settings, "PAYMENT_PROVIDER", DEFAULT_PROVIDER))
    provider: PaymentProvider = provider_class()
    return provider
