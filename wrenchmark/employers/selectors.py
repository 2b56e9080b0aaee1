"""Reads about employers."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from wrenchmark.accounts.models import User
from wrenchmark.catalog.models import Test
from wrenchmark.catalog.selectors import catalog_test_list, edition_in_force
from wrenchmark.core import clock
from wrenchmark.employers.models import Employer, EmployerInvitation, EmployerMembership


def employer_list() -> QuerySet[Employer]:
    return Employer.objects.order_by("name")


def employers_administered_by(user: User) -> QuerySet[Employer]:
    """Employers whose experience entries ``user`` may approve."""
    return Employer.objects.filter(memberships__user=user, memberships__is_admin=True).distinct()


def is_employer_admin(user: User, employer: Employer) -> bool:
    return bool(user.is_authenticated and employers_administered_by(user).filter(pk=employer.pk).exists())


def employer_by_program_id(program_id: str) -> Employer | None:
    return Employer.objects.filter(program_id=program_id.strip()).first()


#: A technician who has consented to share their credentials and has not left.
CURRENT_TECHNICIAN = Q(is_technician=True, consented_at__isnull=False, left_at__isnull=True)


def technicians_current(employer: Employer) -> QuerySet[EmployerMembership]:
    """The employer's current technicians: consented and not left; only they are shown and counted."""
    return (
        EmployerMembership.objects.filter(CURRENT_TECHNICIAN, employer=employer)
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "user__id")
    )


def technician_memberships_of(user: User) -> QuerySet[EmployerMembership]:
    """The employers ``user`` currently shares their credentials with, as a technician."""
    return (
        EmployerMembership.objects.filter(CURRENT_TECHNICIAN, user=user)
        .select_related("employer")
        .order_by("employer__name")
    )


def _open() -> Q:
    return Q(accepted_at__isnull=True, declined_at__isnull=True, withdrawn_at__isnull=True)


def invitations_open(employer: Employer) -> QuerySet[EmployerInvitation]:
    """Invitations not yet answered or withdrawn (expired ones included, to withdraw or resend)."""
    return (
        EmployerInvitation.objects.filter(_open(), employer=employer)
        .select_related("invited_by")
        .order_by("-created_at")
    )


def invitations_waiting_for(user: User) -> QuerySet[EmployerInvitation]:
    """Open, unexpired invitations sent to ``user``'s e-mail address."""
    return (
        EmployerInvitation.objects.filter(_open(), email__iexact=user.email, expires_at__gt=clock.now())
        .select_related("employer", "invited_by")
        .order_by("-created_at")
    )


def invitation_by_token(token: str) -> EmployerInvitation | None:
    return EmployerInvitation.objects.select_related("employer", "invited_by").filter(token=token).first()


def offerable_tests() -> QuerySet[Test]:
    """The catalog's initial tests (not recertifications) in force today: the areas a shop may offer."""
    return catalog_test_list(edition=edition_in_force()).filter(recertifies__isnull=True)
