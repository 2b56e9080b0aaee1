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
    offered_areas = models.JSONField(
        default=list, blank=True, help_text='Test codes of the service areas the shop offers, e.g. ["A5"]'
    )
    public_page = models.BooleanField(
        default=False, help_text="Show the shop's recognition on its public page while it holds"
    )

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
    is_technician = models.BooleanField(
        default=False, help_text="Diagnoses and repairs: counts toward the Blue Seal share"
    )
    consented_at = models.DateTimeField(
        null=True, blank=True, help_text="When the technician agreed to share their credentials"
    )
    left_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["employer", "user"], name="membership_unique")]

    def __str__(self) -> str:
        return f"{self.user} at {self.employer}"


class EmployerInvitation(TimeStampedModel):
    """An invitation for a technician to join an employer's staff; joining needs their consent."""

    employer = models.ForeignKey(Employer, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    token = models.CharField(max_length=40, unique=True)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    declined_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["employer", "-created_at"]

    def __str__(self) -> str:
        return f"{self.email} to {self.employer}"

    @property
    def is_open(self) -> bool:
        return self.accepted_at is None and self.declined_at is None and self.withdrawn_at is None
