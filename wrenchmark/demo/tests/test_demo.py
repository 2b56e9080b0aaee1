from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command

from wrenchmark.accounts.models import Role, User
from wrenchmark.core.models import AuditEvent
from wrenchmark.credentials.standing import candidate_standing
from wrenchmark.demo.loading import DEMO_PASSWORD, demo_load
from wrenchmark.rules import Status
from wrenchmark.scoring.models import TestResult

pytestmark = pytest.mark.django_db


def test_the_demo_has_one_person_per_role_and_candidates_with_a_history(catalog: Any) -> None:
    assert demo_load() is True
    for role in Role.values:
        assert User.objects.filter(is_demo=True, role_grants__role=role).exists(), role
    assert User.objects.filter(is_demo=True).count() == 11
    assert all(u.check_password(DEMO_PASSWORD) for u in User.objects.filter(is_demo=True))
    # Entered through the services: every result has its audit row.
    assert (
        TestResult.objects.filter(source="demo").count()
        == AuditEvent.objects.filter(action="result.recorded").count()
    )

    maria = User.objects.get(email="maria.gonzalez@demo.wrenchmark.test")
    standing = candidate_standing(candidate=maria)
    master = next(d for d in standing.designations if d.code == "master-auto")
    assert master.held
    assert master.at_risk
    assert maria.preferred_language == "es"

    james = User.objects.get(email="james.carter@demo.wrenchmark.test")
    james_master = next(
        d for d in candidate_standing(candidate=james).designations if d.code == "master-auto"
    )
    assert (james_master.achieved, james_master.required) == (5, 8)

    tom = User.objects.get(email="tom.becker@demo.wrenchmark.test")
    tom_states = {row.test.code: row.state for row in candidate_standing(candidate=tom).credentials}
    assert tom_states["A1"].status == Status.EXPIRED
    assert tom_states["A4"].renewed
    assert tom_states["A4"].status == Status.CERTIFIED

    priya = User.objects.get(email="priya.nair@demo.wrenchmark.test")
    assert {row.state.status for row in candidate_standing(candidate=priya).credentials} == {
        Status.AWAITING_EXPERIENCE
    }


def test_loading_the_demo_twice_changes_nothing_and_prints_the_logins(catalog: Any) -> None:
    out = StringIO()
    call_command("demo_load", stdout=out)
    users = User.objects.count()
    results = TestResult.objects.count()
    again = StringIO()
    call_command("demo_load", stdout=again)
    assert "already present" in again.getvalue()
    assert (User.objects.count(), TestResult.objects.count()) == (users, results)
    assert "carol.shop@demo.wrenchmark.test" in out.getvalue()
    assert DEMO_PASSWORD in out.getvalue()
    assert "DEMO DATA" in out.getvalue()
