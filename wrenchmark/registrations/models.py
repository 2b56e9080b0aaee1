"""Registrations: a candidate's right to sit one test, bought in an order (or redeemed from a voucher),
to be taken by a date. Orders, payments, vouchers and refunds are defined beside it."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from wrenchmark.core.models import TimeStampedModel

ZERO = Decimal("0.00")


class RegistrationStatus(models.TextChoices):
    OPEN = "open", _("Not yet scheduled")
    SCHEDULED = "scheduled", _("Scheduled")
    TAKEN = "taken", _("Taken")
    NO_SHOW = "no_show", _("No Show (fee forfeited)")
    EXPIRED = "expired", _("Expired untaken (fee forfeited)")
    REFUNDED = "refunded", _("Refunded")
    VOID = "void", _("Void")


ACTIVE_REGISTRATION = (RegistrationStatus.OPEN, RegistrationStatus.SCHEDULED)
USED_REGISTRATION = (RegistrationStatus.TAKEN, RegistrationStatus.NO_SHOW)


class OrderStatus(models.TextChoices):
    PAID = "paid", _("Paid")
    PARTIALLY_REFUNDED = "partially_refunded", _("Partly refunded or void")
    REFUNDED = "refunded", _("Refunded")
    VOID = "void", _("Void")


class LineStatus(models.TextChoices):
    PAID = "paid", _("Paid")
    REFUNDED = "refunded", _("Refunded")
    VOID = "void", _("Void")


class VoucherStatus(models.TextChoices):
    ISSUED = "issued", _("Issued, not yet redeemed")
    REDEEMED = "redeemed", _("Redeemed")
    VOID = "void", _("Void")


class Order(TimeStampedModel):
    """One payment for one or more tests: for the buyer, or as vouchers when ``employer`` is set.

    An order exists only once its payment went through; a declined payment leaves no order behind.
    Amounts are in ``currency``; ``total`` is what was charged, ``refunded_total`` what went back.
    """

    number = models.CharField(max_length=20, unique=True)
    buyer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="orders")
    employer = models.ForeignKey(
        "employers.Employer", null=True, blank=True, on_delete=models.PROTECT, related_name="orders"
    )
    edition = models.ForeignKey("catalog.Edition", on_delete=models.PROTECT, related_name="orders")
    status = models.CharField(max_length=20, choices=OrderStatus.choices, default=OrderStatus.PAID)
    currency = models.CharField(max_length=3, default="USD")
    registration_fee = models.DecimalField(max_digits=9, decimal_places=2)
    tests_fee = models.DecimalField(
        max_digits=9, decimal_places=2, help_text="Test fees after the recertification cap"
    )
    recertification_discount = models.DecimalField(max_digits=9, decimal_places=2, default=ZERO)
    total = models.DecimalField(max_digits=9, decimal_places=2)
    refunded_total = models.DecimalField(max_digits=9, decimal_places=2, default=ZERO)
    provider = models.CharField(max_length=40)
    provider_reference = models.CharField(max_length=100)
    idempotency_key = models.CharField(max_length=64, unique=True)
    paid_at = models.DateTimeField()

    class Meta:
        ordering = ["-paid_at", "-id"]
        indexes = [models.Index(fields=["status", "paid_at"], name="order_status_paid_idx")]

    def __str__(self) -> str:
        return self.number

    @property
    def is_voucher_order(self) -> bool:
        return self.employer_id is not None


class OrderLine(models.Model):
    """One test in an order, with what it cost and the registration or voucher it created.

    ``list_fee`` is the catalog fee; ``fee`` is what this line was charged once the order's
    recertification cap is applied, and what a refund of the line gives back.
    """

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="lines")
    test = models.ForeignKey("catalog.Test", on_delete=models.PROTECT, related_name="order_lines")
    list_fee = models.DecimalField(max_digits=9, decimal_places=2)
    fee = models.DecimalField(max_digits=9, decimal_places=2)
    status = models.CharField(max_length=10, choices=LineStatus.choices, default=LineStatus.PAID)
    registration = models.OneToOneField(
        "Registration", null=True, blank=True, on_delete=models.PROTECT, related_name="order_line"
    )
    voucher = models.OneToOneField(
        "Voucher", null=True, blank=True, on_delete=models.PROTECT, related_name="order_line"
    )
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["order", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(registration__isnull=False, voucher__isnull=True)
                | Q(registration__isnull=True, voucher__isnull=False),
                name="orderline_registration_xor_voucher",
            )
        ]

    def __str__(self) -> str:
        return f"{self.order.number} {self.test.code}"


class Voucher(TimeStampedModel):
    """A test an employer paid for, redeemed by a technician into a registration with ``code``."""

    code = models.CharField(max_length=19, unique=True)
    employer = models.ForeignKey("employers.Employer", on_delete=models.PROTECT, related_name="vouchers")
    test = models.ForeignKey("catalog.Test", on_delete=models.PROTECT, related_name="vouchers")
    intended_for = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="vouchers_intended",
        help_text="Only this technician may redeem it, when set.",
    )
    status = models.CharField(max_length=10, choices=VoucherStatus.choices, default=VoucherStatus.ISSUED)
    redeemed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    redeemed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.code} {self.test.code} ({self.status})"


class Registration(TimeStampedModel):
    """One purchased test for one candidate: schedule and sit it by ``take_by`` or the fee is forfeited."""

    candidate = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="registrations"
    )
    test = models.ForeignKey("catalog.Test", on_delete=models.PROTECT, related_name="registrations")
    purchased_on = models.DateField()
    take_by = models.DateField(help_text="Last day to sit the test (purchase + the edition's window)")
    status = models.CharField(
        max_length=12, choices=RegistrationStatus.choices, default=RegistrationStatus.OPEN
    )
    voucher = models.OneToOneField(
        Voucher, null=True, blank=True, on_delete=models.PROTECT, related_name="registration"
    )

    class Meta:
        ordering = ["take_by", "id"]
        indexes = [models.Index(fields=["status", "take_by"], name="registration_status_takeby_idx")]

    def __str__(self) -> str:
        return f"{self.candidate} {self.test.code} by {self.take_by} ({self.status})"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_REGISTRATION


class Refund(models.Model):
    """Money given back on an order, for the whole order or one line, with the reason and who did it."""

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="refunds")
    line = models.ForeignKey(
        OrderLine, null=True, blank=True, on_delete=models.PROTECT, related_name="refunds"
    )
    amount = models.DecimalField(max_digits=9, decimal_places=2)
    reason = models.CharField(max_length=500)
    refunded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    provider_reference = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.order.number} refund {self.amount}"
