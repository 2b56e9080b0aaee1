"""Writes to accounts: creating people, their profile, roles and sign-in failures."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from wrenchmark.accounts.models import Language, LoginFailure, Role, RoleGrant, User
from wrenchmark.accounts.program_ids import generate_program_id
from wrenchmark.core import clock
from wrenchmark.core.audit import audit_record
from wrenchmark.core.exceptions import ApplicationError, PermissionDenied

_PROGRAM_ID_ATTEMPTS = 20


def _unique_program_id() -> str:
    for _ in range(_PROGRAM_ID_ATTEMPTS):
        candidate = generate_program_id(settings.PROGRAM_ID_PREFIX)
        if not User.objects.filter(program_id=candidate).exists():
            return candidate
    raise RuntimeError("could not draw an unused program ID")  # pragma: no cover - 10^7 ids


@transaction.atomic
def user_create(
    *,
    email: str,
    password: str | None,
    first_name: str,
    last_name: str,
    preferred_language: str = Language.ENGLISH,
    roles: tuple[str, ...] = (Role.CANDIDATE,),
    is_demo: bool = False,
    is_simulated: bool = False,
    acting_user: User | None = None,
) -> User:
    """Create a person with a fresh program ID and the given roles; audited as ``account.created``.

    Raises ApplicationError (field ``email``) when the address is taken, (field ``password``) when the
    password is too weak.
    """
    email = User.objects.normalize_email(email).strip()
    if User.objects.filter(email__iexact=email).exists():
        raise ApplicationError(
            "An account with this e-mail address already exists.", code="email_taken", field="email"
        )
    if preferred_language not in Language.values:
        raise ApplicationError(
            "Choose English or Spanish.", code="invalid_language", field="preferred_language"
        )
    user = User(
        email=email,
        username=email.lower(),
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        preferred_language=preferred_language,
        program_id=_unique_program_id(),
        is_demo=is_demo,
        is_simulated=is_simulated,
    )
    if password is not None:
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise ApplicationError(" ".join(exc.messages), code="weak_password", field="password") from None
        user.set_password(password)
    else:
        user.set_unusable_password()
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:
        raise ApplicationError(
            "An account with this e-mail address already exists.", code="email_taken", field="email"
        ) from None
    for role in roles:
        RoleGrant.objects.create(user=user, role=role)
    audit_record(
        action="account.created",
        target=user,
        actor=acting_user or user,
        summary=f"Account {user.program_id} created",
        data={"roles": list(roles), "demo": is_demo},
    )
    return user


@transaction.atomic
def profile_update(*, user: User, first_name: str, last_name: str, preferred_language: str) -> User:
    """Change a person's name and language; a name change is audited (it appears on credentials)."""
    if preferred_language not in Language.values:
        raise ApplicationError(
            "Choose English or Spanish.", code="invalid_language", field="preferred_language"
        )
    if not first_name.strip() or not last_name.strip():
        raise ApplicationError("Enter your first and last name.", code="name_required", field="last_name")
    old_name = (user.first_name, user.last_name)
    user.first_name = first_name.strip()
    user.last_name = last_name.strip()
    user.preferred_language = preferred_language
    user.save(update_fields=["first_name", "last_name", "preferred_language"])
    if old_name != (user.first_name, user.last_name):
        audit_record(
            action="account.name_changed",
            target=user,
            actor=user,
            summary="Name changed",
            data={"from": list(old_name), "to": [user.first_name, user.last_name]},
        )
    return user


@transaction.atomic
def user_language_set(*, user: User, language: str) -> None:
    """Remember the language a signed-in person picked."""
    if language in Language.values and user.preferred_language != language:
        user.preferred_language = language
        user.save(update_fields=["preferred_language"])


@transaction.atomic
def role_grant(*, user: User, role: str, acting_user: User | None) -> RoleGrant:
    """Give ``user`` a role; audited as ``account.role_granted``."""
    if role not in Role.values:
        raise ApplicationError(f"Unknown role {role!r}.", code="invalid_role")
    grant, created = RoleGrant.objects.get_or_create(user=user, role=role)
    if created:
        audit_record(action="account.role_granted", target=user, actor=acting_user, data={"role": role})
    return grant


def _window_start() -> dt.datetime:
    return clock.now() - dt.timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)


def login_is_locked(*, email: str, ip_address: str | None) -> bool:
    """True when this address or this account has failed too often within the lockout window."""
    recent = LoginFailure.objects.filter(occurred_at__gte=_window_start())
    limit = settings.LOGIN_FAILURE_LIMIT
    if recent.filter(email=email.lower().strip()).count() >= limit:
        return True
    # An address gets more room than an account: several people may share one shop's connection.
    return bool(ip_address) and recent.filter(ip_address=ip_address).count() >= limit * 4


@transaction.atomic
def login_failure_record(*, email: str, ip_address: str | None) -> None:
    LoginFailure.objects.create(
        occurred_at=clock.now(), email=email.lower().strip()[:254], ip_address=ip_address
    )


@transaction.atomic
def login_failures_clear(*, email: str) -> None:
    LoginFailure.objects.filter(email=email.lower().strip()).delete()


def require_role(user: User, *roles: str) -> None:
    """Raise PermissionDenied unless ``user`` holds one of ``roles``."""
    if not any(user.has_role(role) for role in roles):
        raise PermissionDenied("You do not have a role that allows this.", code="role_required")


def user_has_role(user: Any, role: str) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.has_role(role)
