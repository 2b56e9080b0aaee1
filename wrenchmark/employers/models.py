from __future__ import annotations

from django.conf import settings
from django.db import models

from wrenchmark.core.models import TimeStampedModel


class Employer(TimeStampedModel):
    """A shop, dealer or fleet: holds a company account and confirms its staff's experience."""

    name = models.CharField(max_length=200)
    program_id = models.CharField(max_length=20, unique=True, help_text="Organisation IDs start with 9.")
    city = models.CharField(max_length=100, blank=True)
    region = models.CharField(max_length=100, blank=True)
    is_demo = models.BooleanField(default=False)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class EmployerMembership(TimeStampedModel):
    """A person attached to an employer: its administrators approve experience and manage staff."""

    employer = models.ForeignKey(Employer, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="employer_memberships"
    )
    is_admin = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["employer", "user"], name="membership_unique")]

    def __str__(self) -> str:
        return f"{self.user} at {self.employer}"
