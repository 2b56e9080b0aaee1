"""``manage.py role_grant EMAIL ROLE``: give a person a role (an instructor for a school, say); audited."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from wrenchmark.accounts.models import Role, User
from wrenchmark.accounts.services import role_grant


class Command(BaseCommand):
    help = "Give the person with this e-mail address a role; audited as account.role_granted."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email")
        parser.add_argument("role", help=f"one of: {', '.join(Role.values)}")

    def handle(self, *args: Any, **options: Any) -> None:
        role = options["role"].strip().lower()
        if role not in Role.values:
            raise CommandError(f"unknown role {role!r}: use one of {', '.join(Role.values)}")
        user = User.objects.filter(email__iexact=options["email"].strip()).first()
        if user is None:
            raise CommandError(f"no account has the e-mail address {options['email']}: they sign up first")
        already = user.has_role(role)
        role_grant(user=user, role=role, acting_user=None)
        label = Role(role).label
        self.stdout.write(f"{user.email} {'already was' if already else 'is now'}: {label}.")
