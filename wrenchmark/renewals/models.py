"""The renewal program: an opt-in yearly subscription of monthly questions that can extend certifications.

Each month a subscriber gets one question per certified area, drawn from the renewal pool (items kept apart
from the operational forms). Each correct answer is a credit; eight credits in an area within the
subscription year extend that certification by one year (``credentials.CredentialExtension``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from wrenchmark.core.models import TimeStampedModel


class RenewalSubscription(TimeStampedModel):
    """One subscription year of one holder."""

    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="renewal_subscriptions"
    )
    starts_on = models.DateField()
    ends_on = models.DateField(help_text="Last day of the subscription year")
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["holder", "-starts_on"]

    def __str__(self) -> str:
        return f"{self.holder} renewal {self.starts_on} to {self.ends_on}"


class RenewalQuestion(TimeStampedModel):
    """The question of one month for one certified area, and the answer given."""

    subscription = models.ForeignKey(RenewalSubscription, on_delete=models.CASCADE, related_name="questions")
    credential = models.ForeignKey("credentials.Credential", on_delete=models.CASCADE, related_name="+")
    month = models.DateField(help_text="First day of the month the question belongs to")
    item = models.ForeignKey("itembank.Item", on_delete=models.PROTECT, related_name="+")
    item_version = models.ForeignKey("itembank.ItemVersion", on_delete=models.PROTECT, related_name="+")
    answered_at = models.DateTimeField(null=True, blank=True)
    choice = models.CharField(max_length=1, blank=True, help_text=_("Letter chosen"))
    correct = models.BooleanField(null=True)

    class Meta:
        ordering = ["subscription", "month", "credential"]
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "credential", "month"], name="renewal_one_question_a_month"
            )
        ]

    def __str__(self) -> str:
        return f"{self.subscription.holder} {self.month:%Y-%m} {self.item}"
