from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.translation import gettext_lazy as _


class Language(models.TextChoices):
    ENGLISH = "en", _("English")
    SPANISH = "es", _("Spanish")


class Role(models.TextChoices):
    CANDIDATE = "candidate", _("Candidate")
    EMPLOYER_ADMIN = "employer_admin", _("Employer administrator")
    ITEM_WRITER = "item_writer", _("Item writer")
    ITEM_REVIEWER = "item_reviewer", _("Item reviewer")
    PSYCHOMETRICIAN = "psychometrician", _("Psychometrician")
    PROGRAM_ADMIN = "program_admin", _("Program administrator")
    PROCTOR = "proctor", _("Proctor")
    INSTRUCTOR = "instructor", _("Instructor")


class WrenchmarkUserManager(UserManager["User"]):
    def get_by_natural_key(self, username: str | None) -> User:
        # Sign-in is by e-mail address, whatever case it is typed in.
        return self.get(email__iexact=username)

    def create_user(  # type: ignore[override]
        self, email: str, password: str | None = None, **extra: Any
    ) -> User:
        extra.setdefault("username", email.lower())
        return super().create_user(extra.pop("username"), email, password, **extra)

    def create_superuser(  # type: ignore[override]
        self, email: str, password: str | None = None, **extra: Any
    ) -> User:
        extra.setdefault("username", email.lower())
        return super().create_superuser(extra.pop("username"), email, password, **extra)


class User(AbstractUser):
    """A person: candidate, staff member, or both. Signs in with an e-mail address."""

    email = models.EmailField(_("e-mail address"), unique=True)
    program_id = models.CharField(_("program ID"), max_length=20, unique=True)
    preferred_language = models.CharField(
        _("preferred language"), max_length=5, choices=Language.choices, default=Language.ENGLISH
    )
    is_demo = models.BooleanField(default=False, help_text=_("Created by the demo data loader."))
    is_simulated = models.BooleanField(
        default=False, help_text=_("A simulated candidate (psychometrics_simulate); never a real person.")
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = ["username"]

    objects = WrenchmarkUserManager()  # type: ignore[misc]

    class Meta:
        ordering = ["last_name", "first_name", "id"]

    def __str__(self) -> str:
        return self.get_full_name() or self.email

    def has_role(self, role: str) -> bool:
        return self.is_active and any(r.role == role for r in self.role_grants.all())

    @property
    def role_codes(self) -> set[str]:
        return {grant.role for grant in self.role_grants.all()}


class RoleGrant(models.Model):
    """A role held by a user. Which employer an employer administrator runs is kept by the employers app."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_grants")
    role = models.CharField(max_length=30, choices=Role.choices)
    granted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "role"], name="rolegrant_unique")]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()}"


class LoginFailure(models.Model):
    """A failed sign-in, kept in the database so every app server sees the same count."""

    occurred_at = models.DateTimeField(db_index=True)
    email = models.CharField(max_length=254, db_index=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True, db_index=True)

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.email} from {self.ip_address or 'unknown'}"
