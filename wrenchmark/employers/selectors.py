"""Reads about employers."""

from __future__ import annotations

from django.db.models import QuerySet

from wrenchmark.accounts.models import User
from wrenchmark.employers.models import Employer


def employer_list() -> QuerySet[Employer]:
    return Employer.objects.order_by("name")


def employers_administered_by(user: User) -> QuerySet[Employer]:
    """Employers whose experience entries ``user`` may approve."""
    return Employer.objects.filter(memberships__user=user, memberships__is_admin=True).distinct()
