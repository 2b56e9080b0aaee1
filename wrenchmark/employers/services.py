"""Writes for employers: the company account and who administers it."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction

from wrenchmark.accounts.models import Role, User
from wrenchmark.accounts.program_ids import generate_program_id
from wrenchmark.accounts.services import role_grant
from wrenchmark.core.audit import audit_record
from wrenchmark.core.exceptions import ApplicationError
from wrenchmark.employers.models import Employer, EmployerMembership


@transaction.atomic
def employer_create(
    *, name: str, city: str = "", region: str = "", is_demo: bool = False, acting_user: User | None
) -> Employer:
    """Create an employer with an organisation program ID (starting with 9); audited."""
    if not name.strip():
        raise ApplicationError("Enter the employer's name.", code="name_required", field="name")
    program_id = generate_program_id(settings.PROGRAM_ID_PREFIX, organisation=True)
    while Employer.objects.filter(program_id=program_id).exists():  # pragma: no cover - 10^6 ids
        program_id = generate_program_id(settings.PROGRAM_ID_PREFIX, organisation=True)
    employer = Employer.objects.create(
        name=name.strip(), city=city.strip(), region=region.strip(), program_id=program_id, is_demo=is_demo
    )
    audit_record(action="employer.created", target=employer, actor=acting_user, summary=employer.name)
    return employer


@transaction.atomic
def employer_admin_add(*, employer: Employer, user: User, acting_user: User | None) -> EmployerMembership:
    """Make ``user`` an administrator of ``employer`` (and grant the role); audited."""
    membership, _ = EmployerMembership.objects.update_or_create(
        employer=employer, user=user, defaults={"is_admin": True}
    )
    role_grant(user=user, role=Role.EMPLOYER_ADMIN, acting_user=acting_user)
    audit_record(
        action="employer.admin_added", target=employer, actor=acting_user, data={"user": user.program_id}
    )
    return membership
