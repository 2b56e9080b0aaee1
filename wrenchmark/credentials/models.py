"""Issued credentials and designations: the record of what a holder has been granted, and when.

Each row is kept in step with the rules (``wrenchmark.rules``) by ``credentials.services``; every change
to it is audited. A credential is one lineage per initial test: a recertification renews the same row.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from wrenchmark.core.models import TimeStampedModel


class CredentialStatus(models.TextChoices):
    AWAITING_EXPERIENCE = "awaiting_experience", _("Passed, awaiting experience")
    CERTIFIED = "certified", _("Certified")
    EXPIRING = "expiring", _("Expiring")
    EXPIRED = "expired", _("Expired")


CURRENT_STATUSES = frozenset({CredentialStatus.CERTIFIED, CredentialStatus.EXPIRING})


class Credential(TimeStampedModel):
    """One certification lineage of one holder: earned by the initial test, renewed by recertification."""

    holder = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="credentials")
    test_code = models.CharField(max_length=10, help_text="The initial test that earns it, e.g. A5")
    test = models.ForeignKey(
        "catalog.Test", on_delete=models.PROTECT, related_name="+", help_text="As in the edition last applied"
    )
    status = models.CharField(max_length=20, choices=CredentialStatus.choices)
    passed_on = models.DateField(help_text="The pass that started this lineage")
    certified_on = models.DateField(null=True, blank=True)
    expires_on = models.DateField(help_text="Last valid day")
    renewed_on = models.DateField(null=True, blank=True, help_text="Latest recertification that renewed it")
    issued_at = models.DateTimeField(null=True, blank=True, help_text="When it was first certified")

    class Meta:
        ordering = ["holder", "test__position", "test_code"]
        constraints = [models.UniqueConstraint(fields=["holder", "test_code"], name="credential_one_lineage")]
        indexes = [models.Index(fields=["status", "expires_on"], name="credential_status_expiry_idx")]

    def __str__(self) -> str:
        return f"{self.holder} {self.test_code} {self.status} to {self.expires_on}"

    def is_valid_on(self, day: dt.date) -> bool:
        return self.certified_on is not None and self.certified_on <= day <= self.expires_on


class DesignationStatus(models.TextChoices):
    HELD = "held", _("Held")
    AT_RISK = "at_risk", _("Held, at risk")
    LAPSED = "lapsed", _("Lapsed")


class DesignationHolding(TimeStampedModel):
    """A designation (Master Automobile Technician, …) a holder has earned, and where it stands."""

    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="designation_holdings"
    )
    code = models.CharField(max_length=20)
    name = models.CharField(max_length=120)
    status = models.CharField(max_length=10, choices=DesignationStatus.choices)
    held_since = models.DateField(null=True, blank=True)
    achieved_at = models.DateTimeField(help_text="When it was first recorded as held")

    class Meta:
        ordering = ["holder", "code"]
        constraints = [models.UniqueConstraint(fields=["holder", "code"], name="designation_one_per_holder")]

    def __str__(self) -> str:
        return f"{self.holder} {self.code} {self.status}"
