"""Permission-checked fetches: the only way the shop pages reach an employer, its staff or invitations.

Anything that is not the caller's to see raises the same NotFound as something that does not exist, so
employer ids and staff cannot be probed.
"""

from __future__ import annotations

from wrenchmark.accounts.models import User
from wrenchmark.core.exceptions import NotFound
from wrenchmark.employers.models import Employer, EmployerInvitation
from wrenchmark.employers.selectors import (
    employers_administered_by,
    invitations_open,
    technician_memberships_of,
    technicians_current,
)


def access_employer_for_admin(user: User, employer_id: int) -> Employer:
    """An employer ``user`` administers."""
    if not user.is_authenticated or not user.is_active:
        raise NotFound("No such employer.", code="employer_not_found")
    employer = employers_administered_by(user).filter(pk=employer_id).first()
    if employer is None:
        raise NotFound("No such employer.", code="employer_not_found")
    return employer


def access_invitation_for_admin(user: User, employer_id: int, invitation_id: int) -> EmployerInvitation:
    """An open invitation of an employer ``user`` administers."""
    employer = access_employer_for_admin(user, employer_id)
    invitation = invitations_open(employer).filter(pk=invitation_id).first()
    if invitation is None:
        raise NotFound("No such invitation.", code="invitation_not_found")
    return invitation


def access_technician_for_admin(user: User, employer_id: int, technician_id: int) -> tuple[Employer, User]:
    """A current technician of an employer ``user`` administers, with the employer."""
    employer = access_employer_for_admin(user, employer_id)
    membership = technicians_current(employer).filter(user_id=technician_id).first()
    if membership is None:
        raise NotFound("No such technician.", code="technician_not_found")
    return employer, membership.user


def access_employer_for_technician(user: User, employer_id: int) -> Employer:
    """An employer ``user`` currently shares their credentials with."""
    if not user.is_authenticated:
        raise NotFound("No such employer.", code="employer_not_found")
    membership = technician_memberships_of(user).filter(employer_id=employer_id).first()
    if membership is None:
        raise NotFound("No such employer.", code="employer_not_found")
    return membership.employer
