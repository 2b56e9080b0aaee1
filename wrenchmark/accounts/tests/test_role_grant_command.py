from __future__ import annotations

from collections.abc import Callable
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from wrenchmark.accounts.models import Role
from wrenchmark.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_role_grant_gives_the_role_once_and_audits_it(make_user: Callable[..., Any]) -> None:
    teacher = make_user("Tess", "Teacher")
    out = StringIO()
    call_command("role_grant", teacher.email.upper(), "Instructor", stdout=out)
    assert "is now: Instructor" in out.getvalue()
    teacher.refresh_from_db()
    assert teacher.has_role(Role.INSTRUCTOR)
    call_command("role_grant", teacher.email, "instructor", stdout=out)
    assert "already was: Instructor" in out.getvalue()
    assert AuditEvent.objects.filter(action="account.role_granted", data__role="instructor").count() == 1


def test_role_grant_refuses_an_unknown_role_or_person(make_user: Callable[..., Any]) -> None:
    teacher = make_user("Tess", "Teacher")
    with pytest.raises(CommandError, match="unknown role 'teacher'"):
        call_command("role_grant", teacher.email, "teacher")
    with pytest.raises(CommandError, match=r"no account has the e-mail address nobody@example\.test"):
        call_command("role_grant", "nobody@example.test", "instructor")
